// Second factors (docs/account-security.md): TOTP enrolment and confirmation,
// recovery codes, disabling, and the code asked for everywhere a password is
// taken: the web sign-in, the OAuth authorize page, and the password grant,
// which refuses such accounts. Also the clock window of one step either side,
// replays, expired codes, and the limit of five wrong codes per account.
//
// Codes are computed as an authenticator app would, with oathtool (OATH
// Toolkit): `oathtool --totp -b SECRET --now=@SECONDS`.
//
// Time matters here: a code is valid for its 30-second step and one step
// either side, and once a step is accepted it and every earlier one are spent.
// Each account keeps the last step it spent (`spent`), and a test that needs a
// particular step waits until enough of the step is left (roomInStep). Wrong
// codes count against a limit of five per account, so the tests spread over
// many accounts, each spending at most a few.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  api, assertError, assertOk, assertTokenShape, createApp, parseHiddenInputs, parseInputs, passwordToken,
  pkcePair, register, signIn, sleep, startServer,
} from './lib/server.mjs';

const BASE = '/api/vantage/v1/second_factors';
const TOTP = `${BASE}/totp`;
const CONFIRM = `${TOTP}/confirm`;
const RECOVERY = `${BASE}/recovery_codes`;
const REDIRECT = 'https://client.example/callback';
const STEP_SECONDS = 30;
const RECOVERY_CODE = /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$/;

let server;

// ---------------------------------------------------------------------------
// Time steps and codes

const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

// The code an authenticator app shows during `step` (30-second steps since the epoch).
function codeAt(secret, step) {
  return execFileSync('oathtool', ['--totp', '-b', `--now=@${step * STEP_SECONDS + 15}`, secret],
    { encoding: 'utf8' }).trim();
}

// Waits, if need be, for the next step so that at least `seconds` of the
// current one are left; returns the current step.
async function roomInStep(seconds) {
  const left = STEP_SECONDS - ((Date.now() / 1000) % STEP_SECONDS);
  if (left < seconds) await sleep(left * 1000 + 150);
  return currentStep();
}

// Waits until the current step is at least `step`.
async function untilStep(step) {
  const wait = step * STEP_SECONDS * 1000 - Date.now();
  if (wait > 0) await sleep(wait + 150);
}

// Six digits that are no code of `secret` for any step near `step`.
function wrongCode(secret, step = currentStep()) {
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => codeAt(secret, step + d)));
  let n = Number(codeAt(secret, step));
  let code;
  do {
    n = (n + 499_999) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (near.has(code));
  return code;
}

// A code of `account` that the server accepts now and that is not spent yet:
// the current step's, or the next one's if the current one is spent. The
// step is then marked spent (the caller asserts that it was accepted).
async function freshCode(account) {
  for (;;) {
    const now = await roomInStep(5);
    const step = Math.max(account.spent + 1, now);
    if (step <= now + 1) {
      account.spent = step;
      return codeAt(account.secret, step);
    }
    await untilStep(now + 1);
  }
}

// ---------------------------------------------------------------------------
// Accounts

async function status(account) {
  return assertOk(await api(server, 'GET', BASE, { token: account.token }));
}

async function assertStatus(account, totp, remaining) {
  const body = await status(account);
  assert.equal(body.totp, totp, JSON.stringify(body));
  assert.equal(body.recovery_codes_remaining, remaining, JSON.stringify(body));
}

function enrol(account) {
  return api(server, 'POST', TOTP, { token: account.token, json: { password: account.password } });
}

// A freshly registered account with TOTP on: {token, username, password,
// email, secret, recovery (its ten codes), spent (the last step spent)}.
// With `previous`, it is confirmed with the previous step's code if the server
// takes it (the tests of the window say whether it must), which leaves the
// current step unspent.
async function withTotp(prefix, { previous = false } = {}) {
  const user = await register(server, { prefix });
  const { secret } = assertOk(await enrol(user));
  const account = { ...user, secret, spent: -Infinity };
  const confirm = (code) => api(server, 'POST', CONFIRM, { token: user.token, json: { code } });
  let res;
  if (previous) {
    const now = await roomInStep(5);
    res = await confirm(codeAt(secret, now - 1));
    if (res.status === 200) account.spent = now - 1;
  }
  if (res?.status !== 200) res = await confirm(await freshCode(account));
  account.recovery = assertOk(res).recovery_codes;
  return account;
}

