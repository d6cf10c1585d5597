// Profile pictures (update_credentials `avatar`, DELETE /api/v1/profile/avatar,
// the files under /avatars/) and profile fields (`fields_attributes`), on
// either engine. Pictures are made with the `vips` CLI and metadata planted
// with exiftool, as in media.test.mjs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, assertError, assertOk, register, startServer } from './lib/server.mjs';

let server;
let dir;
before(async () => {
  server = await startServer(['--media-max-pixels', 1_000_000, '--registration-limit-ip', '1000']);
  dir = await mkdtemp(path.join(tmpdir(), 'vantage-profile-api-'));
});
after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let counter = 0;
// A noisy width x height picture in `ext` format; returns its path.
async function makeImage(width, height, ext) {
  const source = path.join(dir, `${++counter}.ppm`);
  await writeFile(source, Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'),
    crypto.randomBytes(width * height * 3)]));
  const out = path.join(dir, `${counter}.${ext}`);
  execFileSync('vips', ['copy', source, out]);
  return out;
}

const exiftoolJson = (file, ...tags) =>
  JSON.parse(execFileSync('exiftool', ['-j', '-G', ...tags, file], { encoding: 'utf8' }))[0];

async function sendAvatar(user, bytes, { type = 'image/jpeg', filename = 'me.jpg', extra = {} } = {}) {
  const form = new FormData();
  form.append('avatar', new Blob([bytes], { type }), filename);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, body: form, timeoutMs: 30_000 });
}

