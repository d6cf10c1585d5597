// A remote server that misbehaves (docs/federation.md, "Signatures and
// authority" and "The client"; issue 17, "Bad input"): one that never
// answers, answers 5xx, sends 100 MB, sends malformed or wrongly shaped
// JSON, loops redirects, points at a private address or another host, or
// sends an image bomb gets a bounded, logged failure. The reader sees a
// clear answer (502 remote_unavailable, or nothing found), other requests
// do not slow down, nothing of the remote server is passed through, and the
// server stays healthy.
//
// The misbehaving server is purpose-built here: node:http on loopback
// (`hostile`), behind the test TLS proxy for what is looked up by handle
// (WebFinger is https only), plain http for photos. Posts with photos come
// from a real Fedify peer, followed as a reader would, whose notes point
// their attachments at the hostile server. A second Vantage without
// --federation-allow-private shows that private addresses are refused
// before anything is sent. Run on both engines.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, sleep, waitFor } from '../api/lib/server.mjs';
import { noiseJpeg, registerUser, uploadPhoto } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { startTlsProxy } from './lib/tls.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const MB = 1024 * 1024;
const HUNDRED_MB = 100 * MB;
const DEADLINE_MS = 12_500;   // the client's 10 s deadline, and some slack
const QUICK_MS = 1_000;       // what "not slowed down" means for another request
const AS_CONTEXT = ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'];

// ---------------------------------------------------------------------------
// The hostile server.

// Writes `prefix`, then `fill` until `total` bytes with `suffix`, then
// `suffix`, respecting backpressure, and stops as soon as the client goes.
// `stat.sent` counts the bytes handed to the socket.
async function streamHuge(res, { status = 200, headers, prefix = Buffer.alloc(0), suffix = Buffer.alloc(0), fill = 0x20, total = HUNDRED_MB }, stat) {
  let closed = false;
  res.on('close', () => { closed = true; });
  res.writeHead(status, headers);
  const waitDrain = () => new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
  const write = async (chunk) => {
    stat.sent += chunk.length;
    if (!res.write(chunk)) await waitDrain();
  };
  await write(Buffer.from(prefix));
  const chunk = Buffer.alloc(64 * 1024, fill);
  let left = total - prefix.length - suffix.length;
  while (left > 0 && !closed) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    await write(piece);
  }
  if (closed) return;
  await write(Buffer.from(suffix));
  stat.complete = true;
  res.end();
}

// A node:http server that answers each path (or each WebFinger name) as it
// is told, records every request and can be stopped with requests still
// hanging.
async function startHostile() {
  const requests = [];
  const routes = new Map();     // pathname -> handler(req, res, url)
  const webfinger = new Map();  // acct name -> handler
  const timers = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://hostile.invalid');
    let handler;
    let name = null;
    if (url.pathname === '/.well-known/webfinger') {
      name = /^acct:([^@]+)@/.exec(url.searchParams.get('resource') ?? '')?.[1] ?? null;
      handler = webfinger.get(name) ?? (name?.startsWith('wf-hang') ? webfinger.get('wf-hang') : undefined);
    } else {
      handler = routes.get(url.pathname);
    }
    requests.push({ method: req.method, path: req.url, pathname: url.pathname, name, headers: req.headers, at: performance.now() });
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here\n');
      return;
    }
    handler(req, res, url);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    requests,
    routes,
    webfinger,
    every(ms, fn) { const t = setInterval(fn, ms); timers.add(t); return () => { clearInterval(t); timers.delete(t); }; },
    stop() {
      for (const t of timers) clearInterval(t);
      return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}

const json = (body, type = 'application/jrd+json') => (_req, res) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
};
const statusOnly = (status, extra = {}) => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html', ...extra }).end(`<h1>${status}</h1>`);
};
const redirect = (location, status = 302) => (_req, res) => {
  res.writeHead(status, { location, 'content-type': 'text/plain' }).end('moved\n');
};
const hang = () => () => { /* never answers; the socket stays open */ };
const bytes = (body, type) => (_req, res) => {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
};

// ---------------------------------------------------------------------------
// Images.

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

// A complete, valid PNG of width × height black pixels (1 bit grey): about
// 110 KB on the wire, 900 million pixels once decoded.
function pngBomb(width = 30_000, height = 30_000) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1;  // bit depth; colour type 0 (grey), deflate, filter 0, no interlace
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height);  // filter byte 0, black
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// A small real JPEG whose frame header claims width × height.
function jpegClaiming(jpeg, width, height) {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length;) {
    assert.equal(out[i], 0xff, 'a JPEG segment');
    const marker = out[i + 1];
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  throw new Error('no frame header in the JPEG');
}

