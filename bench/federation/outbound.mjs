// Outbound half of the federation benchmark: HOSTS simulated servers, each a
// shared inbox on its own port of 127.0.0.1 that verifies every delivery's
// signature, then one photo post by the official account, timed until every
// host has it.
//
//   node bench/federation/outbound.mjs URL VANTAGE_PID USERNAME PASSWORD
//
// Settings (environment): HOSTS, RECEIVER_BASE (host i listens on
// 127.0.0.1:RECEIVER_BASE+i), FOLLOWERS (for the report), GIVE_UP_S (default
// 60), KEY_FETCH=shared (one fetch of the signer's actor document for all the
// hosts, the default) or per-host (each simulated host fetches and caches it,
// as 1,000 real servers seeing the account for the first time would).
//
// Each POST is checked as a Mastodon-like receiver would: the path is the
// shared inbox; Signature names (request-target), host, date and digest;
// Host is this host's; Date is within 5 minutes; Digest is the body's
// SHA-256; the keyId's actor document (fetched from Vantage with Accept
// activity+json) owns the key and the RSA-SHA256 signature verifies with it;
// the body is a Create whose actor is the key's owner. Anything else is a
// failure (answered 401 and printed). Arrival is the time the body was read.
//
// Prints `outbound: ...` lines and one `outbound_summary k=v ...` line.
import crypto from 'node:crypto';
import http from 'node:http';
import { AP_TYPE, call, cpuSeconds, dbCpuSeconds, digestOf, fmt, nowMs, parseSignatureHeader, percentile, signIn,
  signingString, startProfile, uploadPhoto } from './lib.mjs';

const [base, pidArg, username, password] = process.argv.slice(2);
if (!base || !pidArg || !username || !password) throw new Error('usage: outbound.mjs URL VANTAGE_PID USERNAME PASSWORD');
const pid = Number(pidArg);
const HOSTS = Number(process.env.HOSTS ?? 1000);
const FOLLOWERS = Number(process.env.FOLLOWERS ?? 10000);
const RECEIVER_BASE = Number(process.env.RECEIVER_BASE ?? 20000);
const GIVE_UP_S = Number(process.env.GIVE_UP_S ?? 60);
const KEY_FETCH = process.env.KEY_FETCH ?? 'shared';
const MAX_SKEW_S = 300;

// --- the receivers -------------------------------------------------------

const arrivals = [];   // {host, t, objectId, activityId}: verified deliveries
const failures = [];   // {host, reason}
const keyCache = new Map();  // (host or '') + keyId -> Promise<KeyObject>
let keyFetches = 0;

function fetchKey(keyId, host) {
  const cacheKey = (KEY_FETCH === 'per-host' ? host : '') + keyId;
  if (!keyCache.has(cacheKey)) {
    keyFetches++;
    const p = (async () => {
      const actorUrl = keyId.split('#')[0];
      const res = await fetch(actorUrl, { headers: { accept: AP_TYPE } });
      if (res.status !== 200) throw new Error(`actor ${actorUrl} answered ${res.status}`);
      const actor = await res.json();
      const key = actor.publicKey;
      if (!key || key.id !== keyId || key.owner !== actor.id) throw new Error(`the actor ${actorUrl} does not own ${keyId}`);
      return { owner: actor.id, key: crypto.createPublicKey(key.publicKeyPem) };
    })();
    p.catch(() => keyCache.delete(cacheKey));  // a failed fetch is tried again by the next request
    keyCache.set(cacheKey, p);
  }
  return keyCache.get(cacheKey);
}

async function verify(req, body, host) {
  if (req.method !== 'POST') throw new Error(`${req.method} ${req.url}`);
  if (req.url !== '/inbox') throw new Error(`POST to ${req.url}, not the shared inbox`);
  const h = req.headers;
  if (h.host !== host) throw new Error(`Host ${h.host}`);
  const sig = parseSignatureHeader(h.signature);
  if (!sig.signature || !sig.keyId) throw new Error('no signature');
  for (const need of ['(request-target)', 'host', 'date', 'digest']) {
    if (!sig.headers.includes(need)) throw new Error(`${need} not signed`);
  }
  if (sig.algorithm && !['rsa-sha256', 'hs2019'].includes(sig.algorithm)) throw new Error(`algorithm ${sig.algorithm}`);
  const skew = Math.abs(Date.now() - Date.parse(h.date)) / 1000;
  if (!(skew <= MAX_SKEW_S)) throw new Error(`Date ${h.date} is ${skew} s off`);
  if (h.digest !== digestOf(body)) throw new Error('Digest does not match the body');
  const { owner, key } = await fetchKey(sig.keyId, host);
  const str = signingString(sig.headers, req.method, req.url, h);
  if (!crypto.verify('sha256', Buffer.from(str), key, Buffer.from(sig.signature, 'base64'))) {
    throw new Error('the signature does not verify');
  }
  const activity = JSON.parse(body.toString('utf8'));
  if (activity.actor !== owner) throw new Error(`actor ${activity.actor} is not the signer ${owner}`);
  if (activity.type !== 'Create' || activity.object?.type !== 'Note') throw new Error(`a ${activity.type}, not a Create(Note)`);
  return activity;
}

