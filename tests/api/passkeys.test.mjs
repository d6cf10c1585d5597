// Passkeys (docs/account-security.md, "Passkeys (WebAuthn)" and "Signing in
// with a second factor"): registration options behind the password,
// registering ES256, EdDSA and RS256 credentials (the first second factor
// makes the recovery codes), the refusals of registrations that do not
// verify, the passkey as the second step of the web sign-in and of the
// OAuth authorize page, replays, counters, forged and foreign assertions, the
// limit of wrong attempts, renaming and removing (the last factor takes the
// recovery codes with it), accounts with TOTP and a passkey, and
// organisations that require a second factor of their staff.
//
// Credentials and assertions are made by a software authenticator
// (lib/authenticator.mjs) as a browser would make them for this server: the
// relying party is the server's public URL, http://127.0.0.1:PORT, so the
// rpId is 127.0.0.1 and the origin http://127.0.0.1:PORT. (Browsers refuse
// IP addresses as rpIds; the server's checks do not care.) TOTP codes come
// from oathtool, as in second-factors.test.mjs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ISO_MS, api, assertError, assertOk, assertTokenShape, createApp, joinStaff, makeAdmin, parseHiddenInputs,
  parseInputs, pkcePair, register, signIn, sleep, startServer, uniqueName,
} from './lib/server.mjs';
import { Authenticator, FLAGS, b64url, fromB64url } from './lib/authenticator.mjs';

const BASE = '/api/vantage/v1/second_factors';
const TOTP = `${BASE}/totp`;
const CONFIRM = `${TOTP}/confirm`;
const WEBAUTHN = `${BASE}/webauthn`;
const OPTIONS = `${WEBAUTHN}/options`;
const REDIRECT = 'https://client.example/callback';
const RP_ID = '127.0.0.1';
const ALGS = ['ES256', 'EdDSA', 'RS256'];
const RECOVERY_CODE = /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const STEP_SECONDS = 30;

let server;
let admin;

// ---------------------------------------------------------------------------
// Accounts and passkeys

const authenticator = (alg, opts = {}) => new Authenticator(alg, { rpId: RP_ID, origin: server.url, ...opts });

async function registerUser(prefix) {
  const user = await register(server, { prefix });
  user.id = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token })).id;
  return user;
}

async function status(account) {
  return assertOk(await api(server, 'GET', BASE, { token: account.token }));
}

function requestOptions(account, password = account.password) {
  return api(server, 'POST', OPTIONS, { token: account.token, json: { password } });
}

// The creation options (`publicKey`) for `account`.
async function creationOptions(account) {
  const body = assertOk(await requestOptions(account));
  assert.ok(body.publicKey && typeof body.publicKey === 'object', JSON.stringify(body));
  return body.publicKey;
}

function postCredential(account, name, credential) {
  return api(server, 'POST', WEBAUTHN, { token: account.token, json: { name, credential } });
}

// Asks for options, lets `auth` answer them and registers the answer.
async function addPasskey(account, auth, name = `${auth.alg} key`, over = {}) {
  const publicKey = await creationOptions(account);
  return postCredential(account, name, auth.create(publicKey, over));
}

// A fresh account with one passkey of `alg`: {...account, auth, passkeyId, recovery}.
async function withPasskey(prefix, alg = 'ES256', opts = {}) {
  const account = await registerUser(prefix);
  const auth = authenticator(alg, opts);
  const body = assertOk(await addPasskey(account, auth));
  Object.assign(account, { auth, passkeyId: body.passkey.id, recovery: [...body.recovery_codes] });
  return account;
}

function assertRecoveryCodes(codes) {
  assert.ok(Array.isArray(codes), JSON.stringify(codes));
  assert.equal(codes.length, 10, `ten recovery codes: ${JSON.stringify(codes)}`);
  for (const c of codes) assert.match(c, RECOVERY_CODE, JSON.stringify(codes));
  assert.equal(new Set(codes).size, 10, JSON.stringify(codes));
}

function assertNoRecoveryCodes(body) {
  const codes = body.recovery_codes ?? [];
  assert.ok(Array.isArray(codes) && codes.length === 0, `no recovery codes after the first factor: ${JSON.stringify(body)}`);
}

function assertPasskeyShape(passkey, name) {
  const s = JSON.stringify(passkey);
  assert.equal(typeof passkey.id, 'string', s);
  assert.match(passkey.id, /^\d+$/, s);
  assert.equal(passkey.name, name, s);
  assert.match(passkey.created_at, ISO_MS, s);
  assert.ok(passkey.last_used_at === null || ISO_MS.test(passkey.last_used_at), s);
}

// A base64url challenge of 32 bytes.
function assertChallenge(challenge) {
  assert.equal(typeof challenge, 'string', JSON.stringify(challenge));
  assert.match(challenge, BASE64URL, challenge);
  assert.equal(fromB64url(challenge).length, 32, `32 random bytes: ${challenge}`);
}

// ---------------------------------------------------------------------------
// TOTP (for the accounts that have both)

const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

function codeAt(secret, step) {
  return execFileSync('oathtool', ['--totp', '-b', `--now=@${step * STEP_SECONDS + 15}`, secret],
    { encoding: 'utf8' }).trim();
}

// A code the server accepts now and that is not spent: the current step's,
// or the next one's. Marks it spent.
async function freshCode(account) {
  for (;;) {
    const left = STEP_SECONDS - ((Date.now() / 1000) % STEP_SECONDS);
    if (left < 4) await sleep(left * 1000 + 150);
    const now = currentStep();
    const step = Math.max(account.spent + 1, now);
    if (step <= now + 1) {
      account.spent = step;
      return codeAt(account.secret, step);
    }
    await sleep((now + 1) * STEP_SECONDS * 1000 - Date.now() + 150);
  }
}

// Turns TOTP on; returns the confirmation's body.
async function enrolTotp(account) {
  const { secret } = assertOk(await api(server, 'POST', TOTP, { token: account.token, json: { password: account.password } }));
  Object.assign(account, { secret, spent: -Infinity });
  return assertOk(await api(server, 'POST', CONFIRM, { token: account.token, json: { code: await freshCode(account) } }));
}

// ---------------------------------------------------------------------------
// Web sign-in

const sessionCookieOf = (res) => res.cookies.map((c) => c.split(';')[0].trim())
  .find((c) => c.startsWith('vantage_session=')) ?? null;

