// Helpers for the black-box API tests: start and stop a Vantage server, talk
// to it with fetch or over a raw socket, seed accounts and check errors.
//
// No npm dependencies: Node 20's fetch, node:net, node:child_process.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const VANTAGE_BIN = process.env.VANTAGE_BIN || path.join(REPO_ROOT, 'build', 'vantage');

// The storage engine under test: `sqlite` (default) or `postgres`, which
// needs VANTAGE_TEST_POSTGRES_URL (scripts/with-postgres sets it). Every
// server then gets a fresh PostgreSQL database of its own.
export const ENGINE = process.env.VANTAGE_TEST_ENGINE || 'sqlite';
if (ENGINE !== 'sqlite' && ENGINE !== 'postgres') throw new Error(`unknown VANTAGE_TEST_ENGINE ${ENGINE}`);
if (ENGINE === 'postgres' && !process.env.VANTAGE_TEST_POSTGRES_URL) {
  throw new Error('VANTAGE_TEST_ENGINE=postgres needs VANTAGE_TEST_POSTGRES_URL (run under scripts/with-postgres)');
}

function psql(sql) {
  execFileSync('psql', [process.env.VANTAGE_TEST_POSTGRES_URL, '-qXc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Where a server keeps its data: --data always, plus --db on PostgreSQL.
function freshDatabaseArgs(dataDir) {
  if (ENGINE !== 'postgres') return { args: ['--data', dataDir], drop() {} };
  const name = `vantage_api_${crypto.randomBytes(6).toString('hex')}`;
  psql(`CREATE DATABASE ${name}`);
  const url = process.env.VANTAGE_TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    args: ['--data', dataDir, '--db', url],
    drop() { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}

const LISTEN_RE = /vantage: listening on http:\/\/127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 12_000;
const KEEP_LOG = 64 * 1024;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Servers still running when the test process exits are killed, so a failed
// test never leaves a server behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function tail(text) {
  return text.length > KEEP_LOG ? text.slice(-KEEP_LOG) : text;
}

// Starts `VANTAGE_BIN serve --listen 127.0.0.1:0 --data <fresh dir> ...flags`
// and waits for its "listening on" line. Returns {url, port, dataDir, stop()}.
// stop() sends SIGTERM and asserts a clean exit (code 0) within 12 s.
// With `dataArgs` (e.g. ['--data', dir, '--db', url]) it serves that existing
// data instead of a fresh database, and leaves it in place when stopped.
export async function startServer(flags = [], { dataArgs } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vantage-api-'));
  const database = dataArgs ? { args: dataArgs, drop() {} } : freshDatabaseArgs(dataDir);
  const args = ['serve', '--listen', '127.0.0.1:0', ...database.args, ...flags.map(String)];
  const child = spawn(VANTAGE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);

  let stdout = '';
  let stderr = '';
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveChildren.delete(child);
      resolve(exitInfo);
    });
  });
  const spawnError = new Promise((resolve) => child.on('error', resolve));

  const port = await new Promise((resolve, reject) => {
    const describe = () =>
      `command: ${VANTAGE_BIN} ${args.join(' ')}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its listening line within ${START_TIMEOUT_MS} ms\n${describe()}`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let listening = false;
    child.stdout.on('data', (chunk) => {
      stdout = tail(stdout + chunk);
      if (listening) return;
      const m = LISTEN_RE.exec(stdout);
      if (m) {
        listening = true;
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr.on('data', (chunk) => { stderr = tail(stderr + chunk); });
    spawnError.then((err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${VANTAGE_BIN}: ${err.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal})\n${describe()}`));
    });
  });

  let stopping = null;
  const server = {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    // The --data/--db arguments that reach this server's data, for the CLI.
    dataArgs: database.args,
    child,
    exited,
    flags,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    get running() { return exitInfo === null; },
    // Sends SIGTERM, waits for the exit and asserts it was clean.
    stop() {
      stopping ??= (async () => {
        if (exitInfo === null) child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); });
        const result = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (result === null) {
          child.kill('SIGKILL');
          await exited;
          throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n--- stderr ---\n${stderr}`);
        }
        if (!process.env.VANTAGE_KEEP_DATA) {
          await rm(dataDir, { recursive: true, force: true });
          database.drop();
        }
        assert.equal(result.signal, null,
          `server was killed by ${result.signal} instead of exiting\n--- stderr ---\n${stderr}`);
        assert.equal(result.code, 0, `server exited with code ${result.code}\n--- stderr ---\n${stderr}`);
      })();
      return stopping;
    },
  };
  return server;
}