function startHost(i) {
  const port = RECEIVER_BASE + i;
  const host = `127.0.0.1:${port}`;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const t = nowMs();
      try {
        const activity = await verify(req, Buffer.concat(chunks), host);
        arrivals.push({ host, t, objectId: activity.object.id, activityId: activity.id });
        res.writeHead(202).end();
      } catch (e) {
        failures.push({ host, reason: e.message });
        res.writeHead(401).end();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const servers = [];
for (let i = 0; i < HOSTS; i += 100) {
  servers.push(...await Promise.all(Array.from({ length: Math.min(100, HOSTS - i) }, (_, k) => startHost(i + k))));
}
console.log(`outbound: ${HOSTS} receiving hosts listening on 127.0.0.1:${RECEIVER_BASE}-${RECEIVER_BASE + HOSTS - 1} `
  + `(key fetch: ${KEY_FETCH})`);

// --- the post ------------------------------------------------------------

const token = await signIn(base, username, password);
// The account's key is made the first time it is needed, once in its life:
// have it made now rather than inside the timed delivery.
await fetch(new URL(`/users/${username}`, base), { headers: { accept: AP_TYPE } }).then((r) => r.arrayBuffer());
const mediaId = await uploadPhoto(base, token);
await new Promise((r) => setTimeout(r, 1000));

const idle0 = cpuSeconds(pid);
await new Promise((r) => setTimeout(r, 3000));
const idleRate = (cpuSeconds(pid) - idle0) / 3;  // CPU s per s with nothing to do

const stopProfile = startProfile(pid);
await new Promise((r) => setTimeout(r, process.env.PROFILE ? 500 : 0));  // perf attaches
const cpu0 = cpuSeconds(pid);
const own0 = process.cpuUsage();
const db0 = dbCpuSeconds();
const sent = nowMs();
const status = await call(base, 'POST', '/api/v1/statuses', {
  token, json: { status: 'Federation benchmark #bench', media_ids: [mediaId], visibility: 'public' },
});
const answered = nowMs();
const noteId = `${new URL(base).origin}/users/${username}/statuses/${status.id}`;
console.log(`outbound: posted ${noteId}; POST /api/v1/statuses took ${fmt(answered - sent)} ms`);

const firstAt = new Map();  // host -> first arrival of the note
let lastAt = NaN;
await new Promise((resolve) => {
  const tick = () => {
    for (const a of arrivals) {
      if (a.objectId === noteId && !firstAt.has(a.host)) firstAt.set(a.host, a.t);
    }
    if (firstAt.size >= HOSTS || nowMs() - answered > GIVE_UP_S * 1000) return resolve();
    setTimeout(tick, 5);
  };
  tick();
});
lastAt = firstAt.size ? Math.max(...firstAt.values()) : NaN;
// Let the server record the last deliveries as done (a transaction each
// after the answer) before reading its CPU time.
await new Promise((r) => setTimeout(r, 500));
const cpu = cpuSeconds(pid) - cpu0 - idleRate * (nowMs() - sent) / 1000;
const own = process.cpuUsage(own0);
const db = db0 === null ? null : dbCpuSeconds() - db0;
await stopProfile();
await new Promise((r) => setTimeout(r, 1000));  // late duplicates, if any

const ofNote = arrivals.filter((a) => a.objectId === noteId);
const deliveries = ofNote.length;
const delays = [...firstAt.values()].map((t) => t - answered).sort((a, b) => a - b);
const allS = (lastAt - answered) / 1000;
const firstS = firstAt.size ? (Math.min(...firstAt.values()) - answered) / 1000 : NaN;
console.log(`outbound: ${firstAt.size}/${HOSTS} hosts (${FOLLOWERS} followers) have the post; `
  + `${deliveries} verified deliveries of it (${deliveries - firstAt.size} duplicates), ${failures.length} failures, `
  + `${keyFetches} key fetches`);
console.log(`outbound: after the POST's answer: first ${fmt(firstS, 3)} s, p50 ${fmt(percentile(delays, 0.5) / 1000, 3)} s, `
  + `p99 ${fmt(percentile(delays, 0.99) / 1000, 3)} s, all ${fmt(allS, 3)} s (from the POST sent: ${fmt((lastAt - sent) / 1000, 3)} s)`);
console.log(`outbound: Vantage CPU ${fmt(cpu, 2)} s for the post and its deliveries (idle ${fmt(idleRate * 1000, 1)} ms/s `
  + `subtracted): ${fmt(cpu / Math.max(1, deliveries) * 1000, 2)} ms per delivery (the receiver: `
  + `${fmt((own.user + own.system) / 1e6, 2)} s${db === null ? '' : `, PostgreSQL: ${fmt(db, 2)} s`})`);
if (failures.length) {
  const byReason = new Map();
  for (const f of failures) byReason.set(f.reason, (byReason.get(f.reason) ?? 0) + 1);
  for (const [reason, n] of byReason) console.log(`outbound: failure x${n}: ${reason}`);
}
const other = arrivals.filter((a) => a.objectId !== noteId).length;
if (other) console.log(`outbound: ${other} other activities received`);
console.log(`outbound_summary hosts=${firstAt.size} of=${HOSTS} deliveries=${deliveries} failures=${failures.length} `
  + `all_s=${fmt(allS, 3)} p50_s=${fmt(percentile(delays, 0.5) / 1000, 3)} p99_s=${fmt(percentile(delays, 0.99) / 1000, 3)} `
  + `cpu_s=${fmt(cpu, 2)} cpu_ms_per_delivery=${fmt(cpu / Math.max(1, deliveries) * 1000, 2)} status_id=${status.id}`);
for (const s of servers) s.close();
process.exit(firstAt.size === HOSTS && failures.length === 0 ? 0 : 1);