// The password step of an account with a second factor: asserts the 403
// and returns its body ({sign_in_token, methods, webauthn}).
async function passwordStep(account) {
  const res = await api(server, 'POST', '/auth/sign_in', { json: { username: account.username, password: account.password } });
  const body = assertError(res, 403, 'second_factor_required');
  assert.equal(typeof body.sign_in_token, 'string', res.text);
  assert.equal(sessionCookieOf(res), null, `no session before the second factor: ${JSON.stringify(res.cookies)}`);
  return body;
}

function assertionStep(signInToken, credential) {
  return api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: signInToken, credential } });
}

function codeStep(signInToken, code) {
  return api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: signInToken, code } });
}

// Asserts a successful sign-in and that its session works; returns {cookie, csrf}.
async function assertSignedIn(res, account) {
  const body = assertOk(res);
  assert.equal(body.account?.username, account.username, res.text);
  assert.equal(typeof body.csrf_token, 'string', res.text);
  const cookie = sessionCookieOf(res);
  assert.ok(cookie, `a session cookie: ${JSON.stringify(res.cookies)}`);
  const session = assertOk(await api(server, 'GET', '/auth/session', { cookie }));
  assert.equal(session.account.username, account.username);
  const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie }));
  assert.equal(me.username, account.username);
  return { cookie, csrf: body.csrf_token };
}

// The password, then an assertion of `auth` (the account's own by default).
async function signInWithPasskey(account, auth = account.auth) {
  const { sign_in_token: token, webauthn } = await passwordStep(account);
  return assertSignedIn(await assertionStep(token, auth.get(webauthn)), account);
}

function assertInvalidCredential(res) {
  assertError(res, 401, 'invalid_credential', 'credential');
  assert.equal(sessionCookieOf(res), null, `no session: ${JSON.stringify(res.cookies)}`);
}

function assertLimited(res) {
  assert.equal(res.status, 429, `429 after five wrong attempts: ${res.status} ${res.text.slice(0, 300)}`);
  const retry = res.headers.get('retry-after');
  assert.match(retry ?? '', /^\d+$/, `Retry-After in seconds: ${retry}`);
  assert.ok(Number(retry) >= 1 && Number(retry) <= 300, `Retry-After within the 5 minutes: ${retry}`);
}

// ---------------------------------------------------------------------------
// The authorize page

class CookieJar {
  constructor() { this.cookies = new Map(); }

  add(setCookies) {
    for (const c of setCookies) {
      const pair = c.split(';')[0];
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  get header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

function authorizeQuery(app, challenge, state) {
  return new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope: 'read write', state,
    code_challenge: challenge, code_challenge_method: 'S256',
  });
}

// GETs the authorize page and posts it back with the password. Returns {jar, res}.
async function authorizeWithPassword(app, account, { challenge, state = 'st4te-passkey' }) {
  const jar = new CookieJar();
  const q = authorizeQuery(app, challenge, state);
  const page = await api(server, 'GET', `/oauth/authorize?${q}`);
  assert.equal(page.status, 200, `GET /oauth/authorize: ${page.status} ${page.text.slice(0, 300)}`);
  jar.add(page.cookies);
  const form = { ...parseHiddenInputs(page.text), ...Object.fromEntries(q), username: account.username,
    password: account.password };
  const res = await api(server, 'POST', '/oauth/authorize', { form, headers: { cookie: jar.header } });
  jar.add(res.cookies);
  return { jar, res };
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// The passkey button of an authorize page and its options, or null.
function passkeyButton(html) {
  const tag = [...html.matchAll(/<button\b[^>]*>/gi)].map((m) => m[0]).find((t) => /\bid\s*=\s*"passkey"/.test(t));
  if (!tag) return null;
  const m = /\bdata-options\s*=\s*"([^"]*)"/.exec(tag);
  assert.ok(m, `the passkey button carries data-options: ${tag}`);
  return { tag, options: JSON.parse(decodeEntities(m[1])) };
}

