// GET /api/v2/search (accounts, hashtags, posts by hashtag) and
// GET /api/v1/tags/:name, against the real binary on either engine.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { noiseJpeg, postPhoto } from './lib/photos.mjs';
import { api, assertAccountShape, assertError, assertOk, register, startServer } from './lib/server.mjs';

let server;
let jpeg;  // one 16x16 noise JPEG that every post of this file carries
let alice; let bob; let blocked; let stranger;
let stem;
let pub; let unlisted; let priv; let archived;

// An account with exactly this username and display name; its id comes from
// update_credentials, which sets the display name.
async function user(username, displayName) {
  const u = await register(server, { username });
  const me = assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
    { token: u.token, json: { display_name: displayName ?? '' } }));
  return { ...u, id: me.id };
}
const newPost = (u, json) => postPhoto(server, u, json, jpeg);
const search = (query, u) => api(server, 'GET', `/api/v2/search?${query}`, { token: u?.token });

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
  jpeg = await noiseJpeg(16, 16);
  stem = `zq${crypto.randomBytes(3).toString('hex')}`;
  alice = await user(`${stem}_alice`, 'Alice Liddell');
  bob = await user(`${stem}_bob`, `Bobby ${stem}`);
  blocked = await user(`${stem}_blocked`);
  stranger = await user(`other_${crypto.randomBytes(3).toString('hex')}`, `${stem} Museum`);
  assertOk(await api(server, 'POST', `/api/v1/accounts/${blocked.id}/block`, { token: alice.token }));
  pub = await newPost(alice, { status: `at the #${stem}Harbour` });
  unlisted = await newPost(alice, { status: `#${stem}Harbour unlisted`, visibility: 'unlisted' });
  priv = await newPost(alice, { status: `#${stem}Harbour private`, visibility: 'private' });
  archived = await newPost(alice, { status: `#${stem}Harbour archived` });
  assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: alice.token }));
  await newPost(bob, { status: `#${stem}Hills` });
});
after(async () => {
  await server?.stop();
});

describe('GET /api/v2/search', () => {
  test('accounts by username or display name prefix, case-insensitively, exact username first', async () => {
    const res = assertOk(await search(`q=${stem.toUpperCase()}&type=accounts`));
    assert.deepEqual(Object.keys(res).sort(), ['accounts', 'hashtags', 'statuses']);
    const names = res.accounts.map((a) => a.username);
    assert.deepEqual(new Set(names), new Set([alice.username, bob.username, blocked.username, stranger.username]));
    res.accounts.forEach(assertAccountShape);
    assert.deepEqual(res.hashtags, []);
    assert.deepEqual(res.statuses, []);
    const exact = assertOk(await search(`q=@${bob.username}&type=accounts`));
    assert.equal(exact.accounts[0].username, bob.username);
    const { domain } = assertOk(await api(server, 'GET', '/api/v2/instance'));
    const local = assertOk(await search(`q=${encodeURIComponent(`${alice.username}@${domain}`)}&type=accounts`));
    assert.deepEqual(local.accounts.map((a) => a.username), [alice.username]);
    const remote = assertOk(await search(`q=${encodeURIComponent(`${alice.username}@elsewhere.example`)}&type=accounts`));
    assert.deepEqual(remote.accounts, [], 'remote accounts need federation');
    const byDisplay = assertOk(await search('q=alice%20lid&type=accounts'));
    assert.ok(byDisplay.accounts.some((a) => a.username === alice.username));
  });

  test('blocks hide accounts both ways', async () => {
    const forBlocked = assertOk(await search(`q=${stem}&type=accounts`, blocked)).accounts.map((a) => a.username);
    assert.ok(!forBlocked.includes(alice.username));
    const forAlice = assertOk(await search(`q=${stem}&type=accounts`, alice)).accounts.map((a) => a.username);
    assert.ok(!forAlice.includes(blocked.username));
  });

  test('limit and offset page accounts', async () => {
    const all = assertOk(await search(`q=${stem}&type=accounts`)).accounts.map((a) => a.id);
    const first = assertOk(await search(`q=${stem}&type=accounts&limit=2`)).accounts.map((a) => a.id);
    const rest = assertOk(await search(`q=${stem}&type=accounts&limit=2&offset=2`)).accounts.map((a) => a.id);
    assert.deepEqual([...first, ...rest], all);
  });

  test('hashtags by name prefix, shortest first', async () => {
    const res = assertOk(await search(`q=%23${stem}H&type=hashtags`));
    assert.deepEqual(res.hashtags.map((t) => t.name), [`${stem}Hills`, `${stem}Harbour`]);
    assert.match(res.hashtags[0].url, new RegExp(`/tags/${stem}Hills$`));
    assert.equal(res.hashtags[0].following, false);
    assert.ok(Array.isArray(res.hashtags[0].history));
    assert.deepEqual(res.accounts, []);
  });

  test('statuses: public posts carrying the hashtag, under the policy', async () => {
    const all = assertOk(await search(`q=%23${stem}harbour`));
    assert.deepEqual(all.statuses.map((s) => s.id), [pub.id]);
    assert.deepEqual(all.hashtags.map((t) => t.name), [`${stem}Harbour`]);
    assert.deepEqual(all.accounts, [], 'a #query names no account');
    for (const viewer of [undefined, alice, stranger]) {
      const res = assertOk(await search(`q=${stem}HARBOUR&type=statuses`, viewer));
      assert.deepEqual(res.statuses.map((s) => s.id), [pub.id]);
      for (const hidden of [unlisted, priv, archived]) assert.ok(!res.statuses.some((s) => s.id === hidden.id));
    }
    assert.deepEqual(assertOk(await search(`q=${stem}harbour&type=statuses`, blocked)).statuses, []);
    assert.deepEqual(assertOk(await search(`q=${stem}harbour&type=statuses&offset=1`)).statuses, []);
    assert.deepEqual(assertOk(await search('q=nosuchtag_anywhere&type=statuses')).statuses, []);
    // Without a # a plain search finds no statuses (full-text search is not offered).
    assert.deepEqual(assertOk(await search(`q=${stem}harbour`)).statuses, []);
  });

  test('bad parameters are refused naming the parameter', async () => {
    assertError(await search(''), 422, null, 'q');
    assertError(await search('q=%20%20'), 422, null, 'q');
    assertError(await search('type=accounts'), 422, null, 'q');
    assertError(await search('q=x&type=people'), 422, null, 'type');
    assertError(await search('q=x&limit=abc'), 422, null, 'limit');
    assertError(await search('q=x&offset=-1'), 422, null, 'offset');
    assertError(await search('q=x&offset=many'), 422, null, 'offset');
    assertError(await search('q=x&offset=1000000'), 422, null, 'offset');
    assertOk(await search('q=x&resolve=true'));
  });
});

describe('GET /api/v1/tags/:name', () => {
  test('the Tag entity by any case of its name; unknown tags are 404', async () => {
    const tag = assertOk(await api(server, 'GET', `/api/v1/tags/${stem.toUpperCase()}HILLS`));
    assert.equal(tag.name, `${stem}Hills`);
    assert.equal(tag.following, false);
    assert.match(tag.url, new RegExp(`/tags/${stem}Hills$`));
    assertError(await api(server, 'GET', '/api/v1/tags/never_seen_here'), 404, 'not_found');
  });
});
