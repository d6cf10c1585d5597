// Notifications: GET /api/v1/notifications (types[], exclude_types[],
// account_id, pagination), GET /api/v1/notifications/:id, POST
// /api/v1/notifications/:id/dismiss and /api/v1/notifications/clear, and the
// notifications favourites, mentions, replies and follows write, against the
// real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { linkHeader, noiseJpeg, postPhoto, registerUser } from './lib/photos.mjs';
import {
  ISO_MS, api, assertAccountShape, assertError, assertOk, passwordToken, startServer,
} from './lib/server.mjs';

let server;
let jpeg;  // one noise JPEG that every post of this file carries

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
  jpeg = await noiseJpeg(32, 24);
});
after(async () => {
  await server?.stop();
});

const user = (prefix) => registerUser(server, prefix);
const newPost = (u, json = {}) => postPhoto(server, u, json, jpeg);
async function comment(u, parent, text, json = {}) {
  return assertOk(await api(server, 'POST', '/api/v1/statuses', { token: u.token, json: { status: text, in_reply_to_id: parent.id, ...json } }));
}
const relate = async (u, target, action) => assertOk(await api(server, 'POST', `/api/v1/accounts/${target.id}/${action}`, { token: u.token }));
const favourite = async (u, s) => assertOk(await api(server, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: u.token }));
const list = async (u, query = '') => assertOk(await api(server, 'GET', `/api/v1/notifications${query}`, { token: u.token }));
const summary = (ns) => ns.map((n) => `${n.type}:${n.account.username}${n.status ? `:${n.status.id}` : ''}`);

function assertNotificationShape(n) {
  const j = JSON.stringify(n);
  assert.match(n.id, /^\d+$/, j);
  assert.ok(['follow', 'follow_request', 'favourite', 'mention'].includes(n.type), j);
  assert.match(n.created_at, ISO_MS, j);
  assertAccountShape(n.account);
  if (n.type === 'favourite' || n.type === 'mention') assert.equal(typeof n.status?.id, 'string', j);
}

// ---------------------------------------------------------------------------
describe('what is notified', () => {
  test('favourites, mentions, replies (as mentions) and follows, never to oneself and never twice', async () => {
    const me = await user('nm');
    const fan = await user('nf');
    const other = await user('no');
    const post = await newPost(me, { status: `mine, with @${me.username}` });
    assert.deepEqual(await list(me), [], 'mentioning oneself notifies no one');
    await favourite(me, post);
    assert.deepEqual(await list(me), [], 'liking one\'s own post notifies no one');

    await favourite(fan, post);
    await favourite(fan, post);
    assertOk(await api(server, 'POST', `/api/v1/statuses/${post.id}/unfavourite`, { token: fan.token }));
    await favourite(fan, post);
    const mention = await newPost(other, { status: `hello @${me.username} and @${fan.username}` });
    const reply = await comment(fan, post, `nice @${me.username} @${other.username}`);
    const selfReply = await comment(me, post, 'thanks');
    await relate(other, me, 'follow');
    const ns = await list(me);
    ns.forEach(assertNotificationShape);
    assert.deepEqual(summary(ns), [
      `follow:${other.username}`,
      `mention:${fan.username}:${reply.id}`,
      `mention:${other.username}:${mention.id}`,
      `favourite:${fan.username}:${post.id}`,
    ]);
    assert.equal(ns[3].status.favourites_count, 2);
    assert.equal(ns[1].status.in_reply_to_id, post.id);
    // The others got their mentions; the reply's author got nothing for their own.
    assert.deepEqual(summary(await list(other)), [`mention:${fan.username}:${reply.id}`]);
    assert.deepEqual(summary(await list(fan)), [`mention:${other.username}:${mention.id}`]);
    assert.ok(selfReply.id);
  });

  test('a follow request to a locked account notifies as follow_request', async () => {
    const locked = await user('nl');
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: locked.token, json: { locked: true } }));
    const asker = await user('na');
    await relate(asker, locked, 'follow');
    assert.deepEqual(summary(await list(locked)), [`follow_request:${asker.username}`]);
  });
});

