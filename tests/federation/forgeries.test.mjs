// Forged and unauthorised activities (docs/federation.md, "Authority"):
// each is refused, and refused without effect. A request that cannot be
// verified is 401 with nothing in the body; an activity whose signer is
// not its actor is 401; a verified activity that acts on what is not its
// actor's (an embedded note from another origin, a Delete of someone
// else's post) is answered 202 like any other and changes nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, sleep, waitFor } from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { generateRsaPem, signedPost } from './lib/httpsig.mjs';
import { CONTEXT, PUBLIC, startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

describe('forgeries are refused', () => {
  let v;
  let peer;
  let vera;
  let post;
  let noteId;
  let n = 0;
  const like = (as, object = noteId) => ({
    '@context': CONTEXT, id: `${peer.actorId(as)}#likes/${Date.now()}-${++n}`, type: 'Like', actor: peer.actorId(as), object,
  });
  const likes = async () => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}`)).favourites_count;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({ actors: ['alice', 'bob'] });
    vera = await registerUser(v.server, 'vera');
    post = await postPhoto(v.server, vera, { status: 'The harbour at dawn' });
    noteId = v.statusId(vera.username, post.id);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('a correctly signed Like is taken (the control for the forgeries below)', async () => {
    const res = await peer.signedPost('alice', v.sharedInbox, like('alice'));
    assert.equal(res.status, 202, res.text);
    assert.equal(await likes(), 1);
  });

  const forgeries = [
    ['a body altered after signing', (body) => ({ alterBodyAfterSigning: { ...body, object: `${noteId}x` } })],
    ['a Date two hours old', () => ({ dateOffsetMs: -2 * 3600 * 1000 })],
    ['a Date two hours ahead', () => ({ dateOffsetMs: 2 * 3600 * 1000 })],
    ['no signature', () => ({ omitSignature: true })],
    ['the wrong key', () => ({ privateKey: generateRsaPem().privateKeyPem })],
    ['a digest left out of what is signed', () => ({ headers: ['(request-target)', 'host', 'date', 'content-type'] })],
    ['a keyId that does not exist', () => ({ keyId: `${peer.actorId('nobody')}#main-key` })],
  ];
  for (const [name, options] of forgeries) {
    test(`401 for ${name}`, async () => {
      const body = like('bob');
      const res = await peer.signedPost('bob', v.sharedInbox, body, options(body));
      assert.equal(res.status, 401, `${name}: ${res.status} ${res.text}`);
      // The reason is logged, never answered: one generic error for all.
      assert.deepEqual(JSON.parse(res.text), { error: "The request's signature could not be verified", code: 'invalid_signature' });
    });
  }

  test('401 for an activity signed by someone other than its actor', async () => {
    const res = await peer.signedPost('bob', v.sharedInbox, like('alice'));
    assert.equal(res.status, 401);
    // Through Fedify as well: bob signs alice's Follow.
    const follow = { '@context': CONTEXT, id: `${peer.actorId('alice')}#follows/forged`, type: 'Follow', actor: peer.actorId('alice'), object: v.actorId(vera.username) };
    assert.equal((await peer.signedPost('bob', v.inbox(vera.username), follow)).status, 401);
    await sleep(300);
    assert.equal(await likes(), 1, 'none of the forgeries counted');
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count, 0);
  });

  test('an embedded note from another origin is not believed', async () => {
    const forged = {
      '@context': CONTEXT, id: `${peer.actorId('alice')}#creates/forged`, type: 'Create', actor: peer.actorId('alice'), to: [PUBLIC],
      object: { id: 'https://elsewhere.example/notes/1', type: 'Note', attributedTo: peer.actorId('alice'), inReplyTo: noteId,
        content: '<p>I came from elsewhere</p>', to: [PUBLIC] },
    };
    assert.equal((await peer.signedPost('alice', v.sharedInbox, forged)).status, 202);
    // Nor a note attributed to someone else.
    const impersonating = {
      '@context': CONTEXT, id: `${peer.actorId('alice')}#creates/impersonating`, type: 'Create', actor: peer.actorId('alice'), to: [PUBLIC],
      object: { id: `${peer.actorId('alice')}/notes/impersonating`, type: 'Note', attributedTo: peer.actorId('bob'), inReplyTo: noteId,
        content: '<p>Bob says so</p>', to: [PUBLIC] },
    };
    assert.equal((await peer.signedPost('alice', v.sharedInbox, impersonating)).status, 202);
    await sleep(300);
    const context = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`));
    assert.deepEqual(context.descendants, []);
  });

  test("a Delete of someone else's post, or of a local one, changes nothing", async () => {
    const del = { '@context': CONTEXT, id: `${peer.actorId('alice')}#deletes/forged`, type: 'Delete', actor: peer.actorId('alice'), to: [PUBLIC],
      object: { id: noteId, type: 'Tombstone' } };
    assert.equal((await peer.signedPost('alice', v.sharedInbox, del)).status, 202);
    assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${post.id}`)).status, 200);
  });

  test("an Update of someone else's comment changes nothing", async () => {
    const noteIdOf = `${peer.actorId('alice')}/notes/own-comment`;
    const create = { '@context': CONTEXT, id: `${noteIdOf}/activity`, type: 'Create', actor: peer.actorId('alice'), to: [PUBLIC],
      object: { id: noteIdOf, type: 'Note', attributedTo: peer.actorId('alice'), inReplyTo: noteId, content: '<p>Mine</p>', to: [PUBLIC] } };
    assert.equal((await peer.signedPost('alice', v.sharedInbox, create)).status, 202);
    let comment;
    await waitFor(async () => {
      comment = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`)).descendants[0];
      return Boolean(comment);
    }, { timeoutMs: 10_000, message: 'the comment arrived' });
    // bob rewrites it, as alice's and as his own: neither is believed.
    for (const attributedTo of [peer.actorId('alice'), peer.actorId('bob')]) {
      const update = { '@context': CONTEXT, id: `${peer.actorId('bob')}#updates/${attributedTo.length}`, type: 'Update', actor: peer.actorId('bob'), to: [PUBLIC],
        object: { id: noteIdOf, type: 'Note', attributedTo, inReplyTo: noteId, content: '<p>Rewritten by bob</p>', to: [PUBLIC] } };
      assert.equal((await peer.signedPost('bob', v.sharedInbox, update)).status, 202);
    }
    await sleep(300);
    assert.match(assertOk(await api(v.server, 'GET', `/api/v1/statuses/${comment.id}`)).content, /Mine/);
  });

  test('an Undo names its own activity: undoing another actor\'s Like is dropped', async () => {
    const undo = { '@context': CONTEXT, id: `${peer.actorId('bob')}#undo/forged`, type: 'Undo', actor: peer.actorId('bob'),
      object: { id: 'x', type: 'Like', actor: peer.actorId('alice'), object: noteId } };
    assert.equal((await peer.signedPost('bob', v.sharedInbox, undo)).status, 202);
    assert.equal(await likes(), 1);
  });

  test('a malformed body is 400, never a 500', async () => {
    for (const body of ['not json', '[]', '{"type": 1, "actor": {"id": 5}}', '{}']) {
      const res = await peer.signedPost('alice', v.sharedInbox, body);
      assert.ok([400, 401, 202].includes(res.status), `${body}: ${res.status}`);
    }
  });
});

describe('outbound requests never reach private addresses unless allowed', () => {
  let v;
  let peer;
  let vera;

  before(async () => {
    v = await startFederatedVantage([], { allowPrivate: false });
    peer = await startPeer({ actors: ['alice'] });
    vera = await registerUser(v.server, 'vera');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test("a peer on a private address is not fetched: its Follow cannot be verified, and nothing is delivered to it", async () => {
    const follow = { '@context': CONTEXT, id: `${peer.actorId('alice')}#follows/1`, type: 'Follow', actor: peer.actorId('alice'), object: v.actorId(vera.username) };
    const res = await peer.signedPost('alice', v.inbox(vera.username), follow);
    assert.equal(res.status, 401);
    assert.equal(peer.requests.filter((r) => r.path?.startsWith('/users/alice')).length, 0, 'no request reached the peer');
    await peer.expectNothing({ type: 'Accept' }, { within: 1500 });
    await waitFor(async () => assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count === 0);
  });
});
