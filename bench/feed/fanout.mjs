// How long a post by `official` takes to appear in its followers' home
// timelines, measured from the 200 of POST /api/v1/statuses.
//
//   node bench/feed/fanout.mjs URL PASSWORD FOLLOWERS
//
// Signs in FOLLOWERS ordinary accounts picked at random (every account
// follows official), posts a photo as official, then has every follower poll
// GET /api/v1/timelines/home?limit=5 back to back until the post is there.
// Prints each follower's delay summarised (p50, p99, max) and deletes the
// post afterwards, so the network stays as seeded.
import assert from 'node:assert/strict';

const [url, password, countArg] = process.argv.slice(2);
const followers = Number(countArg ?? 200);
assert.ok(url && password && followers > 0, 'usage: fanout.mjs URL PASSWORD FOLLOWERS');
const GIVE_UP_MS = 30_000;

async function call(method, urlPath, { token, json, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(urlPath, url), { method, headers, body: json ? JSON.stringify(json) : body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${urlPath}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const app = await call('POST', '/api/v1/apps', {
  json: { client_name: 'bench/feed fan-out', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' },
});
const signIn = async (username) => (await call('POST', '/oauth/token', {
  json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username, password,
    scope: 'read write' },
})).access_token;

const official = await call('GET', '/api/v1/accounts/lookup?acct=official');
const accounts = official.followers_count + 1;
// Ordinary accounts are user3 .. user(N-1); pick distinct ones.
const picked = new Set();
while (picked.size < Math.min(followers, accounts - 3)) picked.add(3 + Math.floor(Math.random() * (accounts - 3)));
const tokens = [];
for (const batch of chunk([...picked], 8)) tokens.push(...await Promise.all(batch.map((n) => signIn(`user${n}`))));

// A photo to post: one of official's own, as served.
const officialToken = await signIn('official');
const [latest] = await call('GET', `/api/v1/accounts/${official.id}/statuses?limit=1&exclude_replies=true`);
const photo = await fetch(latest.media_attachments[0].url);
const type = photo.headers.get('content-type');
const form = new FormData();
form.append('file', new Blob([await photo.arrayBuffer()], { type }), `photo.${type.split('/')[1]}`);
const media = await call('POST', '/api/v2/media', { token: officialToken, body: form });
for (let i = 0; (await fetch(new URL(`/api/v1/media/${media.id}`, url), {
  headers: { authorization: `Bearer ${officialToken}` },
})).status !== 200; i++) {
  assert.ok(i < 100, 'the upload never became ready');
  await new Promise((r) => setTimeout(r, 100));
}

const post = await call('POST', '/api/v1/statuses', {
  token: officialToken, json: { status: 'Fan-out check #bench', media_ids: [media.id] },
});
const posted = performance.now();
const delays = await Promise.all(tokens.map(async (token) => {
  for (;;) {
    const home = await call('GET', '/api/v1/timelines/home?limit=5', { token });
    const now = performance.now();
    if (home.some((s) => s.id === post.id)) return now - posted;
    if (now - posted > GIVE_UP_MS) return Infinity;
  }
}));
await call('DELETE', `/api/v1/statuses/${post.id}`, { token: officialToken });

delays.sort((a, b) => a - b);
const at = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : `>${GIVE_UP_MS}`);
console.log(`fan-out: post ${post.id} by official seen by ${delays.filter(Number.isFinite).length}/${delays.length} `
  + `followers; delay after its 200: p50 ${ms(at(0.5))} ms, p99 ${ms(at(0.99))} ms, max ${ms(delays.at(-1))} ms`);
console.log(`fanout_max_ms ${ms(delays.at(-1))}`);

function chunk(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