// Asserts the page asking for the second factor: the code field, the hidden
// sign-in token and credential fields, and the passkey button with its
// options. Returns {hidden, options}.
function assertPasskeyPage(res, account, status) {
  assert.equal(res.status, status, `the page asking for the second factor: ${res.status} ${res.headers.get('location')} ${res.text.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''), 'no authorization code yet');
  const input = parseInputs(res.text).find((i) => i.name === 'code');
  assert.ok(input, `an input named code:\n${res.text.slice(0, 1500)}`);
  assert.equal(input.autocomplete, 'one-time-code');
  const hidden = parseHiddenInputs(res.text);
  assert.ok(hidden.sign_in_token, `a hidden sign_in_token:\n${res.text.slice(0, 1500)}`);
  for (const field of ['id', 'client_data_json', 'authenticator_data', 'signature']) {
    assert.ok(`credential[${field}]` in hidden, `a hidden credential[${field}]:\n${res.text.slice(0, 2500)}`);
  }
  assert.ok(!res.text.includes(account.password), 'the page does not carry the password');
  const button = passkeyButton(res.text);
  assert.ok(button, `a "Use a passkey instead" button:\n${res.text.slice(0, 2500)}`);
  assert.match(res.text, /Use a passkey instead/);
  assert.match(res.text, /<script\b[^>]*\bsrc\s*=\s*"\/oauth\/passkey\.js"/, 'the page loads /oauth/passkey.js');
  const { options } = button;
  assertChallenge(options.challenge);
  assert.equal(options.rpId, RP_ID, JSON.stringify(options));
  assert.ok(Array.isArray(options.allowCredentials), JSON.stringify(options));
  return { hidden, options };
}

// Posts the page's form back as the script would: the assertion in the
// credential[...] fields, the code field empty.
async function submitAssertion(jar, hidden, credential) {
  const form = { ...hidden, code: '' };
  for (const [k, v] of Object.entries(credential)) form[`credential[${k}]`] = v;
  const res = await api(server, 'POST', '/oauth/authorize', { form, headers: { cookie: jar.header } });
  jar.add(res.cookies);
  return res;
}

function assertCodeRedirect(res, state = 'st4te-passkey') {
  assert.equal(res.status, 302, `a redirect with the code: ${res.status} ${res.text.slice(0, 500)}`);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(location.searchParams.get('state'), state);
  const code = location.searchParams.get('code');
  assert.ok(code && code.length >= 16, `a code in ${location}`);
  return code;
}

async function redeem(app, code, verifier) {
  const res = await api(server, 'POST', '/oauth/token', {
    json: { grant_type: 'authorization_code', client_id: app.client_id, client_secret: app.client_secret, code,
      redirect_uri: REDIRECT, code_verifier: verifier },
  });
  const token = assertOk(res);
  assertTokenShape(token);
  return token;
}

before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '1000', '--sign-in-limit-account', '1000',
    '--registration-limit-ip', '1000']);
  admin = await makeAdmin(server);
});
after(async () => { await server?.stop(); });

// ---------------------------------------------------------------------------
describe('registration options', () => {
  let user;
  before(async () => { user = await registerUser('options'); });

  test('need an account: 401 without credentials', async () => {
    assertError(await api(server, 'POST', OPTIONS, { json: { password: user.password } }), 401);
    assertError(await api(server, 'POST', WEBAUTHN, { json: { name: 'x', credential: {} } }), 401);
    assertError(await api(server, 'GET', BASE), 401);
  });

  test('need the password: a wrong one is 422 invalid_password on password, a missing one 422 on password', async () => {
    assertError(await requestOptions(user, 'not the password 123'), 422, 'invalid_password', 'password');
    assertError(await api(server, 'POST', OPTIONS, { token: user.token, json: {} }), 422, null, 'password');
  });

  test('give the challenge, rp, user, pubKeyCredParams and excludeCredentials', async () => {
    const res = await requestOptions(user);
    const { publicKey } = assertOk(res);
    assertChallenge(publicKey.challenge);
    assert.equal(publicKey.rp?.id, RP_ID, `the rpId is the public URL's host without the port: ${res.text}`);
    assert.equal(typeof publicKey.rp?.name, 'string', res.text);
    assert.ok(publicKey.rp.name.length > 0, res.text);
    assert.equal(typeof publicKey.user?.id, 'string', res.text);
    assert.match(publicKey.user.id, BASE64URL, res.text);
    assert.ok(fromB64url(publicKey.user.id).length >= 1 && fromB64url(publicKey.user.id).length <= 64, res.text);
    assert.ok(publicKey.user.name.includes(user.username), `the user's name names the account: ${res.text}`);
    assert.equal(typeof publicKey.user.displayName, 'string', res.text);
    assert.ok(Array.isArray(publicKey.pubKeyCredParams), res.text);
    for (const p of publicKey.pubKeyCredParams) assert.equal(p.type, 'public-key', res.text);
    assert.deepEqual(publicKey.pubKeyCredParams.map((p) => p.alg).sort((a, b) => a - b), [-257, -8, -7], res.text);
    assert.deepEqual(publicKey.excludeCredentials, [], `nothing to exclude yet: ${res.text}`);
    assert.equal(publicKey.attestation, 'none', res.text);
    assert.equal(publicKey.authenticatorSelection?.userVerification, 'preferred', res.text);
    assert.equal(typeof publicKey.timeout, 'number', res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store', 'options are not cached');
  });

  test('each request has a new challenge; the user id stays the account\'s', async () => {
    const a = await creationOptions(user);
    const b = await creationOptions(user);
    assert.notEqual(a.challenge, b.challenge);
    assert.equal(a.user.id, b.user.id);
    const other = await creationOptions(await registerUser('options'));
    assert.notEqual(other.user.id, a.user.id, 'another account has another user id');
  });

  test('a web session asks for them with its CSRF token (403 csrf_failed without)', async () => {
    const web = await signIn(server, user.username, user.password);
    assertOk(web.res);
    assertError(await api(server, 'POST', OPTIONS, { cookie: web.cookie, json: { password: user.password } }),
      403, 'csrf_failed');
    const body = assertOk(await api(server, 'POST', OPTIONS,
      { cookie: web.cookie, csrf: web.csrf, json: { password: user.password } }));
    assertChallenge(body.publicKey.challenge);
  });
});

// ---------------------------------------------------------------------------
describe('registering passkeys', () => {
  let user;
  const auths = {};
  const ids = {};
  let recovery;

  before(async () => {
    user = await registerUser('reg');
    for (const alg of ALGS) auths[alg] = authenticator(alg);
  });

  test('before any: GET lists no passkeys, TOTP off, no recovery codes', async () => {
    const body = await status(user);
    assert.deepEqual(body.passkeys, [], JSON.stringify(body));
    assert.equal(body.totp, false);
    assert.equal(body.recovery_codes_remaining, 0);
  });

  test('the first passkey (ES256) is registered and makes the ten recovery codes', async () => {
    const res = await addPasskey(user, auths.ES256, 'Laptop');
    const body = assertOk(res);
    assertPasskeyShape(body.passkey, 'Laptop');
    assert.equal(body.passkey.last_used_at, null, res.text);
    assertRecoveryCodes(body.recovery_codes);
    assert.equal(res.headers.get('cache-control'), 'no-store', 'recovery codes are not cached');
    recovery = body.recovery_codes;
    ids.ES256 = body.passkey.id;
    const after = await status(user);
    assert.equal(after.recovery_codes_remaining, 10, JSON.stringify(after));
    assert.equal(after.totp, false, JSON.stringify(after));
  });

  test('an EdDSA (Ed25519) and an RS256 (2048-bit) passkey are added, with no new recovery codes', async () => {
    for (const [alg, name] of [['EdDSA', 'Security key'], ['RS256', 'Old phone']]) {
      const body = assertOk(await addPasskey(user, auths[alg], name));
      assertPasskeyShape(body.passkey, name);
      assertNoRecoveryCodes(body);
      ids[alg] = body.passkey.id;
    }
    assert.equal(new Set(Object.values(ids)).size, 3, JSON.stringify(ids));
    const after = await status(user);
    assert.equal(after.recovery_codes_remaining, 10, 'the codes of the first are kept');
  });

  test('GET lists the passkeys with their names', async () => {
    const body = await status(user);
    assert.equal(body.passkeys.length, 3, JSON.stringify(body));
    const byId = Object.fromEntries(body.passkeys.map((p) => [p.id, p]));
    for (const [alg, name] of [['ES256', 'Laptop'], ['EdDSA', 'Security key'], ['RS256', 'Old phone']]) {
      assert.ok(byId[ids[alg]], `${alg} is listed: ${JSON.stringify(body)}`);
      assertPasskeyShape(byId[ids[alg]], name);
    }
    for (const p of body.passkeys) {
      assert.equal(p.public_key, undefined, 'the key stays on the server');
    }
  });

  test('a registration without new options is 409 no_registration: options are single-use', async () => {
    const fresh = authenticator('ES256');
    const publicKey = await creationOptions(user);
    assertOk(await postCredential(user, 'Tablet', fresh.create(publicKey)));
    const another = authenticator('ES256');
    assertError(await postCredential(user, 'Spare', another.create(publicKey)), 409, 'no_registration');
    const body = await status(user);
    assert.equal(body.passkeys.length, 4);
    assert.ok(!body.passkeys.some((p) => p.name === 'Spare'), JSON.stringify(body));
    // An account that never asked for options.
    const stranger = await registerUser('noopts');
    assertError(await postCredential(stranger, 'Key', authenticator('ES256').create({ challenge: b64url(crypto.randomBytes(32)) })),
      409, 'no_registration');
    assert.deepEqual((await status(stranger)).passkeys, []);
  });

  test('the same authenticator twice: excludeCredentials lists it, and registering it again is 409 passkey_registered', async () => {
    const publicKey = await creationOptions(user);
    const excluded = publicKey.excludeCredentials;
    assert.ok(Array.isArray(excluded), JSON.stringify(publicKey));
    for (const c of excluded) assert.equal(c.type, 'public-key', JSON.stringify(excluded));
    for (const alg of ALGS) {
      assert.ok(excluded.some((c) => c.id === auths[alg].id), `excludeCredentials lists the ${alg} passkey: ${JSON.stringify(excluded)}`);
    }
    assertError(await postCredential(user, 'Laptop again', auths.ES256.create(publicKey)), 409, 'passkey_registered');
    assert.equal((await status(user)).passkeys.length, 4);
  });

  test('another account registering the same credential id is refused too', async () => {
    const other = await registerUser('copycat');
    const res = await addPasskey(other, auths.EdDSA, 'Borrowed');
    assertError(res, 409, 'passkey_registered');
    assert.deepEqual((await status(other)).passkeys, []);
  });

  test('user verification is not required; an attestation statement of another format is not checked', async () => {
    const body = assertOk(await addPasskey(user, authenticator('ES256'), 'No PIN', { flags: FLAGS.UP | FLAGS.AT }));
    assertPasskeyShape(body.passkey, 'No PIN');
    const packed = assertOk(await addPasskey(user, authenticator('EdDSA'), 'Packed',
      { fmt: 'packed', attStmt: { alg: -7, sig: crypto.randomBytes(70) } }));
    assertPasskeyShape(packed.passkey, 'Packed');
  });

  test('the recovery codes of the first passkey sign in', async () => {
    const { sign_in_token: token, methods } = await passwordStep(user);
    assert.ok(methods.includes('recovery_code'), JSON.stringify(methods));
    await assertSignedIn(await codeStep(token, recovery[0]), user);
    assert.equal((await status(user)).recovery_codes_remaining, 9);
  });

  test('a name of 51 characters or an empty one is 422 naming name; 50 characters will do', async () => {
    for (const name of ['', '   ', 'x'.repeat(51)]) {
      const res = await addPasskey(user, authenticator('ES256'), name);
      assertError(res, 422, null, 'name');
    }
    const body = assertOk(await addPasskey(user, authenticator('ES256'), 'é'.repeat(50)));
    assert.equal(body.passkey.name, 'é'.repeat(50));
  });
});

