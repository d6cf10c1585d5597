// Data rights in settings (docs/account-security.md, "Data rights"; docs/web.md):
// importing the accounts one followed elsewhere from a following_accounts.csv,
// taking an archive of one's data along, and signing out every other
// session at once.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, api, makeUser, makePost, signInAs, uniqueName, expectAccessible, screenshot } from '../lib/fixtures.js';

// The server's own host, as its accounts' addresses carry it.
const host = () => new URL(process.env.VANTAGE_URL).host;

// A cookie session signed in outside the browser, as another device would:
// the Cookie header to send with it.
async function signIn(user) {
  const res = await fetch(`${process.env.VANTAGE_URL}/auth/sign_in`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

const statusWith = async (cookie) => (await fetch(`${process.env.VANTAGE_URL}/api/v1/accounts/verify_credentials`,
  { headers: { Cookie: cookie, Accept: 'application/json' } })).status;

test('import the accounts followed elsewhere from a CSV @desktop', async ({ page }, testInfo) => {
  const user = await makeUser('mover');
  const first = await makeUser('friend');
  const second = await makeUser('pal');
  const ghost = uniqueName('ghost');
  const dir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-import-'));
  const csv = path.join(dir, 'following_accounts.csv');
  writeFileSync(csv, ['Account address,Show boosts,Notify on new posts,Languages',
    `${first.username}@${host()},true,false,`,
    `${second.username}@${host()},true,false,`,
    `${ghost}@${host()},true,false,`, ''].join('\n'));

  await signInAs(page, user);
  await page.goto('/settings');
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Import the accounts you follow' }) });
  await expect(section).toBeVisible();
  const file = section.getByLabel('Following list');
  await expect(file).toHaveAttribute('accept', '.csv,text/csv,text/plain');
  await section.scrollIntoViewIfNeeded();
  await expectAccessible(page, 'settings, import');
  await screenshot(page, testInfo, 'settings-import-form');

  // Importing with no file chosen says so under the input.
  await section.getByRole('button', { name: 'Import' }).click();
  await expect(file).toHaveAttribute('aria-invalid', 'true');
  await expect(section.getByText('Choose a file first.')).toBeVisible();

  await file.setInputFiles(csv);
  await section.getByRole('button', { name: 'Import' }).click();
  const result = section.getByRole('status');
  await expect(result).toContainText('Followed 2 accounts.');
  await expect(result.getByRole('listitem')).toHaveCount(1);
  // The server names a local account by its username alone.
  await expect(result.getByRole('listitem')).toHaveText(new RegExp(`^${ghost}(@.+)?: no such account$`));
  await expect(file).not.toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'settings, import done');
  await result.scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, 'settings-import-result');

  // The follows are real.
  const rels = await api('GET', `/api/v1/accounts/relationships?id[]=${first.id}&id[]=${second.id}`, { token: user.token });
  expect(rels.map((r) => r.following)).toEqual([true, true]);

  // A file the server refuses (control characters): its sentence under the input.
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, `${first.username}\u0001@${host()}\n`);
  await file.setInputFiles(bad);
  await section.getByRole('button', { name: 'Import' }).click();
  await expect(file).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator(`#${await file.getAttribute('id')}-error`)).not.toBeEmpty();
});

test('take an archive of one’s data along @desktop', async ({ page }, testInfo) => {
  const user = await makeUser('keeper');
  await makePost(user, { caption: 'Taking this one along' });
  await signInAs(page, user);

  // The notification's link, /settings#export, opens at the card.
  await page.goto('/settings#export');
  const section = page.getByRole('region', { name: 'Your archive', exact: true });
  await expect(section).toBeFocused();
  await expect(section).toContainText('in the format Mastodon uses');
  const list = section.getByRole('list', { name: 'Archives you asked for' });
  await expect(list).toHaveText('No archives yet.');
  await section.scrollIntoViewIfNeeded();
  await expectAccessible(page, 'settings, archive');
  await screenshot(page, testInfo, 'settings-export');

  // Asked for: being prepared, then ready (the list is read again every 3 s).
  const reads = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/vantage/v1/exports') reads.push(Date.now());
  });
  await section.getByRole('button', { name: 'Request an archive' }).click();
  const note = section.getByRole('status');
  await expect(note).toContainText(/We are preparing your archive|Your archive is ready/);
  await expect(list.getByRole('listitem')).toHaveCount(1);
  const link = list.getByRole('link', { name: /^Download \(\d+(\.\d)? (KB|MB)\)$/ });
  await expect(link).toBeVisible({ timeout: 20_000 });
  await expect(note).toHaveText('Your archive is ready to download.');
  await expect(link).toHaveAttribute('download', '');
  await expect(list.getByRole('listitem')).toContainText(/^Archive of .+Download \(.+\)until \w{3} \d{1,2}, \d{4}$/);
  // Ready: the list is no longer read again.
  const readsWhenReady = reads.length;
  await page.waitForTimeout(3500);
  expect(reads.length).toBe(readsWhenReady);

  // The download: a ZIP named after the account and the day, laid out like
  // Mastodon's.
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^archive-${user.username}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(bytes.includes('outbox.json')).toBe(true);
  expect(bytes.includes('media_attachments/files/')).toBe(true);

  // One a day: asking again says when, and lists nothing new.
  await section.getByRole('button', { name: 'Request an archive' }).click();
  await expect(section.getByRole('alert')).toHaveText(/^You can ask for one archive a day\. Ask again after \w{3} \d{1,2}, \d{1,2}:\d{2}\s?[AP]M\.$/);
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(note).toBeHidden();
  await expectAccessible(page, 'settings, archive ready');
  await section.scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, 'settings-export-ready');

  // The notification says it is ready and links back to the card.
  await page.goto('/notifications');
  const ready = page.locator('li.note[data-type=export_ready]');
  await expect(ready).toContainText('The archive of your data is ready.');
  const back = ready.getByRole('link', { name: 'Download it' });
  await expect(back).toHaveAttribute('href', '/settings#export');
  await expectAccessible(page, 'notifications, archive ready');
  await screenshot(page, testInfo, 'notifications-export-ready');
  await back.click();
  await expect(page).toHaveURL(/\/settings#export$/);
  await expect(section).toBeFocused();
  await expect(list.getByRole('link', { name: /^Download / })).toBeVisible();
});

test('sign out everywhere else @desktop', async ({ page }, testInfo) => {
  const user = await makeUser('careful');
  await signInAs(page, user);
  const other = await signIn(user);
  expect(await statusWith(other)).toBe(200);

  await page.goto('/settings');
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Where you are signed in' }) });
  // This browser, the other session and the API token makeUser made.
  await expect(section.locator('li.session')).toHaveCount(3);
  const button = section.getByRole('button', { name: 'Sign out everywhere else' });
  await section.scrollIntoViewIfNeeded();
  await expectAccessible(page, 'settings, sessions');
  await screenshot(page, testInfo, 'settings-import-sessions');

  await button.click();
  await expect(page.getByText('Signed out of 2 other sessions')).toBeVisible();
  await expect(section.locator('li.session')).toHaveCount(1);
  await expect(section.locator('li.session')).toContainText('This browser');
  expect(await statusWith(other)).toBe(401);
  const token = await fetch(`${process.env.VANTAGE_URL}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${user.token}` } });
  expect(token.status).toBe(401);
  await expectAccessible(page, 'settings, signed out elsewhere');
  await screenshot(page, testInfo, 'settings-import-sessions-done');

  // This browser is still signed in and the page still works.
  await page.getByLabel('Name', { exact: true }).fill('Still here');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Profile saved')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Still here');
});
