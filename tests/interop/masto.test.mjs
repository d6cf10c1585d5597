// masto.js (the library under Elk and Phanpy) drives the scenario against a
// freshly started server: app, token, follow, two photos through v2 media
// with masto's own polling, a carousel, the home timeline paged through Link
// headers, favourite, reply, context, notifications, unfollow, and errors.
//
// masto rejects any response whose Content-Type is not application/json
// (errors included) with MastoUnexpectedError, so every call that resolves, and
// every MastoHttpError, is also a check of that.
//
// The scenario runs once per way of building home timelines (FEED_MODES). Its steps
// run in order and share state; a failed step makes the later ones fail too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MastoHttpError, createOAuthAPIClient, createRestAPIClient } from 'masto';
import {
  BOB_POSTS, FEED_MODES, MASTODON_NOTIFICATION_TYPES, OOB, PAGE_LIMIT, assertThreePages, makePhoto, startScenario,
  waitFor,
} from './lib/scenario.mjs';

const SCOPES = 'read write follow';

let scenario;
let url;
let alice;        // masto client with alice's token
let bob;          // masto client with bob's token
let me;           // alice's Account
let bobAccount;   // bob's Account as alice sees it
let photos;       // alice's two uploaded MediaAttachments
let carousel;     // alice's post of both photos
let bobStatuses;  // bob's posts, oldest first
let reply;        // alice's reply to bob's newest post, mentioning him
let comment;      // alice's comment on bob's second newest post, mentioning no one

// Records every request masto sends through fetch while `fn` runs, with the
// status and Content-Type of its answer.
async function recordingFetch(fn) {
  const original = globalThis.fetch;
  const seen = [];
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await original(request);
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
    });
    return response;
  };
  try {
    return { result: await fn(), seen };
  } finally {
    globalThis.fetch = original;
  }
}

