// E-mail in the app (docs/account-security.md, "E-mail"; docs/web.md): a
// forgotten password reset from the link of the message the server really
// sent (captured by lib/mail.js), a change of address in settings confirmed
// from the new address, and an account that must confirm its address before
// it signs in.
import { test, expect, makeUser, signInAs, uniqueName, useOwnServer, expectAccessible, screenshot } from '../lib/fixtures.js';
import { waitForMail, mailTo } from '../lib/mail.js';

const addressOf = (user) => `${user.username}@example.test`;

// A sign-in through the server's own form endpoint, outside the browser:
// the answer's status.
async function signInStatus(login, password) {
  const res = await fetch(`${process.env.VANTAGE_URL}/auth/sign_in`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username: login, password }),
  });
  return res.status;
}

async function signInWithForm(page, login, password) {
  await page.getByLabel('Username or e-mail').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('forget the password and choose a new one from the e-mail @desktop', async ({ page }, testInfo) => {
  const user = await makeUser('forgot');
  const address = addressOf(user);
  await page.goto('/sign_in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/forgot_password$/);
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  const email = page.getByLabel('E-mail');
  await expect(email).toBeFocused();
  await expectAccessible(page, 'forgot password');
  await screenshot(page, testInfo, 'forgot-password');

  // An address nobody has gets the same answer, and no message.
  const nobody = `${uniqueName('nobody')}@example.test`;
  await email.fill(nobody);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your e-mail' })).toBeFocused();
  const same = 'If an account has this address, a link is on its way.';
  await expect(page.getByText(same)).toBeVisible();
  await page.goto('/forgot_password');
  await page.getByLabel('E-mail').fill(address);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByText(same)).toBeVisible();
  await expectAccessible(page, 'forgot password, sent');

  const mail = await waitForMail(address, { subject: 'Reset your password' });
  expect(mail.link).toMatch(/\/reset_password\?token=[\w-]+$/);
  expect(mail.html).toContain(mail.link);
  expect(mailTo(nobody)).toEqual([]);

  // The link opens the page; the token leaves the address bar at once.
  await page.goto(mail.link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(page).toHaveURL(/\/reset_password$/);
  const password = page.getByLabel('New password');
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('autocomplete', 'new-password');
  await expectAccessible(page, 'reset password');
  await screenshot(page, testInfo, 'reset-password');
  // A reload still has the token (it is kept in the page's history entry).
  await page.reload();
  await expect(page).toHaveURL(/\/reset_password$/);
  await page.getByLabel('New password').fill('my brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Your password is changed' })).toBeFocused();
  await expectAccessible(page, 'reset password, done');

  // Every session and token of the account ended with the reset.
  const old = await fetch(`${process.env.VANTAGE_URL}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${user.token}` } });
  expect(old.status).toBe(401);

  // The old password fails, the new one signs in.
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sign_in$/);
  await signInWithForm(page, user.username, user.password);
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await page.getByLabel('Password').fill('my brand new password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();

  // The link works once: the second time, the page says so and offers a new one.
  await page.goto(mail.link);
  await page.getByLabel('New password').fill('yet another new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeFocused();
  await expect(page.getByText(/used already/)).toBeVisible();
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await expect(page).toHaveURL(/\/forgot_password$/);
  expect(await signInStatus(user.username, 'yet another new password')).toBe(401);
});

