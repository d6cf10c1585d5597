// Boosts in home timelines and the moderation of remote content
// (docs/federation.md, "Boosts" and "Moderation of remote content"), against
// a real Fedify peer behind TLS whose accounts are `name@127.0.0.1:PORT`:
//
// - a followed account's Announce of a post (another remote account's,
//   fetched from its id, or a local one) shows the post in its followers'
//   home timelines once, as Mastodon's reblog; a second boost of it, or a
//   boost of a post already there, adds nothing; Undo takes it away; the
//   public timeline never lists it;
// - an admin's suspension of the peer's domain removes its accounts and
//   everything of theirs;
// - an admin's silence holds its new posts for moderators
//   (/api/v1/admin/held_statuses), who approve or reject them;
// - a user's own domain block (/api/v1/domain_blocks) hides the domain's
//   posts, boosts and notifications from that user and ends its accounts'
//   follows of the user (the peer gets a Reject); unblocking shows them again;
// - a report with `forward` sends a Flag from the instance actor, naming no
//   reporter.
//
// Domain blocks name the host without its port, so blocking 127.0.0.1 covers
// the peer whatever its port. Vantage's own public host is 127.0.0.1 too,
// which a user may not block; so the peer of the users' blocks is a plain
// http one on `localhost` (followed by its actor's URL, since WebFinger is
// https only). Each describe has a Vantage and a peer of its own. Run on
// both engines (VANTAGE_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api, assertError, assertOk, createApp, makeAdmin, passwordToken, sleep, waitFor,
} from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const DELIVERY = { timeout: 15_000 };
const WAIT = { timeoutMs: 15_000 };
// Small keys: these peers are about what is shown, not key sizes. Several
// users a file: lift the per-address limits.
const PEER = { https: true, autoAccept: true, modulusLength: 2048 };
const FLAGS = ['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000'];
// The peers' hosts as domain blocks name them: no port.
const PEER_DOMAIN = '127.0.0.1';
const LOCALHOST = 'localhost';

const asArray = (x) => (x == null ? [] : Array.isArray(x) ? x : [x]);
const idOf = (x) => (typeof x === 'string' ? x : x?.id);

async function search(v, user, q) {
  return assertOk(await api(v.server, 'GET', `/api/v2/search?q=${encodeURIComponent(q)}&resolve=true`, { token: user.token }));
}

