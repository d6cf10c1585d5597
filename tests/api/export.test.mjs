// Moving out (docs/account-security.md, "Data rights"): POST
// /api/vantage/v1/export builds an archive in the background; when it is
// ready the account gets a notification and an e-mail, and downloads a ZIP
// laid out like Mastodon's (actor.json, outbox.json with every post and
// comment, likes.json, bookmarks.json, the photos' processed files and
// following_accounts.csv in the import format). One a day; others cannot
// have it. The ZIP is read with Python's zipfile, as any tool would.
// Run on both engines.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exif, jpegWithSecrets, SECRET_FIELDS } from '../federation/lib/secrets.mjs';
import { startMailCapture } from './lib/mail.mjs';
import { postPhoto, registerUser } from './lib/photos.mjs';
import {
  api, assertError, assertOk, createApp, joinStaff, makeAdmin, passwordToken, startServer, uniqueName, waitFor,
} from './lib/server.mjs';

const EXPORT = '/api/vantage/v1/export';
const EXPORTS = '/api/vantage/v1/exports';

let server;
let mail;
let domain;

before(async () => {
  mail = await startMailCapture();
  server = await startServer(['--smtp-url', mail.url, '--registration-limit-ip', '1000']);
  domain = new URL(server.url).host;
});
after(async () => {
  await server?.stop();
  await mail?.stop();
});

// Every entry of a ZIP, by name, as Buffers (Python's zipfile, which also
// checks every entry's CRC).
function unzip(bytes) {
  const script = 'import base64, json, sys, zipfile, io\n'
    + 'z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n'
    + 'bad = z.testzip()\n'
    + 'assert bad is None, bad\n'
    + 'print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))\n';
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: bytes, maxBuffer: 64 << 20 }).toString());
  return new Map(Object.entries(out).map(([name, b64]) => [name, Buffer.from(b64, 'base64')]));
}

async function download(url, token) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// Gives `user` a profile picture; returns its key (the blob store's name).
async function setAvatar(user) {
  const form = new FormData();
  form.append('avatar', new Blob([await jpegWithSecrets(200, 200)], { type: 'image/jpeg' }), 'me.jpg');
  const me = assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, body: form, timeoutMs: 30_000 }));
  return /\/avatars\/([0-9a-f]{64})\.jpg$/.exec(me.avatar)[1];
}

async function readyExport(user) {
  return waitFor(async () => {
    const list = assertOk(await api(server, 'GET', EXPORTS, { token: user.token }));
    return list.find((e) => e.state === 'ready');
  }, { timeoutMs: 20_000, message: `${user.username}'s archive ready` });
}

