// Data rights in settings (docs/account-security.md, "Data rights"; docs/web.md):
// importing the accounts one followed elsewhere from a following_accounts.csv,
// and signing out every other session at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, api, makeUser, signInAs, uniqueName, expectAccessible, screenshot } from '../lib/fixtures.js';

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
