// masto.js (the library under Elk and Phanpy) with an account that has TOTP
// on (docs/account-security.md), signed in the way Mastodon apps do it: the
// password grant is refused with 403 second_factor_required, so the app sends
// the person to the authorize page, where they give their password and then
// the code of their authenticator app (computed here with oathtool, as the app
// would); the app exchanges the authorization code with PKCE through masto's
// OAuth client, then reads the credentials and posts a photo through masto.
//
// The steps run in order and share state; a failed step makes the later ones fail too.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { MastoHttpError, createOAuthAPIClient, createRestAPIClient } from 'masto';
import { assertOk, parseInputs, pkcePair, signIn } from '../api/lib/server.mjs';
import { api, cookieHeader, makePhoto, parseHiddenInputs, sleep, startScenario } from './lib/scenario.mjs';

const SCOPES = 'read write follow';
const REDIRECT = 'https://client.example/callback';
const STEP_SECONDS = 30;

const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

// The code an authenticator app shows during `step` (30-second steps since the epoch).
function codeAt(secret, step) {
  return execFileSync('oathtool', ['--totp', '-b', `--now=@${step * STEP_SECONDS + 15}`, secret],
    { encoding: 'utf8' }).trim();
}

// A code the server accepts now that is later than `spent`, the last step
// accepted (a step once accepted is spent, with every earlier one): waits for
// the next step when need be, and for at least 5 seconds of the step to be left.
async function nextCode(secret, spent) {
  for (;;) {
    const left = STEP_SECONDS - ((Date.now() / 1000) % STEP_SECONDS);
    if (left < 5) await sleep(left * 1000 + 150);
    const now = currentStep();
    const step = Math.max(spent + 1, now);
    if (step <= now + 1) return { step, code: codeAt(secret, step) };
    await sleep((now + 1) * STEP_SECONDS * 1000 - Date.now() + 150);
  }
}

describe('masto@7.12.0, an account with TOTP through the authorize page', () => {
  let scenario;
  let url;
  let secret;
  let spent;       // the last step the server accepted a code for
  let app;         // masto's registered app
  let accessToken;

  before(async () => {
    scenario = await startScenario('masto2fa');
    url = scenario.server.url;
  });
  after(async () => {
    await scenario?.stop();
    scenario = null;
  });

  test('she turns TOTP on in her web session', async () => {
    const { alice } = scenario;
    const web = await signIn(scenario.server, alice.username, alice.password);
    assertOk(web.res);
    const enrolment = assertOk(await api(scenario.server, 'POST', '/api/vantage/v1/second_factors/totp',
      { cookie: web.cookie, csrf: web.csrf, json: { password: alice.password } }));
    secret = enrolment.secret;
    const { step, code } = await nextCode(secret, -Infinity);
    const confirmed = assertOk(await api(scenario.server, 'POST', '/api/vantage/v1/second_factors/totp/confirm',
      { cookie: web.cookie, csrf: web.csrf, json: { code } }));
    spent = step;
    assert.equal(confirmed.recovery_codes.length, 10);
  });

  test('masto\'s password grant is refused: a MastoHttpError with status 403', async () => {
    const anonymous = createRestAPIClient({ url });
    app = await anonymous.v1.apps.create({ clientName: 'Vantage interop (masto, TOTP)', redirectUris: REDIRECT, scopes: SCOPES });
    const oauth = createOAuthAPIClient({ url });
    await assert.rejects(oauth.token.create({
      grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: REDIRECT,
      username: scenario.alice.username, password: scenario.alice.password, scope: SCOPES,
    }), (err) => {
      assert.ok(err instanceof MastoHttpError, `a MastoHttpError (a JSON error body), got ${err?.name}: ${err?.message}`);
      assert.equal(err.statusCode, 403);
      return true;
    });
  });

  test('on the authorize page she gives her password, then her code; the app exchanges the code with PKCE', async () => {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code', client_id: app.clientId, redirect_uri: REDIRECT, scope: SCOPES, state: 'masto-2fa',
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    const page = await api(scenario.server, 'GET', `/oauth/authorize?${query}`);
    assert.equal(page.status, 200, `GET /oauth/authorize: ${page.status} ${page.text.slice(0, 300)}`);
    const cookies = [...page.cookies];

    const passwordForm = { ...parseHiddenInputs(page.text), ...Object.fromEntries(query),
      username: scenario.alice.username, password: scenario.alice.password };
    const asked = await api(scenario.server, 'POST', '/oauth/authorize',
      { form: passwordForm, headers: { cookie: cookieHeader(cookies) } });
    assert.equal(asked.status, 200, `the page asking for the code: ${asked.status} ${asked.text.slice(0, 500)}`);
    assert.match(asked.headers.get('content-type') ?? '', /^text\/html/);
    const codeInput = parseInputs(asked.text).find((i) => i.name === 'code');
    assert.ok(codeInput, `an input named code:\n${asked.text.slice(0, 1500)}`);
    assert.equal(codeInput.autocomplete, 'one-time-code');
    const hidden = parseHiddenInputs(asked.text);
    assert.ok(hidden.sign_in_token, `a hidden sign_in_token:\n${asked.text.slice(0, 1500)}`);
    cookies.push(...asked.cookies);

    // The browser sends the cookies it holds, the newest value of each name.
    const jar = new Map(cookies.map((c) => c.split(';')[0].trim().split(/=(.*)/s).slice(0, 2)));
    const { step, code } = await nextCode(secret, spent);
    const res = await api(scenario.server, 'POST', '/oauth/authorize', {
      form: { ...hidden, code },
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(res.status, 302, `a redirect with the code: ${res.status} ${res.text.slice(0, 500)}`);
    spent = step;
    const location = new URL(res.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'masto-2fa');
    const authorizationCode = location.searchParams.get('code');
    assert.ok(authorizationCode, `a code in ${location}`);

    const oauth = createOAuthAPIClient({ url });
    const token = await oauth.token.create({
      grantType: 'authorization_code', clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: REDIRECT,
      code: authorizationCode, codeVerifier: verifier, scope: SCOPES,
    });
    assert.equal(token.tokenType, 'Bearer');
    assert.equal(typeof token.accessToken, 'string');
    assert.deepEqual(token.scope.split(' ').sort(), SCOPES.split(' ').sort());
    accessToken = token.accessToken;
  });

  test('masto reads her credentials and posts a photo with the token', async () => {
    const alice = createRestAPIClient({ url, accessToken });
    const me = await alice.v1.accounts.verifyCredentials();
    assert.equal(me.username, scenario.alice.username);
    assert.match(me.id, /^\d+$/);
    assert.equal((await alice.v1.apps.verifyCredentials()).name, 'Vantage interop (masto, TOTP)');

    const photo = await makePhoto(scenario.dir, { width: 48, height: 32 });
    const media = await alice.v2.media.create({ file: photo.blob, description: 'Signed in with a second factor' });
    assert.equal(typeof media.url, 'string');
    const status = await alice.v1.statuses.create({ status: 'Posted after a TOTP sign-in', mediaIds: [media.id] });
    assert.match(status.id, /^\d+$/);
    assert.equal(status.account.id, me.id);
    assert.match(status.content, /TOTP sign-in/);
    assert.deepEqual(status.mediaAttachments.map((m) => m.id), [media.id]);

    const bob = createRestAPIClient({ url, accessToken: scenario.bob.token });
    const seen = await bob.v1.statuses.$select(status.id).fetch();
    assert.equal(seen.id, status.id);
    assert.equal(seen.account.username, scenario.alice.username);
  });
});
