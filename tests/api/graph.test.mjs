// The social graph: follow/unfollow (and requests to locked accounts), follow
// requests, followers and following, relationships, blocks and mutes, against
// the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { linkHeader, postPhoto, registerUser } from './lib/photos.mjs';
import {
  api, assertAccountShape, assertError, assertOk, passwordToken, startServer,
} from './lib/server.mjs';

let server;

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '10000']);
});
after(async () => {
  await server?.stop();
});

// Publishes a photo post (a fresh small JPEG of noise each time); returns its id.
const photoPost = async (u) => (await postPhoto(server, u)).id;

// A fresh account: {token, id, username, password, app}.
const user = (prefix = 'user') => registerUser(server, prefix);

async function account(id, token) {
  return assertOk(await api(server, 'GET', `/api/v1/accounts/${id}`, { token }));
}

const post = (u, path, opts = {}) => api(server, 'POST', path, { token: u.token, ...opts });
const get = (u, path) => api(server, 'GET', path, { token: u?.token });

const RELATIONSHIP_KEYS = ['blocked_by', 'blocking', 'domain_blocking', 'endorsed', 'followed_by', 'following',
  'id', 'languages', 'muting', 'muting_notifications', 'note', 'notifying', 'requested', 'requested_by',
  'showing_reblogs'].sort();

function assertRelationship(r, id) {
  assert.deepEqual(Object.keys(r).sort(), RELATIONSHIP_KEYS, JSON.stringify(r));
  assert.equal(r.id, id);
  for (const key of RELATIONSHIP_KEYS)
    if (!['id', 'languages', 'note'].includes(key)) assert.equal(typeof r[key], 'boolean', key);
  assert.equal(r.languages, null);
  assert.equal(r.note, '');
  return r;
}

async function lock(u, locked = true) {
  assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
    { token: u.token, json: { locked } }));
}

describe('follow and unfollow', () => {
  test('following a public account is immediate, idempotent and counted once; any body shape', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const r = assertRelationship(assertOk(await post(alice, `/api/v1/accounts/${bob.id}/follow`)), bob.id);
    assert.equal(r.following, true);
    assert.equal(r.requested, false);
    assert.equal(r.showing_reblogs, true);
    assert.equal(r.followed_by, false);
    // Again, with a JSON `{}` and with a form: still one follow.
    assertOk(await post(alice, `/api/v1/accounts/${bob.id}/follow`, { json: {} }));
    assertOk(await post(alice, `/api/v1/accounts/${bob.id}/follow`, { form: { reblogs: 'true' } }));
    assert.equal((await account(bob.id)).followers_count, 1);
    assert.equal((await account(alice.id)).following_count, 1);
    const back = assertRelationship(assertOk(await get(bob, `/api/v1/accounts/relationships?id[]=${alice.id}`))[0],
      alice.id);
    assert.equal(back.followed_by, true);
    assert.equal(back.following, false);

    const un = assertRelationship(assertOk(await post(alice, `/api/v1/accounts/${bob.id}/unfollow`)), bob.id);
    assert.equal(un.following, false);
    assertOk(await post(alice, `/api/v1/accounts/${bob.id}/unfollow`, { json: {} }));
    assert.equal((await account(bob.id)).followers_count, 0);
    assert.equal((await account(alice.id)).following_count, 0);
  });

  test('unhappy paths: yourself, unknown and malformed ids, signed out, wrong scope', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    for (const action of ['follow', 'unfollow', 'block', 'unblock', 'mute', 'unmute'])
      assertError(await post(alice, `/api/v1/accounts/${alice.id}/${action}`), 422, 'self', 'id');
    for (const action of ['follow', 'unfollow', 'block', 'unblock', 'mute', 'unmute']) {
      assertError(await post(alice, `/api/v1/accounts/999999999999/${action}`), 404, 'not_found');
      assertError(await post(alice, `/api/v1/accounts/not-an-id/${action}`), 404, 'not_found');
      assertError(await api(server, 'POST', `/api/v1/accounts/${bob.id}/${action}`), 401);
    }
    const readOnly = await passwordToken(server, alice.app, alice.username, alice.password, 'read');
    for (const action of ['follow', 'unfollow', 'block', 'unblock', 'mute', 'unmute'])
      assertError(await api(server, 'POST', `/api/v1/accounts/${bob.id}/${action}`, { token: readOnly }), 403);
    // write:follows does not cover blocks or mutes; `follow` covers all three.
    const follows = await passwordToken(server, alice.app, alice.username, alice.password, 'write:follows');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${bob.id}/follow`, { token: follows }));
    assertError(await api(server, 'POST', `/api/v1/accounts/${bob.id}/block`, { token: follows }), 403);
    assertError(await api(server, 'POST', `/api/v1/accounts/${bob.id}/mute`, { token: follows }), 403);
    const legacy = await passwordToken(server, alice.app, alice.username, alice.password, 'follow');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${bob.id}/mute`, { token: legacy }));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${bob.id}/unmute`, { token: legacy }));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${bob.id}/unfollow`, { token: legacy }));
    // A malformed body is refused, not ignored, where a body is read.
    assertError(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: '{"notifications":' }), 400);
    assertError(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: { notifications: 'maybe' } }), 422,
      null, 'notifications');
    assertError(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: { duration: '3600' } }), 422,
      'unsupported', 'duration');
    assertError(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: { duration: 3600 } }), 422,
      'unsupported', 'duration');
    assertError(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: { duration: 'soon' } }), 422,
      null, 'duration');
    // Mastodon's web client sends the number 0 as JSON.
    const muted = assertOk(await post(alice, `/api/v1/accounts/${bob.id}/mute`, { json: { notifications: true, duration: 0 } }));
    assert.equal(muted.muting, true);
  });
});

