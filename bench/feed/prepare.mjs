// Sign-ins and targets for bench/feed/run.sh, against a server on a seeded
// network (vantage seed).
//
//   node bench/feed/prepare.mjs URL PASSWORD ROOT
//
// Signs in as `typical` and `heavy` (password grant), picks the endpoints
// under test, fetches each response once with the token wrk will send and
// writes those exact bytes under ROOT (the directory nginx serves). Prints
// one line per target: NAME PATH TOKEN BYTES, and one "# ..." line saying
// what was picked.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const [url, password, root] = process.argv.slice(2);
assert.ok(url && password && root, 'usage: prepare.mjs URL PASSWORD ROOT');

async function call(method, urlPath, { token, json } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(urlPath, url), { method, headers, body: json ? JSON.stringify(json) : undefined });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${method} ${urlPath}: ${res.status} ${bytes.toString().slice(0, 300)}`);
  return { bytes, json: JSON.parse(bytes.toString('utf8')) };
}

const app = (await call('POST', '/api/v1/apps', {
  json: { client_name: 'bench/feed', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' },
})).json;
async function signIn(username) {
  const token = await call('POST', '/oauth/token', {
    json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username, password,
      scope: 'read write' },
  });
  return token.json.access_token;
}

const typical = await signIn('typical');
const heavy = await signIn('heavy');
const official = (await call('GET', '/api/v1/accounts/lookup?acct=official')).json;
// The context of an ordinary post with a few comments, as most are: the
// newest one in heavy's home timeline not by official with 3 to 20.
const heavyHome = (await call('GET', '/api/v1/timelines/home?limit=40', { token: heavy })).json;
const commented = heavyHome.find((s) => s.account.id !== official.id && s.replies_count >= 3 && s.replies_count <= 20)
  ?? heavyHome.find((s) => s.replies_count > 0);
assert.ok(commented, 'no post with comments in the first page of heavy\'s home timeline');

const targets = [
  ['home-typical', '/api/v1/timelines/home', typical],
  ['home-heavy', '/api/v1/timelines/home', heavy],
  ['account-statuses', `/api/v1/accounts/${official.id}/statuses`, typical],
  ['context', `/api/v1/statuses/${commented.id}/context`, typical],
];
console.log(`# context of status ${commented.id} (${commented.replies_count} comments, ${commented.favourites_count} likes); `
  + `official has ${official.followers_count} followers and ${official.statuses_count} statuses`);
for (const [name, urlPath, token] of targets) {
  const { bytes } = await call('GET', urlPath, { token });
  const file = path.join(root, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  console.log(`${name} ${urlPath} ${token} ${bytes.length}`);
}
