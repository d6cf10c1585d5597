// --registrations approval and closed: the instance entities reflect the
// mode, approval-mode accounts are pending and hidden, closed mode refuses
// registrations, and the admin CLI can still seed accounts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, adminResetPassword, api, assertError, assertOk, assertTokenShape, createApp,
  passwordToken, register, registerRaw, signIn, startServer, strongPassword, uniqueName,
} from './lib/server.mjs';

function fields(overrides = {}) {
  const username = uniqueName('m');
  return { username, email: `${username}@example.com`, password: strongPassword(), agreement: true, ...overrides };
}

// Ids are ((ms since 2024-01-01) << 22 | shard << 12 | seq). A pending
// account's id is exposed nowhere, so register and then probe every id the
// account could have got (shard 0, sequence 0..1, each millisecond the
// request was in flight). Returns {visible: usernames answered with 200,
// others: non-200 responses} or {skipped}.
const ID_EPOCH_MS = 1704067200000n;
async function registerAndProbeIds(server, f) {
  const t0 = BigInt(Date.now()) - 2n;
  assertOk(await registerRaw(server, f));
  const t1 = BigInt(Date.now()) + 2n;
  if (t1 - t0 > 2000n) return { skipped: 'registration too slow to probe its id range' };
  const probes = [];
  for (let ms = t0; ms <= t1; ms++) for (let seq = 0n; seq < 2n; seq++) probes.push(((ms - ID_EPOCH_MS) << 22n) | seq);
  const visible = [];
  const others = [];
  for (let i = 0; i < probes.length; i += 40) {
    const results = await Promise.all(probes.slice(i, i + 40).map((id) => api(server, 'GET', `/api/v1/accounts/${id}`)));
    for (const r of results) {
      if (r.status === 200) visible.push(r.json?.username);
      else others.push(r);
    }
  }
  return { visible, others };
}

describe('approval mode', () => {
  let server;
  before(async () => { server = await startServer(['--registrations', 'approval', '--registration-limit-ip', '1000']); });
  after(async () => { await server?.stop(); });

  test('/api/v2/instance says registrations are enabled and need approval', async () => {
    const v2 = assertOk(await api(server, 'GET', '/api/v2/instance'));
    assert.equal(v2.registrations.enabled, true);
    assert.equal(v2.registrations.approval_required, true);
  });

  test('/api/v1/instance says registrations are open with approval_required', async () => {
    const v1 = assertOk(await api(server, 'GET', '/api/v1/instance'));
    assert.equal(v1.registrations, true);
    assert.equal(v1.approval_required, true);
  });

  test('registration without a reason is 422 missing_field reason', async () => {
    assertError(await registerRaw(server, fields()), 422, 'missing_field', 'reason');
    assertError(await registerRaw(server, fields({ reason: '' })), 422, ['missing_field', 'invalid_field'], 'reason');
  });

  test('a pending account gets a token but verify_credentials is 403 pending_approval', async () => {
    const f = fields({ reason: 'I take photos of birds' });
    const tok = assertOk(await registerRaw(server, f));
    assertTokenShape(tok);
    const res = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token });
    assertError(res, 403, 'pending_approval');
  });

  test('a pending account cannot update its profile: 403 pending_approval', async () => {
    const tok = assertOk(await registerRaw(server, fields({ reason: 'landscapes' })));
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: tok.access_token, json: { display_name: 'x' } });
    assertError(res, 403, 'pending_approval');
  });

  test('a pending account is hidden: lookup is 404', async () => {
    const f = fields({ reason: 'portraits' });
    assertOk(await registerRaw(server, f));
    assertError(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${f.username}`), 404, 'not_found');
  });

  test('a pending account is hidden from GET /api/v1/accounts/:id', async (t) => {
    const probe = await registerAndProbeIds(server, fields({ reason: 'street photography' }));
    if (probe.skipped) { t.skip(probe.skipped); return; }
    assert.deepEqual(probe.visible, [], 'a pending account must not be visible by id');
    for (const r of probe.others) assertError(r, 404, 'not_found');
  });

  test('the admin CLI creates approved accounts that can act', async () => {
    const password = strongPassword();
    const username = uniqueName('approved');
    await adminCreateAccount(server, { username, password, role: 'moderator' });
    const app = await createApp(server, 'read');
    const token = await passwordToken(server, app, username, password, 'read');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
    assert.equal(me.username, username);
    assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${username}`));
  });
});

describe('closed mode', () => {
  let server;
  before(async () => { server = await startServer(['--registrations', 'closed', '--registration-limit-ip', '1000']); });
  after(async () => { await server?.stop(); });

  test('/api/v2/instance says registrations are disabled', async () => {
    const v2 = assertOk(await api(server, 'GET', '/api/v2/instance'));
    assert.equal(v2.registrations.enabled, false);
  });

  test('/api/v1/instance says registrations are closed', async () => {
    const v1 = assertOk(await api(server, 'GET', '/api/v1/instance'));
    assert.equal(v1.registrations, false);
  });

  test('registration is 403 registrations_closed', async () => {
    assertError(await registerRaw(server, fields()), 403, 'registrations_closed');
    assertError(await registerRaw(server, fields({ reason: 'please' })), 403, 'registrations_closed');
  });

  test('registration without a token is still 401, not a leak of the mode', async () => {
    assertError(await api(server, 'POST', '/api/v1/accounts', { json: fields() }), 401);
  });

  test('admin create-account works while registrations are closed', async () => {
    const password = strongPassword();
    const username = uniqueName('seeded');
    await adminCreateAccount(server, { username, password, role: 'admin' });
    const { res } = await signIn(server, username, password);
    const body = assertOk(res);
    assert.equal(body.account.username, username);
  });

  test('admin create-account refuses a duplicate username with a non-zero exit', async () => {
    const password = strongPassword();
    const username = uniqueName('dupcli');
    await adminCreateAccount(server, { username, password });
    await assert.rejects(adminCreateAccount(server, { username, email: `other_${username}@example.com`, password }));
  });

  test('admin reset-password changes the password and revokes existing tokens', async () => {
    const oldPassword = strongPassword();
    const newPassword = strongPassword();
    const username = uniqueName('reset');
    await adminCreateAccount(server, { username, password: oldPassword });
    const app = await createApp(server, 'read');
    const token = await passwordToken(server, app, username, oldPassword, 'read');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));

    await adminResetPassword(server, { username, password: newPassword });

    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }), 401);
    assertError((await signIn(server, username, oldPassword)).res, 401, 'invalid_credentials');
    assertOk((await signIn(server, username, newPassword)).res);
  });
});

describe('open mode', () => {
  let server;
  before(async () => { server = await startServer(['--registrations', 'open']); });
  after(async () => { await server?.stop(); });

  test('an open-mode account is visible by id (checks the id probe used for approval mode)', async (t) => {
    const f = fields();
    const probe = await registerAndProbeIds(server, f);
    if (probe.skipped) { t.skip(probe.skipped); return; }
    assert.deepEqual(probe.visible, [f.username]);
  });

  test('reason is optional and accounts are usable at once', async () => {
    const u = await register(server, { prefix: 'open' });
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: u.token }));
    assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${u.username}`));
  });
});
