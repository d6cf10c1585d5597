// Passkeys in the app (docs/account-security.md, "Passkeys (WebAuthn)"):
// added in settings with Chromium's virtual authenticator (CDP's WebAuthn
// domain), renamed, used at sign-in's second step, refused politely by an
// authenticator that does not hold it, and removed; and used again while
// signed in, when an organisation's owner is asked to confirm it is them.
//
// WebAuthn needs a host name: browsers refuse it at an IP address, and the
// server's rpId is its public URL's host. The shared e2e server's public
// URL is http://127.0.0.1:PORT, so these tests have a server of their own
// at --public-url http://localhost:PORT (useLocalhostServer), and the pages
// browse http://localhost:PORT.
import { execFileSync } from 'node:child_process';
import { test, expect, makeUser, makeOrganisation, signInAs, api, expectAccessible, screenshot, useLocalhostServer } from '../lib/fixtures.js';
import { ageSessions } from '../lib/sessions.js';

useLocalhostServer();

const AUTHENTICATOR = {
  protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
};

// A virtual authenticator on the page, as a laptop's built-in one:
// {cdp, id, credentials(), remove()}.
async function virtualAuthenticator(page, cdp = null) {
  const session = cdp || await page.context().newCDPSession(page);
  if (!cdp) await session.send('WebAuthn.enable');
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', { options: AUTHENTICATOR });
  return {
    cdp: session,
    id: authenticatorId,
    credentials: async () => (await session.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    remove: () => session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }),
  };
}

async function signOut(page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
}

async function passwordStep(page, user) {
  await page.goto('/sign_in');
  await page.getByLabel('Username or e-mail').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
}

const factors = (user) => api('GET', '/api/vantage/v1/second_factors', { token: user.token });

