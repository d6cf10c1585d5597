// Uploads (POST /api/v1/media, /api/v2/media), GET and PUT /api/v1/media/:id,
// the served files under /media/, the cleanup of unattached media and the
// start-up sweep of orphan files, against the real binary on either engine.
//
// Test images are made at test time: pixels written as PPM by this file,
// converted with the `vips` CLI (Debian libvips-tools), metadata planted with
// exiftool (libimage-exiftool-perl). Both are installed by scripts/bootstrap.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ENGINE, api, assertError, assertOk, passwordToken, rawRequest, httpRequest, register, startServer, waitFor,
} from './lib/server.mjs';

const MAX_PIXELS = 2_000_000;
const SIZE_LIMIT = 10_000_000;

let server;
let dir;
let alice;
let bob;

before(async () => {
  server = await startServer(['--media-max-pixels', MAX_PIXELS, '--media-size-limit', SIZE_LIMIT,
    '--media-cleanup-interval', 1]);
  dir = await mkdtemp(path.join(tmpdir(), 'vantage-media-api-'));
  alice = await register(server);
  bob = await register(server);
});
after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Making images

let fileCounter = 0;
const tmp = (name) => path.join(dir, `${++fileCounter}-${name}`);

// A colourful noisy picture as binary PPM; `paint(x, y)` may override pixels.
function ppm(width, height, paint) {
  const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
  const pixels = crypto.randomBytes(width * height * 3);
  if (paint) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const rgb = paint(x, y);
        if (rgb) pixels.set(rgb, (y * width + x) * 3);
      }
    }
  }
  return Buffer.concat([header, pixels]);
}

// Writes the picture in `ext` format (jpg, png, webp, gif, tif) and returns its path.
async function makeImage(width, height, ext, { paint, options = '' } = {}) {
  const source = tmp('source.ppm');
  await writeFile(source, ppm(width, height, paint));
  const out = tmp(`image.${ext}`);
  execFileSync('vips', ['copy', source, `${out}${options}`]);
  return out;
}