async function fetchBytes(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function saveTemp(bytes, ext) {
  const file = path.join(dir, `${++counter}-served.${ext}`);
  await writeFile(file, bytes);
  return file;
}

describe('profile pictures', () => {
  test('a JPEG with EXIF and GPS becomes a 400x400 and a 96x96 JPEG without metadata', async () => {
    const alice = await register(server);
    const file = await makeImage(1200, 800, 'jpg');
    execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=51.5', '-GPSLatitudeRef=N',
      '-GPSLongitude=0.12', '-GPSLongitudeRef=W', '-Artist=Secret Officer', '-Make=SecretCam', file]);
    assert.equal(exiftoolJson(file, '-GPSLatitude')['EXIF:GPSLatitude'] !== undefined, true);

    const me = assertOk(await sendAvatar(alice, await readFile(file)));
    assert.match(me.avatar, /^http:\/\/127\.0\.0\.1:\d+\/avatars\/[0-9a-f]{64}\.jpg$/);
    assert.equal(me.avatar_static, me.avatar);
    assert.match(me.vantage_avatar_small, /^http:\/\/127\.0\.0\.1:\d+\/avatars\/[0-9a-f]{64}\.jpg$/);
    assert.notEqual(me.vantage_avatar_small, me.avatar);
    // The public account shows it too.
    const pub = assertOk(await api(server, 'GET', `/api/v1/accounts/${me.id}`));
    assert.equal(pub.avatar, me.avatar);

    for (const [url, side] of [[me.avatar, 400], [me.vantage_avatar_small, 96]]) {
      const served = await fetchBytes(url);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/jpeg');
      assert.match(served.headers.get('cache-control'), /immutable/);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      // Named by the hash of its bytes.
      assert.equal(crypto.createHash('sha256').update(served.bytes).digest('hex'), url.match(/([0-9a-f]{64})/)[1]);
      const info = exiftoolJson(await saveTemp(served.bytes, 'jpg'));
      assert.equal(info['File:ImageWidth'], side);
      assert.equal(info['File:ImageHeight'], side);
      const leaked = Object.keys(info).filter((k) => /^(EXIF|GPS|XMP|IPTC|MakerNotes|ICC_Profile|Composite:GPS)/.test(k));
      assert.deepEqual(leaked, [], JSON.stringify(info));
      assert.ok(!served.bytes.includes(Buffer.from('Secret')), 'no byte of the metadata survives');
    }
  });

  test('PNG, WebP and GIF are accepted; a small picture stays its size', async () => {
    const bob = await register(server);
    for (const ext of ['png', 'webp', 'gif']) {
      const me = assertOk(await sendAvatar(bob, await readFile(await makeImage(500, 640, ext)),
        { type: `image/${ext}`, filename: `me.${ext}` }));
      assert.match(me.avatar, /\/avatars\/[0-9a-f]{64}\.jpg$/, ext);
    }
    const me = assertOk(await sendAvatar(bob, await readFile(await makeImage(60, 80, 'png')), { type: 'image/png' }));
    const info = exiftoolJson(await saveTemp((await fetchBytes(me.avatar)).bytes, 'jpg'));
    assert.equal(info['File:ImageWidth'], 60);
    assert.equal(info['File:ImageHeight'], 60);
  });

  test('bad pictures are refused naming avatar, and the profile keeps its picture', async () => {
    const carol = await register(server);
    const good = assertOk(await sendAvatar(carol, await readFile(await makeImage(300, 300, 'jpg'))));
    assertError(await sendAvatar(carol, Buffer.from('%PDF-1.4 not an image at all'), { type: 'application/pdf' }),
      415, 'unsupported_media_type', 'avatar');
    // Refused with other changes: none of them is made.
    assertError(await sendAvatar(carol, Buffer.from('GIF89a but nothing else'), { extra: { display_name: 'Renamed',
      'fields_attributes[0][name]': 'Site', 'fields_attributes[0][value]': 'https://x.example/' } }), 422, 'invalid_image', 'avatar');
    const jpeg = await readFile(await makeImage(400, 400, 'jpg'));
    const body = assertError(await sendAvatar(carol, jpeg.subarray(0, jpeg.length / 2)), 422, 'invalid_image', 'avatar');
    assert.match(body.error, /avatar/);
    // Over the pixel limit (1 MP), judged from the header before decoding.
    assertError(await sendAvatar(carol, await readFile(await makeImage(1100, 1000, 'jpg'))), 422, 'image_too_large', 'avatar');
    // Over the size limit (8 MiB): refused naming avatar, not as a body too large.
    const tiny = await readFile(await makeImage(16, 16, 'jpg'));
    const big = assertError(await sendAvatar(carol, Buffer.concat([tiny, Buffer.alloc(8 * 1024 * 1024 + 1 - tiny.length)])),
      413, null, 'avatar');
    assert.match(big.error, /^avatar must be at most 8 MB/);
    // Sent as text, not as a file.
    assertError(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: carol.token, json: { avatar: 'https://example.com/me.jpg' } }), 422, 'invalid_field', 'avatar');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: carol.token }));
    assert.equal(me.avatar, good.avatar);
    assert.equal(me.display_name, good.display_name);
    assert.deepEqual(me.fields, []);
  });

  test('replacing and removing a picture stops serving the old files', async () => {
    const dave = await register(server);
    const first = assertOk(await sendAvatar(dave, await readFile(await makeImage(300, 300, 'jpg'))));
    const second = assertOk(await sendAvatar(dave, await readFile(await makeImage(300, 300, 'jpg'))));
    assert.notEqual(second.avatar, first.avatar);
    assert.equal((await fetchBytes(first.avatar)).status, 404);
    assert.equal((await fetchBytes(first.vantage_avatar_small)).status, 404);
    assert.equal((await fetchBytes(second.avatar)).status, 200);

    const removed = assertOk(await api(server, 'DELETE', '/api/v1/profile/avatar', { token: dave.token }));
    assert.match(removed.avatar, /\/avatars\/original\/missing\.png$/);
    assert.equal(removed.avatar_static, removed.avatar);
    assert.equal((await fetchBytes(second.avatar)).status, 404);
    // Removing again is fine; without credentials it is 401.
    assertOk(await api(server, 'DELETE', '/api/v1/profile/avatar', { token: dave.token }));
    assertError(await api(server, 'DELETE', '/api/v1/profile/avatar'), 401);
  });

  test('a picture two accounts share stays served while one of them keeps it', async () => {
    const erin = await register(server);
    const frank = await register(server);
    const bytes = await readFile(await makeImage(300, 300, 'jpg'));
    const a = assertOk(await sendAvatar(erin, bytes));
    const b = assertOk(await sendAvatar(frank, bytes));
    assert.equal(a.avatar, b.avatar);
    assertOk(await api(server, 'DELETE', '/api/v1/profile/avatar', { token: erin.token }));
    assert.equal((await fetchBytes(b.avatar)).status, 200);
  });

  test('the start-up sweep keeps the files of profile pictures', async () => {
    const lena = await register(server);
    const me = assertOk(await sendAvatar(lena, await readFile(await makeImage(300, 300, 'jpg'))));
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    for (const url of [me.avatar, me.vantage_avatar_small]) {
      const key = url.match(/([0-9a-f]{64})\.jpg$/)[1];
      await utimes(path.join(server.dataDir, 'media', key.slice(0, 2), `${key}.jpg`), old, old);
    }
    // A second server on the same data sweeps files older than its grace period.
    const second = await startServer([], { dataArgs: server.dataArgs });
    try {
      for (const url of [me.avatar, me.vantage_avatar_small]) {
        const moved = new URL(new URL(url).pathname, second.url);
        assert.equal((await fetchBytes(moved)).status, 200, `${url} survives the sweep`);
      }
    } finally {
      await second.stop();
    }
  });

  test('/avatars/ serves no other file of the media store', async () => {
    const gina = await register(server);
    const form = new FormData();
    form.append('file', new Blob([await readFile(await makeImage(300, 300, 'jpg'))], { type: 'image/jpeg' }), 'p.jpg');
    const media = assertOk(await api(server, 'POST', '/api/v2/media', { token: gina.token, body: form, timeoutMs: 30_000 }));
    const key = media.url.match(/([0-9a-f]{64})\.jpg/)[1];
    assert.equal((await fetchBytes(new URL(`/avatars/${key}.jpg`, server.url))).status, 404);
    assert.equal((await fetchBytes(new URL('/avatars/../media/x.jpg', server.url))).status, 404);
    assert.equal((await fetchBytes(new URL(`/avatars/${'0'.repeat(64)}.jpg`, server.url))).status, 404);
  });
});