function assertRecoveryCodes(codes, what = 'recovery codes') {
  assert.ok(Array.isArray(codes), `${what}: ${JSON.stringify(codes)}`);
  assert.equal(codes.length, 10, `ten ${what}: ${JSON.stringify(codes)}`);
  for (const c of codes) assert.match(c, RECOVERY_CODE, `${what} look like xxxxx-xxxxx: ${JSON.stringify(codes)}`);
  assert.equal(new Set(codes).size, 10, `the ${what} are distinct: ${JSON.stringify(codes)}`);
}

// ---------------------------------------------------------------------------
// Web sign-in

const sessionCookieOf = (res) => res.cookies.map((c) => c.split(';')[0].trim())
  .find((c) => c.startsWith('vantage_session=')) ?? null;

// The password step for an account with a second factor: asserts the 403 and
// returns the sign-in token.
async function passwordStep(account, login = account.username) {
  const res = await api(server, 'POST', '/auth/sign_in', { json: { username: login, password: account.password } });
  const body = assertError(res, 403, 'second_factor_required');
  assert.equal(typeof body.sign_in_token, 'string', `sign_in_token: ${res.text}`);
  assert.ok(body.sign_in_token.length >= 16, `sign_in_token looks too short: ${res.text}`);
  assert.equal(sessionCookieOf(res), null, `no session before the code: ${JSON.stringify(res.cookies)}`);
  return body.sign_in_token;
}

function codeStep(signInToken, code) {
  return api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: signInToken, code } });
}

// Asserts a successful sign-in answer and that its session works; returns {cookie, csrf}.
async function assertSignedIn(res, account) {
  const body = assertOk(res);
  assert.equal(body.account?.username, account.username, res.text);
  assert.equal(typeof body.csrf_token, 'string', res.text);
  const cookie = sessionCookieOf(res);
  assert.ok(cookie, `a session cookie: ${JSON.stringify(res.cookies)}`);
  const session = assertOk(await api(server, 'GET', '/auth/session', { cookie }));
  assert.equal(session.account.username, account.username);
  return { cookie, csrf: body.csrf_token };
}

async function signInWithCode(account, code) {
  const signInToken = await passwordStep(account);
  return assertSignedIn(await codeStep(signInToken, code), account);
}

// ---------------------------------------------------------------------------
// The authorize page

// A browser's cookies for one site: a later Set-Cookie replaces an earlier one.
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