async function relationship(v, user, id) {
  return assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${id}`, { token: user.token }))[0];
}

// `user` finds `name` of the peer by search (its handle; on a plain http
// peer, which WebFinger cannot reach, its actor id) and follows it through
// the API; the peer accepts. Returns the remote account.
async function followRemote(v, peer, user, name) {
  const found = await search(v, user, peer.origin.startsWith('https:') ? `@${name}@${peer.host}` : peer.actorId(name));
  assert.equal(found.accounts.length, 1, `${name}@${peer.host} found`);
  const account = found.accounts[0];
  assertOk(await api(v.server, 'POST', `/api/v1/accounts/${account.id}/follow`, { token: user.token }));
  await waitFor(async () => (await relationship(v, user, account.id)).following, { ...WAIT, message: `the Accept of ${name}` });
  return account;
}

async function home(v, user) {
  return assertOk(await api(v.server, 'GET', '/api/v1/timelines/home?limit=40', { token: user.token }));
}

async function publicTimeline(v, user) {
  return assertOk(await api(v.server, 'GET', '/api/v1/timelines/public?limit=40', { token: user?.token }));
}

// The status whose uri is `uri` in `user`'s home timeline, once there.
async function inHome(v, user, uri) {
  return waitFor(async () => (await home(v, user)).find((s) => s.uri === uri), { ...WAIT, message: `${uri} in the home timeline` });
}

async function goneFromHome(v, user, uri) {
  await waitFor(async () => !(await home(v, user)).some((s) => s.uri === uri), { ...WAIT, message: `${uri} gone from the home timeline` });
}

// What of `noteUri` shows in a timeline: the post itself, or a boost of it.
const showing = (timeline, noteUri) => timeline.filter((s) => s.uri === noteUri || s.reblog?.uri === noteUri);

// A note of `as` that exists on the peer (served at its id) but was never
// delivered anywhere. Returns its id.
function unsentNote(peer, as, content) {
  const note = peer.build.note(as, { content });
  peer.objects.set(note.id, { json: note, cls: null, deleted: false });
  return note.id;
}

describe('boosts by followed remote accounts', () => {
  let v;
  let peer;  // ann and cal boost; bea is followed by nobody; dan is followed too
  const acct = (name) => `${name}@${peer.host}`;

  before(async () => {
    v = await startFederatedVantage(FLAGS);
    peer = await startPeer({ ...PEER, actors: ['ann', 'bea', 'cal', 'dan'] });
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test("a boost of a post of an account nobody follows: the post is fetched from its id and shown once, as a reblog", async () => {
    const lena = await registerUser(v.server, 'lena');
    const mia = await registerUser(v.server, 'mia');  // follows cal only: sees cal's boost
    const ann = await followRemote(v, peer, lena, 'ann');
    await followRemote(v, peer, lena, 'cal');
    const calForMia = await followRemote(v, peer, mia, 'cal');

    const noteId = unsentNote(peer, 'bea', '<p>Seen thanks to a boost</p>');
    const announceId = await peer.announce('ann', noteId, { inbox: v.sharedInbox });
    const wrapper = await inHome(v, lena, announceId);
    assert.equal(wrapper.account.id, ann.id, 'the booster');
    assert.equal(wrapper.content, '');
    assert.ok(wrapper.reblog, `a reblog: ${JSON.stringify(wrapper)}`);
    assert.equal(wrapper.reblog.uri, noteId);
    assert.equal(wrapper.reblog.account.acct, acct('bea'));
    assert.match(wrapper.reblog.content, /Seen thanks to a boost/);
    assert.notEqual(wrapper.reblog.id, wrapper.id);
    assert.ok(peer.requests.some((r) => r.method === 'GET' && r.path === new URL(noteId).pathname),
      'the boosted note was fetched from its own id');
    // It is kept: its id answers the post.
    const kept = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${wrapper.reblog.id}`, { token: lena.token }));
    assert.equal(kept.uri, noteId);
    assert.equal(kept.account.acct, acct('bea'));
    assert.equal(kept.reblog, null);

    // cal boosts it too: mia (who follows cal alone) sees that boost; lena
    // still sees the post once.
    const secondId = await peer.announce('cal', noteId, { inbox: v.sharedInbox });
    const forMia = await inHome(v, mia, secondId);
    assert.equal(forMia.account.id, calForMia.id);
    assert.equal(forMia.reblog.id, wrapper.reblog.id, 'the same kept post');
    const shown = showing(await home(v, lena), noteId);
    assert.deepEqual(shown.map((s) => s.uri), [announceId], 'shown once, by the first boost');
  });

  test("a boost of a local post: its reblog is the post, counted, never in the public timeline; Undo removes it", async () => {
    const lena = await registerUser(v.server, 'lena');
    const author = await registerUser(v.server, 'mark');
    const ann = await followRemote(v, peer, lena, 'ann');
    const post = await postPhoto(v.server, author, { status: 'Worth a boost' });
    const noteUri = v.statusId(author.username, post.id);

    const announceId = await peer.announce('ann', noteUri, { inbox: v.sharedInbox });
    const wrapper = await inHome(v, lena, announceId);
    assert.equal(wrapper.account.id, ann.id);
    assert.equal(wrapper.content, '');
    assert.equal(wrapper.uri, announceId);
    assert.equal(wrapper.reblog?.id, post.id, 'the reblog is the local post');
    assert.equal(wrapper.reblog.account.id, author.id);
    assert.equal(wrapper.reblog.uri, noteUri);
    const status = async () => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}`, { token: lena.token }));
    await waitFor(async () => (await status()).reblogs_count === 1, { ...WAIT, message: 'the boost counted' });

    for (const viewer of [null, lena, author]) {
      const listed = await publicTimeline(v, viewer);
      assert.ok(!listed.some((s) => s.uri === announceId || s.reblog), `no boost in the public timeline (${viewer?.username ?? 'signed out'})`);
      assert.equal(listed.filter((s) => s.id === post.id).length, 1, 'the post itself is listed once');
    }

    await peer.undo('ann', announceId, { inbox: v.sharedInbox });
    await goneFromHome(v, lena, announceId);
    await waitFor(async () => (await status()).reblogs_count === 0, { ...WAIT, message: 'the boost uncounted' });
    assert.deepEqual(showing(await home(v, lena), noteUri), [], 'nothing of the post is left in the home timeline');
  });

  test('a post already in the home timeline (its author followed) is not shown again when boosted', async () => {
    const lena = await registerUser(v.server, 'lena');
    const mia = await registerUser(v.server, 'mia');  // follows ann only: sees ann's boost
    await followRemote(v, peer, lena, 'ann');
    await followRemote(v, peer, lena, 'dan');
    await followRemote(v, peer, mia, 'ann');

    const noteId = await peer.post('dan', { content: '<p>Already followed</p>', inbox: v.sharedInbox });
    await inHome(v, lena, noteId);
    const announceId = await peer.announce('ann', noteId, { inbox: v.sharedInbox });
    const forMia = await inHome(v, mia, announceId);
    assert.equal(forMia.reblog.uri, noteId);
    assert.deepEqual(showing(await home(v, lena), noteId).map((s) => s.uri), [noteId], 'the post once, without the boost');

    // The same for a local post by an account lena follows.
    const author = await registerUser(v.server, 'kit');
    const kit = assertOk(await api(v.server, 'POST', `/api/v1/accounts/${author.id}/follow`, { token: lena.token }));
    assert.equal(kit.following, true);
    const post = await postPhoto(v.server, author, { status: 'Followed here' });
    const noteUri = v.statusId(author.username, post.id);
    await inHome(v, lena, noteUri);
    const localBoost = await peer.announce('ann', noteUri, { inbox: v.sharedInbox });
    await inHome(v, mia, localBoost);
    assert.deepEqual(showing(await home(v, lena), noteUri).map((s) => s.id), [post.id]);
  });
});

describe("a user's own domain blocks (/api/v1/domain_blocks)", () => {
  let v;
  let peer;  // on localhost, plain http: ona; lena follows her, she follows lena
  let lena;
  let kim;   // a local account lena follows: the control
  let kimPost;
  let kit;   // a local account lena does not follow, boosted by ona
  let ona;
  let followId;  // ona's Follow of lena
  let noteId;    // ona's post, in lena's home timeline
  let boostId;   // ona's boost of kit's post
  let kitPost;
  let later;     // ona's post made while blocked
  const acct = (name) => `${name}@${peer.host}`;
  const blocks = async (user = lena) => assertOk(await api(v.server, 'GET', '/api/v1/domain_blocks', { token: user.token }));
  const notifications = async () => assertOk(await api(v.server, 'GET', '/api/v1/notifications?limit=80', { token: lena.token }));
  const followers = async () => assertOk(await api(v.server, 'GET', `/api/v1/accounts/${lena.id}/followers`, { token: lena.token }));

  before(async () => {
    v = await startFederatedVantage(FLAGS);
    peer = await startPeer({ ...PEER, https: false, host: 'localhost', actors: ['ona'] });
    assert.equal(new URL(peer.origin).hostname, LOCALHOST);
    lena = await registerUser(v.server, 'lena');
    kim = await registerUser(v.server, 'kim');
    kit = await registerUser(v.server, 'kit');
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${kim.id}/follow`, { token: lena.token }));
    kimPost = await postPhoto(v.server, kim, { status: 'The control' });
    ona = await followRemote(v, peer, lena, 'ona');
    // ona follows lena (a follow notification), posts, and boosts kit's post.
    followId = await peer.follow('ona', v.actorId(lena.username), { inbox: v.inbox(lena.username) });
    await peer.waitFor({ type: 'Accept', actor: v.actorId(lena.username), objectId: followId }, DELIVERY);
    noteId = await peer.post('ona', { content: '<p>From a server lena will block</p>', inbox: v.sharedInbox });
    kitPost = await postPhoto(v.server, kit, { status: 'Boosted from afar' });
    boostId = await peer.announce('ona', v.statusId(kit.username, kitPost.id), { inbox: v.sharedInbox });
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('before any block, the domain shows everywhere', async () => {
    await inHome(v, lena, noteId);
    await inHome(v, lena, boostId);
    await inHome(v, lena, v.statusId(kim.username, kimPost.id));
    assert.ok((await publicTimeline(v, lena)).some((s) => s.uri === noteId), "ona's post in the public timeline");
    await waitFor(async () => (await notifications()).some((n) => n.account.acct === acct('ona')), { ...WAIT, message: "ona's follow notification" });
    assert.ok((await followers()).some((a) => a.id === ona.id), 'ona follows lena');
    assert.deepEqual(await blocks(), []);
  });

  test('the public timeline\'s remote=true lists remote posts (it listed nothing) and local=true only local ones', async () => {
    const uris = async (query) => assertOk(await api(v.server, 'GET', `/api/v1/timelines/public?limit=40&${query}`)).map((s) => s.uri);
    const kims = v.statusId(kim.username, kimPost.id);
    const local = await uris('local=true');
    const remote = await uris('remote=true');
    assert.ok(remote.includes(noteId) && !local.includes(noteId), "ona's post is remote");
    assert.ok(local.includes(kims) && !remote.includes(kims), "kim's post is local");
    assert.deepEqual(await uris('local=true&remote=true'), local, 'local wins when both are asked');
  });

  test('blocking the domain (form) hides its posts, boosts and notifications, and ends its follows of the user', async () => {
    const res = await api(v.server, 'POST', '/api/v1/domain_blocks', { token: lena.token, form: { domain: LOCALHOST } });
    assert.deepEqual(assertOk(res), {});
    assert.deepEqual(await blocks(), [LOCALHOST]);
    const relationship = async () =>
      assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${ona.id}`, { token: lena.token }))[0];
    assert.equal((await relationship()).domain_blocking, true, 'the relationship says the domain is blocked');

    const timeline = await home(v, lena);
    assert.deepEqual(showing(timeline, noteId), [], "ona's post is not in lena's home timeline");
    assert.ok(!timeline.some((s) => s.uri === boostId), "nor her boost");
    assert.ok(timeline.some((s) => s.id === kimPost.id), 'the local control still shows');
    assert.ok(!(await publicTimeline(v, lena)).some((s) => s.uri === noteId || s.account.acct === acct('ona')),
      'nor anything of the domain in her public timeline');
    assert.ok((await publicTimeline(v, null)).some((s) => s.uri === noteId), 'others still see it: the block is lena\'s alone');
    assert.ok(!(await notifications()).some((n) => n.account.acct === acct('ona')), 'no notification from the domain');

    // ona no longer follows lena, and her server is told.
    const reject = await peer.waitFor({ type: 'Reject', actor: v.actorId(lena.username) }, DELIVERY);
    assert.equal(idOf(reject.raw.object), followId, 'the Reject names ona\'s Follow');
    await waitFor(async () => !(await followers()).some((a) => a.id === ona.id), { ...WAIT, message: 'ona gone from the followers' });
    assert.equal(assertOk(await api(v.server, 'GET', `/api/v1/accounts/${lena.id}`)).followers_count, 0);

    // A new post of the domain does not show either.
    later = await peer.post('ona', { content: '<p>While blocked</p>', inbox: v.sharedInbox });
    await waitFor(async () => (await publicTimeline(v, null)).some((s) => s.uri === later), { ...WAIT, message: 'the new post taken' });
    assert.deepEqual(showing(await home(v, lena), later), []);
  });

  test('unblocking (DELETE ?domain=) shows its posts again', async () => {
    const res = await api(v.server, 'DELETE', `/api/v1/domain_blocks?domain=${LOCALHOST}`, { token: lena.token });
    assert.deepEqual(assertOk(res), {});
    assert.deepEqual(await blocks(), []);
    const relationship = assertOk(await api(v.server, 'GET', `/api/v1/accounts/relationships?id[]=${ona.id}`, { token: lena.token }))[0];
    assert.equal(relationship.domain_blocking, false);
    await inHome(v, lena, noteId);
    await inHome(v, lena, boostId);
    await inHome(v, lena, later);
    assert.ok((await publicTimeline(v, lena)).some((s) => s.uri === noteId), 'in her public timeline again');
  });

  test('JSON bodies; the domain is normalised; scopes read:blocks and write:blocks', async () => {
    const added = await api(v.server, 'POST', '/api/v1/domain_blocks', { token: lena.token, json: { domain: 'Other.Example' } });
    assert.deepEqual(assertOk(added), {});
    assert.deepEqual(await blocks(), ['other.example']);
    // Blocking again changes nothing.
    assert.deepEqual(assertOk(await api(v.server, 'POST', '/api/v1/domain_blocks', { token: lena.token, json: { domain: 'other.example' } })), {});
    assert.deepEqual(await blocks(), ['other.example']);
    const removed = await api(v.server, 'DELETE', '/api/v1/domain_blocks', { token: lena.token, json: { domain: 'other.example' } });
    assert.deepEqual(assertOk(removed), {});
    assert.deepEqual(await blocks(), []);

    const app = await createApp(v.server, 'read:blocks write:blocks');
    const writer = await passwordToken(v.server, app, lena.username, lena.password, 'write:blocks');
    const reader = await passwordToken(v.server, app, lena.username, lena.password, 'read:blocks');
    assert.deepEqual(assertOk(await api(v.server, 'POST', '/api/v1/domain_blocks', { token: writer, form: { domain: 'scoped.example' } })), {});
    assert.deepEqual(assertOk(await api(v.server, 'GET', '/api/v1/domain_blocks', { token: reader })), ['scoped.example']);
    assertError(await api(v.server, 'POST', '/api/v1/domain_blocks', { token: reader, form: { domain: 'no.example' } }), 403, 'insufficient_scope');
    assertError(await api(v.server, 'GET', '/api/v1/domain_blocks', { token: writer }), 403, 'insufficient_scope');
    assertError(await api(v.server, 'GET', '/api/v1/domain_blocks'), 401);
    assert.deepEqual(assertOk(await api(v.server, 'DELETE', '/api/v1/domain_blocks?domain=scoped.example', { token: writer })), {});
    assert.deepEqual(await blocks(), []);
  });

  test('a missing or malformed domain is 422 naming it', async () => {
    for (const [what, opts] of [
      ['no domain', { json: {} }],
      ['an empty domain', { form: { domain: '' } }],
      ['a URL', { json: { domain: 'http://x' } }],
      ["this server's own", { json: { domain: new URL(v.origin).hostname } }],
    ]) {
      const res = await api(v.server, 'POST', '/api/v1/domain_blocks', { token: lena.token, ...opts });
      const body = assertError(res, 422, null);
      assert.ok(body.field === 'domain' || /domain/.test(body.error), `${what}: the error names domain: ${res.text}`);
    }
    const res = await api(v.server, 'DELETE', '/api/v1/domain_blocks', { token: lena.token });
    const body = assertError(res, 422, null);
    assert.ok(body.field === 'domain' || /domain/.test(body.error), `DELETE without a domain: ${res.text}`);
    assert.deepEqual(await blocks(), []);
  });
});

describe("an admin's silence of a domain: its posts are held for moderators", () => {
  let v;
  let peer;  // sil, followed by lena
  let admin;
  let lena;
  const held = async (token = admin.token) => api(v.server, 'GET', '/api/v1/admin/held_statuses', { token });

  before(async () => {
    v = await startFederatedVantage(FLAGS);
    peer = await startPeer({ ...PEER, actors: ['sil'] });
    admin = await makeAdmin(v.server);
    lena = await registerUser(v.server, 'lena');
    await followRemote(v, peer, lena, 'sil');
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('a new post of a followed account of a silenced domain is held, then approved or rejected', async () => {
    const before = await peer.post('sil', { content: '<p>Before the silence</p>', inbox: v.sharedInbox });
    await inHome(v, lena, before);
    const silenced = assertOk(await api(v.server, 'POST', '/api/v1/admin/domain_blocks',
      { token: admin.token, json: { domain: PEER_DOMAIN, severity: 'silence' } }));
    assert.equal(silenced.severity, 'silence');
    assert.deepEqual(assertOk(await held()), []);

    const first = await peer.post('sil', { content: '<p>Held one</p>', inbox: v.sharedInbox });
    const second = await peer.post('sil', { content: '<p>Held two</p>', inbox: v.sharedInbox });
    const list = await waitFor(async () => {
      const h = assertOk(await held());
      return h.length === 2 && h;
    }, { ...WAIT, message: 'both posts held' });
    assert.deepEqual(list.map((s) => s.uri), [second, first], 'Status entities, newest first');
    assert.equal(list[0].account.acct, `sil@${peer.host}`);
    assert.match(list[1].content, /Held one/);
    const timeline = await home(v, lena);
    assert.deepEqual([...showing(timeline, first), ...showing(timeline, second)], [], 'not in the home timeline while held');
    assert.ok(timeline.some((s) => s.uri === before), 'what came before the silence stays');

    // Moderators only.
    assertError(await held(lena.token), 403);
    assertError(await api(v.server, 'POST', `/api/v1/admin/held_statuses/${list[1].id}/approve`, { token: lena.token }), 403);

    const approved = await api(v.server, 'POST', `/api/v1/admin/held_statuses/${list[1].id}/approve`, { token: admin.token });
    assert.equal(approved.status, 200, approved.text);
    const shown = await inHome(v, lena, first);
    assert.match(shown.content, /Held one/);
    assert.deepEqual(assertOk(await held()).map((s) => s.uri), [second]);

    const rejected = await api(v.server, 'POST', `/api/v1/admin/held_statuses/${list[0].id}/reject`, { token: admin.token });
    assert.equal(rejected.status, 200, rejected.text);
    assertError(await api(v.server, 'GET', `/api/v1/statuses/${list[0].id}`, { token: lena.token }), 404);
    assertError(await api(v.server, 'GET', `/api/v1/statuses/${list[0].id}`, { token: admin.token }), 404);
    assert.deepEqual(assertOk(await held()), []);
    assert.deepEqual(showing(await home(v, lena), second), []);

    // What is no held remote post: 404, and nothing changes.
    const act = (id, action) => api(v.server, 'POST', `/api/v1/admin/held_statuses/${id}/${action}`, { token: admin.token });
    for (const action of ['approve', 'reject']) {
      assertError(await act(list[1].id, action), 404);   // approved already: shown, not held
      assertError(await act(list[0].id, action), 404);   // rejected: gone
      assertError(await act('123456789', action), 404);  // never was
      assertError(await act('not-an-id', action), 404);
    }
    assert.match((await inHome(v, lena, first)).content, /Held one/, 'the approved post is still shown');
  });
});

describe('reports forwarded to the reported account\'s server', () => {
  let v;
  let peer;  // rex, reported
  let rex;
  let noteId;
  let note;   // rex's post as Vantage keeps it

  before(async () => {
    v = await startFederatedVantage(FLAGS);
    peer = await startPeer({ ...PEER, actors: ['rex'] });
    const finder = await registerUser(v.server, 'finder');
    rex = (await search(v, finder, `@rex@${peer.host}`)).accounts[0];
    assert.ok(rex, 'rex found');
    noteId = unsentNote(peer, 'rex', '<p>Buy now</p>');
    note = (await search(v, finder, noteId)).statuses[0];
    assert.equal(note?.uri, noteId);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  const report = async (user, extra) => assertOk(await api(v.server, 'POST', '/api/v1/reports', {
    token: user.token, json: { account_id: rex.id, status_ids: [note.id], ...extra },
  }));

  test('without forward (false or omitted) no Flag is sent; with it, one from the instance actor naming no reporter', async () => {
    const quiet = await registerUser(v.server, 'quiet');
    const silent = await registerUser(v.server, 'silent');
    assert.equal((await report(quiet, { comment: 'kept here', forward: false })).forwarded, false);
    assert.equal((await report(silent, { comment: 'kept here too' })).forwarded, false);

    const reporter = await registerUser(v.server, 'reporter');
    const forwarded = await report(reporter, { comment: 'spam', forward: true });
    assert.equal(forwarded.forwarded, true);
    assert.equal(forwarded.target_account.id, rex.id);
    const flag = await peer.waitFor({ type: 'Flag' }, DELIVERY);
    assert.equal(flag.actor, v.instanceActor, 'the instance actor reports');
    assert.ok(flag.signature, 'signed');
    assert.equal(flag.signature.keyId, `${v.instanceActor}#main-key`);
    const objects = asArray(flag.raw.object).map(idOf);
    assert.ok(objects.includes(peer.actorId('rex')), `names the account: ${JSON.stringify(objects)}`);
    assert.ok(objects.includes(noteId), `names the post: ${JSON.stringify(objects)}`);
    assert.equal(flag.raw.content, 'spam');
    const request = flag.id ? peer.requests.find((r) => r.method === 'POST' && r.body.includes(flag.id)) : null;
    for (const text of [JSON.stringify(flag.raw), request?.body ?? '']) {
      for (const user of [reporter, quiet, silent]) {
        assert.ok(!text.includes(v.actorId(user.username)), `the reporter's actor is not named: ${text}`);
        assert.ok(!text.includes(user.username), `nor the reporter's name: ${text}`);
      }
    }

    await sleep(1000);
    const flags = peer.received.filter((r) => r.type === 'Flag');
    assert.deepEqual(flags.map((r) => r.raw.content), ['spam'], 'only the forwarded report was sent');
  });
});

