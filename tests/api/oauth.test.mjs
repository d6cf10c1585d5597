// OAuth: apps, the authorization-code flow with PKCE (redirect and out-of-band),
// the password and client_credentials grants, revocation and scopes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  OOB, api, appToken, assertError, assertOk, assertTokenShape, cookieHeader, createApp,
  parseHiddenInputs, parseInputs, passwordToken, pkcePair, register, startServer,
} from './lib/server.mjs';

let server;
let alice; // {username, password, token}

before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '1000', '--sign-in-limit-account', '1000']);
  alice = await register(server, { prefix: 'alice' });
});
after(async () => { await server?.stop(); });

const REDIRECT = 'https://client.example/callback';

function tokenRequest(fields, { form = false } = {}) {
  return api(server, 'POST', '/oauth/token', form ? { form: fields } : { json: fields });
}

// Asserts an OAuth error from /oauth/token or /oauth/revoke: the documented
// shape plus error_description.
function assertOAuthError(res, status, code) {
  const body = assertError(res, status, code);
  assert.equal(typeof body.error_description, 'string', `error_description: ${res.text}`);
  assert.ok(body.error_description.length > 0, `error_description: ${res.text}`);
  return body;
}

// -------------------------------------------------------------------------
describe('POST /api/v1/apps', () => {
  test('creates an app from a JSON body and returns its credentials', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', {
      json: { client_name: 'Photo Client', redirect_uris: REDIRECT, scopes: 'read write', website: 'https://client.example' },
    });
    const app = assertOk(res);
    assert.equal(typeof app.id, 'string', res.text);
    assert.equal(app.name, 'Photo Client');
    assert.equal(typeof app.client_id, 'string');
    assert.ok(app.client_id.length > 0);
    assert.equal(typeof app.client_secret, 'string');
    assert.ok(app.client_secret.length >= 16, 'client_secret looks too short');
    assert.equal(typeof app.redirect_uri, 'string', res.text);
    assert.ok(app.redirect_uri.includes(REDIRECT), res.text);
    assert.equal(app.website, 'https://client.example');
  });

  test('creates an app from a form body', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', {
      form: { client_name: 'Form Client', redirect_uris: OOB, scopes: 'read' },
    });
    const app = assertOk(res);
    assert.equal(app.name, 'Form Client');
    assert.ok(app.redirect_uri.includes(OOB));
  });

  test('accepts redirect_uris as a JSON array', async () => {
    const uris = ['https://a.example/cb', OOB];
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'Array', redirect_uris: uris } });
    const app = assertOk(res);
    const got = app.redirect_uris ?? app.redirect_uri.split(/\s+/);
    for (const u of uris) assert.ok(got.includes(u), `${u} in ${res.text}`);
  });

  test('accepts redirect_uris[] repeated in a form body', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', {
      form: { client_name: 'Form Array', 'redirect_uris[]': ['https://b.example/cb', OOB] },
    });
    const app = assertOk(res);
    const got = app.redirect_uris ?? app.redirect_uri.split(/\s+/);
    assert.ok(got.includes('https://b.example/cb'), res.text);
  });

  test('client_name is required: 422 missing_field client_name', async () => {
    assertError(await api(server, 'POST', '/api/v1/apps', { json: { redirect_uris: OOB } }), 422, 'missing_field', 'client_name');
    assertError(await api(server, 'POST', '/api/v1/apps', { form: { redirect_uris: OOB } }), 422, 'missing_field', 'client_name');
  });

  test('a client_name over 200 characters is 422 too_long', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'x'.repeat(201), redirect_uris: OOB } });
    assertError(res, 422, 'too_long', 'client_name');
  });

  test('a redirect URI that is not absolute is 422 on redirect_uris', async () => {
    for (const bad of ['not a uri', '/relative/path', 'callback', 'https://']) {
      const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'Bad', redirect_uris: bad } });
      assertError(res, 422, null, 'redirect_uris');
    }
  });

  test('an unknown scope is 422 on scopes', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'S', redirect_uris: OOB, scopes: 'read bogus:scope' } });
    assertError(res, 422, null, 'scopes');
  });

  test('a client_name of the wrong type is 422 invalid_field', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: ['x'], redirect_uris: OOB } });
    assertError(res, 422, 'invalid_field', 'client_name');
  });

  test('unknown fields are ignored', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'Future', redirect_uris: OOB, some_new_field: { a: 1 } } });
    assertOk(res);
  });

  test('scopes default to read', async () => {
    const app = assertOk(await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'Default', redirect_uris: OOB } }));
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret });
    const tok = assertOk(res);
    assert.equal(tok.scope, 'read', res.text);
  });
});

