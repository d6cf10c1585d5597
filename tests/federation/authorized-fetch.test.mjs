// Authorized fetch (Mastodon's secure mode, --federation-authorized-fetch;
// docs/federation.md): notes and collections are served only to signed
// requests whose signature verifies, a blocked server is refused even what
// is public, and actors stay readable (their keys are how signatures are
// checked). Against a Fedify peer signing and not signing, and Vantage's
// own signed fetches of it. Run on both engines.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, runCli } from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { signedGet } from './lib/httpsig.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const AP = { accept: 'application/activity+json' };

describe('authorized fetch', () => {
  let v;
  let peer;     // signs as alice
  let blocked;  // another server, on "localhost", suspended
  let vera;
  let post;

  before(async () => {
    v = await startFederatedVantage(['--federation-authorized-fetch']);
    [peer, blocked] = await Promise.all([
      startPeer({ actors: ['alice'], https: true }),
      startPeer({ actors: ['mallory'], host: 'localhost' }),
    ]);
    vera = await registerUser(v.server, 'vera');
    post = await postPhoto(v.server, vera, { status: 'Public, but not to strangers' });
    const cli = await runCli(['admin', 'domain-block', 'localhost', '--severity', 'suspend', ...v.server.dataArgs]);
    assert.equal(cli.code, 0, cli.stderr);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
    await blocked?.stop();
  });

  const noteUrl = () => v.statusId(vera.username, post.id);
  const documents = () => [
    noteUrl(),
    `${v.origin}/@${vera.username}/${post.id}`,
    `${v.actorId(vera.username)}/outbox?page=1`,
    `${v.actorId(vera.username)}/outbox`,
    `${v.actorId(vera.username)}/followers`,
    `${v.actorId(vera.username)}/following`,
    `${v.actorId(vera.username)}/collections/featured`,
  ];

  test('unsigned requests get 401 for notes and collections, actors and discovery stay open', async () => {
    for (const url of documents()) {
      const res = await fetch(url, { headers: AP });
      assert.equal(res.status, 401, url);
      assert.equal((await res.json()).code, 'signature_required', url);
    }
    for (const url of [v.actorId(vera.username), v.instanceActor, v.webfinger(vera.username), `${v.origin}/.well-known/nodeinfo`]) {
      assert.equal((await fetch(url, { headers: AP })).status, 200, url);
    }
    // The API and the web pages are not ActivityPub: unchanged.
    assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${post.id}`)).status, 200);
  });

  test('a signature that does not verify is 401', async () => {
    const res = await signedGet(noteUrl(), { ...peer.signer('alice'), tamperSignature: true, extraHeaders: AP });
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 'invalid_signature');
  });

  test('a signed fetch by the peer is served, through Fedify\'s own signed lookup too', async () => {
    for (const url of documents()) {
      const res = await signedGet(url, { ...peer.signer('alice'), extraHeaders: AP });
      assert.equal(res.status, 200, `${url}: ${res.text}`);
    }
    const note = await peer.lookup(noteUrl(), { as: 'alice' });
    assert.equal(note?.id?.href, noteUrl());
    assert.equal(await peer.lookup(noteUrl()), null, 'Fedify\'s unsigned lookup gets nothing');
  });

  test('a blocked server is refused even a public post', async () => {
    const res = await signedGet(noteUrl(), { ...blocked.signer('mallory'), extraHeaders: AP });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'domain_blocked');
    assert.ok(!blocked.requests.some((r) => r.path.startsWith('/users/mallory')), 'its key was not even fetched');
  });

  test('Vantage\'s own fetches are signed, so it still finds accounts on secure servers', async () => {
    const found = assertOk(await api(v.server, 'GET', `/api/v2/search?q=${encodeURIComponent(`@alice@${peer.host}`)}&resolve=true`, { token: vera.token }));
    assert.equal(found.accounts[0]?.acct, `alice@${peer.host}`);
    const fetched = peer.requests.find((r) => r.method === 'GET' && r.path === '/users/alice');
    assert.match(fetched.headers.signature ?? '', /keyId="[^"]+\/actor#main-key"/);
  });
});
