// A browser-based Mastodon client on its own origin, the way Elk, Phanpy or
// Pinafore use an instance (docs/api.md, "Browser clients (CORS)"): a tiny
// static client page served from another loopback origin (127.0.0.1 on
// another port: another origin, the same site) signs in through the
// authorize page with PKCE and a second factor (docs/account-security.md),
// posts photos and pages the home timeline with plain fetch() and a bearer
// token; and the web app's session cookie unlocks nothing for that origin.
import http from 'node:http';
import { test, expect, makeUser, api } from '../lib/fixtures.js';
import { authenticator } from '../lib/totp.js';

// The client: one page, at / and at /callback (its redirect URI). Its state
// (the instance, the app, the PKCE verifier, then the token) is kept in
// localStorage as such clients keep it; what it saw is on window.observed
// and in #status. Every fetch() is a plain cross-origin one.
const CLIENT_PAGE = String.raw`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tiny client</title></head>
<body><main><h1>Tiny client</h1><p id="status">Not signed in</p></main>
<script type="module">
const SCOPES = 'read write follow';
const KEY = 'tiny-client';
const load = () => JSON.parse(localStorage.getItem(KEY) || 'null');
const save = (value) => localStorage.setItem(KEY, JSON.stringify(value));
const show = (text) => { document.getElementById('status').textContent = text; };
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const headersOf = (res) => Object.fromEntries([...res.headers.entries()]);
window.observed = {};

async function call(path, { method = 'GET', json, form, headers = {} } = {}) {
  const { instance, token } = load();
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (token) init.headers.Authorization = 'Bearer ' + token;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) init.body = form;
  const res = await fetch(path.startsWith('http') ? path : instance + path, init);
  return { status: res.status, headers: headersOf(res), body: await res.json().catch(() => null) };
}

// A photo drawn on a canvas: a two-colour gradient with a disc.
async function photo(seed) {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 800;
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, 640, 800);
  gradient.addColorStop(0, 'hsl(' + (seed * 47 % 360) + ' 70% 45%)');
  gradient.addColorStop(1, 'hsl(' + (seed * 47 % 360 + 150) + ' 70% 60%)');
  g.fillStyle = gradient;
  g.fillRect(0, 0, 640, 800);
  g.fillStyle = 'rgba(255, 255, 255, 0.4)';
  g.beginPath();
  g.arc(320, 400, 160, 0, 2 * Math.PI);
  g.fill();
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
}

// What a fetch() gave the page: its status and the headers it may read, or
// the error it failed with.
async function attempt(url, init) {
  try {
    const res = await fetch(url, init);
    return { ok: res.ok, status: res.status, headers: headersOf(res), text: await res.text() };
  } catch (e) {
    return { failed: e.name + ': ' + e.message };
  }
}

window.client = {
  // Registers the app and goes to the instance's authorize page.
  async signIn(instance) {
    const redirectUri = location.origin + '/callback';
    const res = await fetch(instance + '/api/v1/apps', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'Tiny client', redirect_uris: redirectUri, scopes: SCOPES, website: location.origin }),
    });
    const app = await res.json();
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
    save({ instance, app, redirectUri, verifier, state });
    const query = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: redirectUri,
      scope: SCOPES, state, code_challenge: challenge, code_challenge_method: 'S256' });
    location.assign(instance + '/oauth/authorize?' + query);
    return { status: res.status, headers: headersOf(res), app };
  },

  // The redirect's ?code=: exchanged with the verifier, then who am I.
  async callback() {
    const params = new URLSearchParams(location.search);
    const saved = load();
    const seen = { code: Boolean(params.get('code')), stateMatches: params.get('state') === saved.state };
    history.replaceState(null, '', '/');
    const res = await fetch(saved.instance + '/oauth/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code: params.get('code'), client_id: saved.app.client_id,
        client_secret: saved.app.client_secret, redirect_uri: saved.redirectUri, code_verifier: saved.verifier }),
    });
    const body = await res.json();
    seen.token = { status: res.status, headers: headersOf(res), tokenType: body.token_type, scope: body.scope,
      hasToken: typeof body.access_token === 'string' && body.access_token.length > 0 };
    if (res.ok) save({ ...saved, token: body.access_token });
    const me = await call('/api/v1/accounts/verify_credentials');
    seen.me = { status: me.status, headers: me.headers, username: me.body?.username, id: me.body?.id };
    if (me.status === 200) show('Signed in as @' + me.body.username);
    return seen;
  },

  // Uploads a canvas-made photo and posts it.
  async post(caption, seed) {
    const form = new FormData();
    form.append('file', await photo(seed), 'photo.jpg');
    form.append('description', 'A gradient with a pale disc (' + seed + ')');
    const media = await call('/api/v2/media', { method: 'POST', form });
    if (media.status !== 200) return { media };
    const status = await call('/api/v1/statuses', { method: 'POST', headers: { 'Idempotency-Key': crypto.randomUUID() },
      json: { status: caption, media_ids: [media.body.id], visibility: 'public' } });
    return { media, status };
  },

  // Only the upload: a ready photo not in any post yet.
  async upload(seed) {
    const form = new FormData();
    form.append('file', await photo(seed), 'photo.jpg');
    return call('/api/v2/media', { method: 'POST', form });
  },

  async postMedia(caption, mediaIds) {
    return call('/api/v1/statuses', { method: 'POST', json: { status: caption, media_ids: mediaIds } });
  },

  async get(path) {
    return call(path);
  },

  // The session cookie of the instance's web app, sent along from here.
  async cookieProbes(mediaId, marker) {
    const { instance } = load();
    return {
      // A JSON write: preflighted, and a preflight answered with * does not
      // let credentials through.
      jsonWrite: await attempt(instance + '/api/v1/statuses', { method: 'POST', credentials: 'include',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: marker + ' json', media_ids: [mediaId] }) }),
      // A form write needs no preflight: the browser sends it, cookie and
      // all, and only reading the answer is blocked.
      formWrite: await attempt(instance + '/api/v1/statuses', { method: 'POST', credentials: 'include',
        body: new URLSearchParams({ status: marker + ' form', 'media_ids[]': mediaId }) }),
      // A read the cookie would unlock.
      credentialedRead: await attempt(instance + '/api/v1/accounts/verify_credentials', { credentials: 'include' }),
      // The web app's pages and its sign-in.
      webPage: await attempt(instance + '/', {}),
      settingsPage: await attempt(instance + '/settings', { credentials: 'include' }),
      signInJson: await attempt(instance + '/auth/sign_in', { method: 'POST', credentials: 'include',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'x' }) }),
      signInForm: await attempt(instance + '/auth/sign_in', { method: 'POST',
        body: new URLSearchParams({ username: 'nobody', password: 'x' }) }),
      session: await attempt(instance + '/auth/session', { credentials: 'include' }),
      // And the bearer token, without cookies, still works from here.
      bearerRead: await call('/api/v1/accounts/verify_credentials'),
    };
  },
};

if (location.pathname === '/callback') {
  window.observed.callback = window.client.callback().catch((e) => ({ error: String(e) }));
}
</script></body></html>
`;

