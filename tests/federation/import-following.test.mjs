// Importing the accounts one followed elsewhere (docs/account-security.md,
// "Data rights") when they live on other servers: a following_accounts.csv
// naming accounts on a real Fedify peer behind TLS. Each address is resolved
// through WebFinger and followed as a remote follow is (docs/federation.md,
// "Following remote accounts", and tests/federation/following.test.mjs):
// the peer receives the Follow, the relationship is requested until its
// Accept (a locked account answers by hand); an unknown name is not_found
// and a server that does not answer is unavailable, without failing the
// rest of the list. Run on both engines.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, waitFor } from '../api/lib/server.mjs';
import { registerUser } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const HEADER = 'Account address,Show boosts,Notify on new posts,Languages';
const DEADLINE_MS = 12_500;  // the federation client's 10 s deadline, and some slack

// A port nothing listens on.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A server that takes connections and never says a word.
async function silentServer() {
  const sockets = new Set();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${server.address().port}`,
    get accepted() { return accepted; },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('importing a following_accounts.csv that names remote accounts', () => {
  let v;
  let peer;   // pia accepts at once; quinn is locked and answers by hand; rex accepts at once
  let silent;
  let vera;
  let lena;
  let otto;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({
      https: true,
      autoAccept: ['pia', 'rex'],
      actors: ['pia', { name: 'quinn', manuallyApprovesFollowers: true }, 'rex'],
    });
    silent = await silentServer();
    vera = await registerUser(v.server, 'vera');
    lena = await registerUser(v.server, 'lena');
    otto = await registerUser(v.server, 'otto');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
    await silent?.stop();
  });

  const importText = (user, data, opts = {}) => api(v.server, 'POST', '/api/vantage/v1/import',
    { token: user.token, json: { type: 'following', data }, timeoutMs: 60_000, ...opts });

  function importFile(user, text) {
    const form = new FormData();
    form.append('type', 'following');
    form.append('data', new Blob([text], { type: 'text/csv' }), 'following_accounts.csv');
    return api(v.server, 'POST', '/api/vantage/v1/import', { token: user.token, body: form, timeoutMs: 60_000 });
  }

  async function relationship(user, id) {
    return assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${id}`, { token: user.token }))[0];
  }

  async function lookup(name) {
    return assertOk(await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`${name}@${peer.host}`)}`));
  }

  async function following(user) {
    return assertOk(await api(v.server, 'GET', `/api/v1/accounts/${user.id}/following`, { token: user.token }));
  }

  let pia;
  let quinn;
  let quinnFollow;
  test('Mastodon\'s export naming peer accounts: resolved through WebFinger, followed as a remote follow is; the unknown and the unreachable are reported', async () => {
    const port = await closedPort();
    const csv = [
      HEADER,
      `pia@${peer.host},true,false,`,
      `ghost@127.0.0.1:${port},true,false,`,
      `@quinn@${peer.host},true,false,`,
      `nobody@${peer.host},true,false,`,
      `${lena.username}@${v.host},true,false,`,
      '',
    ].join('\r\n');
    const res = await importText(vera, csv);
    const report = assertOk(res);
    assert.equal(report.followed, 3, `pia, quinn (asked) and lena: ${res.text}`);
    assert.deepEqual(report.problems.map((p) => p.reason), ['unavailable', 'not_found'], res.text);
    assert.ok(report.problems[0].address.includes(`ghost@127.0.0.1:${port}`), res.text);
    assert.ok(report.problems[1].address.includes(`nobody@${peer.host}`), res.text);

    // Resolved through WebFinger on the peer.
    for (const name of ['pia', 'quinn', 'nobody']) {
      assert.ok(peer.requests.some((r) => r.path.startsWith(`/.well-known/webfinger?resource=acct%3A${name}%40`)),
        `WebFinger asked for ${name}`);
    }
    pia = await lookup('pia');
    quinn = await lookup('quinn');
    assert.equal(pia.url, peer.actorId('pia'));
    assert.equal(quinn.locked, true);

    // The peer receives the Follows, signed by vera.
    const toPia = await peer.waitFor({ type: 'Follow', actor: v.actorId(vera.username), objectId: peer.actorId('pia') }, { timeout: 15_000 });
    assert.equal(toPia.signature.keyId, v.keyId(vera.username));
    quinnFollow = await peer.waitFor({ type: 'Follow', actor: v.actorId(vera.username), objectId: peer.actorId('quinn') }, { timeout: 15_000 });

    // pia accepts at once; quinn's stays a request until she answers.
    await waitFor(async () => (await relationship(vera, pia.id)).following, { timeoutMs: 15_000, message: 'pia\'s Accept' });
    assert.equal((await relationship(vera, pia.id)).requested, false);
    const asked = await relationship(vera, quinn.id);
    assert.equal(asked.requested, true, JSON.stringify(asked));
    assert.equal(asked.following, false, JSON.stringify(asked));
    await peer.acceptFollow('quinn', quinnFollow);
    await waitFor(async () => (await relationship(vera, quinn.id)).following, { timeoutMs: 15_000, message: 'quinn\'s Accept' });

    // The local address on this server's own domain is followed at once.
    assert.equal((await relationship(vera, lena.id)).following, true);
    const notes = assertOk(await api(v.server, 'GET', '/api/v1/notifications', { token: lena.token }));
    assert.deepEqual(notes.map((n) => `${n.type}:${n.account.username}`), [`follow:${vera.username}`]);
    assert.deepEqual((await following(vera)).map((a) => a.id).sort(), [pia.id, quinn.id, lena.id].sort());
  });

  test('the same list imported again changes nothing', async () => {
    const csv = `${HEADER}\npia@${peer.host},true,false,\n@quinn@${peer.host},true,false,\n${lena.username}@${v.host},true,false,\n`;
    const report = assertOk(await importFile(vera, csv));
    assert.deepEqual(report.problems, [], JSON.stringify(report));
    for (const id of [pia.id, quinn.id, lena.id]) {
      const r = await relationship(vera, id);
      assert.equal(r.following, true, JSON.stringify(r));
      assert.equal(r.requested, false, JSON.stringify(r));
    }
    const list = await following(vera);
    assert.equal(list.length, 3, JSON.stringify(list.map((a) => a.acct)));
    const me = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`));
    assert.equal(me.following_count, 3);
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${lena.id}`)).followers_count, 1);
  });

  test('a plain list uploaded as a file: an account resolved for someone else is followed too', async () => {
    // pia is known to this server already; rex is not yet.
    const res = await importFile(lena, `@pia@${peer.host}\nrex@${peer.host}\n`);
    const report = assertOk(res);
    assert.deepEqual(report, { followed: 2, problems: [] }, res.text);
    const rex = await lookup('rex');
    await peer.waitFor({ type: 'Follow', actor: v.actorId(lena.username), objectId: peer.actorId('pia') }, { timeout: 15_000 });
    await peer.waitFor({ type: 'Follow', actor: v.actorId(lena.username), objectId: peer.actorId('rex') }, { timeout: 15_000 });
    for (const account of [pia, rex]) {
      await waitFor(async () => (await relationship(lena, account.id)).following, { timeoutMs: 15_000, message: `following ${account.acct}` });
    }
  });

  test('a server that takes the connection and never answers is unavailable within the deadline; the rest is followed', async () => {
    const started = Date.now();
    const res = await importText(otto, `${HEADER}\nsilent@${silent.host},true,false,\nrex@${peer.host},true,false,\n${vera.username},true,false,\n`);
    const took = Date.now() - started;
    const report = assertOk(res);
    assert.deepEqual(report.problems.map((p) => p.reason), ['unavailable'], res.text);
    assert.ok(report.problems[0].address.includes(`silent@${silent.host}`), res.text);
    assert.equal(report.followed, 2, res.text);
    assert.ok(silent.accepted > 0, 'the silent server was asked');
    assert.ok(took < DEADLINE_MS + 5_000, `the import answered in ${took} ms`);
    const rex = await lookup('rex');
    await peer.waitFor({ type: 'Follow', actor: v.actorId(otto.username), objectId: peer.actorId('rex') }, { timeout: 15_000 });
    await waitFor(async () => (await relationship(otto, rex.id)).following, { timeoutMs: 15_000, message: 'following rex' });
    assert.equal((await relationship(otto, vera.id)).following, true);
  });
});
