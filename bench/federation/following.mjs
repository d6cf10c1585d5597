// The following half of the federation benchmark (issue 17): followed
// remote accounts post photo posts, and the time from each Create's receipt
// until the post, with its photos processed, is in a follower's home
// timeline; and the server's CPU per remote photo against a local upload of
// the same image.
//
//   node bench/federation/following.mjs URL VANTAGE_PID USERNAME PASSWORD KEYS_FILE
//
// Settings (environment): ACTORS, ACTOR_HOSTS, ACTOR_BASE (as seed.mjs; the
// first AUTHORS actors are the authors, which seed.mjs made USERNAME
// follow), AUTHORS (default 50), RATE (Creates per second, default 20),
// SECONDS (default 30), PHOTOS (per post, default 2), PHOTO_SIZE (WxH,
// default 1600x1200), PHOTO_PORT (the photo server, default 19999),
// UPLOADS (local uploads of the same images, default 40).
//
// Each Create is signed when sent, as its author, and sent to the shared
// inbox; its photos are distinct noise JPEGs (IMAGES of them, reused in
// turn) served by a loopback server. First USERNAME uploads the same images
// UPLOADS times, one at a time, on the idle server: its CPU per upload is
// compared with its CPU per remote photo (the server's CPU over the remote
// phase, divided by the photos of the posts that became ready). A poller
// reads USERNAME's home timeline every 200 ms, page by page down to the
// oldest post still waiting, and records when each post first shows with
// every photo ready.
//
// Prints `following: ...` lines and one `following_summary k=v ...` line.
import crypto from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { call, cpuSeconds, fmt, noiseJpeg, nowMs, percentile, signIn, signPost } from './lib.mjs';

const [base, pidArg, username, password, keysFile] = process.argv.slice(2);
if (!base || !pidArg || !username || !password || !keysFile) {
  throw new Error('usage: following.mjs URL VANTAGE_PID USERNAME PASSWORD KEYS_FILE');
}
const pid = Number(pidArg);
const ACTOR_HOSTS = Number(process.env.ACTOR_HOSTS ?? 200);
const ACTOR_BASE = Number(process.env.ACTOR_BASE ?? 21500);
const AUTHORS = Number(process.env.AUTHORS ?? 50);
const RATE = Number(process.env.RATE ?? 20);
const SECONDS = Number(process.env.SECONDS ?? 30);
const PHOTOS = Number(process.env.PHOTOS ?? 2);
const [W, H] = (process.env.PHOTO_SIZE ?? '1600x1200').split('x').map(Number);
const PHOTO_PORT = Number(process.env.PHOTO_PORT ?? 19999);
const UPLOADS = Number(process.env.UPLOADS ?? 40);
const IMAGES = Number(process.env.IMAGES ?? 40);

const pems = readFileSync(keysFile, 'utf8').split('\n').filter(Boolean).slice(0, AUTHORS)
  .map((l) => crypto.createPrivateKey(JSON.parse(l).privateKeyPem));
if (pems.length < AUTHORS) throw new Error(`${AUTHORS} authors need as many keys`);
const actorOf = (a) => `http://127.0.0.1:${ACTOR_BASE + (a % ACTOR_HOSTS)}/users/liker${a}`;

