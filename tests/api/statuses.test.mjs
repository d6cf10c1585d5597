// Photo posts and comments: POST/GET/PUT/DELETE /api/v1/statuses, history,
// pin/unpin, archive/unarchive, against the real binary on either engine.
//
// Photos are uploaded through POST /api/v2/media (test images are made here:
// noise as PPM, converted to JPEG with the `vips` CLI).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ISO_MS, api, assertAccountShape, assertError, assertOk, passwordToken, register, startServer, toForm, waitFor,
} from './lib/server.mjs';

let server;
let dir;
let alice;
let bob;
let jpeg;

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
  dir = await mkdtemp(path.join(tmpdir(), 'vantage-statuses-api-'));
  const ppm = path.join(dir, 'noise.ppm');
  await writeFile(ppm, Buffer.concat([Buffer.from('P6\n64 48\n255\n', 'latin1'), crypto.randomBytes(64 * 48 * 3)]));
  const file = path.join(dir, 'noise.jpg');
  execFileSync('vips', ['copy', ppm, file]);
  jpeg = await readFile(file);
  alice = await register(server, { prefix: 'alice' });
  bob = await register(server, { prefix: 'bob' });
});
after(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// A JPEG of fresh noise: its files are shared with no other upload.
async function uniqueJpeg() {
  const name = crypto.randomBytes(6).toString('hex');
  const ppm = path.join(dir, `${name}.ppm`);
  await writeFile(ppm, Buffer.concat([Buffer.from('P6\n64 48\n255\n', 'latin1'), crypto.randomBytes(64 * 48 * 3)]));
  execFileSync('vips', ['copy', ppm, path.join(dir, `${name}.jpg`)]);
  return readFile(path.join(dir, `${name}.jpg`));
}

// Uploads a photo (the shared test JPEG unless `bytes` are given) and waits
// until it is ready; returns its id.
async function photo(user, description = '', bytes = jpeg) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  if (description) form.append('description', description);
  const res = await fetch(new URL('/api/v2/media', server.url), {
    method: 'POST', headers: { authorization: `Bearer ${user.token}` }, body: form,
  });
  const media = await res.json();
  assert.ok(res.status === 200 || res.status === 202, JSON.stringify(media));
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${media.id}`, { token: user.token })).status === 200,
    { timeoutMs: 15_000, message: `media ${media.id} ready` });
  return media.id;
}

const post = (user, json, headers = {}) => api(server, 'POST', '/api/v1/statuses', { token: user.token, json, headers });
async function newPost(user, json = {}, headers = {}) {
  return assertOk(await post(user, { media_ids: [await photo(user)], ...json }, headers));
}
const get = (id, user) => api(server, 'GET', `/api/v1/statuses/${id}`, { token: user?.token });
const me = async (user) => assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));

function assertStatusShape(s) {
  const j = JSON.stringify(s);
  assert.match(s.id, /^\d+$/, j);
  assert.match(s.created_at, ISO_MS, j);
  for (const k of ['sensitive', 'favourited', 'reblogged', 'muted', 'bookmarked', 'pinned']) {
    assert.equal(typeof s[k], 'boolean', `${k}: ${j}`);
  }
  for (const k of ['spoiler_text', 'visibility', 'uri', 'url', 'content']) assert.equal(typeof s[k], 'string', `${k}: ${j}`);
  for (const k of ['replies_count', 'reblogs_count', 'favourites_count']) assert.ok(Number.isInteger(s[k]), `${k}: ${j}`);
  for (const k of ['media_attachments', 'mentions', 'tags', 'emojis']) assert.ok(Array.isArray(s[k]), `${k}: ${j}`);
  assert.equal(s.reblog, null, j);
  assert.equal(s.card, null, j);
  assert.equal(s.poll, null, j);
  assertAccountShape(s.account);
}

// ---------------------------------------------------------------------------
describe('POST /api/v1/statuses', () => {
  test('publishes a carousel with caption, tags, mentions and links as a Mastodon Status', async () => {
    const before = (await me(alice)).statuses_count;
    const first = await photo(alice, 'a harbour');
    const second = await photo(alice);
    const caption = `Harbour at dawn #Photo #café #CAFÉ with @${bob.username} and @nobody_here\n\nhttps://example.org/x?a=1&b=2`;
    const s = assertOk(await post(alice, { status: caption, media_ids: [second, first], language: 'en', sensitive: true, spoiler_text: 'cw' }));
    assertStatusShape(s);
    assert.equal(s.visibility, 'public');
    assert.equal(s.language, 'en');
    assert.equal(s.sensitive, true);
    assert.equal(s.spoiler_text, 'cw');
    assert.equal(s.in_reply_to_id, null);
    assert.equal(s.edited_at, null);
    assert.equal(s.account.username, alice.username);
    assert.match(s.url, new RegExp(`/@${alice.username}/${s.id}$`));
    assert.match(s.uri, new RegExp(`/users/${alice.username}/statuses/${s.id}$`));
    assert.deepEqual(s.media_attachments.map((m) => m.id), [second, first]);
    assert.equal(s.media_attachments[1].description, 'a harbour');
    assert.deepEqual(s.tags.map((t) => t.name), ['Photo', 'café']);
    assert.match(s.tags[0].url, /\/tags\/Photo$/);
    assert.equal(s.mentions.length, 1);
    assert.equal(s.mentions[0].username, bob.username);
    assert.equal(s.mentions[0].acct, bob.username);
    assert.match(s.mentions[0].id, /^\d+$/);
    assert.ok(s.content.startsWith('<p>Harbour at dawn <a href="'), s.content);
    assert.ok(s.content.includes('class="mention hashtag" rel="tag">#<span>Photo</span></a>'), s.content);
    assert.ok(s.content.includes(`<span class="h-card"><a href="${s.mentions[0].url}" class="u-url mention">@<span>${bob.username}</span></a></span>`), s.content);
    assert.ok(s.content.includes('@nobody_here'), s.content);
    assert.ok(s.content.includes('</p><p><a href="https://example.org/x?a=1&amp;b=2" rel="nofollow noopener noreferrer" target="_blank">'), s.content);
    assert.deepEqual(s.vantage, { archived: false });
    assert.equal(s.application?.name, 'vantage api tests');
    assert.equal((await me(alice)).statuses_count, before + 1);
    // Attached media now belong to the post.
    const again = await post(alice, { media_ids: [first] });
    assertError(again, 422, 'media_attached', 'media_ids');
    assert.ok(again.json.error.includes(first), again.text);
  });

  test('escapes hostile captions', async () => {
    const s = await newPost(alice, { status: '<script>alert("x")</script> <img src=x onerror=alert(1)> javascript:alert(1) \u202Egnp.exe' });
    assert.ok(!s.content.includes('<script'), s.content);
    assert.ok(!s.content.includes('<img'), s.content);
    assert.ok(s.content.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), s.content);
    assert.ok(!s.content.includes('href="javascript'), s.content);
    assert.equal((s.content.match(/<a /g) ?? []).length, 0, s.content);
  });

  test('accepts form bodies with repeated media_ids[]', async () => {
    const a = await photo(alice);
    const b = await photo(alice);
    const res = await api(server, 'POST', '/api/v1/statuses', {
      token: alice.token, body: toForm({ status: 'form', 'media_ids[]': [a, b], visibility: 'unlisted' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const s = assertOk(res);
    assert.deepEqual(s.media_attachments.map((m) => m.id), [a, b]);
    assert.equal(s.visibility, 'unlisted');
  });

  test('a post without photos is 422 media_required (this is a photo platform)', async () => {
    assertError(await post(alice, { status: 'just words' }), 422, 'media_required', 'media_ids');
    assertError(await post(alice, { status: 'just words', media_ids: [] }), 422, 'media_required', 'media_ids');
  });

  test('captions are at most 2,200 characters', async () => {
    const ok = await newPost(alice, { status: '🌅'.repeat(2200) });
    assert.ok(ok.id);
    assertError(await post(alice, { status: 'x'.repeat(2201), media_ids: [await photo(alice)] }), 422, 'too_long', 'status');
  });

  test('bad fields are 422 naming the field', async () => {
    const m = await photo(alice);
    assertError(await post(alice, { media_ids: [m], visibility: 'direct' }), 422, 'invalid_field', 'visibility');
    assertError(await post(alice, { media_ids: [m], visibility: 'everyone' }), 422, 'invalid_field', 'visibility');
    assertError(await post(alice, { media_ids: [m], language: 'english!' }), 422, 'invalid_field', 'language');
    assertError(await post(alice, { media_ids: [m], sensitive: 'maybe' }), 422, 'invalid_field', 'sensitive');
    assertError(await post(alice, { media_ids: [m], status: 42 }), 422, 'invalid_field', 'status');
    assertError(await post(alice, { media_ids: [m], spoiler_text: 'x'.repeat(501) }), 422, 'too_long', 'spoiler_text');
    assertError(await post(alice, { media_ids: 'nope' }), 422, 'media_not_found', 'media_ids');
    assertError(await post(alice, { media_ids: [m, m] }), 422, 'media_duplicate', 'media_ids');
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    assertError(await post(alice, { media_ids: [m], status: tags }), 422, 'too_many_tags', 'status');
    const mentions = Array.from({ length: 21 }, (_, i) => `@user${i}`).join(' ');
    assertError(await post(alice, { media_ids: [m], status: mentions }), 422, 'too_many_mentions', 'status');
    // The photo is still free after all of that.
    assertOk(await post(alice, { media_ids: [m] }));
  });

  test('unknown, foreign and too many media ids are 422 naming the id', async () => {
    const mine = await photo(alice);
    const bobs = await photo(bob);
    let res = await post(alice, { media_ids: [mine, '123456789012345'] });
    assertError(res, 422, 'media_not_found', 'media_ids');
    assert.ok(res.json.error.includes('123456789012345'), res.text);
    res = await post(alice, { media_ids: [mine, bobs] });
    assertError(res, 422, 'media_not_found', 'media_ids');
    assert.ok(res.json.error.includes(bobs), res.text);
    const many = Array.from({ length: 21 }, (_, i) => String(1000 + i));
    assertError(await post(alice, { media_ids: many }), 422, 'too_many_media', 'media_ids');
    // Neither refusal attached anything.
    assertOk(await post(bob, { media_ids: [bobs] }));
    assertOk(await post(alice, { media_ids: [mine] }));
  });

  test('needs a token with write:statuses', async () => {
    assertError(await api(server, 'POST', '/api/v1/statuses', { json: { status: 'x' } }), 401);
    const readOnly = await passwordToken(server, alice.app, alice.username, alice.password, 'read');
    assertError(await api(server, 'POST', '/api/v1/statuses', { token: readOnly, json: { status: 'x' } }), 403, 'insufficient_scope');
  });

  test('Idempotency-Key returns the same post for the same account', async () => {
    const m = await photo(alice);
    const before = (await me(alice)).statuses_count;
    const key = `key-${crypto.randomUUID()}`;
    const first = assertOk(await post(alice, { status: 'once', media_ids: [m] }, { 'Idempotency-Key': key }));
    const second = assertOk(await post(alice, { status: 'twice', media_ids: [m] }, { 'Idempotency-Key': key }));
    assert.equal(second.id, first.id);
    assert.equal(second.content, '<p>once</p>');
    assert.equal((await me(alice)).statuses_count, before + 1);
    const bobs = assertOk(await post(bob, { status: 'mine', media_ids: [await photo(bob)] }, { 'Idempotency-Key': key }));
    assert.notEqual(bobs.id, first.id);
    assertError(await post(alice, { media_ids: [m] }, { 'Idempotency-Key': 'k'.repeat(201) }), 422, 'too_long', 'Idempotency-Key');
  });

  test('Idempotency-Key holds when the same request races itself', async () => {
    const m = await photo(alice);
    const before = (await me(alice)).statuses_count;
    const key = `race-${crypto.randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(alice, { status: 'race', media_ids: [m] }, { 'Idempotency-Key': key })));
    const ids = new Set(answers.map((r) => assertOk(r).id));
    assert.equal(ids.size, 1, JSON.stringify(answers.map((r) => r.json)));
    assert.equal((await me(alice)).statuses_count, before + 1);
  });
});

// ---------------------------------------------------------------------------
describe('comments (in_reply_to_id)', () => {
  test('are text-only replies that count on the parent', async () => {
    const parent = await newPost(alice, { status: 'parent' });
    const c = assertOk(await post(bob, { status: `nice @${alice.username} #wow`, in_reply_to_id: parent.id }));
    assertStatusShape(c);
    assert.equal(c.in_reply_to_id, parent.id);
    assert.equal(c.in_reply_to_account_id, parent.account.id);
    assert.deepEqual(c.media_attachments, []);
    assert.deepEqual(c.tags.map((t) => t.name), ['wow']);
    assert.equal(assertOk(await get(parent.id)).replies_count, 1);
    // A comment on a comment.
    assertOk(await post(alice, { status: 'thanks', in_reply_to_id: c.id }));
    assertError(await post(bob, { status: 'x'.repeat(2201), in_reply_to_id: parent.id }), 422, 'too_long', 'status');
    assertError(await post(bob, { in_reply_to_id: parent.id }), 422, 'missing_field', 'status');
    assertError(await post(bob, { status: '  ', in_reply_to_id: parent.id }), 422, 'missing_field', 'status');
    assertError(await post(bob, { status: 'pic', in_reply_to_id: parent.id, media_ids: [await photo(bob)] }), 422, 'media_not_allowed', 'media_ids');
    // Deleting the comment gives the count back.
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${c.id}`, { token: bob.token }));
    assert.equal(assertOk(await get(parent.id)).replies_count, 0);
  });

  test('to a missing or invisible post are 404', async () => {
    assertError(await post(bob, { status: 'hi', in_reply_to_id: '999999999999' }), 404, 'not_found');
    assertError(await post(bob, { status: 'hi', in_reply_to_id: 'abc' }), 404, 'not_found');
    const hidden = await newPost(alice, { visibility: 'private' });
    assertError(await post(bob, { status: 'hi', in_reply_to_id: hidden.id }), 404, 'not_found');
    const archived = await newPost(alice);
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: alice.token }));
    assertError(await post(bob, { status: 'hi', in_reply_to_id: archived.id }), 404, 'not_found');
    // The author may still comment on their own private post.
    assertOk(await post(alice, { status: 'note to self', in_reply_to_id: hidden.id }));
  });
});

// ---------------------------------------------------------------------------
describe('GET /api/v1/statuses/:id and visibility', () => {
  test('public and unlisted posts are visible to everyone, private only to the author', async () => {
    const pub = await newPost(alice, { visibility: 'public' });
    const unl = await newPost(alice, { visibility: 'unlisted' });
    const priv = await newPost(alice, { visibility: 'private' });
    for (const s of [pub, unl]) {
      assertOk(await get(s.id));
      const seen = assertOk(await get(s.id, bob));
      assert.equal(seen.vantage, undefined, 'vantage.archived is for the author only');
      assert.equal(seen.pinned, false);
    }
    assertError(await get(priv.id), 404, 'not_found');
    assertError(await get(priv.id, bob), 404, 'not_found');
    assert.equal(assertOk(await get(priv.id, alice)).visibility, 'private');
  });

  test('unknown and malformed ids are 404; a bad token is 401', async () => {
    assertError(await get('123456789'), 404, 'not_found');
    assertError(await get('not-an-id'), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/statuses/1', { token: 'bogus' }), 401);
  });

  test('app-only tokens read public posts as a signed-out viewer; write scopes need a user', async () => {
    const pub = await newPost(alice);
    const priv = await newPost(alice, { visibility: 'private' });
    const res = await api(server, 'POST', '/oauth/token', {
      json: { grant_type: 'client_credentials', client_id: alice.app.client_id, client_secret: alice.app.client_secret, scope: 'read write' },
    });
    const appToken = assertOk(res).access_token;
    assertOk(await api(server, 'GET', `/api/v1/statuses/${pub.id}`, { token: appToken }));
    assertError(await api(server, 'GET', `/api/v1/statuses/${priv.id}`, { token: appToken }), 404, 'not_found');
    assertError(await api(server, 'POST', '/api/v1/statuses', { token: appToken, json: { status: 'x' } }), 403);
  });
});

// ---------------------------------------------------------------------------
describe('archive and unarchive (extension)', () => {
  test('hide a post from everyone but the author, restorably', async () => {
    const s = await newPost(alice);
    const archived = assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${s.id}/archive`, { token: alice.token }));
    assert.deepEqual(archived.vantage, { archived: true });
    assertError(await get(s.id), 404, 'not_found');
    assertError(await get(s.id, bob), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/statuses/${s.id}/history`, { token: bob.token }), 404);
    assert.deepEqual(assertOk(await get(s.id, alice)).vantage, { archived: true });
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${s.id}/unarchive`, { token: bob.token }), 404, 'not_found');
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${s.id}/archive`, { token: bob.token }), 404, 'not_found');
    const restored = assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${s.id}/unarchive`, { token: alice.token }));
    assert.deepEqual(restored.vantage, { archived: false });
    assertOk(await get(s.id));
    assertOk(await get(s.id, bob));
  });
});

