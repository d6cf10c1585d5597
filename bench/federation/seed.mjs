// SQL (on standard output) that seeds the remote side of the federation
// benchmark into a database `vantage admin create-account` made, for
// sqlite3 or psql; run it while no server uses the database.
//
//   node bench/federation/seed.mjs > seed.sql
//
// Settings (environment):
//   OFFICIAL_ID FOLLOWERS HOSTS RECEIVER_BASE  FOLLOWERS remote accounts on HOSTS
//       hosts (127.0.0.1:RECEIVER_BASE .. +HOSTS-1, follower i on host i % HOSTS),
//       each following OFFICIAL_ID, with its host's shared inbox; they share one
//       key (outbound only needs a valid one).
//   ACTORS ACTOR_HOSTS ACTOR_BASE KEYS_FILE  ACTORS remote accounts on ACTOR_HOSTS
//       hosts from 127.0.0.1:ACTOR_BASE, each with its own public key (line i of
//       KEYS_FILE), that follow nobody: the signers of the inbound Likes.
//   FEED_PULL_FOLLOWERS  the server's --feed-pull-followers (official becomes
//       feed_pull at that many followers, as a follow would have made it).
//   READER_ID AUTHORS  the local account READER_ID follows the first AUTHORS
//       actors (accepted): the authors of the following phase's posts.
//
// Remote accounts are what a fetched actor becomes (docs/federation.md,
// "Remote accounts"): an accounts row with domain and url and an empty
// password hash, and a remote_actors row with the actor id, inboxes and key.
import { readFileSync } from 'node:fs';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`seed.mjs: ${name} is not set`);
  return v;
};
const officialId = BigInt(env('OFFICIAL_ID'));
const followers = Number(env('FOLLOWERS'));
const hosts = Number(env('HOSTS'));
const receiverBase = Number(env('RECEIVER_BASE'));
const actors = Number(env('ACTORS'));
const actorHosts = Number(env('ACTOR_HOSTS'));
const actorBase = Number(env('ACTOR_BASE'));
const feedPull = Number(env('FEED_PULL_FOLLOWERS', '10000'));
const readerId = process.env.READER_ID ? BigInt(process.env.READER_ID) : null;
const authors = readerId ? Math.min(Number(env('AUTHORS', '50')), actors) : 0;
const keys = readFileSync(env('KEYS_FILE'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
if (keys.length < Math.max(1, actors)) throw new Error(`seed.mjs: ${actors} actors need as many keys; the file has ${keys.length}`);

// Ids far above what the server's generator gives (time-based, ~2^58 now).
const BASE = 1n << 62n;
const followerId = (i) => BASE + BigInt(i);
const actorId = (i) => BASE + 1_000_000_000n + BigInt(i);
const followId = (i) => BASE + 2_000_000_000n + BigInt(i);
const now = Date.now();
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

const out = [];
function insert(table, columns, rows) {
  for (let i = 0; i < rows.length; i += 500) {
    out.push(`INSERT INTO ${table} (${columns}) VALUES\n${rows.slice(i, i + 500).map((r) => `(${r.join(', ')})`).join(',\n')};`);
  }
}

const accounts = [];
const remote = [];
const follows = [];
function remoteAccount(id, name, host, pem, followingCount) {
  const actor = `http://${host}/users/${name}`;
  accounts.push([id, q(`${name}@${host}`), q(host), q(`http://${host}/@${name}`), "''", now, now, followingCount]);
  remote.push([id, q(actor), q(`${actor}/inbox`), q(`http://${host}/inbox`), q(`${actor}/followers`),
    q(`${actor}#main-key`), q(pem), now]);
}
for (let i = 0; i < followers; i++) {
  remoteAccount(followerId(i), `f${i}`, `127.0.0.1:${receiverBase + (i % hosts)}`, keys[0].publicKeyPem, 1);
  follows.push([followId(i), followerId(i), officialId, now]);
}
for (let i = 0; i < actors; i++) {
  remoteAccount(actorId(i), `liker${i}`, `127.0.0.1:${actorBase + (i % actorHosts)}`, keys[i].publicKeyPem, 0);
}
const authorFollows = [];
for (let i = 0; i < authors; i++) authorFollows.push([BASE + 3_000_000_000n + BigInt(i), readerId, actorId(i), now]);

out.push('BEGIN;');
insert('accounts', 'id, username, domain, url, password_hash, created_at, updated_at, following_count', accounts);
insert('remote_actors', 'account_id, uri, inbox, shared_inbox, followers_uri, key_id, public_key_pem, fetched_at', remote);
insert('follows', 'id, account_id, target_account_id, created_at', follows);
out.push(`UPDATE accounts SET followers_count = followers_count + ${followers}, `
  + `feed_pull = CASE WHEN followers_count + ${followers} >= ${feedPull} THEN 1 ELSE feed_pull END WHERE id = ${officialId};`);
if (authorFollows.length) {
  insert('follows', 'id, account_id, target_account_id, created_at', authorFollows);
  out.push(`UPDATE accounts SET following_count = following_count + ${authors} WHERE id = ${readerId};`);
  out.push(`UPDATE accounts SET followers_count = 1 WHERE id >= ${actorId(0)} AND id < ${actorId(authors)};`);
}
out.push('COMMIT;');
console.log(out.join('\n'));
