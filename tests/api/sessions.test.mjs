// Web sessions: /auth/sign_in, the session cookie, CSRF, the sessions list,
// revocation, password change and sign-out.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api, assertError, assertOk, createApp, passwordToken, register, signIn, startServer, strongPassword,
} from './lib/server.mjs';

let server;
before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '1000', '--sign-in-limit-account', '1000',
    '--registration-limit-ip', '1000']);
});
after(async () => { await server?.stop(); });

const sessionCookie = (res) => res.cookies.find((c) => /^vantage_session=/.test(c.trim()));

async function sessionOk(cookie) {
  return api(server, 'GET', '/auth/session', { cookie });
}

// -------------------------------------------------------------------------
describe('POST /auth/sign_in', () => {
  let user;
  before(async () => { user = await register(server, { prefix: 'web' }); });

  test('returns {account, csrf_token} and an HttpOnly SameSite=Lax session cookie (not Secure on http)', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: user.password } });
    const body = assertOk(res);
    assert.equal(body.account?.username, user.username);
    assert.equal(typeof body.account.id, 'string');
    assert.equal(typeof body.csrf_token, 'string');
    assert.ok(body.csrf_token.length >= 16, 'csrf_token looks too short');
    const cookie = sessionCookie(res);
    assert.ok(cookie, `Set-Cookie vantage_session: ${JSON.stringify(res.cookies)}`);
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs[0].length > 'vantage_session='.length + 15, 'cookie has a long value');
    assert.ok(attrs.includes('httponly'), `HttpOnly: ${cookie}`);
    assert.ok(attrs.includes('samesite=lax'), `SameSite=Lax: ${cookie}`);
    assert.ok(!attrs.includes('secure'), `no Secure on plain http: ${cookie}`);
    assert.ok(!body.account.source || typeof body.account.source === 'object');
    assert.ok(!res.text.includes(user.password), 'the password is not echoed');
  });

  test('accepts the e-mail address as the username', async () => {
    const { res } = await signIn(server, user.email, user.password);
    assert.equal(assertOk(res).account.username, user.username);
  });

  test('accepts the username in another case', async () => {
    const { res } = await signIn(server, user.username.toUpperCase(), user.password);
    assert.equal(assertOk(res).account.username, user.username);
  });

  test('accepts a form-urlencoded body', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { form: { username: user.username, password: user.password } });
    assertOk(res);
    assert.ok(sessionCookie(res));
  });

  test('an unknown user and a wrong password get the identical 401 invalid_credentials', async () => {
    const wrong = await api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: 'wrong password 123' } });
    const unknown = await api(server, 'POST', '/auth/sign_in', { json: { username: 'no_such_person', password: 'wrong password 123' } });
    assertError(wrong, 401, 'invalid_credentials');
    assertError(unknown, 401, 'invalid_credentials');
    assert.equal(wrong.text, unknown.text, 'bodies must be identical');
    assert.equal(wrong.headers.get('content-type'), unknown.headers.get('content-type'));
    assert.equal(sessionCookie(wrong), undefined, 'no cookie on failure');
    assert.equal(sessionCookie(unknown), undefined, 'no cookie on failure');
  });

  test('an unknown user costs the same work as a wrong password (no timing oracle)', async () => {
    const time = async (login) => {
      const t = process.hrtime.bigint();
      const res = await api(server, 'POST', '/auth/sign_in', { json: { username: login, password: 'wrong password 456' } });
      assertError(res, 401, 'invalid_credentials');
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await time(user.username));
      unknown.push(await time(`ghost_${i}_nobody`));
    }
    const w = median(wrong);
    const u = median(unknown);
    assert.ok(u >= w * 0.5, `unknown-user sign-ins (${u.toFixed(1)} ms) must take about as long as wrong passwords (${w.toFixed(1)} ms)`);
  });

  test('an unknown e-mail gets the same 401 invalid_credentials', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: 'nobody@example.com', password: 'wrong password 123' } });
    assertError(res, 401, 'invalid_credentials');
  });

  test('missing username or password is 422 missing_field', async () => {
    assertError(await api(server, 'POST', '/auth/sign_in', { json: { username: user.username } }), 422, 'missing_field', 'password');
    assertError(await api(server, 'POST', '/auth/sign_in', { json: { password: user.password } }), 422, 'missing_field', 'username');
  });

  test('a password of the wrong type is 422 invalid_field', async () => {
    assertError(await api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: 12345678901234 } }), 422, 'invalid_field', 'password');
  });
});

