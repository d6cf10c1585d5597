// Signing up, out and in through the app's own forms.
import { test, expect, uniqueName, makeUser, expectAccessible, screenshot } from '../lib/fixtures.js';

test('sign up, sign out, sign in again @desktop', async ({ page }, testInfo) => {
  const username = uniqueName('new');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /Photos from the people/ })).toBeVisible();
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await expect(page).toHaveURL(/\/sign_up$/);
  await expectAccessible(page, 'sign up');
  if (testInfo.project.name === 'mobile') await screenshot(page, testInfo, 'sign-up');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('E-mail').fill(`${username}@example.test`);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  // The browser's own check, then the server's sentence for a bad field.
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByLabel('Username').fill('bad name!');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toContainText(/username/i);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('Nothing here yet')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Profile' })).toHaveAttribute('href', `/@${username}`);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
  const session = await page.request.get('/auth/session');
  expect(session.status()).toBe(401);

  await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  await expectAccessible(page, 'home, empty');
});

test('the page is served with a strict policy and no inline script @desktop', async ({ page }) => {
  const res = await page.goto('/');
  const csp = res.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(await page.locator('[onclick],[onload],[onerror]').count()).toBe(0);
});

test('signing in through the API helper works for later journeys', async ({ page }) => {
  const user = await makeUser('helper');
  await page.goto('/sign_in');
  await page.getByLabel('Username or e-mail').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
});
