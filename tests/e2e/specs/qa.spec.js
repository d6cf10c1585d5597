// Live Q&A in the web app (docs/web.md, "Live Q&A"): an editor opens a
// session answered as "Officer A"; a signed-out visitor keeps its public
// page open while a member asks, a moderator triages in the console's live
// queue (approve, merge, reject, mark answered) and the editor answers,
// edits, closes and archives. The visitor's page follows without a reload
// and never names a staff member, in its document or in anything it
// fetched. The pages pass axe at both sizes.
import { test, expect, makeUser, makeOrganisation, addStaff, api, signInAs, expectAccessible, screenshot } from '../lib/fixtures.js';

const ZONE = 'Asia/Kolkata';  // UTC+5:30: a wrong conversion is off by hours and a half
const QA = (id, rest = '') => `/api/vantage/v1/qa/${id}${rest}`;

test.use({ timezoneId: ZONE });

// "YYYY-MM-DDTHH:MM" of `ms` on the wall clocks of ZONE, as a datetime-local holds it.
const wallClock = (ms) => new Date(ms).toLocaleString('sv-SE', { timeZone: ZONE }).replace(' ', 'T').slice(0, 16);

// A page whose every fetched answer is kept (streams excepted: they never end).
function recorded(page) {
  const fetched = [];
  page.on('response', async (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (type.includes('event-stream') || !/json|html|text/.test(type)) return;
    try {
      fetched.push(`${res.url()}\n${JSON.stringify(res.headers())}\n${await res.text()}`);
    } catch { /* an aborted load has no body */ }
  });
  return fetched;
}

// The events a stream has kept since the start, read for `ms`.
async function streamText(path, ms = 1500) {
  const stop = new AbortController();
  const res = await fetch(`${process.env.VANTAGE_URL}${path}?last_event_id=0`, { signal: stop.signal });
  const reader = res.body.getReader();
  const timer = setTimeout(() => stop.abort(), ms);
  let out = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
  } catch { /* aborted */ }
  clearTimeout(timer);
  return out;
}

async function staffed() {
  const owner = await makeUser('owner', { displayName: 'Olivia Ownerfield' });
  const moderator = await makeUser('moderator', { displayName: 'Morgan Modsworth' });
  const editor = await makeUser('editor', { displayName: 'Captain Real Name' });
  const org = makeOrganisation(owner, { prefix: 'harbour', displayName: 'Harbour Police' });
  for (const [who, role] of [[moderator, 'moderator'], [editor, 'editor']]) {
    await addStaff(org, owner, who, [role]);
  }
  return { owner, moderator, editor, org };
}

