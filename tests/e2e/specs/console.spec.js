// The staff console (docs/web.md): an editor drafts a 5-photo archive post
// and submits it, cannot approve it; an approver approves it for two minutes
// ahead, and a visitor sees it on the organisation's profile only then, as
// the organisation; meanwhile an owner adds a member, who accepts the
// invitation from their notifications, and changes and removes staff roles.
// Someone else declines. Every console page, and the invitations, pass axe
// at both sizes. Scenes are set up through the
// API; the browser does what each journey is about.
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, makeOrganisation, addStaff, api, signInAs, photoFile, expectAccessible, screenshot } from '../lib/fixtures.js';

const ZONE = 'Asia/Kolkata';  // UTC+5:30: a wrong conversion is off by hours and a half
const drafts = (org, rest = '') => `/api/vantage/v1/organisations/${org.id}/drafts${rest}`;

// A draft with `photos` photos uploaded as the organisation by `editor`.
async function makeDraft(editor, org, { caption, photos = 1 }) {
  const ids = [];
  for (let idx = 0; idx < photos; idx++) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(photoFile(Math.random() * 1000))], { type: 'image/jpeg' }), 'p.jpg');
    form.append('description', `Archive photo ${idx + 1}`);
    const res = await fetch(`${process.env.VANTAGE_URL}/api/v2/media`, { method: 'POST', body: form,
      headers: { Authorization: `Bearer ${editor.token}`, 'Vantage-Act-As': org.id } });
    expect(res.ok).toBeTruthy();
    ids.push((await res.json()).id);
  }
  return api('POST', drafts(org), { token: editor.token, json: { status: caption, media_ids: ids } });
}

// "YYYY-MM-DDTHH:MM" of `ms` on the wall clocks of ZONE, as a datetime-local holds it.
function wallClock(ms) {
  return new Date(ms).toLocaleString('sv-SE', { timeZone: ZONE }).replace(' ', 'T').slice(0, 16);
}

test.use({ timezoneId: ZONE });

