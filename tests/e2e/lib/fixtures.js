// The test object every spec uses: baseURL is the server global setup
// started, every page fails its test on a JavaScript error or an alert
// dialog, and helpers reach the API directly to set scenes up quickly.
import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVantage, freePort } from './server.js';

export { expect };
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PASSWORD = 'correct horse battery staple';

export const test = base.extend({
  baseURL: async ({}, use) => use(process.env.VANTAGE_URL),
  page: async ({ page }, use) => {
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog fired: ${d.type()} ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    await use(page);
    expect(problems, 'no JavaScript errors and no dialogs').toEqual([]);
  },
});

// For the tests of one spec file that need a server started with other
// flags than global setup's (e.g. `--federation-ca-file`, whose certificate
// is made in the test's own process): starts one before them, points
// baseURL, the helpers below and VANTAGE_E2E_DATA at it, and afterwards puts
// the shared server back and stops this one. `flags` is an array, or a
// function called in beforeAll that resolves to one.
export function useOwnServer(flags = []) {
  let server;
  let saved;
  test.beforeAll(async () => {
    server = await startVantage(typeof flags === 'function' ? await flags() : flags);
    saved = { url: process.env.VANTAGE_URL, data: process.env.VANTAGE_E2E_DATA };
    process.env.VANTAGE_URL = server.url;
    process.env.VANTAGE_E2E_DATA = server.dataDir;
  });
  test.afterAll(async () => {
    if (saved) {
      process.env.VANTAGE_URL = saved.url;
      process.env.VANTAGE_E2E_DATA = saved.data;
    }
    await server?.stop();
  });
}

// For a spec whose pages need a host name rather than an IP address
// (passkeys: WebAuthn refuses IP addresses, and the server's rpId is its
// public URL's host): a server of its own, listening on 127.0.0.1 at a free
// port with `--public-url http://localhost:PORT`, started before the file's
// tests. Pages browse http://localhost:PORT (baseURL); the helpers above
// (api, makeUser, VANTAGE_E2E_DATA) reach it at 127.0.0.1:PORT. Afterwards
// the shared server is put back and this one stopped.
export function useLocalhostServer(flags = []) {
  let server;
  let saved;
  let publicUrl;
  test.use({ baseURL: async ({}, use) => use(publicUrl) });
  test.beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://localhost:${port}`;
    server = await startVantage([...flags, '--public-url', publicUrl], { listen: `127.0.0.1:${port}` });
    saved = { url: process.env.VANTAGE_URL, data: process.env.VANTAGE_E2E_DATA };
    process.env.VANTAGE_URL = server.url;
    process.env.VANTAGE_E2E_DATA = server.dataDir;
  });
  test.afterAll(async () => {
    if (saved) {
      process.env.VANTAGE_URL = saved.url;
      process.env.VANTAGE_E2E_DATA = saved.data;
    }
    await server?.stop();
  });
  return { get url() { return publicUrl; } };
}

let counter = 0;
export function uniqueName(prefix = 'u') {
  return `${prefix}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}${crypto.randomBytes(2).toString('hex')}`.slice(0, 30);
}

async function call(method, urlPath, { token, json, form, headers: extra } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (form) body = form;
  else if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const res = await fetch(process.env.VANTAGE_URL + urlPath, { method, headers, body });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}
export const api = call;