test('add a passkey, rename it, sign in with it, be refused by another device, remove it @desktop', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const user = await makeUser('passkey');
  const laptop = await virtualAuthenticator(page);
  await signInAs(page, user);
  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  const passkeys = section.getByRole('region', { name: 'Passkeys' });
  await expect(section).toContainText('Off.');
  await expect(passkeys).toContainText('No passkeys yet.');

  // A wrong password is said under its field, before the browser is asked.
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await section.getByLabel('Name').fill('Laptop');
  const password = section.getByLabel('Password', { exact: true });
  await password.fill('not the password');
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toBeFocused();
  expect(await laptop.credentials()).toHaveLength(0);

  // A prompt closed without a passkey (as the browser reports it) is said
  // politely, and the form stays to try again.
  await page.evaluate(() => {
    window.realCreate = navigator.credentials.create.bind(navigator.credentials);
    navigator.credentials.create = () => Promise.reject(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'));
  });
  await password.fill(user.password);
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(section.getByRole('alert').filter({ hasText: /\w/ }))
    .toHaveText('No passkey was added: the browser’s prompt was closed or timed out. Try again when you are ready.');
  await expect(password).not.toHaveAttribute('aria-invalid', 'true');
  await page.evaluate(() => { navigator.credentials.create = window.realCreate; });

  // The first passkey is the first second factor: the recovery codes come.
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(section).toContainText('Your passkey “Laptop” is added. Two-factor authentication is on.');
  const codes = await section.locator('.recovery-codes li').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/i);
  expect(await laptop.credentials()).toHaveLength(1);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(passkeys.getByRole('button', { name: 'Add a passkey' })).toBeFocused();
  await expect(section).toContainText('On.');
  await expect(section).toContainText('Signing in asks for a passkey after your password.');
  await expect(section).toContainText('10 recovery codes left.');
  const row = passkeys.getByRole('listitem');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Laptop');
  await expect(row).toContainText('Added just now');
  await expect(row).toContainText('Not used yet');

  // The same authenticator twice: the browser refuses, and the page says so.
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await section.getByLabel('Name').fill('Laptop again');
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(section.getByRole('alert').filter({ hasText: /\w/ })).toHaveText('This device already has a passkey for your account.');
  await section.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toHaveCount(1);

  await section.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60));
  await expectAccessible(page, 'settings, passkeys');
  await screenshot(page, testInfo, 'passkeys-settings');

  // Renaming is free (no password); an empty name is refused in the form.
  await passkeys.getByRole('button', { name: 'Rename Laptop' }).click();
  const name = section.getByLabel('Name');
  await expect(name).toHaveValue('Laptop');
  await name.fill('Work laptop');
  await section.getByRole('button', { name: 'Save name' }).click();
  await expect(row).toContainText('Work laptop');
  await expect(passkeys.getByRole('button', { name: 'Rename Work laptop' })).toBeFocused();
  const [stored] = (await factors(user)).passkeys;
  expect(stored).toMatchObject({ name: 'Work laptop', last_used_at: null });

  // Signing in: the password, then the passkey (the only factor besides
  // the recovery codes, so the first choice).
  await signOut(page);
  const answered = page.waitForResponse((r) => r.url().endsWith('/auth/sign_in') && r.status() === 403);
  await passwordStep(page, user);
  const challenge = await (await answered).json();
  expect(challenge.methods).toEqual(['recovery_code', 'webauthn']);
  expect(challenge.webauthn).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
  expect(challenge.webauthn.allowCredentials).toHaveLength(1);
  const use = page.getByRole('button', { name: 'Use a passkey' });
  await expect(use).toBeFocused();
  await expect(use).toHaveClass(/primary/);
  const code = page.getByLabel('Recovery code');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expectAccessible(page, 'sign-in, passkey step');
  await screenshot(page, testInfo, 'passkeys-sign-in');

  // A forged assertion (its signature altered on the way) is 401
  // invalid_credential: said on the page, and the code field still works.
  await page.route('**/auth/sign_in', async (route) => {
    const body = route.request().postDataJSON();
    const signature = Buffer.from(body.credential.signature, 'base64url');
    signature[signature.length - 1] ^= 1;
    body.credential.signature = signature.toString('base64url');
    await route.continue({ postData: JSON.stringify(body) });
  });
  const refused = page.waitForResponse((r) => r.url().endsWith('/auth/sign_in'));
  await use.click();
  const refusal = await refused;
  expect(refusal.status()).toBe(401);
  expect((await refusal.json()).code).toBe('invalid_credential');
  await expect(page.getByRole('alert').filter({ hasText: /\w/ }))
    .toHaveText('Vantage did not accept this passkey. Try again, or use a recovery code.');
  await expect(code).toBeEditable();
  await code.fill('still usable');
  await code.fill('');
  await page.unroute('**/auth/sign_in');

  // The same sign-in goes on with the real assertion.
  await use.click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  const used = (await factors(user)).passkeys[0];
  expect(used.name).toBe('Work laptop');
  expect(used.last_used_at).not.toBeNull();
  expect(Date.now() - Date.parse(used.last_used_at)).toBeLessThan(60_000);
  await page.goto('/settings');
  await expect(row).toContainText('Last used just now');

  // Another device, which does not hold the passkey: the browser finds none,
  // the page says so politely, and a recovery code signs in instead.
  await signOut(page);
  await laptop.remove();
  const other = await virtualAuthenticator(page, laptop.cdp);
  await passwordStep(page, user);
  const sent = [];
  page.on('request', (r) => { if (r.url().endsWith('/auth/sign_in')) sent.push(r.postDataJSON()); });
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toHaveText(
    'No passkey was used: the browser’s prompt was closed or timed out, or this device has no passkey for your account. '
    + 'Try again, or use a recovery code.');
  expect(sent).toEqual([]);
  expect(await other.credentials()).toHaveLength(0);
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();

  // Removing the passkey takes the password; it was the only second factor,
  // so two-factor authentication is off and the recovery codes are gone.
  await page.goto('/settings');
  await expect(section).toContainText('9 recovery codes left.');
  await passkeys.getByRole('button', { name: 'Remove Work laptop' }).click();
  await expect(section).toContainText('removing it turns two-factor authentication off');
  const removePassword = section.getByLabel('Password', { exact: true });
  await removePassword.fill('not the password');
  await section.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(removePassword).toHaveAttribute('aria-invalid', 'true');
  await removePassword.fill(user.password);
  await section.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(section).toContainText('Off.');
  await expect(passkeys).toContainText('No passkeys yet.');
  await expect(passkeys.getByRole('button', { name: 'Add a passkey' })).toBeFocused();
  expect(await factors(user)).toMatchObject({ totp: false, recovery_codes_remaining: 0, passkeys: [] });

  // And the password alone signs in again.
  await signOut(page);
  await page.goto('/sign_in');
  await page.getByLabel('Username or e-mail').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
});

