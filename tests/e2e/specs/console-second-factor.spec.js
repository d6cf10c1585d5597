// An organisation that requires its staff to use a second factor
// (docs/account-security.md, "Organisations: staff must use a second
// factor"; docs/web.md): a staff member without one opens the console and
// finds the panel that sends them to settings, turns TOTP on there (codes
// from Debian's `oathtool`) and then uses the console. Their session is then
// made older than 15 minutes in the server's database, so that approving a
// draft asks them to confirm it is them: Escape cancels, a wrong code is said
// under the field, the right one approves. The owner turns the setting off
// and on again. Axe and screenshots at both sizes.
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, makeOrganisation, addStaff, api, signInAs, photoFile, expectAccessible, screenshot } from '../lib/fixtures.js';
import { authenticator } from '../lib/totp.js';
import { ageSessions } from '../lib/sessions.js';

const drafts = (org, rest = '') => `/api/vantage/v1/organisations/${org.id}/drafts${rest}`;

// TOTP turned on through the API: {app, codes}.
async function enableThroughApi(user) {
  const { secret } = await api('POST', '/api/vantage/v1/second_factors/totp', { token: user.token, json: { password: user.password } });
  const app = authenticator(secret);
  const { recovery_codes: codes } = await api('POST', '/api/vantage/v1/second_factors/totp/confirm', { token: user.token, json: { code: await app.code() } });
  return { app, codes };
}

// The browser's cookie sign-in of an account with a second factor: the
// password, then the sign-in token and a code (here a recovery code).
async function signInWithCode(page, user, code) {
  const first = await page.request.post('/auth/sign_in', { data: { username: user.username, password: user.password } });
  expect(first.status()).toBe(403);
  const { sign_in_token: token } = await first.json();
  const second = await page.request.post('/auth/sign_in', { data: { sign_in_token: token, code } });
  expect(second.ok()).toBeTruthy();
}

// A draft by the owner with one photo uploaded as the organisation, submitted.
async function submittedDraft(owner, org, caption) {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(photoFile(57))], { type: 'image/jpeg' }), 'p.jpg');
  form.append('description', 'The trust\'s boathouse at low tide');
  const media = await api('POST', '/api/v2/media', { token: owner.token, form, headers: { 'Vantage-Act-As': org.id } });
  const draft = await api('POST', drafts(org), { token: owner.token, json: { status: caption, media_ids: [media.id] } });
  await api('POST', drafts(org, `/${draft.id}/submit`), { token: owner.token });
  return draft;
}

