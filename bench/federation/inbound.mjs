// Inbound half of the federation benchmark: signed Likes from many remote
// actors (seeded with real, distinct RSA-2048 keys, so Vantage never fetches
// a key) posted to Vantage's shared inbox as fast as it takes them.
//
//   node bench/federation/inbound.mjs URL VANTAGE_PID USERNAME PASSWORD KEYS_FILE
//
// Settings (environment): ACTORS, ACTOR_HOSTS, ACTOR_BASE (as seed.mjs),
// POSTS (posts by USERNAME to like, default 5), LIKES (default
// min(10000, ACTORS x POSTS)), CONCURRENCY (keep-alive connections, default 48).
//
// USERNAME makes POSTS photo posts; Like k is by actor k % ACTORS of post
// floor(k / ACTORS), so no pair repeats, with an id of its own. Every request
// is signed before the clock starts (on two worker threads), Date = signing
// time. Then CONCURRENCY connections send them back to back. Afterwards the
// posts' favourites_count (GET /api/v1/statuses/:id) must add up to the 202s.
//
// Prints `inbound: ...` lines and one `inbound_summary k=v ...` line.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import crypto from 'node:crypto';
import { call, cpuSeconds, dbCpuSeconds, fmt, nowMs, percentile, signIn, signPost, startProfile, uploadPhoto } from './lib.mjs';

if (!isMainThread) {
  // Signs Likes [from, to): {body, headers} each.
  const { from, to, actors, actorHosts, actorBase, statusUris, inbox, keysFile, runId } = workerData;
  const pems = readFileSync(keysFile, 'utf8').split('\n').filter(Boolean).slice(0, actors)
    .map((l) => JSON.parse(l).privateKeyPem);
  const keys = new Map();
  const out = [];
  for (let k = from; k < to; k++) {
    const a = k % actors;
    const actor = `http://127.0.0.1:${actorBase + (a % actorHosts)}/users/liker${a}`;
    if (!keys.has(a)) keys.set(a, crypto.createPrivateKey(pems[a]));
    const body = JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor}#likes/${runId}-${k}`,
      type: 'Like',
      actor,
      object: statusUris[Math.floor(k / actors)],
    });
    out.push({ body, headers: signPost(inbox, body, `${actor}#main-key`, keys.get(a)) });
  }
  parentPort.postMessage(out);
} else {
  await main();
}

async function main() {
  const [base, pidArg, username, password, keysFile] = process.argv.slice(2);
  if (!base || !pidArg || !username || !password || !keysFile) {
    throw new Error('usage: inbound.mjs URL VANTAGE_PID USERNAME PASSWORD KEYS_FILE');
  }
  const pid = Number(pidArg);
  const ACTORS = Number(process.env.ACTORS ?? 2000);
  const ACTOR_HOSTS = Number(process.env.ACTOR_HOSTS ?? 200);
  const ACTOR_BASE = Number(process.env.ACTOR_BASE ?? 21500);
  const POSTS = Number(process.env.POSTS ?? 5);
  const LIKES = Math.min(Number(process.env.LIKES ?? 10000), ACTORS * POSTS);
  const CONCURRENCY = Number(process.env.CONCURRENCY ?? 48);
  const origin = new URL(base).origin;
  const inbox = `${origin}/inbox`;

  const token = await signIn(base, username, password);
  const statusIds = [];
  for (let i = 0; i < POSTS; i++) {
    const mediaId = await uploadPhoto(base, token);
    const s = await call(base, 'POST', '/api/v1/statuses', {
      token, json: { status: `Like me ${i} #bench`, media_ids: [mediaId], visibility: 'public' },
    });
    statusIds.push(s.id);
  }
  const statusUris = statusIds.map((id) => `${origin}/users/${username}/statuses/${id}`);

  const signStart = performance.now();
  const runId = crypto.randomBytes(4).toString('hex');
  const half = Math.ceil(LIKES / 2);
  const parts = await Promise.all([[0, half], [half, LIKES]].map(([from, to]) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), {
      workerData: { from, to, actors: ACTORS, actorHosts: ACTOR_HOSTS, actorBase: ACTOR_BASE, statusUris, inbox, keysFile, runId },
    });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const requests = parts.flat();
  console.log(`inbound: ${LIKES} Likes of ${POSTS} posts by ${ACTORS} actors signed in `
    + `${fmt((performance.now() - signStart) / 1000)} s; sending on ${CONCURRENCY} keep-alive connections to ${inbox}`);

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(inbox);
  function send({ body, headers }) {
    return new Promise((resolve) => {
      const t0 = nowMs();
      const req = http.request({
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, setHost: false,
        headers: { Host: headers.host, Date: headers.date, Digest: headers.digest, 'Content-Type': headers['content-type'],
          Signature: headers.signature, 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: nowMs() - t0 }));
      });
      req.on('error', (e) => resolve({ status: `error ${e.code ?? e.message}`, ms: nowMs() - t0 }));
      req.end(body);
    });
  }

  const results = new Array(requests.length);
  let next = 0;
  const stopProfile = startProfile(pid);
  await new Promise((r) => setTimeout(r, process.env.PROFILE ? 500 : 0));  // perf attaches
  const cpu0 = cpuSeconds(pid);
  const own0 = process.cpuUsage();
  const db0 = dbCpuSeconds();
  const started = nowMs();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests.length) {
      const i = next++;
      results[i] = await send(requests[i]);
    }
  }));
  const elapsed = (nowMs() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const own = process.cpuUsage(own0);
  const db = db0 === null ? null : dbCpuSeconds() - db0;
  await stopProfile();
  agent.destroy();

  const statuses = new Map();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const accepted = statuses.get(202) ?? 0;
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  let counted = 0;
  await new Promise((r) => setTimeout(r, 300));
  for (const id of statusIds) counted += (await call(base, 'GET', `/api/v1/statuses/${id}`, { token })).favourites_count;

  console.log(`inbound: ${accepted} of ${LIKES} answered 202 in ${fmt(elapsed, 2)} s: ${fmt(accepted / elapsed, 0)} Likes/s; `
    + `latency p50 ${fmt(percentile(latencies, 0.5))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms, max ${fmt(latencies.at(-1))} ms`);
  console.log(`inbound: answers ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  console.log(`inbound: favourites_count over the ${POSTS} posts: ${counted} (${counted === accepted ? 'equals' : 'DIFFERS FROM'} the 202s)`);
  console.log(`inbound: Vantage CPU ${fmt(cpu, 2)} s: ${fmt(cpu / Math.max(1, accepted) * 1000, 3)} ms per Like `
    + `(the sender: ${fmt((own.user + own.system) / 1e6, 2)} s${db === null ? '' : `, PostgreSQL: ${fmt(db, 2)} s`})`);
  console.log(`inbound_summary likes=${LIKES} accepted=${accepted} per_s=${fmt(accepted / elapsed, 0)} `
    + `p50_ms=${fmt(percentile(latencies, 0.5))} p99_ms=${fmt(percentile(latencies, 0.99))} non202=${LIKES - accepted} `
    + `favourites=${counted} cpu_ms_per_like=${fmt(cpu / Math.max(1, accepted) * 1000, 3)}`);
  process.exitCode = accepted === LIKES && counted === accepted ? 0 : 1;
}