// ---------------------------------------------------------------------------
describe('registrations that do not verify', () => {
  let user;
  before(async () => { user = await registerUser('refused'); });

  // Each case gets its own options; the answer is 422 invalid_credential.
  const cases = () => {
    const port = server.port;
    return [
      ['an origin of another host', { origin: `http://localhost:${port}` }],
      ['an origin of another port', { origin: `http://127.0.0.1:${port === 65535 ? 65534 : port + 1}` }],
      ['an origin of another scheme', { origin: `https://127.0.0.1:${port}` }],
      ['an origin with a path', { origin: `http://127.0.0.1:${port}/` }],
      ['the rpId hash of another host', { rpId: 'localhost' }],
      ['the rpId hash of a host with the port', { rpId: `127.0.0.1:${port}` }],
      ['another challenge', { challenge: b64url(crypto.randomBytes(32)) }],
      ['the type of an assertion', { type: 'webauthn.get' }],
      ['crossOrigin true', { crossOrigin: true }],
      ['the UP flag clear', { flags: FLAGS.UV | FLAGS.AT }],
      ['the AT flag clear', { flags: FLAGS.UP | FLAGS.UV }],
      ['bytes after the authenticator data', { extraAuthData: Buffer.from([0, 1, 2]) }],
      ['clientDataJSON that is not JSON', { clientData: Buffer.from('{"type":"webauthn.create",') }],
    ];
  };

  test('each is 422 invalid_credential on credential, and nothing is registered', async () => {
    for (const [what, over] of cases()) {
      const res = await addPasskey(user, authenticator('ES256'), what.slice(0, 50), over);
      try {
        assertError(res, 422, 'invalid_credential', 'credential');
      } catch (err) {
        err.message = `${what}: ${err.message}`;
        throw err;
      }
    }
    const body = await status(user);
    assert.deepEqual(body.passkeys, [], JSON.stringify(body));
    assert.equal(body.recovery_codes_remaining, 0);
  });

  test('an RSA key of 1024 bits is refused', async () => {
    const weak = authenticator('RS256', { modulusLength: 1024 });
    assertError(await addPasskey(user, weak, 'Weak'), 422, 'invalid_credential', 'credential');
    assert.deepEqual((await status(user)).passkeys, []);
  });

  test('garbage instead of base64url is 422 naming credential', async () => {
    const good = authenticator('ES256').create(await creationOptions(user));
    for (const credential of [
      { ...good, client_data_json: 'not*base64url!' },
      { ...good, attestation_object: '%%%%' },
      { ...good, attestation_object: '' },
      { client_data_json: good.client_data_json },
    ]) {
      assertError(await postCredential(user, 'Garbage', credential), 422, null, 'credential');
    }
    assertError(await api(server, 'POST', WEBAUTHN, { token: user.token, json: { name: 'Garbage' } }), 422, null, 'credential');
    assertError(await postCredential(user, 'Garbage', 'a string'), [400, 422], null, 'credential');
    assert.deepEqual((await status(user)).passkeys, []);
  });

  test('afterwards a good registration still works', async () => {
    const body = assertOk(await addPasskey(user, authenticator('EdDSA'), 'Finally'));
    assertRecoveryCodes(body.recovery_codes);
  });
});

