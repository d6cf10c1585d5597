// Shared pieces of the federation benchmark's node scripts (node built-ins
// only): the API calls they need, a noise JPEG, draft-cavage signing and
// verification, CPU time of a process, percentiles.

import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const AP_TYPE = 'application/activity+json';

// Wall-clock milliseconds with sub-millisecond resolution, comparable
// between processes on this machine.
export const nowMs = () => performance.timeOrigin + performance.now();

export async function call(base, method, urlPath, { token, json, body, ok = [200] } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(urlPath, base), { method, headers, body: json ? JSON.stringify(json) : body });
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${method} ${urlPath}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

// A password-grant token for an account made with `vantage admin create-account`.
export async function signIn(base, username, password) {
  const app = await call(base, 'POST', '/api/v1/apps', {
    json: { client_name: 'bench/federation', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' },
  });
  const token = await call(base, 'POST', '/oauth/token', {
    json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username, password,
      scope: 'read write' },
  });
  return token.access_token;
}

// A small JPEG of noise (binary PPM of random bytes through `vips copy`).
export function noiseJpeg(width = 64, height = 48) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vantage-bench-jpeg-'));
  try {
    const ppm = path.join(dir, 'noise.ppm');
    const jpg = path.join(dir, 'noise.jpg');
    writeFileSync(ppm, Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'),
      crypto.randomBytes(width * height * 3)]));
    execFileSync('vips', ['copy', ppm, jpg]);
    return readFileSync(jpg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Uploads a fresh noise JPEG and waits until it is processed; the media id.
export async function uploadPhoto(base, token) {
  const form = new FormData();
  form.append('file', new Blob([noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const media = await call(base, 'POST', '/api/v2/media', { token, body: form, ok: [200, 202] });
  for (let i = 0; ; i++) {
    const res = await fetch(new URL(`/api/v1/media/${media.id}`, base), { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status === 200) return media.id;
    if (i > 300) throw new Error(`media ${media.id} never became ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// CPU seconds (user + system) a process has used so far, from /proc.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // fields from the 3rd on
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;       // utime (14th), stime (15th)
}

// CPU seconds of the database server's processes (DB_PIDS, set by run.sh
// for PostgreSQL), or null; processes gone since count as 0.
export function dbCpuSeconds() {
  const pids = (process.env.DB_PIDS ?? '').split(/\s+/).filter(Boolean);
  if (!pids.length) return null;
  let sum = 0;
  for (const p of pids) {
    try { sum += cpuSeconds(p); } catch { /* gone */ }
  }
  return sum;
}

export function percentile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

// --- draft-cavage HTTP Signatures --------------------------------------

export const digestOf = (body) => `SHA-256=${crypto.createHash('sha256').update(body).digest('base64')}`;

// The signing string: one `name: value` line per signed header, in order.
export function signingString(names, method, target, headers) {
  return names.map((name) => {
    if (name === '(request-target)') return `(request-target): ${method.toLowerCase()} ${target}`;
    const value = headers[name];
    if (value === undefined) throw new Error(`the request has no ${name} header`);
    return `${name}: ${String(value).trim()}`;
  }).join('\n');
}

export function parseSignatureHeader(value) {
  const out = {};
  const re = /\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/y;
  const s = String(value ?? '');
  let m;
  while (re.lastIndex < s.length && (m = re.exec(s))) out[m[1]] = m[2] ?? m[3];
  out.headers = (out.headers ?? 'date').split(/\s+/).filter(Boolean).map((h) => h.toLowerCase());
  return out;
}

// The headers of a signed POST of `body` to `url`: Host, Date, Digest,
// Content-Type and Signature over (request-target) host date digest
// content-type, as Mastodon sends them.
export function signPost(url, body, keyId, privateKey, date = new Date()) {
  const u = new URL(url);
  const headers = {
    host: u.host,
    date: date.toUTCString(),
    digest: digestOf(body),
    'content-type': AP_TYPE,
  };
  const names = ['(request-target)', 'host', 'date', 'digest', 'content-type'];
  const signature = crypto.sign('sha256', Buffer.from(signingString(names, 'POST', u.pathname + u.search, headers)),
    privateKey).toString('base64');
  headers.signature = `keyId="${keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${signature}"`;
  return headers;
}

// With PROFILE=FILE in the environment, `perf record` of the server over
// the timed part (FILE is perf's output: `perf report -i FILE`), with
// PERF_RECORD_ARGS (default `-F 999 -g`; `--call-graph dwarf` gives whole
// stacks of a build without frame pointers). Returns the function that ends
// the recording.
export function startProfile(pid) {
  const file = process.env.PROFILE;
  if (!file) return async () => {};
  const perf = spawn('perf', ['record', ...(process.env.PERF_RECORD_ARGS ?? '-F 999 -g').split(/\s+/).filter(Boolean),
    '-p', String(pid), '-o', file], { stdio: 'ignore' });
  return () => new Promise((resolve) => {
    perf.once('exit', resolve);
    perf.kill('SIGINT');
  });
}
