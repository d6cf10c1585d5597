// Cross-origin requests (docs/api.md, "Browser clients"): the API, the
// token endpoints and /.well-known answer other origins as Mastodon does,
// with `*` and no credentials; the web app's pages, its sign-in and the
// authorize page never do, and a cookie-authenticated write from another
// origin is refused by its CSRF token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertError, assertOk, register, signIn, startServer } from './lib/server.mjs';

const ORIGIN = 'http://elk.example:5314';

let server;
let user;
before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '1000', '--sign-in-limit-account', '1000',
    '--registration-limit-ip', '1000']);
  user = await register(server, { prefix: 'cors' });
});
after(async () => { await server?.stop(); });

function assertCors(res, what) {
  assert.equal(res.headers.get('access-control-allow-origin'), '*', `${what}: ${res.status} ${res.text}`);
  assert.equal(res.headers.get('access-control-allow-credentials'), null, `${what}: never with credentials`);
}

function assertNoCors(res, what) {
  assert.equal(res.headers.get('access-control-allow-origin'), null, `${what}: no CORS`);
}

describe('CORS', () => {
  test('a preflight of an API write answers the methods and headers clients send', async () => {
    const res = await api(server, 'OPTIONS', '/api/v1/statuses', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, '');
    assertCors(res, 'preflight');
    const methods = res.headers.get('access-control-allow-methods').split(/,\s*/);
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.includes(m), m);
    const headers = res.headers.get('access-control-allow-headers').toLowerCase().split(/,\s*/);
    for (const h of ['authorization', 'content-type', 'idempotency-key']) assert.ok(headers.includes(h), h);
    // A path with a parameter, and one no route has, preflight the same way.
    assertCors(await api(server, 'OPTIONS', '/api/v1/statuses/123/favourite', { headers: { origin: ORIGIN } }), 'preflight :id');
  });

  test('API answers, errors included, carry * and expose Link and the rate-limit headers', async () => {
    const timeline = await api(server, 'GET', '/api/v1/timelines/public?limit=1', { headers: { origin: ORIGIN } });
    assertOk(timeline);
    assertCors(timeline, 'public timeline');
    const exposed = timeline.headers.get('access-control-expose-headers').toLowerCase().split(/,\s*/);
    for (const h of ['link', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'])
      assert.ok(exposed.includes(h), h);
    const me = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token, headers: { origin: ORIGIN } });
    assertOk(me);
    assertCors(me, 'verify_credentials with a bearer token');
    const unauthorized = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { headers: { origin: ORIGIN } });
    assertError(unauthorized, 401);
    assertCors(unauthorized, 'a 401');
  });

  test('the token endpoints and /.well-known answer other origins; the pages, sign-in and authorize do not', async () => {
    const token = await api(server, 'POST', '/oauth/token', { headers: { origin: ORIGIN }, form: { grant_type: 'nonsense' } });
    assert.ok(token.status >= 400, token.text);
    assertCors(token, '/oauth/token');
    assertCors(await api(server, 'POST', '/oauth/revoke', { headers: { origin: ORIGIN }, form: { token: 'x' } }), '/oauth/revoke');
    assertCors(await api(server, 'GET', '/.well-known/nodeinfo', { headers: { origin: ORIGIN } }), '/.well-known/nodeinfo');
    assertCors(await api(server, 'OPTIONS', '/oauth/token', { headers: { origin: ORIGIN } }), 'preflight /oauth/token');

    for (const path of ['/', '/home', '/oauth/authorize?client_id=x&response_type=code&redirect_uri=urn:ietf:wg:oauth:2.0:oob']) {
      assertNoCors(await api(server, 'GET', path, { headers: { origin: ORIGIN } }), path);
    }
    const signInRes = await api(server, 'POST', '/auth/sign_in', { headers: { origin: ORIGIN }, json: { username: user.username, password: 'wrong' } });
    assertNoCors(signInRes, '/auth/sign_in');
    const preflight = await api(server, 'OPTIONS', '/auth/sign_in', { headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    assertNoCors(preflight, 'a preflight of /auth/sign_in');
    assert.notEqual(preflight.status, 200, 'not answered as a preflight');
  });

  test('a cookie-authenticated write from another origin is refused by its CSRF token', async () => {
    const web = await signIn(server, user.username, user.password);
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { cookie: web.cookie, headers: { origin: ORIGIN }, form: { display_name: 'forged' } });
    assertError(res, 403, 'csrf_failed');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.notEqual(me.display_name, 'forged');
  });
});