console.log(`following: making ${IMAGES} ${W}x${H} noise JPEGs`);
const images = Array.from({ length: IMAGES }, () => noiseJpeg(W, H));
const photoServer = http.createServer((req, res) => {
  const i = Number(/^\/photo\/(\d+)\.jpg$/.exec(req.url)?.[1] ?? -1) % IMAGES;
  if (!(i >= 0)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': images[i].length }).end(images[i]);
});
await new Promise((resolve) => photoServer.listen(PHOTO_PORT, '127.0.0.1', resolve));

const token = await signIn(base, username, password);
const inbox = new URL('/inbox', base).href;
const runId = crypto.randomUUID().slice(0, 8);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(inbox, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sent = new Map();  // note id -> {at, statusId, readyAt}
const total = RATE * SECONDS;
let photoCounter = 0;
let refused = 0;

async function sendOne(k) {
  const a = k % AUTHORS;
  const actor = actorOf(a);
  const id = `${actor}/statuses/${runId}-${k}`;
  const attachment = Array.from({ length: PHOTOS }, () => ({
    type: 'Document', mediaType: 'image/jpeg', url: `http://127.0.0.1:${PHOTO_PORT}/photo/${photoCounter++}.jpg`,
    name: `Photo ${k}`,
  }));
  const note = {
    id, type: 'Note', attributedTo: actor, content: `<p>Post ${k} of the benchmark</p>`,
    published: new Date().toISOString(), to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: [`${actor}/followers`], attachment,
  };
  const body = JSON.stringify({
    '@context': 'https://www.w3.org/ns/activitystreams', id: `${id}/activity`, type: 'Create', actor,
    to: note.to, cc: note.cc, object: note,
  });
  const headers = signPost(inbox, body, `${actor}#main-key`, pems[a]);
  const entry = { at: nowMs(), statusId: null, readyAt: null };
  sent.set(id, entry);
  const status = await post(body, headers);
  if (status !== 202) refused++;
}

const ready = (s) => s.media_attachments.length === PHOTOS && s.media_attachments.every((m) => m.vantage?.state === 'ready');
function record(s) {
  const entry = sent.get(s.uri);
  if (!entry || entry.readyAt) return;
  entry.statusId = s.id;
  if (ready(s)) entry.readyAt = nowMs();
}

let polling = true;
async function poll() {
  while (polling) {
    const started = nowMs();
    try {
      // The home timeline, page by page, down to the oldest post still
      // waiting for its photos (a few requests a round however long the
      // backlog, so the reader's polling does not grow with it).
      const waiting = [...sent.values()].filter((e) => e.statusId && !e.readyAt).map((e) => BigInt(e.statusId));
      const oldest = waiting.length ? waiting.reduce((a, b) => (a < b ? a : b)) : null;
      let maxId = '';
      for (;;) {
        const page = await call(base, 'GET', `/api/v1/timelines/home?limit=40${maxId ? `&max_id=${maxId}` : ''}`, { token });
        for (const s of page) record(s);
        if (page.length < 40 || oldest === null || BigInt(page[page.length - 1].id) <= oldest) break;
        maxId = page[page.length - 1].id;
      }
    } catch (err) {
      console.log(`following: poll failed: ${err.message}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 200 - (nowMs() - started))));
  }
}

// Local uploads of the same images, one at a time, for the CPU per photo:
// first, while the server has nothing else to do.
const uploadCpuBefore = cpuSeconds(pid);
for (let i = 0; i < UPLOADS; i++) {
  const form = new FormData();
  form.append('file', new Blob([images[i % IMAGES]], { type: 'image/jpeg' }), 'photo.jpg');
  await call(base, 'POST', '/api/v2/media', { token, body: form, ok: [200] });
}
const cpuUpload = (cpuSeconds(pid) - uploadCpuBefore) / UPLOADS;

const cpuBefore = cpuSeconds(pid);
const started = nowMs();
const poller = poll();
const sends = [];
for (let k = 0; k < total; k++) {
  const due = started + (k * 1000) / RATE;
  const wait = due - nowMs();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sends.push(sendOne(k));
}
await Promise.all(sends);
const deadline = nowMs() + 60_000;
while ([...sent.values()].some((e) => !e.readyAt) && nowMs() < deadline) await new Promise((r) => setTimeout(r, 200));
polling = false;
await poller;
const cpuRemote = cpuSeconds(pid) - cpuBefore;
const elapsed = (nowMs() - started) / 1000;

const latencies = [...sent.values()].filter((e) => e.readyAt).map((e) => e.readyAt - e.at).sort((x, y) => x - y);
const missing = total - latencies.length;
// The photos the server processed (those of posts not ready may be part
// done: counting only the ready ones overstates the cost a little).
const remotePhotos = Math.max(1, latencies.length * PHOTOS);
const cpuPerRemote = cpuRemote / remotePhotos;

console.log(`following: ${total} Creates with ${PHOTOS} ${W}x${H} photos from ${AUTHORS} accounts at ${RATE}/s in ${fmt(elapsed)} s; ${refused} refused; ${missing} not ready within 60 s of the last`);
console.log(`following: receipt -> in the home timeline with photos processed: p50 ${fmt(percentile(latencies, 0.5), 0)} ms, p99 ${fmt(percentile(latencies, 0.99), 0)} ms, max ${fmt(latencies.at(-1), 0)} ms`);
console.log(`following: server CPU ${fmt(cpuRemote)} s: ${fmt(cpuPerRemote * 1000)} ms per remote photo (the post, its fetch and pipeline, the reader's polling); a local upload of the same image: ${fmt(cpuUpload * 1000)} ms (ratio ${fmt(cpuPerRemote / cpuUpload, 2)})`);
console.log(`following_summary creates=${total} refused=${refused} missing=${missing} p50_ms=${fmt(percentile(latencies, 0.5), 0)} p99_ms=${fmt(percentile(latencies, 0.99), 0)} cpu_ms_per_remote_photo=${fmt(cpuPerRemote * 1000)} cpu_ms_per_upload=${fmt(cpuUpload * 1000)}`);
photoServer.close();
agent.destroy();
process.exit(missing === 0 && refused === 0 ? 0 : 1);
