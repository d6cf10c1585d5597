// megalodon (generator('mastodon', url, token)) drives the scenario against a
// freshly started server: app and the authorization-code flow it supports,
// follow, two photos through v2 media with the app's own polling, a carousel,
// the home timeline paged by the max_id of the Link header, favourite, reply,
// context, notifications, unfollow, and errors.
//
// megalodon parses bodies with axios and does not look at Content-Type, so
// each answer's status and Content-Type are checked here.
//
// The scenario runs once per way of building home timelines (FEED_MODES). Its steps
// run in order and share state; a failed step makes the later ones fail too.

import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import megalodon from 'megalodon';
import {
  BOB_POSTS, FEED_MODES, MASTODON_NOTIFICATION_TYPES, PAGE_LIMIT, api, assertEntity, assertThreePages, cookieHeader,
  linkCursor, makePhoto, parseHiddenInputs, startScenario, waitFor,
} from './lib/scenario.mjs';

// megalodon is CommonJS: its default export is the module, whose default is generator().
const generator = megalodon.default;

const REDIRECT = 'https://client.example/callback';

let scenario;
let url;
let alice;        // megalodon client with alice's token
let aliceToken;
let bob;          // megalodon client with bob's token
let me;           // alice's Account
let bobId;
let photos;       // alice's two uploaded attachments, ready
let carousel;
let bobStatuses;  // bob's posts, oldest first
let reply;        // alice's reply to bob's newest post, mentioning him
let comment;      // alice's comment on bob's second newest post, mentioning no one

// A megalodon Response: the status and a JSON Content-Type; returns data.
function ok(res, status = 200) {
  assert.equal(res.status, status, `status ${res.status}: ${JSON.stringify(res.data).slice(0, 400)}`);
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/,
    `Content-Type of ${JSON.stringify(res.data).slice(0, 200)}`);
  return res.data;
}

// Signs in on the authorize page megalodon's registerApp pointed at, as a
// person in a browser would, and returns the code from the redirect.
async function authorizeInBrowser(authorizeUrl, username, password) {
  const target = new URL(authorizeUrl);
  assert.equal(target.origin, url, `the authorize URL is on the server: ${authorizeUrl}`);
  const page = await api(scenario.server, 'GET', `${target.pathname}${target.search}`);
  assert.equal(page.status, 200, `GET ${authorizeUrl}: ${page.status} ${page.text.slice(0, 300)}`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const form = { ...parseHiddenInputs(page.text), ...Object.fromEntries(target.searchParams), username, password };
  const res = await api(scenario.server, 'POST', '/oauth/authorize',
    { form, headers: { cookie: cookieHeader(page.cookies) } });
  assert.equal(res.status, 302, `POST /oauth/authorize: ${res.status} ${res.text.slice(0, 300)}`);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  const code = location.searchParams.get('code');
  assert.ok(code, `a code in ${location}`);
  return code;
}

// Uploads through POST /api/v2/media (megalodon's Node build sends files with
// the form-data package, which takes a stream, as its docs show), then polls GET /api/v1/media/:id as an
// app must with megalodon (206 while processing, 200 with a url when ready).
async function uploadAndWait(client, photo, description) {
  const res = await client.uploadMedia(createReadStream(photo.path), description ? { description } : undefined);
  assert.ok(res.status === 200 || res.status === 202, `upload status ${res.status}`);
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/);
  const { id } = res.data;
  assert.match(id, /^\d+$/);
  let polls = 0;
  const ready = await waitFor(async () => {
    polls += 1;
    const got = await client.getMedia(id);
    assert.ok(got.status === 200 || got.status === 206, `poll status ${got.status}`);
    assert.match(String(got.headers['content-type'] ?? ''), /^application\/json/);
    return got.status === 200 && got.data.url ? got.data : null;
  }, { timeoutMs: 30_000, intervalMs: 200, message: `media ${id} ready` });
  assert.ok(polls >= 1);
  return ready;
}

