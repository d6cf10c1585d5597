// Federation with a real peer (docs/federation.md): a Fedify 1.5 server on
// loopback, with signature verification on, finds Vantage accounts by
// WebFinger and by URL, follows them and gets a signed Accept, receives
// their photo posts, likes and comments on them (and edits and deletes the
// comment), asks to follow a locked account and waits for approval, and
// stops receiving once blocked. Run on both engines (VANTAGE_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, waitFor } from '../api/lib/server.mjs';
import { registerUser, uploadPhoto } from '../api/lib/photos.mjs';
import { lookup } from './lib/lookup.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';
import { verifySignature } from './lib/httpsig.mjs';

const AP = { accept: 'application/activity+json' };

describe('a Fedify peer and Vantage', () => {
  let v;     // Vantage behind the TLS proxy
  let peer;  // Fedify: alice and bob
  let vera;  // a Vantage user
  let lena;  // a Vantage user with a locked account

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({ actors: ['alice', 'bob', 'carol'] });
    vera = await registerUser(v.server, 'vera');
    lena = await registerUser(v.server, 'lena');
    assertOk(await api(v.server, 'PATCH', '/api/v1/accounts/update_credentials', { token: lena.token, json: { locked: true } }));
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('discovery: WebFinger by acct and by URL, host-meta, NodeInfo 2.1', async () => {
    for (const resource of [`acct:${vera.username}@${v.host}`, v.actorId(vera.username), `${v.origin}/@${vera.username}`]) {
      const res = await fetch(`${v.origin}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      assert.equal(res.status, 200, resource);
      assert.match(res.headers.get('content-type'), /^application\/jrd\+json/);
      const jrd = await res.json();
      assert.equal(jrd.subject, `acct:${vera.username}@${v.host}`);
      const self = jrd.links.find((l) => l.rel === 'self');
      assert.equal(self.type, 'application/activity+json');
      assert.equal(self.href, v.actorId(vera.username));
      assert.ok(jrd.links.some((l) => l.rel === 'http://webfinger.net/rel/profile-page' && l.href === `${v.origin}/@${vera.username}`));
    }
    assert.equal((await fetch(`${v.origin}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${v.host}`)}`)).status, 404);
    assert.equal((await fetch(`${v.origin}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${vera.username}@elsewhere.example`)}`)).status, 404);
    assert.equal((await fetch(`${v.origin}/.well-known/webfinger`)).status, 400);

    const xml = await (await fetch(`${v.origin}/.well-known/host-meta`)).text();
    assert.match(xml, new RegExp(`template="${v.origin.replace(/[.]/g, '\\.')}/\\.well-known/webfinger\\?resource=\\{uri\\}"`));
    const hostMeta = await (await fetch(`${v.origin}/.well-known/host-meta.json`)).json();
    assert.equal(hostMeta.links[0].rel, 'lrdd');

    const links = await (await fetch(`${v.origin}/.well-known/nodeinfo`)).json();
    const href = links.links.find((l) => l.rel === 'http://nodeinfo.diaspora.software/ns/schema/2.1').href;
    const info = await (await fetch(href)).json();
    assert.equal(info.version, '2.1');
    assert.equal(info.software.name, 'vantage');
    assert.deepEqual(info.protocols, ['activitypub']);
    assert.ok(info.usage.users.total >= 2);
    assert.equal(typeof info.usage.localPosts, 'number');
    assert.equal(info.openRegistrations, true);
  });

  test('the profile page is the actor to those who ask for ActivityPub, HTML otherwise', async () => {
    for (const accept of ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
      const res = await fetch(`${v.origin}/@${vera.username}`, { headers: { accept } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^application\/activity\+json/);
      assert.match(res.headers.get('vary') ?? '', /Accept/);
      const actor = await res.json();
      assert.equal(actor.id, v.actorId(vera.username));
      assert.equal(actor.type, 'Person');
      assert.equal(actor.preferredUsername, vera.username);
      assert.equal(actor.inbox, v.inbox(vera.username));
      assert.equal(actor.endpoints.sharedInbox, v.sharedInbox);
      assert.equal(actor.publicKey.owner, actor.id);
      assert.equal(actor.publicKey.id, v.keyId(vera.username));
      assert.match(actor.publicKey.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
      assert.ok(actor['@context'].includes('https://w3id.org/security/v1'));
    }
    const html = await fetch(`${v.origin}/@${vera.username}`, { headers: { accept: 'text/html' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.match(html.headers.get('vary') ?? '', /Accept/);
    // The key is made once and kept: the same on every fetch.
    const again = await (await fetch(v.actorId(vera.username), { headers: AP })).json();
    const first = await (await fetch(`${v.origin}/@${vera.username}`, { headers: AP })).json();
    assert.equal(again.publicKey.publicKeyPem, first.publicKey.publicKeyPem);
  });

  test('Fedify finds a Vantage account by acct: and by URL, and accepts the document', async () => {
    const byAcct = await lookup(v.acct(vera.username));
    assert.equal(byAcct.id, v.actorId(vera.username));
    assert.equal(byAcct.type, 'Person');
    const byUrl = await lookup(v.actorId(vera.username));
    assert.equal(byUrl.id, v.actorId(vera.username));
    assert.ok(byUrl.json.publicKey, 'Fedify kept the public key');
  });

  let followId;
  test('a remote follow is accepted with a signed Accept naming the Follow, and counted', async () => {
    followId = await peer.follow('alice', v.actorId(vera.username));
    const accept = await peer.waitFor({ type: 'Accept', actor: v.actorId(vera.username) }, { timeout: 15_000 });
    assert.equal(accept.objectId, followId);
    assert.equal(accept.activity.object.type ?? accept.activity.object['type'], 'Follow');
    assert.ok(accept.signature, 'the Accept was signed');
    assert.equal(accept.signature.keyId, v.keyId(vera.username));

    const me = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`));
    assert.equal(me.followers_count, 1);
    const followers = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token }));
    assert.equal(followers.length, 1);
    assert.equal(followers[0].acct, `alice@${peer.host}`);
    const notifications = assertOk(await api(v.server, 'GET', '/api/v1/notifications', { token: vera.token }));
    assert.ok(notifications.some((n) => n.type === 'follow' && n.account.acct === `alice@${peer.host}`));
    // The followers collection counts the remote follower and lists it.
    const collection = await (await fetch(`${v.actorId(vera.username)}/followers`, { headers: AP })).json();
    assert.equal(collection.totalItems, 1);
    const page = await (await fetch(collection.first, { headers: AP })).json();
    assert.deepEqual(page.orderedItems, [peer.actorId('alice')]);
  });

  test('an account may hide its follower lists from other servers: the counts stay', async () => {
    const form = (hide) => ({ token: vera.token, json: { hide_collections: hide } });
    const me = assertOk(await api(v.server, 'PATCH', '/api/v1/accounts/update_credentials', form(true)));
    assert.equal(me.source.hide_collections, true);
    for (const which of ['followers', 'following']) {
      const collection = await (await fetch(`${v.actorId(vera.username)}/${which}`, { headers: AP })).json();
      assert.equal(collection.totalItems, which === 'followers' ? 1 : 0);
      assert.equal(collection.first, undefined);
      const page = await (await fetch(`${v.actorId(vera.username)}/${which}?page=1`, { headers: AP })).json();
      assert.equal(page.orderedItems, undefined, `${which} lists nobody`);
    }
    assert.equal(assertOk(await api(v.server, 'PATCH', '/api/v1/accounts/update_credentials', form(false))).source.hide_collections, false);
    const shown = await (await fetch(`${v.actorId(vera.username)}/followers?page=1`, { headers: AP })).json();
    assert.deepEqual(shown.orderedItems, [peer.actorId('alice')]);
  });

  let postId;
  let noteId;
  test('a three-photo post reaches the follower with its alt text, order, blurhash and focal points', async () => {
    const ids = [];
    for (const [i, focus] of ['0.1,-0.3', '0,0', '-0.5,0.5'].entries()) {
      const id = await uploadPhoto(v.server, vera);
      assertOk(await api(v.server, 'PUT', `/api/v1/media/${id}`, { token: vera.token, json: { description: `Photo ${i + 1} of 3`, focus } }));
      ids.push(id);
    }
    const status = assertOk(await api(v.server, 'POST', '/api/v1/statuses', {
      token: vera.token, json: { status: 'Three views of the harbour #harbour', media_ids: ids },
    }));
    postId = status.id;
    noteId = v.statusId(vera.username, postId);
    const create = await peer.waitFor({ type: 'Create', objectId: noteId }, { timeout: 15_000 });
    const raw = typeof create.raw === "string" ? JSON.parse(create.raw) : create.raw;
    assert.equal(raw.actor, v.actorId(vera.username));
    assert.equal(raw.object.attributedTo, v.actorId(vera.username));
    assert.deepEqual(raw.object.to, ['https://www.w3.org/ns/activitystreams#Public']);
    assert.deepEqual(raw.object.cc, [`${v.actorId(vera.username)}/followers`]);
    assert.match(raw.object.content, /Three views of the harbour/);
    assert.ok(raw.object.tag.some((t) => t.type === 'Hashtag' && t.name === '#harbour'));
    assert.equal(raw.object.attachment.length, 3);
    raw.object.attachment.forEach((a, i) => {
      assert.equal(a.name, `Photo ${i + 1} of 3`);
      assert.equal(a.mediaType, 'image/jpeg');
      assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+\/media\/[0-9a-f]{64}\.jpg$/);
      assert.ok(a.width > 0 && a.height > 0);
      assert.equal(typeof a.blurhash, 'string');
      assert.ok(a.blurhash.length >= 6);
    });
    assert.deepEqual(raw.object.attachment.map((a) => a.focalPoint), [[0.1, -0.3], [0, 0], [-0.5, 0.5]]);
    // The signature verifies with Vantage's published key (Fedify checked it too).
    const actor = await (await fetch(v.actorId(vera.username), { headers: AP })).json();
    const verified = verifySignature({ method: 'POST', path: new URL(create.recipient ?? peer.sharedInbox()).pathname, headers: create.headers }, actor.publicKey.publicKeyPem);
    assert.equal(verified.ok, true);
    assert.deepEqual(verified.params.headers, ['(request-target)', 'host', 'date', 'digest', 'content-type']);
    // And the note is fetchable at its id, as Fedify would look it up.
    const fetched = await lookup(noteId);
    assert.equal(fetched.id, noteId);
  });

  test('likes from the peer are counted and notified, and undone', async () => {
    const likeId = await peer.like('alice', noteId);
    await waitFor(async () => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postId}`)).favourites_count === 1,
      { timeoutMs: 10_000, message: 'the like counted' });
    const notifications = assertOk(await api(v.server, 'GET', '/api/v1/notifications', { token: vera.token }));
    assert.ok(notifications.some((n) => n.type === 'favourite' && n.account.acct === `alice@${peer.host}` && n.status.id === postId));
    const likers = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postId}/favourited_by`));
    assert.deepEqual(likers.map((a) => a.acct), [`alice@${peer.host}`]);
    await peer.undoLike('alice', likeId);
    await waitFor(async () => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postId}`)).favourites_count === 0,
      { timeoutMs: 10_000, message: 'the like undone' });
  });

  test('a remote comment is a comment: shown in the context, edited and deleted by its author', async () => {
    const commentNote = await peer.reply('alice', noteId, '<p>Lovely light on the <b>water</b></p>');
    let comment;
    await waitFor(async () => {
      const context = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postId}/context`));
      comment = context.descendants.find((s) => s.account.acct === `alice@${peer.host}`);
      return Boolean(comment);
    }, { timeoutMs: 10_000, message: 'the comment arrived' });
    assert.match(comment.content, /Lovely light on the water/);
    assert.doesNotMatch(comment.content, /<b>/, 'remote markup is not passed through');
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/statuses/${postId}`)).replies_count, 1);

    await peer.updateNote('alice', commentNote, { content: '<p>Lovely light on the harbour</p>' });
    await waitFor(async () => /harbour/.test(assertOk(await api(v.server, 'GET', `/api/v1/statuses/${comment.id}`)).content),
      { timeoutMs: 10_000, message: 'the edit arrived' });

    // Someone else's Delete of it is refused; its author's goes through.
    await peer.send('bob', { '@context': peer.CONTEXT, id: `${peer.actorId('bob')}#delete-${Date.now()}`, type: 'Delete', actor: peer.actorId('bob'), object: commentNote }, { inbox: v.sharedInbox });
    assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${comment.id}`)).status, 200);
    await peer.deleteNote('alice', commentNote, { inbox: v.sharedInbox });
    await waitFor(async () => (await api(v.server, 'GET', `/api/v1/statuses/${comment.id}`)).status === 404,
      { timeoutMs: 10_000, message: 'the comment deleted' });
  });

  test('a locked account gets a follow request, and its approval sends the Accept', async () => {
    const requestId = await peer.follow('bob', v.actorId(lena.username));
    let requester;
    await waitFor(async () => {
      const requests = assertOk(await api(v.server, 'GET', '/api/v1/follow_requests', { token: lena.token }));
      requester = requests.find((a) => a.acct === `bob@${peer.host}`);
      return Boolean(requester);
    }, { timeoutMs: 10_000, message: 'the follow request arrived' });
    await peer.expectNothing({ type: 'Accept', actor: v.actorId(lena.username) }, { within: 1500 });
    assertOk(await api(v.server, 'POST', `/api/v1/follow_requests/${requester.id}/authorize`, { token: lena.token }));
    const accept = await peer.waitFor({ type: 'Accept', actor: v.actorId(lena.username) }, { timeout: 15_000 });
    assert.equal(accept.objectId, requestId);
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${lena.id}`)).followers_count, 1);
  });

  test('a followers-only post goes to followers only, and a blocked follower stops receiving', async () => {
    const status = assertOk(await api(v.server, 'POST', '/api/v1/statuses', {
      token: lena.token, json: { status: 'For followers', media_ids: [await uploadPhoto(v.server, lena)], visibility: 'private' },
    }));
    const create = await peer.waitFor({ type: 'Create', objectId: v.statusId(lena.username, status.id) }, { timeout: 15_000 });
    const raw = typeof create.raw === "string" ? JSON.parse(create.raw) : create.raw;
    assert.deepEqual(raw.object.to, [`${v.actorId(lena.username)}/followers`]);
    assert.ok(!JSON.stringify(raw).includes('#Public'), 'never Public anywhere');
    // Not fetchable by anyone who does not sign as a follower.
    assert.equal((await fetch(v.statusId(lena.username, status.id), { headers: AP })).status, 404);

    const bob = assertOk(await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`bob@${peer.host}`)}`, { token: lena.token }));
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${bob.id}/block`, { token: lena.token }));
    // Bob's server is told, as Mastodon tells it: a Block from lena naming bob.
    const blocked = await peer.waitFor({ type: 'Block', actor: v.actorId(lena.username) }, { timeout: 15_000 });
    assert.equal(blocked.objectId, peer.actorId('bob'));
    assert.ok(blocked.signature, 'the Block was signed');
    const after = assertOk(await api(v.server, 'POST', '/api/v1/statuses', {
      token: lena.token, json: { status: 'After the block', media_ids: [await uploadPhoto(v.server, lena)] },
    }));
    await peer.expectNothing({ type: 'Create', objectId: v.statusId(lena.username, after.id) }, { within: 3000 });
    // Unblocking undoes that Block.
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${bob.id}/unblock`, { token: lena.token }));
    const undo = await peer.waitFor({ type: 'Undo', actor: v.actorId(lena.username) }, { timeout: 15_000 });
    const undone = typeof undo.raw === 'string' ? JSON.parse(undo.raw) : undo.raw;
    assert.equal(undone.object.type, 'Block');
    assert.equal(undone.object.id, blocked.id);
    assert.equal(undone.object.object, peer.actorId('bob'));
  });
});
