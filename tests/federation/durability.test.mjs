// The delivery queue survives kill -9 (docs/federation.md, "Delivery"): a
// delivery that failed and waits for its retry is in the database, not in
// the process; after the server is killed and started again on the same
// data, the retry happens and the follower gets the post, once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sleep, startServer } from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

describe('the delivery queue across kill -9', () => {
  let v;
  let peer;
  let restarted;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({ actors: ['alice'] });
  });

  after(async () => {
    await restarted?.stop();
    await peer?.stop();
    await v?.proxy?.stop();
  });

  test('a delivery waiting for its retry is made after the server is killed and started again', async () => {
    const vera = await registerUser(v.server, 'vera');
    await peer.follow('alice', v.actorId(vera.username));
    await peer.waitFor({ type: 'Accept' }, { timeout: 15_000 });

    // The follower's server fails for a while: the first attempt is answered 503.
    const fetchOriginal = peer.federation.fetch.bind(peer.federation);
    let refused = 0;
    peer.federation.fetch = async (request, options) => {
      if (request.method === 'POST') {
        refused += 1;
        return new Response('busy', { status: 503 });
      }
      return fetchOriginal(request, options);
    };
    const post = await postPhoto(v.server, vera, { status: 'Delivered after a crash' });
    const noteId = v.statusId(vera.username, post.id);
    const deadline = Date.now() + 15_000;
    while (refused === 0 && Date.now() < deadline) await sleep(50);
    assert.ok(refused > 0, 'the first attempt reached the failing server');

    // kill -9 while the delivery waits for its retry (16 s or more away).
    v.server.child.kill('SIGKILL');
    await v.server.exited;
    peer.federation.fetch = fetchOriginal;
    assert.ok(!peer.received.some((r) => r.type === 'Create' && r.objectId === noteId));

    // The same data, the same public URL (the TLS proxy stays).
    restarted = await startServer(['--public-url', v.origin, '--federation-allow-private'], { dataArgs: v.server.dataArgs });
    v.proxy.setTarget(restarted.url);
    const create = await peer.waitFor({ type: 'Create', objectId: noteId }, { timeout: 60_000 });
    assert.equal(create.actor, v.actorId(vera.username));
    await sleep(500);
    assert.equal(peer.received.filter((r) => r.type === 'Create' && r.objectId === noteId).length, 1, 'delivered once');
  });
});