// ---------------------------------------------------------------------------
describe('signing in with a passkey', () => {
  let person;         // three passkeys, one of each algorithm
  const auths = {};

  before(async () => {
    person = await registerUser('signin');
    for (const alg of ALGS) {
      auths[alg] = authenticator(alg);
      assertOk(await addPasskey(person, auths[alg]));
    }
  });

  test('the password step answers 403 with the methods (webauthn among them) and the request options', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: person.username, password: person.password } });
    const body = assertError(res, 403, 'second_factor_required');
    assert.ok(body.methods.includes('webauthn'), res.text);
    assert.ok(body.methods.includes('recovery_code'), res.text);
    assert.ok(!body.methods.includes('totp'), `no TOTP on this account: ${res.text}`);
    const { webauthn } = body;
    assert.ok(webauthn && typeof webauthn === 'object', res.text);
    assertChallenge(webauthn.challenge);
    assert.equal(webauthn.rpId, RP_ID, res.text);
    assert.equal(webauthn.userVerification, 'preferred', res.text);
    assert.equal(typeof webauthn.timeout, 'number', res.text);
    assert.ok(Array.isArray(webauthn.allowCredentials), res.text);
    for (const c of webauthn.allowCredentials) assert.equal(c.type, 'public-key', res.text);
    assert.deepEqual(webauthn.allowCredentials.map((c) => c.id).sort(), ALGS.map((a) => auths[a].id).sort(), res.text);
    assert.equal(sessionCookieOf(res), null);
    assert.equal(body.csrf_token, undefined, res.text);
    // A new sign-in has a new challenge.
    const again = await passwordStep(person);
    assert.notEqual(again.webauthn.challenge, webauthn.challenge);
  });

  for (const alg of ALGS) {
    test(`an ${alg} assertion signs in; the web session works; last_used_at is set`, async () => {
      await signInWithPasskey(person, auths[alg]);
      const listed = (await status(person)).passkeys.find((p) => p.name === `${alg} key`);
      assert.ok(listed, JSON.stringify(await status(person)));
      assert.match(listed.last_used_at ?? '', ISO_MS, JSON.stringify(listed));
    });
  }

  test('user verification is not required: an assertion with UP alone signs in', async () => {
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    await assertSignedIn(await assertionStep(token, auths.ES256.get(webauthn, { flags: FLAGS.UP })), person);
  });

  test('the same assertion again: 401 sign_in_expired on its spent token, 401 invalid_credential on a new one', async () => {
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    const assertion = auths.EdDSA.get(webauthn);
    await assertSignedIn(await assertionStep(token, assertion), person);
    const replayed = await assertionStep(token, assertion);
    assertError(replayed, 401, 'sign_in_expired');
    assert.equal(sessionCookieOf(replayed), null);
    const fresh = await passwordStep(person);
    assertInvalidCredential(await assertionStep(fresh.sign_in_token, assertion));
    // The new token still takes a good one.
    await assertSignedIn(await assertionStep(fresh.sign_in_token, auths.EdDSA.get(fresh.webauthn)), person);
  });

  test('an unknown sign_in_token is 401 sign_in_expired', async () => {
    const { webauthn } = await passwordStep(person);
    const res = await assertionStep(b64url(crypto.randomBytes(32)), auths.ES256.get(webauthn));
    assertError(res, 401, 'sign_in_expired');
  });
});

// ---------------------------------------------------------------------------
describe('assertions that are refused', () => {
  test('a counter that does not move forward is refused; one that does is accepted', async () => {
    const person = await withPasskey('counter', 'ES256', { signCount: 10 });
    await signInWithPasskey(person);            // 11
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, { signCount: 11 })));
    assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, { signCount: 3 })));
    assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, { signCount: 0 })));
    await assertSignedIn(await assertionStep(token, person.auth.get(webauthn, { signCount: 12 })), person);
  });

  test('an authenticator that keeps no counter (0 at registration and ever after) signs in again and again', async () => {
    const person = await withPasskey('nocounter', 'EdDSA', { signCount: 0, counterStep: 0 });
    await signInWithPasskey(person);
    await signInWithPasskey(person);
    // Once a counter was seen, 0 no longer does.
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    await assertSignedIn(await assertionStep(token, person.auth.get(webauthn, { signCount: 5 })), person);
    const next = await passwordStep(person);
    assertInvalidCredential(await assertionStep(next.sign_in_token, person.auth.get(next.webauthn, { signCount: 0 })));
  });

  test('a forged signature, another key, an unknown credential id: 401 invalid_credential; the token still works', async () => {
    const person = await withPasskey('forged', 'ES256');
    const { sign_in_token: token, webauthn } = await passwordStep(person);

    const good = person.auth.get(webauthn, { signCount: 1000 });
    const sig = fromB64url(good.signature);
    sig[sig.length - 3] ^= 0x01;
    assertInvalidCredential(await assertionStep(token, { ...good, signature: b64url(sig) }));

    const stranger = authenticator('ES256');
    assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, { signer: stranger })));
    assertInvalidCredential(await assertionStep(token, stranger.get(webauthn)));

    await assertSignedIn(await assertionStep(token, person.auth.get(webauthn)), person);
  });

  test('another account\'s passkey, properly signed, is 401 invalid_credential', async () => {
    const person = await withPasskey('mine', 'RS256');
    const other = await withPasskey('theirs', 'RS256');
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    assertInvalidCredential(await assertionStep(token, other.auth.get(webauthn)));
    await assertSignedIn(await assertionStep(token, person.auth.get(webauthn)), person);
  });

  test('an assertion for another origin, rpId, type, cross-origin frame or without UP: 401 invalid_credential', async () => {
    for (const [what, over] of [
      ['another origin', { origin: `http://localhost:${server.port}` }],
      ['another rpId', { rpId: 'localhost' }],
      ['a registration\'s type', { type: 'webauthn.create' }],
      ['crossOrigin true', { crossOrigin: true }],
      ['the UP flag clear', { flags: FLAGS.UV }],
      ['the AT flag set', { flags: FLAGS.UP | FLAGS.AT }],
    ]) {
      // A fresh account for each, to stay under the limit of wrong attempts.
      const person = await withPasskey('wrongrp', 'EdDSA');
      const { sign_in_token: token, webauthn } = await passwordStep(person);
      try {
        assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, over)));
      } catch (err) {
        err.message = `${what}: ${err.message}`;
        throw err;
      }
    }
  });

  test('a credential that is not base64url is 422 naming credential', async () => {
    const person = await withPasskey('garbage', 'ES256');
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    const good = person.auth.get(webauthn);
    for (const credential of [{ ...good, signature: '***' }, { ...good, authenticator_data: '' }, { id: good.id }]) {
      assertError(await assertionStep(token, credential), [400, 422], null, 'credential');
    }
    await assertSignedIn(await assertionStep(token, good), person);
  });
});