test('a visitor watches a Q&A live while a moderator approves and "Officer A" answers', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { owner, moderator, editor, org } = await staffed();
  const member = await makeUser('resident');

  // The editor opens the session in the console, its end typed in local time.
  await signInAs(page, editor);
  await page.goto(`/console/${org.id}/qa`);
  const endsAt = Math.floor(Date.now() / 60_000) * 60_000 + 2 * 3_600_000;
  await page.getByLabel('Title').fill('Ask the harbour police');
  await page.getByLabel('Description').fill('Night patrols, lost boats, anything.');
  await page.getByLabel('Ends').fill(wallClock(endsAt));
  await page.getByLabel('Pseudonym (optional)').fill('Officer A');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}/qa/\\d+$`));
  const id = /\/qa\/(\d+)$/.exec(page.url())[1];
  const session = await api('GET', QA(id));
  expect([session.pseudonym, Date.parse(session.ends_at), session.state]).toEqual(['Officer A', endsAt, 'open']);

  // A signed-out visitor keeps the public page open.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const fetched = recorded(visitor);
  await visitor.goto(`/qa/${id}`);
  await expect(visitor.getByRole('heading', { name: 'Ask the harbour police' })).toBeVisible();
  await expect(visitor.locator('main').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await visitor.evaluate(() => { window.stillHere = true; });

  // The moderator's queue is open before anyone asks.
  const modContext = await browser.newContext({ timezoneId: ZONE });
  const mod = await modContext.newPage();
  await signInAs(mod, moderator);
  await mod.goto(`/console/${org.id}/qa/${id}`);
  await expect(mod.getByRole('heading', { name: 'Questions' })).toBeVisible();
  await mod.evaluate(() => { window.stillHere = true; });

  // A member asks on the public page: too long is refused in the API's words, then held.
  const memberContext = await browser.newContext();
  const asker = await memberContext.newPage();
  await signInAs(asker, member);
  await asker.goto(`/qa/${id}`);
  await asker.getByLabel('Your question').fill('x'.repeat(501));
  await expect(asker.getByText('501 of 500 characters')).toBeVisible();
  await asker.getByRole('button', { name: 'Ask' }).click();
  await expect(asker.getByRole('alert')).toHaveText('text must be at most 500 characters');
  // Blocked by the organisation: refused in the API's words, then unblocked.
  const block = (action) => fetch(`${process.env.VANTAGE_URL}/api/v1/accounts/${member.id}/${action}`, { method: 'POST',
    headers: { Authorization: `Bearer ${owner.token}`, 'Vantage-Act-As': org.id } }).then((res) => expect(res.ok).toBe(true));
  await block('block');
  await asker.getByLabel('Your question').fill('When do the night patrols start?');
  await asker.getByRole('button', { name: 'Ask' }).click();
  await expect(asker.getByRole('alert')).toHaveText('This organisation does not take questions from you');
  await block('unblock');
  await asker.getByRole('button', { name: 'Ask' }).click();
  await expect(asker.getByText('Sent: held for the moderators')).toBeVisible();
  await memberContext.close();

  // It appears in the moderator's queue by itself; approved there.
  const row = mod.locator('li').filter({ hasText: 'When do the night patrols start?' });
  await expect(row.locator('.state-tag')).toHaveText('held');
  await expect(row).toContainText(`@${member.username}`);
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(row.locator('.state-tag')).toHaveText('approved');
  // More arrive: a duplicate merged into it, one rejected, one marked answered.
  const more = ['When does the night patrol begin?', 'Spam spam spam', 'Is the harbour open at night?'];
  for (const text of more) await api('POST', QA(id, '/questions'), { token: member.token, json: { text } });
  // (Rows are told apart by their question: other rows name it in their Duplicate of lists.)
  const rowOf = (text) => mod.locator('li').filter({ has: mod.locator('.queue-caption').getByText(text, { exact: true }) });
  await rowOf(more[0]).getByLabel('Duplicate of').selectOption({ label: 'When do the night patrols start?' });
  await rowOf(more[0]).getByRole('button', { name: 'Merge' }).click();
  await expect(rowOf(more[0]).locator('.state-tag')).toHaveText('merged');
  await rowOf(more[1]).getByRole('button', { name: 'Reject' }).click();
  await expect(rowOf(more[1]).locator('.state-tag')).toHaveText('rejected');
  await rowOf(more[2]).getByRole('button', { name: 'Approve' }).click();
  await rowOf(more[2]).getByRole('button', { name: 'Mark answered' }).click();
  await expect(visitor.locator('li').filter({ hasText: more[2] })).toContainText('Answered');
  expect(await mod.evaluate(() => window.stillHere)).toBe(true);
  await modContext.close();

  // The editor answers as Officer A, then edits the answer.
  const mine = page.locator('li').filter({ hasText: 'When do the night patrols start?' });
  await expect(mine.getByLabel('Answer as')).toHaveValue('pseudonym');
  await mine.getByLabel('Answer', { exact: true }).fill('From 22:00 every night.');
  await mine.getByRole('button', { name: 'Answer', exact: true }).click();
  const answer = visitor.locator('.qa-answer');
  await expect(answer).toContainText('Officer A');
  await expect(answer).toContainText('From 22:00 every night.');
  await expect(answer).not.toContainText('edited');
  await mine.getByLabel('Answer', { exact: true }).fill('From 21:30 every night.');
  await mine.getByRole('button', { name: 'Save answer' }).click();
  await expect(answer).toContainText('From 21:30 every night.');
  await expect(answer).toContainText('edited');
  await expect(answer).toHaveCount(1);
  // Answered live, in that order; the merged and rejected ones never show.
  await expect(visitor.locator('li')).toHaveText([/harbour open at night/, /night patrols start/]);

  // Closing and archiving show too.
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(visitor.locator('header .state-tag')).toHaveText('closed');
  await expect(visitor.locator('main').getByRole('link', { name: 'Sign in' })).toBeHidden();
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(visitor.locator('header .state-tag')).toHaveText('archived');
  expect(await visitor.evaluate(() => window.stillHere)).toBe(true);

  // No staff member is named in the visitor's document, in anything it
  // fetched or in the stream it read.
  const markers = [];
  for (const who of [owner, moderator, editor]) markers.push(who.username, `${who.username}@example.test`, who.id);
  markers.push('Olivia', 'Ownerfield', 'Morgan', 'Modsworth', 'Captain', 'Real Name');
  const html = await visitor.evaluate(() => document.documentElement.outerHTML);
  const streamed = await streamText(QA(id, '/stream'));
  expect(streamed).toContain('From 21:30 every night.');
  expect(fetched.length).toBeGreaterThan(3);
  for (const [where, body] of [['the page', html], ['the stream', streamed], ...fetched.map((f) => [f.split('\n')[0], f])]) {
    for (const marker of markers) expect(body.includes(marker), `${marker} in ${where}`).toBe(false);
  }
  await visitorContext.close();

  // A signed-in reader reports an answered question from the page.
  const readerContext = await browser.newContext();
  const reader = await readerContext.newPage();
  await signInAs(reader, await makeUser('reader'));
  await reader.goto(`/qa/${id}`);
  const reported = reader.locator('li').filter({ hasText: 'night patrols start' });
  await reported.getByRole('button', { name: 'Report' }).click();
  await reported.getByLabel('Reason').selectOption('other');
  await reported.getByRole('button', { name: 'Send report' }).click();
  await expect(reported.getByRole('status')).toHaveText('Thanks for reporting');
  await readerContext.close();
});

test('the Q&A page and the console queue pass axe @desktop', async ({ page }, testInfo) => {
  const { owner, org } = await staffed();
  const member = await makeUser('asker');
  const session = await api('POST', `/api/vantage/v1/organisations/${org.id}/qa`, { token: owner.token, json: {
    title: 'Ask the harbour police', description: 'Night patrols, lost boats, anything.', pseudonym: 'Officer A',
    ends_at: new Date(Date.now() + 3_600_000).toISOString() } });
  const ask = (text) => api('POST', QA(session.id, '/questions'), { token: member.token, json: { text } });
  const first = await ask('When do the night patrols start?');
  await ask('Who do I call about a lost dinghy?');
  await api('POST', QA(session.id, `/questions/${first.id}/approve`), { token: owner.token });
  await api('POST', QA(session.id, `/questions/${first.id}/answer`), { token: owner.token,
    json: { text: 'From 22:00 every night.', as: 'pseudonym' } });

  // The first stream ends at once, having named event 0 as its last; the
  // answer is edited before EventSource comes back. Resumed after event 0,
  // it gets every event again (the answer shown already included) and the
  // edit: shown once, edited.
  let streams = 0;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/stream', async (route) => {
    if (streams++) return held.then(() => route.continue());
    return route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 50\nid: 0\nevent: ping\ndata: {}\n\n' });
  });
  await page.goto(`/@${org.username}`);
  await page.getByRole('link', { name: 'Q&A: Ask the harbour police' }).click();
  await expect(page.locator('.qa-answer')).toContainText('Officer A');
  await expect.poll(() => streams).toBe(2);
  await api('PUT', QA(session.id, `/questions/${first.id}/answer`), { token: owner.token, json: { text: 'From 21:30 every night.' } });
  release();
  await expect(page.locator('.qa-answer')).toContainText('From 21:30 every night.');
  await expect(page.locator('.draft-row')).toHaveCount(1);
  await expectAccessible(page, 'Q&A page');
  await screenshot(page, testInfo, 'qa');

  // Leaving the page in the app closes its stream.
  let closed = false;
  page.on('requestfailed', (req) => { closed ||= req.url().endsWith(`/qa/${session.id}/stream`); });
  await page.getByRole('main').getByRole('link', { name: 'Harbour Police' }).click();
  await expect(page).toHaveURL(`/@${org.username}`);
  await expect.poll(() => closed).toBe(true);
  await page.unroute('**/stream');
  await page.goto('/qa/1');
  await expect(page.locator('main')).toHaveText('No such Q&A session');

  await signInAs(page, owner);
  await page.goto(`/console/${org.id}/qa`);
  await expect(page.getByRole('link', { name: 'Ask the harbour police' })).toBeVisible();
  await expectAccessible(page, 'console Q&A sessions');
  await page.getByRole('link', { name: 'Ask the harbour police' }).click();
  await expect(page.locator('li').filter({ hasText: 'lost dinghy' }).getByRole('button', { name: 'Approve' })).toBeVisible();
  await expectAccessible(page, 'console Q&A queue');
  await screenshot(page, testInfo, 'console-qa');
});