for (const mode of FEED_MODES) {
  describe(`megalodon@10.0.5, ${mode.name}`, () => {
    before(async () => {
      scenario = await startScenario('megalodon', mode.flags);
      url = scenario.server.url;
      bob = generator('mastodon', url, scenario.bob.token);
    });
    after(async () => {
      await scenario?.stop();
      scenario = null;
    });

    test('registers an app, gets a token by the authorization-code flow and verifies the credentials', async () => {
      const anonymous = generator('mastodon', url);
      // What a client reads first: the version it gates features on, and the limits.
      const instance = ok(await anonymous.getInstance());
      assert.match(instance.version, /^4\.\d+\.\d+ \(compatible; Vantage /);
      assert.equal(instance.configuration.statuses.max_media_attachments, 20);

      const app = await anonymous.registerApp('Vantage interop (megalodon)', {
        scopes: ['read', 'write', 'follow'], redirect_uris: REDIRECT, website: 'https://example.com',
      });
      assert.equal(app.name, 'Vantage interop (megalodon)');
      assert.equal(typeof app.client_id, 'string');
      assert.equal(typeof app.client_secret, 'string');
      assert.equal(app.redirect_uri, REDIRECT);
      assert.ok(app.url, 'registerApp builds the authorize URL');

      const code = await authorizeInBrowser(app.url, scenario.alice.username, scenario.alice.password);
      const token = await anonymous.fetchAccessToken(app.client_id, app.client_secret, code, REDIRECT);
      assert.equal(typeof token.access_token, 'string');
      assert.equal(token.token_type, 'Bearer');
      assert.equal(token.scope, 'read write follow');

      aliceToken = token.access_token;
      alice = generator('mastodon', url, aliceToken);
      me = ok(await alice.verifyAccountCredentials());
      assert.equal(me.username, scenario.alice.username);
      assert.match(me.id, /^\d+$/);
      assert.equal(me.following_count, 0);
      const verifiedApp = ok(await alice.verifyAppCredentials());
      assert.equal(verifiedApp.name, 'Vantage interop (megalodon)');
    });

    test('follows the other account', async () => {
      const found = ok(await alice.lookupAccount(scenario.bob.username));
      bobId = found.id;
      assert.equal(found.username, scenario.bob.username);

      const relationship = ok(await alice.followAccount(bobId));
      assert.equal(relationship.id, bobId);
      assert.equal(relationship.following, true);
      assert.equal(relationship.requested, false);

      const [again] = ok(await alice.getRelationships([bobId]));
      assert.equal(again.following, true);
      assert.equal(ok(await alice.getAccount(bobId)).followers_count, 1);
      assert.equal(ok(await alice.verifyAccountCredentials()).following_count, 1);
      const following = ok(await alice.getAccountFollowing(me.id));
      assert.deepEqual(following.map((a) => a.id), [bobId]);
    });

    test('uploads two photos through v2 media and polls until they are ready', async () => {
      const jpeg = await makePhoto(scenario.dir, { width: 64, height: 48, format: 'jpg' });
      const png = await makePhoto(scenario.dir, { width: 40, height: 30, format: 'png' });
      photos = [
        await uploadAndWait(alice, jpeg, 'The first photo'),
        await uploadAndWait(alice, png, 'The second photo'),
      ];
      assert.notEqual(photos[0].id, photos[1].id);
      const expected = [[photos[0], jpeg, 'The first photo'], [photos[1], png, 'The second photo']];
      for (const [photo, source, description] of expected) {
        assert.equal(photo.type, 'image');
        assert.equal(photo.description, description);
        assert.equal(typeof photo.preview_url, 'string');
        assert.equal(photo.meta.original.width, source.width);
        assert.equal(photo.meta.original.height, source.height);
      }
    });

    test('posts a carousel of both photos', async () => {
      carousel = ok(await alice.postStatus('Two photos from megalodon #interop', {
        media_ids: photos.map((p) => p.id), visibility: 'public',
      }));
      assert.equal(carousel.account.id, me.id);
      assert.deepEqual(carousel.media_attachments.map((m) => m.id), photos.map((p) => p.id));
      assert.equal(carousel.in_reply_to_id, null);
      assert.equal(carousel.favourited, false);
      const fetched = ok(await bob.getStatus(carousel.id));
      assert.deepEqual(fetched.media_attachments.map((m) => m.id), photos.map((p) => p.id));
    });

    test('pages the home timeline by the max_id of the Link header without overlap', async () => {
      bobStatuses = [];
      for (let i = 0; i < BOB_POSTS; i++) {
        const media = await uploadAndWait(bob, await makePhoto(scenario.dir, { width: 32, height: 32 }));
        bobStatuses.push(ok(await bob.postStatus(`Bob's photo ${i + 1}`, { media_ids: [media.id] })));
      }
      const expected = [...bobStatuses].reverse().map((s) => s.id).concat(carousel.id);

      // Posts reach followers' home timelines shortly after they are made (a loose bound: the
      // same test runs on the sanitizer build).
      await waitFor(async () => ok(await alice.getHomeTimeline({ limit: 1 }))[0]?.id === expected[0],
        { timeoutMs: 10_000, message: "bob's newest post on top of alice's home timeline" });

      const pages = [];
      let maxId = null;
      for (;;) {
        const res = await alice.getHomeTimeline(maxId ? { limit: PAGE_LIMIT, max_id: maxId } : { limit: PAGE_LIMIT });
        const page = ok(res).map((s) => s.id);
        pages.push(page);
        maxId = linkCursor(res.headers.link, 'next', 'max_id');
        if (page.length > 0) {
          assert.equal(maxId, page.at(-1), `rel="next" continues below the page: ${res.headers.link}`);
          assert.equal(linkCursor(res.headers.link, 'prev', 'min_id'), page[0], `rel="prev": ${res.headers.link}`);
        }
        if (!maxId || pages.length > 5) break;
      }
      assertThreePages(pages, expected);

      // since_id: what is newer than a post, at most `limit`, newest first.
      const newer = ok(await alice.getHomeTimeline({ since_id: pages[2][0], limit: 40 }));
      assert.deepEqual(newer.map((s) => s.id), [...pages[0], ...pages[1]]);
    });

    test('favourites a post, replies to it and reads the context', async () => {
      const target = bobStatuses.at(-1);
      const favourited = ok(await alice.favouriteStatus(target.id));
      assert.equal(favourited.favourited, true);
      assert.equal(favourited.favourites_count, 1);
      const likers = ok(await bob.getStatusFavouritedBy(target.id));
      assert.deepEqual(likers.map((a) => a.id), [me.id]);

      reply = ok(await alice.postStatus(`@${scenario.bob.username} lovely light`, { in_reply_to_id: target.id }));
      assert.equal(reply.in_reply_to_id, target.id);
      assert.equal(reply.in_reply_to_account_id, bobId);
      assert.deepEqual(reply.mentions.map((m) => m.id), [bobId]);

      const context = ok(await alice.getStatusContext(target.id));
      assert.deepEqual(context.ancestors.map((s) => s.id), []);
      assert.deepEqual(context.descendants.map((s) => s.id), [reply.id]);
      const replyContext = ok(await bob.getStatusContext(reply.id));
      assert.deepEqual(replyContext.ancestors.map((s) => s.id), [target.id]);

      // A comment that mentions no one still reaches the author (as a mention, the type clients know).
      comment = ok(await alice.postStatus('What a view', { in_reply_to_id: bobStatuses.at(-2).id }));
      assert.equal(comment.in_reply_to_account_id, bobId);
      assert.deepEqual(comment.mentions, []);

      const seenByBob = ok(await bob.getStatus(target.id));
      assert.equal(seenByBob.favourites_count, 1);
      assert.equal(seenByBob.replies_count, 1);
      assert.equal(seenByBob.favourited, false);
    });

    test("reads the other account's notifications", async () => {
      const target = bobStatuses.at(-1);
      const res = await bob.getNotifications({ limit: 40 });
      const notifications = ok(res);
      // megalodon drops types it does not know; the raw answer must have none.
      const raw = await api(scenario.server, 'GET', '/api/v1/notifications?limit=40', { token: scenario.bob.token });
      assert.equal(raw.status, 200);
      for (const n of raw.json) {
        assert.ok(MASTODON_NOTIFICATION_TYPES.has(n.type), `a type clients know: ${JSON.stringify(n)}`);
      }
      assert.equal(notifications.length, raw.json.length);

      for (const n of notifications) assert.equal(n.account.id, me.id, JSON.stringify(n));
      const byType = (type) => notifications.filter((n) => n.type === type);
      assert.equal(byType('follow').length, 1, JSON.stringify(notifications));
      assert.deepEqual(byType('favourite').map((n) => n.status.id), [target.id]);
      assert.deepEqual(byType('mention').map((n) => n.status.id), [comment.id, reply.id]);
      // Newest first: the follow, the favourite, the reply, the comment.
      assert.deepEqual(notifications.map((n) => n.type), ['mention', 'mention', 'favourite', 'follow']);

      const withoutMentions = ok(await bob.getNotifications({ exclude_types: ['mention'] }));
      assert.ok(withoutMentions.length >= 2 && withoutMentions.every((n) => n.type !== 'mention'),
        JSON.stringify(withoutMentions));
      assert.deepEqual(ok(await alice.getNotifications()), []);
    });

    test("every entity of the scenario carries Mastodon 4.2's fields", async () => {
      const get = async (path, token) => {
        const res = await api(scenario.server, 'GET', path, { token });
        assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
        return res.json;
      };
      assertEntity('account', await get(`/api/v1/accounts/${bobId}`, aliceToken));
      assertEntity('status', await get(`/api/v1/statuses/${carousel.id}`, aliceToken));
      assertEntity('status', await get(`/api/v1/statuses/${reply.id}`, scenario.bob.token));
      const [relationship] = await get(`/api/v1/accounts/relationships?id[]=${bobId}`, aliceToken);
      assertEntity('relationship', relationship);
      for (const [i, status] of (await get('/api/v1/timelines/home?limit=40', aliceToken)).entries()) {
        assertEntity('status', status, `home[${i}]`);
      }
      const context = await get(`/api/v1/statuses/${bobStatuses.at(-1).id}/context`, aliceToken);
      context.descendants.forEach((s, i) => assertEntity('status', s, `descendants[${i}]`));
      for (const [i, n] of (await get('/api/v1/notifications', scenario.bob.token)).entries()) {
        assertEntity('notification', n, `notifications[${i}]`);
      }
      for (const photo of photos) assertEntity('media', await get(`/api/v1/media/${photo.id}`, aliceToken));
    });

    test('unfavourites and unfollows', async () => {
      const target = bobStatuses.at(-1);
      const unfavourited = ok(await alice.unfavouriteStatus(target.id));
      assert.equal(unfavourited.favourited, false);
      assert.equal(unfavourited.favourites_count, 0);

      const relationship = ok(await alice.unfollowAccount(bobId));
      assert.equal(relationship.id, bobId);
      assert.equal(relationship.following, false);
      assert.equal(ok(await alice.getAccount(bobId)).followers_count, 0);
      assert.equal(ok(await alice.verifyAccountCredentials()).following_count, 0);
      assert.deepEqual(ok(await alice.getAccountFollowers(bobId)), []);
      // His posts leave her home timeline; her own post stays (comments are not feed items).
      await waitFor(async () => ok(await alice.getHomeTimeline({ limit: 40 })).every((s) => s.account.id === me.id),
        { timeoutMs: 10_000, message: "bob's posts gone from alice's home timeline" });
      assert.deepEqual(ok(await alice.getHomeTimeline({ limit: 40 })).map((s) => s.id), [carousel.id]);
    });

    test('errors reach megalodon as JSON', async () => {
      const isJsonError = (status) => (err) => {
        const res = err?.response;
        assert.ok(res, `an HTTP error, got ${err?.name}: ${err?.message}`);
        assert.equal(res.status, status);
        assert.match(String(res.headers['content-type'] ?? ''), /^application\/json/);
        assert.equal(typeof res.data, 'object', `a parsed JSON body: ${res.data}`);
        assert.equal(typeof res.data.error, 'string');
        assert.ok(res.data.error.length > 0);
        return true;
      };
      await assert.rejects(alice.getStatus('1'), isJsonError(404));
      await assert.rejects(alice.favouriteStatus('1'), isJsonError(404));
      await assert.rejects(alice.getMedia('1'), isJsonError(404));
      await assert.rejects(alice.postStatus('a post needs a photo'), isJsonError(422));
      await assert.rejects(generator('mastodon', url, 'not-a-token').verifyAccountCredentials(), isJsonError(401));
    });
  });
}