for (const mode of FEED_MODES) {
  describe(`masto@7.12.0, ${mode.name}`, () => {
    before(async () => {
      scenario = await startScenario('masto', mode.flags);
      url = scenario.server.url;
      bob = createRestAPIClient({ url, accessToken: scenario.bob.token });
    });
    after(async () => {
      await scenario?.stop();
      scenario = null;
    });

    test('registers an app, gets a token with the password grant and verifies the credentials', async () => {
      const anonymous = createRestAPIClient({ url });
      // What a client reads first: the version it gates features on, and the limits.
      const instance = await anonymous.v2.instance.fetch();
      assert.match(instance.version, /^4\.\d+\.\d+ \(compatible; Vantage /);
      assert.equal(instance.configuration.statuses.maxMediaAttachments, 20);
      assert.ok(instance.configuration.mediaAttachments.supportedMimeTypes.includes('image/jpeg'));

      const app = await anonymous.v1.apps.create({
        clientName: 'Vantage interop (masto)', redirectUris: OOB, scopes: SCOPES, website: 'https://example.com',
      });
      assert.equal(app.name, 'Vantage interop (masto)');
      assert.equal(typeof app.clientId, 'string');
      assert.equal(typeof app.clientSecret, 'string');
      assert.ok(app.clientId.length > 0 && app.clientSecret.length > 0, JSON.stringify(app));

      const oauth = createOAuthAPIClient({ url });
      const token = await oauth.token.create({
        grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: OOB,
        username: scenario.alice.username, password: scenario.alice.password, scope: SCOPES,
      });
      assert.equal(token.tokenType, 'Bearer');
      assert.equal(typeof token.accessToken, 'string');
      assert.equal(typeof token.createdAt, 'number');

      alice = createRestAPIClient({ url, accessToken: token.accessToken });
      me = await alice.v1.accounts.verifyCredentials();
      assert.equal(me.username, scenario.alice.username);
      assert.equal(me.acct, scenario.alice.username);
      assert.match(me.id, /^\d+$/);
      assert.equal(typeof me.source, 'object', 'verify_credentials carries the source');
      assert.equal(me.followingCount, 0);

      const verifiedApp = await alice.v1.apps.verifyCredentials();
      assert.equal(verifiedApp.name, 'Vantage interop (masto)');
    });

    test('follows the other account', async () => {
      bobAccount = await alice.v1.accounts.lookup({ acct: scenario.bob.username });
      assert.equal(bobAccount.username, scenario.bob.username);
      assert.equal(bobAccount.followersCount, 0);

      const relationship = await alice.v1.accounts.$select(bobAccount.id).follow();
      assert.equal(relationship.id, bobAccount.id);
      assert.equal(relationship.following, true);
      assert.equal(relationship.requested, false);

      const [again] = await alice.v1.accounts.relationships.fetch({ id: [bobAccount.id] });
      assert.equal(again.id, bobAccount.id);
      assert.equal(again.following, true);
      assert.equal((await alice.v1.accounts.$select(bobAccount.id).fetch()).followersCount, 1);
      assert.equal((await alice.v1.accounts.verifyCredentials()).followingCount, 1);

      const followers = await bob.v1.accounts.$select(bobAccount.id).followers.list();
      assert.deepEqual(followers.map((a) => a.id), [me.id]);
    });

    test('uploads two photos through v2 media and polls GET /api/v1/media/:id until they are ready', async () => {
      const jpeg = await makePhoto(scenario.dir, { width: 64, height: 48, format: 'jpg' });
      const png = await makePhoto(scenario.dir, { width: 40, height: 30, format: 'png' });
      const { result, seen } = await recordingFetch(async () => [
        await alice.v2.media.create({ file: jpeg.blob, description: 'The first photo' }),
        await alice.v2.media.create({ file: png.blob, description: 'The second photo' }),
      ]);
      photos = result;

      // masto uploads, then polls until the attachment has a url: both steps went over the wire.
      const uploads = seen.filter((r) => r.method === 'POST' && r.path === '/api/v2/media');
      assert.equal(uploads.length, 2, JSON.stringify(seen));
      for (const [i, photo] of photos.entries()) {
        const polls = seen.filter((r) => r.method === 'GET' && r.path === `/api/v1/media/${photo.id}`);
        assert.ok(polls.length >= 1, `masto polled media ${i}: ${JSON.stringify(seen)}`);
        assert.equal(polls.at(-1).status, 200, 'the last poll found it ready');
      }
      for (const r of seen) assert.match(r.contentType ?? '', /^application\/json/, JSON.stringify(r));

      const [first, second] = photos;
      assert.notEqual(first.id, second.id);
      const expected = [[first, jpeg, 'The first photo'], [second, png, 'The second photo']];
      for (const [photo, source, description] of expected) {
        assert.equal(photo.type, 'image');
        assert.equal(photo.description, description);
        assert.equal(typeof photo.url, 'string');
        assert.equal(typeof photo.previewUrl, 'string');
        assert.equal(photo.meta.original.width, source.width);
        assert.equal(photo.meta.original.height, source.height);
        const file = await fetch(photo.url);
        assert.equal(file.status, 200, photo.url);
        assert.match(file.headers.get('content-type') ?? '', /^image\//);
      }
    });

    test('posts a carousel of both photos', async () => {
      carousel = await alice.v1.statuses.create({
        status: 'Two photos from the library #interop', mediaIds: photos.map((p) => p.id), visibility: 'public',
      });
      assert.match(carousel.id, /^\d+$/);
      assert.equal(carousel.account.id, me.id);
      assert.equal(carousel.visibility, 'public');
      assert.deepEqual(carousel.mediaAttachments.map((m) => m.id), photos.map((p) => p.id));
      assert.deepEqual(carousel.mediaAttachments.map((m) => m.description), ['The first photo', 'The second photo']);
      assert.equal(carousel.inReplyToId, null);
      assert.equal(carousel.favouritesCount, 0);
      assert.equal(carousel.favourited, false);
      assert.match(carousel.content, /interop/);

      const fetched = await bob.v1.statuses.$select(carousel.id).fetch();
      assert.equal(fetched.id, carousel.id);
      assert.equal(fetched.mediaAttachments.length, 2);
    });

    test('pages the home timeline through Link headers without overlap', async () => {
      bobStatuses = [];
      for (let i = 0; i < BOB_POSTS; i++) {
        const photo = await makePhoto(scenario.dir, { width: 32, height: 32 });
        const media = await bob.v1.media.create({ file: photo.blob });
        assert.equal(typeof media.url, 'string', 'v1 media is ready when it answers');
        bobStatuses.push(await bob.v1.statuses.create({ status: `Bob's photo ${i + 1}`, mediaIds: [media.id] }));
      }
      const expected = [...bobStatuses].reverse().map((s) => s.id).concat(carousel.id);

      // Posts reach followers' home timelines shortly after they are made (a loose bound: the
      // same test runs on the sanitizer build).
      await waitFor(async () => {
        const top = await alice.v1.timelines.home.list({ limit: 1 });
        return top[0]?.id === expected[0];
      }, { timeoutMs: 10_000, message: "bob's newest post on top of alice's home timeline" });

      const pages = [];
      for await (const page of alice.v1.timelines.home.list({ limit: PAGE_LIMIT })) {
        pages.push(page.map((s) => s.id));
        if (pages.length > 5) break;
      }
      // masto follows rel="next" until a page has none: at most one empty page after the last.
      assert.ok(pages.length === 3 || (pages.length === 4 && pages[3].length === 0), JSON.stringify(pages));
      assertThreePages(pages, expected);

      // min_id pages forward from a cursor and still answers newest first.
      const forward = await alice.v1.timelines.home.list({ limit: PAGE_LIMIT, minId: pages[1][2] });
      assert.deepEqual(forward.map((s) => s.id), [pages[0][2], pages[1][0], pages[1][1]]);

      // rel="prev" leads back up: from the page below pages[0] to pages[0], then to nothing newer.
      const prev = [];
      const paginator = alice.v1.timelines.home.list({ limit: PAGE_LIMIT, maxId: pages[0][2] });
      for await (const page of paginator.setDirection('prev')) {
        prev.push(page.map((s) => s.id));
        if (prev.length > 5) break;
      }
      assert.deepEqual(prev.filter((page) => page.length > 0), [pages[1], pages[0]]);
    });

    test('favourites a post, replies to it and reads the context', async () => {
      const target = bobStatuses.at(-1);
      const favourited = await alice.v1.statuses.$select(target.id).favourite();
      assert.equal(favourited.id, target.id);
      assert.equal(favourited.favourited, true);
      assert.equal(favourited.favouritesCount, 1);

      const likers = await alice.v1.statuses.$select(target.id).favouritedBy.list();
      assert.deepEqual(likers.map((a) => a.id), [me.id]);

      reply = await alice.v1.statuses.create({
        status: `@${scenario.bob.username} lovely light`, inReplyToId: target.id,
      });
      assert.equal(reply.inReplyToId, target.id);
      assert.equal(reply.inReplyToAccountId, bobAccount.id);
      assert.deepEqual(reply.mentions.map((m) => m.id), [bobAccount.id]);
      assert.equal(reply.mediaAttachments.length, 0);

      const context = await alice.v1.statuses.$select(target.id).context.fetch();
      assert.deepEqual(context.ancestors.map((s) => s.id), []);
      assert.deepEqual(context.descendants.map((s) => s.id), [reply.id]);
      const replyContext = await bob.v1.statuses.$select(reply.id).context.fetch();
      assert.deepEqual(replyContext.ancestors.map((s) => s.id), [target.id]);
      assert.deepEqual(replyContext.descendants.map((s) => s.id), []);

      // A comment that mentions no one still reaches the author (as a mention, the type clients know).
      comment = await alice.v1.statuses.create({ status: 'What a view', inReplyToId: bobStatuses.at(-2).id });
      assert.equal(comment.inReplyToAccountId, bobAccount.id);
      assert.deepEqual(comment.mentions, []);

      // The author sees the counts, and that he has not favourited it himself.
      const seenByBob = await bob.v1.statuses.$select(target.id).fetch();
      assert.equal(seenByBob.favouritesCount, 1);
      assert.equal(seenByBob.repliesCount, 1);
      assert.equal(seenByBob.favourited, false);
    });

    test("reads the other account's notifications", async () => {
      const target = bobStatuses.at(-1);
      const notifications = await bob.v1.notifications.list({ limit: 40 });
      for (const n of notifications) {
        assert.ok(MASTODON_NOTIFICATION_TYPES.has(n.type), `a type clients know: ${JSON.stringify(n)}`);
        assert.equal(n.account.id, me.id, JSON.stringify(n));
        assert.match(n.id, /^\d+$/);
      }
      const byType = (type) => notifications.filter((n) => n.type === type);
      assert.equal(byType('follow').length, 1, JSON.stringify(notifications));
      assert.equal(byType('follow')[0].status ?? null, null);
      assert.deepEqual(byType('favourite').map((n) => n.status.id), [target.id]);
      assert.deepEqual(byType('mention').map((n) => n.status.id), [comment.id, reply.id]);
      // Newest first: the follow, the favourite, the reply, the comment.
      assert.deepEqual(notifications.map((n) => n.type), ['mention', 'mention', 'favourite', 'follow']);

      const mentions = await bob.v1.notifications.list({ types: ['mention'] });
      assert.deepEqual(mentions.map((n) => n.status.id), [comment.id, reply.id]);
      const notMentions = await bob.v1.notifications.list({ excludeTypes: ['mention'] });
      assert.ok(notMentions.length >= 2 && notMentions.every((n) => n.type !== 'mention'),
        JSON.stringify(notMentions));

      // Alice was not notified of her own actions.
      assert.deepEqual(await alice.v1.notifications.list(), []);
    });

    test('unfavourites and unfollows', async () => {
      const target = bobStatuses.at(-1);
      const unfavourited = await alice.v1.statuses.$select(target.id).unfavourite();
      assert.equal(unfavourited.favourited, false);
      assert.equal(unfavourited.favouritesCount, 0);
      assert.deepEqual(await alice.v1.statuses.$select(target.id).favouritedBy.list(), []);

      const relationship = await alice.v1.accounts.$select(bobAccount.id).unfollow();
      assert.equal(relationship.id, bobAccount.id);
      assert.equal(relationship.following, false);
      assert.equal((await alice.v1.accounts.$select(bobAccount.id).fetch()).followersCount, 0);
      assert.equal((await alice.v1.accounts.verifyCredentials()).followingCount, 0);
      assert.deepEqual(await bob.v1.accounts.$select(bobAccount.id).followers.list(), []);
      // His posts leave her home timeline; her own post stays (comments are not feed items).
      await waitFor(async () => {
        const home = await alice.v1.timelines.home.list({ limit: 40 });
        return home.every((s) => s.account.id === me.id);
      }, { timeoutMs: 10_000, message: "bob's posts gone from alice's home timeline" });
      const home = await alice.v1.timelines.home.list({ limit: 40 });
      assert.deepEqual(home.map((s) => s.id), [carousel.id]);
    });

    test('errors reach masto as JSON it can read', async () => {
      const isHttpError = (status) => (err) => {
        assert.ok(err instanceof MastoHttpError,
          `a MastoHttpError (a JSON error body), got ${err?.name}: ${err?.message}`);
        assert.equal(err.statusCode, status);
        assert.equal(typeof err.message, 'string');
        assert.ok(err.message.length > 0);
        return true;
      };
      await assert.rejects(alice.v1.statuses.$select('1').fetch(), isHttpError(404));
      await assert.rejects(alice.v1.accounts.$select('1').follow(), isHttpError(404));
      await assert.rejects(alice.v1.media.$select('1').fetch(), isHttpError(404));
      await assert.rejects(alice.v1.statuses.create({ status: 'a post needs a photo' }), isHttpError(422));
      const stranger = createRestAPIClient({ url, accessToken: 'not-a-token' });
      await assert.rejects(stranger.v1.accounts.verifyCredentials(), isHttpError(401));
    });
  });
}
