// The federation test harness checked against itself, with no Vantage: two
// Fedify peers on loopback, one plain http (A) and one behind the test TLS
// proxy (B, https ids, the way Vantage runs in the federation tests). A
// finds B by URL and by acct:, follows it and gets a signed Accept, sends a
// three-photo Create(Note), sends every other kind of activity the helpers
// make, and hand-made forgeries are refused by B's Fedify inbox while a
// correct hand-signed request is taken. Also lib/lookup.mjs (the stand-in for
// `fedify lookup`) as a CLI.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateRsaPem, signedGet, signedPost, verifySignature } from './lib/httpsig.mjs';
import { lookup } from './lib/lookup.mjs';
import { CONTEXT, PUBLIC_FORMS, startPeer } from './lib/peer.mjs';
import { testCertificate } from './lib/tls.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AP = { accept: 'application/activity+json' };

const IMAGES = [
  { url: 'https://media.example/1.jpg', name: 'A red kite over the ridge', width: 1080, height: 720, blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj', focalPoint: [0.1, -0.3] },
  { url: 'https://media.example/2.jpg', name: 'Second: the valley at dusk', width: 1080, height: 1350, blurhash: 'LKO2?U%2Tw=w]~RBVZRi};RPxuwH', focalPoint: [0, 0] },
  { url: 'https://media.example/3.png', mediaType: 'image/png', name: 'Third, a map', width: 800, height: 800, blurhash: 'L6PZfSi_.AyE_3t7t7R**0o#DgR4', focalPoint: [-0.5, 0.5] },
];

function runLookupCli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(HERE, 'lib', 'lookup.mjs'), ...args], { env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('Fedify test peer (no Vantage)', () => {
  let A; // http://127.0.0.1:<port>, alice and bob
  let B; // https://127.0.0.1:<proxy port>, carol and dave, auto-accepting

  before(async () => {
    [A, B] = await Promise.all([
      startPeer({ actors: ['alice', 'bob'] }),
      startPeer({ actors: ['carol', 'dave'], https: true, autoAccept: true }),
    ]);
  });

  after(async () => {
    await Promise.all([A?.stop(), B?.stop()]);
  });

  test('actor documents keep publicKey (security context) and use #main-key', async () => {
    const res = await fetch(B.actorId('carol'), { headers: AP });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/activity\+json/);
    const doc = await res.json();
    assert.ok(doc['@context'].includes('https://w3id.org/security/v1'), JSON.stringify(doc['@context']));
    assert.equal(doc.id, B.actorId('carol'));
    assert.equal(doc.type, 'Person');
    assert.equal(doc.preferredUsername, 'carol');
    assert.equal(doc.inbox, B.inbox('carol'));
    assert.equal(doc.endpoints?.sharedInbox, B.sharedInbox());
    assert.equal(doc.publicKey.id, B.keyId('carol'));
    assert.equal(doc.publicKey.owner, B.actorId('carol'));
    const key = crypto.createPublicKey(doc.publicKey.publicKeyPem);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails.modulusLength, 4096);
    assert.equal(doc.publicKey.publicKeyPem, B.keys('carol').publicKeyPem);
    assert.ok(B.origin.startsWith('https://127.0.0.1:'), B.origin);
  });

  test('looks a peer up by URL, and by acct: over https', async () => {
    const byUrl = await A.lookup(B.actorId('carol'));
    assert.equal(byUrl?.constructor.name, 'Person');
    assert.equal(byUrl.id.href, B.actorId('carol'));
    const keys = [];
    for await (const k of byUrl.getPublicKeys()) keys.push(k.id.href);
    assert.deepEqual(keys, [B.keyId('carol')]);

    const byAcct = await A.lookup(B.acct('dave'));
    assert.equal(byAcct?.id?.href, B.actorId('dave'));
    const byHandle = await A.lookup(`@dave@${B.host}`);
    assert.equal(byHandle?.id?.href, B.actorId('dave'));

    // The http peer can be found by URL only: Fedify's WebFinger is https-only.
    assert.equal((await B.lookup(A.actorId('alice')))?.id?.href, A.actorId('alice'));
    assert.equal(await B.lookup(A.acct('alice')), null);
  });

  test('follows and receives a signed Accept with the Follow embedded', async () => {
    const followId = await A.follow('alice', B.actorId('carol'));
    assert.ok(followId.startsWith(`${A.actorId('alice')}/follows/`), followId);

    const follow = await B.waitFor({ type: 'Follow', id: followId });
    assert.equal(follow.actor, A.actorId('alice'));
    assert.equal(follow.objectId, B.actorId('carol'));
    assert.equal(follow.recipient, 'carol', 'delivered to the personal inbox');
    assert.equal(follow.signature.keyId, A.keyId('alice'));
    for (const h of ['(request-target)', 'host', 'date', 'digest']) assert.ok(follow.signature.headers.includes(h), h);

    const accept = await A.waitFor({ type: 'Accept', actor: B.actorId('carol') });
    assert.equal(accept.objectId, followId);
    assert.equal(accept.raw.object.id, followId, 'the Follow is embedded in the Accept as sent');
    assert.equal(accept.object.type, 'Follow');
    assert.equal(accept.signature.keyId, B.keyId('carol'));
    assert.ok(B.actorState('carol').followers.has(A.actorId('alice')));

    // The Follow can be fetched by its id.
    const res = await fetch(followId, { headers: AP });
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.id, followId);
    assert.equal(doc.type, 'Follow');
    assert.equal(doc.object, B.actorId('carol'));
  });

  test('a three-photo Create(Note) arrives with its attachments in order', async () => {
    const noteId = await A.post('bob', {
      deliverTo: B.actorId('carol'),
      content: '<p>Three photos</p>',
      attachments: IMAGES,
      sensitive: false,
    });
    const create = await B.waitFor((r) => r.type === 'Create' && r.objectId === noteId);
    assert.equal(create.actor, A.actorId('bob'));
    const note = create.object;
    assert.equal(note.type, 'Note');
    assert.equal(note.content, '<p>Three photos</p>');
    assert.ok(PUBLIC_FORMS.has(note.to), `to: ${JSON.stringify(note.to)}`);
    assert.equal(note.attachment.length, 3);
    note.attachment.forEach((att, i) => {
      assert.equal(att.type, 'Image');
      assert.equal(att.url, IMAGES[i].url);
      assert.equal(att.name, IMAGES[i].name);
      assert.equal(att.mediaType, IMAGES[i].mediaType ?? 'image/jpeg');
      assert.equal(att.width, IMAGES[i].width);
      assert.equal(att.height, IMAGES[i].height);
      // Fedify 1.5's vocabulary has no blurhash/focalPoint: it drops them,
      // both when it sends and in the parsed form it gives a listener.
      assert.equal(create.raw.object.attachment[i].blurhash, undefined);
    });
    // Fedify also signs the body (Linked Data signature) when it sends.
    assert.equal(create.raw.signature?.type, 'RsaSignature2017');

    // The note can be fetched by its id (and looked up by Fedify).
    const fetched = await B.lookup(noteId);
    assert.equal(fetched?.constructor.name, 'Note');
    assert.equal(fetched.attributionId.href, A.actorId('bob'));

    // {raw: true} sends the JSON as built, Mastodon's extensions included,
    // signed by hand with the same actor key.
    const rawId = await A.post('bob', { deliverTo: B.actorId('carol'), content: '<p>raw</p>', attachments: IMAGES, raw: true });
    const rawCreate = await B.waitFor((r) => r.type === 'Create' && r.objectId === rawId);
    assert.deepEqual(rawCreate.raw.object.attachment.map((a) => [a.name, a.blurhash, a.focalPoint]),
      IMAGES.map((a) => [a.name, a.blurhash, a.focalPoint]));
    assert.equal(rawCreate.signature.headers.join(' '), '(request-target) host date digest content-type');
  });

  test('every other activity the helpers make is delivered and recorded', async () => {
    // B's carol posts a note to A's alice; A answers it in every way.
    const carolNote = await B.post('carol', { deliverTo: A.actorId('alice'), content: '<p>from carol</p>' });
    await A.waitFor((r) => r.type === 'Create' && r.objectId === carolNote);

    // Recipients default to the author of the object (looked up by Fedify).
    const likeId = await A.like('alice', carolNote);
    const replyId = await A.reply('alice', carolNote, '<p>nice</p>', { mentions: [{ href: B.actorId('carol'), name: `@carol@${B.host}` }] });
    const announceId = await A.announce('bob', carolNote);
    const updateId = await A.updateNote('alice', replyId, { content: '<p>nice, edited</p>' });
    const undoLikeId = await A.undoLike('alice', likeId);
    const deleteId = await A.deleteNote('alice', replyId);
    const blockId = await A.block('bob', B.actorId('dave'));
    const flagId = await A.flag('alice', { objects: [B.actorId('carol'), carolNote], content: 'spam' });
    const undoFollowId = await A.undoFollow('alice', (await A.waitFor({ type: 'Accept' })).objectId);
    const updateActorId = await A.updateActor('bob', { displayName: 'Bob, renamed' }, { to: B.actorId('carol') });

    const got = async (type, id) => B.waitFor({ type, id });
    assert.equal((await got('Like', likeId)).objectId, carolNote);
    const reply = await got('Create', `${replyId}/activity`);
    assert.equal(reply.raw.object.inReplyTo, carolNote);
    assert.equal(reply.object.tag.type, 'Mention');
    assert.equal((await got('Announce', announceId)).objectId, carolNote);
    const update = await got('Update', updateId);
    assert.equal(update.object.content, '<p>nice, edited</p>');
    assert.ok(update.object.updated);
    assert.equal((await got('Undo', undoLikeId)).raw.object.id, likeId);
    const del = await got('Delete', deleteId);
    assert.equal(del.objectId, replyId);
    assert.equal((await fetch(replyId, { headers: AP })).status, 410, 'a deleted note is gone');
    assert.equal((await got('Block', blockId)).objectId, B.actorId('dave'));
    assert.deepEqual((await got('Flag', flagId)).raw.object, [B.actorId('carol'), carolNote]);
    await got('Undo', undoFollowId);
    assert.ok(!B.actorState('carol').followers.has(A.actorId('alice')), 'Undo(Follow) removes the follower');
    const upd = await got('Update', updateActorId);
    assert.equal(upd.object.type, 'Person');
    assert.equal(upd.object.name, 'Bob, renamed');
    assert.equal(upd.object.publicKey.id, A.keyId('bob'));

    // Delete(actor): the actor answers 410 afterwards.
    await A.addActor('zed');
    const deleteActorId = await A.deleteActor('zed', { to: B.actorId('carol') });
    const dz = await got('Delete', deleteActorId);
    assert.equal(dz.actor, A.actorId('zed'));
    assert.equal(dz.objectId, A.actorId('zed'));
    assert.equal((await fetch(A.actorId('zed'), { headers: AP })).status, 410);
    assert.deepEqual(B.errors, []);
  });

  test('a delivery that is not answered 2xx rejects', async () => {
    await assert.rejects(
      A.like('alice', 'https://nowhere.example/1', { inbox: `${B.origin}/users/nobody/inbox` }),
      /\(404 Not Found\)/);
  });

  describe('hand-signed requests to a Fedify inbox', () => {
    const activity = (actor, extra = {}) => ({
      '@context': CONTEXT,
      id: `${A.actorId(actor)}/activities/${crypto.randomUUID()}`,
      type: 'Like',
      actor: A.actorId(actor),
      object: `${B.actorId('carol')}/notes/x`,
      ...extra,
    });
    const forged = [];
    const post = (inbox, body, opts) => signedPost(inbox, body, opts);

    test('a correct signature is accepted (202), on the personal and the shared inbox', async () => {
      for (const inbox of [B.inbox('carol'), B.sharedInbox()]) {
        const body = activity('alice');
        const res = await post(inbox, body, A.signer('alice'));
        assert.equal(res.status, 202, `${inbox}: ${res.status} ${res.text}`);
        const got = await B.waitFor({ id: body.id });
        assert.equal(got.recipient, inbox === B.sharedInbox() ? null : 'carol');
        // The request as received carries what was signed, and verifies.
        const check = verifySignature({ method: 'POST', path: new URL(inbox).pathname, headers: got.rawHeaders }, A.keys('alice').publicKeyPem);
        assert.ok(check.ok, check.signingString);
      }
    });

    const cases = [
      ['a body altered after signing', () => ({ ...A.signer('alice'), alterBodyAfterSigning: (b) => ({ ...b, object: `${b.object}-other` }) })],
      ['a Date two hours old', () => ({ ...A.signer('alice'), dateOffsetMs: -2 * 3600_000 })],
      ['a Date two hours ahead', () => ({ ...A.signer('alice'), dateOffsetMs: 2 * 3600_000 })],
      ['no Signature header', () => ({ omitSignature: true })],
      ['the wrong key under the actor\'s keyId', () => ({ keyId: A.keyId('alice'), privateKey: generateRsaPem().privateKeyPem })],
      ['a signer who is not the actor', () => A.signer('bob')],
      ['a digest left out of the signature', () => ({ ...A.signer('alice'), headers: ['(request-target)', 'host', 'date'] })],
      ['a Digest that does not match', () => ({ ...A.signer('alice'), digest: `SHA-256=${crypto.createHash('sha256').update('x').digest('base64')}` })],
      ['a damaged signature', () => ({ ...A.signer('alice'), tamperSignature: true })],
      ['a keyId that does not exist', () => ({ keyId: `${A.actorId('nobody')}#main-key`, privateKey: A.keys('alice').privateKeyPem })],
    ];
    for (const [name, opts] of cases) {
      test(`refused with 401: ${name}`, async () => {
        const body = activity('alice');
        forged.push(body.id);
        const res = await post(B.inbox('carol'), body, opts());
        assert.equal(res.status, 401, `${res.status} ${res.text}`);
      });
    }

    test('no forged activity reached a listener', async () => {
      assert.equal(forged.length, cases.length);
      assert.deepEqual(B.received.filter((r) => forged.includes(r.id)).map((r) => r.id), []);
      // And nothing else arrives meanwhile.
      await B.expectNothing(() => true, { within: 200 });
    });

    test('a key that could not be fetched once is fetched again later (no lasting negative cache)', async () => {
      const keyId = `${A.actorId('erin')}#main-key`;
      const first = await post(B.inbox('carol'), activity('alice', { actor: A.actorId('erin') }), { keyId, privateKey: A.keys('alice').privateKeyPem });
      assert.equal(first.status, 401);
      await A.addActor('erin');
      const body = activity('erin');
      const second = await post(B.inbox('carol'), body, A.signer('erin'));
      assert.equal(second.status, 202, second.text);
    });

    test('a rotated key is refetched when the cached one fails', async () => {
      await A.rotateKey('alice');
      for (const inbox of [B.inbox('carol'), B.sharedInbox()]) {
        const res = await post(inbox, activity('alice'), A.signer('alice'));
        assert.equal(res.status, 202, `${inbox}: ${res.text}`);
      }
      // And through Fedify's own sender.
      const id = await A.like('alice', `${B.actorId('carol')}/notes/y`, { to: B.actorId('carol') });
      await B.waitFor({ id });
    });

    test('signed GETs reach the peer as sent', async () => {
      const res = await signedGet(B.actorId('carol'), A.signer('bob'));
      assert.equal(res.status, 200);
      assert.equal(res.json.id, B.actorId('carol'));
      const seen = await B.waitForRequest((r) => r.method === 'GET' && r.headers.signature?.includes(A.keyId('bob')));
      assert.ok(verifySignature({ method: 'GET', path: seen.path, headers: seen.rawHeaders }, A.keys('bob').publicKeyPem).ok);
    });
  });

  describe('lib/lookup.mjs (instead of `fedify lookup`)', () => {
    test('as a function', async () => {
      const found = await lookup(B.actorId('dave'));
      assert.equal(found.type, 'Person');
      assert.equal(found.json.publicKey.id, B.keyId('dave'));
      await assert.rejects(lookup(`${B.origin}/users/nobody`), /not found/);
    });

    test('as a CLI: exit 0 with the object, 1 when it fails', async () => {
      const ok = await runLookupCli(['--ca', testCertificate().certFile, B.acct('carol')]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /^Person https:/);
      assert.equal(JSON.parse(ok.stdout).id, B.actorId('carol'));
      const viaEnv = await runLookupCli([B.actorId('carol')], { VANTAGE_FEDERATION_CA: testCertificate().certFile });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      const untrusted = await runLookupCli([B.actorId('carol')], { VANTAGE_FEDERATION_CA: '' });
      assert.equal(untrusted.code, 1, 'an untrusted certificate fails');
      const missing = await runLookupCli([`${A.origin}/users/nobody`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /not found/);
    });
  });
});
