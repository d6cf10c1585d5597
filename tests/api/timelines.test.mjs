// Timelines: home (fan-out inboxes and pulled feed_pull accounts), public,
// tag, an account's statuses and the explore extension, against the real
// binary on either engine. The server runs with --feed-pull-followers 2, so
// an account with two followers is pulled at read time while the others are
// fanned out on write: both paths of the home timeline run here.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { linkHeader, noiseJpeg, postPhoto, registerUser } from './lib/photos.mjs';
import { api, assertError, assertOk, startServer } from './lib/server.mjs';

let server;
let jpeg;  // one noise JPEG that every post of this file carries

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--feed-pull-followers', '2']);
  jpeg = await noiseJpeg(32, 24);
});
after(async () => {
  await server?.stop();
});

const user = (prefix) => registerUser(server, prefix);
const newPost = (u, json = {}) => postPhoto(server, u, json, jpeg);
const comment = async (u, parent, status = 'nice') =>
  assertOk(await api(server, 'POST', '/api/v1/statuses', { token: u.token, json: { status, in_reply_to_id: parent.id } }));
const act = async (u, pathname) => assertOk(await api(server, 'POST', pathname, { token: u.token }));
const follow = (u, target) => act(u, `/api/v1/accounts/${target.id}/follow`);
const get = (pathname, u) => api(server, 'GET', pathname, { token: u?.token });
const ids = async (pathname, u) => assertOk(await get(pathname, u)).map((s) => s.id);
const newestFirst = (list) => [...list].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));