test('an editor drafts a 5-photo post, an approver schedules it, it appears as the organisation at its time; an owner manages staff', async ({ page, browser }) => {
  test.setTimeout(300_000);
  const owner = await makeUser('owner', { displayName: 'Olga Ownerby' });
  const editor = await makeUser('editor', { displayName: 'Edna Editorson' });
  const approver = await makeUser('approver', { displayName: 'Arno Approvington' });
  const org = makeOrganisation(owner, { prefix: 'archive', displayName: 'City Archive' });
  // The editor may approve too, but never their own drafts.
  for (const [who, roles] of [[editor, ['editor', 'approver']], [approver, ['approver']]]) {
    await addStaff(org, owner, who, roles);
  }

  // The editor: Console in the main nav, straight into the organisation.
  await signInAs(page, editor);
  await page.goto('/');
  await page.getByRole('link', { name: 'Console' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}$`));
  await expect(page.locator('.console-head')).toContainText('City Archive');
  const tabs = page.getByRole('navigation', { name: 'Console' });
  await expect(tabs.getByRole('link')).toHaveText(['Drafts', 'Approval queue', 'Schedule', 'Q&A']);
  await page.getByRole('link', { name: 'New draft' }).click();
  await page.locator('input[type=file]').setInputFiles([1, 2, 3, 4, 5].map((n) => photoFile(40 + n)));
  await expect(page.locator('.picked-item')).toHaveCount(5);
  const alts = ['The quay in 1952', 'A steam crane', 'Dock workers at noon', 'The old customs house', 'Ferry at dusk'];
  for (const [idx, alt] of alts.entries()) await page.getByLabel(`Alt text for photo ${idx + 1}`).fill(alt);
  await page.getByLabel('Caption').fill('From the archive: the harbour in 1952');
  await page.getByRole('button', { name: 'Save and submit for approval' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}/drafts/\\d+$`));
  await expect(page.locator('.draft-summary')).toContainText('Awaiting approval');
  await expect(page.locator('.draft-summary')).toContainText('0 of 1 approval');
  const draftId = /\/drafts\/(\d+)$/.exec(page.url())[1];

  // Their own draft in the queue: no approving it, and the API refuses too.
  await tabs.getByRole('link', { name: 'Approval queue' }).click();
  const own = page.locator(`.draft-row[data-id="${draftId}"]`);
  await expect(own).toContainText('You wrote this draft: someone else must approve it.');
  await expect(own.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  const { version } = await api('GET', drafts(org, `/${draftId}`), { token: editor.token });
  const refused = await fetch(`${process.env.VANTAGE_URL}${drafts(org, `/${draftId}/approve`)}`, { method: 'POST',
    headers: { Authorization: `Bearer ${editor.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ version }) });
  expect([refused.status, (await refused.json()).code]).toEqual([403, 'own_draft']);

  // The approver: the photos in order with their alt text, approved for two
  // clock minutes ahead (at least 70 s), typed in their own time zone.
  const approverContext = await browser.newContext({ timezoneId: ZONE });
  const approverPage = await approverContext.newPage();
  await signInAs(approverPage, approver);
  await approverPage.goto(`/console/${org.id}/queue`);
  const row = approverPage.locator(`.draft-row[data-id="${draftId}"]`);
  await expect(row.locator('.thumbs img')).toHaveCount(5);
  for (const [idx, alt] of alts.entries()) await expect(row.locator('.thumbs img').nth(idx)).toHaveAttribute('alt', alt);
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const releaseAt = minute + (Date.now() - minute > 50_000 ? 3 : 2) * 60_000;
  await row.getByLabel('Release at (optional)').fill(wallClock(releaseAt));
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(approverPage.getByText('Nothing waits for approval.')).toBeVisible();
  const scheduled = await api('GET', drafts(org, `/${draftId}`), { token: approver.token });
  expect([scheduled.state, Date.parse(scheduled.scheduled_at)]).toEqual(['scheduled', releaseAt]);
  // An approver reads a draft but does not edit it.
  await approverPage.goto(`/console/${org.id}/drafts/${draftId}`);
  await expect(approverPage.locator('.draft-summary')).toContainText('Scheduled for');
  await expect(approverPage.locator('.thumbs img')).toHaveCount(5);
  await expect(approverPage.getByRole('button', { name: 'Save draft' })).toHaveCount(0);
  await approverPage.goto(`/console/${org.id}/schedule`);
  await expect(approverPage.locator(`.draft-row[data-id="${draftId}"]`)).toContainText('for ');
  await expect(approverPage.locator(`.draft-row[data-id="${draftId}"]`).getByLabel('Release at')).toHaveValue(wallClock(releaseAt));
  await approverContext.close();

  // A signed-out visitor: nothing yet.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/@${org.username}`);
  await expect(visitor.getByRole('heading', { name: 'City Archive' })).toBeVisible();
  await expect(visitor.getByRole('link', { name: alts[0] })).toHaveCount(0);

  // Meanwhile the owner adds a member, who is invited and joins by
  // accepting; the owner changes their roles, is kept from leaving the
  // organisation without an owner, and removes the member.
  const newcomer = await makeUser('newcomer', { displayName: 'Nina Newcomer' });
  await signInAs(page, owner);
  await page.goto(`/console/${org.id}/staff`);
  await expect(tabs.getByRole('link')).toHaveText(['Drafts', 'Approval queue', 'Schedule', 'Q&A', 'Insights', 'Audit log', 'Staff']);
  await page.getByLabel('Username').fill(newcomer.username);
  await page.getByRole('group', { name: 'Roles of the new member' }).getByLabel('analyst').check();
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.locator('#toast')).toHaveText(`@${newcomer.username} invited: they join once they accept`);
  const invitedRow = page.locator(`.account-row[data-id="${newcomer.id}"]`);
  await expect(invitedRow).toContainText('Invited as editor and analyst, waiting for them to accept.');
  await expect(page.getByRole('group', { name: 'Roles of Nina Newcomer' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Withdraw the invitation of Nina Newcomer' })).toBeVisible();

  // The newcomer: no console until they accept; the notice on the
  // notifications page leads to the invitation.
  const newcomerContext = await browser.newContext({ timezoneId: ZONE });
  const newcomerPage = await newcomerContext.newPage();
  await signInAs(newcomerPage, newcomer);
  await newcomerPage.goto('/notifications');
  const notice = newcomerPage.locator('.note[data-type="invitation"]');
  await expect(notice).toContainText('City Archive invited you to join its staff as editor and analyst. Accept or decline');
  await expect(newcomerPage.getByRole('link', { name: 'Console', exact: true })).toHaveCount(0);
  await notice.getByRole('link', { name: 'Accept or decline' }).click();
  await expect(newcomerPage).toHaveURL(/\/invitations$/);
  await newcomerPage.getByRole('button', { name: 'Accept the invitation of City Archive' }).click();
  await expect(newcomerPage.locator(`.account-row[data-id="${org.id}"]`)).toContainText('You joined its staff as editor and analyst.');
  await expect(newcomerPage.locator('#toast')).toHaveText('You joined the staff of City Archive');
  await expect(newcomerPage.getByRole('link', { name: 'Console', exact: true })).toBeVisible();
  await newcomerPage.getByRole('link', { name: 'Open the console of City Archive' }).click();
  await expect(newcomerPage).toHaveURL(new RegExp(`/console/${org.id}$`));
  await expect(newcomerPage.getByRole('navigation', { name: 'Console' }).getByRole('link'))
    .toHaveText(['Drafts', 'Schedule', 'Q&A', 'Insights']);
  await newcomerContext.close();

  // The owner sees a member now.
  await page.reload();
  const roles = page.getByRole('group', { name: 'Roles of Nina Newcomer' });
  await expect(roles.getByLabel('editor')).toBeChecked();
  await expect(roles.getByLabel('analyst')).toBeChecked();
  await expect(page.getByText('waiting for them to accept')).toHaveCount(0);
  await roles.getByLabel('editor').uncheck();
  await roles.getByLabel('approver').check();
  await page.getByRole('button', { name: 'Save the roles of Nina Newcomer' }).click();
  await expect.poll(async () => (await api('GET', `/api/vantage/v1/organisations/${org.id}/staff`, { token: owner.token }))
    .find((m) => m.account.id === newcomer.id).roles.sort()).toEqual(['analyst', 'approver']);
  await page.getByRole('group', { name: 'Roles of Olga Ownerby' }).getByLabel('owner').uncheck();
  await page.getByRole('group', { name: 'Roles of Olga Ownerby' }).getByLabel('editor').check();
  await page.getByRole('button', { name: 'Save the roles of Olga Ownerby' }).click();
  const lastOwner = await fetch(`${process.env.VANTAGE_URL}/api/vantage/v1/organisations/${org.id}/staff/${owner.id}`, { method: 'PUT',
    headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ roles: ['editor'] }) });
  const lastOwnerBody = await lastOwner.json();
  expect([lastOwner.status, lastOwnerBody.code]).toEqual([409, 'last_owner']);
  await expect(page.getByRole('alert').filter({ hasText: lastOwnerBody.error })).toBeVisible();
  await page.getByRole('button', { name: 'Remove Nina Newcomer from the staff' }).click();
  await expect(page.getByRole('group', { name: 'Roles of Nina Newcomer' })).toHaveCount(0);
  const staff = await api('GET', `/api/vantage/v1/organisations/${org.id}/staff`, { token: owner.token });
  expect(staff.map((m) => m.account.id).sort()).toEqual([owner.id, editor.id, approver.id].sort());

  // The visitor again, reloading until it is out: not before its time, and
  // as the organisation, with no staff member named anywhere on the page.
  await expect(async () => {
    await visitor.reload();
    await expect(visitor.getByRole('link', { name: alts[0] })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 200_000, intervals: [3000] });
  expect(Date.now()).toBeGreaterThanOrEqual(releaseAt);
  await visitor.getByRole('link', { name: alts[0] }).click();
  await expect(visitor.getByRole('region', { name: '5 photos' })).toBeVisible();
  for (const alt of alts) await expect(visitor.getByRole('img', { name: alt })).toHaveCount(1);
  await expect(visitor.locator('.caption')).toContainText('From the archive: the harbour in 1952');
  await expect(visitor.locator('.post-head')).toContainText('City Archive');
  const html = await visitor.content();
  for (const who of [owner, editor, approver]) expect(html).not.toContain(who.username);
  for (const name of ['Olga', 'Edna', 'Arno', 'Ownerby', 'Editorson', 'Approvington']) expect(html).not.toContain(name);
  await visitorContext.close();
});

test('console pages pass axe; drafts edited, submitted, withdrawn and deleted, a rejection with its reason, unschedule and publish now @desktop', async ({ page }, testInfo) => {
  const owner = await makeUser('chief', { displayName: 'Chief Curator' });
  const editor = await makeUser('writer', { displayName: 'Wren Writer' });
  const org = makeOrganisation(owner, { prefix: 'museum', displayName: 'Harbour Museum' });
  await addStaff(org, owner, editor, ['editor']);
  const waiting = await makeDraft(editor, org, { caption: 'Ship models from the 1930s', photos: 3 });
  await api('POST', drafts(org, `/${waiting.id}/submit`), { token: editor.token });
  const later = await makeDraft(editor, org, { caption: 'The lighthouse keeper\'s logbook', photos: 2 });
  await api('POST', drafts(org, `/${later.id}/submit`), { token: editor.token });
  await api('POST', drafts(org, `/${later.id}/approve`), { token: owner.token,
    json: { version: later.version, scheduled_at: new Date(Date.now() + 86_400_000).toISOString() } });
  const rejected = await makeDraft(editor, org, { caption: 'Blurry harbour', photos: 1 });
  await api('POST', drafts(org, `/${rejected.id}/submit`), { token: editor.token });
  await api('POST', drafts(org, `/${rejected.id}/reject`), { token: owner.token,
    json: { version: rejected.version, reason: 'The photo is out of focus.' } });
  await makeDraft(editor, org, { caption: 'Not finished yet', photos: 1 });

  await signInAs(page, owner);
  await page.goto(`/console/${org.id}`);
  await expect(page.locator('.draft-row')).toHaveCount(4);
  await page.getByRole('link', { name: 'Rejected', exact: true }).click();
  await expect(page.locator('.draft-row')).toHaveCount(1);
  await page.getByRole('link', { name: 'All', exact: true }).click();
  await expect(page.locator('.draft-row')).toHaveCount(4);
  await expectAccessible(page, 'console drafts');
  await screenshot(page, testInfo, 'console-drafts');

  await page.getByRole('link', { name: 'Blurry harbour' }).click();
  await expect(page.getByText('The photo is out of focus.')).toBeVisible();
  await expect(page.locator('.picked-item')).toHaveCount(1);
  await expectAccessible(page, 'console draft');
  // Edited, the rejected draft is a draft again; the alt text is the photo's own.
  await page.getByLabel('Alt text for photo 1').fill('The harbour in fog, sharp this time');
  await page.getByLabel('Caption').fill('The harbour in fog');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.locator('.draft-summary .state-tag')).toHaveText('Draft');
  const edited = await api('GET', drafts(org, `/${rejected.id}`), { token: owner.token });
  expect([edited.state, edited.status, edited.media_attachments[0].description])
    .toEqual(['draft', 'The harbour in fog', 'The harbour in fog, sharp this time']);
  await page.getByRole('button', { name: 'Delete draft' }).click();
  await page.getByRole('alertdialog', { name: 'Delete this draft?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}$`));
  await expect(page.locator('.draft-row')).toHaveCount(3);
  // Submitted from its page, then withdrawn.
  await page.getByRole('link', { name: 'Not finished yet' }).click();
  await page.getByRole('button', { name: 'Save and submit for approval' }).click();
  await expect(page.locator('.draft-summary')).toContainText('Awaiting approval');
  await page.getByRole('button', { name: 'Withdraw from approval' }).click();
  await expect(page.getByRole('button', { name: 'Save and submit for approval' })).toBeVisible();
  await expect(page.locator('.draft-summary .state-tag')).toHaveText('Draft');

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Approval queue' }).click();
  await expect(page.locator('.draft-row .thumbs img')).toHaveCount(3);
  await expectAccessible(page, 'console queue');
  await screenshot(page, testInfo, 'console-queue');
  await page.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Say why it is rejected' })).toBeVisible();
  await page.getByLabel('Reason for rejecting').fill('Name the ship builder in the caption.');
  await page.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByText('Nothing waits for approval.')).toBeVisible();
  expect((await api('GET', drafts(org, `/${waiting.id}`), { token: owner.token })).rejection_reason).toBe('Name the ship builder in the caption.');

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Schedule' }).click();
  await expect(page.getByText('The lighthouse keeper\'s logbook')).toBeVisible();
  await expectAccessible(page, 'console schedule');
  await screenshot(page, testInfo, 'console-schedule');
  await page.getByRole('button', { name: 'Unschedule' }).click();
  await expect(page.getByText('Nothing is scheduled.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish now' }).click();
  await expect(page.getByText('No approved drafts wait for a time.')).toBeVisible();
  const published = await api('GET', drafts(org, `/${later.id}`), { token: owner.token });
  expect(published.state).toBe('published');
  expect((await api('GET', `/api/v1/statuses/${published.status_id}`)).account.id).toBe(org.id);

  // An invitation waits: shown apart from the members.
  const invitee = await makeUser('invitee', { displayName: 'Ivo Invitee' });
  await api('PUT', `/api/vantage/v1/organisations/${org.id}/staff/${invitee.id}`, { token: owner.token, json: { roles: ['editor', 'approver'] } });
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('group', { name: 'Roles of Wren Writer' }).getByLabel('editor')).toBeChecked();
  await expect(page.locator(`.account-row[data-id="${invitee.id}"]`)).toContainText('Invited as editor and approver, waiting for them to accept.');
  await expect(page.getByLabel('Approvals a draft needs')).toHaveValue('1');
  await expectAccessible(page, 'console staff');
  await screenshot(page, testInfo, 'console-staff');
  // Withdrawn, the invitation is gone, and so is the invitee's notice.
  await page.getByRole('button', { name: 'Withdraw the invitation of Ivo Invitee' }).click();
  await expect(page.locator(`.account-row[data-id="${invitee.id}"]`)).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Invited' })).toBeHidden();
  expect(await api('GET', '/api/vantage/v1/organisations/invitations', { token: invitee.token })).toEqual([]);
  await page.getByLabel('Approvals a draft needs').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(async () => (await api('GET', `/api/vantage/v1/organisations/${org.id}/settings`, { token: owner.token }))
    .approvals_required).toBe(2);

  // An editor alone sees the drafts and the schedule, and is told when a
  // page is not theirs.
  await signInAs(page, editor);
  await page.goto(`/console/${org.id}/staff`);
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link')).toHaveText(['Drafts', 'Schedule', 'Q&A']);
  await expect(page.getByText('Your roles (editor) do not include this page.')).toBeVisible();
});

test('a refused reschedule leaves a scheduled draft at its time: a past time is refused in the page, a time the server refuses gives the draft its time back @desktop', async ({ page }) => {
  const owner = await makeUser('keeper', { displayName: 'Kit Keeper' });
  const editor = await makeUser('scribe', { displayName: 'Sam Scribe' });
  const org = makeOrganisation(owner, { prefix: 'gallery', displayName: 'Pier Gallery' });
  await addStaff(org, owner, editor, ['editor']);
  const draft = await makeDraft(editor, org, { caption: 'Lanterns on the pier' });
  await api('POST', drafts(org, `/${draft.id}/submit`), { token: editor.token });
  const original = (Math.floor(Date.now() / 60_000) + 24 * 60) * 60_000;  // a day ahead, on the minute
  await api('POST', drafts(org, `/${draft.id}/approve`), { token: owner.token,
    json: { version: draft.version, scheduled_at: new Date(original).toISOString() } });
  const stillScheduled = async () => {
    const now = await api('GET', drafts(org, `/${draft.id}`), { token: owner.token });
    expect([now.state, Date.parse(now.scheduled_at)]).toEqual(['scheduled', original]);
  };

  // A time in the past: said in the page, naming the field, and nothing is asked of the API.
  await signInAs(page, owner);
  const requests = [];
  page.on('request', (req) => { if (req.method() === 'POST' && req.url().includes('/drafts/')) requests.push(req.url()); });
  await page.goto(`/console/${org.id}/schedule`);
  const row = page.locator(`.draft-row[data-id="${draft.id}"]`);
  await expect(row.getByLabel('Release at')).toHaveValue(wallClock(original));
  await row.getByLabel('Release at').fill(wallClock(Date.now() - 3_600_000));
  await row.getByRole('button', { name: 'Reschedule' }).click();
  await expect(row.getByRole('alert')).toHaveText('Release at: choose a time at least 5 seconds and at most a year from now.');
  expect(requests).toEqual([]);
  await stillScheduled();

  // A browser clock two days behind the server's: the page takes a time that
  // is past for the server, which refuses it after the draft was unscheduled;
  // the draft gets its time back and the server's sentence is shown.
  await page.clock.setFixedTime(Date.now() - 2 * 86_400_000);
  await page.goto(`/console/${org.id}/schedule`);
  await row.getByLabel('Release at').fill(wallClock(Date.now() - 86_400_000));
  await row.getByRole('button', { name: 'Reschedule' }).click();
  await expect(row.getByRole('alert')).toContainText('scheduled_at must be an ISO 8601 time');
  await expect(row.getByRole('alert')).not.toContainText('no longer scheduled');
  expect(requests.map((url) => url.replace(/.*\//, ''))).toEqual(['unschedule', 'schedule', 'schedule']);
  await stillScheduled();
  // The reloaded list shows it scheduled at its time.
  await expect(page.getByText('Nothing is scheduled.')).toHaveCount(0);
  await expect(row.getByLabel('Release at')).toHaveValue(wallClock(original));
});

test('a draft kept on this server: unticked in its form, said on its page and in the queue, published unshared', async ({ page }) => {
  const owner = await makeUser('keeper', { displayName: 'Kim Keeper' });
  const approver = await makeUser('checker', { displayName: 'Cy Checker' });
  const org = makeOrganisation(owner, { prefix: 'library', displayName: 'Town Library' });
  await addStaff(org, owner, approver, ['approver']);
  await signInAs(page, owner);
  await page.goto(`/console/${org.id}/drafts/new`);
  const share = page.getByRole('checkbox', { name: 'Share beyond this server' });
  await expect(share).toBeChecked();
  await page.locator('input[type=file]').setInputFiles([photoFile(41)]);
  await page.getByLabel('Caption').fill('The reading room, for members');
  await share.uncheck();
  await page.getByRole('button', { name: 'Save and submit for approval' }).click();
  await expect(page.locator('.draft-summary')).toContainText('Awaiting approval');
  await expect(page.locator('.draft-summary')).toContainText('Stays on this server: other servers will not get a copy.');
  await expect(share).not.toBeChecked();
  const id = /\/drafts\/(\d+)$/.exec(page.url())[1];
  const draft = await api('GET', drafts(org, `/${id}`), { token: owner.token });
  expect(draft.vantage_federate).toBe(false);

  await signInAs(page, approver);
  await page.goto(`/console/${org.id}/queue`);
  await expect(page.locator('.draft-row')).toContainText('Stays on this server');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText('Nothing waits for approval.')).toBeVisible();
  const { version } = await api('GET', drafts(org, `/${id}`), { token: owner.token });
  const { status_id: statusId } = await api('POST', drafts(org, `/${id}/publish`), { token: owner.token, json: { version } });
  expect((await api('GET', `/api/v1/statuses/${statusId}`)).vantage_federate).toBe(false);
});

test('a draft changed while the approver reads it is not approved, rejected or published as it was: the page shows it as it is now', async ({ page }) => {
  const CHANGED = 'This draft changed while you were reading it. Here it is as it is now: read it again before you decide.';
  const owner = await makeUser('harbourmaster', { displayName: 'Hal Harbourmaster' });
  const editor = await makeUser('clerk', { displayName: 'Cleo Clerk' });
  const approver = await makeUser('checker', { displayName: 'Chet Checker' });
  const org = makeOrganisation(owner, { prefix: 'port', displayName: 'Port Authority' });
  for (const [who, roles] of [[editor, ['editor']], [approver, ['approver']]]) {
    await addStaff(org, owner, who, roles);
  }
  const harmless = await makeDraft(editor, org, { caption: 'Open day at the harbour on Saturday' });
  await api('POST', drafts(org, `/${harmless.id}/submit`), { token: editor.token });
  const timetable = await makeDraft(editor, org, { caption: 'The winter ferry timetable' });
  await api('POST', drafts(org, `/${timetable.id}/submit`), { token: editor.token });
  const read = (draft) => api('GET', drafts(org, `/${draft.id}`), { token: approver.token });

  // The approver has the queue open; meanwhile the editor replaces the
  // caption and adds a link.
  await signInAs(page, approver);
  await page.goto(`/console/${org.id}/queue`);
  const row = page.locator(`.draft-row[data-id="${harmless.id}"]`);
  await expect(row).toContainText('Open day at the harbour on Saturday');
  const changed = await api('PUT', drafts(org, `/${harmless.id}`), { token: editor.token, json: {
    status: 'Open day: confirm your ticket', media_ids: harmless.media_attachments.map((m) => m.id),
    vantage_cta: { url: 'https://tickets.example.org/confirm', label: 'Confirm' },
  } });
  expect(changed.version).toBe(harmless.version + 1);
  // Approve is refused: the draft is shown again as it is now, not approved.
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(row.getByRole('alert')).toHaveText(CHANGED);
  await expect(row).toContainText('Open day: confirm your ticket');
  await expect(row).toContainText('Link: Confirm (tickets.example.org)');
  let now = await read(harmless);
  expect([now.state, now.approvals, now.version]).toEqual(['submitted', [], changed.version]);
  // Read again, it is approved.
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(row).toHaveCount(0);
  now = await read(harmless);
  expect([now.state, now.approvals.map((a) => a.account.id), now.status])
    .toEqual(['approved', [approver.id], 'Open day: confirm your ticket']);

  // Reject likewise: the editor changes the photo's alt text meanwhile.
  const other = page.locator(`.draft-row[data-id="${timetable.id}"]`);
  await expect(other.locator('.thumbs img')).toHaveAttribute('alt', 'Archive photo 1');
  await api('PUT', `/api/v1/media/${timetable.media_attachments[0].id}`, { token: editor.token,
    headers: { 'Vantage-Act-As': org.id }, json: { description: 'The timetable, page two' } });
  await other.getByLabel('Reason for rejecting').fill('Add the Sunday sailings.');
  await other.getByRole('button', { name: 'Reject' }).click();
  await expect(other.getByRole('alert')).toHaveText(CHANGED);
  await expect(other.locator('.thumbs img')).toHaveAttribute('alt', 'The timetable, page two');
  now = await read(timetable);
  expect([now.state, now.rejection_reason, now.version]).toEqual(['submitted', null, timetable.version + 1]);
  await other.getByLabel('Reason for rejecting').fill('Add the Sunday sailings.');
  await other.getByRole('button', { name: 'Reject' }).click();
  await expect(page.getByText('Nothing waits for approval.')).toBeVisible();
  now = await read(timetable);
  expect([now.state, now.rejection_reason]).toEqual(['rejected', 'Add the Sunday sailings.']);

  // Publish now on the Schedule page: edited and approved again meanwhile.
  await page.goto(`/console/${org.id}/schedule`);
  const approvedRow = page.locator(`.draft-row[data-id="${harmless.id}"]`);
  await expect(approvedRow).toContainText('Open day: confirm your ticket');
  const again = await api('PUT', drafts(org, `/${harmless.id}`), { token: editor.token, json: {
    status: 'Open day: tickets at the gate', media_ids: harmless.media_attachments.map((m) => m.id),
  } });
  await api('POST', drafts(org, `/${harmless.id}/approve`), { token: owner.token, json: { version: again.version } });
  await approvedRow.getByRole('button', { name: 'Publish now' }).click();
  await expect(approvedRow.getByRole('alert')).toHaveText(CHANGED);
  await expect(approvedRow).toContainText('Open day: tickets at the gate');
  now = await read(harmless);
  expect([now.state, now.status_id]).toEqual(['approved', null]);
  await approvedRow.getByRole('button', { name: 'Publish now' }).click();
  await expect(page.getByText('No approved drafts wait for a time.')).toBeVisible();
  now = await read(harmless);
  expect(now.state).toBe('published');
  expect((await api('GET', `/api/v1/statuses/${now.status_id}`)).content).toContain('Open day: tickets at the gate');
});

test('invitations to the staff: the notice, the page, one declined and one accepted; axe on both pages @desktop', async ({ page }, testInfo) => {
  const owner = await makeUser('curator', { displayName: 'Cora Curator' });
  const person = await makeUser('volunteer', { displayName: 'Vic Volunteer' });
  const museum = makeOrganisation(owner, { prefix: 'museum', displayName: 'Tram Museum' });
  const library = makeOrganisation(owner, { prefix: 'library', displayName: 'Harbour Library' });
  const invite = (org, roles) => api('PUT', `/api/vantage/v1/organisations/${org.id}/staff/${person.id}`,
    { token: owner.token, json: { roles } });
  expect((await invite(museum, ['approver', 'editor'])).state).toBe('invited');
  expect((await invite(library, ['analyst'])).state).toBe('invited');

  // The notices, newest first, and no console yet.
  await signInAs(page, person);
  await page.goto('/notifications');
  const notices = page.locator('.note[data-type="invitation"]');
  await expect(notices).toHaveCount(2);
  await expect(notices.nth(0)).toContainText('Harbour Library invited you to join its staff as analyst.');
  await expect(notices.nth(1)).toContainText('Tram Museum invited you to join its staff as editor and approver.');
  await expect(page.getByRole('link', { name: 'Console', exact: true })).toHaveCount(0);
  await expectAccessible(page, 'notifications with invitations');
  await notices.nth(0).getByRole('link', { name: 'Accept or decline' }).click();

  await expect(page).toHaveURL(/\/invitations$/);
  await expect(page).toHaveTitle('Invitations · Vantage');
  const rows = page.locator('.invites .account-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Invites you to join its staff as editor and approver.');
  await expectAccessible(page, 'invitations');
  await screenshot(page, testInfo, 'invitations');

  // Declined: the row goes, the organisation has no invitation left, and
  // the person is not its staff.
  await page.getByRole('button', { name: 'Decline the invitation of Harbour Library' }).click();
  await expect(rows).toHaveCount(1);
  await expect(page.locator('#toast')).toHaveText('Invitation of Harbour Library declined');
  expect(await api('GET', `/api/vantage/v1/organisations/${library.id}/staff`, { token: owner.token }))
    .toEqual([expect.objectContaining({ account: expect.objectContaining({ id: owner.id }), state: 'active' })]);

  // Accepted: said on the row, and the console appears.
  await page.getByRole('button', { name: 'Accept the invitation of Tram Museum' }).click();
  await expect(rows.first()).toContainText('You joined its staff as editor and approver.');
  await expect(page.getByRole('link', { name: 'Open the console of Tram Museum' })).toBeFocused();
  await expect(page.getByRole('link', { name: 'Console', exact: true })).toBeVisible();
  await expectAccessible(page, 'invitations answered');
  const served = await api('GET', '/api/vantage/v1/organisations', { token: person.token });
  expect(served.map((m) => [m.account.id, m.roles])).toEqual([[museum.id, ['editor', 'approver']]]);

  // Answered, nothing waits: the page (loaded by its URL) and the notifications say so.
  await page.goto('/invitations');
  await expect(page.getByText('No invitations wait for your answer.')).toBeVisible();
  await page.goto('/notifications');
  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
  await expect(notices).toHaveCount(0);
  // An answer to an invitation that is no longer there is refused.
  const again = await fetch(`${process.env.VANTAGE_URL}/api/vantage/v1/organisations/${library.id}/invitation/accept`,
    { method: 'POST', headers: { Authorization: `Bearer ${person.token}` } });
  expect([again.status, (await again.json()).code]).toEqual([404, 'not_found']);
});