// The client's origin: a static server on 127.0.0.1, another port than the
// instance's.
function startClientOrigin() {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://client');
    if (req.method === 'GET' && (pathname === '/' || pathname === '/callback')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(CLIENT_PAGE);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`,
        stop: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }) });
    });
  });
}

let client;
test.beforeAll(async () => { client = await startClientOrigin(); });
test.afterAll(async () => { await client?.stop(); });

// Link: <url>; rel="next", <url>; rel="prev" → {next: url, prev: url}.
function parseLink(header) {
  const links = {};
  for (const m of (header || '').matchAll(/<([^>]+)>\s*;\s*rel="?([^";]+)"?/g)) links[m[2]] = m[1];
  return links;
}

// Every request of the page to `origin` as Chromium's network saw it, from
// its DevTools protocol (Playwright reports no answer for a request CORS
// blocked): method, path, the raw request headers (cookies included), the
// answer's status and raw headers (those a script may not read included),
// and the CORS error the browser gave the page, if any. Preflights show as
// OPTIONS requests of their own.
async function recordNetwork(context, page, origin) {
  const cdp = await context.newCDPSession(page);
  const byId = new Map();
  const entry = (id) => {
    if (!byId.has(id)) byId.set(id, { requestHeaders: {}, headers: {} });
    return byId.get(id);
  };
  const lower = (headers) => Object.fromEntries(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
  cdp.on('Network.requestWillBeSent', (e) => {
    const u = new URL(e.request.url);
    Object.assign(entry(e.requestId), { method: e.request.method, path: u.pathname, origin: u.origin, type: e.type });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    Object.assign(entry(e.requestId).requestHeaders, lower(e.headers));
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    const x = entry(e.requestId);
    x.status = e.statusCode;
    Object.assign(x.headers, lower(e.headers));
  });
  cdp.on('Network.responseReceived', (e) => {
    const x = entry(e.requestId);
    x.status ??= e.response.status;
  });
  cdp.on('Network.loadingFailed', (e) => {
    entry(e.requestId).failed = { error: e.errorText, cors: e.corsErrorStatus?.corsError };
  });
  await cdp.send('Network.enable');
  const all = () => [...byId.values()].filter((x) => x.origin === origin);
  return {
    all,
    // The latest request of `method` to `path`, once it has an answer or
    // has failed.
    async last(method, path, match = () => true) {
      const find = () => all().filter((x) => x.method === method && x.path === path && match(x)).at(-1);
      await expect.poll(() => { const x = find(); return Boolean(x && (x.status || x.failed)); },
        { message: `${method} ${path} was seen` }).toBe(true);
      return find();
    },
  };
}

// An answer any origin may read: `*`, never with credentials.
function expectAnyOrigin(answer, what) {
  expect(answer, `${what} was answered`).toBeTruthy();
  expect(answer.headers['access-control-allow-origin'], what).toBe('*');
  expect(answer.headers['access-control-allow-credentials'], what).toBeUndefined();
}

test('a browser client on another origin signs in with PKCE and a second factor, posts photos and pages the home timeline; cookies unlock nothing for it', async ({ page, context }) => {
  test.setTimeout(120_000);
  const vantage = process.env.VANTAGE_URL;
  const vantageOrigin = new URL(vantage).origin;
  expect(new URL(client.url).origin).not.toBe(vantageOrigin);
  const network = await recordNetwork(context, page, vantageOrigin);

  // An account with TOTP on, enrolled through the API.
  const user = await makeUser('elk');
  const { secret } = await api('POST', '/api/vantage/v1/second_factors/totp', { token: user.token, json: { password: user.password } });
  const phone = authenticator(secret);
  const { recovery_codes: recoveryCodes } = await api('POST', '/api/vantage/v1/second_factors/totp/confirm',
    { token: user.token, json: { code: await phone.code() } });
  expect(recoveryCodes).toHaveLength(10);

  await test.step('sign in through the authorize page: password, then the code; the code is exchanged with the verifier', async () => {
    await page.goto(client.url + '/');
    await expect(page.locator('#status')).toHaveText('Not signed in');
    // The page registers the app, then leaves for the authorize page.
    await Promise.all([
      page.waitForURL((url) => url.origin === vantageOrigin && url.pathname === '/oauth/authorize'),
      page.evaluate((instance) => { window.client.signIn(instance); }, vantage),
    ]);
    const apps = await network.last('POST', '/api/v1/apps');
    expect(apps.status).toBe(200);
    expectAnyOrigin(apps, 'POST /api/v1/apps');
    const url = new URL(page.url());
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(client.url + '/callback');
    // The authorize page is not for other origins' scripts.
    expect((await network.last('GET', '/oauth/authorize')).headers['access-control-allow-origin']).toBeUndefined();

    await expect(page.getByRole('heading', { name: 'Authorize Tiny client' })).toBeVisible();
    await page.getByLabel('Username or e-mail').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Authorize' }).click();

    // The second step asks for the code, as the docs say.
    const code = page.getByLabel('Code from your authenticator app, or a recovery code');
    await expect(code).toBeVisible();
    await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await code.fill(await phone.code());
    await page.getByRole('button', { name: 'Verify and authorize' }).click();

    // Back on the client, which exchanges ?code= at /oauth/token by fetch.
    await page.waitForURL((u) => u.origin === client.url);
    await expect(page.locator('#status')).toHaveText(`Signed in as @${user.username}`);
    const seen = await page.evaluate(() => window.observed.callback);
    expect(seen.code).toBe(true);
    expect(seen.stateMatches).toBe(true);
    expect(seen.token).toMatchObject({ status: 200, tokenType: 'Bearer', hasToken: true });
    expect(seen.token.scope.split(' ').sort()).toEqual(['follow', 'read', 'write']);
    expect(seen.me).toMatchObject({ status: 200, username: user.username, id: user.id });
    // The code and state are gone from the address bar.
    expect(new URL(page.url()).search).toBe('');
    // The exchange, preflighted (a JSON body) and answered to any origin.
    const tokenPreflight = await network.last('OPTIONS', '/oauth/token');
    expect(tokenPreflight.status).toBe(200);
    expectAnyOrigin(tokenPreflight, 'the preflight of POST /oauth/token');
    expectAnyOrigin(await network.last('POST', '/oauth/token'), 'POST /oauth/token');
    expectAnyOrigin(await network.last('GET', '/api/v1/accounts/verify_credentials'), 'verify_credentials');
    // The account now has a token of that app.
    const sessions = await api('GET', '/api/vantage/v1/sessions', { token: user.token });
    expect(sessions.filter((x) => x.app === 'Tiny client')).toEqual([expect.objectContaining({ kind: 'oauth', current: false })]);
  });

  const stamp = Date.now();
  const captions = [`First light from the tiny client ${stamp}`, `Second light from the tiny client ${stamp}`];
  const posted = [];
  await test.step('post two photos and page the home timeline through its Link header', async () => {
    for (const [i, caption] of captions.entries()) {
      const result = await page.evaluate(([c, seed]) => window.client.post(c, seed), [caption, i + 1]);
      expect(result.media.status, JSON.stringify(result.media.body)).toBe(200);
      expect(result.media.body).toMatchObject({ type: 'image', description: `A gradient with a pale disc (${i + 1})` });
      expect(result.media.body.url).toBeTruthy();
      expect(result.status.status, JSON.stringify(result.status.body)).toBe(200);
      expect(result.status.body.account.id).toBe(user.id);
      expect(result.status.body.media_attachments.map((m) => m.id)).toEqual([result.media.body.id]);
      posted.push(result.status.body.id);
    }
    expectAnyOrigin(await network.last('POST', '/api/v2/media'), 'POST /api/v2/media');
    expectAnyOrigin(await network.last('POST', '/api/v1/statuses'), 'POST /api/v1/statuses');
    // The post's preflight: the headers the client sends are allowed, for a day.
    const preflight = await network.last('OPTIONS', '/api/v1/statuses',
      (x) => (x.requestHeaders['access-control-request-headers'] || '').includes('idempotency-key'));
    expect(preflight.status).toBe(200);
    expectAnyOrigin(preflight, 'the preflight of POST /api/v1/statuses');
    const allowed = preflight.headers['access-control-allow-headers'].toLowerCase().split(/,\s*/);
    for (const h of ['authorization', 'content-type', 'idempotency-key', 'accept']) expect(allowed).toContain(h);
    expect(preflight.headers['access-control-allow-methods'].split(/,\s*/)).toEqual(
      expect.arrayContaining(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));
    expect(preflight.headers['access-control-max-age']).toBe('86400');

    // Newest first, one a page: the second post, then the Link's next.
    const first = await page.evaluate(() => window.client.get('/api/v1/timelines/home?limit=1'));
    expect(first.status).toBe(200);
    expect(first.body.map((s) => s.id)).toEqual([posted[1]]);
    expect(first.body[0].content).toContain(captions[1]);
    expect(first.body[0].media_attachments).toHaveLength(1);
    // The page reads Link (exposed), and only what is exposed.
    expect(first.headers['access-control-allow-origin']).toBeUndefined();
    const links = parseLink(first.headers.link);
    expect(links.next, `Link as the page read it: ${first.headers.link}`).toBeTruthy();
    expect(new URL(links.next).origin).toBe(vantageOrigin);
    const home = await network.last('GET', '/api/v1/timelines/home');
    expectAnyOrigin(home, 'GET /api/v1/timelines/home');
    expect(home.headers['access-control-expose-headers'].toLowerCase().split(/,\s*/)).toContain('link');
    const second = await page.evaluate((next) => window.client.get(next), links.next);
    expect(second.status).toBe(200);
    expect(second.body.map((s) => s.id)).toEqual([posted[0]]);
    expect(second.body[0].content).toContain(captions[0]);

    // The server has them, as the API shows to anyone.
    for (const [i, id] of posted.entries()) {
      const status = await api('GET', `/api/v1/statuses/${id}`);
      expect(status.account.username).toBe(user.username);
      expect(status.content).toContain(captions[i]);
      expect(status.media_attachments).toHaveLength(1);
    }
  });

  await test.step("the web app's session cookie unlocks nothing for the client's origin", async () => {
    // The same browser signs in to Vantage's web app (a recovery code as
    // the second factor: one works wherever a TOTP code does).
    await page.goto(vantage + '/sign_in');
    await page.getByLabel('Username or e-mail').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code from your authenticator app or a recovery code').fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
    expect((await context.cookies(vantage)).map((c) => c.name)).toContain('vantage_session');
    expect((await page.request.get(vantage + '/auth/session')).ok()).toBe(true);
    expect(await api('GET', '/api/vantage/v1/second_factors', { token: user.token }))
      .toEqual({ totp: true, recovery_codes_remaining: 9, passkeys: [] });

    // A photo uploaded with the token, ready and in no post: a forged post
    // has all it needs but the CSRF token.
    await page.goto(client.url + '/');
    const upload = await page.evaluate(() => window.client.upload(7));
    expect(upload.status).toBe(200);
    const mediaId = upload.body.id;

    const marker = `forged ${stamp}`;
    const before = network.all().length;
    const probes = await page.evaluate(([id, m]) => window.client.cookieProbes(id, m), [mediaId, marker]);

    // The page could read none of them: no credentials with `*`, and no
    // CORS at all on the web app's pages and sign-in.
    for (const name of ['jsonWrite', 'formWrite', 'credentialedRead', 'webPage', 'settingsPage', 'signInJson', 'signInForm', 'session'])
      expect(probes[name], `${name}: ${JSON.stringify(probes[name]).slice(0, 300)}`).toEqual({ failed: expect.stringMatching(/^TypeError/) });
    // The token, without cookies, still works from here: the failures are
    // the browser's CORS.
    expect(probes.bearerRead).toMatchObject({ status: 200, body: { username: user.username } });

    // What the server answered, as the browser's network saw it.
    const form = (x) => (x.requestHeaders['content-type'] || '').startsWith('application/x-www-form-urlencoded');
    const json = (x) => !x.requestHeaders['content-type'] || x.requestHeaders['content-type'].startsWith('application/json');
    // The JSON write: its preflight is answered with `*`, which lets no
    // credentials through, so the POST itself was never sent.
    const preflight = await network.last('OPTIONS', '/api/v1/statuses');
    expect(preflight.status).toBe(200);
    expectAnyOrigin(preflight, 'the preflight of the credentialed JSON write');
    const jsonWrite = await network.last('POST', '/api/v1/statuses', json);
    expect(jsonWrite.failed?.cors).toBe('PreflightWildcardOriginNotAllowed');
    expect(jsonWrite.status, 'the credentialed JSON write was not sent').toBeUndefined();
    // The form write: sent, with the session cookie, refused by the server,
    // and its answer (`*`, no credentials) not given to the page.
    const formWrite = await network.last('POST', '/api/v1/statuses', form);
    expect(formWrite.requestHeaders.cookie ?? '', 'the browser sent the session cookie along').toContain('vantage_session=');
    expect(formWrite.status, 'the server refused the cookie-authenticated write').toBe(403);
    expectAnyOrigin(formWrite, 'the cookie-authenticated form write');
    expect(formWrite.failed?.cors).toBe('WildcardOriginNotAllowed');
    // The read the cookie unlocked: not for the page either.
    const read = await network.last('GET', '/api/v1/accounts/verify_credentials', (x) => Boolean(x.requestHeaders.cookie));
    expectAnyOrigin(read, 'the cookie-authenticated read');
    expect(read.failed?.cors).toBe('WildcardOriginNotAllowed');
    // The web app's pages, its sign-in and its session: no CORS at all.
    for (const [method, path, match] of [['GET', '/'], ['GET', '/settings'], ['POST', '/auth/sign_in', form],
      ['OPTIONS', '/auth/sign_in'], ['GET', '/auth/session']]) {
      const x = await network.last(method, path, match);
      expect(x.status, `${method} ${path} was answered`).toBeGreaterThan(0);
      expect(x.headers['access-control-allow-origin'], `${method} ${path}`).toBeUndefined();
      expect(x.headers['access-control-allow-credentials'], `${method} ${path}`).toBeUndefined();
    }
    const signInJson = await network.last('POST', '/auth/sign_in', json);
    expect(signInJson.failed?.cors).toBe('PreflightMissingAllowOriginHeader');
    expect(signInJson.status, 'the JSON sign-in was not sent').toBeUndefined();
    // The form sign-in from this origin is refused as cross-site.
    expect((await network.last('POST', '/auth/sign_in', form)).status).toBe(403);
    expect(network.all().length).toBeGreaterThan(before);

    // No such status exists: the account's posts are still the two.
    const mine = await api('GET', `/api/v1/accounts/${user.id}/statuses?limit=40`, { token: user.token });
    expect(mine.map((s) => s.id).sort()).toEqual([...posted].sort());
    expect(mine.filter((s) => s.content.includes('forged'))).toEqual([]);
    const timeline = await api('GET', '/api/v1/timelines/home?limit=40', { token: user.token });
    expect(timeline.filter((s) => s.content.includes('forged'))).toEqual([]);
    // And the photo is still unused: the client posts it with its token.
    const honest = await page.evaluate((id) => window.client.postMedia('Posted with the token', [id]), mediaId);
    expect(honest.status, JSON.stringify(honest.body)).toBe(200);
    expect(honest.body.media_attachments.map((m) => m.id)).toEqual([mediaId]);
  });
});