// -------------------------------------------------------------------------
describe('cookie authentication and CSRF', () => {
  let user;
  let web;
  before(async () => {
    user = await register(server, { prefix: 'csrf' });
    web = await signIn(server, user.username, user.password);
    assertOk(web.res);
  });

  test('GET /auth/session with the cookie returns {account, csrf_token}', async () => {
    const body = assertOk(await sessionOk(web.cookie));
    assert.equal(body.account.username, user.username);
    assert.equal(body.csrf_token, web.csrf);
  });

  test('GET /auth/session without a cookie, or with a bogus one, is 401', async () => {
    assertError(await sessionOk(undefined), 401);
    assertError(await sessionOk('vantage_session=bogus'), 401);
    assertError(await sessionOk('vantage_session='), 401);
    assertError(await sessionOk('other_cookie=1'), 401);
  });

  test('a cookie-authenticated read needs no CSRF token', async () => {
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie: web.cookie }));
    assert.equal(me.username, user.username);
  });

  test('a cookie-authenticated write without X-CSRF-Token is 403 csrf_failed', async () => {
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: web.cookie, json: { display_name: 'forged' } });
    assertError(res, 403, 'csrf_failed');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie: web.cookie }));
    assert.notEqual(me.display_name, 'forged', 'the forged write must not apply');
  });

  test('a cookie-authenticated write with a wrong X-CSRF-Token is 403 csrf_failed', async () => {
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: web.cookie, csrf: 'x'.repeat(web.csrf.length), json: { display_name: 'forged' } });
    assertError(res, 403, 'csrf_failed');
  });

  test('another session\'s CSRF token does not work', async () => {
    const other = await signIn(server, user.username, user.password);
    assert.notEqual(other.csrf, web.csrf, 'each session has its own CSRF token');
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: web.cookie, csrf: other.csrf, json: { display_name: 'forged' } });
    assertError(res, 403, 'csrf_failed');
  });

  test('a form-encoded cookie-authenticated write without the token is 403 csrf_failed too', async () => {
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: web.cookie, form: { display_name: 'forged' } });
    assertError(res, 403, 'csrf_failed');
  });

  test('a cookie-authenticated write with the right X-CSRF-Token works', async () => {
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: web.cookie, csrf: web.csrf, json: { display_name: 'Via Cookie' } });
    assert.equal(assertOk(res).display_name, 'Via Cookie');
  });

  test('a bearer token needs no CSRF token', async () => {
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json: { display_name: 'Via Bearer' } });
    assert.equal(assertOk(res).display_name, 'Via Bearer');
  });
});

