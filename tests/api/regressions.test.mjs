// Regressions found in review of the foundation, one test each, named after
// the bug.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  api, assertError, httpRequest, rawRequest, register, runCli, signIn, startServer, strongPassword,
} from './lib/server.mjs';

describe('regressions', () => {
  let server;
  before(async () => {
    server = await startServer(['--trust-forwarded', '--sign-in-limit-ip', '3', '--sign-in-limit-account', '2']);
  });
  after(async () => { await server?.stop(); });

  test('X-Forwarded-For: the client cannot pick its address with a leftmost entry', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await api(server, 'POST', '/auth/sign_in', {
        json: { username: `nobody${i}`, password: 'not the password at all' },
        headers: { 'X-Forwarded-For': `10.0.0.${i}, 192.0.2.7` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429], 'the 4th attempt from 192.0.2.7 is throttled');
    // Another real address (the last entry) still gets through.
    const other = await api(server, 'POST', '/auth/sign_in', {
      json: { username: 'nobody', password: 'not the password at all' },
      headers: { 'X-Forwarded-For': '192.0.2.8' },
    });
    assert.equal(other.status, 401);
  });

  test('NUL characters in text fields are 400 invalid_encoding, on every engine', async () => {
    const user = await register(server, {});
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, json: { display_name: 'a\u0000b' },
    });
    assertError(res, 400, 'invalid_encoding', 'display_name');
    const lookup = await api(server, 'GET', '/api/v1/accounts/lookup?acct=a%00b');
    assertError(lookup, 400, 'invalid_encoding', 'acct');
  });

  test('login CSRF: a cross-site browser sign-in is refused', async () => {
    const crossSite = await api(server, 'POST', '/auth/sign_in', {
      json: { username: 'x', password: 'y' }, headers: { 'Sec-Fetch-Site': 'cross-site', 'X-Forwarded-For': '192.0.2.20' },
    });
    assertError(crossSite, 403, 'csrf_failed');
    const foreignOrigin = await api(server, 'POST', '/auth/sign_in', {
      json: { username: 'x', password: 'y' }, headers: { Origin: 'https://evil.example', 'X-Forwarded-For': '192.0.2.21' },
    });
    assertError(foreignOrigin, 403, 'csrf_failed');
  });

  test('password change: guessing current_password is throttled per account', async () => {
    const user = await register(server, {});
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(server, 'POST', '/api/vantage/v1/password', {
        token: user.token, json: { current_password: `wrong guess number ${i}`, new_password: strongPassword() },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [422, 422, 429]);
  });

  test('a chunk-size line that never ends is cut off, not buffered without bound', async () => {
    const head = httpRequest('POST', '/api/v1/apps', {
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    });
    const r = await rawRequest(server.port, Buffer.concat([head, Buffer.from('1;' + 'a'.repeat(200 * 1024))]),
      { timeoutMs: 5_000 });
    assert.ok(r.closed || r.responses[0], 'the server answers or closes');
    if (r.responses[0]) assert.equal(r.responses[0].status, 400);
    assert.ok(r.elapsedMs < 4_000, `cut off quickly (${r.elapsedMs} ms), not at the read timeout`);
    const health = await api(server, 'GET', '/healthz');
    assert.equal(health.status, 200);
  });

  test('a second server cannot take a port the first is listening on', async () => {
    const r = await runCli(['serve', '--listen', `127.0.0.1:${server.port}`, '--data', server.dataDir], { timeoutMs: 10_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot listen/);
  });

  test('admin set-role without --role is refused instead of demoting to user', async () => {
    const r = await runCli(['admin', 'set-role', ...server.dataArgs, '--username', 'whoever']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--role is required/);
  });

  test("authorize page: the CSP has no form-action, which browsers apply to the form's redirect to the app", async () => {
    const created = await api(server, 'POST', '/api/v1/apps', {
      json: { client_name: 'Web client', redirect_uris: 'https://client.example/callback', scopes: 'read' },
    });
    assert.equal(created.status, 200, created.text);
    const query = new URLSearchParams({
      response_type: 'code', client_id: created.json.client_id, redirect_uri: 'https://client.example/callback',
      scope: 'read',
    });
    const page = await api(server, 'GET', `/oauth/authorize?${query}`);
    assert.equal(page.status, 200, page.text);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, `the page keeps its policy: ${csp}`);
    assert.doesNotMatch(csp, /form-action/, `a form-action would stop the redirect to the app: ${csp}`);
  });
});