function exiftool(args) {
  return execFileSync('exiftool', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const TYPES = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', avif: 'image/avif' };

async function upload(user, bytes, { filename = 'photo.jpg', type = 'image/jpeg', description, focus,
  version = 'v2', token } = {}) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), filename);
  if (description !== undefined) form.append('description', description);
  if (focus !== undefined) form.append('focus', focus);
  const res = await fetch(new URL(`/api/${version}/media`, server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? user.token}` },
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, headers: res.headers, text, json };
}

async function uploadFile(user, file, opts = {}) {
  const ext = path.extname(file).slice(1);
  return upload(user, await readFile(file), { filename: `photo.${ext}`, type: TYPES[ext], ...opts });
}

// Fetches a served file: {status, headers, bytes}.
async function fetchFile(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function assertAttachmentShape(m) {
  const s = JSON.stringify(m);
  assert.match(m.id, /^\d+$/, s);
  assert.equal(m.type, 'image', s);
  assert.equal(m.remote_url, null, s);
  assert.ok(m.meta && typeof m.meta === 'object', s);
  assert.ok(m.vantage && Array.isArray(m.vantage.variants), s);
}

function assertReady(m) {
  assertAttachmentShape(m);
  const s = JSON.stringify(m);
  // Not posted yet: the URL is signed (see 'served files').
  assert.match(m.url, /^http:\/\/127\.0\.0\.1:\d+\/media\/[0-9a-f]{64}\.jpg\?exp=\d+&sig=[0-9a-f]{32}$/, s);
  assert.match(m.preview_url, /^http:\/\/127\.0\.0\.1:\d+\/media\/[0-9a-f]{64}\.jpg\?exp=\d+&sig=[0-9a-f]{32}$/, s);
  assert.equal(typeof m.blurhash, 'string', s);
  assert.ok(m.blurhash.length >= 6, s);
  assert.equal(m.vantage.state, 'ready', s);
  assert.equal(m.vantage.variants.length, 6, s);
  for (const k of ['width', 'height']) {
    assert.ok(Number.isInteger(m.meta.original[k]) && m.meta.original[k] > 0, s);
    assert.ok(Number.isInteger(m.meta.small[k]) && m.meta.small[k] > 0, s);
  }
  assert.equal(m.meta.original.size, `${m.meta.original.width}x${m.meta.original.height}`, s);
  assert.ok(Math.abs(m.meta.original.aspect - m.meta.original.width / m.meta.original.height) < 1e-9, s);
}

const variant = (m, name, format) => m.vantage.variants.find((v) => v.variant === name && v.format === format);

// ---------------------------------------------------------------------------

describe('uploads of every accepted format', () => {
  // HEIC and AVIF are smaller (their encoders are slow) but of the same 4:3 shape.
  for (const [ext, version, width, height] of [['jpg', 'v2', 1600, 1200], ['png', 'v1', 1600, 1200],
    ['webp', 'v2', 1600, 1200], ['gif', 'v1', 1600, 1200], ['heic', 'v2', 1200, 900], ['avif', 'v1', 1200, 900]]) {
    test(`${ext} through /api/${version}/media becomes six variants of the right sizes`, async () => {
      const file = await makeImage(width, height, ext);
      const res = await uploadFile(alice, file, { version, description: `a ${ext}` });
      const m = assertOk(res);
      assertReady(m);
      assert.equal(m.description, `a ${ext}`);
      assert.deepEqual([m.meta.original.width, m.meta.original.height], [width, height]);
      const expected = { large: [1080, 810], small: [640, 480], thumb: [320, 320] };
      assert.deepEqual([m.meta.small.width, m.meta.small.height], expected.small);
      for (const [name, [w, h]] of Object.entries(expected)) {
        for (const format of ['jpeg', 'webp']) {
          const v = variant(m, name, format);
          assert.ok(v, `${name} ${format} listed: ${JSON.stringify(m.vantage)}`);
          assert.deepEqual([v.width, v.height], [w, h], `${name} ${format}`);
          // The served file really has those dimensions.
          const served = await fetchFile(v.url);
          assert.equal(served.status, 200);
          assert.equal(served.bytes.length, v.size_bytes);
          const local = tmp(`served.${format === 'jpeg' ? 'jpg' : 'webp'}`);
          await writeFile(local, served.bytes);
          const [info] = JSON.parse(exiftool(['-j', '-ImageWidth', '-ImageHeight', '-FileType', local]));
          assert.equal(info.ImageWidth, w, `${name} ${format} width`);
          assert.equal(info.ImageHeight, h, `${name} ${format} height`);
          assert.match(info.FileType, format === 'jpeg' ? /^JPEG$/ : /WEBP$/);
        }
      }
      assert.equal(m.url, variant(m, 'large', 'jpeg').url);
      assert.equal(m.preview_url, variant(m, 'small', 'jpeg').url);
    });
  }

  test('a phone photo with EXIF orientation 6 comes out upright', async () => {
    // Stored 400x300: red top half, blue bottom half. Orientation 6 means
    // "rotate 90° clockwise to display": upright it is 300x400, red on the right.
    const file = await makeImage(400, 300, 'jpg', {
      paint: (x, y) => (y < 150 ? [255, 0, 0] : [0, 0, 255]),
    });
    exiftool(['-q', '-overwrite_original', '-Orientation#=6', file]);
    const m = assertOk(await uploadFile(alice, file));
    assert.deepEqual([m.meta.original.width, m.meta.original.height], [300, 400]);
    const large = variant(m, 'large', 'jpeg');
    assert.deepEqual([large.width, large.height], [300, 400]);
    const local = tmp('upright.jpg');
    await writeFile(local, (await fetchFile(large.url)).bytes);
    const pixel = (x, y) => execFileSync('vips', ['getpoint', local, String(x), String(y)], { encoding: 'utf8' })
      .trim().split(/\s+/).map(Number);
    const right = pixel(250, 200);
    const left = pixel(50, 200);
    assert.ok(right[0] > 200 && right[2] < 60, `right side is red: ${right}`);
    assert.ok(left[2] > 200 && left[0] < 60, `left side is blue: ${left}`);
    const [info] = JSON.parse(exiftool(['-j', '-Orientation', local]));
    assert.equal(info.Orientation, undefined, 'no orientation tag is left to rotate it again');
  });

  test('masto-style: v2 upload, then GET /api/v1/media/:id until url is set', async () => {
    const file = await makeImage(800, 600, 'jpg');
    const res = await uploadFile(alice, file, { version: 'v2', focus: '0.5,-0.25' });
    assert.ok([200, 202].includes(res.status), res.text);
    const id = res.json.id;
    const done = await waitFor(async () => {
      const r = await api(server, 'GET', `/api/v1/media/${id}`, { token: alice.token });
      if (r.status === 206) { assert.equal(r.json.url, null); return null; }
      return assertOk(r);
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'media to be ready' });
    assertReady(done);
    assert.equal(done.id, id);
    assert.deepEqual(done.meta.focus, { x: 0.5, y: -0.25 });
  });
});

test('the instance entity reports the configured upload limits', async () => {
  const v2 = assertOk(await api(server, 'GET', '/api/v2/instance'));
  const limits = v2.configuration.media_attachments;
  assert.equal(limits.image_size_limit, SIZE_LIMIT);
  assert.equal(limits.image_matrix_limit, MAX_PIXELS);
  assert.equal(limits.description_limit, 1500);
});

describe('bad uploads', () => {
  test('no file', async () => {
    const res = await api(server, 'POST', '/api/v2/media', { token: alice.token, json: { description: 'x' } });
    assertError(res, 422, 'missing_field', 'file');
    const form = new FormData();
    form.append('description', 'only text');
    const r2 = await fetch(new URL('/api/v1/media', server.url), {
      method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: form,
    });
    assertError({ status: r2.status, headers: r2.headers, json: await r2.json(), text: '' }, 422, 'missing_field', 'file');
  });

  const unsupported = {
    'an SVG': [Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'x.svg', 'image/svg+xml'],
    'an HTML page renamed .jpg': [Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'), 'photo.jpg', 'image/jpeg'],
    'a PDF': [Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), 'doc.jpg', 'image/jpeg'],
    'a BMP': [Buffer.concat([Buffer.from('BM'), Buffer.alloc(60, 1)]), 'x.bmp', 'image/bmp'],
    'an empty file': [Buffer.alloc(0), 'x.jpg', 'image/jpeg'],
    'a PSD': [Buffer.concat([Buffer.from('8BPS\x00\x01', 'latin1'), Buffer.alloc(60)]), 'x.psd', 'image/vnd.adobe.photoshop'],
    'an ICO': [Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]), Buffer.alloc(60)]), 'favicon.ico', 'image/x-icon'],
    'an MVG': [Buffer.from('push graphic-context\nviewbox 0 0 10 10\nimage over 0,0 0,0 "/etc/passwd"\npop graphic-context\n'), 'x.jpg', 'image/jpeg'],
  };
  for (const [what, [bytes, filename, type]] of Object.entries(unsupported)) {
    test(`${what} is 415`, async () => {
      assertError(await upload(alice, bytes, { filename, type }), 415, 'unsupported_media_type', 'file');
    });
  }

  test('a TIFF is 415', async () => {
    const file = await makeImage(64, 64, 'tif');
    assertError(await uploadFile(alice, file, { filename: 'x.jpg', type: 'image/jpeg' }), 415,
      'unsupported_media_type', 'file');
  });

  test('a truncated JPEG is 422 invalid_image', async () => {
    const bytes = await readFile(await makeImage(800, 600, 'jpg'));
    const res = await upload(alice, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    assertError(res, 422, 'invalid_image', 'file');
  });

  test('over the pixel limit is 422 image_too_large', async () => {
    const file = await makeImage(1500, 1500, 'png');  // 2.25 MP > 2 MP
    assertError(await uploadFile(alice, file), 422, 'image_too_large', 'file');
  });

  test('over the byte limit is 413 before the body is sent', async () => {
    const head = httpRequest('POST', '/api/v2/media', {
      headers: {
        Authorization: `Bearer ${alice.token}`,
        'Content-Type': 'multipart/form-data; boundary=xyz',
        'Content-Length': String(SIZE_LIMIT + 1),
      },
    });
    const r = await rawRequest(server.port, head, { timeoutMs: 5_000 });
    assert.equal(r.timedOut, false, `no answer without the body: ${r.text}`);
    assert.equal(r.responses[0]?.status, 413, r.text);
    assert.equal(r.responses[0].json?.code, 'too_large', r.text);
  });

  for (const focus of ['2,0', '0,-1.5', 'abc', '0.5', '0.1,0.2,0.3', 'nan,0', '']) {
    if (focus === '') continue;
    test(`focus ${JSON.stringify(focus)} is 422 naming focus`, async () => {
      const file = await makeImage(100, 100, 'jpg');
      assertError(await uploadFile(alice, file, { focus }), 422, 'invalid_focus', 'focus');
    });
  }

  test('a description over 1,500 characters is 422 naming description', async () => {
    const file = await makeImage(100, 100, 'jpg');
    assertError(await uploadFile(alice, file, { description: 'é'.repeat(1501) }), 422, 'too_long', 'description');
    const ok = assertOk(await uploadFile(alice, file, { description: '🐴'.repeat(1500) }));
    assert.equal(ok.description, '🐴'.repeat(1500));
  });

  test('no token is 401; a token without write:media is 403', async () => {
    const bytes = await readFile(await makeImage(100, 100, 'jpg'));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'x.jpg');
    const res = await fetch(new URL('/api/v2/media', server.url), { method: 'POST', body: form });
    assertError({ status: res.status, headers: res.headers, json: await res.json() }, 401);
    const readOnly = await passwordToken(server, alice.app, alice.username, alice.password, 'read');
    assertError(await upload(alice, bytes, { token: readOnly }), 403, 'insufficient_scope');
    const m = assertOk(await upload(alice, bytes));
    assertError(await api(server, 'GET', `/api/v1/media/${m.id}`, { token: readOnly }), 403, 'insufficient_scope');
  });
});

describe('GET and PUT /api/v1/media/:id', () => {
  let media;
  before(async () => {
    media = assertOk(await uploadFile(alice, await makeImage(600, 400, 'jpg'), { description: 'first' }));
  });

  test("someone else's media is 404 for GET and PUT, like missing media", async () => {
    assertError(await api(server, 'GET', `/api/v1/media/${media.id}`, { token: bob.token }), 404, 'not_found');
    assertError(await api(server, 'PUT', `/api/v1/media/${media.id}`, { token: bob.token, json: { description: 'mine' } }),
      404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/media/1234567', { token: alice.token }), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/media/abc', { token: alice.token }), 404, 'not_found');
  });

  test('PUT changes alt text and focus and returns the attachment', async () => {
    const res = await api(server, 'PUT', `/api/v1/media/${media.id}`, {
      token: alice.token, form: { description: 'A horse in the snow', focus: '-0.5,1' },
    });
    const m = assertOk(res);
    assertReady(m);
    assert.equal(m.description, 'A horse in the snow');
    assert.deepEqual(m.meta.focus, { x: -0.5, y: 1 });
    const again = assertOk(await api(server, 'GET', `/api/v1/media/${media.id}`, { token: alice.token }));
    assert.equal(again.description, 'A horse in the snow');
    assert.equal(again.url, media.url);

    assertError(await api(server, 'PUT', `/api/v1/media/${media.id}`, { token: alice.token, json: { focus: '3,3' } }),
      422, 'invalid_focus', 'focus');
    assertError(await api(server, 'PUT', `/api/v1/media/${media.id}`, { token: alice.token, json: { description: 'x'.repeat(1501) } }),
      422, 'too_long', 'description');
    assertError(await api(server, 'PUT', `/api/v1/media/${media.id}`, { token: alice.token, json: { description: 5 } }),
      422, null, 'description');
  });

  test('processing answers 206 with url null; failed answers 422 with the failure code', async () => {
    const m = assertOk(await uploadFile(alice, await makeImage(300, 200, 'jpg')));
    await sql(`UPDATE media_attachments SET state = 'processing' WHERE id = ${m.id}`);
    const processing = await api(server, 'GET', `/api/v1/media/${m.id}`, { token: alice.token });
    assert.equal(processing.status, 206, processing.text);
    assertAttachmentShape(processing.json);
    assert.equal(processing.json.url, null);
    assert.equal(processing.json.preview_url, null);
    assert.equal(processing.json.vantage.state, 'processing');
    await sql(`UPDATE media_attachments SET state = 'failed', error_code = 'invalid_image' WHERE id = ${m.id}`);
    assertError(await api(server, 'GET', `/api/v1/media/${m.id}`, { token: alice.token }), 422, 'invalid_image', 'file');
  });
});

describe('served files', () => {
  let m;
  before(async () => { m = assertOk(await uploadFile(alice, await makeImage(500, 500, 'png'))); });

  const plain = (url) => url.replace(/\?.*$/, '');

  test('carry the type, caching, the key as ETag, nosniff and a sandboxing CSP', async () => {
    for (const v of m.vantage.variants) {
      const res = await fetchFile(v.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), v.format === 'jpeg' ? 'image/jpeg' : 'image/webp');
      // Not yet posted: only its signed URL serves it, and shared caches keep nothing.
      assert.equal(res.headers.get('cache-control'), 'private, max-age=86400, immutable');
      const key = v.url.match(/([0-9a-f]{64})\.(jpg|webp)\?/)[1];
      assert.equal(res.headers.get('etag'), `"${key}"`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(crypto.createHash('sha256').update(res.bytes).digest('hex'), key, 'named by its SHA-256');
      const again = await fetchFile(v.url, { 'if-none-match': `"${key}"` });
      assert.equal(again.status, 304);
      assert.equal(again.bytes.length, 0);
    }
  });

  test('a plain URL serves only what a public post shows; a bad or expired signature is 404', async () => {
    const own = assertOk(await uploadFile(alice, await makeImage(420, 300, 'png')));
    assertError(await api(server, 'GET', new URL(plain(own.url)).pathname), 404, 'not_found');
    const tampered = own.url.replace(/sig=([0-9a-f])/, (_, c) => `sig=${c === '0' ? '1' : '0'}`);
    assertError(await api(server, 'GET', new URL(tampered).pathname + new URL(tampered).search), 404, 'not_found');
    const expired = own.url.replace(/exp=\d+/, 'exp=1000');
    assertError(await api(server, 'GET', new URL(expired).pathname + new URL(expired).search), 404, 'not_found');

    const post = await api(server, 'POST', '/api/v1/statuses', { token: alice.token, json: { media_ids: [own.id] } });
    assert.equal(post.status, 200, post.text);
    const shown = post.json.media_attachments[0];
    const res = await fetchFile(plain(shown.url));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600, immutable');
    // Archived, the post no longer shows the file to anyone else.
    assert.equal((await api(server, 'POST', `/api/vantage/v1/statuses/${post.json.id}/archive`, { token: alice.token })).status, 200);
    assertError(await api(server, 'GET', new URL(plain(shown.url)).pathname), 404, 'not_found');
  });

  test('unknown or malformed names are 404', async () => {
    for (const p of [`/media/${'a'.repeat(64)}.jpg`, '/media/..%2f..%2fetc%2fpasswd', '/media/x.jpg',
      `/media/${'a'.repeat(64)}.png`, `/media/${'A'.repeat(64)}.jpg`]) {
      assertError(await api(server, 'GET', p), 404, 'not_found');
    }
  });
});

// ---------------------------------------------------------------------------
// Direct database access, for states and times a client cannot produce.

async function sql(statement) {
  if (ENGINE === 'postgres') {
    const url = server.dataArgs[server.dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXc', statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'vantage.db'), statement]);
  }
}

describe('cleanup', () => {
  test('media not attached to a post within 24 hours is deleted, with its files', async () => {
    const m = assertOk(await uploadFile(alice, await makeImage(320, 240, 'jpg')));
    const young = assertOk(await uploadFile(alice, await makeImage(320, 240, 'jpg')));
    const urls = m.vantage.variants.map((v) => v.url);
    for (const url of urls) assert.equal((await fetchFile(url)).status, 200);
    await sql(`UPDATE media_attachments SET created_at = created_at - ${25 * 3600 * 1000} WHERE id = ${m.id}`);
    await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${m.id}`, { token: alice.token })).status === 404,
      { timeoutMs: 10_000, intervalMs: 200, message: 'the cleanup job' });
    for (const url of urls) assert.equal((await fetchFile(url)).status, 404, `${url} is removed from disk`);
    assertOk(await api(server, 'GET', `/api/v1/media/${young.id}`, { token: alice.token }));
  });

  test('files shared with other media stay when one of them is deleted', async () => {
    const bytes = await readFile(await makeImage(320, 240, 'jpg'));
    const a = assertOk(await upload(alice, bytes));
    const b = assertOk(await upload(bob, bytes));
    assert.equal(a.url, b.url, 'identical bytes make identical files');
    await sql(`UPDATE media_attachments SET created_at = created_at - ${25 * 3600 * 1000} WHERE id = ${a.id}`);
    await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${a.id}`, { token: alice.token })).status === 404,
      { timeoutMs: 10_000, intervalMs: 200, message: 'the cleanup job' });
    assert.equal((await fetchFile(b.url)).status, 200);
  });

  test('orphan files and temp files older than an hour are swept at start-up', async () => {
    const kept = assertOk(await uploadFile(alice, await makeImage(200, 200, 'jpg')));
    const orphanKey = crypto.randomBytes(32).toString('hex');
    const fan = path.join(server.dataDir, 'media', orphanKey.slice(0, 2));
    await mkdir(fan, { recursive: true });
    const orphan = path.join(fan, `${orphanKey}.jpg`);
    const temp = path.join(fan, '.tmp-crashed');
    const young = path.join(fan, `${crypto.randomBytes(32).toString('hex').replace(/^../, orphanKey.slice(0, 2))}.webp`);
    for (const f of [orphan, temp, young]) await writeFile(f, 'left behind');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(orphan, old, old);
    await utimes(temp, old, old);
    // A second server on the same data sweeps at start-up.
    const second = await startServer([], { dataArgs: server.dataArgs });
    try {
      await assert.rejects(stat(orphan), { code: 'ENOENT' });
      await assert.rejects(stat(temp), { code: 'ENOENT' });
      await stat(young);  // inside the grace period
      for (const v of kept.vantage.variants) assert.equal((await fetchFile(v.url)).status, 200);
    } finally {
      await second.stop();
    }
  });
});

// ---------------------------------------------------------------------------

describe('no metadata survives in any served file', () => {
  const PLANTED = ['PlantedArtist', 'PlantedOwner', 'SN-PLANTED-4711', 'PlantedXmpCreator', 'PlantedIptcByline',
    'PlantedKeyword', 'PlantedComment', 'PlantedPngAuthor', 'PlantedItxt', 'Canon EOS 5D', '51 deg 30'];
  const FORBIDDEN = ['"EXIF:', 'GPS', '"XMP:', '"IPTC:', '"ICC_Profile:', '"MakerNotes:', '"Photoshop:', '"PNG:',
    'Comment', 'ThumbnailImage', 'PreviewImage', 'SerialNumber', 'OwnerName', 'Artist', 'Orientation'];
  const COMMON = ['-Make=Canon', '-Model=Canon EOS 5D', '-GPSLatitude=51.5', '-GPSLatitudeRef=N',
    '-GPSLongitude=0.1276', '-GPSLongitudeRef=W', '-SerialNumber=SN-PLANTED-4711', '-OwnerName=PlantedOwner',
    '-Artist=PlantedArtist', '-XMP-dc:Creator=PlantedXmpCreator'];

  async function check(file, plantedArgs, expectedInInput, secondArgs = [], secondExpected = []) {
    exiftool(['-q', '-overwrite_original', ...plantedArgs, file]);
    if (secondArgs.length) exiftool(['-q', '-overwrite_original', ...secondArgs, file]);
    const input = exiftool(['-j', '-G', '-a', '-u', file]);
    for (const marker of [...expectedInInput, ...secondExpected]) {
      assert.ok(input.includes(marker), `the input carries ${marker}:\n${input}`);
    }
    const m = assertOk(await uploadFile(alice, file, { description: 'metadata check' }));
    assertReady(m);
    const files = [];
    for (const v of m.vantage.variants) {
      const res = await fetchFile(v.url);
      assert.equal(res.status, 200);
      const local = tmp(`${v.variant}.${v.format === 'jpeg' ? 'jpg' : 'webp'}`);
      await writeFile(local, res.bytes);
      files.push(local);
    }
    const out = exiftool(['-j', '-G', '-a', '-u', ...files]);
    assert.equal(JSON.parse(out).length, 6);
    for (const value of PLANTED) assert.ok(!out.includes(value), `${value} survived:\n${out}`);
    for (const group of FORBIDDEN) assert.ok(!out.includes(group), `${group} survived:\n${out}`);
  }

  test('JPEG with GPS, serial, owner, XMP, IPTC, maker notes, ICC, comment and an embedded thumbnail', async () => {
    const file = await makeImage(1200, 900, 'jpg', { options: '[Q=90,profile=srgb]' });
    const thumb = await makeImage(160, 120, 'jpg');
    // A Canon-style maker note: one IFD entry, tag 0x000C (serial number) = 4711.
    const note = tmp('makernote.bin');
    await writeFile(note, Buffer.from([1, 0, 0x0c, 0, 4, 0, 1, 0, 0, 0, 0x67, 0x12, 0, 0, 0, 0, 0, 0]));
    await check(file, [...COMMON, '-IPTC:By-line=PlantedIptcByline', '-IPTC:Keywords=PlantedKeyword',
      '-Comment=PlantedComment', `-ThumbnailImage<=${thumb}`],
    ['PlantedArtist', 'PlantedOwner', 'SN-PLANTED-4711', 'PlantedXmpCreator', 'PlantedIptcByline', 'PlantedComment',
      '51 deg 30', 'ThumbnailImage', '"ICC_Profile:'], [`-MakerNotes<=${note}`], ['"MakerNotes:', '0000004711']);
  });

  test('PNG with tEXt, iTXt, eXIf and iCCP chunks', async () => {
    const file = await makeImage(900, 700, 'png', { options: '[profile=srgb]' });
    await check(file, [...COMMON, '-PNG:Author=PlantedPngAuthor', '-PNG:Comment-de=PlantedItxt'],
      ['PlantedPngAuthor', 'PlantedItxt', 'PlantedArtist', 'SN-PLANTED-4711', '51 deg 30', 'PlantedXmpCreator',
        '"ICC_Profile:']);
  });

  test('WebP with EXIF, XMP and ICCP chunks', async () => {
    const file = await makeImage(900, 700, 'webp', { options: '[profile=srgb]' });
    await check(file, COMMON, ['PlantedArtist', 'PlantedOwner', 'SN-PLANTED-4711', '51 deg 30', 'PlantedXmpCreator',
      '"ICC_Profile:']);
  });

  test('AVIF with EXIF', async () => {
    const file = await makeImage(600, 450, 'avif');
    await check(file, COMMON.filter((a) => !a.startsWith('-XMP')), ['PlantedArtist', 'PlantedOwner', 'SN-PLANTED-4711',
      '51 deg 30']);
  });
});