// Runs `VANTAGE_BIN admin <args...>` with `stdin` as its standard input.
// Returns {code, stdout, stderr}.
export function runCli(args, { stdin = '', timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(VANTAGE_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.on('error', () => { /* the CLI may exit before reading stdin */ });
    child.stdin.end(stdin);
  });
}

// Seeds an account with the admin CLI (works while the server runs).
export async function adminCreateAccount(server, { username, email, password, role = 'user' }) {
  email ??= `${username.toLowerCase()}@example.com`;
  const r = await runCli(['admin', 'create-account', ...server.dataArgs, '--username', username,
    '--email', email, '--role', role, '--password-stdin'], { stdin: `${password}\n` });
  assert.equal(r.code, 0, `admin create-account failed (${r.code})\n${r.stdout}\n${r.stderr}`);
  return { username, email, password, ...r };
}

// An instance admin made through the command line, signed in with `scopes`
// through the password grant: {token, id, username}.
export const ADMIN_SCOPES = 'read write follow admin:read admin:write';
export async function makeAdmin(server, scopes = ADMIN_SCOPES) {
  const credentials = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...credentials, role: 'admin' });
  const app = await createApp(server, scopes);
  const token = await passwordToken(server, app, credentials.username, credentials.password, scopes);
  const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
  return { token, id: me.id, username: credentials.username };
}

