// Settings (profile, password, sessions) and managing one's own posts:
// edit, pin, archive, delete.
import { test, expect, makeUser, makePost, signInAs, expectAccessible, screenshot } from '../lib/fixtures.js';

test('settings: profile, password and sessions @desktop', async ({ page, browser }, testInfo) => {
  const user = await makeUser('settler');
  // Another session to revoke.
  const other = await browser.newContext();
  await other.request.post(`${process.env.VANTAGE_URL}/auth/sign_in`, { data: { username: user.username, password: user.password } });
  await signInAs(page, user);
  await page.goto('/settings');
  await page.getByLabel('Name').fill('Settled In');
  await page.getByLabel('Bio').fill('Photos of bridges.');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved' })).toBeVisible();
  await expectAccessible(page, 'settings');
  await screenshot(page, testInfo, 'settings');
  // The other browser and the token registration gave the 'e2e' app.
  const revoke = page.locator('.session').getByRole('button', { name: /^Sign out / });
  await expect(revoke).toHaveCount(2);
  await page.locator('.session').getByRole('button', { name: /^Sign out Mozilla/ }).click();
  await expect(revoke).toHaveCount(1);
  await expect(revoke).toHaveAccessibleName(/^Sign out e2e/);
  expect((await other.request.get(`${process.env.VANTAGE_URL}/auth/session`)).status()).toBe(401);
  await other.close();

  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('form').filter({ hasText: 'Change password' }).getByRole('alert')).not.toBeEmpty();
  await page.getByLabel('Current password').fill(user.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();

  await page.goto(`/@${user.username}`);
  await expect(page.getByRole('heading', { name: 'Settled In' })).toBeVisible();
  await expect(page.locator('.bio')).toHaveText('Photos of bridges.');
});

test('edit, pin, archive and delete one\'s own post', async ({ page }) => {
  const user = await makeUser('owner');
  const older = await makePost(user, { caption: 'First bridge', photos: 1, alt: ['An old bridge'] });
  await makePost(user, { caption: 'Second bridge', photos: 1, alt: ['A new bridge'] });
  await signInAs(page, user);

  await page.goto(`/@${user.username}/${older.id}`);
  const options = page.getByText('•••');
  await options.click();
  await page.getByRole('button', { name: 'Edit caption' }).click();
  await page.getByLabel('Caption').fill('First bridge, in fog #bridges');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.caption')).toContainText('in fog');

  await options.click();
  await page.getByRole('button', { name: 'Pin to profile' }).click();
  await expect(page.getByRole('img', { name: 'Pinned' })).toBeVisible();
  await page.goto(`/@${user.username}`);
  await expect(page.locator('.grid .tile').first()).toHaveAttribute('href', `/@${user.username}/${older.id}`);
  await expect(page.locator('.grid .tile').first().getByRole('img', { name: 'Pinned' })).toBeVisible();
  await expect(page.locator('.grid .tile')).toHaveCount(2);

  await page.goto(`/@${user.username}/${older.id}`);
  await options.click();
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(page.getByText('Archived: only you can see this post.')).toBeVisible();
  const anonymous = await fetch(`${process.env.VANTAGE_URL}/api/v1/statuses/${older.id}`);
  expect(anonymous.status).toBe(404);
  await options.click();
  await page.getByRole('button', { name: 'Unarchive' }).click();
  await expect(page.getByText('Archived: only you can see this post.')).toBeHidden();

  await options.click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${user.username}$`));
  await expect(page.locator('.grid .tile')).toHaveCount(1);
});