describe('GET /api/v1/apps/verify_credentials', () => {
  test('returns the app for an app token', async () => {
    const app = await createApp(server, 'read', { client_name: 'Verifier', website: 'https://v.example' });
    const token = await appToken(server, app, 'read');
    const res = await api(server, 'GET', '/api/v1/apps/verify_credentials', { token });
    const body = assertOk(res);
    assert.equal(body.name, 'Verifier');
    assert.equal(body.client_secret, undefined, 'verify_credentials must not reveal the client secret');
  });

  test('returns the app for a user token too', async () => {
    const res = await api(server, 'GET', '/api/v1/apps/verify_credentials', { token: alice.token });
    assertOk(res);
    assert.equal(typeof res.json.name, 'string');
  });

  test('without a token is 401', async () => {
    assertError(await api(server, 'GET', '/api/v1/apps/verify_credentials'), 401);
  });

  test('with an unknown token is 401', async () => {
    assertError(await api(server, 'GET', '/api/v1/apps/verify_credentials', { token: 'nope' }), 401, ['invalid_token', 'unauthorized']);
  });
});

// -------------------------------------------------------------------------
describe('POST /oauth/token', () => {
  let app;
  before(async () => { app = await createApp(server, 'read write follow'); });

  test('client_credentials returns {access_token, token_type: Bearer, scope, created_at}', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' });
    const tok = assertOk(res);
    assertTokenShape(tok);
    assert.deepEqual(tok.scope.split(' ').sort(), ['read', 'write']);
  });

  test('password grant with a JSON body', async () => {
    const res = await tokenRequest({
      grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
      username: alice.username, password: alice.password, scope: 'read',
    });
    const tok = assertOk(res);
    assertTokenShape(tok);
    assert.equal(tok.scope, 'read');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token }));
    assert.equal(me.username, alice.username);
  });

  test('password grant with a form body', async () => {
    const res = await tokenRequest({
      grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
      username: alice.username, password: alice.password, scope: 'read write',
    }, { form: true });
    const tok = assertOk(res);
    assertTokenShape(tok);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token }));
    assert.equal(me.username, alice.username);
  });

  test('password grant with a wrong password is 400 invalid_grant', async () => {
    const res = await tokenRequest({
      grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
      username: alice.username, password: 'wrong password!!', scope: 'read',
    });
    assertOAuthError(res, 400, 'invalid_grant');
  });

  test('a wrong client_secret is 401 invalid_client', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'x'.repeat(43) });
    assertOAuthError(res, 401, 'invalid_client');
    const res2 = await tokenRequest({
      grant_type: 'password', client_id: app.client_id, client_secret: `${app.client_secret}x`,
      username: alice.username, password: alice.password,
    });
    assertOAuthError(res2, 401, 'invalid_client');
  });

  test('an unknown client_id is 401 invalid_client', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: app.client_secret });
    assertOAuthError(res, 401, 'invalid_client');
  });

  test('an unsupported grant_type is 400 unsupported_grant_type', async () => {
    for (const grant of ['implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'bogus']) {
      const res = await tokenRequest({ grant_type: grant, client_id: app.client_id, client_secret: app.client_secret });
      assertOAuthError(res, 400, 'unsupported_grant_type');
    }
  });

  test('a missing grant_type is 400 invalid_request', async () => {
    const res = await tokenRequest({ client_id: app.client_id, client_secret: app.client_secret });
    assertOAuthError(res, 400, 'invalid_request');
  });

  test('a token scope beyond the app\'s scopes is refused', async () => {
    const readApp = await createApp(server, 'read');
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: readApp.client_id, client_secret: readApp.client_secret, scope: 'read write' });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text}`);
    assertError(res, res.status);
  });
});

describe('POST /oauth/revoke', () => {
  test('revokes a token: {} and then the token is 401', async () => {
    const app = await createApp(server, 'read write');
    const token = await passwordToken(server, app, alice.username, alice.password, 'read');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
    const res = await api(server, 'POST', '/oauth/revoke', { json: { client_id: app.client_id, client_secret: app.client_secret, token } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, {});
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }), 401);
  });

  test('revoking with a wrong client_secret is 401 invalid_client and the token survives', async () => {
    const app = await createApp(server, 'read');
    const token = await passwordToken(server, app, alice.username, alice.password, 'read');
    const res = await api(server, 'POST', '/oauth/revoke', { form: { client_id: app.client_id, client_secret: 'wrong', token } });
    assertOAuthError(res, 401, 'invalid_client');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
  });

  test('a client cannot revoke another client\'s token', async () => {
    const app1 = await createApp(server, 'read');
    const app2 = await createApp(server, 'read');
    const token = await passwordToken(server, app1, alice.username, alice.password, 'read');
    const res = await api(server, 'POST', '/oauth/revoke', { json: { client_id: app2.client_id, client_secret: app2.client_secret, token } });
    assert.ok(res.status === 200 || res.status === 403 || res.status === 401, `status ${res.status}`);
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
  });

  test('revoking an unknown token is {} (RFC 7009)', async () => {
    const app = await createApp(server, 'read');
    const res = await api(server, 'POST', '/oauth/revoke', { json: { client_id: app.client_id, client_secret: app.client_secret, token: 'no-such-token' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, {});
  });
});

// -------------------------------------------------------------------------
const OAUTH_PARAMS = new Set(['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge',
  'code_challenge_method', 'username', 'password', 'force_login', 'lang']);

function authorizeQuery({ app, redirectUri, scope = 'read write', state = 'xyz', challenge }) {
  const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: redirectUri, scope, state });
  if (challenge) {
    q.set('code_challenge', challenge);
    q.set('code_challenge_method', 'S256');
  }
  return q;
}

// GET the consent page, then POST it back with credentials, as a browser would.
async function authorize({ app, redirectUri, scope = 'read write', state = 'xyz', challenge, username, password, dropHidden = false }) {
  const q = authorizeQuery({ app, redirectUri, scope, state, challenge });
  const page = await api(server, 'GET', `/oauth/authorize?${q}`);
  assert.equal(page.status, 200, `GET /oauth/authorize: ${page.status} ${page.text.slice(0, 500)}`);
  const hidden = parseHiddenInputs(page.text);
  const form = { ...(dropHidden ? {} : hidden), ...Object.fromEntries(q), username, password };
  const res = await api(server, 'POST', '/oauth/authorize', {
    form,
    headers: dropHidden ? {} : { cookie: cookieHeader(page.cookies) },
  });
  return { page, hidden, res };
}

async function redeem(app, { code, redirectUri, verifier }) {
  return tokenRequest({
    grant_type: 'authorization_code', client_id: app.client_id, client_secret: app.client_secret,
    code, redirect_uri: redirectUri, code_verifier: verifier,
  });
}

describe('GET /oauth/authorize', () => {
  let app;
  before(async () => { app = await createApp(server, 'read write', { redirect_uris: [REDIRECT, OOB] }); });

  test('shows an HTML page with a sign-in form', async () => {
    const { challenge } = pkcePair();
    const res = await api(server, 'GET', `/oauth/authorize?${authorizeQuery({ app, redirectUri: REDIRECT, challenge })}`);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.text, /<form\b/i);
    const inputs = parseInputs(res.text);
    assert.ok(inputs.some((i) => (i.type ?? '').toLowerCase() === 'password'), 'the page has a password input');
    assert.ok(res.headers.get('x-request-id'));
  });

  test('the page HTML-escapes the app name and the reflected parameters', async () => {
    const evil = await createApp(server, 'read', { client_name: '<script>alert("name")</script>', redirect_uris: REDIRECT });
    const q = authorizeQuery({ app: evil, redirectUri: REDIRECT, scope: 'read', state: '"><script>alert("state")</script>' });
    const res = await api(server, 'GET', `/oauth/authorize?${q}`);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(!res.text.includes('<script>alert('), `unescaped markup on the consent page:\n${res.text.slice(0, 1500)}`);
    assert.ok(res.text.includes('&lt;script&gt;'), 'the app name is shown, escaped');
    assert.equal(parseHiddenInputs(res.text).state, '"><script>alert("state")</script>', 'state round-trips through the form');
  });

  test('an unknown client_id is a 4xx and never redirects', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: 'no-such-client', redirect_uri: REDIRECT, scope: 'read' });
    const res = await api(server, 'GET', `/oauth/authorize?${q}`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.equal(res.headers.get('location'), null);
  });

  test('a redirect_uri the app did not register is a 4xx and never redirects there', async () => {
    const q = authorizeQuery({ app, redirectUri: 'https://evil.example/steal' });
    const res = await api(server, 'GET', `/oauth/authorize?${q}`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.ok(!(res.headers.get('location') ?? '').includes('evil.example'), 'must not redirect to an unregistered URI');
  });

  test('a code_challenge_method other than S256 is a 4xx', async () => {
    const q = authorizeQuery({ app, redirectUri: REDIRECT, challenge: pkcePair().challenge });
    q.set('code_challenge_method', 'plain');
    const res = await api(server, 'GET', `/oauth/authorize?${q}`);
    assert.ok(res.status >= 400 && res.status < 500 || (res.status === 302 && /error=/.test(res.headers.get('location') ?? '')),
      `status ${res.status} ${res.headers.get('location')}`);
  });

  test('a scope the app was not granted is a 4xx', async () => {
    const q = authorizeQuery({ app, redirectUri: REDIRECT, scope: 'read write admin:write' });
    const res = await api(server, 'GET', `/oauth/authorize?${q}`);
    assert.ok(res.status >= 400 && res.status < 500 || (res.status === 302 && /error=/.test(res.headers.get('location') ?? '')),
      `status ${res.status} ${res.headers.get('location')}`);
  });
});

describe('authorization code flow with PKCE', () => {
  let app;
  before(async () => { app = await createApp(server, 'read write follow', { redirect_uris: [REDIRECT, OOB] }); });

  test('POST /oauth/authorize redirects with code and state; the code redeems once for a working token', async () => {
    const { verifier, challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, state: 'st4te-123', username: alice.username, password: alice.password });
    assert.equal(res.status, 302, `POST /oauth/authorize: ${res.status} ${res.text.slice(0, 300)}`);
    const location = new URL(res.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    const code = location.searchParams.get('code');
    assert.ok(code && code.length >= 16, `code in ${location}`);
    assert.equal(location.searchParams.get('state'), 'st4te-123');

    const tokRes = await redeem(app, { code, redirectUri: REDIRECT, verifier });
    const tok = assertOk(tokRes);
    assertTokenShape(tok);
    assert.deepEqual(tok.scope.split(' ').sort(), ['read', 'write']);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token }));
    assert.equal(me.username, alice.username);

    // A code is single-use.
    assertOAuthError(await redeem(app, { code, redirectUri: REDIRECT, verifier }), 400, 'invalid_grant');
  });

  test('a wrong code_verifier is 400 invalid_grant', async () => {
    const { challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: alice.password });
    assert.equal(res.status, 302, res.text.slice(0, 300));
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    const wrong = pkcePair().verifier;
    assertOAuthError(await redeem(app, { code, redirectUri: REDIRECT, verifier: wrong }), 400, 'invalid_grant');
  });

  test('a missing code_verifier for a PKCE code is 400 invalid_grant or invalid_request', async () => {
    const { challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: alice.password });
    assert.equal(res.status, 302, res.text.slice(0, 300));
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    assertOAuthError(await redeem(app, { code, redirectUri: REDIRECT, verifier: undefined }), 400, ['invalid_grant', 'invalid_request']);
  });

  test('redeeming with a different redirect_uri is 400 invalid_grant', async () => {
    const { verifier, challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: alice.password });
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    assertOAuthError(await redeem(app, { code, redirectUri: OOB, verifier }), 400, 'invalid_grant');
  });

  test('a code issued to one client cannot be redeemed by another', async () => {
    const other = await createApp(server, 'read write follow', { redirect_uris: [REDIRECT, OOB] });
    const { verifier, challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: alice.password });
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    assertOAuthError(await redeem(other, { code, redirectUri: REDIRECT, verifier }), 400, 'invalid_grant');
  });

  test('an unknown code is 400 invalid_grant', async () => {
    assertOAuthError(await redeem(app, { code: 'no-such-code', redirectUri: REDIRECT, verifier: pkcePair().verifier }), 400, 'invalid_grant');
  });

  test('the out-of-band redirect URI shows the code on an HTML page', async () => {
    const { verifier, challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: OOB, challenge, username: alice.username, password: alice.password });
    assert.equal(res.status, 200, `status ${res.status} location ${res.headers.get('location')}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    // Find the code on the page: try every plausible token-like string.
    const candidates = new Set();
    for (const m of res.text.matchAll(/<(code|pre|kbd|samp|span|div|p|strong|b|td)\b[^>]*>\s*([A-Za-z0-9_\-.~]{16,})\s*</gi)) candidates.add(m[2]);
    for (const i of parseInputs(res.text)) if (i.value && /^[A-Za-z0-9_\-.~]{16,}$/.test(i.value)) candidates.add(i.value);
    for (const m of res.text.matchAll(/[A-Za-z0-9_\-.~]{20,}/g)) candidates.add(m[0]);
    assert.ok(candidates.size > 0, `no code found on the page:\n${res.text.slice(0, 1000)}`);
    let token = null;
    for (const code of candidates) {
      const r = await redeem(app, { code, redirectUri: OOB, verifier });
      if (r.status === 200) { token = r.json; break; }
    }
    assert.ok(token, `none of the strings on the oob page redeemed as a code:\n${res.text.slice(0, 1000)}`);
    assertTokenShape(token);
  });

  test('a wrong password on the consent form issues no code', async () => {
    const { challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: 'definitely wrong' });
    const location = res.headers.get('location') ?? '';
    assert.ok(!/[?&]code=/.test(location), `wrong password must not redirect with a code: ${location}`);
    assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `status ${res.status}`);
  });

  test('an unknown user on the consent form issues no code', async () => {
    const { challenge } = pkcePair();
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: 'nobody_at_all', password: 'whatever password' });
    assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''));
    assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `status ${res.status}`);
  });

  test('the consent form POSTed with its hidden fields but without the page\'s cookie issues no code', async (t) => {
    const { challenge } = pkcePair();
    const q = authorizeQuery({ app, redirectUri: REDIRECT, challenge });
    const page = await api(server, 'GET', `/oauth/authorize?${q}`);
    if (page.cookies.length === 0) {
      t.skip('the consent page sets no cookie');
      return;
    }
    const form = { ...parseHiddenInputs(page.text), ...Object.fromEntries(q), username: alice.username, password: alice.password };
    const res = await api(server, 'POST', '/oauth/authorize', { form });
    assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''), 'a POST without the cookie must not yield a code');
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  });

  test('the consent form POSTed without its anti-forgery field issues no code', async (t) => {
    const { challenge } = pkcePair();
    const page = await api(server, 'GET', `/oauth/authorize?${authorizeQuery({ app, redirectUri: REDIRECT, challenge })}`);
    const extra = Object.keys(parseHiddenInputs(page.text)).filter((n) => !OAUTH_PARAMS.has(n));
    if (extra.length === 0) {
      t.skip('the consent page has no anti-forgery hidden field');
      return;
    }
    const { res } = await authorize({ app, redirectUri: REDIRECT, challenge, username: alice.username, password: alice.password, dropHidden: true });
    assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''), 'a forged POST must not yield a code');
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  });
});

