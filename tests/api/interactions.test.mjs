// Favourites, bookmarks, favourited_by and context: POST
// /api/v1/statuses/:id/{favourite,unfavourite,bookmark,unbookmark}, GET
// /api/v1/favourites, /api/v1/bookmarks, /api/v1/statuses/:id/favourited_by
// and /api/v1/statuses/:id/context, against the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { linkHeader, noiseJpeg, postPhoto, registerUser } from './lib/photos.mjs';
import {
  api, assertAccountShape, assertError, assertOk, passwordToken, startServer,
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

// A registered user with their account id.
const user = (prefix) => registerUser(server, prefix);
const newPost = (u, json = {}) => postPhoto(server, u, json, jpeg);
async function comment(u, parent, text = 'a comment', json = {}) {
  return assertOk(await api(server, 'POST', '/api/v1/statuses', { token: u.token, json: { status: text, in_reply_to_id: parent.id, ...json } }));
}
const act = (u, id, action) => api(server, 'POST', `/api/v1/statuses/${id}/${action}`, { token: u?.token });
const relate = async (u, target, action) => assertOk(await api(server, 'POST', `/api/v1/accounts/${target.id}/${action}`, { token: u.token }));
const getStatus = async (id, u) => assertOk(await api(server, 'GET', `/api/v1/statuses/${id}`, { token: u?.token }));

// Follows every Link rel="next" from `first`; returns the pages' ids.
async function pages(u, first, limitPages = 10) {
  const out = [];
  let url = first;
  for (let i = 0; url && i < limitPages; ++i) {
    const res = await api(server, 'GET', url, { token: u.token });
    const body = assertOk(res);
    if (body.length === 0) break;
    out.push(body.map((x) => x.id));
    const { next, prev } = linkHeader(res);
    assert.match(prev ?? '', /[?&]min_id=\d+/, `prev link: ${res.headers.get('link')}`);
    url = next ?? null;
  }
  return out;
}

// ---------------------------------------------------------------------------
describe('favourite and unfavourite', () => {
  test('answer the status with the count and the flag, idempotently, without counting twice', async () => {
    const author = await user('fa');
    const fan = await user('ff');
    const p = await newPost(author);
    const first = assertOk(await act(fan, p.id, 'favourite'));
    assert.equal(first.id, p.id);
    assert.equal(first.favourites_count, 1);
    assert.equal(first.favourited, true);
    const again = assertOk(await act(fan, p.id, 'favourite'));
    assert.equal(again.favourites_count, 1);
    assert.equal((await getStatus(p.id)).favourites_count, 1);
    // One's own post may be liked too.
    assert.equal(assertOk(await act(author, p.id, 'favourite')).favourites_count, 2);
    const undone = assertOk(await act(fan, p.id, 'unfavourite'));
    assert.equal(undone.favourites_count, 1);
    assert.equal(undone.favourited, false);
    assert.equal(assertOk(await act(fan, p.id, 'unfavourite')).favourites_count, 1);
    // Comments can be liked as well.
    const c = await comment(fan, p);
    assert.equal(assertOk(await act(author, c.id, 'favourite')).favourites_count, 1);
  });

  test('unknown, malformed and invisible statuses are 404; signed out is 401; the scope is write:favourites', async () => {
    const author = await user('fi');
    const other = await user('fo');
    assertError(await act(other, '123456789', 'favourite'), 404, 'not_found');
    assertError(await act(other, 'abc', 'favourite'), 404, 'not_found');
    assertError(await act(other, '-1', 'unfavourite'), 404, 'not_found');
    const priv = await newPost(author, { visibility: 'private' });
    assertError(await act(other, priv.id, 'favourite'), 404, 'not_found');
    assertError(await act(other, priv.id, 'bookmark'), 404, 'not_found');
    const archived = await newPost(author);
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: author.token }));
    assertError(await act(other, archived.id, 'favourite'), 404, 'not_found');
    const p = await newPost(author);
    assertError(await act(null, p.id, 'favourite'), 401);
    assertError(await act(null, p.id, 'bookmark'), 401);
    const readOnly = await passwordToken(server, other.app, other.username, other.password, 'read');
    assertError(await act({ token: readOnly }, p.id, 'favourite'), 403, 'insufficient_scope');
    const bookmarksOnly = await passwordToken(server, other.app, other.username, other.password, 'write:bookmarks');
    assertError(await act({ token: bookmarksOnly }, p.id, 'favourite'), 403, 'insufficient_scope');
    assertOk(await act({ token: bookmarksOnly }, p.id, 'bookmark'));
    const favOnly = await passwordToken(server, other.app, other.username, other.password, 'write:favourites');
    assertOk(await act({ token: favOnly }, p.id, 'favourite'));
    assertError(await act({ token: favOnly }, p.id, 'unbookmark'), 403, 'insufficient_scope');
    // A private post is open to followers.
    await relate(other, author, 'follow');
    assert.equal(assertOk(await act(other, priv.id, 'favourite')).favourites_count, 1);
    // A block either way hides the post again.
    await relate(author, other, 'block');
    assertError(await act(other, p.id, 'favourite'), 404, 'not_found');
    assertError(await act(other, p.id, 'unfavourite'), 404, 'not_found');
    await relate(author, other, 'unblock');
    // The unfavourite behind the block still removed the like.
    assert.equal((await getStatus(p.id)).favourites_count, 0);
  });

  test('parallel favourites from many clients keep favourites_count exact', async () => {
    const author = await user('pa');
    const p = await newPost(author);
    const fans = [];
    for (let i = 0; i < 12; ++i) fans.push(await user(`pf${i}`));
    // Each fan likes three times at once; then half of them unlike twice at once.
    const likes = fans.flatMap((f) => [0, 1, 2].map(() => act(f, p.id, 'favourite')));
    for (const res of await Promise.all(likes)) assertOk(res);
    assert.equal((await getStatus(p.id)).favourites_count, 12);
    const unlikes = fans.filter((_, i) => i % 2).flatMap((f) => [0, 1].map(() => act(f, p.id, 'unfavourite')));
    for (const res of await Promise.all(unlikes)) assertOk(res);
    assert.equal((await getStatus(p.id)).favourites_count, 6);
    const likers = assertOk(await api(server, 'GET', `/api/v1/statuses/${p.id}/favourited_by?limit=80`));
    assert.deepEqual(likers.map((a) => a.id).sort(), fans.filter((_, i) => i % 2 === 0).map((f) => f.id).sort());
  });

  test('parallel comments keep replies_count exact', async () => {
    const author = await user('ra');
    const p = await newPost(author);
    const commenters = [];
    for (let i = 0; i < 6; ++i) commenters.push(await user(`rc${i}`));
    const made = await Promise.all(commenters.flatMap((c) => [0, 1].map((k) => comment(c, p, `c ${k}`))));
    assert.equal((await getStatus(p.id)).replies_count, 12);
    await Promise.all(made.slice(0, 5).map((c, i) =>
      api(server, 'DELETE', `/api/v1/statuses/${c.id}`, { token: commenters[Math.floor(i / 2)].token })));
    assert.equal((await getStatus(p.id)).replies_count, 7);
  });
});