// An account made through the API: {username, password, token, id}.
export async function makeUser(prefix = 'user', { displayName, note, locked } = {}) {
  const app = await call('POST', '/api/v1/apps', { json: { client_name: 'e2e', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' } });
  const appToken = await call('POST', '/oauth/token', { json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write follow' } });
  const username = uniqueName(prefix);
  const { access_token: token } = await call('POST', '/api/v1/accounts', { token: appToken.access_token,
    json: { username, email: `${username}@example.test`, password: PASSWORD, agreement: true, locale: 'en' } });
  const patch = {};
  if (displayName !== undefined) patch.display_name = displayName;
  if (note !== undefined) patch.note = note;
  if (locked !== undefined) patch.locked = locked;
  const me = Object.keys(patch).length
    ? await call('PATCH', '/api/v1/accounts/update_credentials', { token, json: patch })
    : await call('GET', '/api/v1/accounts/verify_credentials', { token });
  return { username, password: PASSWORD, token, id: me.id };
}

// The verified badge, given as an instance admin gives it: `vantage admin
// verify NAME` on the server's data folder, while it runs.
export function markVerified(user) {
  const bin = process.env.VANTAGE_BIN || path.join(REPO, 'build', 'vantage');
  execFileSync(bin, ['admin', 'verify', user.username, '--data', process.env.VANTAGE_E2E_DATA], { encoding: 'utf8' });
}

// An organisation account made by the instance admin's command, with
// `owner` as its first owner: {username, id}. Its staff need no second
// factor (`--second-factor-optional`); `requireSecondFactor: true` leaves
// the flag out, so that it requires one, as new organisations do by default
// (docs/account-security.md).
export function makeOrganisation(owner, { prefix = 'org', displayName, requireSecondFactor = false } = {}) {
  const username = uniqueName(prefix);
  const bin = process.env.VANTAGE_BIN || path.join(REPO, 'build', 'vantage');
  const args = ['admin', 'create-organisation', '--data', process.env.VANTAGE_E2E_DATA, '--username', username, '--owner', owner.username];
  if (!requireSecondFactor) args.push('--second-factor-optional');
  if (displayName) args.push('--display-name', displayName);
  const out = execFileSync(bin, args, { encoding: 'utf8' });
  return { username, id: /\(id (\d+)\)/.exec(out)[1] };
}

// Puts `member` on the organisation's staff with `roles` the way people do:
// an owner invites them, and they accept (nobody is staff without consent).
// Resolves to the accept answer, {account: the organisation's, roles}.
export async function addStaff(org, owner, member, roles) {
  const base = `/api/vantage/v1/organisations/${org.id}`;
  const invited = await call('PUT', `${base}/staff/${member.id}`, { token: owner.token, json: { roles } });
  expect(invited.state).toBe('invited');
  return call('POST', `${base}/invitation/accept`, { token: member.token });
}

// A post of the organisation with one photo, the two-person way: drafted and
// published by `owner`, approved by `approver` (a member with that role).
// Resolves to the post's id.
export async function publishAsOrganisation(org, owner, approver, caption, seed = 31) {
  const photo = new FormData();
  photo.append('file', new Blob([readFileSync(photoFile(seed))], { type: 'image/jpeg' }), 'p.jpg');
  const media = await call('POST', '/api/v2/media', { token: owner.token, form: photo, headers: { 'Vantage-Act-As': org.id } });
  const drafts = `/api/vantage/v1/organisations/${org.id}/drafts`;
  const draft = await call('POST', drafts, { token: owner.token, json: { status: caption, media_ids: [media.id] } });
  await call('POST', `${drafts}/${draft.id}/submit`, { token: owner.token });
  // Approved and published as read: the version the draft was written at.
  const { version } = draft;
  await call('POST', `${drafts}/${draft.id}/approve`, { token: approver.token, json: { version } });
  return (await call('POST', `${drafts}/${draft.id}/publish`, { token: owner.token, json: { version } })).status_id;
}

// Signs the page's browser context in with the cookie session (the same
// request the app's sign-in form makes).
export async function signInAs(page, user) {
  const res = await page.request.post('/auth/sign_in', { data: { username: user.username, password: user.password } });
  expect(res.ok()).toBeTruthy();
}

// A JPEG of a smooth two-colour gradient (made with the `vips` CLI from a
// PPM), different for every seed, looking like something in screenshots.
const photoDir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-photos-'));
export function photoFile(seed = Math.random() * 1000, width = 640, height = 800, solid = null) {
  const rnd = (k) => Math.floor((Math.sin(seed * 12.9898 + k * 78.233) * 43758.5453 % 1 + 1) % 1 * 255);
  const a = [rnd(1), rnd(2), rnd(3)];
  const b = [rnd(4), rnd(5), rnd(6)];
  const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const ring = Math.hypot(x - width / 2, y - height / 2) < width / 4 ? 0.35 : 0;
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = solid ? solid[c] : Math.min(255, a[c] * (1 - t) + b[c] * t + ring * 255 * 0.5);
    }
  }
  const name = `photo-${crypto.randomBytes(4).toString('hex')}`;
  const ppm = path.join(photoDir, `${name}.ppm`);
  const jpg = path.join(photoDir, `${name}.jpg`);
  writeFileSync(ppm, Buffer.concat([header, pixels]));
  execFileSync('vips', ['copy', ppm, jpg]);
  return jpg;
}

// A post of `photos` gradient photos by `user` through the API.
export async function makePost(user, { caption = '', photos = 1, alt = [], visibility = 'public' } = {}) {
  const ids = [];
  for (let idx = 0; idx < photos; idx++) {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(photoFile(Math.random() * 1000))], { type: 'image/jpeg' }), 'p.jpg');
    if (alt[idx]) form.append('description', alt[idx]);
    ids.push((await call('POST', '/api/v2/media', { token: user.token, form })).id);
  }
  return call('POST', '/api/v1/statuses', { token: user.token, json: { status: caption, media_ids: ids, visibility } });
}

// Zero serious or critical accessibility violations on the page as it is.
export async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

// docs/screenshots/NAME-mobile.png or -desktop.png, for the README.
export async function screenshot(page, testInfo, name) {
  const dir = path.join(REPO, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  // No focus ring left over from the test's own steps.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.screenshot({ path: path.join(dir, `${name}-${testInfo.project.name}.png`) });
}