describe('an account takes its data with it', () => {
  let ana;
  let ben;
  let pub;
  let followersOnly;
  let comment;
  let bensPost;
  let archive;
  let files;

  before(async () => {
    ana = await registerUser(server, 'ana');
    ben = await registerUser(server, 'ben');
    await setAvatar(ana);
    assertOk(await api(server, 'POST', `/api/v1/accounts/${ben.id}/follow`, { token: ana.token }));
    pub = await postPhoto(server, ana, { status: 'From the archive #history' }, await jpegWithSecrets());
    followersOnly = await postPhoto(server, ana, { status: 'Only for followers', visibility: 'private' });
    bensPost = await postPhoto(server, ben, { status: 'Ben shares a photo' });
    comment = assertOk(await api(server, 'POST', '/api/v1/statuses',
      { token: ana.token, json: { status: 'A comment of Ana', in_reply_to_id: bensPost.id } }));
    assertOk(await api(server, 'POST', `/api/v1/statuses/${bensPost.id}/favourite`, { token: ana.token }));
    assertOk(await api(server, 'POST', `/api/v1/statuses/${bensPost.id}/bookmark`, { token: ana.token }));
  });

  test('asking needs the account: 401 without credentials, 403 insufficient_scope for a read-only token', async () => {
    assertError(await api(server, 'POST', EXPORT), 401);
    assertError(await api(server, 'GET', EXPORTS), 401);
    const app = await createApp(server, 'read');
    const reader = await passwordToken(server, app, ana.username, ana.password, 'read');
    assertError(await api(server, 'POST', EXPORT, { token: reader }), 403, 'insufficient_scope');
    assert.deepEqual(assertOk(await api(server, 'GET', EXPORTS, { token: ana.token })), [], 'nothing was asked for');
  });

  test('asking answers 202 with the archive pending; a second request the same day is 429 export_too_soon', async () => {
    const res = await api(server, 'POST', EXPORT, { token: ana.token });
    const pending = assertOk(res, 202);
    assert.equal(typeof pending.id, 'string');
    assert.equal(pending.state, 'pending');
    assert.equal(pending.url, null);
    const again = await api(server, 'POST', EXPORT, { token: ana.token });
    assertError(again, 429, 'export_too_soon');
    const wait = Number(again.headers.get('retry-after'));
    assert.ok(wait > 86_000 && wait <= 86_400, `Retry-After about a day: ${wait}`);
    assert.match(again.json.error, /one a day/);
  });

  test('when it is ready: listed with its URL and expiry, a notification and an e-mail', async () => {
    archive = await readyExport(ana);
    assert.ok(archive.size_bytes > 0);
    const week = Date.parse(archive.expires_at) - Date.parse(archive.completed_at);
    assert.equal(week, 7 * 24 * 3600 * 1000);
    assert.match(archive.url, new RegExp(`/api/vantage/v1/exports/${archive.id}/archive$`));
    const notes = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: ana.token }));
    const ready = notes.find((n) => n.type === 'export_ready');
    assert.ok(ready, JSON.stringify(notes.map((n) => n.type)));
    assert.equal(ready.account.id, ana.id);
    const message = await mail.waitFor((m) => m.rcptTos.includes(ana.email) && /archive is ready/i.test(m.subject), 10_000);
    assert.ok(message.links.some((l) => new URL(l).pathname === '/settings' && new URL(l).hash === '#export'), message.links.join(' '));
    assert.doesNotMatch(message.text, /ben/i, 'the message names nobody else');
  });

  test('the download is a ZIP named after the account, for its owner only', async () => {
    assertError(await api(server, 'GET', new URL(archive.url).pathname), 401);
    const others = await download(archive.url, ben.token);
    assert.equal(others.status, 404);
    const app = await createApp(server, 'read:statuses');
    const narrow = await passwordToken(server, app, ana.username, ana.password, 'read:statuses');
    assert.equal((await download(archive.url, narrow)).status, 403, 'an archive needs the whole read scope');
    const res = await download(archive.url, ana.token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.match(res.headers.get('content-disposition'), new RegExp(`^attachment; filename="archive-${ana.username}-\\d{4}-\\d\\d-\\d\\d\\.zip"$`));
    assert.match(res.headers.get('cache-control'), /no-store/);
    assert.equal(res.bytes.length, archive.size_bytes);
    files = unzip(res.bytes);
    for (const name of ['actor.json', 'outbox.json', 'likes.json', 'bookmarks.json', 'following_accounts.csv'])
      assert.ok(files.has(name), `${name} in ${[...files.keys()].join(', ')}`);
  });

  test('actor.json is the actor, without the server key', () => {
    const actor = JSON.parse(files.get('actor.json'));
    assert.equal(actor.type, 'Person');
    assert.equal(actor.preferredUsername, ana.username);
    assert.equal(actor.id, `${server.url}/users/${ana.username}`);
    assert.equal(actor.publicKey, undefined);
    // The profile picture beside it, without its metadata.
    assert.equal(actor.icon.url, 'avatar.jpg');
    const avatar = files.get('avatar.jpg');
    assert.equal(avatar.subarray(0, 2).toString('hex'), 'ffd8');
    const fields = exif(avatar);
    for (const field of SECRET_FIELDS) assert.equal(fields[field], undefined, `${field} in the archived avatar`);
  });

  test('outbox.json holds every post and comment, followers-only ones too, with the photos beside it', () => {
    const outbox = JSON.parse(files.get('outbox.json'));
    assert.equal(outbox.type, 'OrderedCollection');
    assert.equal(outbox.totalItems, 3);
    const byId = new Map(outbox.orderedItems.map((a) => [a.object.id.split('/').pop(), a]));
    for (const status of [pub, followersOnly, comment]) {
      const create = byId.get(status.id);
      assert.ok(create, `status ${status.id} in the outbox`);
      assert.equal(create.type, 'Create');
      assert.equal(create.object.type, 'Note');
    }
    assert.match(byId.get(pub.id).object.content, /From the archive/);
    assert.ok(!byId.get(followersOnly.id).object.to.includes('https://www.w3.org/ns/activitystreams#Public'));
    assert.match(byId.get(comment.id).object.inReplyTo, new RegExp(`/users/${ben.username}/statuses/${bensPost.id}$`));
    // The photo: the processed JPEG, in the archive, with no metadata.
    const [attachment] = byId.get(pub.id).object.attachment;
    assert.match(attachment.url, /^media_attachments\/files\/[0-9a-f]{64}\.jpg$/);
    const photo = files.get(attachment.url);
    assert.ok(photo, `${attachment.url} in the archive`);
    assert.equal(photo.subarray(0, 2).toString('hex'), 'ffd8');
    const fields = exif(photo);
    for (const field of SECRET_FIELDS) assert.equal(fields[field], undefined, `${field} in the archived photo`);
    // Her two photos, and not Ben's, which is not hers to take.
    const photos = [...files.keys()].filter((n) => n.startsWith('media_attachments/'));
    assert.equal(photos.length, 2, photos.join(', '));
  });

  test('likes.json and bookmarks.json name the statuses', () => {
    const uri = `${server.url}/users/${ben.username}/statuses/${bensPost.id}`;
    for (const name of ['likes.json', 'bookmarks.json']) {
      const list = JSON.parse(files.get(name));
      assert.equal(list.type, 'OrderedCollection');
      assert.deepEqual(list.orderedItems, [uri], name);
    }
  });

  test('following_accounts.csv is in the import format, and imports here', async () => {
    const csv = files.get('following_accounts.csv').toString();
    assert.equal(csv, `Account address,Show boosts,Notify on new posts,Languages\n${ben.username}@${domain},true,false,\n`);
    const cleo = await registerUser(server, 'cleo');
    const report = assertOk(await api(server, 'POST', '/api/vantage/v1/import',
      { token: cleo.token, json: { type: 'following', data: csv } }));
    assert.deepEqual(report, { followed: 1, problems: [] });
  });

  test('an archive id that is not one, or not the account\'s, is 404', async () => {
    for (const id of ['nope', '1', '99999999999999999999']) {
      const res = await api(server, 'GET', `${EXPORTS}/${id}/archive`, { token: ana.token });
      assertError(res, 404);
    }
    assert.deepEqual(assertOk(await api(server, 'GET', EXPORTS, { token: ben.token })), []);
  });
});