// ---------------------------------------------------------------------------
describe('GET /api/v1/notifications', () => {
  let me;
  let a;
  let b;
  let post;
  let replyByB;
  let mentionByA;
  before(async () => {
    me = await user('fm');
    a = await user('fa');
    b = await user('fb');
    post = await newPost(me);
    await favourite(a, post);
    await relate(b, me, 'follow');
    mentionByA = await newPost(a, { status: `look @${me.username}` });
    replyByB = await comment(b, post, 'a reply');
    await favourite(b, post);
  });

  test('types[] and exclude_types[]: mention takes in replies, reply only replies', async () => {
    const types = async (q) => (await list(me, q)).map((n) => `${n.type}:${n.status?.id ?? ''}`);
    assert.deepEqual(await types('?types[]=mention'), [`mention:${replyByB.id}`, `mention:${mentionByA.id}`]);
    assert.deepEqual(await types('?types[]=reply'), [`mention:${replyByB.id}`]);
    assert.deepEqual(await types('?types[]=favourite&types[]=follow'),
      [`favourite:${post.id}`, 'follow:', `favourite:${post.id}`]);
    assert.deepEqual(await types('?exclude_types[]=favourite&exclude_types[]=mention'), ['follow:']);
    assert.deepEqual(await types('?exclude_types[]=reply&exclude_types[]=favourite'), [`mention:${mentionByA.id}`, 'follow:']);
    // Mastodon's other types are valid filters that match nothing here.
    assert.deepEqual(await types('?types[]=reblog&types[]=poll'), []);
    assert.equal((await types('?exclude_types[]=reblog&exclude_types[]=status&exclude_types[]=update')).length, 5);
    assert.deepEqual(await types('?types[]=follow&exclude_types[]=follow'), []);
    // JSON arrays in the query string's form work too (types=x).
    assert.deepEqual(await types('?types=follow'), ['follow:']);
  });

  test('account_id keeps one account\'s notifications', async () => {
    assert.deepEqual(summary(await list(me, `?account_id=${b.id}`)),
      [`favourite:${b.username}:${post.id}`, `mention:${b.username}:${replyByB.id}`, `follow:${b.username}`]);
    assert.deepEqual(await list(me, '?account_id=12345'), []);
  });

  test('unknown types, bad account ids and bad cursors are 422 naming the field', async () => {
    assertError(await api(server, 'GET', '/api/v1/notifications?types[]=likes', { token: me.token }), 422, 'unknown_type', 'types[]');
    assertError(await api(server, 'GET', '/api/v1/notifications?exclude_types[]=FOLLOW', { token: me.token }), 422, 'unknown_type', 'exclude_types[]');
    assertError(await api(server, 'GET', '/api/v1/notifications?account_id=me', { token: me.token }), 422, null, 'account_id');
    assertError(await api(server, 'GET', '/api/v1/notifications?since_id=x', { token: me.token }), 422, null, 'since_id');
    assertError(await api(server, 'GET', '/api/v1/notifications?limit=-', { token: me.token }), 422, null, 'limit');
  });

  test('pages newest first through Link headers (next, prev)', async () => {
    const all = (await list(me)).map((n) => n.id);
    assert.equal(all.length, 5);
    const seen = [];
    let url = '/api/v1/notifications?limit=2';
    let prev = null;
    while (url) {
      const res = await api(server, 'GET', url, { token: me.token });
      const body = assertOk(res);
      if (body.length === 0) break;
      seen.push(body.map((n) => n.id));
      assert.ok(res.headers.get('link'), 'a non-empty page has a Link header');
      const links = linkHeader(res);
      prev ??= links.prev;
      assert.ok(prev, `the first page has a prev link: ${res.headers.get('link')}`);
      url = links.next ?? null;
    }
    assert.deepEqual(seen, [all.slice(0, 2), all.slice(2, 4), all.slice(4)]);
    assert.ok(prev.includes(`min_id=${all[0]}`), prev);
    // min_id pages forward from a cursor, still newest first.
    const up = await list(me, `?min_id=${all[4]}&limit=2`);
    assert.deepEqual(up.map((n) => n.id), [all[2], all[3]]);
    assert.deepEqual((await list(me, `?since_id=${all[2]}`)).map((n) => n.id), all.slice(0, 2));
    assert.deepEqual((await list(me, `?max_id=${all[0]}&limit=1`)).map((n) => n.id), [all[1]]);
  });
});