// -------------------------------------------------------------------------
describe('GET and DELETE /api/vantage/v1/sessions', () => {
  let user;
  let app;
  before(async () => {
    user = await register(server, { prefix: 'sess' });
    app = await createApp(server, 'read write follow');
  });

  test('lists web sessions and tokens with exactly one current entry', async () => {
    const web = await signIn(server, user.username, user.password, { headers: { 'user-agent': 'VantageTestBrowser/1.0' } });
    assertOk(web.res);
    const token = await passwordToken(server, app, user.username, user.password, 'read write');

    const viaToken = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token }));
    assert.ok(Array.isArray(viaToken), 'a JSON array');
    assert.ok(viaToken.length >= 3, `registration token, password token and web session: ${JSON.stringify(viaToken)}`);
    for (const s of viaToken) {
      assert.equal(typeof s.id, 'string', JSON.stringify(s));
      assert.equal(typeof s.kind, 'string', JSON.stringify(s));
      assert.equal(typeof s.current, 'boolean', JSON.stringify(s));
      assert.ok('app' in s && 'created_at' in s && 'last_used_at' in s && 'user_agent' in s && 'ip' in s, JSON.stringify(s));
      assert.ok(!Number.isNaN(Date.parse(s.created_at)), JSON.stringify(s));
    }
    assert.equal(viaToken.filter((s) => s.current).length, 1, 'exactly one current');
    const kinds = new Set(viaToken.map((s) => s.kind));
    assert.ok(kinds.size >= 2, `web sessions and tokens have different kinds: ${[...kinds]}`);
    const webEntry = viaToken.find((s) => s.user_agent === 'VantageTestBrowser/1.0');
    assert.ok(webEntry, `the web session records its user agent: ${JSON.stringify(viaToken)}`);
    assert.equal(webEntry.current, false);
    assert.equal(webEntry.ip, '127.0.0.1');
    assert.ok(!JSON.stringify(viaToken).includes(token), 'secrets are never listed');

    const viaCookie = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { cookie: web.cookie }));
    const current = viaCookie.filter((s) => s.current);
    assert.equal(current.length, 1);
    assert.equal(current[0].id, webEntry.id, 'the cookie\'s own session is current');
  });

  test('DELETE revokes a web session: its cookie then gets 401', async () => {
    const victim = await signIn(server, user.username, user.password, { headers: { 'user-agent': 'Victim/1' } });
    assertOk(await sessionOk(victim.cookie));
    const list = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token: user.token }));
    const entry = list.find((s) => s.user_agent === 'Victim/1');
    assert.ok(entry, JSON.stringify(list));
    const del = await api(server, 'DELETE', `/api/vantage/v1/sessions/${entry.id}`, { token: user.token });
    assert.ok(del.status === 200 || del.status === 204, `status ${del.status}: ${del.text}`);
    assertError(await sessionOk(victim.cookie), 401);
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie: victim.cookie }), 401);
    const after = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token: user.token }));
    assert.ok(!after.some((s) => s.id === entry.id), 'revoked sessions are not listed');
  });

  test('DELETE revokes a token: it then gets 401', async () => {
    const token = await passwordToken(server, app, user.username, user.password, 'read');
    const me = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token }));
    const entry = me.find((s) => s.current);
    assert.ok(entry);
    const del = await api(server, 'DELETE', `/api/vantage/v1/sessions/${entry.id}`, { token: user.token });
    assert.ok(del.status === 200 || del.status === 204, `status ${del.status}: ${del.text}`);
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }), 401);
  });

  test('DELETE via the cookie needs the CSRF token', async () => {
    const web = await signIn(server, user.username, user.password);
    const other = await signIn(server, user.username, user.password, { headers: { 'user-agent': 'Other/2' } });
    const list = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { cookie: web.cookie }));
    const entry = list.find((s) => s.user_agent === 'Other/2');
    assertError(await api(server, 'DELETE', `/api/vantage/v1/sessions/${entry.id}`, { cookie: web.cookie }), 403, 'csrf_failed');
    assertOk(await sessionOk(other.cookie));
    const del = await api(server, 'DELETE', `/api/vantage/v1/sessions/${entry.id}`, { cookie: web.cookie, csrf: web.csrf });
    assert.ok(del.status === 200 || del.status === 204, `status ${del.status}: ${del.text}`);
    assertError(await sessionOk(other.cookie), 401);
  });

  test('DELETE of the current web session signs it out', async () => {
    const web = await signIn(server, user.username, user.password);
    const list = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { cookie: web.cookie }));
    const own = list.find((s) => s.current);
    const del = await api(server, 'DELETE', `/api/vantage/v1/sessions/${own.id}`, { cookie: web.cookie, csrf: web.csrf });
    assert.ok(del.status === 200 || del.status === 204, `status ${del.status}: ${del.text}`);
    assertError(await sessionOk(web.cookie), 401);
  });

  test('DELETE of an unknown id is 404; of another account\'s session is 404 and leaves it alive', async () => {
    assertError(await api(server, 'DELETE', '/api/vantage/v1/sessions/123456789', { token: user.token }), 404, 'not_found');
    assertError(await api(server, 'DELETE', '/api/vantage/v1/sessions/not-a-number', { token: user.token }), 404, 'not_found');
    const mallory = await register(server, { prefix: 'mallory' });
    const theirs = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token: mallory.token }));
    const target = theirs.find((s) => s.current);
    assertError(await api(server, 'DELETE', `/api/vantage/v1/sessions/${target.id}`, { token: user.token }), 404, 'not_found');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: mallory.token }));
  });

  test('the sessions list needs read:accounts and DELETE needs write:accounts', async () => {
    const writeOnly = await passwordToken(server, app, user.username, user.password, 'write:accounts');
    assertError(await api(server, 'GET', '/api/vantage/v1/sessions', { token: writeOnly }), 403, 'insufficient_scope');
    const readOnly = await passwordToken(server, app, user.username, user.password, 'read');
    const list = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { token: readOnly }));
    const own = list.find((s) => s.current);
    assertError(await api(server, 'DELETE', `/api/vantage/v1/sessions/${own.id}`, { token: readOnly }), 403, 'insufficient_scope');
  });

  test('without credentials is 401', async () => {
    assertError(await api(server, 'GET', '/api/vantage/v1/sessions'), 401);
    assertError(await api(server, 'DELETE', '/api/vantage/v1/sessions/1'), 401);
  });
});