test('staff without a second factor are sent to settings; with one, approving after 15 minutes asks them to confirm it is them; the owner\'s setting @desktop', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const owner = await makeUser('owner', { displayName: 'Oona Owner' });
  const owners = await enableThroughApi(owner);
  const org = makeOrganisation(owner, { prefix: 'trust', displayName: 'Harbour Trust', requireSecondFactor: true });
  const staff = await makeUser('staff', { displayName: 'Sami Staffer' });
  await addStaff(org, owner, staff, ['approver']);
  const draft = await submittedDraft(owner, org, 'Low tide at the boathouse');

  // Every request about the staff member's own account, checked below: none
  // is made as the organisation.
  const own = [];
  page.on('request', (r) => {
    if (/\/api\/vantage\/v1\/(second_factors|reauthenticate)$/.test(new URL(r.url()).pathname)) own.push(r);
  });

  // No second factor: the console says what to do, and links to it.
  await signInAs(page, staff);
  await page.goto('/');
  await page.getByRole('link', { name: 'Console' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}$`));
  const panel = page.getByRole('region', { name: 'Turn on two-factor authentication' });
  await expect(panel).toContainText('Harbour Trust requires its staff to use two-factor authentication');
  await expect(page.locator('.console-head')).toContainText('Harbour Trust');
  await expect(page.locator('.draft-row')).toHaveCount(0);
  await expect(page.locator('.list-status')).toHaveCount(0);
  const link = panel.getByRole('link', { name: 'Turn it on in your settings' });
  await expect(link).toHaveAttribute('href', '/settings#two-factor');
  await expectAccessible(page, 'console, second factor required');
  await screenshot(page, testInfo, 'console-second-factor-required');
  // Every tab says the same.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Approval queue' }).click();
  await expect(panel).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Approval queue' })).toHaveCount(0);
  const refusals = await api('GET', `/api/vantage/v1/organisations/${org.id}/audit`, { token: owner.token });
  expect(refusals.filter((e) => e.action === 'staff.second_factor_missing' && e.actor_id === staff.id).length).toBeGreaterThan(0);

  // The link opens the settings at the section that turns it on.
  await link.click();
  await expect(page).toHaveURL(/\/settings#two-factor$/);
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await expect(section).toBeFocused();
  await expect(section).toBeInViewport();
  await section.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await section.getByLabel('Password', { exact: true }).fill(staff.password);
  await section.getByRole('button', { name: 'Continue' }).click();
  const secret = await section.getByLabel('Setup key').inputValue();
  const app = authenticator(secret);
  await section.getByLabel('Code from your authenticator app').fill(await app.code());
  await section.getByRole('button', { name: 'Turn on', exact: true }).click();
  await expect(section).toContainText('Two-factor authentication is on.');
  await section.getByRole('button', { name: 'I have saved them' }).click();

  // Now the console works.
  await page.getByRole('link', { name: 'Console' }).click();
  await expect(page.locator(`.draft-row[data-id="${draft.id}"]`)).toContainText('Low tide at the boathouse');
  await expect(panel).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Approval queue' }).click();
  const row = page.locator(`.draft-row[data-id="${draft.id}"]`);
  const approve = row.getByRole('button', { name: 'Approve' });
  await expect(approve).toBeVisible();

  // Twenty minutes later, as far as the server knows: approving asks for a code.
  ageSessions(staff);
  own.length = 0;
  await approve.click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  const code = dialog.getByLabel('Code from your authenticator app or a recovery code');
  await expect(code).toBeFocused();
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expectAccessible(page, 'console, confirm it is you');
  await screenshot(page, testInfo, 'console-reauthenticate');
  // Escape cancels: nothing is approved, the row says so, focus is back.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(row.getByRole('alert')).toHaveText('Not done: this needs you to confirm it is you.');
  await expect(approve).toBeFocused();
  expect((await api('GET', drafts(org, `/${draft.id}`), { token: owner.token })).state).toBe('submitted');

  // A wrong code is said under the field; the right one approves, once.
  await approve.click();
  await expect(dialog).toBeVisible();
  const right = await app.code();
  const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
  await code.fill(wrong);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.field-error')).not.toBeEmpty();
  await expect(code).toBeFocused();
  const approvals = [];
  page.on('response', (r) => {
    if (r.url().endsWith(drafts(org, `/${draft.id}/approve`))) approvals.push(r.status());
  });
  await code.fill(right);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('Nothing waits for approval.')).toBeVisible();
  expect(approvals).toEqual([200]);
  expect((await api('GET', drafts(org, `/${draft.id}`), { token: owner.token })).state).toBe('approved');
  expect(own.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual([
    'GET /api/vantage/v1/second_factors', 'GET /api/vantage/v1/second_factors',
    'POST /api/vantage/v1/reauthenticate', 'POST /api/vantage/v1/reauthenticate']);
  for (const r of own) expect(await r.allHeaders()).not.toHaveProperty('vantage-act-as');

  // The owner turns the setting off, then on again.
  await signInWithCode(page, owner, owners.codes[0]);
  await page.goto(`/console/${org.id}/staff`);
  const setting = page.getByLabel('Staff must use a second factor');
  await expect(setting).toBeChecked();
  const settings = async () => (await api('GET', `/api/vantage/v1/organisations/${org.id}/settings`, { token: owner.token }));
  await setting.uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(async () => (await settings()).require_second_factor).toBe(false);
  await expect(page.locator('#toast')).toHaveText('Saved');
  await page.reload();
  await expect(setting).not.toBeChecked();
  await setting.check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(async () => (await settings()).require_second_factor).toBe(true);
  expect((await settings()).approvals_required).toBe(1);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
  const log = page.getByRole('region', { name: 'Audit entries' });
  await expect(log).toContainText('Setting changed: staff need not use a second factor');
  await expect(log).toContainText('Setting changed: staff must use a second factor');
  await expect(log).toContainText('Refused: no second factor');
  await expect(log).toContainText('Asked to confirm it is them');
});

test('an account without a second factor confirms with its password; the request goes through once confirmed', async ({ page }) => {
  const owner = await makeUser('owner', { displayName: 'Pia Password' });
  const org = makeOrganisation(owner, { prefix: 'depot', displayName: 'Tram Depot' });
  await signInAs(page, owner);
  await page.goto(`/console/${org.id}/staff`);
  const setting = page.getByLabel('Staff must use a second factor');
  await expect(setting).not.toBeChecked();
  await expect(page.getByLabel('Approvals a draft needs')).toHaveValue('1');
  ageSessions(owner);
  await page.getByLabel('Approvals a draft needs').fill('2');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  const password = dialog.getByLabel('Password');
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('type', 'password');
  await password.fill('not the password');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.locator('.field-error')).not.toBeEmpty();
  await password.fill(owner.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('#toast')).toHaveText('Saved');
  await expect(save).toBeFocused();
  const settings = await api('GET', `/api/vantage/v1/organisations/${org.id}/settings`, { token: owner.token });
  expect(settings).toEqual({ approvals_required: 2, require_second_factor: false });
  // Confirmed for this session: the next change asks nothing.
  await page.getByLabel('Approvals a draft needs').fill('1');
  await save.click();
  await expect.poll(async () => (await api('GET', `/api/vantage/v1/organisations/${org.id}/settings`, { token: owner.token }))
    .approvals_required).toBe(1);
  await expect(dialog).toHaveCount(0);
});