// ---------------------------------------------------------------------------
describe('privacy', () => {
  test('notifications from blocked, blocking and muted accounts are left out', async () => {
    const me = await user('pm');
    const blocked = await user('pb');
    const blocker = await user('pk');
    const muted = await user('pu');
    const quiet = await user('pq');
    const post = await newPost(me);
    for (const u of [blocked, blocker, muted, quiet]) await favourite(u, post);
    await relate(me, blocked, 'block');
    await relate(blocker, me, 'block');
    await relate(me, muted, 'mute');
    // A mute that keeps notifications keeps them.
    assertOk(await api(server, 'POST', `/api/v1/accounts/${quiet.id}/mute`, { token: me.token, json: { notifications: false } }));
    assert.deepEqual(summary(await list(me)), [`favourite:${quiet.username}:${post.id}`]);
    await relate(me, muted, 'unmute');
    assert.deepEqual((await list(me)).map((n) => n.account.username), [quiet.username, muted.username]);
  });

  test('a mention shows while the recipient may see its status', async () => {
    const me = await user('vm');
    const closed = await user('vc');
    // A followers-only post reaches the accounts it mentions, followers or not.
    const priv = await newPost(closed, { status: `secret @${me.username}`, visibility: 'private' });
    const ns = await list(me);
    assert.deepEqual(summary(ns), [`mention:${closed.username}:${priv.id}`]);
    assertOk(await api(server, 'GET', `/api/v1/notifications/${ns[0].id}`, { token: me.token }));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${priv.id}/archive`, { token: closed.token }));
    assert.deepEqual(await list(me), []);
    assertError(await api(server, 'GET', `/api/v1/notifications/${ns[0].id}`, { token: me.token }), 404, 'not_found');
    // Deleting the status takes the notification with it.
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${priv.id}/unarchive`, { token: closed.token }));
    assert.equal((await list(me)).length, 1);
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${priv.id}`, { token: closed.token }));
    assert.deepEqual(await list(me), []);
  });
});

// ---------------------------------------------------------------------------
describe('one notification, dismiss and clear', () => {
  test('GET /:id, dismiss and clear act on one\'s own only', async () => {
    const me = await user('dm');
    const other = await user('do');
    await relate(other, me, 'follow');
    await relate(me, other, 'follow');
    const post = await newPost(me);
    await favourite(other, post);
    const [fav, follow] = await list(me);
    const got = assertOk(await api(server, 'GET', `/api/v1/notifications/${follow.id}`, { token: me.token }));
    assert.deepEqual(got, follow);
    assertError(await api(server, 'GET', `/api/v1/notifications/${follow.id}`, { token: other.token }), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/notifications/99999999', { token: me.token }), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/notifications/x1', { token: me.token }), 404, 'not_found');
    assertError(await api(server, 'POST', `/api/v1/notifications/${fav.id}/dismiss`, { token: other.token }), 404, 'not_found');
    assert.deepEqual(assertOk(await api(server, 'POST', `/api/v1/notifications/${fav.id}/dismiss`, { token: me.token })), {});
    assertError(await api(server, 'POST', `/api/v1/notifications/${fav.id}/dismiss`, { token: me.token }), 404, 'not_found');
    assertError(await api(server, 'POST', '/api/v1/notifications/abc/dismiss', { token: me.token }), 404, 'not_found');
    assert.deepEqual((await list(me)).map((n) => n.id), [follow.id]);
    assert.equal((await list(other)).length, 1);
    assert.deepEqual(assertOk(await api(server, 'POST', '/api/v1/notifications/clear', { token: me.token })), {});
    assert.deepEqual(await list(me), []);
    assert.equal((await list(other)).length, 1, 'clearing is one\'s own');
  });

  test('need a signed-in user with read:notifications / write:notifications', async () => {
    const me = await user('sm');
    assertError(await api(server, 'GET', '/api/v1/notifications'), 401);
    assertError(await api(server, 'POST', '/api/v1/notifications/clear'), 401);
    assertError(await api(server, 'GET', '/api/v1/notifications/1'), 401);
    assertError(await api(server, 'POST', '/api/v1/notifications/1/dismiss'), 401);
    const read = await passwordToken(server, me.app, me.username, me.password, 'read:notifications');
    assertOk(await api(server, 'GET', '/api/v1/notifications', { token: read }));
    assertError(await api(server, 'POST', '/api/v1/notifications/clear', { token: read }), 403, 'insufficient_scope');
    assertError(await api(server, 'POST', '/api/v1/notifications/1/dismiss', { token: read }), 403, 'insufficient_scope');
    const write = await passwordToken(server, me.app, me.username, me.password, 'write:notifications');
    assertError(await api(server, 'GET', '/api/v1/notifications', { token: write }), 403, 'insufficient_scope');
    assertOk(await api(server, 'POST', '/api/v1/notifications/clear', { token: write }));
    const statuses = await passwordToken(server, me.app, me.username, me.password, 'read:statuses');
    assertError(await api(server, 'GET', '/api/v1/notifications', { token: statuses }), 403, 'insufficient_scope');
  });
});