// ---------------------------------------------------------------------------
describe('the limit on wrong attempts', () => {
  test('five wrong assertions, then the sixth, even a good one, is 429 with Retry-After', async () => {
    const person = await withPasskey('limit', 'ES256');
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    const stranger = authenticator('ES256');
    for (let i = 0; i < 5; i++) {
      assertInvalidCredential(await assertionStep(token, person.auth.get(webauthn, { signer: stranger })));
    }
    const sixth = await assertionStep(token, person.auth.get(webauthn));
    assertLimited(sixth);
    assertError(sixth, 429);
    assert.equal(sessionCookieOf(sixth), null);
    // The recovery codes are limited too.
    const codeRes = await codeStep(token, person.recovery[0]);
    assertLimited(codeRes);
    assert.equal((await status(person)).recovery_codes_remaining, 10);
  });

  test('wrong assertions and wrong codes count together', async () => {
    const person = await withPasskey('limitmix', 'EdDSA');
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    for (let i = 0; i < 3; i++) assertError(await codeStep(token, `zzzzz-zzzz${i}`), 401, 'invalid_code', 'code');
    for (let i = 0; i < 2; i++) {
      assertInvalidCredential(await assertionStep(token, authenticator('EdDSA').get(webauthn)));
    }
    assertLimited(await assertionStep(token, person.auth.get(webauthn)));
  });

  test('another account is not limited by them', async () => {
    const person = await withPasskey('unlimited', 'RS256');
    await signInWithPasskey(person);
  });
});

// ---------------------------------------------------------------------------
describe('the OAuth authorize page', () => {
  let person;
  let app;
  before(async () => {
    person = await withPasskey('authorize', 'ES256');
    app = await createApp(server, 'read write', { redirect_uris: REDIRECT });
  });

  test('after the password it offers the passkey, and the assertion in the form redirects with a code that redeems', async () => {
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const { hidden, options } = assertPasskeyPage(res, person, 200);
    assert.deepEqual(options.allowCredentials.map((c) => c.id), [person.auth.id], JSON.stringify(options));
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, `the page's CSP lets its own script run: ${csp}`);
    assert.ok(!csp.includes('unsafe-inline'), csp);

    const redirected = await submitAssertion(jar, hidden, person.auth.get(options));
    const code = assertCodeRedirect(redirected);
    const token = await redeem(app, code, verifier);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: token.access_token }));
    assert.equal(me.username, person.username);
  });

  test('a wrong assertion asks again (401), and the page still offers the passkey', async () => {
    const { jar, res } = await authorizeWithPassword(app, person, { challenge: pkcePair().challenge });
    const { hidden, options } = assertPasskeyPage(res, person, 200);
    const wrong = await submitAssertion(jar, hidden, authenticator('ES256').get(options));
    const again = assertPasskeyPage(wrong, person, 401);
    assert.equal(again.hidden.sign_in_token, hidden.sign_in_token, 'the same sign-in goes on');
    const redirected = await submitAssertion(jar, again.hidden, person.auth.get(again.options));
    assertCodeRedirect(redirected);
  });

  test('after a wrong assertion, the same sign-in takes a good one and authorizes', async () => {
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const { hidden, options } = assertPasskeyPage(res, person, 200);
    const wrong = await submitAssertion(jar, hidden, authenticator('ES256').get(options));
    assert.equal(wrong.status, 401, `${wrong.status} ${wrong.text.slice(0, 300)}`);
    assert.ok(!/[?&]code=/.test(wrong.headers.get('location') ?? ''), 'no authorization code');
    const retry = parseHiddenInputs(wrong.text);
    assert.equal(retry.sign_in_token, hidden.sign_in_token, 'the same sign-in goes on');
    const redirected = await submitAssertion(jar, retry, person.auth.get(options));
    await redeem(app, assertCodeRedirect(redirected), verifier);
  });

  test('a recovery code in the code field works, with the passkey\'s fields left empty as a browser sends them', async () => {
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const { hidden } = assertPasskeyPage(res, person, 200);
    const posted = await api(server, 'POST', '/oauth/authorize',
      { form: { ...hidden, code: person.recovery[0] }, headers: { cookie: jar.header } });
    await redeem(app, assertCodeRedirect(posted), verifier);
    assert.equal((await status(person)).recovery_codes_remaining, 9);
  });

  test('the same assertion on a second authorization is refused', async () => {
    const first = await authorizeWithPassword(app, person, { challenge: pkcePair().challenge });
    const page = assertPasskeyPage(first.res, person, 200);
    const assertion = person.auth.get(page.options);
    assertCodeRedirect(await submitAssertion(first.jar, page.hidden, assertion));
    const second = await authorizeWithPassword(app, person, { challenge: pkcePair().challenge });
    const secondPage = assertPasskeyPage(second.res, person, 200);
    const res = await submitAssertion(second.jar, secondPage.hidden, assertion);
    assert.equal(res.status, 401, `${res.status} ${res.text.slice(0, 300)}`);
    assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''), 'no authorization code');
  });

  test('GET /oauth/passkey.js is JavaScript that asks the browser for an assertion', async () => {
    const res = await api(server, 'GET', '/oauth/passkey.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^(text|application)\/javascript/);
    assert.match(res.text, /navigator\.credentials\.get/);
    assert.match(res.text, /credential\[client_data_json\]/);
  });
});

