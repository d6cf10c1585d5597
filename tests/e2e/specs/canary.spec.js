// The staff-identity canary in the browser (docs/organisations.md, "The
// staff link is private"): staff with marked names run an organisation, then
// its profile, its own post, a post it commented on, the comment's own page,
// its lists and the explore, tag and search pages are rendered for a visitor
// and for a signed-in user. Neither the rendered document (text and every
// attribute) nor any answer the app fetched may carry a marker.
// tests/api/canary.test.mjs covers every route; this covers what the app
// draws from them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, makeUser, makePost, addStaff, api, signInAs, photoFile, REPO } from '../lib/fixtures.js';

const PREFIX = 'qz7c';
const TAG = 'harbourcanary';
const BIN = process.env.VANTAGE_BIN || path.join(REPO, 'build', 'vantage');

// A staff member's request, acting as the organisation unless `actAs` is
// false; `body` is JSON, or FormData sent as it is.
async function asStaff(who, org, method, urlPath, body, { actAs = true } = {}) {
  const headers = { Authorization: `Bearer ${who.token}`, 'User-Agent': `${PREFIX}ua_${who.username}` };
  if (actAs) headers['Vantage-Act-As'] = org.id;
  const form = body instanceof FormData;
  if (!form) headers['Content-Type'] = 'application/json';
  const res = await fetch(process.env.VANTAGE_URL + urlPath, {
    method, headers, body: form || body === undefined ? body : JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`${method} ${urlPath} as staff: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

// Every marker found in `text`, named.
function markersIn(text, markers) {
  const lower = text.toLowerCase();
  return markers.filter(({ value }) => lower.includes(value.toLowerCase()) ||
    lower.includes(encodeURIComponent(value).toLowerCase())).map(({ label, value }) => `${label} "${value}"`);
}

test('no staff marker in the rendered pages of an organisation, for a visitor or a signed-in user', async ({ page }) => {
  const owner = await makeUser(`${PREFIX}o`, { displayName: `${PREFIX}d Owner`, note: `${PREFIX}n owner` });
  const editor = await makeUser(`${PREFIX}e`, { displayName: `${PREFIX}d Editor`, note: `${PREFIX}n editor` });
  const markers = [{ label: 'the marker prefix', value: PREFIX }];
  for (const [role, who] of [['owner', owner], ['editor', editor]]) {
    markers.push({ label: `the ${role}'s username`, value: who.username }, { label: `the ${role}'s id`, value: who.id });
  }
  const orgName = `harbour${Date.now().toString(36).slice(-6)}`;
  const created = execFileSync(BIN, ['admin', 'create-organisation', '--data', process.env.VANTAGE_E2E_DATA,
    '--username', orgName, '--owner', owner.username, '--display-name', 'Harbour Police', '--second-factor-optional'], { encoding: 'utf8' });
  const org = { username: orgName, id: /\(id (\d+)\)/.exec(created)[1] };
  await addStaff(org, owner, editor, ['editor']);
  await asStaff(owner, org, 'PATCH', '/api/v1/accounts/update_credentials', { note: 'The official account of the Harbour Police.' });

  const member = await makeUser('harbourfan');
  const reader = await makeUser('harbourreader');
  const post = await makePost(member, { caption: `Fog over the harbour #${TAG}`, photos: 1, alt: ['Fog'] });
  await asStaff(owner, org, 'POST', `/api/v1/accounts/${member.id}/follow`);
  await asStaff(editor, org, 'POST', `/api/v1/statuses/${post.id}/favourite`);
  const comment = await asStaff(editor, org, 'POST', '/api/v1/statuses',
    { status: `@${member.username} Thank you, a fine view #${TAG}`, in_reply_to_id: post.id });
  await api('POST', `/api/v1/accounts/${org.id}/follow`, { token: reader.token });

  // A post of its own through approval: the editor drafts it with a photo
  // uploaded as the organisation, the owner approves it and the editor
  // publishes it.
  const form = new FormData();
  form.append('file', new Blob([readFileSync(photoFile(7))], { type: 'image/jpeg' }), `${PREFIX}f_editor.jpg`);
  form.append('description', 'The lighthouse');
  const media = await asStaff(editor, org, 'POST', '/api/v2/media', form);
  const drafts = `/api/vantage/v1/organisations/${org.id}/drafts`;
  const draft = await asStaff(editor, org, 'POST', drafts, { status: `The lighthouse at dawn #${TAG}`, media_ids: [media.id] }, { actAs: false });
  await asStaff(editor, org, 'POST', `${drafts}/${draft.id}/submit`, {}, { actAs: false });
  await asStaff(owner, org, 'POST', `${drafts}/${draft.id}/approve`, { version: draft.version }, { actAs: false });
  const published = await asStaff(editor, org, 'POST', `${drafts}/${draft.id}/publish`, { version: draft.version }, { actAs: false });

  // Every answer the app fetches is searched too.
  const fetched = [];
  page.on('response', async (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (!/json|html|xml|text/.test(type)) return;
    try {
      fetched.push({ url: res.url(), text: `${JSON.stringify(res.headers())}\n${await res.text()}` });
    } catch { /* a redirect or an aborted load has no body */ }
  });

  const pages = [
    [`/@${org.username}`, 'The official account of the Harbour Police.'],
    [`/@${org.username}/following`, member.username],
    [`/@${org.username}/followers`, reader.username],
    [`/@${member.username}/${post.id}`, 'Thank you, a fine view'],
    [`/@${member.username}/${post.id}/likes`, org.username],
    [`/p/${comment.id}`, 'Thank you, a fine view'],
    [`/tags/${TAG}`, (p) => expect(p.locator('main img[alt="Fog"]').first()).toBeAttached()],
    ['/explore', null],
    [`/@${org.username}/${published.status_id}`, 'The lighthouse at dawn'],
    [`/p/${published.status_id}`, 'The lighthouse at dawn'],
    [`/search?q=${org.username}`, 'Harbour Police'],
  ];
  const leaks = [];
  let rendered = 0;
  for (const signedIn of [false, true]) {
    if (signedIn) await signInAs(page, reader);
    const who = signedIn ? 'a signed-in user' : 'a visitor';
    for (const [url, shows] of pages) {
      await page.goto(url);
      if (typeof shows === 'function') await shows(page);
      else if (shows) await expect(page.locator('main')).toContainText(shows);
      else await expect(page.locator('main')).not.toBeEmpty();
      const html = await page.evaluate(() => document.documentElement.outerHTML);
      rendered += 1;
      for (const found of markersIn(html, markers)) leaks.push(`${found} in ${url} as ${who}`);
    }
  }
  for (const { url, text } of fetched) {
    for (const found of markersIn(text, markers)) leaks.push(`${found} in the answer of ${url}`);
  }
  expect(rendered).toBe(pages.length * 2);
  expect(fetched.length).toBeGreaterThan(pages.length);
  expect(leaks, 'no staff marker in any page or answer').toEqual([]);
});