test('the reset page without a token, and a password the server refuses', async ({ page }) => {
  await page.goto('/reset_password');
  await expect(page.getByText(/missing its token/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot_password');
  // The server's own rule, under the field (past the browser's minlength).
  await page.goto('/reset_password?token=not-a-real-token');
  const password = page.getByLabel('New password');
  await password.evaluate((input) => input.removeAttribute('minlength'));
  await password.fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('password must be at least 12 characters')).toBeVisible();
  await password.fill('a long enough password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
});

test('change the e-mail address in settings and confirm it from the new address @desktop', async ({ page }, testInfo) => {
  const user = await makeUser('moving');
  const other = await makeUser('taken');
  const before = addressOf(user);
  const after = `${uniqueName('moved')}@example.test`;
  await signInAs(page, user);
  await page.goto('/settings#email');
  const section = page.getByRole('region', { name: 'E-mail address' });
  await expect(section).toBeVisible();
  const email = section.getByLabel('New e-mail address');
  const password = section.getByLabel('Password', { exact: true });
  const change = section.getByRole('button', { name: 'Change address' });

  // The API's refusals show under their fields.
  await email.fill(after);
  await password.fill('not the password');
  await change.click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(section.getByText('password is incorrect')).toBeVisible();
  await email.fill(addressOf(other));
  await password.fill(user.password);
  await change.click();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(password).not.toHaveAttribute('aria-invalid', 'true');
  await expect(section.getByText('email is taken by another account')).toBeVisible();

  await email.fill(after);
  await password.fill(user.password);
  await change.click();
  await expect(section.getByRole('status')).toHaveText(`Follow the link we sent to ${after} to finish the change.`);
  await expect(email).not.toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveValue('');
  await section.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60));
  await expectAccessible(page, 'settings, e-mail address');
  await screenshot(page, testInfo, 'settings-email');

  // The old address is told; the new one gets the link.
  const notice = await waitForMail(before, { subject: 'Your e-mail address is being changed' });
  expect(notice.text).toContain(after);
  expect(notice.link).not.toMatch(/token=/);
  const mail = await waitForMail(after, { subject: 'Confirm your new e-mail address' });
  expect(mail.link).toMatch(/\/confirm_email\?token=[\w-]+$/);

  // Opening the link confirms nothing: the button does.
  await page.goto(mail.link);
  await expect(page).toHaveURL(/\/confirm_email$/);
  await expect(page.getByRole('heading', { name: 'Confirm your e-mail address' })).toBeVisible();
  const confirm = page.getByRole('button', { name: 'Confirm my address' });
  await expect(confirm).toBeFocused();
  expect(await signInStatus(after, user.password)).toBe(401);
  await expectAccessible(page, 'confirm e-mail');
  await screenshot(page, testInfo, 'confirm-email');
  await confirm.click();
  await expect(page.getByRole('heading', { name: 'Your address is confirmed' })).toBeFocused();
  await expectAccessible(page, 'confirm e-mail, done');
  expect(await signInStatus(after, user.password)).toBe(200);
  expect(await signInStatus(before, user.password)).toBe(401);
  await page.getByRole('link', { name: 'Go to Vantage' }).click();
  await expect(page).toHaveURL(/\/$/);

  // Spent, the link says so, and points to the settings.
  await page.goto(mail.link);
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeFocused();
  await expectAccessible(page, 'confirm e-mail, spent link');
  await page.getByRole('main').getByRole('link', { name: 'settings', exact: true }).click();
  await expect(page).toHaveURL(/\/settings#email$/);
});

test.describe('an address to confirm before signing in', () => {
  // Its own server: confirmation required, and two reset requests an hour.
  useOwnServer(() => ['--smtp-url', process.env.VANTAGE_E2E_SMTP_URL, '--require-email-confirmation',
    '--password-reset-limit-ip', '2']);

  test('sign up, be told to confirm, send the link again, confirm, sign in', async ({ page }) => {
    const username = uniqueName('confirm');
    const address = `${username}@example.test`;
    const password = 'a long enough password';
    await page.goto('/sign_up');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('E-mail').fill(address);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('heading', { name: 'Confirm your e-mail address' })).toBeFocused();
    await expect(page.getByText(`We sent a link to ${address}.`)).toBeVisible();
    const first = await waitForMail(address, { subject: 'Confirm your e-mail address' });
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Sent again' })).toHaveText(`Sent again to ${address}.`);
    await expectAccessible(page, 'sign up, confirm your address');
    const second = await waitForMail(address, { subject: 'Confirm your e-mail address', except: [first] });

    // Unconfirmed, the sign-in says what to do.
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
    await signInWithForm(page, username, password);
    await expect(page.getByRole('alert')).toHaveText(
      'Confirm your e-mail address first: follow the link we sent you. Lost it? Ask for a new one below.');
    await expectAccessible(page, 'sign in, address unconfirmed');

    // Without a session, a new link is asked for with the address.
    await page.getByRole('link', { name: 'Send the confirmation link again' }).click();
    await expect(page).toHaveURL(/\/confirm_email$/);
    await page.getByLabel('Your e-mail address').fill(address);
    await page.getByRole('button', { name: 'Send a new link' }).click();
    await expect(page.getByRole('status')).toHaveText(`If ${address} awaits confirmation, a new link is on its way there.`);
    await expectAccessible(page, 'confirm your address, a new link');
    const third = await waitForMail(address, { subject: 'Confirm your e-mail address', except: [first, second] });

    // The newest link replaced the others.
    for (const spent of [first, second]) {
      await page.goto(spent.link);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
    }
    await page.goto(third.link);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await expect(page.getByRole('heading', { name: 'Your address is confirmed' })).toBeVisible();
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
    await signInWithForm(page, username, password);
    await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  });

  test('too many reset requests say how long to wait', async ({ page }) => {
    await page.goto('/forgot_password');
    for (let i = 0; i < 2; i++) {
      await page.getByLabel('E-mail').fill(`${uniqueName('someone')}@example.test`);
      await page.getByRole('button', { name: 'Send me a link' }).click();
      await expect(page.getByText('If an account has this address, a link is on its way.')).toBeVisible();
      await page.goto('/forgot_password');
    }
    const email = page.getByLabel('E-mail');
    await email.fill(`${uniqueName('someone')}@example.test`);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await expect(page.getByRole('alert')).toHaveText(/^Too many requests for links from here\. Wait (59|60) minutes, then try again\.$/);
  });
});