// -------------------------------------------------------------------------
describe('POST /api/vantage/v1/password', () => {
  test('a wrong current password is a 4xx JSON error and changes nothing', async () => {
    const user = await register(server, { prefix: 'pwwrong' });
    const res = await api(server, 'POST', '/api/vantage/v1/password', {
      token: user.token, json: { current_password: 'not the password', new_password: strongPassword() },
    });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assertError(res, res.status);
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assertOk((await signIn(server, user.username, user.password)).res);
  });

  test('a too-short new password is 422 on new_password', async () => {
    const user = await register(server, { prefix: 'pwshort' });
    const res = await api(server, 'POST', '/api/vantage/v1/password', {
      token: user.token, json: { current_password: user.password, new_password: 'short' },
    });
    assertError(res, 422, null, 'new_password');
    assertOk((await signIn(server, user.username, user.password)).res);
  });

  test('missing fields are 422 missing_field', async () => {
    const user = await register(server, { prefix: 'pwmiss' });
    assertError(await api(server, 'POST', '/api/vantage/v1/password', { token: user.token, json: { current_password: user.password } }),
      422, 'missing_field', 'new_password');
    assertError(await api(server, 'POST', '/api/vantage/v1/password', { token: user.token, json: { new_password: strongPassword() } }),
      422, 'missing_field', 'current_password');
  });

  test('via a web session: every other session and token is revoked, the current one keeps working, the new password signs in', async () => {
    const user = await register(server, { prefix: 'pwweb' });
    const app = await createApp(server, 'read write');
    const current = await signIn(server, user.username, user.password);
    const otherWeb = await signIn(server, user.username, user.password);
    const otherToken = await passwordToken(server, app, user.username, user.password, 'read');
    const newPassword = strongPassword();

    // Cookie writes need the CSRF token here too.
    assertError(await api(server, 'POST', '/api/vantage/v1/password', {
      cookie: current.cookie, json: { current_password: user.password, new_password: newPassword },
    }), 403, 'csrf_failed');

    const res = await api(server, 'POST', '/api/vantage/v1/password', {
      cookie: current.cookie, csrf: current.csrf, json: { current_password: user.password, new_password: newPassword },
    });
    assert.ok(res.status === 200 || res.status === 204, `status ${res.status}: ${res.text}`);

    assertOk(await sessionOk(current.cookie));
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { cookie: current.cookie, csrf: current.csrf, json: { note: 'still here' } }));
    assertError(await sessionOk(otherWeb.cookie), 401);
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: otherToken }), 401);
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }), 401);

    assertError((await signIn(server, user.username, user.password)).res, 401, 'invalid_credentials');
    assertOk((await signIn(server, user.username, newPassword)).res);
  });

  test('via a bearer token: the other tokens and sessions die, the calling token lives', async () => {
    const user = await register(server, { prefix: 'pwtok' });
    const app = await createApp(server, 'read write');
    const caller = await passwordToken(server, app, user.username, user.password, 'read write');
    const web = await signIn(server, user.username, user.password);
    const newPassword = strongPassword();
    const res = await api(server, 'POST', '/api/vantage/v1/password', {
      token: caller, json: { current_password: user.password, new_password: newPassword },
    });
    assert.ok(res.status === 200 || res.status === 204, `status ${res.status}: ${res.text}`);
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: caller }));
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }), 401);
    assertError(await sessionOk(web.cookie), 401);
    const tok = await passwordToken(server, app, user.username, newPassword, 'read');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok }));
  });

  test('needs write:accounts', async () => {
    const user = await register(server, { prefix: 'pwscope' });
    const app = await createApp(server, 'read write');
    const readOnly = await passwordToken(server, app, user.username, user.password, 'read');
    assertError(await api(server, 'POST', '/api/vantage/v1/password', {
      token: readOnly, json: { current_password: user.password, new_password: strongPassword() },
    }), 403, 'insufficient_scope');
  });
});

// -------------------------------------------------------------------------
describe('POST /auth/sign_out', () => {
  test('needs the CSRF token, then ends the session', async () => {
    const user = await register(server, { prefix: 'out' });
    const web = await signIn(server, user.username, user.password);
    const other = await signIn(server, user.username, user.password);
    assertError(await api(server, 'POST', '/auth/sign_out', { cookie: web.cookie }), 403, 'csrf_failed');
    assertOk(await sessionOk(web.cookie));
    const res = await api(server, 'POST', '/auth/sign_out', { cookie: web.cookie, csrf: web.csrf });
    assert.ok(res.status === 200 || res.status === 204, `status ${res.status}: ${res.text}`);
    assertError(await sessionOk(web.cookie), 401);
    assertOk(await sessionOk(other.cookie)); // only this session ends
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
  });

  test('without a session is 401', async () => {
    assertError(await api(server, 'POST', '/auth/sign_out'), 401);
  });
});
