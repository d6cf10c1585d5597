// Helpers for API tests that need accounts with ids and photo posts: a small
// JPEG of noise (made with the `vips` CLI), its upload through
// POST /api/v2/media, a status carrying it, and Link header pagination.
//
// Every helper takes the server explicitly, so a test can use them on a
// server of its own as well as on its file's shared one.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { api, assertOk, register, waitFor } from './server.mjs';

// The bytes of a width x height JPEG of random noise: a binary PPM of random
// bytes converted with `vips copy` in a temporary folder, removed afterwards.
// Every call gives different bytes.
export async function noiseJpeg(width = 32, height = 24) {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-noise-jpeg-'));
  try {
    const ppm = path.join(dir, 'noise.ppm');
    const jpg = path.join(dir, 'noise.jpg');
    const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
    await writeFile(ppm, Buffer.concat([header, crypto.randomBytes(width * height * 3)]));
    execFileSync('vips', ['copy', ppm, jpg]);
    return await readFile(jpg);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Uploads `bytes` (a JPEG; a fresh noiseJpeg() when not given) as `user`
// through POST /api/v2/media, asserts the upload was accepted (200 or 202)
// and waits until GET /api/v1/media/:id answers 200, i.e. the processed
// media is ready. Returns the media id.
export async function uploadPhoto(server, user, bytes, { timeoutMs = 15_000 } = {}) {
  bytes ??= await noiseJpeg();
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await api(server, 'POST', '/api/v2/media', { token: user.token, body: form });
  assert.ok(res.status === 200 || res.status === 202, `upload: status ${res.status}: ${res.text}`);
  const { id } = res.json;
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`, { token: user.token })).status === 200,
    { timeoutMs, message: `media ${id} ready` });
  return id;
}

// Registers an account (see register() in server.mjs; `opts` goes to it) and
// reads its id from verify_credentials. Returns register()'s
// {token, username, email, password, app, res} plus `id`.
export async function registerUser(server, prefix = 'user', opts = {}) {
  const u = await register(server, { prefix, ...opts });
  const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: u.token }));
  return { ...u, id: me.id };
}

// Posts a status as `user` with one freshly uploaded photo (`bytes`, or a
// fresh noiseJpeg() when not given) and the extra fields of `json`, which
// may override media_ids. Returns the status.
export async function postPhoto(server, user, json = {}, bytes = undefined) {
  const mediaId = await uploadPhoto(server, user, bytes);
  return assertOk(await api(server, 'POST', '/api/v1/statuses',
    { token: user.token, json: { media_ids: [mediaId], ...json } }));
}

// The targets of a response's Link header by rel, as paths with their query
// (ready for api()): {next, prev}, each present only when the header has it.
export function linkHeader(res) {
  const out = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = part.match(/<([^>]+)>;\s*rel="(\w+)"/);
    if (m) out[m[2]] = new URL(m[1]).pathname + new URL(m[1]).search;
  }
  return out;
}