// -------------------------------------------------------------------------
describe('bearer tokens and scopes', () => {
  let app;
  before(async () => { app = await createApp(server, 'read write follow'); });

  test('a read-only token can read verify_credentials but cannot PATCH update_credentials (403 insufficient_scope)', async () => {
    const token = await passwordToken(server, app, alice.username, alice.password, 'read');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token, json: { display_name: 'nope' } });
    assertError(res, 403, 'insufficient_scope');
  });

  test('read:accounts is enough for verify_credentials; write:accounts alone is not', async () => {
    const reader = await passwordToken(server, app, alice.username, alice.password, 'read:accounts');
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: reader }));
    const writer = await passwordToken(server, app, alice.username, alice.password, 'write:accounts');
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: writer }), 403, 'insufficient_scope');
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: writer, json: { note: 'scoped write' } }));
  });

  test('an unknown token is 401', async () => {
    const res = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: 'x'.repeat(43) });
    assertError(res, 401, ['invalid_token', 'unauthorized']);
  });

  test('no token on verify_credentials is 401', async () => {
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials'), 401, ['unauthorized', 'invalid_token']);
  });

  test('malformed Authorization headers are 401, not 500', async () => {
    for (const value of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer', 'Token abc', `Bearer ${'a'.repeat(5000)}`]) {
      const res = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { headers: { authorization: value } });
      assertError(res, 401);
    }
  });

  test('the Bearer scheme is case-insensitive', async () => {
    const token = await passwordToken(server, app, alice.username, alice.password, 'read');
    const res = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { headers: { authorization: `bearer ${token}` } });
    assertOk(res);
  });
});
