// Uploads through the real server (issue 4, section 7): memory per concurrent
// upload, a burst of concurrent uploads queueing on the CPU pool, and whether
// memory returns near its idle level afterwards. Run from the repository root:
//
//   bench/media/uploads.sh           (builds Release, runs this twice: glibc
//                                     defaults and MALLOC_ARENA_MAX=2)
//   node bench/media/uploads.mjs BIN INPUT.jpg [CONCURRENCY] [CPU_THREADS]
//
// Samples the server's VmRSS from /proc every 20 ms and its CPU time from
// /proc/PID/stat. Prints one JSON line of results.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [bin, input, concurrencyArg = '16', cpuThreadsArg = '2'] = process.argv.slice(2);
if (!bin || !input) {
  console.error('usage: node bench/media/uploads.mjs BIN INPUT.jpg [CONCURRENCY] [CPU_THREADS]');
  process.exit(2);
}
const CONCURRENCY = Number(concurrencyArg);
const CPU_THREADS = Number(cpuThreadsArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;  // utime + stime, in clock ticks (100 Hz)
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'vantage-upload-bench-'));
const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--access-log', 'off',
  '--cpu-threads', String(CPU_THREADS), '--pool-wait-ms', '120000', '--read-timeout', '120'],
{ stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
});

async function post(url, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + url, { method: 'POST', headers, body: JSON.stringify(body) });
  return res.json();
}
const app = await post('/api/v1/apps', { client_name: 'bench', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
const appToken = (await post('/oauth/token', { grant_type: 'client_credentials', client_id: app.client_id,
  client_secret: app.client_secret, scope: 'read write' })).access_token;
const { access_token: token } = await post('/api/v1/accounts', { username: 'bench', email: 'bench@example.org',
  password: 'a-long-bench-password', agreement: true }, appToken);

const bytes = await readFile(input);
async function upload() {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  const started = performance.now();
  const res = await fetch(`${base}/api/v2/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

// Peak RSS while `fn` runs.
async function peakDuring(fn) {
  let peak = rssMb(server.pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, rssMb(server.pid));
      await sleep(20);
    }
  })();
  const result = await fn();
  running = false;
  await sampler;
  return { peak, result };
}

const pid = server.pid;
const startRss = rssMb(pid);
await upload();  // warm-up: libvips' first use
await sleep(1000);
const idle = rssMb(pid);

const single = await peakDuring(() => upload());
await sleep(1000);

const cpuBefore = cpuSeconds(pid);
const wallStart = performance.now();
const burst = await peakDuring(() => Promise.all(Array.from({ length: CONCURRENCY }, upload)));
const wall = (performance.now() - wallStart) / 1000;
const cpu = cpuSeconds(pid) - cpuBefore;
const afterBurst = rssMb(pid);
await sleep(3000);
const settled = rssMb(pid);

const latencies = burst.result.map((r) => r.ms).sort((a, b) => a - b);
const statuses = {};
for (const r of burst.result) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
const running = Math.min(CONCURRENCY, CPU_THREADS);
const round = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({
  malloc_arena_max: process.env.MALLOC_ARENA_MAX ?? 'default',
  input_bytes: bytes.length,
  cpu_threads: CPU_THREADS,
  concurrency: CONCURRENCY,
  rss_mb: { at_start: round(startRss), idle_after_warmup: round(idle), peak_one_upload: round(single.peak),
    peak_burst: round(burst.peak), right_after_burst: round(afterBurst), settled_3s_later: round(settled) },
  growth_mb_one_upload: round(single.peak - idle),
  growth_mb_per_concurrent_upload: round((burst.peak - idle) / CONCURRENCY),
  growth_mb_per_running_upload_in_burst: round((burst.peak - idle) / running),
  not_returned_mb: round(settled - idle),
  burst_statuses: statuses,
  burst_wall_s: round(wall),
  cpu_s_per_upload: Math.round((cpu / CONCURRENCY) * 1000) / 1000,
  latency_ms: { min: Math.round(latencies[0]), median: Math.round(latencies[latencies.length >> 1]),
    max: Math.round(latencies[latencies.length - 1]) },
}));

server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
await rm(dataDir, { recursive: true, force: true });