// ---------------------------------------------------------------------------
// Helpers.

async function timed(promise) {
  const started = performance.now();
  const res = await promise;
  return { ...res, ms: performance.now() - started };
}

function search(v, user, q) {
  return timed(api(v.server, 'GET', `/api/v2/search?q=${encodeURIComponent(q)}&resolve=true`, { token: user.token, timeoutMs: 40_000 }));
}

function describeRes(res) {
  return `${res.status} in ${Math.round(res.ms)} ms: ${res.text?.slice(0, 300)}`;
}

// Everything a server writes to its log (standard output) from now on (the
// server object keeps only a tail, which its access log soon fills).
function captureLog(server) {
  const log = { text: '' };
  server.child.stdout.on('data', (chunk) => { log.text += chunk; });
  return log;
}

// Runs `probes` one after another, again and again, until `promise`
// settles; every answer with its time.
async function probeWhile(promise, probes) {
  let settled = false;
  promise.then(() => { settled = true; }, () => { settled = true; });
  const samples = [];
  while (!settled) {
    for (const [name, probe] of probes) {
      const res = await timed(probe());
      samples.push({ name, status: res.status, ms: Math.round(res.ms) });
    }
    await sleep(200);
  }
  return samples;
}

async function relationship(v, user, id) {
  return assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${id}`, { token: user.token }))[0];
}

function home(v, user) {
  return api(v.server, 'GET', '/api/v1/timelines/home?limit=40', { token: user.token });
}

// The photos of hana's post, in order, and what becomes of each: ready
// (fetched and processed), failed with that code (url null: "image
// unavailable"), or processing (a server that did not answer usably may
// later: still to be fetched, through this server's own URL), with the
// reason in the log.
const PHOTO_CASES = [
  ['good', 'ready'],
  ['redirect-good', 'ready'],
  ['gone', 'failed', 'media_gone'],
  ['e500', 'processing', /the photo's server answered 500/],
  ['e503', 'processing', /the photo's server answered 503/],
  ['huge', 'failed', 'image_too_large'],
  ['loop', 'processing', /redirected more than 3 times/],
  ['chain', 'processing', /redirected more than 3 times/],
  ['png-bomb', 'failed', 'image_too_large'],
  ['jpeg-bomb', 'failed', 'image_too_large'],
  ['html', 'failed', 'unsupported_media_type'],
  ['hang', 'processing', /took too long/],
  ['hang-view', 'processing', /took too long/],
];

// ---------------------------------------------------------------------------

describe('a hostile remote server', () => {
  let v;            // allows loopback (--federation-allow-private), as every federation test
  let strict;       // a second Vantage that does not
  let peer;         // a real Fedify peer: hana and juno, followed by vera, post photos
  let hostile;      // the misbehaving server, plain http
  let proxy;        // ...and behind TLS, for WebFinger
  let other;        // a second server: "another host"
  let host;         // the hostile server's name as a handle has it: 127.0.0.1:<tls port>
  let origin;       // https://127.0.0.1:<tls port>
  let vera;         // searches
  let lena;         // another reader, doing other things meanwhile
  let carol;        // searches on the strict server
  let photoNote;    // the id of hana's post of PHOTO_CASES
  const stats = {}; // streamed bodies: {sent, complete}
  let log;          // v's log, and strict's
  let strictLog;

  before(async () => {
    [hostile, other] = await Promise.all([startHostile(), startHostile()]);
    proxy = await startTlsProxy({ target: hostile.origin });
    origin = proxy.origin;
    host = proxy.host;
    // Two CPU threads, as on a two-core host: the pool that processes
    // uploads (and, when a reader views one, a remote photo not fetched yet).
    v = await startFederatedVantage(['--cpu-threads', '2']);
    strict = await startFederatedVantage([], { allowPrivate: false });
    log = captureLog(v.server);
    strictLog = captureLog(strict.server);
    peer = await startPeer({ https: true, autoAccept: true, actors: ['hana', 'juno'], modulusLength: 2048 });
    [vera, lena, carol] = await Promise.all([
      registerUser(v.server, 'vera'), registerUser(v.server, 'lena'), registerUser(strict.server, 'carol'),
    ]);

    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });
    const actorId = (name) => `${origin}/users/${name}`;
    const actor = (name, changes = {}) => ({
      '@context': AS_CONTEXT,
      id: actorId(name),
      type: 'Person',
      preferredUsername: name,
      name: `Hostile ${name}`,
      inbox: `${actorId(name)}/inbox`,
      outbox: `${actorId(name)}/outbox`,
      publicKey: { id: `${actorId(name)}#main-key`, owner: actorId(name), publicKeyPem },
      ...changes,
    });
    const jrd = (name, href = actorId(name)) => ({
      subject: `acct:${name}@${host}`,
      links: [
        { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: `${origin}/@${name}` },
        { rel: 'self', type: 'application/activity+json', href },
      ],
    });
    const AP = 'application/activity+json';
    const wf = hostile.webfinger;
    const at = hostile.routes;
    // An actor at its usual place, WebFinger pointing at it.
    const withActor = (name, handler) => {
      wf.set(name, json(jrd(name)));
      at.set(`/users/${name}`, handler);
    };

    // Controls: a well-behaved account, and one behind 3 redirects (the
    // most the client follows), both found.
    withActor('good', json(actor('good'), AP));
    wf.set('redir3', redirect('/hop/2/redir3'));
    for (const n of [2, 1]) at.set(`/hop/${n}/redir3`, redirect(n > 1 ? `/hop/${n - 1}/redir3` : '/final/redir3'));
    at.set('/final/redir3', json(jrd('redir3')));
    at.set('/users/redir3', json(actor('redir3'), AP));

    // WebFinger that never answers, that trickles a byte at a time, and an
    // actor document that never answers.
    wf.set('wf-hang', hang());
    wf.set('wf-trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jrd+json' });
      res.write('{"subject": ');
      const stop = hostile.every(300, () => res.write(' '));
      res.on('close', stop);
    });
    withActor('actor-hang', hang());

    // Status codes.
    wf.set('wf-404', statusOnly(404));
    wf.set('wf-410', statusOnly(410));
    wf.set('wf-500', statusOnly(500));
    wf.set('wf-503', statusOnly(503, { 'retry-after': '1' }));
    withActor('actor-500', statusOnly(500));

    // 100 MB: a valid JRD and a valid actor, padded, so that a client
    // without a cap would take them.
    stats.wfHuge = { sent: 0, complete: false };
    stats.actorHuge = { sent: 0, complete: false };
    wf.set('wf-huge', (_req, res) => {
      const body = JSON.stringify(jrd('wf-huge'));
      streamHuge(res, {
        headers: { 'content-type': 'application/jrd+json' },
        prefix: `${body.slice(0, -1)}, "padding": "`, suffix: '"}', fill: 0x78,
      }, stats.wfHuge);
    });
    withActor('actor-huge', (_req, res) => {
      const body = JSON.stringify(actor('actor-huge'));
      streamHuge(res, {
        headers: { 'content-type': AP, 'content-length': HUNDRED_MB },
        prefix: `${body.slice(0, -1)}, "summary": "`, suffix: '"}', fill: 0x78,
      }, stats.actorHuge);
    });

    // Malformed JSON, and JSON that is not a JRD.
    const truncated = JSON.stringify(jrd('wf-malformed')).slice(0, -20);
    wf.set('wf-malformed', json(truncated));
    wf.set('wf-nested', json(`${'['.repeat(400_000)}${']'.repeat(400_000)}`));
    wf.set('wf-html', json('<!doctype html><title>Welcome</title><p>Hello</p>', 'text/html'));
    wf.set('wf-array', json([jrd('wf-array')]));
    wf.set('wf-string', json(JSON.stringify(actorId('wf-string'))));
    wf.set('wf-null', json('null'));
    wf.set('wf-number', json('1e400'));
    wf.set('wf-empty-object', json({}));
    wf.set('wf-links-string', json({ subject: `acct:wf-links-string@${host}`, links: actorId('wf-links-string') }));
    wf.set('wf-links-number', json({ subject: `acct:wf-links-number@${host}`, links: 7 }));
    wf.set('wf-links-null', json({ subject: `acct:wf-links-null@${host}`, links: null }));
    wf.set('wf-wrong-types', json({
      subject: 42,
      links: [
        { rel: 7, type: 42, href: actorId('wf-wrong-types') },
        { rel: 'self', type: 'application/activity+json', href: 12345 },
        { rel: 'self', type: ['application/activity+json'], href: [actorId('wf-wrong-types')] },
        'self', null, 3,
      ],
    }));
    wf.set('wf-no-self', json({ subject: `acct:wf-no-self@${host}`, links: [jrd('wf-no-self').links[0]] }));
    for (const name of ['wf-wrong-types', 'wf-no-self', 'wf-links-string']) at.set(`/users/${name}`, json(actor(name), AP));
    // A self link elsewhere: another server (which must not be asked), a
    // private address, not http.
    wf.set('wf-self-other-host', json(jrd('wf-self-other-host', `${other.origin}/users/wf-self-other-host`)));
    other.routes.set('/users/wf-self-other-host', json(actor('wf-self-other-host', { id: `${other.origin}/users/wf-self-other-host` }), AP));
    wf.set('wf-self-private', json(jrd('wf-self-private', 'https://10.0.0.1/users/wf-self-private')));
    wf.set('wf-self-metadata', json(jrd('wf-self-metadata', 'http://169.254.169.254/latest/meta-data/')));
    wf.set('wf-self-file', json(jrd('wf-self-file', 'file:///etc/passwd')));

    // Redirects: to itself, and a chain of 4.
    wf.set('wf-loop', (req, res) => redirect(req.url)(req, res));
    wf.set('wf-chain', redirect('/hop/3/wf-chain'));
    for (const n of [3, 2, 1]) at.set(`/hop/${n}/wf-chain`, redirect(n > 1 ? `/hop/${n - 1}/wf-chain` : '/final/wf-chain'));
    at.set('/final/wf-chain', json(jrd('wf-chain')));
    at.set('/users/wf-chain', json(actor('wf-chain'), AP));
    withActor('actor-loop', redirect('/users/actor-loop'));

    // Actor documents that are wrong.
    withActor('actor-malformed', json(JSON.stringify(actor('actor-malformed')).slice(0, -30), AP));
    withActor('actor-nested', json(`{"id": ${'['.repeat(400_000)}${']'.repeat(400_000)}}`, AP));
    withActor('actor-array', json([actor('actor-array')], AP));
    withActor('actor-html', json(actor('actor-html'), 'text/html'));
    withActor('actor-no-id', json({ ...actor('actor-no-id'), id: undefined }, AP));
    withActor('actor-other-id', json(actor('actor-other-id', { id: actorId('good') }), AP));
    withActor('actor-other-host', json(actor('actor-other-host', { id: `${other.origin}/users/actor-other-host` }), AP));
    withActor('actor-not-actor', json(actor('actor-not-actor', { type: 'Note', content: 'hello' }), AP));
    withActor('actor-wrong-types', json(actor('actor-wrong-types', {
      preferredUsername: 42, inbox: { id: 7 }, publicKey: 'none', type: 7,
    }), AP));
    withActor('actor-name-bad', json(actor('actor-name-bad', { preferredUsername: '../../admin@elsewhere' }), AP));
    withActor('actor-inbox-elsewhere', json(actor('actor-inbox-elsewhere', { inbox: `${other.origin}/inbox` }), AP));
    withActor('actor-key-of-another', json(actor('actor-key-of-another', {
      publicKey: { id: `${actorId('good')}#main-key`, owner: actorId('good'), publicKeyPem },
    }), AP));

    // Photos, over plain http (a post's photos may be anywhere).
    const goodJpeg = await noiseJpeg(64, 48);
    const photo = (name) => `${hostile.origin}/photo/${name}`;
    at.set('/photo/good', bytes(goodJpeg, 'image/jpeg'));
    at.set('/photo/redirect-good', redirect(photo('good-after-redirect')));
    at.set('/photo/good-after-redirect', bytes(await noiseJpeg(48, 64), 'image/jpeg'));
    // /photo/gone: no route, 404
    at.set('/photo/e500', statusOnly(500));
    at.set('/photo/e503', statusOnly(503, { 'retry-after': '1' }));
    stats.photoHuge = { sent: 0, complete: false };
    // A real JPEG, then 100 MB of zeros after its end (which decoders
    // ignore): a client without a cap would take it.
    at.set('/photo/huge', (_req, res) => streamHuge(res, { headers: { 'content-type': 'image/jpeg' }, prefix: goodJpeg, fill: 0 }, stats.photoHuge));
    at.set('/photo/loop', redirect(photo('loop')));
    at.set('/photo/chain', redirect(photo('chain/3')));
    for (const n of [3, 2, 1]) at.set(`/photo/chain/${n}`, redirect(photo(n > 1 ? `chain/${n - 1}` : 'good')));
    at.set('/photo/png-bomb', bytes(pngBomb(30_000, 30_000), 'image/png'));
    at.set('/photo/jpeg-bomb', bytes(jpegClaiming(goodJpeg, 30_000, 30_000), 'image/jpeg'));
    at.set('/photo/html', bytes(Buffer.from('<!doctype html><title>Not a photo</title>'), 'image/jpeg'));
    for (const name of ['hang', 'hang-view', 'hang-2', 'hang-3']) at.set(`/photo/${name}`, hang());

    // vera follows hana and juno; hana posts a photo of each kind, the
    // ones that hang last (two threads fetch remote photos).
    for (const name of ['hana', 'juno']) {
      const account = assertOk(await search(v, vera, `@${name}@${peer.host}`)).accounts[0];
      assertOk(await api(v.server, 'POST', `/api/v1/accounts/${account.id}/follow`, { token: vera.token }));
      await waitFor(async () => (await relationship(v, vera, account.id)).following, { timeoutMs: 15_000, message: `following ${name}` });
    }
    photoNote = await peer.post('hana', {
      content: '<p>Photos from a difficult server</p>',
      attachments: PHOTO_CASES.map(([name]) => ({ url: photo(name), name })),
      deliverTo: v.actorId(vera.username),
      raw: true,
    });
  });

  after(async () => {
    await v?.stop();
    await strict?.stop();
    await peer?.stop();
    await proxy?.stop();
    await hostile?.stop();
    await other?.stop();
  });

  test('a well-behaved account on the same server is found, also behind 3 redirects (the controls)', async () => {
    for (const name of ['good', 'redir3']) {
      const res = await search(v, vera, `@${name}@${host}`);
      const found = assertOk(res);
      assert.equal(found.accounts.length, 1, describeRes(res));
      assert.equal(found.accounts[0].acct, `${name}@${host}`);
      assert.equal(found.accounts[0].display_name, `Hostile ${name}`);
    }
  });

  test('a WebFinger or actor that never answers, or trickles, is a 502 within the deadline, and the rest of the server does not wait', async () => {
    const mark = log.text.length;
    const lookups = Promise.all(['wf-hang', 'wf-trickle', 'actor-hang'].map((name) => search(v, vera, `@${name}@${host}`)));
    const samples = await probeWhile(lookups, [
      ['instance', () => api(v.server, 'GET', '/api/v1/instance')],
      ['home timeline', () => home(v, lena)],
      ['own account', () => api(v.server, 'GET', '/api/v1/accounts/verify_credentials', { token: lena.token })],
      ['a local search', () => api(v.server, 'GET', `/api/v2/search?q=${lena.username}`, { token: lena.token })],
      ['a known remote account', () => api(v.server, 'GET', `/api/v2/search?q=${encodeURIComponent(`@good@${host}`)}&resolve=true`, { token: lena.token })],
    ]);
    for (const res of await lookups) {
      assert.equal(res.status, 502, describeRes(res));
      assert.equal(res.json.code, 'remote_unavailable');
      assert.equal(res.json.error, `${host} did not answer`);
      assert.ok(res.ms < DEADLINE_MS, describeRes(res));
    }
    // Each was asked, and kept the request waiting.
    for (const name of ['wf-hang', 'wf-trickle']) assert.ok(hostile.requests.some((r) => r.name === name), name);
    assert.ok(hostile.requests.some((r) => r.pathname === '/users/actor-hang'), 'the actor was asked for');
    assert.ok(samples.length >= 15, `other requests were made meanwhile (${samples.length})`);
    const slow = samples.filter((s) => s.status !== 200 || s.ms > QUICK_MS);
    assert.deepEqual(slow, [], 'every other request answered at once');
    const tooLong = new RegExp(`${host.replace(/\./g, '\\.')} did not answer usably: The remote server took too long`, 'g');
    await waitFor(() => log.text.slice(mark).match(tooLong)?.length === 3, { timeoutMs: 2_000, message: 'the three failures logged' });
  });

  test('many readers looking up a server that never answers do not hold up everyone else', async () => {
    const lookups = Promise.all(Array.from({ length: 10 }, (_, i) => search(v, i % 2 ? vera : lena, `@wf-hang-${i}@${host}`)));
    const samples = await probeWhile(lookups, [
      ['home timeline', () => home(v, lena)],
      ['own account', () => api(v.server, 'GET', '/api/v1/accounts/verify_credentials', { token: vera.token })],
    ]);
    const results = await lookups;
    const problems = [];
    for (const res of results) if (res.status !== 502 || res.ms > DEADLINE_MS) problems.push(`a lookup: ${describeRes(res)}`);
    for (const s of samples) if (s.status !== 200 || s.ms > QUICK_MS) problems.push(`${s.name}: ${s.status} in ${s.ms} ms`);
    assert.deepEqual(problems, []);
  });

  // [name, expected]: 'none' = 200 with nothing found; a RegExp = 502 with
  // that reason in the log.
  const misbehaviours = [
    ['wf-404', 'none'],
    ['wf-410', 'none'],
    ['wf-500', /WebFinger answered 500/],
    ['wf-503', /WebFinger answered 503/],
    ['wf-huge', /larger than 1048576 bytes/],
    ['wf-malformed', /not JSON/],
    ['wf-nested', /not JSON/],
    ['wf-html', /not JSON/],
    ['wf-array', /not JSON/],
    ['wf-string', /not JSON/],
    ['wf-null', /not JSON/],
    ['wf-number', /not JSON/],
    ['wf-empty-object', /names no actor/],
    ['wf-links-string', /names no actor/],
    ['wf-links-number', /names no actor/],
    ['wf-links-null', /names no actor/],
    ['wf-wrong-types', /names no actor/],
    ['wf-no-self', /names no actor/],
    ['wf-self-other-host', /names no actor/],
    ['wf-self-private', /names no actor/],
    ['wf-self-metadata', /names no actor/],
    ['wf-self-file', /names no actor/],
    ['wf-loop', /redirected more than 3 times/],
    ['wf-chain', /redirected more than 3 times/],
    ['actor-500', /answered 500/],
    ['actor-huge', /larger than 1048576 bytes/],
    ['actor-loop', /redirected more than 3 times/],
    ['actor-malformed', /not a JSON object/],
    ['actor-nested', /not a JSON object/],
    ['actor-array', /not a JSON object/],
    ['actor-html', /did not answer with an ActivityPub document/],
    ['actor-no-id', /id is not the URL it was fetched from/],
    ['actor-other-id', /id is not the URL it was fetched from/],
    ['actor-other-host', /id is not the URL it was fetched from/],
    ['actor-not-actor', /not an actor/],
    ['actor-wrong-types', /not an actor/],
    ['actor-name-bad', /no usable name/],
    ['actor-inbox-elsewhere', /inbox is not its host's/],
    ['actor-key-of-another', /no usable RSA key of its own/],
  ];

  test('each misbehaviour is a quick, logged 502 remote_unavailable (a clean 404 finds nothing); nothing is stored', async () => {
    for (const [name, expected] of misbehaviours) {
      const mark = log.text.length;
      const res = await search(v, vera, `@${name}@${host}`);
      assert.ok(res.ms < 5_000, `${name}: ${describeRes(res)}`);
      if (expected === 'none') {
        assert.equal(res.status, 200, `${name}: ${describeRes(res)}`);
        assert.deepEqual(res.json.accounts, [], name);
      } else {
        assert.equal(res.status, 502, `${name}: ${describeRes(res)}`);
        assert.equal(res.json.code, 'remote_unavailable', name);
        assert.equal(res.json.error, `${host} did not answer`, name);
        const why = new RegExp(`federation: ${host.replace(/\./g, '\\.')} did not answer usably: .*${expected.source}`);
        await waitFor(() => why.test(log.text.slice(mark)), { timeoutMs: 2_000, message: `${name}: the log saying why` });
      }
      const known = await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`${name}@${host}`)}`);
      assert.equal(known.status, 404, `${name} is not stored`);
    }
    // The 100 MB bodies were cut off: nobody read them to the end.
    for (const [which, stat] of Object.entries(stats)) {
      assert.ok(stat.sent > 0, `${which} was asked for`);
      assert.equal(stat.complete, false, `${which}: the 100 MB were not all read (${stat.sent} bytes sent)`);
      assert.ok(stat.sent < 32 * MB, `${which}: ${stat.sent} bytes sent`);
    }
    // The redirect loop and the chain stopped after 3 redirects: 4 requests
    // each; the chain's end was never reached.
    assert.equal(hostile.requests.filter((r) => r.name === 'wf-loop').length, 4);
    assert.equal(hostile.requests.filter((r) => r.pathname.startsWith('/hop/') && r.pathname.endsWith('/wf-chain')).length, 3);
    assert.ok(!hostile.requests.some((r) => r.pathname === '/final/wf-chain'));
    assert.equal(hostile.requests.filter((r) => r.pathname === '/users/actor-loop').length, 4);
    // A self link or an actor id on another host is not followed.
    assert.deepEqual(other.requests, [], 'the other server was never asked');
  });

  test('with private addresses not allowed, a handle or URL at a loopback, private or link-local address is refused before anything is sent', async () => {
    const port = proxy.port;
    const asked = hostile.requests.length;
    const queries = [
      `@good@127.0.0.1:${port}`, `@good@localhost:${port}`, `@good@2130706433:${port}`, `@good@127.1:${port}`,
      `@good@[::ffff:127.0.0.1]:${port}`, '@x@10.0.0.1', '@x@169.254.169.254', '@x@[::1]', '@x@0.0.0.0',
      `${origin}/users/good`, 'http://169.254.169.254/latest/meta-data/',
    ];
    for (const q of queries) {
      const res = await search(strict, carol, q);
      assert.ok(res.ms < 2_000, `${q}: ${describeRes(res)}`);
      if (res.status === 200) {
        assert.deepEqual(res.json.accounts, [], q);
        assert.deepEqual(res.json.statuses, [], q);
      } else {
        assert.ok(res.status >= 400 && res.status < 500 || res.status === 502, `${q}: ${describeRes(res)}`);
        assert.equal(typeof res.json?.error, 'string', q);
      }
    }
    assert.equal(hostile.requests.length, asked, 'nothing reached the server');
    // (The control is the first test: `v`, allowing loopback, found @good there.)
    assert.equal((await api(strict.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`good@${host}`)}`)).status, 404);
  });

  test('...and the reader is told why, and the refusal is logged', async () => {
    const mark = strictLog.text.length;
    const res = await search(strict, carol, `@good@127.0.0.1:${proxy.port}`);
    const problems = [];
    if (res.status === 200 || res.status >= 500 && res.status !== 502) problems.push(`answered ${describeRes(res)}`);
    else if (!String(res.json?.error).includes(`127.0.0.1:${proxy.port}`)) problems.push(`the error does not name the host: ${describeRes(res)}`);
    await sleep(300);
    if (!strictLog.text.slice(mark).includes(`127.0.0.1:${proxy.port}`)) problems.push('nothing logged');
    assert.deepEqual(problems, []);
  });

  test('a followed account\'s post whose photos come from a hostile server shows; no photo is passed through, each fails or waits', async () => {
    // Settled: each photo in its state, and those still to be fetched
    // tried once (their failure logged).
    let post;
    const unsettled = () => {
      if (!post) return 'the post';
      return PHOTO_CASES.filter(([, state], i) => {
        const m = post.media_attachments[i];
        return state === 'processing' ? !log.text.includes(`remote photo ${m?.id} not fetched now`) : m?.vantage.state !== state;
      }).map(([name]) => name).join(', ');
    };
    await waitFor(async () => {
      post = assertOk(await home(v, vera)).find((s) => s.uri === photoNote);
      return !unsettled();
    }, { timeoutMs: 30_000, message: { toString: () => `every photo settled; not yet: ${unsettled()}` } });
    assert.equal(post.content, '<p>Photos from a difficult server</p>');
    assert.equal(post.media_attachments.length, PHOTO_CASES.length);
    for (const [i, [name, state, detail]] of PHOTO_CASES.entries()) {
      const m = post.media_attachments[i];
      assert.equal(m.description, name);
      assert.equal(m.vantage.state, state, name);
      assert.equal(m.remote_url, null, `${name}: the remote URL is never given out`);
      assert.equal(m.type, 'image');
      if (state === 'ready') {
        assert.ok(m.url.startsWith(`${v.origin}/media/`), `${name}: ${m.url}`);
        assert.equal((await fetch(m.url)).status, 200, name);
      } else if (state === 'failed') {
        assert.equal(m.url, null, `${name}: image unavailable`);
        assert.equal(m.preview_url, null, name);
        assert.equal(m.vantage.error, detail, name);
      } else {
        assert.equal(m.url, `${v.origin}/media/remote/${m.id}/large`, name);
        assert.equal(m.preview_url, `${v.origin}/media/remote/${m.id}/small`, name);
        assert.match(log.text, new RegExp(`remote photo ${m.id} not fetched now: .*${detail.source}`), name);
      }
    }
    assert.ok(!JSON.stringify(post).includes(hostile.origin), 'nothing of the hostile server is shown');
    // Every request there was the server's own, and bounded.
    assert.ok(hostile.requests.filter((r) => r.pathname.startsWith('/photo/')).every((r) => r.headers['user-agent']?.startsWith('Vantage/')));
    assert.equal(stats.photoHuge.complete, false, 'the 100 MB photo was not read to its end');
    assert.ok(stats.photoHuge.sent >= 16 * MB && stats.photoHuge.sent < 48 * MB, `${stats.photoHuge.sent} bytes sent`);
    assert.equal(hostile.requests.filter((r) => r.pathname === '/photo/loop').length, 4);
    assert.deepEqual(hostile.requests.filter((r) => r.pathname.startsWith('/photo/chain')).map((r) => r.pathname),
      ['/photo/chain', '/photo/chain/3', '/photo/chain/2', '/photo/chain/1']);
  });

  test('photo servers that hang hold up nothing else', { concurrency: true }, async (t) => {
    let hangPost;
    await Promise.all([
      t.test('another account\'s photo from another server is not kept waiting behind them', async () => {
        await peer.post('juno', {
          content: '<p>Two photos that never come</p>',
          attachments: [{ url: `${hostile.origin}/photo/hang-2` }, { url: `${hostile.origin}/photo/hang-3` }],
          deliverTo: v.actorId(vera.username),
        });
        await waitFor(() => ['hang-2', 'hang-3'].every((name) => hostile.requests.some((r) => r.pathname === `/photo/${name}`)),
          { timeoutMs: 5_000, message: 'both hanging photos asked for' });
        const fine = peer.serveFile('/media/fine.jpg', { body: await noiseJpeg(40, 30) });
        const started = performance.now();
        const note = await peer.post('hana', { content: '<p>A photo from a good server</p>', attachments: [{ url: fine }], deliverTo: v.actorId(vera.username) });
        await waitFor(async () => assertOk(await home(v, vera)).find((s) => s.uri === note)?.media_attachments[0].vantage.state === 'ready',
          { timeoutMs: 30_000, message: 'the good photo processed' });
        const ms = Math.round(performance.now() - started);
        assert.ok(ms < 5_000, `the good photo was ready ${ms} ms after its post arrived`);
      }),
      t.test('a reader viewing a photo whose server just did not answer gets a 502 at once; the photo stays to be fetched', async () => {
        hangPost ??= assertOk(await home(v, vera)).find((s) => s.uri === photoNote);
        const m = hangPost.media_attachments[PHOTO_CASES.findIndex(([name]) => name === 'hang')];
        const asked = hostile.requests.filter((r) => r.pathname === '/photo/hang').length;
        const res = await timed(api(v.server, 'GET', `/media/remote/${m.id}/large`, { timeoutMs: 40_000 }));
        assert.equal(res.status, 502, describeRes(res));
        assert.equal(res.json.code, 'remote_unavailable');
        assert.match(res.json.error, /the photo's server did not answer/);
        // Its server did not answer the eager fetch a moment ago: not asked
        // again within the minute, so the reader is answered at once.
        assert.ok(res.ms < 2_000, describeRes(res));
        assert.equal(hostile.requests.filter((r) => r.pathname === '/photo/hang').length, asked, 'not asked again within the minute');
        const again = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${hangPost.id}`, { token: vera.token }));
        assert.equal(again.media_attachments.find((x) => x.id === m.id).vantage.state, 'processing');
      }),
    ]);
  });

  test('a reader\'s browser loading a hanging photo (large and small at once) waits no longer than the deadline, and uploads meanwhile go through', async () => {
    const post = assertOk(await home(v, vera)).find((s) => s.uri === photoNote);
    const m = post.media_attachments[PHOTO_CASES.findIndex(([name]) => name === 'hang-view')];
    const upload = new FormData();
    upload.append('file', new Blob([await noiseJpeg(32, 32)], { type: 'image/jpeg' }), 'photo.jpg');
    const views = ['large', 'small'].map((variant) => timed(api(v.server, 'GET', `/media/remote/${m.id}/${variant}`, { timeoutMs: 40_000 })));
    await sleep(500);
    const uploaded = await timed(api(v.server, 'POST', '/api/v2/media', { token: lena.token, body: upload }));
    const problems = [];
    if (uploaded.status !== 200 || uploaded.ms > 2_000) problems.push(`upload: ${describeRes(uploaded)}`);
    for (const res of await Promise.all(views)) if (res.status !== 502 || res.ms > DEADLINE_MS) problems.push(`view: ${describeRes(res)}`);
    assert.deepEqual(problems, []);
  });

  test('after all of it the server is healthy: it answers, takes an upload and a post, and stops cleanly', async () => {
    assertOk(await api(v.server, 'GET', '/api/v1/instance'));
    const mediaId = await uploadPhoto(v.server, lena);
    const status = assertOk(await api(v.server, 'POST', '/api/v1/statuses', { token: lena.token, json: { status: 'Still here', media_ids: [mediaId] } }));
    assert.equal(status.media_attachments[0].vantage.state, 'ready');
    assert.ok(assertOk(await home(v, vera)).some((s) => s.uri === photoNote), 'the remote post still shows');
    assert.ok(v.server.running);
    for (const text of [v.server.stderr, strict.server.stderr]) {
      assert.doesNotMatch(text, /AddressSanitizer|runtime error|terminate called|Segmentation fault|Aborted/);
    }
    for (const { text } of [log, strictLog]) assert.doesNotMatch(text, /\[(error|critical)\]/);
    await v.stop();
    await strict.stop();
  });
});
