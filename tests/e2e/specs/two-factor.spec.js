// Two-factor authentication in the app (docs/account-security.md): turned on
// in settings with a real authenticator's codes (Debian's `oathtool`), then
// signing in with a code, with a recovery code (once only), new recovery
// codes, and turning it off; the sign-in's refusals as the page shows them.
import { test, expect, makeUser, signInAs, api, expectAccessible, screenshot } from '../lib/fixtures.js';
import { authenticator } from '../lib/totp.js';

// TOTP turned on through the API, as another client would: {secret, codes, app}.
async function enableThroughApi(user) {
  const { secret } = await api('POST', '/api/vantage/v1/second_factors/totp', { token: user.token, json: { password: user.password } });
  const app = authenticator(secret);
  const { recovery_codes: codes } = await api('POST', '/api/vantage/v1/second_factors/totp/confirm', { token: user.token, json: { code: await app.code() } });
  return { secret, codes, app };
}

async function passwordStep(page, user) {
  await page.goto('/sign_in');
  await page.getByLabel('Username or e-mail').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  return page.getByLabel('Code from your authenticator app or a recovery code');
}

async function signOut(page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
}

test('turn on TOTP, sign in with a code and a recovery code, turn it off @desktop', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const user = await makeUser('twofa');
  await signInAs(page, user);
  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await expect(section).toContainText('Off.');

  // The password first: a wrong one is said under its field.
  await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const password = section.getByLabel('Password', { exact: true });
  await password.fill('not the password');
  await section.getByRole('button', { name: 'Continue' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(section.getByRole('alert').filter({ hasText: /\w/ })).toBeVisible();
  await password.fill(user.password);
  await section.getByRole('button', { name: 'Continue' }).click();

  // The QR code and the key; the key is what the authenticator is given.
  const qr = section.getByRole('img', { name: /QR code/ });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
  const secret = await section.getByLabel('Setup key').inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  // The section's top under the phone's top bar, for the screenshot.
  await section.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60));
  await expectAccessible(page, 'settings, turning on two-factor authentication');
  await screenshot(page, testInfo, 'two-factor-settings');
  const app = authenticator(secret);
  await section.getByLabel('Code from your authenticator app').fill(await app.code());
  await section.getByRole('button', { name: 'Turn on', exact: true }).click();

  // Ten recovery codes, shown once.
  await expect(section).toContainText('Two-factor authentication is on.');
  const codes = await section.locator('.recovery-codes li').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/i);
  await expectAccessible(page, 'settings, recovery codes');
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section).toContainText('On.');
  await expect(section).toContainText('10 recovery codes left.');

  // Signing in takes the password, then a code from the app.
  await signOut(page);
  let code = await passwordStep(page, user);
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(code).toBeFocused();
  await expectAccessible(page, 'sign-in, code step');
  await screenshot(page, testInfo, 'two-factor-sign-in');
  await code.fill(await app.code());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);

  // A recovery code works once.
  await signOut(page);
  code = await passwordStep(page, user);
  await code.fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  await signOut(page);
  code = await passwordStep(page, user);
  await code.fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  // The same sign-in goes on with another code.
  await code.fill(codes[1]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();

  // New recovery codes void the old ones.
  await page.goto('/settings');
  await expect(section).toContainText('8 recovery codes left.');
  await section.getByRole('button', { name: 'New recovery codes' }).click();
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByLabel('Code from your authenticator app or a recovery code').fill(codes[2]);
  await section.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(section).toContainText('New recovery codes. The old ones no longer work.');
  const fresh = await section.locator('.recovery-codes li').allTextContents();
  expect(fresh).toHaveLength(10);
  expect(fresh.filter((c) => codes.includes(c))).toEqual([]);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section).toContainText('10 recovery codes left.');

  // Turning it off takes the password and a code.
  await section.getByRole('button', { name: 'Turn off', exact: true }).click();
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByLabel('Code from your authenticator app or a recovery code').fill(await app.code());
  await section.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
  await expect(section).toContainText('Off.');
  expect(await api('GET', '/api/vantage/v1/second_factors', { token: user.token })).toMatchObject({ totp: false, recovery_codes_remaining: 0 });
  // And the password alone signs in again.
  await signOut(page);
  await page.goto('/sign_in');
  await page.getByLabel('Username or e-mail').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
});

test('a used sign-in token sends the page back to the password', async ({ page }) => {
  const user = await makeUser('twofa');
  const { codes, app } = await enableThroughApi(user);
  const answered = page.waitForResponse((r) => r.url().endsWith('/auth/sign_in') && r.status() === 403);
  const code = await passwordStep(page, user);
  const { sign_in_token: token, methods } = await (await answered).json();
  expect(methods).toEqual(['totp', 'recovery_code']);
  // Another client finishes this sign-in first: the token is spent.
  await api('POST', '/auth/sign_in', { json: { sign_in_token: token, code: await app.code() } });
  await code.fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Vantage' })).toBeVisible();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.getByLabel('Password')).toBeFocused();
  await expect(page.getByLabel('Username or e-mail')).toHaveValue(user.username);
});

test('too many wrong codes: the page says how long to wait', async ({ page }) => {
  const user = await makeUser('twofa');
  await enableThroughApi(user);
  const code = await passwordStep(page, user);
  // Five wrong codes are refused as wrong; the sixth is one too many.
  for (let attempt = 0; attempt < 5; attempt++) {
    await code.fill(`0000${attempt}0`);
    const answer = page.waitForResponse((r) => r.url().endsWith('/auth/sign_in'));
    await page.getByRole('button', { name: 'Verify' }).click();
    expect((await answer).status()).toBe(401);
    await expect(code).toHaveAttribute('aria-invalid', 'true');
  }
  await code.fill('999999');
  const answer = page.waitForResponse((r) => r.url().endsWith('/auth/sign_in'));
  await page.getByRole('button', { name: 'Verify' }).click();
  const refused = await answer;
  expect(refused.status()).toBe(429);
  const seconds = Number(refused.headers()['retry-after']);
  expect(seconds).toBeGreaterThan(0);
  await expect(page.getByRole('alert').filter({ hasText: 'Too many tries' })).toHaveText(`Too many tries. Wait ${seconds} seconds, then try again.`);
});
