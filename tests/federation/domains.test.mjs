// Which servers Vantage federates with (docs/federation.md, "Control"; issue
// 16 section 5): domain blocks and the allowlist, made by instance admins
// through the admin API (Mastodon's shape) or `vantage admin domain-*`, each
// change audited, and `--federation off|open|allowlist`.
//
// The blocked server is a Fedify peer started on host `localhost`, so its
// origin is http://localhost:PORT and a block of the domain "localhost"
// covers it (ports are ignored); a second peer on 127.0.0.1 is never blocked
// and is the control for every "nothing arrives" check.
//
// - suspend: its signed activities are 403 domain_blocked before anything is
//   fetched from it, posts are no longer delivered to it, and unblocking
//   restores delivery;
// - silence: its comments wait in the post author's held list, its posts
//   still go to it;
// - allowlist: only allowed domains get in or out;
// - off: no ActivityPub documents, no inbox, the pages stay the web app's;
// - the admin API's validation and shapes;
// - the command line on a stopped server's data, and the audit log of both.
// Run on both engines (VANTAGE_TEST_ENGINE).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ADMIN_SCOPES, ENGINE, api, assertError, assertOk, createApp, makeAdmin, passwordToken, runCli, sleep, waitFor,
} from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { CONTEXT, startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const AP = { accept: 'application/activity+json' };
const DELIVERY = { timeout: 15_000 };
const WAIT = { timeoutMs: 10_000 };
const BLOCKS = '/api/v1/admin/domain_blocks';
const ALLOWS = '/api/v1/admin/domain_allows';
// Small keys: these peers are about policy, not key sizes.
const PEER = { modulusLength: 2048 };

let likeCount = 0;
const likeJson = (peer, as, object) => ({
  '@context': CONTEXT, id: `${peer.actorId(as)}#likes/${Date.now()}-${++likeCount}`, type: 'Like', actor: peer.actorId(as), object,
});
const followJson = (peer, as, object) => ({
  '@context': CONTEXT, id: `${peer.actorId(as)}#follows/${Date.now()}-${++likeCount}`, type: 'Follow', actor: peer.actorId(as), object,
});

// Every request `peer` received from index `from` on.
const requestsSince = (peer, from) => peer.requests.slice(from).map((r) => `${r.method} ${r.path}`);

// A remote follow of a local account, answered by a signed Accept.
async function followFrom(v, peer, as, username) {
  const followId = await peer.follow(as, v.actorId(username), { inbox: v.inbox(username) });
  const accept = await peer.waitFor({ type: 'Accept', actor: v.actorId(username), objectId: followId }, DELIVERY);
  assert.ok(accept.signature, 'the Accept was signed');
  return followId;
}

// Asserts that `res` (from lib/httpsig.mjs) is Vantage's refusal of a
// blocked server.
function assertDomainBlocked(res, what) {
  assert.equal(res.status, 403, `${what}: ${res.status} ${res.text}`);
  assertError(res, 403, 'domain_blocked');
}

describe('domain blocks on an open server', () => {
  let v;        // Vantage behind the TLS proxy
  let blocked;  // Fedify on localhost: mallory follows vera; eve is never seen before the block
  let control;  // Fedify on 127.0.0.1: alice follows vera; never blocked
  let admin;
  let vera;

  const status = async (id, token) => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${id}`, { token }));
  const block = (json) => api(v.server, 'POST', BLOCKS, { token: admin.token, json });
  const unblock = (domain) => api(v.server, 'DELETE', `${BLOCKS}/${encodeURIComponent(domain)}`, { token: admin.token });

  before(async () => {
    v = await startFederatedVantage(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000', '--federation-per-host', '1']);
    [blocked, control] = await Promise.all([
      startPeer({ host: 'localhost', actors: ['mallory', 'eve'], ...PEER }),
      startPeer({ actors: ['alice'], ...PEER }),
    ]);
    assert.equal(new URL(blocked.origin).hostname, 'localhost', `the blocked peer's origin is ${blocked.origin}`);
    assert.equal(new URL(control.origin).hostname, '127.0.0.1');
    admin = await makeAdmin(v.server);
    vera = await registerUser(v.server, 'vera');
    await followFrom(v, blocked, 'mallory', vera.username);
    await followFrom(v, control, 'alice', vera.username);
    // Both get vera's posts before any block: what stops below is the block.
    const first = await postPhoto(v.server, vera, { status: 'Before any block' });
    const noteId = v.statusId(vera.username, first.id);
    await Promise.all([blocked, control].map((p) => p.waitFor({ type: 'Create', objectId: noteId }, DELIVERY)));
  });

  after(async () => {
    await v?.stop();
    await blocked?.stop();
    await control?.stop();
  });

  describe('suspend', () => {
    test('an admin suspends "localhost" through the API; a delivery queued before is dropped when its turn comes', async () => {
      // The blocked peer answers its inbox slowly, and Vantage sends one
      // request at a time to a host (--federation-per-host 1): while the
      // first post's delivery hangs, the second one's waits in the queue.
      const fetchOriginal = blocked.federation.fetch.bind(blocked.federation);
      blocked.federation.fetch = async (request, options) => {
        if (request.method === 'POST') await sleep(2500);
        return fetchOriginal(request, options);
      };
      const bodyNames = (noteId) => (r) => r.method === 'POST' && r.body.includes(noteId);
      try {
        const first = await postPhoto(v.server, vera, { status: 'In flight when the block comes' });
        const firstNote = v.statusId(vera.username, first.id);
        await blocked.waitForRequest(bodyNames(firstNote), DELIVERY);
        const second = await postPhoto(v.server, vera, { status: 'Queued when the block comes' });
        const secondNote = v.statusId(vera.username, second.id);
        await control.waitFor({ type: 'Create', objectId: secondNote }, DELIVERY);
        assert.ok(!blocked.requests.some(bodyNames(secondNote)), 'the second delivery waits behind the first');

        const created = assertOk(await block({ domain: 'localhost', severity: 'suspend', private_comment: 'test peer' }));
        assert.equal(created.id, 'localhost');
        assert.equal(created.domain, 'localhost');
        assert.equal(created.severity, 'suspend');
        assert.equal(created.private_comment, 'test peer');
        const listed = assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token }));
        assert.deepEqual(listed.map((b) => [b.domain, b.severity]), [['localhost', 'suspend']]);

        // The first request ends; the queued one is never sent.
        await blocked.waitFor({ type: 'Create', objectId: firstNote }, DELIVERY);
        await sleep(1500);
        assert.deepEqual(blocked.requests.filter(bodyNames(secondNote)).map((r) => `${r.method} ${r.path}`), [],
          'the delivery queued before the block was not sent');
      } finally {
        blocked.federation.fetch = fetchOriginal;
      }
    });

    test('its signed activities are 403 domain_blocked, and nothing is fetched from it', async () => {
      const post = await postPhoto(v.server, vera, { status: 'Like me if you can' });
      const noteId = v.statusId(vera.username, post.id);
      const mark = blocked.requests.length;
      // A known actor (mallory, whose key is cached) and one never seen
      // (eve, whose key would have to be fetched), to the shared and the
      // personal inbox, by hand and through Fedify.
      assertDomainBlocked(await blocked.signedPost('mallory', v.sharedInbox, likeJson(blocked, 'mallory', noteId)), 'a Like by mallory');
      assertDomainBlocked(await blocked.signedPost('eve', v.sharedInbox, likeJson(blocked, 'eve', noteId)), 'a Like by eve');
      assertDomainBlocked(await blocked.signedPost('eve', v.inbox(vera.username), followJson(blocked, 'eve', v.actorId(vera.username))),
        'a Follow by eve to the personal inbox');
      await assert.rejects(blocked.like('mallory', noteId, { inbox: v.inbox(vera.username) }), /403/);
      await assert.rejects(blocked.follow('eve', v.actorId(vera.username), { inbox: v.inbox(vera.username) }), /403/);
      // A subdomain of the blocked domain is refused from its name alone.
      const sub = { keyId: `http://sub.${blocked.host}/users/eve#main-key`, privateKey: blocked.signer('eve').privateKey };
      const subLike = { ...likeJson(blocked, 'eve', noteId), actor: `http://sub.${blocked.host}/users/eve` };
      assertDomainBlocked(await blocked.signedPost('eve', v.sharedInbox, subLike, sub), 'a Like from a subdomain');
      // The control peer's Like is taken.
      const ok = await control.signedPost('alice', v.sharedInbox, likeJson(control, 'alice', noteId));
      assert.equal(ok.status, 202, ok.text);
      await sleep(500);
      assert.deepEqual(requestsSince(blocked, mark), [], 'Vantage fetched nothing from (and sent nothing to) the blocked server');
      assert.equal((await status(post.id)).favourites_count, 1, 'only the control Like counted');
      const followers = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token }));
      assert.ok(!followers.some((a) => a.acct === `eve@${blocked.host}`), 'eve does not follow vera');
    });

    test("a post is not delivered to the suspended server's followers; the control gets it", async () => {
      const mark = blocked.requests.length;
      const post = await postPhoto(v.server, vera, { status: 'While suspended' });
      const noteId = v.statusId(vera.username, post.id);
      await control.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      // An edit and a deletion go nowhere either.
      assertOk(await api(v.server, 'PUT', `/api/v1/statuses/${post.id}`, { token: vera.token, json: { status: 'While suspended, edited' } }));
      await control.waitFor({ type: 'Update', objectId: noteId }, DELIVERY);
      await sleep(1000);
      assert.deepEqual(requestsSince(blocked, mark), [], 'nothing reached the suspended server');
      assert.ok(!blocked.received.some((r) => r.objectId === noteId), 'the post was not delivered to it');
    });

    test('unblocking (DELETE) takes activities again; its accounts were removed, so a new follow brings the next post', async () => {
      // The suspension removed the server's accounts and their follows.
      const followers = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token }));
      assert.deepEqual(followers.map((a) => a.acct), [`alice@${control.host}`], 'mallory went with the suspension');
      assert.deepEqual(assertOk(await unblock('localhost')), {});
      assertError(await api(v.server, 'GET', `${BLOCKS}/localhost`, { token: admin.token }), 404);
      assert.deepEqual(assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token })), []);
      await followFrom(v, blocked, 'mallory', vera.username);
      const post = await postPhoto(v.server, vera, { status: 'After the block' });
      const noteId = v.statusId(vera.username, post.id);
      await blocked.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      await control.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      const res = await blocked.signedPost('mallory', v.sharedInbox, likeJson(blocked, 'mallory', noteId));
      assert.equal(res.status, 202, res.text);
      await waitFor(async () => (await status(post.id)).favourites_count === 1, { ...WAIT, message: "mallory's Like counted" });
    });
  });

  describe('silence', () => {
    test("a silenced server's comment is held for the post's author; the control's is shown", async () => {
      const silenced = assertOk(await block({ domain: 'LocalHost.', severity: 'silence' }));
      assert.equal(silenced.domain, 'localhost', 'the domain is normalised');
      assert.equal(silenced.severity, 'silence');
      assert.equal(silenced.reject_media, true, "a silenced server's media are rejected too");

      const post = await postPhoto(v.server, vera, { status: 'Comments welcome' });
      const noteId = v.statusId(vera.username, post.id);
      const mallorys = await blocked.reply('mallory', noteId, '<p>A word from a silenced server</p>', { inbox: v.inbox(vera.username) });
      const alices = await control.reply('alice', noteId, '<p>A word from the control</p>', { inbox: v.inbox(vera.username) });
      assert.ok(mallorys && alices, 'both were answered 2xx');

      const held = async () => assertOk(await api(v.server, 'GET', `/api/vantage/v1/statuses/${post.id}/held_comments`, { token: vera.token }));
      const list = await waitFor(async () => {
        const h = await held();
        return h.length > 0 && h;
      }, { ...WAIT, message: "the silenced server's comment in vera's held list" });
      assert.equal(list.length, 1, JSON.stringify(list.map((s) => [s.account.acct, s.content])));
      const [heldComment] = list;
      assert.equal(heldComment.account.acct, `mallory@${blocked.host}`);
      assert.match(heldComment.content, /A word from a silenced server/);
      assert.equal(heldComment.in_reply_to_id, post.id);

      const context = async (token) => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`, { token }));
      const shown = await waitFor(async () => {
        const c = await context();
        return c.descendants.length > 0 && c.descendants;
      }, { ...WAIT, message: "the control's comment shown" });
      assert.deepEqual(shown.map((s) => s.account.acct), [`alice@${control.host}`], 'the public sees the control comment only');
      const stranger = await registerUser(v.server, 'stranger');
      assert.deepEqual((await context(stranger.token)).descendants.map((s) => s.account.acct), [`alice@${control.host}`]);
      assertError(await api(v.server, 'GET', `/api/v1/statuses/${heldComment.id}`), 404);
      assertError(await api(v.server, 'GET', `/api/v1/statuses/${heldComment.id}`, { token: stranger.token }), 404);
      assert.equal((await status(post.id)).replies_count, 1, 'the held comment is not counted');

      // The author approves it: then it shows.
      assertOk(await api(v.server, 'POST', `/api/vantage/v1/statuses/${heldComment.id}/approve`,
        { token: vera.token, json: { edited_at: heldComment.edited_at ?? null } }));
      assert.deepEqual((await context()).descendants.map((s) => s.account.acct).sort(),
        [`alice@${control.host}`, `mallory@${blocked.host}`].sort());
    });

    test('a silenced server still receives the posts of those it follows', async () => {
      const post = await postPhoto(v.server, vera, { status: 'Silenced, not suspended' });
      const noteId = v.statusId(vera.username, post.id);
      await blocked.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      await control.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      assertOk(await unblock('localhost'));
    });
  });

  describe('the admin API', () => {
    const BLOCK_KEYS = ['created_at', 'domain', 'id', 'obfuscate', 'private_comment', 'public_comment', 'reject_media',
      'reject_reports', 'severity'];

    test('only instance admins: others 403 admin_required (or insufficient_scope), anonymous 401', async () => {
      const user = await registerUser(v.server, 'notadmin');
      const app = await createApp(v.server, ADMIN_SCOPES);
      const scoped = await passwordToken(v.server, app, user.username, user.password, ADMIN_SCOPES);
      const routes = [['GET', BLOCKS], ['POST', BLOCKS, { domain: 'x.example', severity: 'suspend' }],
        ['GET', `${BLOCKS}/x.example`], ['PUT', `${BLOCKS}/x.example`, { severity: 'silence' }], ['DELETE', `${BLOCKS}/x.example`],
        ['GET', ALLOWS], ['POST', ALLOWS, { domain: 'x.example' }], ['DELETE', `${ALLOWS}/x.example`]];
      for (const [method, url, json] of routes) {
        assertError(await api(v.server, method, url, { token: scoped, json }), 403, 'admin_required');
        assertError(await api(v.server, method, url, { token: user.token, json }), 403, 'insufficient_scope');
        assertError(await api(v.server, method, url, { json }), 401);
      }
      assert.deepEqual(assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token })), [], 'nothing was made');
      assert.deepEqual(assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token })), []);
    });

    test('bad input is 422 naming the field', async () => {
      for (const domain of ['https://x/y', '', '   ', 'x.example:8443', 'bad domain', 'a..b', '.example', 'ex/ample', 'ex_ample.com', 'a'.repeat(300)]) {
        assertError(await block({ domain, severity: 'suspend' }), 422, null, 'domain');
        assertError(await api(v.server, 'POST', ALLOWS, { token: admin.token, json: { domain } }), 422, null, 'domain');
      }
      assertError(await block({ severity: 'suspend' }), 422, null, 'domain');
      assertError(await api(v.server, 'POST', ALLOWS, { token: admin.token, json: {} }), 422, null, 'domain');
      for (const severity of ['ban', 'SUSPEND', '', 'reject']) {
        assertError(await block({ domain: 'bad-severity.example', severity }), 422, null, 'severity');
      }
      // noop blocks nothing unless the media are rejected.
      assertError(await block({ domain: 'noop.example', severity: 'noop' }), 422, null, 'severity');
      assertError(await block({ domain: 'noop.example', severity: 'noop', reject_media: false }), 422, null, 'severity');
      assertError(await api(v.server, 'PUT', `${BLOCKS}/noop.example`, { token: admin.token, json: { severity: 'ban' } }), 422, null, 'severity');
      assert.deepEqual(assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token })), [], 'nothing was made');
      // Unknown ids.
      assertError(await unblock('never-blocked.example'), 404);
      assertError(await api(v.server, 'GET', `${BLOCKS}/never-blocked.example`, { token: admin.token }), 404);
      assertError(await api(v.server, 'DELETE', `${ALLOWS}/never-allowed.example`, { token: admin.token }), 404);
    });

    test("blocks and allowances read back in Mastodon's shape", async () => {
      const media = assertOk(await block({ domain: 'Media.Example', severity: 'noop', reject_media: true, private_comment: 'big files' }));
      assert.deepEqual(Object.keys(media).sort(), BLOCK_KEYS);
      assert.equal(media.id, 'media.example');
      assert.equal(media.domain, 'media.example');
      assert.equal(media.severity, 'noop');
      assert.equal(media.reject_media, true);
      assert.equal(media.reject_reports, false);
      assert.equal(media.private_comment, 'big files');
      assert.equal(media.public_comment, null);
      assert.equal(media.obfuscate, false);
      assert.ok(!Number.isNaN(Date.parse(media.created_at)), media.created_at);
      const suspended = assertOk(await block({ domain: 'bad.example', severity: 'suspend' }));
      assert.equal(suspended.severity, 'suspend');

      const list = assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token }));
      assert.deepEqual(list.map((b) => b.domain).sort(), ['bad.example', 'media.example']);
      for (const b of list) assert.deepEqual(Object.keys(b).sort(), BLOCK_KEYS);
      assert.deepEqual(assertOk(await api(v.server, 'GET', `${BLOCKS}/media.example`, { token: admin.token })), media);
      assert.equal(assertOk(await api(v.server, 'GET', `${BLOCKS}/MEDIA.example`, { token: admin.token })).domain, 'media.example');

      // PUT changes the severity and keeps the domain.
      const changed = assertOk(await api(v.server, 'PUT', `${BLOCKS}/media.example`, { token: admin.token, json: { severity: 'silence' } }));
      assert.equal(changed.domain, 'media.example');
      assert.equal(changed.severity, 'silence');
      assert.equal(assertOk(await api(v.server, 'GET', `${BLOCKS}/media.example`, { token: admin.token })).severity, 'silence');
      assert.equal(assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token })).length, 2, 'no second block of it');

      // Allowances: {id, domain, created_at}.
      const allowed = assertOk(await api(v.server, 'POST', ALLOWS, { token: admin.token, json: { domain: 'Friends.Example' } }));
      assert.equal(allowed.id, 'friends.example');
      assert.equal(allowed.domain, 'friends.example');
      const allows = assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token }));
      assert.deepEqual(allows.map((a) => [a.id, a.domain]), [['friends.example', 'friends.example']]);
      // Allowing it again changes nothing.
      assertOk(await api(v.server, 'POST', ALLOWS, { token: admin.token, json: { domain: 'friends.example' } }));
      assert.equal(assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token })).length, 1);
      assert.deepEqual(assertOk(await api(v.server, 'DELETE', `${ALLOWS}/friends.example`, { token: admin.token })), {});
      assert.deepEqual(assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token })), []);

      for (const d of ['media.example', 'bad.example']) assertOk(await unblock(d));
      assert.deepEqual(assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token })), []);

      // Mastodon's Admin::DomainAllow has created_at as well (checked last,
      // so the rest runs either way).
      assert.ok(!Number.isNaN(Date.parse(allowed.created_at)), `a domain allow has created_at: ${JSON.stringify(allowed)}`);
      assert.ok(!Number.isNaN(Date.parse(allows[0].created_at)), `listed with created_at: ${JSON.stringify(allows[0])}`);
    });

    test("PUT changes what it is given and keeps the rest, like Mastodon's update", async () => {
      const made = assertOk(await block({ domain: 'kept.example', severity: 'suspend', private_comment: 'first reason' }));
      await sleep(20);
      const read = async () => assertOk(await api(v.server, 'GET', `${BLOCKS}/kept.example`, { token: admin.token }));
      const put = async (json) => assertOk(await api(v.server, 'PUT', `${BLOCKS}/kept.example`, { token: admin.token, json }));
      // Every departure is collected, so one run names them all.
      const problems = [];
      const commented = await put({ private_comment: 'second reason' });
      if (commented.severity !== 'suspend') {
        problems.push(`a PUT of private_comment alone changed the severity from suspend to ${commented.severity}`);
      }
      if (commented.private_comment !== 'second reason') problems.push(`private_comment is ${commented.private_comment}`);
      assertOk(await api(v.server, 'PUT', `${BLOCKS}/kept.example`, { token: admin.token, json: { severity: 'suspend' } }));
      const resevered = await put({ severity: 'silence' });
      if (resevered.severity !== 'silence') problems.push(`a PUT of severity silence gave ${resevered.severity}`);
      if (resevered.private_comment !== 'second reason') {
        problems.push(`a PUT of severity alone changed private_comment to ${JSON.stringify(resevered.private_comment)}`);
      }
      const now = await read();
      if (now.created_at !== made.created_at) problems.push(`created_at moved from ${made.created_at} to ${now.created_at} on update`);
      if (resevered.created_at !== made.created_at) {
        problems.push(`the PUT answered created_at ${resevered.created_at}, not the block's ${made.created_at}`);
      }
      const unknown = await api(v.server, 'PUT', `${BLOCKS}/not-blocked.example`, { token: admin.token, json: { severity: 'suspend' } });
      if (unknown.status !== 404) problems.push(`a PUT of a domain not blocked answered ${unknown.status}, not 404 (Mastodon updates only)`);
      for (const d of ['kept.example', 'not-blocked.example']) await unblock(d);
      assert.deepEqual(problems, []);
    });
  });
});

