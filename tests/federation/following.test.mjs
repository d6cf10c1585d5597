// Vantage users following the fediverse (docs/federation.md, "Following
// remote accounts"), against a real Fedify peer behind TLS: a remote
// account is found by search (WebFinger and a signed fetch) and by URL,
// followed (Follow, the peer's Accept; a locked account's Accept and
// Reject; Undo on unfollowing), and its posts reach the follower's home
// timeline with their photos fetched by Vantage and run through the media
// pipeline (nothing of the peer's GPS and camera fields left), then follow
// its edits and deletion. Text posts are kept as they are, videos are
// links to the original, a photo that fails is "image unavailable", a
// remote profile's recent posts are read from its outbox, and a server
// that does not answer gives a clear 502. Run on both engines.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, waitFor } from '../api/lib/server.mjs';
import { registerUser, uploadPhoto } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { exif, jpegWithSecrets, SECRET_FIELDS } from './lib/secrets.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

// A port nothing listens on.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function search(v, user, q, { resolve = true } = {}) {
  return api(v.server, 'GET', `/api/v2/search?q=${encodeURIComponent(q)}&resolve=${resolve}`, { token: user?.token });
}

async function relationship(v, user, id) {
  return assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${id}`, { token: user.token }))[0];
}

async function home(v, user) {
  return assertOk(await api(v.server, 'GET', '/api/v1/timelines/home?limit=40', { token: user.token }));
}

// The status `uri` in `user`'s home timeline, once `ok(status)` holds.
async function inHome(v, user, uri, ok = () => true, timeoutMs = 20_000) {
  return waitFor(async () => (await home(v, user)).find((s) => s.uri === uri && ok(s)), { timeoutMs, message: `${uri} in the home timeline` });
}

// Fetches a URL of Vantage's public origin from the test (through the TLS proxy).
async function fetchBytes(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

describe('following remote accounts', () => {
  let v;
  let peer;   // pia accepts at once; quinn is locked and answers by hand; rex is followed by nobody
  let vera;
  let lena;
  let photos;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({
      https: true,
      autoAccept: ['pia'],
      actors: ['pia', { name: 'quinn', manuallyApprovesFollowers: true }, 'rex'],
    });
    vera = await registerUser(v.server, 'vera');
    lena = await registerUser(v.server, 'lena');
    photos = [
      peer.serveFile('/media/one.jpg', { body: await jpegWithSecrets(800, 600) }),
      peer.serveFile('/media/two.jpg', { body: await jpegWithSecrets(600, 800) }),
    ];
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  let pia;  // pia's account on Vantage
  test('a remote account is found by search only when resolved, signed in', async () => {
    const handle = `@pia@${peer.host}`;
    const unresolved = assertOk(await search(v, vera, handle, { resolve: false }));
    assert.deepEqual(unresolved.accounts, [], 'nothing known before it is resolved');
    const anonymous = assertOk(await search(v, null, handle));
    assert.deepEqual(anonymous.accounts, [], 'signed out, nothing is looked up');

    const found = assertOk(await search(v, vera, handle));
    assert.equal(found.accounts.length, 1);
    pia = found.accounts[0];
    assert.equal(pia.acct, `pia@${peer.host}`);
    assert.equal(pia.url, peer.actorId('pia'));
    assert.equal(pia.display_name, 'Peer pia');
    // Known now: lookup answers it, and searching without resolve finds it.
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=pia@${peer.host}`)).id, pia.id);
    assert.equal(assertOk(await search(v, vera, `pia@${peer.host}`, { resolve: false })).accounts[0].id, pia.id);
    // The peer was asked by WebFinger and for the actor, signed by the instance actor.
    assert.ok(peer.requests.some((r) => r.path.startsWith('/.well-known/webfinger?resource=acct%3Apia%40')));
    const actorFetch = peer.requests.find((r) => r.path === '/users/pia' && r.method === 'GET');
    assert.match(actorFetch.headers.signature, new RegExp(`keyId="${v.instanceActor}#main-key"`));
  });

  test('nobody by that name finds nothing; a server that does not answer is a clear 502', async () => {
    const nobody = assertOk(await search(v, vera, `@nobody@${peer.host}`));
    assert.deepEqual(nobody.accounts, []);
    const port = await closedPort();
    const res = await search(v, vera, `@ghost@127.0.0.1:${port}`);
    assert.equal(res.status, 502);
    assert.equal(res.json.code, 'remote_unavailable');
    assert.match(res.json.error, new RegExp(`127\\.0\\.0\\.1:${port} did not answer`));
  });

  let followId;
  test('following sends a Follow; the relationship is requested until the Accept', async () => {
    const asked = assertOk(await api(v.server, 'POST', `/api/v1/accounts/${pia.id}/follow`, { token: vera.token }));
    assert.equal(asked.requested, true);
    assert.equal(asked.following, false);
    const follow = await peer.waitFor({ type: 'Follow', actor: v.actorId(vera.username) }, { timeout: 15_000 });
    followId = follow.id;
    assert.equal(follow.objectId, peer.actorId('pia'));
    assert.equal(follow.signature.keyId, v.keyId(vera.username));
    await waitFor(async () => (await relationship(v, vera, pia.id)).following, { timeoutMs: 15_000, message: 'the Accept' });
    const rel = await relationship(v, vera, pia.id);
    assert.equal(rel.requested, false);
    const following = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/following`, { token: vera.token }));
    assert.deepEqual(following.map((a) => a.id), [pia.id]);
  });

  let noteId;
  let postOnVantage;
  test('a followed account\'s 2-photo post reaches the home timeline, its photos served by Vantage and stripped', async () => {
    noteId = await peer.post('pia', {
      content: '<p>Archive photos, <b>never</b> seen before</p>',
      attachments: [
        { url: photos[0], name: 'The first archive photo', width: 800, height: 600, focalPoint: [0.5, -0.25] },
        { url: photos[1], name: 'The second', width: 600, height: 800 },
      ],
      deliverTo: v.actorId(vera.username),
      preferSharedInbox: true,
      raw: true,  // as built: Fedify would drop Mastodon's focalPoint
    });
    postOnVantage = await inHome(v, vera, noteId, (s) => s.media_attachments.every((m) => m.vantage.state === 'ready'));
    assert.equal(postOnVantage.account.id, pia.id);
    assert.equal(postOnVantage.content, '<p>Archive photos, never seen before</p>');
    assert.equal(postOnVantage.url, noteId);
    assert.equal(postOnVantage.media_attachments.length, 2);
    const [first, second] = postOnVantage.media_attachments;
    assert.equal(first.description, 'The first archive photo');
    assert.deepEqual(first.meta.focus, { x: 0.5, y: -0.25 });
    assert.equal(second.description, 'The second');
    assert.equal(first.remote_url, null, 'a remote photo\'s own URL is never given to clients');
    for (const m of postOnVantage.media_attachments) {
      assert.equal(m.type, 'image');
      assert.ok(m.blurhash);
      for (const url of [m.url, m.preview_url, ...m.vantage.variants.map((x) => x.url)]) {
        assert.ok(url.startsWith(`${v.origin}/media/`), `${url} is this server's`);
        const meta = exif(await fetchBytes(url));
        for (const field of SECRET_FIELDS) assert.equal(meta[field], undefined, `${field} is gone from ${url}`);
        assert.ok(!JSON.stringify(meta).toLowerCase().includes('qz7c'));
      }
    }
    assert.equal(first.meta.original.width, 800);
    assert.equal(second.meta.original.height, 800);
  });

  test('a comment on the remote post is delivered to its author', async () => {
    const comment = assertOk(await api(v.server, 'POST', '/api/v1/statuses', {
      token: vera.token, json: { status: 'Remarkable, thank you', in_reply_to_id: postOnVantage.id },
    }));
    const created = await peer.waitFor({ type: 'Create', actor: v.actorId(vera.username) }, { timeout: 15_000 });
    assert.equal(created.raw.object.inReplyTo, noteId);
    assert.equal(created.raw.object.id, v.statusId(vera.username, comment.id));
    // The peer's replies to it show in the post's context.
    const reply = await peer.reply('pia', v.statusId(vera.username, comment.id), '<p>Glad you like them</p>', { deliverTo: v.actorId(vera.username) });
    await waitFor(async () => {
      const context = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postOnVantage.id}/context`, { token: vera.token }));
      return context.descendants.some((s) => s.uri === reply);
    }, { timeoutMs: 15_000, message: 'the remote reply in the context' });
  });

  test('the remote post\'s edit and deletion follow it', async () => {
    await peer.updateNote('pia', noteId, { content: '<p>Archive photos, captioned</p>' }, { to: v.actorId(vera.username) });
    await inHome(v, vera, noteId, (s) => s.content === '<p>Archive photos, captioned</p>', 15_000);
    await peer.deleteNote('pia', noteId, { to: v.actorId(vera.username) });
    await waitFor(async () => (await api(v.server, 'GET', `/api/v1/statuses/${postOnVantage.id}`, { token: vera.token })).status === 404,
      { timeoutMs: 15_000, message: 'the deletion' });
    assert.ok(!(await home(v, vera)).some((s) => s.uri === noteId));
  });

  test('text posts are kept as they are; videos link to the original; a broken photo is unavailable', async () => {
    const text = await peer.post('pia', { content: '<p>Only words today</p>', deliverTo: v.actorId(vera.username) });
    const shown = await inHome(v, vera, text);
    assert.deepEqual(shown.media_attachments, []);
    assert.equal(shown.content, '<p>Only words today</p>');

    peer.serveFile('/media/broken.jpg', { body: Buffer.from('no picture here') });
    const mixed = await peer.post('pia', {
      content: '<p>A film and a broken photo</p>',
      attachments: [
        { type: 'Video', mediaType: 'video/mp4', url: `${peer.origin}/media/film.mp4`, name: 'The film' },
        { url: `${peer.origin}/media/broken.jpg`, name: 'Broken' },
      ],
      deliverTo: v.actorId(vera.username),
    });
    const post = await inHome(v, vera, mixed, (s) => s.media_attachments[1]?.vantage.state === 'failed');
    const [video, broken] = post.media_attachments;
    assert.equal(video.type, 'unknown');
    assert.equal(video.remote_url, `${peer.origin}/media/film.mp4`);
    assert.equal(video.url, null);
    assert.equal(broken.type, 'image');
    assert.equal(broken.url, null, 'what fails the pipeline is never passed through');
    assert.equal(broken.remote_url, null);
    assert.equal(broken.vantage.error, 'unsupported_media_type');
  });

  test("a remote post's @name is the account its note names: a remote one is no local namesake, a local one is mentioned", async () => {
    // The note's "@<lena's name>" is rex on the peer (a Mention of the
    // peer's actor, shown by a short name that is also a local account's),
    // and its "@<vera's name>" names vera here.
    const note = await peer.post('pia', {
      content: `<p><span class="h-card"><a href="${peer.origin}/users/rex" class="u-url mention">@<span>${lena.username}</span></a></span> `
        + `meet <span class="h-card"><a href="${v.actorId(vera.username)}" class="u-url mention">@<span>${vera.username}</span></a></span></p>`,
      mentions: [{ href: `${peer.origin}/users/rex`, name: `@${lena.username}` }, { href: v.actorId(vera.username), name: `@${vera.username}` }],
      deliverTo: v.actorId(vera.username),
    });
    const shown = await inHome(v, vera, note);
    assert.deepEqual(shown.mentions.map((m) => m.acct), [vera.username], 'only the local account the note names');
    assert.ok(!shown.content.includes(`/@${lena.username}"`), `no link to the local lena: ${shown.content}`);
    const notifications = async (user) => assertOk(await api(v.server, 'GET', '/api/v1/notifications', { token: user.token }));
    await waitFor(async () => (await notifications(vera)).some((n) => n.type === 'mention' && n.status?.uri === note),
      { timeoutMs: 10_000, message: "vera's mention notification" });
    assert.ok(!(await notifications(lena)).some((n) => n.status?.uri === note), 'the local lena is not notified');
  });

  test('a post of an account nobody here follows is not kept', async () => {
    const note = await peer.post('rex', { content: '<p>Unsolicited</p>', deliverTo: v.actorId(vera.username) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!(await home(v, vera)).some((s) => s.uri === note));
    assert.deepEqual(assertOk(await search(v, vera, note, { resolve: false })).statuses, []);
  });

  test('a remote profile shows its recent posts from its outbox and its counts as reported', async () => {
    const rexNotes = () => [...peer.objects.values()].filter((o) => o.json.type === 'Note' && o.json.attributedTo === peer.actorId('rex') && !o.deleted);
    const rex = assertOk(await search(v, vera, `rex@${peer.host}`)).accounts[0];
    const statuses = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${rex.id}/statuses`, { token: vera.token }));
    assert.deepEqual(statuses.map((s) => s.content), ['<p>Unsolicited</p>']);
    const account = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${rex.id}`, { token: vera.token }));
    assert.equal(account.statuses_count, rexNotes().length);
    assert.equal(account.followers_count, 0);
  });

  test('a post is found by its URL, and an account by its profile URL', async () => {
    const note = await peer.post('rex', { content: '<p>Found by its address</p>', deliverTo: v.actorId(vera.username) });
    const byUrl = assertOk(await search(v, vera, note));
    assert.equal(byUrl.statuses.length, 1);
    assert.equal(byUrl.statuses[0].uri, note);
    assert.equal(byUrl.statuses[0].content, '<p>Found by its address</p>');
    const profile = assertOk(await search(v, vera, peer.actorId('quinn')));
    assert.equal(profile.accounts[0].acct, `quinn@${peer.host}`);
  });

  test('a locked remote account accepts one request and rejects another', async () => {
    const quinn = assertOk(await search(v, vera, `quinn@${peer.host}`)).accounts[0];
    assert.equal(quinn.locked, true);
    for (const user of [vera, lena]) {
      const asked = assertOk(await api(v.server, 'POST', `/api/v1/accounts/${quinn.id}/follow`, { token: user.token }));
      assert.equal(asked.requested, true);
    }
    const fromVera = await peer.waitFor({ type: 'Follow', actor: v.actorId(vera.username), objectId: peer.actorId('quinn') }, { timeout: 15_000 });
    const fromLena = await peer.waitFor({ type: 'Follow', actor: v.actorId(lena.username), objectId: peer.actorId('quinn') }, { timeout: 15_000 });
    await peer.acceptFollow('quinn', fromVera);
    await peer.rejectFollow('quinn', fromLena);
    await waitFor(async () => (await relationship(v, vera, quinn.id)).following, { timeoutMs: 15_000, message: 'the Accept' });
    await waitFor(async () => {
      const rel = await relationship(v, lena, quinn.id);
      return !rel.requested && !rel.following;
    }, { timeoutMs: 15_000, message: 'the Reject' });
  });

  test('unfollowing sends an Undo of the same Follow', async () => {
    const rel = assertOk(await api(v.server, 'POST', `/api/v1/accounts/${pia.id}/unfollow`, { token: vera.token }));
    assert.equal(rel.following, false);
    const undo = await peer.waitFor({ type: 'Undo', actor: v.actorId(vera.username) }, { timeout: 15_000 });
    assert.equal(undo.raw.object.type, 'Follow');
    assert.equal(undo.raw.object.id, followId);
    assert.equal(undo.raw.object.object, peer.actorId('pia'));
  });
});

