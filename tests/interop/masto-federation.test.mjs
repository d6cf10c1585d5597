// masto.js (the library under Elk and Phanpy) following an account on another
// server: a real Fedify peer behind TLS (tests/federation/lib), with Vantage
// started by the federation harness (its TLS proxy, --federation-allow-private,
// --federation-ca-file). Through masto's own methods, a user resolves
// `@name@host` by v2 search with resolve, looks it up, follows it (requested
// until the peer's Accept, then following), and reads the peer's post with a
// photo in the home timeline, the photo served from Vantage's origin.
//
// masto talks to the API at the plain-http address (v.server.url); the peer and
// Vantage's public origin are https. The federation helpers resolve Fedify from
// tests/federation/node_modules (`make federation-deps`).
//
// The scenario runs once per way of building home timelines (FEED_MODES). Its
// steps run in order and share state; a failed step makes the later ones fail too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRestAPIClient } from 'masto';
import { noiseJpeg, registerUser } from '../api/lib/photos.mjs';
import { startPeer } from '../federation/lib/peer.mjs';
import { startFederatedVantage } from '../federation/lib/vantage.mjs';
import { FEED_MODES, api, assertEntity, waitFor } from './lib/scenario.mjs';

const PHOTO = { path: '/media/harbour.jpg', width: 64, height: 48, name: 'The harbour at dawn' };

for (const mode of FEED_MODES) {
  describe(`masto@7.12.0 and a Fedify peer, ${mode.name}`, () => {
    let v;        // Vantage behind its TLS proxy
    let peer;     // the Fedify peer: pia accepts follows at once
    let user;     // the Vantage user (registered through the API: token, username, id)
    let client;   // masto client with the user's token
    let handle;   // pia's acct as Vantage writes it: pia@<peer host>
    let pia;      // pia's Account as the user sees it
    let photoUrl; // where the peer serves the photo of its post
    let noteId;   // the peer's post

    before(async () => {
      v = await startFederatedVantage(mode.flags);
      peer = await startPeer({ https: true, autoAccept: true, actors: [{ name: 'pia', displayName: 'Pia on the peer' }] });
      user = await registerUser(v.server, 'masto_fed');
      client = createRestAPIClient({ url: v.server.url, accessToken: user.token });
      handle = `pia@${peer.host}`;
      photoUrl = peer.serveFile(PHOTO.path, { body: await noiseJpeg(PHOTO.width, PHOTO.height) });
    });
    after(async () => {
      await v?.stop();
      await peer?.stop();
    });

    test('resolves @name@host of the peer through v2 search with resolve, then looks it up', async () => {
      const unresolved = await client.v2.search.list({ q: `@${handle}`, resolve: false });
      assert.deepEqual(unresolved.accounts, [], 'nothing is known before it is resolved');

      const found = await client.v2.search.list({ q: `@${handle}`, resolve: true, type: 'accounts' });
      assert.equal(found.accounts.length, 1, JSON.stringify(found.accounts));
      pia = found.accounts[0];
      assert.match(pia.id, /^\d+$/);
      assert.equal(pia.username, 'pia');
      assert.equal(pia.acct, handle);
      assert.equal(pia.url, peer.actorId('pia'));
      assert.equal(pia.displayName, 'Pia on the peer');
      assert.equal(pia.locked, false);
      // WebFinger on the peer, then its actor document.
      assert.ok(peer.requests.some((r) => r.path.startsWith('/.well-known/webfinger?resource=acct%3Apia%40')));
      assert.ok(peer.requests.some((r) => r.method === 'GET' && r.path === '/users/pia'));

      const looked = await client.v1.accounts.lookup({ acct: handle });
      assert.equal(looked.id, pia.id);
      assert.equal(looked.acct, handle);
      const [relationship] = await client.v1.accounts.relationships.fetch({ id: [pia.id] });
      assert.equal(relationship.following, false);
      assert.equal(relationship.requested, false);
    });

    test("follows it: requested until the peer's Accept, then following", async () => {
      const asked = await client.v1.accounts.$select(pia.id).follow();
      assert.equal(asked.id, pia.id);
      assert.equal(asked.requested, true, 'a remote follow waits for the Accept');
      assert.equal(asked.following, false);

      const follow = await peer.waitFor({ type: 'Follow', actor: v.actorId(user.username) }, { timeout: 15_000 });
      assert.equal(follow.objectId, peer.actorId('pia'));

      await waitFor(async () => {
        const [relationship] = await client.v1.accounts.relationships.fetch({ id: [pia.id] });
        return relationship.following;
      }, { timeoutMs: 15_000, message: "the peer's Accept" });
      const [relationship] = await client.v1.accounts.relationships.fetch({ id: [pia.id] });
      assert.equal(relationship.id, pia.id);
      assert.equal(relationship.following, true);
      assert.equal(relationship.requested, false);
      assert.equal((await client.v1.accounts.verifyCredentials()).followingCount, 1);
    });

    test("reads the peer's post with its photo in the home timeline, the photo on Vantage's origin", async () => {
      noteId = await peer.post('pia', {
        content: '<p>Morning at the harbour</p>',
        attachments: [{ url: photoUrl, name: PHOTO.name, width: PHOTO.width, height: PHOTO.height }],
        deliverTo: v.actorId(user.username),
      });

      // The photo is fetched from the peer and run through the media pipeline
      // before the attachment has a URL of Vantage's.
      const ready = (s) => s.uri === noteId && s.mediaAttachments.length === 1
        && typeof s.mediaAttachments[0].url === 'string' && s.mediaAttachments[0].url.startsWith(`${v.origin}/media/`)
        && !s.mediaAttachments[0].url.includes('/media/remote/');
      let post;
      await waitFor(async () => {
        post = (await client.v1.timelines.home.list({ limit: 20 })).find(ready);
        return post;
      }, { timeoutMs: 20_000, message: "the peer's post, its photo processed, in the home timeline" });

      assert.match(post.id, /^\d+$/);
      assert.equal(post.url, noteId);
      assert.equal(post.account.id, pia.id);
      assert.equal(post.account.acct, handle);
      assert.equal(post.content, '<p>Morning at the harbour</p>');
      assert.equal(post.visibility, 'public');
      const [photo] = post.mediaAttachments;
      assert.equal(photo.type, 'image');
      assert.equal(photo.description, PHOTO.name);
      assert.equal(photo.remoteUrl, null, "the peer's own URL is not given to clients");
      assert.equal(photo.meta.original.width, PHOTO.width);
      assert.equal(photo.meta.original.height, PHOTO.height);
      for (const url of [photo.url, photo.previewUrl]) {
        assert.ok(url.startsWith(`${v.origin}/media/`), `${url} is on Vantage's origin ${v.origin}`);
        const file = await fetch(url);
        assert.equal(file.status, 200, url);
        assert.match(file.headers.get('content-type') ?? '', /^image\//);
        assert.ok((await file.arrayBuffer()).byteLength > 0);
      }
      assert.equal(peer.requests.filter((r) => r.path === PHOTO.path).length, 1, 'the photo was fetched from the peer once');

      // The same status by id, and as raw JSON with every field of Mastodon 4.2's.
      assert.equal((await client.v1.statuses.$select(post.id).fetch()).uri, noteId);
      const res = await api(v.server, 'GET', '/api/v1/timelines/home?limit=20', { token: user.token });
      assert.equal(res.status, 200);
      assertEntity('status', res.json.find((s) => s.id === post.id), 'the remote status');
    });
  });
}