test('an account with nothing yet gets an archive too (no photos, empty lists)', async () => {
  const dee = await registerUser(server, 'dee');
  assertOk(await api(server, 'POST', EXPORT, { token: dee.token }), 202);
  const ready = await readyExport(dee);
  const files = unzip((await download(ready.url, dee.token)).bytes);
  assert.equal(JSON.parse(files.get('outbox.json')).totalItems, 0);
  assert.deepEqual(JSON.parse(files.get('likes.json')).orderedItems, []);
  assert.equal(files.get('following_accounts.csv').toString(), 'Account address,Show boosts,Notify on new posts,Languages\n');
});

test('an organisation\'s archive is its owners\' to take; other staff are refused', async () => {
  const owner = await registerUser(server, 'own');
  const editor = await registerUser(server, 'edi');
  const admin = await makeAdmin(server);
  const org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: admin.token,
    json: { username: uniqueName('org'), display_name: 'Harbour Office', owner: owner.username, require_second_factor: false },
  })).account;
  await joinStaff(server, org.id, owner, editor, ['editor']);
  const as = { 'vantage-act-as': org.id };
  assertError(await api(server, 'POST', EXPORT, { token: editor.token, headers: as }), 403);
  assertError(await api(server, 'GET', EXPORTS, { token: editor.token, headers: as }), 403);
  assertOk(await api(server, 'POST', EXPORT, { token: owner.token, headers: as }), 202);
  const ready = await waitFor(async () => assertOk(await api(server, 'GET', EXPORTS, { token: owner.token, headers: as }))
    .find((e) => e.state === 'ready'), { timeoutMs: 20_000, message: 'the organisation\'s archive' });
  const path = new URL(ready.url).pathname;
  assertError(await api(server, 'GET', path, { token: editor.token, headers: as }), 403);
  assert.equal((await api(server, 'GET', path, { token: owner.token })).status, 404, 'not the owner\'s own archive');
  const res = await fetch(ready.url, { headers: { authorization: `Bearer ${owner.token}`, 'vantage-act-as': org.id } });
  assert.equal(res.status, 200);
  const actor = JSON.parse(unzip(Buffer.from(await res.arrayBuffer())).get('actor.json'));
  assert.equal(actor.type, 'Organization');
  assert.equal(actor.preferredUsername, org.username);
});

// Regression: a photo whose file was lost from the media directory made
// every archive of its account fail (libzip reads the files at the end).
test('a photo or profile picture file missing from the media directory is left out; the archive is still made', async () => {
  const eve = await registerUser(server, 'eve');
  const kept = await postPhoto(server, eve, { status: 'Kept' });
  const lost = await postPhoto(server, eve, { status: 'Lost' });
  const keyOf = (status) => /\/([0-9a-f]{64})\./.exec(status.media_attachments[0].url)[1];
  const lostKey = keyOf(lost);
  const avatarKey = await setAvatar(eve);
  for (const key of [lostKey, avatarKey]) rmSync(path.join(server.dataDir, 'media', key.slice(0, 2), `${key}.jpg`));
  assertOk(await api(server, 'POST', EXPORT, { token: eve.token }), 202);
  const ready = await readyExport(eve);
  const files = unzip((await download(ready.url, eve.token)).bytes);
  assert.equal(JSON.parse(files.get('outbox.json')).totalItems, 2);
  const photos = [...files.keys()].filter((n) => n.startsWith('media_attachments/'));
  assert.equal(photos.length, 1, photos.join(', '));
  assert.ok(!photos[0].includes(lostKey));
  assert.notEqual(keyOf(kept), lostKey);
  // Nor the profile picture: the actor then has no icon.
  assert.equal(files.has('avatar.jpg'), false);
  assert.equal(JSON.parse(files.get('actor.json')).icon, undefined);
});