// ---------------------------------------------------------------------------
describe('home timeline', () => {
  let alice; let star; let bob; let carol;
  let pub; let unlisted; let priv; let starPost; let bobPost; let reply;

  before(async () => {
    [alice, star, bob, carol] = await Promise.all([user('alice'), user('star'), user('bob'), user('carol')]);
    await follow(bob, alice);
    // Two followers make `star` a feed_pull account.
    await follow(bob, star);
    await follow(carol, star);
    pub = await newPost(alice, { status: 'public' });
    unlisted = await newPost(alice, { status: 'unlisted', visibility: 'unlisted' });
    priv = await newPost(alice, { status: 'private', visibility: 'private' });
    starPost = await newPost(star, { status: 'from a large account' });
    bobPost = await newPost(bob, { status: 'mine' });
    reply = await comment(alice, bobPost);
  });

  test('the followees\' posts of every visibility and one\'s own, newest first, pulled and pushed merged', async () => {
    const home = await ids('/api/v1/timelines/home', bob);
    assert.deepEqual(home, [bobPost.id, starPost.id, priv.id, unlisted.id, pub.id]);
    assert.ok(!home.includes(reply.id), 'comments stay out of home timelines');
    // carol follows only the pulled account.
    assert.deepEqual(await ids('/api/v1/timelines/home', carol), [starPost.id]);
    // star's own post reaches its own timeline though nobody fans it out.
    assert.deepEqual(await ids('/api/v1/timelines/home', star), [starPost.id]);
  });

  test('renders each status as GET /statuses/:id does, with the viewer\'s favourited and bookmarked', async () => {
    await act(bob, `/api/v1/statuses/${priv.id}/favourite`);
    await act(bob, `/api/v1/statuses/${starPost.id}/bookmark`);
    const home = assertOk(await get('/api/v1/timelines/home', bob));
    for (const s of home) {
      const single = assertOk(await get(`/api/v1/statuses/${s.id}`, bob));
      assert.deepEqual(s, single, `status ${s.id} renders the same in a list and alone`);
    }
    const byId = Object.fromEntries(home.map((s) => [s.id, s]));
    assert.equal(byId[priv.id].favourited, true);
    assert.equal(byId[priv.id].bookmarked, false);
    assert.equal(byId[starPost.id].bookmarked, true);
    assert.equal(byId[starPost.id].favourited, false);
    assert.equal(byId[pub.id].favourited, false);
    assert.equal(byId[bobPost.id].pinned, false);
    assert.deepEqual(byId[bobPost.id].vantage, { archived: false });
    assert.equal(byId[pub.id].vantage, undefined);
    // Another viewer sees none of bob's marks.
    const carolView = assertOk(await get(`/api/v1/statuses/${starPost.id}`, carol));
    assert.equal(carolView.bookmarked, false);
    await act(bob, `/api/v1/statuses/${priv.id}/unfavourite`);
    await act(bob, `/api/v1/statuses/${starPost.id}/unbookmark`);
  });

  test('lists render each change at once: counters, caption edits, alt text, archiving', async () => {
    const s = await newPost(alice, { status: 'before' });
    const first = (list) => list.find((x) => x.id === s.id);
    const mediaId = s.media_attachments[0].id;
    assert.equal(first(assertOk(await get('/api/v1/timelines/home', bob))).content, '<p>before</p>');
    await act(bob, `/api/v1/statuses/${s.id}/favourite`);
    const liked = first(assertOk(await get('/api/v1/timelines/home', bob)));
    assert.equal(liked.favourites_count, 1);
    assert.equal(liked.favourited, true);
    assert.equal(first(assertOk(await get('/api/v1/timelines/home', alice))).favourited, false, 'the mark is bob\'s own');
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${s.id}`, { token: alice.token, json: { status: 'after' } }));
    const edited = first(assertOk(await get('/api/v1/timelines/home', bob)));
    assert.equal(edited.content, '<p>after</p>');
    assert.ok(edited.edited_at);
    assertOk(await api(server, 'PUT', `/api/v1/media/${mediaId}`, { token: alice.token, json: { description: 'new alt' } }));
    assert.equal(first(assertOk(await get('/api/v1/timelines/home', bob))).media_attachments[0].description, 'new alt');
    const plain = first(assertOk(await get(`/api/v1/accounts/${alice.id}/statuses`, alice))).media_attachments[0].url;
    assert.ok(!plain.includes('sig='), plain);
    await act(alice, `/api/vantage/v1/statuses/${s.id}/archive`);
    const archived = first(assertOk(await get(`/api/v1/accounts/${alice.id}/statuses`, alice)));
    assert.deepEqual(archived.vantage, { archived: true });
    assert.ok(archived.media_attachments[0].url.includes('sig='), 'an archived post\'s photos get signed URLs');
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${s.id}`, { token: alice.token }));
  });

  test('needs a signed-in account with read:statuses', async () => {
    assertError(await get('/api/v1/timelines/home'), 401);
  });

  test('archived posts leave it and come back when unarchived; deleted ones leave it', async () => {
    await act(alice, `/api/vantage/v1/statuses/${unlisted.id}/archive`);
    assert.ok(!(await ids('/api/v1/timelines/home', bob)).includes(unlisted.id));
    assert.ok(!(await ids('/api/v1/timelines/home', alice)).includes(unlisted.id), 'not even the author\'s own home');
    await act(alice, `/api/vantage/v1/statuses/${unlisted.id}/unarchive`);
    assert.ok((await ids('/api/v1/timelines/home', bob)).includes(unlisted.id));
    const gone = await newPost(alice, { status: 'short-lived' });
    assert.equal((await ids('/api/v1/timelines/home', bob))[0], gone.id);
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${gone.id}`, { token: alice.token }));
    assert.ok(!(await ids('/api/v1/timelines/home', bob)).includes(gone.id));
  });

  test('a new follow fills the home timeline with recent posts; unfollow, block and mute empty it of that account', async () => {
    const dave = await user('dave');
    await follow(dave, alice);
    await follow(dave, star);
    const home = await ids('/api/v1/timelines/home', dave);
    for (const s of [pub, unlisted, priv, starPost]) assert.ok(home.includes(s.id), `${s.id} after following`);
    assert.deepEqual(home, newestFirst(home));

    await act(dave, `/api/v1/accounts/${alice.id}/mute`);
    assert.deepEqual(await ids('/api/v1/timelines/home', dave), [starPost.id]);
    await act(dave, `/api/v1/accounts/${alice.id}/unmute`);
    assert.ok((await ids('/api/v1/timelines/home', dave)).includes(pub.id));

    await act(dave, `/api/v1/accounts/${star.id}/mute`);
    assert.ok(!(await ids('/api/v1/timelines/home', dave)).includes(starPost.id), 'muting a pulled account');
    await act(dave, `/api/v1/accounts/${star.id}/unmute`);

    await act(dave, `/api/v1/accounts/${alice.id}/unfollow`);
    assert.deepEqual(await ids('/api/v1/timelines/home', dave), [starPost.id]);

    await act(star, `/api/v1/accounts/${dave.id}/block`);
    assert.deepEqual(await ids('/api/v1/timelines/home', dave), [], 'blocked by a pulled account');
  });

  test('a post by the pulled account appears at once in every follower\'s home timeline', async () => {
    const fresh = await newPost(star, { status: 'news' });
    for (const u of [bob, carol]) assert.equal((await ids('/api/v1/timelines/home', u))[0], fresh.id);
    const priv2 = await newPost(star, { status: 'followers only', visibility: 'private' });
    for (const u of [bob, carol]) assert.equal((await ids('/api/v1/timelines/home', u))[0], priv2.id);
    assert.ok(!(await ids('/api/v1/timelines/home', alice)).includes(priv2.id), 'not for non-followers');
  });
});

// ---------------------------------------------------------------------------
describe('pagination', () => {
  let poster; let reader; let posts;

  before(async () => {
    [poster, reader] = await Promise.all([user('pager'), user('reader')]);
    await follow(reader, poster);
    posts = [];
    for (let i = 0; i < 7; i += 1) posts.push(await newPost(poster, { status: `#pagetag${poster.id} post ${i}` }));
    posts.reverse();  // newest first
  });

  for (const [name, pathOf] of [
    ['home', () => '/api/v1/timelines/home?limit=3'],
    ['account statuses', () => `/api/v1/accounts/${poster.id}/statuses?limit=3`],
    ['tag', () => `/api/v1/timelines/tag/pagetag${poster.id}?limit=3`],
  ]) {
    test(`${name}: three non-overlapping pages through Link headers, then prev pages back`, async () => {
      const seen = [];
      let next = pathOf();
      const pages = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await get(next, reader);
        const page = assertOk(res).map((s) => s.id);
        pages.push(page);
        seen.push(...page);
        if (i < 2) {
          assert.ok(linkHeader(res).next, `page ${i} has a next link`);
          assert.ok(linkHeader(res).prev, `page ${i} has a prev link`);
          next = linkHeader(res).next;
        }
      }
      assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
      assert.deepEqual(seen, posts.map((p) => p.id));
      // min_id: the page just above the third, newest first.
      const third = await get(`${pathOf()}&max_id=${posts[5].id}`, reader);
      const back = assertOk(await get(linkHeader(third).prev, reader)).map((s) => s.id);
      assert.deepEqual(back, posts.slice(3, 6).map((p) => p.id));
      // since_id: the newest ones above it, newest first.
      const since = await ids(`${pathOf()}&since_id=${posts[5].id}`, reader);
      assert.deepEqual(since, posts.slice(0, 3).map((p) => p.id));
      const min = await ids(`${pathOf()}&min_id=${posts[5].id}`, reader);
      assert.deepEqual(min, posts.slice(2, 5).map((p) => p.id));
      // Past the end: an empty page and no Link header.
      const end = await get(`${pathOf()}&max_id=${posts[6].id}`, reader);
      assert.deepEqual(assertOk(end), []);
      assert.equal(end.headers.get('link'), null);
    });
  }

  test('bad parameters are refused naming the parameter; a large limit is clamped', async () => {
    for (const pathname of ['/api/v1/timelines/home', '/api/v1/timelines/public', `/api/v1/accounts/${poster.id}/statuses`,
      '/api/v1/timelines/tag/x']) {
      assertError(await get(`${pathname}?limit=abc`, reader), 422, null, 'limit');
      assertError(await get(`${pathname}?max_id=x`, reader), 422, null, 'max_id');
      assertError(await get(`${pathname}?since_id=-1`, reader), 422, null, 'since_id');
      assertError(await get(`${pathname}?min_id=1e3`, reader), 422, null, 'min_id');
    }
    assertError(await get('/api/v1/timelines/public?only_media=maybe'), 422, null, 'only_media');
    assertError(await get(`/api/v1/accounts/${poster.id}/statuses?pinned=2`), 422, null, 'pinned');
    assertError(await get(`/api/v1/accounts/${poster.id}/statuses?exclude_replies=yes%20please`), 422, null, 'exclude_replies');
    assertError(await get('/api/v1/accounts/nope/statuses'), 404, 'not_found');
    assertError(await get('/api/v1/accounts/12345/statuses'), 404, 'not_found');
    assert.equal(assertOk(await get(`/api/v1/accounts/${poster.id}/statuses?limit=1000`)).length, 7);
    assert.equal(assertOk(await get(`/api/v1/accounts/${poster.id}/statuses?limit=0`)).length, 1);
  });
});