describe('locked accounts and follow requests', () => {
  test('a follow becomes a request; authorize turns it into a follow', async () => {
    const carol = await user('carol');
    const dave = await user('dave');
    const erin = await user('erin');
    await lock(carol);
    const r = assertRelationship(assertOk(await post(dave, `/api/v1/accounts/${carol.id}/follow`)), carol.id);
    assert.equal(r.following, false);
    assert.equal(r.requested, true);
    assertOk(await post(dave, `/api/v1/accounts/${carol.id}/follow`));  // still one request
    assertOk(await post(erin, `/api/v1/accounts/${carol.id}/follow`));
    assert.equal((await account(carol.id)).followers_count, 0);

    const res = await get(carol, '/api/v1/follow_requests');
    const requests = assertOk(res);
    assert.deepEqual(requests.map((a) => a.id), [erin.id, dave.id]);
    const pending = async () => assertOk(await get(carol, '/api/v1/accounts/verify_credentials')).source
      .follow_requests_count;
    assert.equal(await pending(), 2);
    requests.forEach(assertAccountShape);
    assert.equal(assertOk(await get(carol, `/api/v1/accounts/relationships?id=${dave.id}`))[0].requested_by, true);

    const ok = assertRelationship(assertOk(await post(carol, `/api/v1/follow_requests/${dave.id}/authorize`)),
      dave.id);
    assert.equal(ok.followed_by, true);
    assert.equal(ok.requested_by, false);
    assert.equal((await account(carol.id)).followers_count, 1);
    assert.equal((await account(dave.id)).following_count, 1);
    assertError(await post(carol, `/api/v1/follow_requests/${dave.id}/authorize`), 404, 'not_found');
    assert.equal(await pending(), 1);

    const no = assertRelationship(assertOk(await post(carol, `/api/v1/follow_requests/${erin.id}/reject`)), erin.id);
    assert.equal(no.requested_by, false);
    assert.equal(no.followed_by, false);
    assertError(await post(carol, `/api/v1/follow_requests/${erin.id}/reject`), 404, 'not_found');
    assert.deepEqual(assertOk(await get(carol, '/api/v1/follow_requests')), []);
    assert.equal(await pending(), 0);
    assert.equal((await account(carol.id)).followers_count, 1);
  });

  test('unfollow withdraws a request; requests answer only their target; errors', async () => {
    const carol = await user('carol');
    const dave = await user('dave');
    await lock(carol);
    assertOk(await post(dave, `/api/v1/accounts/${carol.id}/follow`));
    // Dave cannot authorize his own request to Carol.
    assertError(await post(dave, `/api/v1/follow_requests/${carol.id}/authorize`), 404, 'not_found');
    const r = assertOk(await post(dave, `/api/v1/accounts/${carol.id}/unfollow`));
    assert.equal(r.requested, false);
    assert.deepEqual(assertOk(await get(carol, '/api/v1/follow_requests')), []);
    assertError(await post(carol, `/api/v1/follow_requests/${dave.id}/authorize`), 404, 'not_found');
    assertError(await post(carol, '/api/v1/follow_requests/nope/authorize'), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/follow_requests'), 401);
    assertError(await api(server, 'POST', `/api/v1/follow_requests/${dave.id}/reject`), 401);
    const readOnly = await passwordToken(server, carol.app, carol.username, carol.password, 'read:accounts');
    assertError(await api(server, 'GET', '/api/v1/follow_requests', { token: readOnly }), 403);
  });

  test('unlocking an account accepts its pending requests', async () => {
    const carol = await user('carol');
    const dave = await user('dave');
    const erin = await user('erin');
    await lock(carol);
    assertOk(await post(dave, `/api/v1/accounts/${carol.id}/follow`));
    assertOk(await post(erin, `/api/v1/accounts/${carol.id}/follow`));
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: carol.token, json: { locked: false } });
    const me = assertOk(res);
    assert.equal(me.locked, false);
    assert.equal(me.followers_count, 2);
    assert.deepEqual(assertOk(await get(carol, '/api/v1/follow_requests')), []);
    for (const u of [dave, erin]) {
      const r = assertOk(await get(u, `/api/v1/accounts/relationships?id[]=${carol.id}`))[0];
      assert.equal(r.following, true);
      assert.equal(r.requested, false);
      assert.equal((await account(u.id)).following_count, 1);
    }
    // Unlocked, a follow is immediate.
    const frank = await user('frank');
    assert.equal(assertOk(await post(frank, `/api/v1/accounts/${carol.id}/follow`)).following, true);
  });
});

