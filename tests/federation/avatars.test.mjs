// Remote accounts' pictures (docs/federation.md, "Remote accounts"): an
// actor's icon is fetched by the server, run through the media pipeline
// like an upload (decoded, every metadata field stripped, cropped, JPEG)
// and served from this server; what fails the pipeline, or comes from a
// server whose media are rejected, leaves the default picture.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { adminCreateAccount, api, assertOk, createApp, passwordToken, strongPassword, uniqueName, waitFor } from '../api/lib/server.mjs';
import { registerUser } from '../api/lib/photos.mjs';
import { exif, jpegWithSecrets } from './lib/secrets.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

describe('remote pictures go through the media pipeline', () => {
  let v;
  let peer;
  let images;      // a server on another port, as a CDN would be
  let imagesUrl;
  let vera;
  let admin;
  const served = {};

  before(async () => {
    served['/secrets.jpg'] = { type: 'image/jpeg', body: await jpegWithSecrets() };
    served['/broken.jpg'] = { type: 'image/jpeg', body: Buffer.from('not a picture at all') };
    images = http.createServer((req, res) => {
      const file = served[req.url];
      if (!file) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
    });
    await new Promise((resolve) => images.listen(0, '127.0.0.1', resolve));
    imagesUrl = `http://127.0.0.1:${images.address().port}`;
    v = await startFederatedVantage();
    peer = await startPeer({ actors: [
      { name: 'kite', icon: `${imagesUrl}/secrets.jpg` },
      { name: 'crane', icon: `${imagesUrl}/broken.jpg` },
    ], host: 'localhost' });
    vera = await registerUser(v.server, 'vera');
    const password = strongPassword();
    const name = uniqueName('admin');
    await adminCreateAccount(v.server, { username: name, email: `${name}@example.org`, password, role: 'admin' });
    admin = { token: await passwordToken(v.server, await createApp(v.server, 'read write admin:read admin:write'), name, password, 'read write admin:read admin:write') };
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
    await new Promise((resolve) => images?.close(resolve));
  });

  async function remoteAccount(name) {
    let account;
    await waitFor(async () => {
      const res = await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`${name}@${peer.host}`)}`);
      account = res.status === 200 ? res.json : null;
      return Boolean(account);
    }, { timeoutMs: 10_000, message: `${name} known` });
    return account;
  }

  test("an actor's icon is re-encoded and stripped, and served from this server", async () => {
    await peer.follow('kite', v.actorId(vera.username));
    let account;
    await waitFor(async () => {
      account = await remoteAccount('kite');
      return account.avatar.includes('/avatars/') && !account.avatar.includes('missing');
    }, { timeoutMs: 15_000, message: 'the picture processed' });
    assert.ok(account.avatar.startsWith(v.origin), `${account.avatar} is this server's`);
    assert.ok(!account.avatar.includes(imagesUrl));
    const file = await fetch(account.avatar.replace(v.origin, v.server.url));
    assert.equal(file.status, 200);
    const bytes = Buffer.from(await file.arrayBuffer());
    const meta = exif(bytes);
    assert.equal(meta.MIMEType, 'image/jpeg');
    assert.equal(meta.ImageWidth, 400);
    assert.equal(meta.ImageHeight, 400);
    const text = JSON.stringify(meta).toLowerCase();
    for (const secret of ['gps', 'qz7c', 'artist', 'photographer']) assert.ok(!text.includes(secret), `${secret} is gone`);
    // The picture was fetched by the server only: the remote server saw no reader.
    const res = await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token });
    assert.ok(assertOk(res).every((a) => !JSON.stringify(a).includes(imagesUrl)));
  });

  test('a picture that fails the pipeline is never passed through: the default one shows', async () => {
    await peer.follow('crane', v.actorId(vera.username));
    const account = await remoteAccount('crane');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${account.id}`));
    assert.match(again.avatar, /missing\.png$/);
    assert.ok(!JSON.stringify(again).includes(imagesUrl));
  });

  test("a server whose media are rejected keeps the default picture", async () => {
    assertOk(await api(v.server, 'POST', '/api/v1/admin/domain_blocks', { token: admin.token, json: { domain: 'localhost', severity: 'noop', reject_media: true } }));
    await peer.updateActor('crane', { icon: `${imagesUrl}/secrets.jpg` }, { to: v.actorId(vera.username) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const account = await remoteAccount('crane');
    assert.match(account.avatar, /missing\.png$/);
    assert.equal(account.display_name, 'Peer crane');
    // The control: once the block goes, the next update's picture is taken.
    assertOk(await api(v.server, 'DELETE', '/api/v1/admin/domain_blocks/localhost', { token: admin.token }));
    served['/secrets2.jpg'] = served['/secrets.jpg'];
    await peer.updateActor('crane', { icon: `${imagesUrl}/secrets2.jpg` }, { to: v.actorId(vera.username) });
    await waitFor(async () => !(await remoteAccount('crane')).avatar.includes('missing'),
      { timeoutMs: 15_000, message: 'the picture taken once media are accepted again' });
  });
});