// ---------------------------------------------------------------------------
describe('renaming and removing', () => {
  let person;
  let second;   // a second passkey of person's
  let other;

  before(async () => {
    person = await withPasskey('rename', 'ES256');
    second = authenticator('RS256');
    const body = assertOk(await addPasskey(person, second, 'Backup'));
    second.passkeyId = body.passkey.id;
    other = await withPasskey('otherrename', 'EdDSA');
  });

  const rename = (who, id, name) => api(server, 'PATCH', `${WEBAUTHN}/${id}`, { token: who.token, json: { name } });
  const remove = (who, id, fields) => api(server, 'DELETE', `${WEBAUTHN}/${id}`, { token: who.token, json: fields });

  test('a new name is kept; 1 and 50 characters will do', async () => {
    assert.deepEqual(assertOk(await rename(person, person.passkeyId, 'Work laptop')), {});
    let listed = (await status(person)).passkeys.find((p) => p.id === person.passkeyId);
    assert.equal(listed.name, 'Work laptop');
    assertOk(await rename(person, person.passkeyId, 'k'));
    assertOk(await rename(person, person.passkeyId, 'n'.repeat(50)));
    listed = (await status(person)).passkeys.find((p) => p.id === person.passkeyId);
    assert.equal(listed.name, 'n'.repeat(50));
    assertOk(await rename(person, person.passkeyId, 'Work laptop'));
  });

  test('an empty name or one of 51 characters is 422 on name', async () => {
    for (const name of ['', '  ', 'x'.repeat(51)]) assertError(await rename(person, person.passkeyId, name), 422, null, 'name');
    assertError(await api(server, 'PATCH', `${WEBAUTHN}/${person.passkeyId}`, { token: person.token, json: {} }), 422, null, 'name');
    assert.equal((await status(person)).passkeys.find((p) => p.id === person.passkeyId).name, 'Work laptop');
  });

  test('another account\'s passkey or an unknown id is 404; without credentials 401', async () => {
    assertError(await rename(person, other.passkeyId, 'Mine now'), 404);
    assertError(await rename(person, '999999999999', 'Nothing'), 404);
    assertError(await api(server, 'PATCH', `${WEBAUTHN}/${person.passkeyId}`, { json: { name: 'x' } }), 401);
    const theirs = (await status(other)).passkeys.find((p) => p.id === other.passkeyId);
    assert.equal(theirs.name, 'EdDSA key');
  });

  test('removing needs the password: missing or wrong is 422 on password; another account\'s is 404', async () => {
    assertError(await remove(person, person.passkeyId, {}), 422, null, 'password');
    assertError(await remove(person, person.passkeyId, { password: 'not the password 123' }), 422, 'invalid_password', 'password');
    assertError(await remove(person, other.passkeyId, { password: person.password }), 404);
    assertError(await remove(person, '999999999999', { password: person.password }), 404);
    assertError(await api(server, 'DELETE', `${WEBAUTHN}/${person.passkeyId}`, { json: { password: person.password } }), 401);
    assert.equal((await status(person)).passkeys.length, 2);
    assert.equal((await status(other)).passkeys.length, 1);
  });

  test('removing one of two keeps the recovery codes; the removed one no longer signs in', async () => {
    assert.deepEqual(assertOk(await remove(person, second.passkeyId, { password: person.password })), {});
    const body = await status(person);
    assert.deepEqual(body.passkeys.map((p) => p.id), [person.passkeyId]);
    assert.equal(body.recovery_codes_remaining, 10);
    const { sign_in_token: token, webauthn } = await passwordStep(person);
    assert.deepEqual(webauthn.allowCredentials.map((c) => c.id), [person.auth.id]);
    assertInvalidCredential(await assertionStep(token, second.get(webauthn)));
    await assertSignedIn(await assertionStep(token, person.auth.get(webauthn)), person);
    assertError(await rename(person, second.passkeyId, 'Gone'), 404);
  });

  test('removing the last factor deletes the recovery codes, and the password alone signs in', async () => {
    assertOk(await remove(person, person.passkeyId, { password: person.password }));
    const body = await status(person);
    assert.deepEqual(body.passkeys, []);
    assert.equal(body.recovery_codes_remaining, 0);
    assert.equal(body.totp, false);
    const web = await signIn(server, person.username, person.password);
    await assertSignedIn(web.res, person);
    // Registering again makes new codes, and the old ones stay void.
    const again = assertOk(await addPasskey(person, authenticator('EdDSA'), 'New key'));
    assertRecoveryCodes(again.recovery_codes);
    assert.ok(again.recovery_codes.every((c) => !person.recovery.includes(c)));
    const { sign_in_token: token } = await passwordStep(person);
    assertError(await codeStep(token, person.recovery[1]), 401, 'invalid_code', 'code');
    await assertSignedIn(await codeStep(token, again.recovery_codes[0]), person);
  });
});

// ---------------------------------------------------------------------------
describe('TOTP and a passkey', () => {
  let person;
  let auth;
  let recovery;

  before(async () => {
    person = await registerUser('both');
    recovery = (await enrolTotp(person)).recovery_codes;
    auth = authenticator('ES256');
  });

  test('a passkey added after TOTP makes no new recovery codes', async () => {
    const body = assertOk(await addPasskey(person, auth, 'Phone'));
    assertNoRecoveryCodes(body);
    const state = await status(person);
    assert.equal(state.totp, true);
    assert.equal(state.passkeys.length, 1);
    assert.equal(state.recovery_codes_remaining, 10);
  });

  test('the password step offers all three methods', async () => {
    const body = await passwordStep(person);
    assert.deepEqual([...body.methods].sort(), ['recovery_code', 'totp', 'webauthn'], JSON.stringify(body));
    assert.deepEqual(body.webauthn.allowCredentials.map((c) => c.id), [auth.id]);
  });

  test('either a TOTP code or the passkey signs in', async () => {
    const first = await passwordStep(person);
    await assertSignedIn(await codeStep(first.sign_in_token, await freshCode(person)), person);
    const second = await passwordStep(person);
    await assertSignedIn(await assertionStep(second.sign_in_token, auth.get(second.webauthn)), person);
    const third = await passwordStep(person);
    await assertSignedIn(await codeStep(third.sign_in_token, recovery[0]), person);
  });

  test('on the authorize page, a TOTP code in the code field works, the passkey\'s fields left empty as a browser sends them', async () => {
    const app = await createApp(server, 'read write', { redirect_uris: REDIRECT });
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const { hidden } = assertPasskeyPage(res, person, 200);
    const posted = await api(server, 'POST', '/oauth/authorize',
      { form: { ...hidden, code: await freshCode(person) }, headers: { cookie: jar.header } });
    await redeem(app, assertCodeRedirect(posted), verifier);
  });

  test('on the authorize page, the passkey works too', async () => {
    const app = await createApp(server, 'read write', { redirect_uris: REDIRECT });
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const { hidden, options } = assertPasskeyPage(res, person, 200);
    const redirected = await submitAssertion(jar, hidden, auth.get(options));
    await redeem(app, assertCodeRedirect(redirected), verifier);
  });

  test('removing the passkey keeps TOTP and the recovery codes; turning TOTP off then leaves none', async () => {
    const [passkey] = (await status(person)).passkeys;
    assertOk(await api(server, 'DELETE', `${WEBAUTHN}/${passkey.id}`, { token: person.token, json: { password: person.password } }));
    let state = await status(person);
    assert.equal(state.totp, true);
    assert.equal(state.recovery_codes_remaining, 9);
    const body = await passwordStep(person);
    assert.ok(!body.methods.includes('webauthn'), JSON.stringify(body));
    assertOk(await api(server, 'DELETE', TOTP, { token: person.token, json: { password: person.password, code: recovery[1] } }));
    state = await status(person);
    assert.equal(state.totp, false);
    assert.equal(state.recovery_codes_remaining, 0);
  });

  test('turning TOTP off keeps the recovery codes while a passkey is left', async () => {
    const both = await withPasskey('pkfirst', 'EdDSA');
    await enrolTotp(both);
    assertOk(await api(server, 'DELETE', TOTP, { token: both.token, json: { password: both.password, code: await freshCode(both) } }));
    const state = await status(both);
    assert.equal(state.totp, false);
    assert.equal(state.passkeys.length, 1);
    assert.ok(state.recovery_codes_remaining > 0, `recovery codes stay with the passkey: ${JSON.stringify(state)}`);
    const { sign_in_token: token, methods, webauthn } = await passwordStep(both);
    assert.deepEqual([...methods].sort(), ['recovery_code', 'webauthn'], JSON.stringify(methods));
    await assertSignedIn(await assertionStep(token, both.auth.get(webauthn)), both);
  });
});