describe('notifications written with the graph', () => {
  // [type, from] of the account's notifications, newest first.
  async function notified(u) {
    const list = assertOk(await get(u, '/api/v1/notifications'));
    return list.map((n) => [n.type, n.account.id]);
  }

  test('a follow notifies once; a request notifies and turns into a follow when authorized', async () => {
    const nina = await user('nina');
    const omar = await user('omar');
    const pia = await user('pia');
    assertOk(await post(omar, `/api/v1/accounts/${nina.id}/follow`));
    assertOk(await post(omar, `/api/v1/accounts/${nina.id}/unfollow`));
    assertOk(await post(omar, `/api/v1/accounts/${nina.id}/follow`));
    assert.deepEqual(await notified(nina), [['follow', omar.id]]);

    await lock(nina);
    assertOk(await post(pia, `/api/v1/accounts/${nina.id}/follow`));
    assert.deepEqual(await notified(nina), [['follow_request', pia.id], ['follow', omar.id]]);
    assertOk(await post(nina, `/api/v1/follow_requests/${pia.id}/authorize`));
    assert.deepEqual(await notified(nina), [['follow', pia.id], ['follow', omar.id]]);

    // A withdrawn request takes its notification with it.
    const quinn = await user('quinn');
    assertOk(await post(quinn, `/api/v1/accounts/${nina.id}/follow`));
    assert.equal((await notified(nina))[0][0], 'follow_request');
    assertOk(await post(quinn, `/api/v1/accounts/${nina.id}/unfollow`));
    assert.deepEqual(await notified(nina), [['follow', pia.id], ['follow', omar.id]]);
  });
});