describe('--federation allowlist', () => {
  let v;
  let friend;    // Fedify on 127.0.0.1: alice; allowed first
  let outsider;  // Fedify on localhost: mallory (allowed for a while), eve (never allowed)
  let admin;
  let vera;

  before(async () => {
    v = await startFederatedVantage(['--federation', 'allowlist']);
    [friend, outsider] = await Promise.all([
      startPeer({ actors: ['alice'], ...PEER }),
      startPeer({ host: 'localhost', actors: ['mallory', 'eve'], ...PEER }),
    ]);
    admin = await makeAdmin(v.server);
    vera = await registerUser(v.server, 'vera');
  });

  after(async () => {
    await v?.stop();
    await friend?.stop();
    await outsider?.stop();
  });

  const allow = async (domain) => assertOk(await api(v.server, 'POST', ALLOWS, { token: admin.token, json: { domain } }));
  const disallow = async (domain) => assertOk(await api(v.server, 'DELETE', `${ALLOWS}/${domain}`, { token: admin.token }));

  test('with nothing allowed, every server is refused, and nothing is fetched from it', async () => {
    const marks = [friend.requests.length, outsider.requests.length];
    for (const [peer, as] of [[friend, 'alice'], [outsider, 'mallory'], [outsider, 'eve']]) {
      assertDomainBlocked(await peer.signedPost(as, v.sharedInbox, followJson(peer, as, v.actorId(vera.username))), `a Follow by ${as}`);
      assertDomainBlocked(await peer.signedPost(as, v.inbox(vera.username), followJson(peer, as, v.actorId(vera.username))),
        `a Follow by ${as} to the personal inbox`);
    }
    await assert.rejects(friend.follow('alice', v.actorId(vera.username), { inbox: v.inbox(vera.username) }), /403/);
    await sleep(300);
    assert.deepEqual(requestsSince(friend, marks[0]), [], 'nothing fetched from 127.0.0.1');
    assert.deepEqual(requestsSince(outsider, marks[1]), [], 'nothing fetched from localhost');
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count, 0);
  });

  test('an allowed domain is taken; one not allowed still gets 403', async () => {
    assert.deepEqual(assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token })), []);
    const allowed = await allow('127.0.0.1');
    assert.equal(allowed.domain, '127.0.0.1');
    await followFrom(v, friend, 'alice', vera.username);
    const mark = outsider.requests.length;
    assertDomainBlocked(await outsider.signedPost('eve', v.sharedInbox, followJson(outsider, 'eve', v.actorId(vera.username))), 'eve');
    await sleep(300);
    assert.deepEqual(requestsSince(outsider, mark), [], 'nothing fetched from the server not allowed');
    // A subdomain of localhost is refused for its name while localhost is
    // not allowed; once it is, the subdomain passes the domain check (and
    // fails the signature check instead: it serves no key).
    const subActor = `http://sub.${outsider.host}/users/eve`;
    const fromSub = () => outsider.signedPost('eve', v.sharedInbox, { ...followJson(outsider, 'eve', v.actorId(vera.username)), actor: subActor },
      { keyId: `${subActor}#main-key`, privateKey: outsider.signer('eve').privateKey });
    assertDomainBlocked(await fromSub(), 'a subdomain of a domain not allowed');
    // Then localhost too, through the API: its Follow is taken.
    await allow('localhost');
    const sub = await fromSub();
    assert.equal(sub.status, 401, `an allowance covers subdomains: ${sub.status} ${sub.text}`);
    await followFrom(v, outsider, 'mallory', vera.username);
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count, 2);
  });

  test('once disallowed, a server gets no deliveries and its activities are refused again', async () => {
    await disallow('localhost');
    assert.deepEqual(assertOk(await api(v.server, 'GET', ALLOWS, { token: admin.token })).map((a) => a.domain), ['127.0.0.1']);
    const mark = outsider.requests.length;
    const post = await postPhoto(v.server, vera, { status: 'For the allowed only' });
    const noteId = v.statusId(vera.username, post.id);
    await friend.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
    assertDomainBlocked(await outsider.signedPost('mallory', v.sharedInbox, likeJson(outsider, 'mallory', noteId)), 'a Like by mallory');
    assertDomainBlocked(await outsider.signedPost('eve', v.sharedInbox, likeJson(outsider, 'eve', noteId)), 'a Like by eve');
    await sleep(1000);
    assert.deepEqual(requestsSince(outsider, mark), [], 'nothing was delivered to or fetched from localhost');
    assert.ok(!outsider.received.some((r) => r.objectId === noteId));
    // A domain block still beats an allowance.
    assertOk(await api(v.server, 'POST', BLOCKS, { token: admin.token, json: { domain: '127.0.0.1', severity: 'suspend' } }));
    assertDomainBlocked(await friend.signedPost('alice', v.sharedInbox, likeJson(friend, 'alice', noteId)), 'alice, allowed but suspended');
    assertOk(await api(v.server, 'DELETE', `${BLOCKS}/127.0.0.1`, { token: admin.token }));
    const ok = await friend.signedPost('alice', v.sharedInbox, likeJson(friend, 'alice', noteId));
    assert.equal(ok.status, 202, ok.text);
  });
});

