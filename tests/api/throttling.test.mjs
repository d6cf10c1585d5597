// Throttling (sign-in per IP and per account, registrations per IP) and CPU
// pool saturation (bounded wait, then 503 with Retry-After).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api, assertError, assertOk, createApp, register, registerRaw, signIn, startServer, strongPassword, uniqueName, waitFor,
} from './lib/server.mjs';

// Retry-After must be delay-seconds, at least 1 and at most the window.
function assertRetryAfter(res, maxSeconds = 3600) {
  const v = res.headers.get('retry-after');
  assert.ok(v !== null, `Retry-After header missing: ${res.status} ${res.text}`);
  assert.match(v, /^\d+$/, `Retry-After must be delay-seconds: ${v}`);
  assert.ok(Number(v) >= 1, `Retry-After must be at least 1: ${v}`);
  assert.ok(Number(v) <= maxSeconds, `Retry-After ${v} exceeds the ${maxSeconds} s window`);
}
const SIGN_IN_WINDOW = 300;
const REGISTRATION_WINDOW = 3600;

describe('sign-in limit per IP (--sign-in-limit-ip 3)', () => {
  let server;
  let user;
  before(async () => {
    server = await startServer(['--sign-in-limit-ip', '3', '--sign-in-limit-account', '1000']);
    user = await register(server, { prefix: 'thr' });
  });
  after(async () => { await server?.stop(); });

  test('the 4th attempt from the IP is 429 rate_limited with Retry-After, even with the right password', async () => {
    assertError((await signIn(server, user.username, 'wrong password 1')).res, 401, 'invalid_credentials');
    assertError((await signIn(server, 'nobody_here', 'wrong password 2')).res, 401, 'invalid_credentials');
    assertOk((await signIn(server, user.username, user.password)).res);
    const { res } = await signIn(server, user.username, user.password);
    assertError(res, 429, 'rate_limited');
    assertRetryAfter(res, SIGN_IN_WINDOW);
    assert.equal(res.cookies.length, 0, 'no session cookie when throttled');
  });

  test('further attempts stay throttled', async () => {
    const { res } = await signIn(server, user.username, 'wrong password 3');
    assertError(res, 429, 'rate_limited');
    assertRetryAfter(res);
  });

  test('the password grant is a sign-in too and is throttled once the IP budget is spent', async () => {
    const app = await createApp(server, 'read');
    const res = await api(server, 'POST', '/oauth/token', {
      json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username: user.username, password: user.password, scope: 'read' },
    });
    assertError(res, 429, 'rate_limited');
    assertRetryAfter(res);
  });

  test('existing tokens keep working while sign-in is throttled', async () => {
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.equal((await api(server, 'GET', '/healthz')).status, 200);
  });
});

describe('sign-in limit per account (--sign-in-limit-account 2)', () => {
  let server;
  let bob;
  let carol;
  before(async () => {
    server = await startServer(['--sign-in-limit-account', '2', '--sign-in-limit-ip', '1000']);
    bob = await register(server, { prefix: 'bob' });
    carol = await register(server, { prefix: 'carol' });
  });
  after(async () => { await server?.stop(); });

  test('after 2 failures on an account, the next attempt on it is 429 even with the right password', async () => {
    assertError((await signIn(server, bob.username, 'wrong password 1')).res, 401, 'invalid_credentials');
    assertError((await signIn(server, bob.username, 'wrong password 2')).res, 401, 'invalid_credentials');
    const { res } = await signIn(server, bob.username, bob.password);
    assertError(res, 429, 'rate_limited');
    assertRetryAfter(res, SIGN_IN_WINDOW);
  });

  test('the account throttle also applies when signing in by e-mail', async () => {
    const { res } = await signIn(server, bob.email, bob.password);
    assertError(res, 429, 'rate_limited');
  });

  test('other accounts are unaffected', async () => {
    assertOk((await signIn(server, carol.username, carol.password)).res);
  });
});

describe('registration limit per IP (--registration-limit-ip 2)', () => {
  let server;
  before(async () => { server = await startServer(['--registration-limit-ip', '2']); });
  after(async () => { await server?.stop(); });

  test('the 3rd registration from the IP is 429 rate_limited with Retry-After', async () => {
    await register(server, { prefix: 'r1' });
    await register(server, { prefix: 'r2' });
    const username = uniqueName('r3');
    const res = await registerRaw(server, { username, email: `${username}@example.com`, password: strongPassword(), agreement: true });
    assertError(res, 429, 'rate_limited');
    assertRetryAfter(res, REGISTRATION_WINDOW);
    // Nothing was created: the name cannot be looked up.
    assertError(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${username}`), 404, 'not_found');
  });
});

describe('CPU pool saturation (--cpu-threads 1 --cpu-queue 1 --pool-wait-ms 50)', () => {
  let server;
  let user;
  before(async () => {
    server = await startServer(['--cpu-threads', '1', '--cpu-queue', '1', '--pool-wait-ms', '50',
      '--sign-in-limit-ip', '10000', '--sign-in-limit-account', '10000']);
    user = await register(server, { prefix: 'pool' });
  });
  after(async () => { await server?.stop(); });

  test('20 concurrent password sign-ins: some are 503 unavailable with Retry-After, none is 500', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: user.password }, timeoutMs: 30_000 })));
    const statuses = results.map((r) => r.status);
    assert.ok(!statuses.some((s) => s >= 500 && s !== 503), `no 5xx but 503: ${statuses}`);
    assert.ok(statuses.every((s) => s === 200 || s === 503), `only 200 or 503: ${statuses}`);
    const rejected = results.filter((r) => r.status === 503);
    assert.ok(rejected.length >= 1, `at least one 503 when the pool is saturated: ${statuses}`);
    assert.ok(statuses.includes(200), `some sign-ins still succeed: ${statuses}`);
    for (const r of rejected) {
      assertError(r, 503, 'unavailable');
      assertRetryAfter(r);
    }
  });

  test('the server recovers: /healthz is 200 and a sign-in succeeds afterwards', async () => {
    assert.equal((await api(server, 'GET', '/healthz')).status, 200);
    await waitFor(async () => (await signIn(server, user.username, user.password)).res.status === 200,
      { timeoutMs: 10_000, intervalMs: 100, message: 'a successful sign-in after saturation' });
  });

  test('requests that do not need the CPU pool are served while it is saturated', async () => {
    const signIns = Array.from({ length: 10 }, () =>
      api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: user.password }, timeoutMs: 30_000 }));
    const started = Date.now();
    const health = await api(server, 'GET', '/healthz');
    const elapsed = Date.now() - started;
    assert.equal(health.status, 200);
    assert.ok(elapsed < 2000, `/healthz took ${elapsed} ms while the CPU pool was busy`);
    await Promise.all(signIns);
  });
});