// ---------------------------------------------------------------------------
describe('GET /api/v1/favourites and /api/v1/bookmarks', () => {
  test('list the viewer\'s own marks newest first, paged through Link headers', async () => {
    const author = await user('la');
    const me = await user('lm');
    const posts = [];
    for (let i = 0; i < 5; ++i) posts.push(await newPost(author));
    // Marked in an order unlike the posts': the list follows the marks.
    const order = [posts[2], posts[0], posts[4], posts[1], posts[3]];
    for (const p of order) {
      assertOk(await act(me, p.id, 'favourite'));
      assertOk(await act(me, p.id, 'bookmark'));
    }
    const expected = order.map((p) => p.id).reverse();
    for (const list of ['favourites', 'bookmarks']) {
      const got = await pages(me, `/api/v1/${list}?limit=2`);
      assert.deepEqual(got, [expected.slice(0, 2), expected.slice(2, 4), expected.slice(4)], list);
      const all = assertOk(await api(server, 'GET', `/api/v1/${list}`, { token: me.token }));
      assert.equal(all[0][list === 'favourites' ? 'favourited' : 'bookmarked'], true);
    }
    // Others' lists are their own.
    assert.deepEqual(assertOk(await api(server, 'GET', '/api/v1/favourites', { token: author.token })), []);
    assertOk(await act(me, posts[4].id, 'unbookmark'));
    assertOk(await act(me, posts[4].id, 'unbookmark'));
    assert.equal(assertOk(await api(server, 'GET', '/api/v1/bookmarks', { token: me.token })).length, 4);
  });

  test('leave out statuses the viewer can no longer see', async () => {
    const author = await user('ha');
    const me = await user('hm');
    await relate(me, author, 'follow');
    const priv = await newPost(author, { visibility: 'private' });
    const pub = await newPost(author);
    const archived = await newPost(author);
    for (const p of [priv, pub, archived]) assertOk(await act(me, p.id, 'favourite'));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: author.token }));
    const ids = async () => assertOk(await api(server, 'GET', '/api/v1/favourites', { token: me.token })).map((s) => s.id);
    assert.deepEqual(await ids(), [pub.id, priv.id]);
    await relate(me, author, 'unfollow');
    assert.deepEqual(await ids(), [pub.id]);
    await relate(author, me, 'block');
    assert.deepEqual(await ids(), []);
  });

  test('a deleted status leaves both lists, its count and its likers with it', async () => {
    const author = await user('da');
    const me = await user('dm');
    const keep = await newPost(author);
    const gone = await newPost(author);
    for (const p of [keep, gone]) {
      assertOk(await act(me, p.id, 'favourite'));
      assertOk(await act(me, p.id, 'bookmark'));
    }
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${gone.id}`, { token: author.token }));
    for (const list of ['favourites', 'bookmarks']) {
      assert.deepEqual(assertOk(await api(server, 'GET', `/api/v1/${list}`, { token: me.token })).map((s) => s.id), [keep.id]);
    }
    for (const action of ['favourite', 'unfavourite', 'bookmark', 'unbookmark']) {
      assertError(await act(me, gone.id, action), 404, 'not_found');
    }
    assertError(await api(server, 'GET', `/api/v1/statuses/${gone.id}/favourited_by`), 404, 'not_found');
  });

  test('need a signed-in user with read:favourites / read:bookmarks; bad cursors are 422', async () => {
    const me = await user('sm');
    assertError(await api(server, 'GET', '/api/v1/favourites'), 401);
    assertError(await api(server, 'GET', '/api/v1/bookmarks'), 401);
    const favOnly = await passwordToken(server, me.app, me.username, me.password, 'read:favourites');
    assertOk(await api(server, 'GET', '/api/v1/favourites', { token: favOnly }));
    assertError(await api(server, 'GET', '/api/v1/bookmarks', { token: favOnly }), 403, 'insufficient_scope');
    const statusesOnly = await passwordToken(server, me.app, me.username, me.password, 'read:statuses');
    assertError(await api(server, 'GET', '/api/v1/favourites', { token: statusesOnly }), 403, 'insufficient_scope');
    assertError(await api(server, 'GET', '/api/v1/favourites?max_id=xyz', { token: me.token }), 422, null, 'max_id');
    assertError(await api(server, 'GET', '/api/v1/bookmarks?limit=many', { token: me.token }), 422, null, 'limit');
  });
});

// ---------------------------------------------------------------------------
describe('GET /api/v1/statuses/:id/favourited_by', () => {
  test('lists likers newest first with Link pages, leaving out blocks either way', async () => {
    const author = await user('ba');
    const viewer = await user('bv');
    const p = await newPost(author);
    const fans = [];
    for (let i = 0; i < 5; ++i) {
      const f = await user(`bf${i}`);
      assertOk(await act(f, p.id, 'favourite'));
      fans.push(f);
    }
    const expected = fans.map((f) => f.id).reverse();
    const got = await pages(viewer, `/api/v1/statuses/${p.id}/favourited_by?limit=2`);
    assert.deepEqual(got.flat(), expected);
    assert.equal(got.length, 3);
    const anon = assertOk(await api(server, 'GET', `/api/v1/statuses/${p.id}/favourited_by`));
    anon.forEach(assertAccountShape);
    assert.equal(anon.length, 5);
    await relate(viewer, fans[0], 'block');
    await relate(fans[1], viewer, 'block');
    const seen = assertOk(await api(server, 'GET', `/api/v1/statuses/${p.id}/favourited_by`, { token: viewer.token }));
    assert.deepEqual(seen.map((a) => a.id), expected.slice(0, 3));
  });

  test('is 404 for unknown and invisible statuses', async () => {
    const author = await user('bi');
    const other = await user('bo');
    assertError(await api(server, 'GET', '/api/v1/statuses/987654321/favourited_by'), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/statuses/nope/favourited_by'), 404, 'not_found');
    const priv = await newPost(author, { visibility: 'private' });
    assertError(await api(server, 'GET', `/api/v1/statuses/${priv.id}/favourited_by`), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/statuses/${priv.id}/favourited_by`, { token: other.token }), 404, 'not_found');
    assertOk(await api(server, 'GET', `/api/v1/statuses/${priv.id}/favourited_by`, { token: author.token }));
    const p = await newPost(author);
    await relate(author, other, 'block');
    assertError(await api(server, 'GET', `/api/v1/statuses/${p.id}/favourited_by`, { token: other.token }), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/statuses/${p.id}/favourited_by?limit=x`), 422, null, 'limit');
  });
});

// ---------------------------------------------------------------------------
describe('GET /api/v1/statuses/:id/context', () => {
  test('ancestors oldest first, descendants depth first, filtered by the policy, blocks and mutes', async () => {
    const op = await user('co');
    const viewer = await user('cv');
    const closed = await user('cc');
    const muted = await user('cm');
    const blocker = await user('cb');
    const root = await newPost(op);
    const c1 = await comment(op, root, 'c1');
    const c2 = await comment(muted, root, 'c2');
    const c1a = await comment(viewer, c1, 'c1a');
    const c1b = await comment(closed, c1, 'c1b', { visibility: 'private' });
    const c3 = await comment(blocker, root, 'c3');
    const c1a1 = await comment(op, c1a, 'c1a1');
    const c2a = await comment(op, c2, 'c2a');
    const c4 = await comment(viewer, root, 'c4');
    const ctx = async (s, u) => {
      const body = assertOk(await api(server, 'GET', `/api/v1/statuses/${s.id}/context`, { token: u?.token }));
      return { ancestors: body.ancestors.map((x) => x.id), descendants: body.descendants.map((x) => x.id) };
    };
    // Signed out: everything public, depth first, replies oldest first.
    assert.deepEqual(await ctx(root), { ancestors: [], descendants: [c1.id, c1a.id, c1a1.id, c2.id, c2a.id, c3.id, c4.id] });
    await relate(viewer, muted, 'mute');
    await relate(blocker, viewer, 'block');
    assert.deepEqual(await ctx(root, viewer), { ancestors: [], descendants: [c1.id, c1a.id, c1a1.id, c4.id] });
    // The private comment shows to its author's followers.
    await relate(viewer, closed, 'follow');
    assert.deepEqual((await ctx(root, viewer)).descendants, [c1.id, c1a.id, c1a1.id, c1b.id, c4.id]);
    assert.deepEqual(await ctx(c1a1, viewer), { ancestors: [root.id, c1.id, c1a.id], descendants: [] });
    assert.deepEqual(await ctx(c1, viewer), { ancestors: [root.id], descendants: [c1a.id, c1a1.id, c1b.id] });
    // Entries are full statuses.
    const body = assertOk(await api(server, 'GET', `/api/v1/statuses/${c1a.id}/context`));
    assert.equal(body.ancestors[0].account.id, op.id);
    assert.equal(body.ancestors[1].in_reply_to_id, root.id);
    assert.equal(body.descendants[0].content.includes('c1a1'), true);
  });

  test('is 404 for unknown, malformed and invisible statuses', async () => {
    const author = await user('ci');
    const other = await user('cx');
    assertError(await api(server, 'GET', '/api/v1/statuses/1234567/context'), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/v1/statuses/%20/context'), 404, 'not_found');
    const priv = await newPost(author, { visibility: 'private' });
    assertError(await api(server, 'GET', `/api/v1/statuses/${priv.id}/context`), 404, 'not_found');
    assertError(await api(server, 'GET', `/api/v1/statuses/${priv.id}/context`, { token: other.token }), 404, 'not_found');
    assert.deepEqual(assertOk(await api(server, 'GET', `/api/v1/statuses/${priv.id}/context`, { token: author.token })),
      { ancestors: [], descendants: [] });
    const p = await newPost(author);
    await relate(other, author, 'block');
    assertError(await api(server, 'GET', `/api/v1/statuses/${p.id}/context`, { token: other.token }), 404, 'not_found');
    const appOnlyTokenless = await api(server, 'GET', `/api/v1/statuses/${p.id}/context`, { token: 'not-a-token' });
    assertError(appOnlyTokenless, 401);
  });
});