// Last: it removes the peer's accounts.
describe("an admin's suspension of a domain removes its accounts and everything of theirs", () => {
  let v;
  let peer;  // pia, followed by lena
  let admin;

  before(async () => {
    v = await startFederatedVantage(FLAGS);
    peer = await startPeer({ ...PEER, actors: ['pia'] });
    admin = await makeAdmin(v.server);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  test('the accounts, posts and boosts go; follows of them go from following_count', async () => {
    const lena = await registerUser(v.server, 'lena');
    const kit = await registerUser(v.server, 'kit');
    assertOk(await api(v.server, 'POST', `/api/v1/accounts/${kit.id}/follow`, { token: lena.token }));
    const pia = await followRemote(v, peer, lena, 'pia');
    const noteId = await peer.post('pia', { content: '<p>Soon gone</p>', inbox: v.sharedInbox });
    const post = await inHome(v, lena, noteId);
    const mo = await registerUser(v.server, 'mo');  // not followed by lena
    const moPost = await postPhoto(v.server, mo, { status: 'Boosted by pia' });
    const boostId = await peer.announce('pia', v.statusId(mo.username, moPost.id), { inbox: v.sharedInbox });
    await inHome(v, lena, boostId);
    const me = async () => assertOk(await api(v.server, 'GET', '/api/v1/accounts/verify_credentials', { token: lena.token }));
    assert.equal((await me()).following_count, 2);

    const suspended = assertOk(await api(v.server, 'POST', '/api/v1/admin/domain_blocks',
      { token: admin.token, json: { domain: PEER_DOMAIN, severity: 'suspend' } }));
    assert.equal(suspended.severity, 'suspend');

    await waitFor(async () => (await api(v.server, 'GET', `/api/v1/accounts/${pia.id}`, { token: lena.token })).status === 404,
      { ...WAIT, message: 'the account removed' });
    assertError(await api(v.server, 'GET', `/api/v1/accounts/${pia.id}`), 404);
    await waitFor(async () => (await api(v.server, 'GET', `/api/v1/statuses/${post.id}`, { token: lena.token })).status === 404,
      { ...WAIT, message: 'the post removed' });
    assertError(await api(v.server, 'GET', `/api/v1/statuses/${post.id}`), 404);
    const timeline = await home(v, lena);
    assert.deepEqual(showing(timeline, noteId), [], 'the post is not in the home timeline');
    assert.ok(!timeline.some((s) => s.uri === boostId || s.account.id === pia.id), 'nor the boost, nor anything of pia');
    assertOk(await api(v.server, 'GET', `/api/v1/statuses/${moPost.id}`, { token: lena.token }));
    assert.equal((await me()).following_count, 1, 'only the local follow is left');
    assert.ok(!(await publicTimeline(v, null)).some((s) => s.uri === noteId));
    assertError(await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=pia@${peer.host}`, { token: lena.token }), 404);
  });
});