describe('home timeline after a follow', () => {
  test("a new follow (direct or authorized) brings the followee's earlier posts home", async () => {
    const rae = await user('rae');
    const sol = await user('sol');
    const tam = await user('tam');
    const first = await photoPost(sol);
    const second = await photoPost(sol);
    await lock(tam);
    const locked = await photoPost(tam);
    const home = async () => assertOk(await get(rae, '/api/v1/timelines/home')).map((st) => st.id);
    assert.deepEqual(await home(), []);
    assertOk(await post(rae, `/api/v1/accounts/${sol.id}/follow`));
    assert.deepEqual(await home(), [second, first]);
    assertOk(await post(rae, `/api/v1/accounts/${tam.id}/follow`));
    assert.deepEqual(await home(), [second, first]);  // only requested
    assertOk(await post(tam, `/api/v1/follow_requests/${rae.id}/authorize`));
    assert.deepEqual(await home(), [locked, second, first]);
    // Unfollowing takes them out again, with no inbox rewrite.
    assertOk(await post(rae, `/api/v1/accounts/${sol.id}/unfollow`));
    assert.deepEqual(await home(), [locked]);
  });
});

describe('blocks', () => {
  test('a block removes follows and requests both ways, counters included, and hides the blocker', async () => {
    const frank = await user('frank');
    const gina = await user('gina');
    const hal = await user('hal');
    assertOk(await post(frank, `/api/v1/accounts/${gina.id}/follow`));
    assertOk(await post(gina, `/api/v1/accounts/${frank.id}/follow`));
    assertOk(await post(hal, `/api/v1/accounts/${frank.id}/follow`));
    assert.equal((await account(frank.id)).followers_count, 2);

    const r = assertRelationship(assertOk(await post(frank, `/api/v1/accounts/${gina.id}/block`)), gina.id);
    assert.equal(r.blocking, true);
    assert.equal(r.following, false);
    assert.equal(r.followed_by, false);
    assertOk(await post(frank, `/api/v1/accounts/${gina.id}/block`));  // idempotent
    const f = await account(frank.id);
    const g = await account(gina.id);
    assert.equal(f.followers_count, 1);
    assert.equal(f.following_count, 0);
    assert.equal(g.followers_count, 0);
    assert.equal(g.following_count, 0);

    // Gina no longer sees Frank: profile, lists and follow are 404, and
    // relationships leave him out.
    assertError(await get(gina, `/api/v1/accounts/${frank.id}`), 404, 'not_found');
    assertError(await get(gina, `/api/v1/accounts/${frank.id}/followers`), 404, 'not_found');
    assertError(await get(gina, `/api/v1/accounts/${frank.id}/following`), 404, 'not_found');
    assertError(await post(gina, `/api/v1/accounts/${frank.id}/follow`), 404, 'not_found');
    assertError(await post(gina, `/api/v1/accounts/${frank.id}/unfollow`), 404, 'not_found');
    assert.deepEqual(assertOk(await get(gina, `/api/v1/accounts/relationships?id[]=${frank.id}`)), []);
    // Frank still sees Gina, and must unblock before following her.
    assertOk(await get(frank, `/api/v1/accounts/${gina.id}`));
    assertError(await post(frank, `/api/v1/accounts/${gina.id}/follow`), 422, 'blocking', 'id');
    // Blocking back works (it protects, and tells nothing).
    assertOk(await post(gina, `/api/v1/accounts/${frank.id}/block`));

    const blocks = assertOk(await get(frank, '/api/v1/blocks'));
    assert.deepEqual(blocks.map((a) => a.id), [gina.id]);
    const un = assertOk(await post(frank, `/api/v1/accounts/${gina.id}/unblock`));
    assert.equal(un.blocking, false);
    assertOk(await post(frank, `/api/v1/accounts/${gina.id}/unblock`));
    assert.deepEqual(assertOk(await get(frank, '/api/v1/blocks')), []);
    assertError(await api(server, 'GET', '/api/v1/blocks'), 401);
    const readOnly = await passwordToken(server, frank.app, frank.username, frank.password, 'read:follows');
    assertError(await api(server, 'GET', '/api/v1/blocks', { token: readOnly }), 403);
  });

  test('a block withdraws pending requests both ways', async () => {
    const ivy = await user('ivy');
    const jon = await user('jon');
    await lock(ivy);
    assertOk(await post(jon, `/api/v1/accounts/${ivy.id}/follow`));
    assert.equal(assertOk(await get(ivy, '/api/v1/follow_requests')).length, 1);
    assertOk(await post(ivy, `/api/v1/accounts/${jon.id}/block`));
    assert.deepEqual(assertOk(await get(ivy, '/api/v1/follow_requests')), []);
    const r = assertOk(await get(jon, `/api/v1/accounts/relationships?id[]=${ivy.id}`));
    assert.deepEqual(r, []);
  });
});