// ---------------------------------------------------------------------------
describe('DELETE /api/v1/statuses/:id', () => {
  test('only the author deletes; the answer carries text; the media go too', async () => {
    const m = await photo(alice);
    const s = assertOk(await post(alice, { status: 'bye #gone', media_ids: [m] }));
    const count = (await me(alice)).statuses_count;
    assertError(await api(server, 'DELETE', `/api/v1/statuses/${s.id}`, { token: bob.token }), 404, 'not_found');
    assertError(await api(server, 'DELETE', `/api/v1/statuses/${s.id}`), 401);
    const deleted = assertOk(await api(server, 'DELETE', `/api/v1/statuses/${s.id}`, { token: alice.token }));
    assert.equal(deleted.id, s.id);
    assert.equal(deleted.text, 'bye #gone');
    assert.equal(deleted.media_attachments.length, 1);
    assertError(await get(s.id, alice), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/media/${m}`, { token: alice.token }), 404);
    assert.equal((await me(alice)).statuses_count, count - 1);
    assertError(await api(server, 'DELETE', `/api/v1/statuses/${s.id}`, { token: alice.token }), 404, 'not_found');
  });

  test('removes the files no other post uses and keeps shared ones', async () => {
    const bytes = await uniqueJpeg();
    const own = assertOk(await post(alice, { media_ids: [await photo(alice, '', bytes)] }));
    const shared = assertOk(await post(alice, { media_ids: [await photo(alice)] }));
    const sharedToo = assertOk(await post(bob, { media_ids: [await photo(bob)] }));
    const files = (s) => [s.media_attachments[0].url, s.media_attachments[0].preview_url];
    for (const url of [...files(own), ...files(shared)]) assert.equal((await fetch(url)).status, 200, url);
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${own.id}`, { token: alice.token }));
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${shared.id}`, { token: alice.token }));
    for (const url of files(own)) assert.equal((await fetch(url)).status, 404, url);
    // The same picture is still in bob's post.
    for (const url of files(sharedToo)) assert.equal((await fetch(url)).status, 200, url);
    assertOk(await get(sharedToo.id));
  });
});

// ---------------------------------------------------------------------------
describe('PUT /api/v1/statuses/:id and history', () => {
  test('edits caption, sensitivity and alt text and keeps every version', async () => {
    const m = await photo(alice, 'old alt');
    const s = assertOk(await post(alice, { status: 'first #one', media_ids: [m] }));
    const never = assertOk(await api(server, 'GET', `/api/v1/statuses/${s.id}/history`));
    assert.equal(never.length, 1);
    assert.equal(never[0].content, s.content);

    const edited = assertOk(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, {
      token: alice.token,
      json: { status: `second #two <b>@${bob.username}</b>`, sensitive: true, media_attributes: [{ id: m, description: 'new alt' }] },
    }));
    assert.match(edited.edited_at, ISO_MS);
    assert.equal(edited.sensitive, true);
    assert.deepEqual(edited.tags.map((t) => t.name), ['two']);
    assert.equal(edited.mentions[0].username, bob.username);
    assert.ok(edited.content.includes('&lt;b&gt;'), edited.content);
    assert.equal(edited.media_attachments[0].description, 'new alt');

    // Form encoding of media_attributes[][id] and [description].
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, {
      token: alice.token,
      body: `status=third&media_attributes[][id]=${m}&media_attributes[][description]=third+alt`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }));

    const history = assertOk(await api(server, 'GET', `/api/v1/statuses/${s.id}/history`, { token: bob.token }));
    assert.equal(history.length, 3);
    assert.equal(history[0].content, '<p>first <a href="' + s.tags[0].url + '" class="mention hashtag" rel="tag">#<span>one</span></a></p>');
    assert.equal(history[0].sensitive, false);
    assert.equal(history[0].media_attachments[0].description, 'old alt');
    assert.equal(history[1].sensitive, true);
    assert.equal(history[1].media_attachments[0].description, 'new alt');
    assert.equal(history[2].content, '<p>third</p>');
    assert.equal(history[2].media_attachments[0].description, 'third alt');
    for (const v of history) {
      assert.match(v.created_at, ISO_MS);
      assert.equal(v.account.id, s.account.id);
    }
  });

  test('GET .../source gives the author the caption as written', async () => {
    const caption = 'raw <b>text</b> #tag\nline two';
    const s = await newPost(alice, { status: caption, spoiler_text: 'cw' });
    assert.deepEqual(assertOk(await api(server, 'GET', `/api/v1/statuses/${s.id}/source`, { token: alice.token })),
      { id: s.id, text: caption, spoiler_text: 'cw' });
    assertError(await api(server, 'GET', `/api/v1/statuses/${s.id}/source`, { token: bob.token }), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/statuses/${s.id}/source`), 401);
  });

  test("someone else's post, bad fields and foreign media are refused", async () => {
    const s = await newPost(alice, { status: 'mine' });
    assertError(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, { token: bob.token, json: { status: 'hacked' } }), 404, 'not_found');
    assertError(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, { token: alice.token, json: { status: 'x'.repeat(2201) } }), 422, 'too_long', 'status');
    const bobs = await photo(bob);
    assertError(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, {
      token: alice.token, json: { media_attributes: [{ id: bobs, description: 'mine now' }] },
    }), 422, 'media_not_found', 'media_attributes');
    assertError(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, {
      token: alice.token, json: { media_attributes: 'nope' },
    }), 422, 'invalid_field', 'media_attributes');
    assert.equal(assertOk(await get(s.id)).content, '<p>mine</p>');
    assert.equal(assertOk(await get(s.id)).edited_at, null);
  });
});

// ---------------------------------------------------------------------------
describe('pin and unpin', () => {
  test('at most three pinned posts; only the author pins', async () => {
    const carol = await register(server, { prefix: 'carol' });
    const posts = [];
    for (let i = 0; i < 4; i++) posts.push(await newPost(carol, { status: `p${i}` }));
    for (const s of posts.slice(0, 3)) {
      const pinned = assertOk(await api(server, 'POST', `/api/v1/statuses/${s.id}/pin`, { token: carol.token }));
      assert.equal(pinned.pinned, true);
    }
    assertError(await api(server, 'POST', `/api/v1/statuses/${posts[3].id}/pin`, { token: carol.token }), 422, 'pin_limit');
    assertError(await api(server, 'POST', `/api/v1/statuses/${posts[3].id}/pin`, { token: bob.token }), 404, 'not_found');
    assertError(await api(server, 'POST', `/api/v1/statuses/${posts[0].id}/unpin`, { token: bob.token }), 404, 'not_found');
    assert.equal(assertOk(await get(posts[0].id, bob)).pinned, false, 'pinned is the viewer\'s own flag');
    const unpinned = assertOk(await api(server, 'POST', `/api/v1/statuses/${posts[0].id}/unpin`, { token: carol.token }));
    assert.equal(unpinned.pinned, false);
    assert.equal(assertOk(await api(server, 'POST', `/api/v1/statuses/${posts[3].id}/pin`, { token: carol.token })).pinned, true);
    const comment = assertOk(await post(carol, { status: 'c', in_reply_to_id: posts[1].id }));
    assertError(await api(server, 'POST', `/api/v1/statuses/${comment.id}/pin`, { token: carol.token }), 422, 'not_pinnable');
    const readOnly = await passwordToken(server, carol.app, carol.username, carol.password, 'read');
    assertError(await api(server, 'POST', `/api/v1/statuses/${posts[0].id}/pin`, { token: readOnly }), 403, 'insufficient_scope');
  });
});

// Regression: a public comment named its archived parent (in_reply_to_id and
// in_reply_to_account_id) to viewers who may not see that post.
describe('comments on posts the viewer cannot see', () => {
  test('name their parent only to viewers who may see it', async () => {
    const owner = await register(server, { prefix: 'archivist' });
    const commenter = await register(server, { prefix: 'commenter' });
    const parent = await newPost(owner);
    const comment = assertOk(await post(commenter, { status: 'a public comment', in_reply_to_id: parent.id }));
    assert.equal(assertOk(await get(comment.id)).in_reply_to_id, parent.id);

    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${parent.id}/archive`, { token: owner.token }));
    for (const viewer of [undefined, commenter]) {
      const seen = assertOk(await get(comment.id, viewer));
      assert.equal(seen.in_reply_to_id, null);
      assert.equal(seen.in_reply_to_account_id, null);
    }
    const byOwner = assertOk(await get(comment.id, owner));
    assert.equal(byOwner.in_reply_to_id, parent.id, 'the author of the archived post still sees the link');
  });
});

// Regression: once the post it answered was deleted, a comment lost its
// in_reply_to_id and could then be pinned or emptied like a photo post.
describe('comments whose post was deleted', () => {
  test('stay comments: not pinnable, text still required', async () => {
    const owner = await register(server, { prefix: 'deleter' });
    const commenter = await register(server, { prefix: 'orphan' });
    const parent = await newPost(owner);
    const comment = assertOk(await post(commenter, { status: 'soon an orphan', in_reply_to_id: parent.id }));
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${parent.id}`, { token: owner.token }));
    assert.equal(assertOk(await get(comment.id)).in_reply_to_id, null);
    assertError(await api(server, 'POST', `/api/v1/statuses/${comment.id}/pin`, { token: commenter.token }),
      422, 'not_pinnable');
    assertError(await api(server, 'PUT', `/api/v1/statuses/${comment.id}`, { token: commenter.token, json: { status: '  ' } }),
      422, 'missing_field', 'status');
  });
});