// A code from the app and a passkey: the code stays the first choice, the
// passkey beside it.
test('an account with an authenticator app and a passkey is offered both', async ({ page }) => {
  const user = await makeUser('passkey');
  const { secret } = await api('POST', '/api/vantage/v1/second_factors/totp', { token: user.token, json: { password: user.password } });
  const now = () => execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
  const { recovery_codes: codes } = await api('POST', '/api/vantage/v1/second_factors/totp/confirm', { token: user.token, json: { code: now() } });
  expect(codes).toHaveLength(10);
  await virtualAuthenticator(page);
  await passwordStep(page, user);
  await page.getByLabel('Code from your authenticator app or a recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();

  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  const passkeys = section.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await section.getByLabel('Name').fill('Phone');
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByRole('button', { name: 'Add passkey' }).click();
  // Not the first second factor: no new codes, the list shows it.
  await expect(passkeys.getByRole('listitem')).toContainText('Phone');
  await expect(passkeys.getByRole('button', { name: 'Rename Phone' })).toBeFocused();
  await expect(section).toContainText('Signing in asks for a code from your authenticator app or a passkey after your password.');
  await expect(section).toContainText('9 recovery codes left.');

  await signOut(page);
  await passwordStep(page, user);
  const code = page.getByLabel('Code from your authenticator app or a recovery code');
  await expect(code).toBeFocused();
  await expect(page.getByRole('button', { name: 'Verify' })).toHaveClass(/primary/);
  const use = page.getByRole('button', { name: 'Use a passkey' });
  await expect(use).toHaveClass(/secondary/);
  await use.click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  expect((await factors(user)).passkeys[0].last_used_at).not.toBeNull();

  // The app is turned off with the password and the passkey instead of a code.
  await page.goto('/settings');
  await section.getByRole('button', { name: 'Turn off the authenticator app' }).click();
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(page.getByText('The authenticator app is off')).toBeVisible();
  await expect(section).toContainText('Signing in asks for a passkey after your password.');
  expect((await factors(user)).totp).toBe(false);
});

// Without WebAuthn in the browser there is no button to add one, and a
// sentence why; the sign-in then offers the recovery code alone.
test('a browser without passkeys is told why', async ({ page }) => {
  const user = await makeUser('passkey');
  await virtualAuthenticator(page);
  await signInAs(page, user);
  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  const passkeys = section.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await section.getByLabel('Name').fill('Laptop');
  await section.getByLabel('Password', { exact: true }).fill(user.password);
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(section.locator('.recovery-codes li')).toHaveCount(10);
  const codes = await section.locator('.recovery-codes li').allTextContents();

  // From here on, the page has no WebAuthn.
  await page.addInitScript(() => { delete window.PublicKeyCredential; });
  await page.goto('/settings');
  await expect(passkeys.getByRole('listitem')).toContainText('Laptop');
  await expect(passkeys).toContainText('This browser cannot make passkeys here');
  await expect(passkeys.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);

  await signOut(page);
  await passwordStep(page, user);
  await expect(page.getByText('This browser cannot use passkeys here: type one of your recovery codes instead.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Use a passkey' })).toHaveCount(0);
  const code = page.getByLabel('Recovery code');
  await expect(code).toBeFocused();
  await code.fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
});