export async function adminResetPassword(server, { username, password }) {
  const r = await runCli(['admin', 'reset-password', ...server.dataArgs, '--username', username,
    '--password-stdin'], { stdin: `${password}\n` });
  assert.equal(r.code, 0, `admin reset-password failed (${r.code})\n${r.stdout}\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------------------
// HTTP through fetch

// Builds a URLSearchParams; array values become repeated keys.
export function toForm(fields) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  return params;
}

// fetch wrapper. Options: token (Bearer), cookie, csrf (X-CSRF-Token), json
// (object, or a string sent verbatim), form (object), body (raw), headers.
// Never follows redirects. Returns {status, headers, json, text, cookies}.
export async function api(server, method, urlPath, opts = {}) {
  const { token, cookie, csrf, json, form, headers = {}, timeoutMs = 15_000 } = opts;
  let { body } = opts;
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  if (json !== undefined) {
    body = typeof json === 'string' ? json : JSON.stringify(json);
    h['content-type'] ??= 'application/json';
  } else if (form !== undefined) {
    body = toForm(form).toString();
    h['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(new URL(urlPath, server.url), {
    method,
    headers: h,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = null; }
  }
  return { status: res.status, headers: res.headers, json: parsed, text, cookies: res.headers.getSetCookie() };
}

function header(res, name) {
  const h = res.headers;
  if (!h) return null;
  if (typeof h.get === 'function') return h.get(name);
  return h[name.toLowerCase()] ?? null;
}

function describeRes(res) {
  return `status ${res.status}, content-type ${header(res, 'content-type')}, body: ${String(res.text ?? res.body ?? '').slice(0, 600)}`;
}

// Checks the error shape of docs/api.md: status, a JSON content type, a body
// {error: non-empty string, code, field?} and an X-Request-Id header.
// `code` may be a string, an array of acceptable codes, or null (any code).
// `field` is checked only when given.
export function assertError(res, status, code, field) {
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(statuses.includes(res.status), `expected status ${statuses.join('|')}; got ${describeRes(res)}`);
  const ct = header(res, 'content-type') ?? '';
  assert.ok(ct.toLowerCase().startsWith('application/json'), `error content-type must be JSON; got ${describeRes(res)}`);
  const body = res.json;
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `error body must be a JSON object; got ${describeRes(res)}`);
  assert.equal(typeof body.error, 'string', `error.error must be a string; got ${describeRes(res)}`);
  assert.ok(body.error.length > 0, `error.error must not be empty; got ${describeRes(res)}`);
  assert.equal(typeof body.code, 'string', `error.code must be a string; got ${describeRes(res)}`);
  if (code != null) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(body.code), `expected code ${codes.join('|')}; got ${describeRes(res)}`);
  }
  if (field !== undefined) {
    assert.equal(body.field, field, `expected field ${field}; got ${describeRes(res)}`);
  }
  const rid = header(res, 'x-request-id');
  assert.ok(rid && rid.length > 0, `error response lacks X-Request-Id; got ${describeRes(res)}`);
  return body;
}

// Asserts a 2xx JSON answer and returns its body.
export function assertOk(res, status = 200) {
  assert.equal(res.status, status, `expected ${status}; got ${describeRes(res)}`);
  const ct = header(res, 'content-type') ?? '';
  assert.ok(ct.toLowerCase().startsWith('application/json'), `expected JSON; got ${describeRes(res)}`);
  return res.json;
}

// ---------------------------------------------------------------------------
// Apps, tokens, accounts

let nameCounter = 0;
// A fresh valid username (<= 30 chars of [a-z0-9_]).
export function uniqueName(prefix = 'u') {
  nameCounter += 1;
  const rand = crypto.randomBytes(4).toString('hex');
  return `${prefix}_${nameCounter}_${rand}`.slice(0, 30);
}

export function strongPassword() {
  return `pw-${crypto.randomBytes(9).toString('base64url')}`;
}

export const OOB = 'urn:ietf:wg:oauth:2.0:oob';

// POST /api/v1/apps; returns the app ({id, client_id, client_secret, ...}).
export async function createApp(server, scopes = 'read write follow', extra = {}) {
  const res = await api(server, 'POST', '/api/v1/apps', {
    json: { client_name: 'vantage api tests', redirect_uris: OOB, scopes, ...extra },
  });
  return assertOk(res);
}

// POST /oauth/token grant_type=client_credentials; returns the access token.
export async function appToken(server, app, scope = 'read write follow') {
  const res = await api(server, 'POST', '/oauth/token', {
    json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope },
  });
  return assertOk(res).access_token;
}

// POST /oauth/token grant_type=password; returns the access token.
export async function passwordToken(server, app, username, password, scope = 'read write follow') {
  const res = await api(server, 'POST', '/oauth/token', {
    json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username, password, scope },
  });
  return assertOk(res).access_token;
}

// One app and one app token per server, for registrations.
export async function registrationApp(server) {
  if (!server._registration) {
    const app = await createApp(server, 'read write follow');
    const token = await appToken(server, app, 'read write follow');
    server._registration = { app, token };
  }
  return server._registration;
}

// POST /api/v1/accounts with whatever fields are given; returns the response.
export async function registerRaw(server, fields, { token, form = false } = {}) {
  token ??= (await registrationApp(server)).token;
  return api(server, 'POST', '/api/v1/accounts', form ? { token, form: fields } : { token, json: fields });
}

// Registers an account (agreement: true) and returns
// {token, username, email, password, app, res}.
export async function register(server, opts = {}) {
  const username = opts.username ?? uniqueName(opts.prefix ?? 'user');
  const email = opts.email ?? `${username.toLowerCase()}@example.com`;
  const password = opts.password ?? strongPassword();
  const fields = { username, email, password, agreement: true, locale: 'en', ...(opts.fields ?? {}) };
  if (opts.reason) fields.reason = opts.reason;
  const res = await registerRaw(server, fields, { token: opts.appToken, form: opts.form });
  const body = assertOk(res);
  assert.equal(typeof body.access_token, 'string', `registration returns a token: ${res.text}`);
  const { app } = await registrationApp(server);
  return { token: body.access_token, username, email, password, app, res };
}

// POST /auth/sign_in. Returns {res, cookie ("vantage_session=..."), csrf, account}.
export async function signIn(server, login, password, { headers } = {}) {
  const res = await api(server, 'POST', '/auth/sign_in', { json: { username: login, password }, headers });
  const session = res.cookies.map((c) => c.split(';')[0].trim()).find((c) => c.startsWith('vantage_session='));
  return { res, cookie: session ?? null, csrf: res.json?.csrf_token ?? null, account: res.json?.account ?? null };
}

// Makes `member` ({id, token}) staff of the organisation `orgId` with
// `roles`, the way people join (docs/organisations.md, "Organisations and
// staff"): `owner` ({token}) invites them (PUT .../staff/:account_id answers
// state "invited"), and they accept with their own token. Returns the
// acceptance, {account: the organisation, roles}. `headers` go with both
// requests (a user agent, say). For someone already on the staff, change the
// roles with a plain PUT instead.
export async function joinStaff(server, orgId, owner, member, roles, { headers } = {}) {
  const base = `/api/vantage/v1/organisations/${orgId}`;
  const invited = assertOk(await api(server, 'PUT', `${base}/staff/${member.id}`,
    { token: owner.token, headers, json: { roles } }));
  assert.equal(invited.state, 'invited', `an owner's PUT of a non-member invites: ${JSON.stringify(invited)}`);
  const accepted = assertOk(await api(server, 'POST', `${base}/invitation/accept`, { token: member.token, headers }));
  assert.equal(accepted.account.id, String(orgId), `the acceptance names the organisation: ${JSON.stringify(accepted)}`);
  return accepted;
}

// Polls fn until it returns a truthy value; returns that value.
export async function waitFor(fn, { timeoutMs = 5_000, intervalMs = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}; last: ${last?.stack ?? last}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------
// Entities

export const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Checks the Mastodon Account entity fields clients read.
export function assertAccountShape(a) {
  assert.ok(a && typeof a === 'object', `account must be an object: ${JSON.stringify(a)}`);
  const s = JSON.stringify(a);
  assert.equal(typeof a.id, 'string', `id must be a string: ${s}`);
  assert.match(a.id, /^\d+$/, `id must be decimal: ${s}`);
  for (const k of ['username', 'acct', 'display_name', 'note', 'url', 'avatar', 'avatar_static', 'header', 'header_static']) {
    assert.equal(typeof a[k], 'string', `${k} must be a string: ${s}`);
  }
  for (const k of ['locked', 'bot']) assert.equal(typeof a[k], 'boolean', `${k} must be a boolean: ${s}`);
  assert.equal(typeof a.created_at, 'string', `created_at must be a string: ${s}`);
  assert.ok(!Number.isNaN(Date.parse(a.created_at)), `created_at must be a date: ${s}`);
  for (const k of ['followers_count', 'following_count', 'statuses_count']) {
    assert.ok(Number.isInteger(a[k]) && a[k] >= 0, `${k} must be a non-negative integer: ${s}`);
  }
  assert.ok(Array.isArray(a.fields), `fields must be an array: ${s}`);
  assert.ok(Array.isArray(a.emojis), `emojis must be an array: ${s}`);
}

// Checks an OAuth token response.
export function assertTokenShape(t) {
  const s = JSON.stringify(t);
  assert.equal(typeof t.access_token, 'string', `access_token: ${s}`);
  assert.ok(t.access_token.length >= 16, `access_token looks too short: ${s}`);
  assert.equal(t.token_type, 'Bearer', `token_type: ${s}`);
  assert.equal(typeof t.scope, 'string', `scope: ${s}`);
  assert.equal(typeof t.created_at, 'number', `created_at must be a number: ${s}`);
  assert.ok(Math.abs(t.created_at - Date.now() / 1000) < 3600, `created_at must be Unix seconds near now: ${s}`);
}

// ---------------------------------------------------------------------------
// PKCE and HTML forms

export function base64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

export function pkcePair() {
  const verifier = base64url(crypto.randomBytes(32));
  const challenge = base64url(crypto.createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function parseAttributes(tag) {
  const attrs = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-zA-Z]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

// Every <input> tag of an HTML page, as attribute maps.
export function parseInputs(html) {
  return [...html.matchAll(/<input\b[^>]*>/gi)].map((m) => parseAttributes(m[0]));
}

// The hidden inputs of an HTML page, as {name: value}.
export function parseHiddenInputs(html) {
  const out = {};
  for (const a of parseInputs(html)) {
    if ((a.type ?? '').toLowerCase() === 'hidden' && a.name) out[a.name] = a.value ?? '';
  }
  return out;
}

// The Cookie header value that sends back every cookie a response set.
export function cookieHeader(cookies) {
  return cookies.map((c) => c.split(';')[0].trim()).filter(Boolean).join('; ');
}

// ---------------------------------------------------------------------------
// Raw sockets

// Parses as many complete HTTP/1.x responses as `buf` holds. Interim (1xx)
// responses are included with interim: true. When `closed`, a response
// without a length ends at the end of the data.
export function parseResponses(buf, closed = false) {
  const responses = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const head = buf.subarray(pos, headEnd).toString('latin1');
    const lines = head.split('\r\n');
    const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!m) break;
    const status = Number(m[2]);
    const headers = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const k = line.slice(0, i).trim().toLowerCase();
      const v = line.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    let bodyStart = headEnd + 4;
    let body;
    let next;
    if (status < 200 || status === 204 || status === 304) {
      body = Buffer.alloc(0);
      next = bodyStart;
    } else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
      const chunks = [];
      let p = bodyStart;
      let done = false;
      for (;;) {
        const le = buf.indexOf('\r\n', p);
        if (le < 0) break;
        const size = parseInt(buf.subarray(p, le).toString('latin1'), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          // The last chunk, optional trailers, then an empty line.
          const end = buf.indexOf('\r\n\r\n', le);
          if (end >= 0) { next = end + 4; done = true; }
          break;
        }
        if (buf.length < le + 2 + size + 2) break;
        chunks.push(buf.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(chunks);
    } else if (headers['content-length'] !== undefined) {
      const len = Number(headers['content-length']);
      if (buf.length < bodyStart + len) break;
      body = buf.subarray(bodyStart, bodyStart + len);
      next = bodyStart + len;
    } else if (closed) {
      body = buf.subarray(bodyStart);
      next = buf.length;
    } else {
      break;
    }
    const text = body.toString('utf8');
    let json = null;
    try { json = JSON.parse(text); } catch { json = null; }
    responses.push({ httpVersion: m[1], status, reason: m[3] ?? '', headers, body: text, text, json, interim: status < 200 });
    pos = next;
  }
  return { responses, rest: buf.subarray(pos) };
}

// A raw TCP connection with incremental control, for protocol tests.
export class RawConnection {
  constructor(socket) {
    this.socket = socket;
    this.data = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    this.openedAt = Date.now();
    this.closedAt = null;
    socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this._wake();
    });
    socket.on('error', (err) => { this.error = err; });
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this._wake();
    });
  }

  static open(port, { timeoutMs = 5_000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => { socket.destroy(); reject(new Error('connect timed out')); }, timeoutMs);
      socket.once('connect', () => { clearTimeout(timer); resolve(new RawConnection(socket)); });
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
  }

  _wake() {
    for (const w of [...this.waiters]) w();
  }

  get text() { return this.data.toString('utf8'); }

  // Complete responses received so far (final and interim).
  get responses() { return parseResponses(this.data, this.closed).responses; }
  get finalResponses() { return this.responses.filter((r) => !r.interim); }

  write(bytes) {
    return new Promise((resolve, reject) => {
      if (this.closed || this.socket.destroyed) { reject(new Error('socket closed')); return; }
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  // Tries to write; returns false instead of throwing when the peer is gone.
  async tryWrite(bytes) {
    try { await this.write(bytes); return true; } catch { return false; }
  }

  // Resolves true once pred(this) holds, false after timeoutMs.
  waitFor(pred, timeoutMs = 5_000) {
    return new Promise((resolve) => {
      const check = () => {
        let ok = false;
        try { ok = pred(this); } catch { ok = false; }
        if (ok) { finish(true); }
      };
      const finish = (v) => { clearTimeout(timer); this.waiters.delete(check); resolve(v); };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  waitForResponses(n = 1, timeoutMs = 5_000) {
    return this.waitFor((c) => c.finalResponses.length >= n || c.closed, timeoutMs)
      .then(() => this.finalResponses);
  }

  waitForClose(timeoutMs = 5_000) {
    return this.waitFor((c) => c.closed, timeoutMs);
  }

  close() { this.socket.destroy(); }
}

// Sends `bytes` on a fresh connection and collects the answer. Resolves when
// `responses` final responses have arrived, when the server closes the
// connection, or after timeoutMs. Returns {text, closed, timedOut,
// responses, elapsedMs} where responses are the parsed final responses.
export async function rawRequest(port, bytes, { timeoutMs = 5_000, responses = 1 } = {}) {
  const started = Date.now();
  const conn = await RawConnection.open(port);
  await conn.tryWrite(bytes);
  const done = await conn.waitFor((c) => c.closed || c.finalResponses.length >= responses, timeoutMs);
  const result = {
    text: conn.text,
    closed: conn.closed,
    timedOut: !done,
    responses: conn.finalResponses,
    all: conn.responses,
    elapsedMs: Date.now() - started,
    conn,
  };
  conn.close();
  return result;
}

// Builds a request's bytes: request line, Host, the given headers, body.
export function httpRequest(method, target, { headers = {}, body, version = '1.1' } = {}) {
  const lines = [`${method} ${target} HTTP/${version}`, 'Host: 127.0.0.1'];
  const bodyBuf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const names = Object.keys(headers).map((k) => k.toLowerCase());
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (bodyBuf && !names.includes('content-length') && !names.includes('transfer-encoding')) {
    lines.push(`Content-Length: ${bodyBuf.length}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return bodyBuf ? Buffer.concat([head, bodyBuf]) : head;
}