describe('--federation off', () => {
  let v;
  let peer;
  let vera;

  before(async () => {
    v = await startFederatedVantage(['--federation', 'off']);
    peer = await startPeer({ actors: ['alice'], ...PEER });
    vera = await registerUser(v.server, 'vera');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('no ActivityPub document is served', async () => {
    const post = await postPhoto(v.server, vera, { status: 'Here only' });
    const urls = [
      v.actorId(vera.username), `${v.actorId(vera.username)}/outbox`, `${v.actorId(vera.username)}/followers`,
      v.statusId(vera.username, post.id), v.instanceActor, v.webfinger(vera.username),
      `${v.origin}/.well-known/webfinger?resource=${encodeURIComponent(v.actorId(vera.username))}`,
      `${v.origin}/.well-known/nodeinfo`, `${v.origin}/nodeinfo/2.1`,
    ];
    for (const url of urls) {
      for (const headers of [AP, {}]) {
        const res = await fetch(url, { headers });
        assert.equal(res.status, 404, `${url} (${JSON.stringify(headers)}): ${res.status}`);
      }
    }
  });

  test('the inboxes are 404, and nothing is fetched from the sender', async () => {
    const mark = peer.requests.length;
    for (const inbox of [v.sharedInbox, v.inbox(vera.username), `${v.instanceActor}/inbox`]) {
      const res = await peer.signedPost('alice', inbox, followJson(peer, 'alice', v.actorId(vera.username)));
      assert.equal(res.status, 404, `${inbox}: ${res.status} ${res.text}`);
    }
    await sleep(300);
    assert.deepEqual(requestsSince(peer, mark), []);
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count, 0);
  });

  test("the profile and post pages are still the web app's HTML, even to those who ask for ActivityPub", async () => {
    const post = await postPhoto(v.server, vera, { status: 'A page' });
    for (const url of [`${v.origin}/@${vera.username}`, `${v.origin}/@${vera.username}/${post.id}`]) {
      for (const headers of [{ accept: 'text/html' }, AP]) {
        const res = await fetch(url, { headers });
        assert.equal(res.status, 200, `${url} (${headers.accept})`);
        assert.match(res.headers.get('content-type'), /^text\/html/, `${url} (${headers.accept})`);
        assert.match(await res.text(), /<html/i);
      }
    }
  });
});

describe('the command line and the audit log', () => {
  let dir;
  let dataArgs;
  let dropDatabase = () => {};
  let dbFile;
  let dbUrl;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vantage-domains-'));
    if (ENGINE === 'postgres') {
      const name = `vantage_domains_${crypto.randomBytes(6).toString('hex')}`;
      const base = process.env.VANTAGE_TEST_POSTGRES_URL;
      execFileSync('psql', [base, '-qXc', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      dbUrl = base.replace(/\/[^/]*$/, `/${name}`);
      dataArgs = ['--data', dir, '--db', dbUrl];
      dropDatabase = () => execFileSync('psql', [base, '-qXc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      dbFile = path.join(dir, 'vantage.db');
      dataArgs = ['--data', dir];
    }
  });

  after(async () => {
    if (!process.env.VANTAGE_KEEP_DATA) {
      dropDatabase();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // The domain entries of the audit log, read from the database behind the
  // server's back (the `vantage audit` command only verifies the chain).
  function domainAuditEntries() {
    const q = "SELECT CAST(seq AS TEXT) || '|' || COALESCE(CAST(actor_id AS TEXT), '') || '|' "
      + "|| COALESCE(CAST(organisation_id AS TEXT), '') || '|' || ip || '|' || action || '|' || detail "
      + "FROM audit_log WHERE target_type = 'domain' ORDER BY seq";
    const out = ENGINE === 'postgres'
      ? execFileSync('psql', [dbUrl, '-qXAt', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' })
      : execFileSync('sqlite3', ['-cmd', '.timeout 5000', dbFile, q], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map((line) => {
      const [seq, actor, organisation, ip, action, ...detail] = line.split('|');
      return { seq: Number(seq), actor, organisation, ip, action, detail: JSON.parse(detail.join('|')) };
    });
  }

  const cli = (...args) => runCli(['admin', ...args, ...dataArgs]);
  const ok = (r, what) => {
    assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  test('blocks made through the API and on the command line, each audited with who made it', async () => {
    // 1. Through the API, as an admin.
    let v = await startFederatedVantage([], { dataArgs });
    let admin;
    try {
      admin = await makeAdmin(v.server);
      assertOk(await api(v.server, 'POST', BLOCKS, { token: admin.token, json: { domain: 'api.example', severity: 'suspend' } }));
      assertOk(await api(v.server, 'PUT', `${BLOCKS}/api.example`, { token: admin.token, json: { severity: 'silence' } }));
      assertOk(await api(v.server, 'DELETE', `${BLOCKS}/api.example`, { token: admin.token }));
      assertOk(await api(v.server, 'POST', BLOCKS, { token: admin.token, json: { domain: 'kept.example', severity: 'suspend' } }));
    } finally {
      await v.stop();
    }

    // 2. On the command line, with the server stopped.
    assert.match(ok(await cli('domain-blocks'), 'domain-blocks'), /^kept\.example suspend/m, 'the API block is listed');
    assert.match(ok(await cli('domain-block', 'localhost', '--severity', 'suspend', '--reason', 'spam wave'), 'domain-block'),
      /localhost: suspend/);
    ok(await cli('domain-block', 'Gone.Example', '--severity', 'reject_media'), 'domain-block gone.example');
    ok(await cli('domain-block', 'quiet.example', '--severity', 'silence'), 'domain-block quiet.example');
    ok(await cli('domain-unblock', 'gone.example'), 'domain-unblock');
    const listed = ok(await cli('domain-blocks'), 'domain-blocks').split('\n').filter(Boolean).sort();
    assert.deepEqual(listed.map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['kept.example suspend', 'localhost suspend', 'quiet.example silence']);
    assert.ok(listed.some((l) => l === 'localhost suspend spam wave'), listed.join('\n'));
    // Refusals: a bad domain, a bad or missing severity, an unknown domain.
    for (const [args, pattern] of [
      [['domain-block', 'https://x/y', '--severity', 'suspend'], /domain/],
      [['domain-block', 'ok.example', '--severity', 'ban'], /severity/],
      [['domain-block', 'ok.example'], /severity/],
      [['domain-unblock', 'never.example'], /not blocked/],
      [['domain-block'], /one domain/],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
    }
    // The allowlist commands.
    ok(await cli('domain-allow', 'friends.example'), 'domain-allow');
    assert.equal(ok(await cli('domain-allows'), 'domain-allows').trim(), 'friends.example');
    ok(await cli('domain-disallow', 'friends.example'), 'domain-disallow');
    assert.equal(ok(await cli('domain-allows'), 'domain-allows').trim(), '');
    assert.equal((await cli('domain-disallow', 'friends.example')).code, 1);

    // 3. The chain is intact, and holds every change with who made it.
    const verified = await runCli(['audit', 'verify', ...dataArgs]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /audit log intact: \d+ entries/);
    const entries = domainAuditEntries();
    const summary = entries.map((e) => [e.action, e.detail.domain, e.actor === '' ? 'cli' : e.actor]);
    assert.deepEqual(summary, [
      ['domain.blocked', 'api.example', admin.id],
      ['domain.block_changed', 'api.example', admin.id],
      ['domain.unblocked', 'api.example', admin.id],
      ['domain.blocked', 'kept.example', admin.id],
      ['domain.blocked', 'localhost', 'cli'],
      ['domain.blocked', 'gone.example', 'cli'],
      ['domain.blocked', 'quiet.example', 'cli'],
      ['domain.unblocked', 'gone.example', 'cli'],
      ['domain.allowed', 'friends.example', 'cli'],
      ['domain.disallowed', 'friends.example', 'cli'],
    ]);
    assert.equal(entries[0].detail.severity, 'suspend');
    assert.equal(entries[1].detail.severity, 'silence');
    assert.equal(entries[4].detail.severity, 'suspend');
    for (const e of entries) assert.equal(e.organisation, '', 'instance administration, no organisation');
    for (const e of entries.slice(0, 4)) assert.notEqual(e.ip, '', "the API's entries keep the admin's network");
    for (const e of entries.slice(4)) assert.equal(e.ip, '', 'the command line has no address');
    const count = Number(/(\d+) entries/.exec(verified.stdout)[1]);
    assert.ok(count >= entries.length, `${count} entries in the chain`);

    // 4. The server started again on that data enforces and lists what the
    // command line did.
    const peer = await startPeer({ host: 'localhost', actors: ['mallory'], ...PEER });
    v = await startFederatedVantage([], { dataArgs });
    try {
      const vera = await registerUser(v.server, 'vera');
      const mark = peer.requests.length;
      assertDomainBlocked(await peer.signedPost('mallory', v.sharedInbox, followJson(peer, 'mallory', v.actorId(vera.username))),
        'a Follow from a server blocked on the command line');
      await sleep(300);
      assert.deepEqual(requestsSince(peer, mark), []);
      const blocks = assertOk(await api(v.server, 'GET', BLOCKS, { token: admin.token }));
      assert.deepEqual(blocks.map((b) => [b.domain, b.severity]).sort(),
        [['kept.example', 'suspend'], ['localhost', 'suspend'], ['quiet.example', 'silence']]);
      assert.equal(blocks.find((b) => b.domain === 'localhost').private_comment, 'spam wave');
      // The API's unblock of the CLI's block is audited as the admin's.
      assertOk(await api(v.server, 'DELETE', `${BLOCKS}/localhost`, { token: admin.token }));
    } finally {
      await v.stop();
      await peer.stop();
    }
    const last = domainAuditEntries().at(-1);
    assert.deepEqual([last.action, last.detail.domain, last.actor], ['domain.unblocked', 'localhost', admin.id]);
    const again = await runCli(['audit', 'verify', ...dataArgs]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });
});