describe('mutes', () => {
  test('mute with and without notifications, list and unmute', async () => {
    const kim = await user('kim');
    const lee = await user('lee');
    const r = assertRelationship(assertOk(await post(kim, `/api/v1/accounts/${lee.id}/mute`)), lee.id);
    assert.equal(r.muting, true);
    assert.equal(r.muting_notifications, true);
    const quiet = assertOk(await post(kim, `/api/v1/accounts/${lee.id}/mute`, { form: { notifications: 'false' } }));
    assert.equal(quiet.muting, true);
    assert.equal(quiet.muting_notifications, false);
    // Lee cannot tell.
    const theirs = assertOk(await get(lee, `/api/v1/accounts/relationships?id[]=${kim.id}`))[0];
    assert.equal(theirs.muting, false);
    assertOk(await get(lee, `/api/v1/accounts/${kim.id}`));
    // A mute is not a block: following goes on.
    assert.equal(assertOk(await post(kim, `/api/v1/accounts/${lee.id}/follow`)).following, true);

    assert.deepEqual(assertOk(await get(kim, '/api/v1/mutes')).map((a) => a.id), [lee.id]);
    const un = assertOk(await post(kim, `/api/v1/accounts/${lee.id}/unmute`));
    assert.equal(un.muting, false);
    assert.equal(un.muting_notifications, false);
    assert.deepEqual(assertOk(await get(kim, '/api/v1/mutes')), []);
    assertError(await api(server, 'GET', '/api/v1/mutes'), 401);
    const readOnly = await passwordToken(server, kim.app, kim.username, kim.password, 'read:blocks');
    assertError(await api(server, 'GET', '/api/v1/mutes', { token: readOnly }), 403);
  });
});

describe('relationships', () => {
  test('several ids, id= and id[]=, unknown ids left out, duplicates once, at most 40', async () => {
    const me = await user('me');
    const a = await user('a');
    const b = await user('b');
    assertOk(await post(me, `/api/v1/accounts/${a.id}/follow`));
    const res = assertOk(await get(me,
      `/api/v1/accounts/relationships?id[]=${a.id}&id[]=999999999999&id[]=${b.id}&id[]=junk&id[]=${a.id}`));
    assert.deepEqual(res.map((r) => r.id), [a.id, b.id]);
    res.forEach((r) => assertRelationship(r, r.id));
    assert.equal(res[0].following, true);
    assert.equal(res[1].following, false);
    assert.deepEqual(assertOk(await get(me, `/api/v1/accounts/relationships?id=${b.id}`)).map((r) => r.id), [b.id]);
    const self = assertOk(await get(me, `/api/v1/accounts/relationships?id[]=${me.id}`))[0];
    assert.equal(self.following, false);
    assert.deepEqual(assertOk(await get(me, '/api/v1/accounts/relationships')), []);

    const many = Array.from({ length: 41 }, (_, i) => `id[]=${1000 + i}`).join('&');
    assertError(await get(me, `/api/v1/accounts/relationships?${many}`), 422, null, 'id');
    assertError(await api(server, 'GET', `/api/v1/accounts/relationships?id[]=${a.id}`), 401);
    const readOnly = await passwordToken(server, me.app, me.username, me.password, 'read:accounts');
    assertError(await api(server, 'GET', `/api/v1/accounts/relationships?id[]=${a.id}`, { token: readOnly }), 403);
  });
});