// GETs the authorize page and posts it back with the password, as a browser
// would. Returns {jar, res}.
async function authorizeWithPassword(app, account, { challenge, state = 'st4te-2fa' }) {
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

// Asserts the page that asks for the code: HTML, no code issued, an
// <input name="code" autocomplete="one-time-code">, a hidden sign_in_token,
// and not the password. Returns the form's hidden fields.
function assertCodePage(res, account, status) {
  assert.equal(res.status, status, `the page asking for the code: ${res.status} ${res.headers.get('location')} ${res.text.slice(0, 500)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(!/[?&]code=/.test(res.headers.get('location') ?? ''), 'no authorization code yet');
  const input = parseInputs(res.text).find((i) => i.name === 'code');
  assert.ok(input, `an input named code:\n${res.text.slice(0, 1500)}`);
  assert.equal(input.autocomplete, 'one-time-code', `autocomplete="one-time-code": ${JSON.stringify(input)}`);
  const hidden = parseHiddenInputs(res.text);
  assert.ok(hidden.sign_in_token, `a hidden sign_in_token:\n${res.text.slice(0, 1500)}`);
  assert.ok(!res.text.includes(account.password), 'the page does not carry the password');
  return hidden;
}

// Posts the code form back: its hidden fields and the code, with the cookies.
async function submitCode(jar, hidden, code, { withCookies = true } = {}) {
  const res = await api(server, 'POST', '/oauth/authorize',
    { form: { ...hidden, code }, headers: withCookies ? { cookie: jar.header } : {} });
  jar.add(res.cookies);
  return res;
}

// Asserts the redirect with a code and state; returns the code.
function assertCodeRedirect(res, state = 'st4te-2fa') {
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

function passwordGrant(app, account, { form = false } = {}) {
  const fields = { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
    username: account.username, password: account.password, scope: 'read' };
  return api(server, 'POST', '/oauth/token', form ? { form: fields } : { json: fields });
}

// The sign-in tests need an account whose last spent step is two steps
// behind them (for the previous step's code to be unspent), so it is made
// first and its tests come late.
let signer;

before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '1000', '--sign-in-limit-account', '1000',
    '--registration-limit-ip', '1000']);
  signer = await withTotp('signer', { previous: true });
});
after(async () => { await server?.stop(); });

// ---------------------------------------------------------------------------
describe('enrolling TOTP', () => {
  let user;
  let firstSecret;  // the pending enrolment made through the web session
  let enrolment;    // the one that replaced it
  let recovery;

  before(async () => { user = await register(server, { prefix: 'enrol' }); });

  test('GET answers totp false and no recovery codes before enrolment; without credentials 401', async () => {
    await assertStatus(user, false, 0);
    assertError(await api(server, 'GET', BASE), 401);
    assertError(await api(server, 'POST', TOTP, { json: { password: user.password } }), 401);
    assertError(await api(server, 'POST', CONFIRM, { json: { code: '123456' } }), 401);
    assertError(await api(server, 'DELETE', TOTP, { json: { password: user.password, code: '123456' } }), 401);
    assertError(await api(server, 'POST', RECOVERY, { json: { password: user.password, code: '123456' } }), 401);
  });

  test('a web session enrols with its CSRF token; without it the answer is 403 csrf_failed', async () => {
    const web = await signIn(server, user.username, user.password);
    assertOk(web.res);
    const viaCookie = assertOk(await api(server, 'GET', BASE, { cookie: web.cookie }));
    assert.equal(viaCookie.totp, false);
    assertError(await api(server, 'POST', TOTP, { cookie: web.cookie, json: { password: user.password } }),
      403, 'csrf_failed');
    const res = await api(server, 'POST', TOTP, { cookie: web.cookie, csrf: web.csrf, json: { password: user.password } });
    firstSecret = assertOk(res).secret;
    assert.equal(typeof firstSecret, 'string', res.text);
  });

  test('a token without write:accounts cannot enrol: 403 insufficient_scope', async () => {
    const app = await createApp(server, 'read write');
    const reader = await passwordToken(server, app, user.username, user.password, 'read');
    assertError(await api(server, 'POST', TOTP, { token: reader, json: { password: user.password } }),
      403, 'insufficient_scope');
  });

  test('a wrong password is 422 invalid_password on password; a missing one 422 missing_field', async () => {
    assertError(await api(server, 'POST', TOTP, { token: user.token, json: { password: 'not the password 123' } }),
      422, 'invalid_password', 'password');
    assertError(await api(server, 'POST', TOTP, { token: user.token, json: {} }), 422, 'missing_field', 'password');
  });

  test('enrolment answers a 160-bit base32 secret, its otpauth://totp/ URI and an SVG QR code; TOTP stays off', async () => {
    const res = await enrol(user);
    enrolment = assertOk(res);
    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/, `160 bits of base32: ${res.text}`);
    assert.notEqual(enrolment.secret, firstSecret, 'each enrolment has a new secret');
    const uri = new URL(enrolment.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:', enrolment.otpauth_uri);
    assert.equal(uri.host, 'totp', enrolment.otpauth_uri);
    assert.equal(uri.searchParams.get('secret'), enrolment.secret, enrolment.otpauth_uri);
    assert.ok(decodeURIComponent(uri.pathname).includes(user.username), `the label names the account: ${enrolment.otpauth_uri}`);
    for (const [name, expected] of [['digits', '6'], ['period', '30'], ['algorithm', 'SHA1']]) {
      const value = uri.searchParams.get(name);
      if (value !== null) assert.equal(value.toUpperCase(), expected, enrolment.otpauth_uri);
    }
    assert.equal(typeof enrolment.qr_svg, 'string', res.text);
    assert.match(enrolment.qr_svg, /<svg[\s>]/, 'an SVG image');
    assert.ok(!res.text.includes(user.password), 'the password is not echoed');
    await assertStatus(user, false, 0);
  });

  test('confirming with the replaced enrolment\'s code, a wrong code or a code two steps old is 422 invalid_code', async () => {
    const now = await roomInStep(8);
    const confirm = (code) => api(server, 'POST', CONFIRM, { token: user.token, json: { code } });
    assertError(await confirm(codeAt(firstSecret, now)), 422, 'invalid_code', 'code');
    assertError(await confirm(wrongCode(enrolment.secret, now)), 422, 'invalid_code', 'code');
    // Nothing is spent yet: this code is refused only for its age.
    assertError(await confirm(codeAt(enrolment.secret, now - 2)), 422, 'invalid_code', 'code');
    assertError(await api(server, 'POST', CONFIRM, { token: user.token, json: {} }), 422, 'missing_field', 'code');
    await assertStatus(user, false, 0);
  });

  test('confirming with the previous step\'s code turns TOTP on and answers ten distinct recovery codes', async () => {
    const now = await roomInStep(6);
    const res = await api(server, 'POST', CONFIRM, { token: user.token, json: { code: codeAt(enrolment.secret, now - 1) } });
    recovery = assertOk(res).recovery_codes;
    assertRecoveryCodes(recovery);
  });

  test('GET then answers totp true and 10 recovery codes remaining', async () => {
    await assertStatus(user, true, 10);
  });

  test('enrolling again while TOTP is on is 409 second_factor_enabled; confirming with nothing pending is 409', async () => {
    assertError(await enrol(user), 409, 'second_factor_enabled');
    // Nothing is pending and TOTP is on: the docs' wording fits either code.
    assertError(await api(server, 'POST', CONFIRM, { token: user.token, json: { code: recovery[0] } }),
      409, ['no_second_factor', 'second_factor_enabled']);
    await assertStatus(user, true, 10);
  });

  test('without a second factor, confirming and disabling are 409 no_second_factor', async () => {
    const plain = await register(server, { prefix: 'plain' });
    assertError(await api(server, 'POST', CONFIRM, { token: plain.token, json: { code: '123456' } }),
      409, 'no_second_factor');
    assertError(await api(server, 'DELETE', TOTP, { token: plain.token, json: { password: plain.password, code: '123456' } }),
      409, 'no_second_factor');
    await assertStatus(plain, false, 0);
  });
});

// ---------------------------------------------------------------------------
describe('the password grant', () => {
  let app;
  let guarded;
  before(async () => {
    app = await createApp(server, 'read write');
    guarded = await withTotp('grant');
  });

  test('an account with TOTP is refused with 403 second_factor_required, pointing to the authorization code flow', async () => {
    for (const form of [false, true]) {
      const res = await passwordGrant(app, guarded, { form });
      const body = assertError(res, 403, 'second_factor_required');
      assert.equal(typeof body.error_description, 'string', `error_description: ${res.text}`);
      assert.match(`${body.error} ${body.error_description}`, /authoriz/i, `the message points to the authorize flow: ${res.text}`);
      assert.equal(body.access_token, undefined, res.text);
    }
  });

  test('a wrong password for that account is still 400 invalid_grant', async () => {
    const res = await passwordGrant(app, { ...guarded, password: 'wrong password 123' });
    assertError(res, 400, 'invalid_grant');
  });

  test('an account without a second factor still gets a token', async () => {
    const plain = await register(server, { prefix: 'grantplain' });
    const token = assertOk(await passwordGrant(app, plain));
    assertTokenShape(token);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: token.access_token }));
    assert.equal(me.username, plain.username);
  });

  test('tokens the account already had keep working', async () => {
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: guarded.token }));
    assert.equal(me.username, guarded.username);
  });
});

// ---------------------------------------------------------------------------
describe('the OAuth authorize page with TOTP', () => {
  let app;
  let person;
  before(async () => {
    app = await createApp(server, 'read write', { redirect_uris: REDIRECT });
    person = await withTotp('authz');
  });

  test('after the password it asks for the code; a wrong code shows it again with 401; the right one redirects with a code', async () => {
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const hidden = assertCodePage(res, person, 200);

    const wrong = await submitCode(jar, hidden, wrongCode(person.secret));
    const again = assertCodePage(wrong, person, 401);

    const right = await submitCode(jar, again, await freshCode(person));
    const code = assertCodeRedirect(right);
    const token = await redeem(app, code, verifier);
    assert.deepEqual(token.scope.split(' ').sort(), ['read', 'write']);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: token.access_token }));
    assert.equal(me.username, person.username);
  });

  test('a recovery code works on the page too, once', async () => {
    const { verifier, challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const right = await submitCode(jar, assertCodePage(res, person, 200), person.recovery[0]);
    const token = await redeem(app, assertCodeRedirect(right), verifier);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: token.access_token }));
    assert.equal(me.username, person.username);
    await assertStatus(person, true, 9);
  });

  test('the code form posted without the page\'s cookie issues no code', async () => {
    const { challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const forged = await submitCode(jar, assertCodePage(res, person, 200), person.recovery[1], { withCookies: false });
    assert.ok(!/[?&]code=/.test(forged.headers.get('location') ?? ''), `no code without the cookie: ${forged.headers.get('location')}`);
    assert.ok(forged.status >= 400 && forged.status < 500, `status ${forged.status}`);
  });

  test('an unknown sign_in_token on the code form issues no code', async () => {
    const { challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const hidden = { ...assertCodePage(res, person, 200), sign_in_token: crypto.randomBytes(32).toString('base64url') };
    const forged = await submitCode(jar, hidden, person.recovery[2]);
    assert.ok(!/[?&]code=/.test(forged.headers.get('location') ?? ''), `no code for an unknown token: ${forged.headers.get('location')}`);
    assert.ok(forged.status === 200 || (forged.status >= 400 && forged.status < 500), `status ${forged.status}`);
  });

  test('an account without a second factor is not asked for a code', async () => {
    const plain = await register(server, { prefix: 'authzplain' });
    const { verifier, challenge } = pkcePair();
    const { res } = await authorizeWithPassword(app, plain, { challenge });
    const token = await redeem(app, assertCodeRedirect(res), verifier);
    assert.equal(typeof token.access_token, 'string');
  });
});

// ---------------------------------------------------------------------------
describe('disabling TOTP', () => {
  let person;
  before(async () => { person = await withTotp('disable'); });

  const disable = (fields) => api(server, 'DELETE', TOTP, { token: person.token, json: fields });

  test('a wrong password is 422 invalid_password; a wrong code 422 invalid_code; missing fields 422 missing_field', async () => {
    // A wrong password spends no code.
    assertError(await disable({ password: 'not the password 123', code: person.recovery[0] }),
      422, 'invalid_password', 'password');
    assertError(await disable({ password: person.password, code: wrongCode(person.secret) }), 422, 'invalid_code', 'code');
    assertError(await disable({ password: person.password }), 422, 'missing_field', 'code');
    assertError(await disable({ code: wrongCode(person.secret) }), 422, 'missing_field', 'password');
    await assertStatus(person, true, 10);
    await passwordStep(person);
  });

  test('the password and a code disable it: {} and the status is off with no recovery codes', async () => {
    const res = await disable({ password: person.password, code: await freshCode(person) });
    assert.deepEqual(assertOk(res), {});
    await assertStatus(person, false, 0);
  });

  test('afterwards the web sign-in and the password grant need no code', async () => {
    const { res, cookie } = await signIn(server, person.username, person.password);
    assertOk(res);
    assertOk(await api(server, 'GET', '/auth/session', { cookie }));
    const app = await createApp(server, 'read');
    assertTokenShape(assertOk(await passwordGrant(app, person)));
  });

  test('the old recovery codes are gone, disabling again is 409 no_second_factor, and enrolling works again', async () => {
    assertError(await disable({ password: person.password, code: person.recovery[1] }), 409, 'no_second_factor');
    const again = assertOk(await enrol(person));
    assert.notEqual(again.secret, person.secret, 'a new secret');
    await assertStatus(person, false, 0);
  });
});

// ---------------------------------------------------------------------------
describe('regenerating recovery codes', () => {
  let person;
  let renewed;
  before(async () => { person = await withTotp('regen'); });

  const regenerate = (fields) => api(server, 'POST', RECOVERY, { token: person.token, json: fields });

  test('a wrong password is 422 invalid_password; a wrong code 422 invalid_code; a missing code 422 missing_field', async () => {
    // A wrong password spends no code.
    assertError(await regenerate({ password: 'not the password 123', code: person.recovery[9] }),
      422, 'invalid_password', 'password');
    assertError(await regenerate({ password: person.password, code: wrongCode(person.secret) }), 422, 'invalid_code', 'code');
    assertError(await regenerate({ password: person.password }), 422, 'missing_field', 'code');
    await assertStatus(person, true, 10);
  });

  test('the password and a code make ten new codes and void the old ones', async () => {
    const res = await regenerate({ password: person.password, code: await freshCode(person) });
    renewed = assertOk(res).recovery_codes;
    assertRecoveryCodes(renewed, 'new recovery codes');
    assert.ok(renewed.every((c) => !person.recovery.includes(c)), 'none of the old codes comes back');
    await assertStatus(person, true, 10);

    const signInToken = await passwordStep(person);
    assertError(await codeStep(signInToken, person.recovery[3]), 401, 'invalid_code', 'code');
    await assertSignedIn(await codeStep(signInToken, renewed[0]), person);
    await assertStatus(person, true, 9);
  });

  test('a recovery code is accepted for regenerating and for disabling too', async () => {
    const newest = assertOk(await regenerate({ password: person.password, code: renewed[1] })).recovery_codes;
    assertRecoveryCodes(newest, 'newest recovery codes');
    await assertStatus(person, true, 10);
    const res = await api(server, 'DELETE', TOTP, { token: person.token, json: { password: person.password, code: newest[0] } });
    assert.deepEqual(assertOk(res), {});
    await assertStatus(person, false, 0);
  });
});

// ---------------------------------------------------------------------------
describe('bad input', () => {
  // Asserts a 400 or 422 error that names `field`.
  function assertFieldError(res, field) {
    assertError(res, [400, 422], null, field);
  }

  test('enrolment: a password of the wrong type or over-long, or a body that is not JSON', async () => {
    const user = await register(server, { prefix: 'badenrol' });
    for (const password of [12345678901234, ['a', 'b'], { p: 1 }, true, 'x'.repeat(5000)]) {
      assertFieldError(await api(server, 'POST', TOTP, { token: user.token, json: { password } }), 'password');
    }
    assertError(await api(server, 'POST', TOTP, { token: user.token, json: '{"password":' }), 400, 'invalid_json');
    await assertStatus(user, false, 0);
  });

  test('confirming: a code of the wrong type, over-long, empty, or a body that is not JSON', async () => {
    const user = await register(server, { prefix: 'badconfirm' });
    assertOk(await enrol(user));
    for (const code of [{ c: '123456' }, ['123456'], 'x'.repeat(5000)]) {
      assertFieldError(await api(server, 'POST', CONFIRM, { token: user.token, json: { code } }), 'code');
    }
    assertError(await api(server, 'POST', CONFIRM, { token: user.token, json: { code: '' } }), 422, null, 'code');
    assertError(await api(server, 'POST', CONFIRM, { token: user.token, json: '[1,2' }), 400, 'invalid_json');
    await assertStatus(user, false, 0);
  });

  test('disabling and regenerating: fields of the wrong type or over-long', async () => {
    const person = await withTotp('baddisable');
    const del = (fields) => api(server, 'DELETE', TOTP, { token: person.token, json: fields });
    assertFieldError(await del({ password: 12345678901234, code: '123456' }), 'password');
    assertFieldError(await del({ password: 'x'.repeat(5000), code: '123456' }), 'password');
    assertFieldError(await del({ password: person.password, code: ['123456'] }), 'code');
    assertError(await del({}), 422, 'missing_field');
    const regen = (fields) => api(server, 'POST', RECOVERY, { token: person.token, json: fields });
    assertFieldError(await regen({ password: { p: 1 }, code: '123456' }), 'password');
    assertFieldError(await regen({ password: person.password, code: 'x'.repeat(5000) }), 'code');
    assertError(await regen({ code: '123456' }), 422, 'missing_field', 'password');
    await assertStatus(person, true, 10);
  });

  test('the sign-in code step: wrong types, over-long values and missing fields', async () => {
    const person = await withTotp('badsignin');
    const signInToken = await passwordStep(person);
    const post = (json) => api(server, 'POST', '/auth/sign_in', { json });
    assertFieldError(await post({ sign_in_token: 1234567890, code: '123456' }), 'sign_in_token');
    assertFieldError(await post({ sign_in_token: ['x'], code: '123456' }), 'sign_in_token');
    assertFieldError(await post({ sign_in_token: 'x'.repeat(5000), code: '123456' }), 'sign_in_token');
    assertFieldError(await post({ sign_in_token: signInToken, code: { c: 1 } }), 'code');
    assertFieldError(await post({ sign_in_token: signInToken, code: 'x'.repeat(5000) }), 'code');
    assertError(await post({ sign_in_token: signInToken }), 422, 'missing_field', 'code');
    // A code alone: neither a sign-in token nor a username to go with it.
    const alone = await post({ code: '123456' });
    assertError(alone, 422, 'missing_field');
    assert.ok(['sign_in_token', 'username'].includes(alone.json.field), `names the missing field: ${alone.text}`);
    // The token survived all that.
    await assertSignedIn(await codeStep(signInToken, await freshCode(person)), person);
  });
});

// ---------------------------------------------------------------------------
describe('web sign-in with TOTP', () => {
  test('the password alone answers 403 second_factor_required with a sign_in_token and the methods; no session', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: signer.username, password: signer.password } });
    const body = assertError(res, 403, 'second_factor_required');
    assert.equal(typeof body.sign_in_token, 'string', res.text);
    assert.deepEqual([...body.methods].sort(), ['recovery_code', 'totp'], res.text);
    assert.equal(sessionCookieOf(res), null, JSON.stringify(res.cookies));
    assert.equal(body.account, undefined, `no account before the code: ${res.text}`);
    assert.equal(body.csrf_token, undefined, `no CSRF token before the code: ${res.text}`);
    // The sign-in token is no credential.
    assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: body.sign_in_token }), 401);
    assertError(await api(server, 'GET', '/auth/session', { cookie: `vantage_session=${body.sign_in_token}` }), 401);
    // By e-mail too.
    await passwordStep(signer, signer.email);
  });

  test('a wrong password is still 401 invalid_credentials, with no sign_in_token', async () => {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: signer.username, password: 'wrong password 123' } });
    const body = assertError(res, 401, 'invalid_credentials');
    assert.equal(body.sign_in_token, undefined, res.text);
  });

  test('the previous step\'s code, not yet spent, signs in; the session works', async () => {
    await untilStep(signer.spent + 2);
    const now = await roomInStep(8);
    const signInToken = await passwordStep(signer);
    const res = await codeStep(signInToken, codeAt(signer.secret, now - 1));
    const web = await assertSignedIn(res, signer);
    signer.spent = now - 1;
    // A signed-in session is a session like any other.
    assert.equal(assertOk(await api(server, 'GET', BASE, { cookie: web.cookie })).totp, true);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie: web.cookie }));
    assert.equal(me.username, signer.username);
  });

  test('the same code on a new sign-in is refused (401 invalid_code), and the token stays usable for a good code', async () => {
    const replayed = codeAt(signer.secret, signer.spent);
    const signInToken = await passwordStep(signer);
    const res = await codeStep(signInToken, replayed);
    assertError(res, 401, 'invalid_code', 'code');
    assert.equal(sessionCookieOf(res), null);
    await assertSignedIn(await codeStep(signInToken, await freshCode(signer)), signer);
  });

  test('a code two steps old is refused', async () => {
    const now = await roomInStep(5);
    const signInToken = await passwordStep(signer);
    assertError(await codeStep(signInToken, codeAt(signer.secret, now - 2)), 401, 'invalid_code', 'code');
  });

  test('the next step\'s code is accepted; after that the sign-in token is spent (401 sign_in_expired)', async () => {
    const now = await roomInStep(5);
    assert.ok(signer.spent < now + 1, 'the next step is unspent');
    const signInToken = await passwordStep(signer);
    await assertSignedIn(await codeStep(signInToken, codeAt(signer.secret, now + 1)), signer);
    signer.spent = now + 1;
    const again = await codeStep(signInToken, signer.recovery.at(-1));
    assertError(again, 401, 'sign_in_expired');
    assert.equal(sessionCookieOf(again), null);
  });

  test('an unknown sign_in_token is 401 sign_in_expired', async () => {
    const res = await codeStep(crypto.randomBytes(32).toString('base64url'), '123456');
    assertError(res, 401, 'sign_in_expired');
    assert.equal(sessionCookieOf(res), null);
  });

  test('a recovery code signs in once: the second time it is 401 invalid_code; the count drops', async () => {
    await assertStatus(signer, true, 10);
    const [code] = signer.recovery;
    await signInWithCode(signer, code);
    await assertStatus(signer, true, 9);
    const signInToken = await passwordStep(signer);
    assertError(await codeStep(signInToken, code), 401, 'invalid_code', 'code');
    await assertStatus(signer, true, 9);
    // The next one works, and counts down too.
    await assertSignedIn(await codeStep(signInToken, signer.recovery[1]), signer);
    await assertStatus(signer, true, 8);
  });
});

// ---------------------------------------------------------------------------
describe('the limit on wrong codes', () => {
  function assertLimited(res) {
    assert.equal(res.status, 429, `429 after five wrong codes: ${res.status} ${res.text.slice(0, 300)}`);
    const retry = res.headers.get('retry-after');
    assert.match(retry ?? '', /^\d+$/, `Retry-After in seconds: ${retry}`);
    assert.ok(Number(retry) >= 1 && Number(retry) <= 300, `Retry-After within the 5 minutes: ${retry}`);
  }

  // Once limited, a sign-in may be refused at the password step already, or
  // at the code step: either way with 429.
  async function assertSignInLimited(person, code) {
    const res = await api(server, 'POST', '/auth/sign_in', { json: { username: person.username, password: person.password } });
    if (res.status === 429) {
      assertLimited(res);
      return;
    }
    const body = assertError(res, 403, 'second_factor_required');
    const answer = await codeStep(body.sign_in_token, code);
    assertLimited(answer);
    assertError(answer, 429);
    assert.equal(sessionCookieOf(answer), null);
  }

  test('five wrong codes at sign-in, then the sixth attempt, even with the right code, is 429 with Retry-After', async () => {
    const person = await withTotp('limit');
    const signInToken = await passwordStep(person);
    for (let i = 0; i < 5; i++) {
      assertError(await codeStep(signInToken, wrongCode(person.secret)), 401, 'invalid_code', 'code');
    }
    const sixth = await codeStep(signInToken, await freshCode(person));
    assertLimited(sixth);
    assertError(sixth, 429);
    assert.equal(sessionCookieOf(sixth), null);
    // The limit is the account's, wherever the code is tried.
    await assertSignInLimited(person, person.recovery[0]);
    const del = await api(server, 'DELETE', TOTP, { token: person.token, json: { password: person.password, code: person.recovery[1] } });
    assertLimited(del);
    await assertStatus(person, true, 10);
  });

  test('wrong codes count together wherever they are tried: confirming, sign-in, the authorize page, disabling', async () => {
    const user = await register(server, { prefix: 'limitall' });
    const { secret } = assertOk(await enrol(user));
    const person = { ...user, secret, spent: -Infinity };
    assertError(await api(server, 'POST', CONFIRM, { token: person.token, json: { code: wrongCode(secret) } }),
      422, 'invalid_code', 'code');                                                                        // 1
    person.recovery = assertOk(await api(server, 'POST', CONFIRM,
      { token: person.token, json: { code: await freshCode(person) } })).recovery_codes;
    assertError(await codeStep(await passwordStep(person), wrongCode(secret)), 401, 'invalid_code', 'code'); // 2

    const app = await createApp(server, 'read write', { redirect_uris: REDIRECT });
    const { challenge } = pkcePair();
    const { jar, res } = await authorizeWithPassword(app, person, { challenge });
    const wrongPage = await submitCode(jar, assertCodePage(res, person, 200), wrongCode(secret));
    const hidden = assertCodePage(wrongPage, person, 401);                                                 // 3

    assertError(await api(server, 'DELETE', TOTP, { token: person.token, json: { password: person.password, code: wrongCode(secret) } }),
      422, 'invalid_code', 'code');                                                                        // 4
    assertError(await codeStep(await passwordStep(person), wrongCode(secret)), 401, 'invalid_code', 'code'); // 5

    await assertSignInLimited(person, await freshCode(person));
    const page = await submitCode(jar, hidden, person.recovery[0]);
    assertLimited(page);
    assert.ok(!/[?&]code=/.test(page.headers.get('location') ?? ''), 'no authorization code once limited');
    await assertStatus(person, true, 10);
  });

  test('another account is not limited by them', async () => {
    const person = await withTotp('unlimited');
    await signInWithCode(person, await freshCode(person));
  });
});