// ---------------------------------------------------------------------------
describe('public and tag timelines', () => {
  let author; let fan; let blocked; let muter; let tag;
  let pub; let unlisted; let priv; let archived; let reply;

  before(async () => {
    [author, fan, blocked, muter] = await Promise.all([user('pauthor'), user('pfan'), user('pblocked'), user('pmuter')]);
    tag = `Sun${crypto.randomBytes(3).toString('hex')}`;
    await follow(fan, author);
    pub = await newPost(author, { status: `public #${tag}` });
    unlisted = await newPost(author, { status: `unlisted #${tag}`, visibility: 'unlisted' });
    priv = await newPost(author, { status: `private #${tag}`, visibility: 'private' });
    archived = await newPost(author, { status: `archived #${tag}` });
    await act(author, `/api/vantage/v1/statuses/${archived.id}/archive`);
    reply = await comment(fan, pub, `a comment #${tag}`);
    await act(author, `/api/v1/accounts/${blocked.id}/block`);
    await act(muter, `/api/v1/accounts/${author.id}/mute`);
  });

  test('public: public unarchived posts only, for everyone but who blocks, is blocked or mutes', async () => {
    for (const viewer of [undefined, fan, author]) {
      const list = await ids('/api/v1/timelines/public?limit=40', viewer);
      assert.ok(list.includes(pub.id));
      for (const hidden of [unlisted, priv, archived, reply]) assert.ok(!list.includes(hidden.id), `${hidden.content}`);
      assert.deepEqual(list, newestFirst(list));
    }
    for (const viewer of [blocked, muter]) {
      assert.ok(!(await ids('/api/v1/timelines/public?limit=40', viewer)).includes(pub.id));
    }
    assert.ok((await ids('/api/v1/timelines/public?local=true&only_media=true&limit=40')).includes(pub.id));
    assert.deepEqual(await ids('/api/v1/timelines/public?remote=true'), [], 'no remote posts without federation');
  });

  test('tag: matched by the case fold of the name, same policy as public', async () => {
    for (const name of [tag, tag.toUpperCase(), tag.toLowerCase(), encodeURIComponent(`#${tag}`)]) {
      assert.deepEqual(await ids(`/api/v1/timelines/tag/${name}`), [pub.id], name);
    }
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}`, fan), [pub.id], 'a follower too: public posts only');
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}`, blocked), []);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}`, muter), []);
    assert.deepEqual(await ids('/api/v1/timelines/tag/never_used_anywhere'), []);
  });

  test('tag: any[], all[] and none[]', async () => {
    const other = `Moon${crypto.randomBytes(3).toString('hex')}`;
    const both = await newPost(author, { status: `#${tag} #${other}` });
    const moon = await newPost(author, { status: `#${other}` });
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}?any[]=${other}`), [moon.id, both.id, pub.id]);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}?all[]=${other.toUpperCase()}`), [both.id]);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}?none[]=${other}`), [pub.id]);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}?all[]=unknowntag123`), []);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/${tag}?none[]=unknowntag123`), [both.id, pub.id]);
    assert.deepEqual(await ids(`/api/v1/timelines/tag/unknowntag123?any[]=${other}`), [moon.id, both.id]);
    const many = Array.from({ length: 11 }, (_, i) => `any[]=t${i}`).join('&');
    assertError(await get(`/api/v1/timelines/tag/${tag}?${many}`), 422, null, 'any');
  });
});

// ---------------------------------------------------------------------------
describe('account statuses', () => {
  let author; let follower; let stranger; let blocked; let muter;
  let pub; let unlisted; let priv; let archived; let reply; let pinned;

  before(async () => {
    [author, follower, stranger, blocked, muter] = await Promise.all(
      [user('aauthor'), user('afollower'), user('astranger'), user('ablocked'), user('amuter')]);
    await follow(follower, author);
    const other = await newPost(stranger, { status: 'elsewhere' });
    pub = await newPost(author, { status: 'public #Grid' });
    unlisted = await newPost(author, { status: 'unlisted', visibility: 'unlisted' });
    priv = await newPost(author, { status: 'private', visibility: 'private' });
    archived = await newPost(author, { status: 'archived' });
    await act(author, `/api/vantage/v1/statuses/${archived.id}/archive`);
    reply = await comment(author, other, 'a reply');
    pinned = pub;
    await act(author, `/api/v1/statuses/${pub.id}/pin`);
    await act(author, `/api/v1/statuses/${priv.id}/pin`);
    await act(author, `/api/v1/accounts/${blocked.id}/block`);
    await act(muter, `/api/v1/accounts/${author.id}/mute`);
  });

  test('the policy per viewer: anonymous, stranger, muted, follower, author, blocked', async () => {
    const url = `/api/v1/accounts/${author.id}/statuses`;
    const everyone = [reply.id, unlisted.id, pub.id];
    assert.deepEqual(await ids(url), everyone);
    assert.deepEqual(await ids(url, stranger), everyone);
    assert.deepEqual(await ids(url, muter), everyone, 'muting filters timelines, not profiles');
    assert.deepEqual(await ids(url, follower), [reply.id, priv.id, unlisted.id, pub.id]);
    assert.deepEqual(await ids(url, author), [reply.id, archived.id, priv.id, unlisted.id, pub.id]);
    assertError(await get(url, blocked), 404, 'not_found');
    // The blocker sees nothing of whom they block.
    assert.deepEqual(await ids(`/api/v1/accounts/${blocked.id}/statuses`, author), []);
  });

  test('exclude_replies, only_media, tagged and pinned', async () => {
    const url = `/api/v1/accounts/${author.id}/statuses`;
    assert.deepEqual(await ids(`${url}?exclude_replies=true`, follower), [priv.id, unlisted.id, pub.id]);
    assert.deepEqual(await ids(`${url}?only_media=1`), [unlisted.id, pub.id]);
    assert.deepEqual(await ids(`${url}?tagged=grid`), [pub.id]);
    assert.deepEqual(await ids(`${url}?tagged=nothing_here`), []);
    assert.deepEqual(await ids(`${url}?pinned=true`, follower), [priv.id, pinned.id], 'newest pin first');
    assert.deepEqual(await ids(`${url}?pinned=true`), [pinned.id], 'a private pin only for followers');
    const list = assertOk(await get(`${url}?pinned=true`, author));
    assert.ok(list.every((s) => s.pinned === true));
  });
});

// ---------------------------------------------------------------------------
describe('explore (extension)', () => {
  test('public posts ranked by recent favourites, with the viewer\'s blocks applied', async () => {
    // A fresh server: the ranking is cached for 30 seconds per process.
    const own = await startServer(['--registration-limit-ip', '1000']);
    try {
      const [a, b, c, d] = [await registerUser(own, 'ea'), await registerUser(own, 'eb'),
        await registerUser(own, 'ec'), await registerUser(own, 'ed')];
      const make = (u, json = {}) => postPhoto(own, u, json, jpeg);
      const p1 = await make(a);
      const p2 = await make(b);
      const p3 = await make(a, { visibility: 'unlisted' });
      const fav = async (u, s) => assertOk(await api(own, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: u.token }));
      await fav(b, p1); await fav(c, p1); await fav(d, p1);
      await fav(a, p2); await fav(c, p2);
      await fav(b, p3); await fav(c, p3); await fav(d, p3); await fav(a, p3);
      assertOk(await api(own, 'POST', `/api/v1/accounts/${d.id}/block`, { token: a.token }));

      const explore = (u, q = '') => api(own, 'GET', `/api/vantage/v1/explore${q}`, { token: u?.token });
      assert.deepEqual(assertOk(await explore()).map((s) => s.id), [p1.id, p2.id], 'unlisted posts are not explored');
      assert.deepEqual(assertOk(await explore(c, '?limit=1')).map((s) => s.id), [p1.id]);
      assert.deepEqual(assertOk(await explore(c, '?offset=1')).map((s) => s.id), [p2.id]);
      assert.deepEqual(assertOk(await explore(d)).map((s) => s.id), [p2.id], 'blocked by the author');
      const first = assertOk(await explore(b))[0];
      assert.equal(first.favourited, true);
      assert.equal(first.favourites_count, 3);
      assertError(await explore(undefined, '?offset=abc'), 422, null, 'offset');
      assertError(await explore(undefined, '?offset=-1'), 422, null, 'offset');
      assertError(await explore(undefined, '?limit=ten'), 422, null, 'limit');
    } finally {
      await own.stop();
    }
  });
});
