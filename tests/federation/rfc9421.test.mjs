// RFC 9421 HTTP Message Signatures inbound (docs/federation.md,
// "Signatures"): what Mastodon 4.5 and Fedify 1.6 and later send. Fedify
// 1.5 (the peer here, on Node 20) signs only draft-cavage, so the messages
// are built by hand (lib/httpsig.mjs rfc9421Headers) and signed with a peer
// actor's real key, whose actor document Vantage fetches from the peer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk } from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { generateRsaPem, rfc9421Headers, signedRequest } from './lib/httpsig.mjs';
import { CONTEXT, startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

describe('RFC 9421 signatures', () => {
  let v;
  let peer;
  let post;
  let n = 0;
  const likes = async () => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}`)).favourites_count;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({ actors: ['alice', 'bob'] });
    const vera = await registerUser(v.server, 'vera');
    post = await postPhoto(v.server, vera, { status: 'Signed the new way' });
    post.noteId = v.statusId(vera.username, post.id);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  // Sends a Like by `as` to the shared inbox, signed per RFC 9421 with
  // `opts` (and no draft-cavage Signature).
  async function send(as, opts = {}, { alterBody, url = v.sharedInbox } = {}) {
    const body = JSON.stringify({
      '@context': CONTEXT, id: `${peer.actorId(as)}#likes/9421-${++n}`, type: 'Like', actor: peer.actorId(as), object: post.noteId,
    });
    const headers = rfc9421Headers('POST', opts.signedUrl ?? url, body, { ...peer.signer(as), ...opts });
    return signedRequest('POST', url, {
      body: alterBody ? alterBody(body) : body, digest: null, signatureHeader: headers.Signature,
      extraHeaders: { 'Signature-Input': headers['Signature-Input'], 'Content-Digest': headers['Content-Digest'] },
    });
  }

  test('a Like signed as Mastodon signs it is verified and counted', async () => {
    const res = await send('alice');
    assert.equal(res.status, 202, res.text);
    assert.equal(await likes(), 1);
  });

  test('with alg, more components, another label and a SHA-512 digest too', async () => {
    const res = await send('bob', {
      alg: 'rsa-v1_5-sha256', label: 'fedify', digestAlgorithm: 'sha-512',
      components: ['@method', '@target-uri', '@authority', 'content-digest'],
    });
    assert.equal(res.status, 202, res.text);
    assert.equal(await likes(), 2);
  });

  const forgeries = [
    ['a body altered after signing', {}, { alterBody: (b) => b.replace('Like', 'Like ') }],
    ['content-digest not covered', { components: ['@method', '@target-uri'] }, {}],
    ['@target-uri not covered', { components: ['@method', 'content-digest'] }, {}],
    ['created two hours ago', { created: Math.floor(Date.now() / 1000) - 7200 }, {}],
    ['the wrong key', { privateKey: generateRsaPem().privateKeyPem }, {}],
    ['another alg', { alg: 'ed25519' }, {}],
    ['signed for another URL', { signedUrl: 'https://elsewhere.example/inbox' }, {}],
  ];
  for (const [name, opts, extra] of forgeries) {
    test(`401 for ${name}`, async () => {
      const res = await send('alice', opts, extra);
      assert.equal(res.status, 401, `${name}: ${res.status} ${res.text}`);
      assert.equal(JSON.parse(res.text).code, 'invalid_signature');
    });
  }

  test('a Signature-Input that does not parse is 401, never 500', async () => {
    for (const input of ['sig1=', 'sig1=("@method" ', '=x', 'sig1=("@method");created=abc;keyid="x"', 'sig2=("@method");created=1;keyid="x"']) {
      const res = await signedRequest('POST', v.sharedInbox, {
        body: '{}', digest: null, signatureHeader: 'sig1=:AAAA:', extraHeaders: { 'Signature-Input': input },
      });
      assert.equal(res.status, 401, `${input}: ${res.status}`);
    }
    assert.equal(await likes(), 2);
  });
});