// An organisation's owner whose only second factor is a passkey, signed in
// more than 15 minutes ago: changing a setting in the console asks them to
// confirm it is them, and the passkey does (a challenge of the server's, the
// browser's assertion, POST /reauthenticate), after which the refused change
// is sent again and saved. A prompt closed without a passkey is said in the
// dialog first, and nothing is saved.
test('an owner whose second factor is a passkey confirms it is them with it in the console @desktop', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const owner = await makeUser('pkowner', { displayName: 'Paula Passkey' });
  const org = makeOrganisation(owner, { prefix: 'ferry', displayName: 'Ferry Museum' });
  const laptop = await virtualAuthenticator(page);
  await signInAs(page, owner);

  // The passkey, added in settings as above: the account's only second factor.
  await page.goto('/settings');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  const passkeys = section.getByRole('region', { name: 'Passkeys' });
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  await section.getByLabel('Name').fill('Laptop');
  await section.getByLabel('Password', { exact: true }).fill(owner.password);
  await section.getByRole('button', { name: 'Add passkey' }).click();
  await expect(section).toContainText('Your passkey “Laptop” is added. Two-factor authentication is on.');
  await section.getByRole('button', { name: 'I have saved them' }).click();
  expect(await factors(owner)).toMatchObject({ totp: false, recovery_codes_remaining: 10 });
  expect((await factors(owner)).passkeys).toHaveLength(1);
  expect(await laptop.credentials()).toHaveLength(1);

  await page.goto(`/console/${org.id}/staff`);
  const approvals = page.getByLabel('Approvals a draft needs');
  await expect(approvals).toHaveValue('1');
  const settings = () => api('GET', `/api/vantage/v1/organisations/${org.id}/settings`, { token: owner.token });

  // The requests about the owner's own account and the settings' saves,
  // from here on.
  const sent = [];
  const watched = new RegExp(`^/api/vantage/v1/(second_factors(/webauthn/challenge)?|reauthenticate|organisations/${org.id}/settings)$`);
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (watched.test(pathname) && !(r.method() === 'GET' && pathname.endsWith('/settings'))) sent.push(r);
  });
  const saves = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith(`/organisations/${org.id}/settings`) && r.request().method() !== 'GET') saves.push(r.status());
  });

  // Twenty minutes later, as far as the server knows: saving asks.
  ageSessions(owner);
  await approvals.fill('2');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('This needs a recent sign-in. Use your passkey, or type one of your recovery codes.');
  const use = dialog.getByRole('button', { name: 'Use a passkey' });
  await expect(use).toBeFocused();
  await expect(use).toHaveClass(/primary/);
  await expect(dialog.getByRole('button', { name: 'Confirm' })).toHaveClass(/secondary/);
  await expect(dialog.getByLabel('Recovery code')).toHaveAttribute('autocomplete', 'one-time-code');
  await expectAccessible(page, 'console, confirm it is you with a passkey');
  await screenshot(page, testInfo, 'passkeys-reauthenticate');
  expect(saves).toEqual([403]);

  // The browser's prompt closed without a passkey: said in the dialog, which
  // stays open; nothing is sent to /reauthenticate.
  await page.evaluate(() => {
    window.realGet = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = () => Promise.reject(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'));
  });
  await use.click();
  await expect(dialog.getByRole('alert').filter({ hasText: /\w/ })).toHaveText(
    'No passkey was used: the browser’s prompt was closed or timed out, or this device has no passkey for your account. '
    + 'Try again, or use a recovery code.');
  await expect(dialog).toBeVisible();
  await expect(use).toBeEnabled();
  expect((await settings()).approvals_required).toBe(1);
  await page.evaluate(() => { navigator.credentials.get = window.realGet; });

  // The passkey itself: the dialog closes and the change is saved, once.
  await use.click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('#toast')).toHaveText('Saved');
  expect(saves).toEqual([403, 200]);
  expect(await settings()).toEqual({ approvals_required: 2, require_second_factor: false });
  expect(sent.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual([
    `PUT /api/vantage/v1/organisations/${org.id}/settings`,
    'GET /api/vantage/v1/second_factors',
    'POST /api/vantage/v1/second_factors/webauthn/challenge',
    'POST /api/vantage/v1/second_factors/webauthn/challenge',
    'POST /api/vantage/v1/reauthenticate',
    `PUT /api/vantage/v1/organisations/${org.id}/settings`,
  ]);
  // The owner's own account is asked about as the owner, not the organisation.
  for (const r of sent.slice(1, -1)) expect(await r.allHeaders()).not.toHaveProperty('vantage-act-as');
  const [used] = (await factors(owner)).passkeys;
  expect(used.last_used_at).not.toBeNull();

  // Confirmed for this session: the next change asks nothing.
  await approvals.fill('1');
  await save.click();
  await expect.poll(async () => (await settings()).approvals_required).toBe(1);
  await expect(dialog).toHaveCount(0);
  expect(saves).toEqual([403, 200, 200]);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('region', { name: 'Audit entries' })).toContainText('Asked to confirm it is them');
});