describe('profile fields', () => {
  const update = (user, json) => api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json });

  test('a link becomes an anchor, text is escaped, source keeps the plain values', async () => {
    const hana = await register(server);
    const me = assertOk(await update(hana, { fields_attributes: [
      { name: 'Website', value: 'https://police.example.gov/join?a=1&b=2' },
      { name: 'Motto', value: '<script>alert(1)</script>' },
      { name: 'Sneaky', value: 'javascript:alert(1)' },
      { name: '', value: '' },
    ] }));
    assert.equal(me.fields.length, 3);
    assert.deepEqual(me.fields[0], {
      name: 'Website',
      value: '<a href="https://police.example.gov/join?a=1&amp;b=2" rel="me nofollow noopener noreferrer" '
        + 'target="_blank">https://police.example.gov/join?a=1&amp;b=2</a>',
      verified_at: null,
    });
    assert.equal(me.fields[1].value, '&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.equal(me.fields[2].value, 'javascript:alert(1)');
    assert.ok(!me.fields[2].value.includes('<a'));
    assert.deepEqual(me.source.fields.map((f) => [f.name, f.value]), [
      ['Website', 'https://police.example.gov/join?a=1&b=2'], ['Motto', '<script>alert(1)</script>'],
      ['Sneaky', 'javascript:alert(1)']]);
    const pub = assertOk(await api(server, 'GET', `/api/v1/accounts/${me.id}`));
    assert.deepEqual(pub.fields, me.fields);
    assert.equal(pub.source, undefined);
    // Kept when not sent; replaced as a whole when sent.
    assert.equal(assertOk(await update(hana, { note: 'hello' })).fields.length, 3);
    assert.deepEqual(assertOk(await update(hana, { fields_attributes: [] })).fields, []);
  });

  test('form fields fields_attributes[i][name] and JSON objects keyed by index', async () => {
    const ivan = await register(server);
    let me = assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: ivan.token,
      form: { 'fields_attributes[1][name]': 'B', 'fields_attributes[1][value]': 'two',
        'fields_attributes[0][name]': 'A', 'fields_attributes[0][value]': 'http://a.example/' } }));
    assert.deepEqual(me.source.fields.map((f) => f.name), ['A', 'B']);
    assert.match(me.fields[0].value, /^<a href="http:\/\/a\.example\/"/);
    me = assertOk(await update(ivan, { fields_attributes: { 0: { name: 'Only', value: 'one' } } }));
    assert.deepEqual(me.source.fields.map((f) => [f.name, f.value]), [['Only', 'one']]);
  });

  test('links with user info, spaces or quotes are text', async () => {
    const jo = await register(server);
    const me = assertOk(await update(jo, { fields_attributes: [
      { name: 'a', value: 'https://bank.example@evil.example/' },
      { name: 'b', value: 'https://a.example/"onmouseover="x' },
      { name: 'c', value: 'https://a.example/ b' },
    ] }));
    for (const f of me.fields) assert.ok(!f.value.includes('<a'), f.value);
    assert.equal(me.fields[1].value, 'https://a.example/&quot;onmouseover=&quot;x');
  });

  test('bad fields name the entry', async () => {
    const kim = await register(server);
    assertError(await update(kim, { fields_attributes: [{ name: '', value: 'https://x.example/' }] }),
      422, 'missing_field', 'fields_attributes[0][name]');
    assertError(await update(kim, { fields_attributes: [{ name: 'ok', value: 'v' }, { name: 'n', value: 'x'.repeat(256) }] }),
      422, 'too_long', 'fields_attributes[1][value]');
    assertError(await update(kim, { fields_attributes: [{ name: 'é'.repeat(256), value: 'v' }] }),
      422, 'too_long', 'fields_attributes[0][name]');
    assertError(await update(kim, { fields_attributes: [1, 2, 3, 4, 5].map((i) => ({ name: `n${i}`, value: 'v' })) }),
      422, 'too_long', 'fields_attributes');
    assertError(await update(kim, { fields_attributes: [{ name: 5, value: 'v' }] }),
      422, 'invalid_field', 'fields_attributes[0][name]');
    assertError(await update(kim, { fields_attributes: 'nonsense' }), 422, 'invalid_field', 'fields_attributes');
    // 255 characters (not bytes) pass.
    const me = assertOk(await update(kim, { fields_attributes: [{ name: 'é'.repeat(255), value: '🐴'.repeat(255) }] }));
    assert.equal(me.source.fields[0].value, '🐴'.repeat(255));
  });
});