// ---------------------------------------------------------------------------
describe('organisations that require a second factor', () => {
  const ORG = (id) => `/api/vantage/v1/organisations/${id}`;
  const ACT = (id) => ({ 'vantage-act-as': String(id) });

  test('accept a staff member whose only second factor is a passkey', async () => {
    // The owner has only a passkey too.
    const owner = await withPasskey('pkowner', 'ES256');
    const created = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
      token: admin.token, json: { username: uniqueName('org'), display_name: 'Passkey Office', owner: owner.username },
    }));
    assert.equal(created.require_second_factor, true, JSON.stringify(created));
    const org = created.account;
    assert.equal(assertOk(await api(server, 'GET', `${ORG(org.id)}/settings`, { token: owner.token })).require_second_factor, true);

    const member = await registerUser('pkstaff');
    await joinStaff(server, org.id, owner, member, ['editor']);
    const refused = assertError(await api(server, 'GET', `${ORG(org.id)}/drafts`, { token: member.token }), 403,
      'second_factor_required');
    assert.ok(refused.error.length > 0);

    const auth = authenticator('RS256');
    assertRecoveryCodes(assertOk(await addPasskey(member, auth)).recovery_codes);
    assertOk(await api(server, 'GET', `${ORG(org.id)}/drafts`, { token: member.token }));
    const as = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: member.token, headers: ACT(org.id) }));
    assert.equal(as.id, org.id);

    // A web session signed in with the passkey acts for the organisation too.
    const { sign_in_token: token, webauthn } = await passwordStep(member);
    const web = await assertSignedIn(await assertionStep(token, auth.get(webauthn)), member);
    assertOk(await api(server, 'GET', `${ORG(org.id)}/drafts`, { cookie: web.cookie }));

    // Without the passkey, the member is refused again.
    const [passkey] = (await status(member)).passkeys;
    assertOk(await api(server, 'DELETE', `${WEBAUTHN}/${passkey.id}`, { token: member.token, json: { password: member.password } }));
    assertError(await api(server, 'GET', `${ORG(org.id)}/drafts`, { token: member.token }), 403, 'second_factor_required');
  });
});

describe('proving a passkey again: reauthentication, new recovery codes, turning TOTP off', () => {
  const CHALLENGE = `${WEBAUTHN}/challenge`;
  const REAUTHENTICATE = '/api/vantage/v1/reauthenticate';

  async function challenge(account) {
    const body = assertOk(await api(server, 'POST', CHALLENGE, { token: account.token }));
    assert.equal(typeof body.challenge_token, 'string', JSON.stringify(body));
    assertChallenge(body.webauthn.challenge);
    assert.equal(body.webauthn.rpId, RP_ID);
    assert.deepEqual(body.webauthn.allowCredentials.map((c) => c.type), ['public-key']);
    return body;
  }

  test('an account whose only second factor is a passkey reauthenticates with it; the challenge works once', async () => {
    const account = await withPasskey('pkreauth');
    assertError(await api(server, 'POST', REAUTHENTICATE, { token: account.token, json: {} }), 422, 'missing_field', 'code');
    const { challenge_token: token, webauthn } = await challenge(account);
    const credential = account.auth.get(webauthn);
    assert.deepEqual(assertOk(await api(server, 'POST', REAUTHENTICATE,
      { token: account.token, json: { challenge_token: token, credential } })), {});
    assertError(await api(server, 'POST', REAUTHENTICATE,
      { token: account.token, json: { challenge_token: token, credential: account.auth.get(webauthn) } }),
    422, 'invalid_token', 'challenge_token');
  });

  test('a challenge is no sign-in token, is the account\'s own, and wants its own passkey', async () => {
    const account = await withPasskey('pkchal');
    const other = await withPasskey('pkchal2');
    const { challenge_token: token, webauthn } = await challenge(account);
    // Not the second step of a sign-in.
    assertError(await assertionStep(token, account.auth.get(webauthn)), 401, 'sign_in_expired');
    // Not another account's.
    assertError(await api(server, 'POST', REAUTHENTICATE,
      { token: other.token, json: { challenge_token: token, credential: other.auth.get(webauthn) } }),
    422, 'invalid_token', 'challenge_token');
    // Another authenticator's answer does not verify; the account's own then does.
    const stranger = authenticator('ES256');
    assertError(await api(server, 'POST', REAUTHENTICATE,
      { token: account.token, json: { challenge_token: token, credential: { ...stranger.get(webauthn), id: account.auth.get(webauthn).id } } }),
    422, 'invalid_credential', 'credential');
    assertOk(await api(server, 'POST', REAUTHENTICATE,
      { token: account.token, json: { challenge_token: token, credential: account.auth.get(webauthn) } }));
    // An account without a passkey gets no challenge.
    const plain = await registerUser('pkplain');
    assertError(await api(server, 'POST', CHALLENGE, { token: plain.token }), 409, 'no_passkey');
    assertError(await api(server, 'POST', CHALLENGE, {}), 401);
  });

  test('new recovery codes with the password and the passkey; the old ones stop working', async () => {
    const account = await withPasskey('pkcodes');
    const { challenge_token: token, webauthn } = await challenge(account);
    const body = assertOk(await api(server, 'POST', `${BASE}/recovery_codes`,
      { token: account.token, json: { password: account.password, challenge_token: token, credential: account.auth.get(webauthn) } }));
    assertRecoveryCodes(body.recovery_codes);
    const step = await passwordStep(account);
    assertError(await codeStep(step.sign_in_token, account.recovery[0]), 401, 'invalid_code', 'code');
    await assertSignedIn(await codeStep(step.sign_in_token, body.recovery_codes[0]), account);
  });

  test('TOTP is turned off with the password and the passkey', async () => {
    const account = await withPasskey('pktotpoff');
    await enrolTotp(account);
    assert.equal((await status(account)).totp, true);
    const { challenge_token: token, webauthn } = await challenge(account);
    assertError(await api(server, 'DELETE', TOTP,
      { token: account.token, json: { password: 'wrong password', challenge_token: token, credential: account.auth.get(webauthn) } }),
    422, 'invalid_password', 'password');
    assertOk(await api(server, 'DELETE', TOTP,
      { token: account.token, json: { password: account.password, challenge_token: token, credential: account.auth.get(webauthn) } }));
    assert.equal((await status(account)).totp, false);
  });
});