describe('remote photos fetched when first shown (--federation-media lazy)', () => {
  let v;
  let peer;
  let vera;

  before(async () => {
    v = await startFederatedVantage(['--federation-media', 'lazy']);
    peer = await startPeer({ https: true, autoAccept: true, actors: ['sol'] });
    vera = await registerUser(v.server, 'vera');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('the photo is fetched and processed on its first view, then served as a file', async () => {
    const photo = peer.serveFile('/media/lazy.jpg', { body: await jpegWithSecrets(500, 400) });
    const sol = assertOk(await search(v, vera, `sol@${peer.host}`)).accounts[0];
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${sol.id}/follow`, { token: vera.token }));
    await waitFor(async () => (await relationship(v, vera, sol.id)).following, { timeoutMs: 15_000, message: 'the Accept' });
    const note = await peer.post('sol', { content: '<p>Lazy</p>', attachments: [{ url: photo }], deliverTo: v.actorId(vera.username) });
    const post = await inHome(v, vera, note);
    const [media] = post.media_attachments;
    assert.equal(media.vantage.state, 'processing');
    assert.equal(media.url, `${v.origin}/media/remote/${media.id}/large`);
    assert.ok(!peer.requests.some((r) => r.path === '/media/lazy.jpg'), 'not fetched before it is shown');

    const res = await fetch(media.url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location');
    assert.match(location, new RegExp(`^${v.origin.replace(/[.]/g, '\\.')}/media/[0-9a-f]{64}\\.jpg$`));
    const meta = exif(await fetchBytes(location));
    for (const field of SECRET_FIELDS) assert.equal(meta[field], undefined);
    assert.equal(peer.requests.filter((r) => r.path === '/media/lazy.jpg').length, 1);
    // Ready now: the status gives the file itself.
    const again = await inHome(v, vera, note, (s) => s.media_attachments[0].vantage.state === 'ready');
    assert.match(again.media_attachments[0].url, /\/media\/[0-9a-f]{64}\.jpg$/);
    // A second view does not fetch again.
    assert.equal((await fetch(media.url, { redirect: 'manual' })).status, 302);
    assert.equal(peer.requests.filter((r) => r.path === '/media/lazy.jpg').length, 1);
  });

  test('the fetching URL answers 404 for what is no remote photo, or no variant of one', async () => {
    const remote = (await home(v, vera)).flatMap((s) => s.media_attachments).find((m) => m.vantage.state === 'ready');
    const mediaId = await uploadPhoto(v.server, vera);
    assert.ok(remote, 'the photo of the test before');
    const paths = ['/media/remote/not-an-id/large', '/media/remote/1/large', `/media/remote/${mediaId}/large`,
      `/media/remote/${remote.id}/huge`];
    for (const path of paths) {
      const res = await api(v.server, 'GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(typeof res.json?.error, 'string', path);
    }
  });
});

describe('the remote media cache (--remote-media-cache-gb)', () => {
  let v;
  let peer;
  let vera;

  before(async () => {
    // A budget no photo fits in, trimmed every second: each is evicted once processed.
    v = await startFederatedVantage(['--remote-media-cache-gb', '0.000001', '--media-cleanup-interval', '1']);
    peer = await startPeer({ https: true, autoAccept: true, actors: ['tam'] });
    vera = await registerUser(v.server, 'vera');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('an evicted photo is removed from disk and fetched again when next shown; regression: the trim no longer removes the file a reader was just sent to', async () => {
    const photo = peer.serveFile('/media/cached.jpg', { body: await jpegWithSecrets(400, 300) });
    const tam = assertOk(await search(v, vera, `tam@${peer.host}`)).accounts[0];
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${tam.id}/follow`, { token: vera.token }));
    await waitFor(async () => (await relationship(v, vera, tam.id)).following, { timeoutMs: 15_000, message: 'the Accept' });
    const note = await peer.post('tam', { content: '<p>Cached</p>', attachments: [{ url: photo }], deliverTo: v.actorId(vera.username) });
    const fetches = () => peer.requests.filter((r) => r.path === '/media/cached.jpg').length;
    // Processed (eager: it has its blurhash), then evicted by the first trim
    // after its 10 s of residency: the status points at the fetching URL
    // again, the blurhash kept.
    const evicted = await inHome(v, vera, note,
      (s) => s.media_attachments[0].url.includes('/media/remote/') && s.media_attachments[0].blurhash, 30_000);
    assert.equal(fetches(), 1);
    const [media] = evicted.media_attachments;
    assert.equal(media.vantage.state, 'processing');
    assert.deepEqual(media.vantage.variants, []);
    // Shown again: fetched again, processed, and served; the file is still
    // there when the reader follows the redirect, even a trim later.
    const res = await fetch(media.url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(fetches(), 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const bytes = await fetchBytes(res.headers.get('location'));
    assert.ok(bytes.length > 0);
    // And evicted again once its residency is over: the file it led to is gone.
    await waitFor(async () => (await fetch(res.headers.get('location'))).status === 404, { timeoutMs: 30_000, message: 'the file removed' });
  });
});