describe('followers and following', () => {
  test('three non-overlapping pages with Link headers, min_id paging back, signed out too', async () => {
    const star = await user('star');
    const fans = [];
    for (let i = 0; i < 5; i++) {
      const fan = await user(`fan${i}`);
      assertOk(await post(fan, `/api/v1/accounts/${star.id}/follow`));
      fans.push(fan.id);
    }
    const newestFirst = [...fans].reverse();
    const seen = [];
    let path = `/api/v1/accounts/${star.id}/followers?limit=2`;
    const pages = [];
    while (path) {
      const res = await api(server, 'GET', path);
      const page = assertOk(res);
      if (page.length === 0) break;
      page.forEach(assertAccountShape);
      pages.push(page.map((a) => a.id));
      seen.push(...page.map((a) => a.id));
      path = linkHeader(res).next;
      assert.ok(linkHeader(res).prev, 'a page has a prev link');
    }
    assert.deepEqual(pages, [newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    assert.deepEqual(seen, newestFirst);

    // From the second page, rel="prev" gives back the first.
    const second = await api(server, 'GET', `/api/v1/accounts/${star.id}/followers?limit=2`);
    const next = await api(server, 'GET', linkHeader(second).next);
    const prev = assertOk(await api(server, 'GET', linkHeader(next).prev));
    assert.deepEqual(prev.map((a) => a.id), newestFirst.slice(0, 2));

    const following = assertOk(await api(server, 'GET', `/api/v1/accounts/${fans[0]}/following`));
    assert.deepEqual(following.map((a) => a.id), [star.id]);
    assert.deepEqual(assertOk(await api(server, 'GET', `/api/v1/accounts/${star.id}/following`)), []);

    assertError(await api(server, 'GET', '/api/v1/accounts/999999999999/followers'), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/accounts/xyz/following'), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/accounts/${star.id}/followers?max_id=abc`), 422, null, 'max_id');
    assertError(await api(server, 'GET', `/api/v1/accounts/${star.id}/followers?limit=lots`), 422, null, 'limit');
    assertError(await api(server, 'GET', `/api/v1/accounts/${star.id}/followers`, { token: 'not-a-token' }), 401);
  });

  test('blocks page by their own rows with Link headers; a limit above 80 is clamped, not refused', async () => {
    const owner = await user('owner');
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await user(`blocked${i}`));
    for (const o of others) assertOk(await post(owner, `/api/v1/accounts/${o.id}/block`));
    const first = await get(owner, '/api/v1/blocks?limit=2');
    assert.deepEqual(assertOk(first).map((a) => a.id), [others[2].id, others[1].id]);
    const rest = assertOk(await get(owner, linkHeader(first).next));
    assert.deepEqual(rest.map((a) => a.id), [others[0].id]);
    assert.equal(assertOk(await get(owner, '/api/v1/blocks?limit=500')).length, 3);
  });
});

describe('counters under concurrency', () => {
  test('30 accounts following and unfollowing one account at once: counts equal the rows', async () => {
    const target = await user('popular');
    const crowd = [];
    for (let i = 0; i < 30; i++) crowd.push(await user(`crowd${i}`));
    await Promise.all(crowd.map(async (u, i) => {
      for (let round = 0; round < 4; round++) {
        const action = (round + i) % 3 === 2 ? 'unfollow' : 'follow';
        assertOk(await post(u, `/api/v1/accounts/${target.id}/${action}`));
      }
    }));
    const followers = assertOk(await api(server, 'GET', `/api/v1/accounts/${target.id}/followers?limit=80`));
    const counted = (await account(target.id)).followers_count;
    assert.equal(counted, followers.length);
    const expected = crowd.filter((_, i) => (3 + i) % 3 !== 2).length;
    assert.equal(counted, expected);
    for (const u of crowd) {
      const a = await account(u.id);
      const rel = assertOk(await get(u, `/api/v1/accounts/relationships?id[]=${target.id}`))[0];
      assert.equal(a.following_count, rel.following ? 1 : 0);
    }
  });
});
