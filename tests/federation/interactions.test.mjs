// What a peer does to Vantage's posts and accounts beyond follows, likes and
// comments, and what Vantage keeps to itself (docs/federation.md, issue 16
// sections 3 and 5): an Announce of a local post is counted and notified and
// undone; a Flag is a report in the admin queue; a Delete of the actor itself
// takes its follow, likes, boosts, comments and notifications with it (and
// one from an actor never seen here is answered without a fetch); a post
// made with vantage_federate: false never leaves the server, nor do its
// edits and deletion; an organisation's draft federates only when it is
// published, as the organisation alone; a held comment is not delivered
// while it is held. Run on both engines (VANTAGE_TEST_ENGINE).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertOk, createApp, joinStaff, passwordToken, sleep, strongPassword, uniqueName, waitFor,
} from '../api/lib/server.mjs';
import { noiseJpeg, postPhoto, registerUser } from '../api/lib/photos.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const AP = { accept: 'application/activity+json' };
const DELIVERY = { timeout: 15_000 };
const WAIT = { timeoutMs: 10_000 };
const rawOf = (record) => (typeof record.raw === 'string' ? JSON.parse(record.raw) : record.raw);

describe('interactions with a Fedify peer, and what stays on Vantage', () => {
  let v;      // Vantage behind the TLS proxy
  let peer;   // Fedify: alice (follows, boosts), bob (reports), dora (deletes herself), ghost (never seen here)
  let admin;  // {token, id}: an instance admin
  let vera;   // a Vantage user alice follows
  let vera2;  // another, for the Flag

  const acct = (name) => `${name}@${peer.host}`;
  const status = async (id, token) => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${id}`, { token }));
  const account = async (id) => assertOk(await api(v.server, 'GET', `/api/v1/accounts/${id}`));
  const notifications = async (user, query = '') =>
    assertOk(await api(v.server, 'GET', `/api/v1/notifications?limit=80${query}`, { token: user.token }));

  // A remote follow of a local account, answered by an Accept.
  async function followFromPeer(as, username) {
    const followId = await peer.follow(as, v.actorId(username), { inbox: v.inbox(username) });
    const accept = await peer.waitFor({ type: 'Accept', actor: v.actorId(username), objectId: followId }, DELIVERY);
    assert.ok(accept.signature, 'the Accept was signed');
    return followId;
  }

  // None of the records received so far matches `pattern` (a function).
  function assertNotReceived(pattern, message) {
    const hit = peer.received.find(pattern);
    if (hit) assert.fail(`${message}: got ${hit.type} ${hit.id}`);
  }

  before(async () => {
    v = await startFederatedVantage(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
    peer = await startPeer({ actors: ['alice', 'bob', 'dora', 'ghost'] });
    const credentials = { username: uniqueName('admin'), password: strongPassword() };
    await adminCreateAccount(v.server, { ...credentials, role: 'admin' });
    const app = await createApp(v.server, 'read write follow admin:read admin:write');
    admin = { token: await passwordToken(v.server, app, credentials.username, credentials.password,
      'read write follow admin:read admin:write') };
    admin.id = assertOk(await api(v.server, 'GET', '/api/v1/accounts/verify_credentials', { token: admin.token })).id;
    vera = await registerUser(v.server, 'vera');
    vera2 = await registerUser(v.server, 'vera');
    await followFromPeer('alice', vera.username);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
  });

  describe('Announce', () => {
    test('a boost of a public post is counted once, notified, and undone with its notification', async () => {
      const post = await postPhoto(v.server, vera, { status: 'Boost me' });
      const noteId = v.statusId(vera.username, post.id);
      const ours = (n) => n.type === 'reblog' && n.account.acct === acct('alice') && n.status?.id === post.id;
      const reblogNotes = async () => (await notifications(vera, '&types[]=reblog')).filter(ours);

      const announceId = await peer.announce('alice', noteId, { inbox: v.inbox(vera.username) });
      await waitFor(async () => (await status(post.id)).reblogs_count === 1, { ...WAIT, message: 'the boost counted' });
      const notes = await reblogNotes();
      assert.equal(notes.length, 1, 'one reblog notification naming the remote account and the post');
      assert.equal(notes[0].account.acct, acct('alice'));
      assert.equal(notes[0].status.id, post.id);
      // Unfiltered, as clients ask, it is there too (checked at the end, so
      // that the rest is exercised either way).
      const inDefaultList = (await notifications(vera)).some(ours);

      // The same Announce again (a redelivery), then another one by the same
      // actor: still one boost, one notification.
      await peer.send('alice', peer.sent.get(announceId).json, { inbox: v.sharedInbox });
      await peer.announce('alice', noteId, { inbox: v.sharedInbox });
      await sleep(500);
      assert.equal((await status(post.id)).reblogs_count, 1, 'a boost counts once per actor');
      assert.equal((await reblogNotes()).length, 1, 'and is notified once');

      // Undo with the Announce embedded, as Mastodon sends it.
      await peer.undo('alice', announceId, { inbox: v.inbox(vera.username) });
      await waitFor(async () => (await status(post.id)).reblogs_count === 0, { ...WAIT, message: 'the boost undone' });
      assert.deepEqual(await reblogNotes(), [], 'the reblog notification went with the boost');
      assert.ok(inDefaultList, 'GET /api/v1/notifications (no types[]) lists the reblog notification');
    });

    test('a boost of a followers-only post is not counted', async () => {
      // alice follows vera, so she may see the post: the refusal is of the boost itself.
      const post = await postPhoto(v.server, vera, { status: 'Followers only', visibility: 'private' });
      const noteId = v.statusId(vera.username, post.id);
      await peer.announce('alice', noteId, { inbox: v.inbox(vera.username) });
      // Control: a boost of a public post sent after it is counted.
      const control = await postPhoto(v.server, vera, { status: 'Public control' });
      await peer.announce('alice', v.statusId(vera.username, control.id), { inbox: v.inbox(vera.username) });
      await waitFor(async () => (await status(control.id)).reblogs_count === 1, { ...WAIT, message: 'the control boost counted' });
      assert.equal((await status(post.id, vera.token)).reblogs_count, 0);
      assert.ok(!(await notifications(vera, '&types[]=reblog')).some((n) => n.status?.id === post.id),
        'no notification for it either');
    });
  });

  describe('Flag', () => {
    test("a peer's report reaches the admin queue, filed by the remote account", async () => {
      const post = await postPhoto(v.server, vera2, { status: 'Reported' });
      const noteId = v.statusId(vera2.username, post.id);
      await peer.flag('bob', { objects: [v.actorId(vera2.username), noteId], content: 'spam', inbox: v.sharedInbox });
      let report;
      await waitFor(async () => {
        const open = assertOk(await api(v.server, 'GET', '/api/vantage/v1/admin/reports?status=open', { token: admin.token }));
        report = open.find((r) => r.target_account?.id === vera2.id);
        return Boolean(report);
      }, { ...WAIT, message: 'the report arrived' });
      assert.equal(report.account.acct, acct('bob'), 'the reporter is the remote account');
      assert.equal(report.target_account.id, vera2.id);
      assert.ok(report.status_ids.includes(post.id), `status_ids ${JSON.stringify(report.status_ids)}`);
      assert.equal(report.comment, 'spam');
      assert.equal(report.vantage_status, 'open');
      // And it is the same report read alone.
      const one = assertOk(await api(v.server, 'GET', `/api/vantage/v1/admin/reports/${report.id}`, { token: admin.token }));
      assert.equal(one.account.acct, acct('bob'));
      // The reported account learns nothing of it.
      assert.ok(!(await notifications(vera2)).some((n) => n.type.includes('report') || n.account?.acct === acct('bob')));
    });
  });

  describe('Delete of an actor', () => {
    test('takes its follow, like, boost, comments and notifications with it', async () => {
      const post = await postPhoto(v.server, vera, { status: 'Before the deletion' });
      const noteId = v.statusId(vera.username, post.id);
      const before = { account: await account(vera.id), status: await status(post.id) };

      await followFromPeer('dora', vera.username);
      await peer.like('dora', noteId, { inbox: v.inbox(vera.username) });
      await peer.announce('dora', noteId, { inbox: v.inbox(vera.username) });
      const first = await peer.reply('dora', noteId, '<p>First comment</p>', { inbox: v.inbox(vera.username) });
      const second = await peer.reply('dora', first, '<p>Answering myself</p>', { inbox: v.inbox(vera.username) });
      let comments;
      await waitFor(async () => {
        const s = await status(post.id);
        const context = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`));
        comments = context.descendants.filter((d) => d.account.acct === acct('dora'));
        return s.favourites_count === before.status.favourites_count + 1 && s.reblogs_count === before.status.reblogs_count + 1
          && comments.length === 2;
      }, { ...WAIT, message: 'the like, the boost and both comments arrived' });
      const [c1, c2] = [comments.find((c) => /First comment/.test(c.content)), comments.find((c) => /Answering myself/.test(c.content))];
      assert.ok(c1 && c2, 'both comments by their text');
      assert.equal(c2.in_reply_to_id, c1.id, 'the second answers the first');
      assert.ok(first && second);
      assert.equal((await account(vera.id)).followers_count, before.account.followers_count + 1);
      const during = await status(post.id);
      assert.ok(during.replies_count > before.status.replies_count);
      for (const type of ['follow', 'favourite', 'reblog', 'mention']) {
        assert.ok((await notifications(vera, `&types[]=${type}`)).some((n) => n.account.acct === acct('dora')), `a ${type} notification`);
      }

      await peer.deleteActor('dora', { inbox: v.sharedInbox });
      await waitFor(async () => (await account(vera.id)).followers_count === before.account.followers_count,
        { ...WAIT, message: 'the follow went' });
      const afterwards = await status(post.id);
      assert.equal(afterwards.favourites_count, before.status.favourites_count);
      assert.equal(afterwards.reblogs_count, before.status.reblogs_count);
      assert.equal(afterwards.replies_count, before.status.replies_count);
      for (const c of [c1, c2]) {
        assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${c.id}`)).status, 404, `comment ${c.id} gone`);
        assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${c.id}`, { token: vera.token })).status, 404);
      }
      const context = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`));
      assert.deepEqual(context.descendants.filter((d) => d.account.acct === acct('dora')), []);
      for (const query of ['', '&types[]=reblog', '&types[]=favourite', '&types[]=follow', '&types[]=mention']) {
        assert.ok(!(await notifications(vera, query)).some((n) => n.account.acct === acct('dora')), `its notifications went (${query})`);
      }
      const followers = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token }));
      assert.ok(!followers.some((a) => a.acct === acct('dora')));
      const likers = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/favourited_by`));
      assert.ok(!likers.some((a) => a.acct === acct('dora')));
    });

    test('a Delete of an actor never seen here is 202, and nothing is fetched', async () => {
      const json = peer.build.deleteActor('ghost');
      const requestsBefore = peer.requests.length;
      const res = await peer.signedPost('ghost', v.sharedInbox, json);
      assert.equal(res.status, 202, res.text);
      await sleep(500);
      const fetched = peer.requests.slice(requestsBefore).filter((r) => r.method === 'GET');
      assert.deepEqual(fetched.map((r) => r.path), [], 'Vantage fetched nothing of the peer');
      // Through Fedify as well (its own signing).
      await peer.deleteActor('ghost', { inbox: v.sharedInbox, id: `${peer.actorId('ghost')}#delete-again` });
      await sleep(300);
      assert.ok(!peer.requests.some((r) => r.method === 'GET' && r.path.startsWith('/users/ghost')),
        'the deleted actor was never fetched');
    });
  });

  describe('vantage_federate: false', () => {
    test('the post stays here: not delivered, not fetchable, its edit and deletion send nothing', async () => {
      const local = await postPhoto(v.server, vera, { status: 'Only here', vantage_federate: false });
      assert.equal(local.vantage_federate, false);
      assert.equal((await status(local.id)).vantage_federate, false);
      const archived = await postPhoto(v.server, vera, { status: 'Only here, to be archived', vantage_federate: false });
      const shared = await postPhoto(v.server, vera, { status: 'Everywhere' });
      assert.equal(shared.vantage_federate, true);
      const localNote = v.statusId(vera.username, local.id);
      const archivedNote = v.statusId(vera.username, archived.id);
      const sharedNote = v.statusId(vera.username, shared.id);
      const aboutLocal = (r) => [localNote, archivedNote].some((id) => r.objectId === id || JSON.stringify(r.raw ?? '').includes(id));

      await peer.waitFor({ type: 'Create', objectId: sharedNote }, DELIVERY);
      await sleep(300);
      assertNotReceived(aboutLocal, 'a non-federated post was delivered');
      // Not at its id, nor at its page, to anyone asking for ActivityPub.
      assert.equal((await fetch(localNote, { headers: AP })).status, 404);
      assert.equal((await fetch(`${v.origin}/@${vera.username}/${local.id}`, { headers: AP })).status, 404);
      assert.equal((await fetch(sharedNote, { headers: AP })).status, 200, 'the control is');
      // Nor in the outbox.
      const outbox = await (await fetch(`${v.actorId(vera.username)}/outbox`, { headers: AP })).json();
      const page = await (await fetch(outbox.first, { headers: AP })).json();
      const listed = JSON.stringify(page.orderedItems);
      assert.ok(listed.includes(sharedNote), 'the outbox lists the shared post');
      assert.ok(!listed.includes(localNote), 'and not the local one');
      // But it is an ordinary public post here.
      assert.equal(local.visibility, 'public');
      assert.equal((await api(v.server, 'GET', `/api/v1/statuses/${local.id}`)).status, 200);

      // Edits: the local one's sends nothing, the shared one's an Update.
      assertOk(await api(v.server, 'PUT', `/api/v1/statuses/${local.id}`, { token: vera.token, json: { status: 'Only here, edited' } }));
      assertOk(await api(v.server, 'PUT', `/api/v1/statuses/${shared.id}`, { token: vera.token, json: { status: 'Everywhere, edited' } }));
      await peer.waitFor({ type: 'Update', objectId: sharedNote }, DELIVERY);
      assert.equal((await status(local.id)).vantage_federate, false, 'an edit keeps it local');
      await sleep(300);
      assertNotReceived(aboutLocal, 'the edit of a non-federated post was delivered');
      // Deletion and archiving (a Delete to other servers): the same.
      assertOk(await api(v.server, 'DELETE', `/api/v1/statuses/${local.id}`, { token: vera.token }));
      assertOk(await api(v.server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: vera.token }));
      assertOk(await api(v.server, 'DELETE', `/api/v1/statuses/${shared.id}`, { token: vera.token }));
      await peer.waitFor({ type: 'Delete', objectId: sharedNote }, DELIVERY);
      await sleep(500);
      assertNotReceived(aboutLocal, 'the deletion or archiving of a non-federated post was delivered');
    });
  });

  describe('organisation drafts', () => {
    let org;
    const staff = {};
    const ACT = () => ({ 'vantage-act-as': String(org.id) });
    const DRAFTS = () => `/api/vantage/v1/organisations/${org.id}/drafts`;

    async function upload(user) {
      const form = new FormData();
      form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
      const res = await api(v.server, 'POST', '/api/v2/media', { token: user.token, headers: ACT(), body: form });
      assert.ok(res.status === 200 || res.status === 202, res.text);
      const { id } = res.json;
      await waitFor(async () => (await api(v.server, 'GET', `/api/v1/media/${id}`, { token: user.token, headers: ACT() })).status === 200,
        { timeoutMs: 15_000, message: 'the upload processed' });
      return id;
    }
    const transition = async (draft, name, user) => assertOk(await api(v.server, 'POST', `${DRAFTS()}/${draft.id}/${name}`,
      { token: user.token, json: ['approve', 'publish'].includes(name) ? { version: draft.version } : undefined }));
    // Anything the organisation sent the peer besides the Accept of the follow.
    const fromOrg = (r) => r.actor === v.actorId(org.username) && r.type !== 'Accept';

    before(async () => {
      for (const name of ['owner', 'editor', 'approver']) staff[name] = await registerUser(v.server, name);
      org = assertOk(await api(v.server, 'POST', '/api/vantage/v1/admin/organisations', {
        token: admin.token, json: { username: uniqueName('org'), display_name: 'Harbour Authority', owner: staff.owner.username, require_second_factor: false },
      })).account;
      await joinStaff(v.server, org.id, staff.owner, staff.editor, ['editor']);
      await joinStaff(v.server, org.id, staff.owner, staff.approver, ['approver']);
      await followFromPeer('alice', org.username);
    });

    test('a draft federates when it is published, not before, signed as the organisation and naming no staff', async () => {
      let draft = assertOk(await api(v.server, 'POST', DRAFTS(), {
        token: staff.editor.token, json: { status: 'From the harbour archive', media_ids: [await upload(staff.editor)] },
      }));
      assert.equal(draft.vantage_federate, true);
      draft = await transition(draft, 'submit', staff.editor);
      draft = await transition(draft, 'approve', staff.approver);
      assert.equal(draft.state, 'approved');
      await sleep(1500);
      assertNotReceived(fromOrg, 'the organisation sent something before publication');

      draft = await transition(draft, 'publish', staff.editor);
      assert.equal(draft.state, 'published');
      const noteId = v.statusId(org.username, draft.status_id);
      const create = await peer.waitFor({ type: 'Create', objectId: noteId }, DELIVERY);
      const raw = rawOf(create);
      assert.equal(raw.actor, v.actorId(org.username));
      assert.equal(raw.object.attributedTo, v.actorId(org.username));
      assert.match(raw.object.content, /From the harbour archive/);
      assert.equal(create.signature.keyId, v.keyId(org.username));
      // The staff-identity canary: nothing in the body or the headers names them.
      const text = JSON.stringify(create.raw) + JSON.stringify(create.rawHeaders);
      for (const who of Object.values(staff)) {
        for (const marker of [who.username, who.email, who.id]) assert.ok(!text.includes(marker), `the delivery names ${marker}`);
      }
      // Nor any other request Vantage made to the peer.
      const everything = JSON.stringify(peer.requests.map((r) => [r.path, r.rawHeaders, r.body]));
      for (const who of Object.values(staff)) {
        for (const marker of [who.username, who.email]) assert.ok(!everything.includes(marker), `a request names ${marker}`);
      }
      assert.equal((await status(draft.status_id)).vantage_federate, true);
    });

    test('a draft made with vantage_federate: false is published here and never delivered', async () => {
      let draft = assertOk(await api(v.server, 'POST', DRAFTS(), {
        token: staff.editor.token,
        json: { status: 'Public here, never syndicated', media_ids: [await upload(staff.editor)], vantage_federate: false },
      }));
      assert.equal(draft.vantage_federate, false);
      draft = await transition(draft, 'submit', staff.editor);
      draft = await transition(draft, 'approve', staff.approver);
      assert.equal(draft.vantage_federate, false);
      draft = await transition(draft, 'publish', staff.editor);
      assert.equal(draft.state, 'published');
      assert.equal(draft.vantage_federate, false);
      const published = await status(draft.status_id);
      assert.equal(published.vantage_federate, false);
      assert.equal(published.visibility, 'public');
      const noteId = v.statusId(org.username, draft.status_id);

      // Control: an ordinary draft published after it is delivered.
      let control = assertOk(await api(v.server, 'POST', DRAFTS(), {
        token: staff.editor.token, json: { status: 'Syndicated control', media_ids: [await upload(staff.editor)] },
      }));
      control = await transition(control, 'submit', staff.editor);
      control = await transition(control, 'approve', staff.approver);
      control = await transition(control, 'publish', staff.editor);
      await peer.waitFor({ type: 'Create', objectId: v.statusId(org.username, control.status_id) }, DELIVERY);
      await sleep(300);
      assertNotReceived((r) => r.objectId === noteId || JSON.stringify(r.raw ?? '').includes(noteId),
        'the non-federated draft was delivered');
      assert.equal((await fetch(noteId, { headers: AP })).status, 404);
    });
  });

  describe('held comments', () => {
    let author;
    let commenter;
    before(async () => {
      author = await registerUser(v.server, 'author');
      commenter = await registerUser(v.server, 'commenter');
      await followFromPeer('alice', commenter.username);
    });
    const comment = async (post, text) => assertOk(await api(v.server, 'POST', '/api/v1/statuses',
      { token: commenter.token, json: { status: text, in_reply_to_id: post.id } }));
    const about = (id) => (r) => r.objectId === id || JSON.stringify(r.raw ?? '').includes(id);

    test("a comment held for review is not delivered to the commenter's remote followers, nor its deletion", async () => {
      const heldPost = await postPhoto(v.server, author, { status: 'Comments reviewed', vantage_comments: 'held' });
      const openPost = await postPhoto(v.server, author, { status: 'Comments open' });

      const held = await comment(heldPost, 'Held words');
      const heldNote = v.statusId(commenter.username, held.id);
      // Control: the same commenter's comment on an open post is delivered.
      const shown = await comment(openPost, 'Shown words');
      const shownNote = v.statusId(commenter.username, shown.id);
      const create = await peer.waitFor({ type: 'Create', objectId: shownNote }, DELIVERY);
      assert.equal(rawOf(create).actor, v.actorId(commenter.username));
      assert.equal(rawOf(create).object.inReplyTo, v.statusId(author.username, openPost.id));
      await sleep(500);
      assertNotReceived(about(heldNote), 'the held comment was delivered');
      assert.equal((await fetch(heldNote, { headers: AP })).status, 404, 'nor fetchable while held');

      // Its edit and deletion by its writer say nothing either: it never left.
      assertOk(await api(v.server, 'PUT', `/api/v1/statuses/${held.id}`, { token: commenter.token, json: { status: 'Held words, edited' } }));
      assertOk(await api(v.server, 'DELETE', `/api/v1/statuses/${held.id}`, { token: commenter.token }));
      assertOk(await api(v.server, 'DELETE', `/api/v1/statuses/${shown.id}`, { token: commenter.token }));
      await peer.waitFor({ type: 'Delete', objectId: shownNote }, DELIVERY);
      await sleep(500);
      assertNotReceived(about(heldNote), 'the edit or deletion of a held comment was delivered');
    });

    test('once approved, the comment is delivered', async () => {
      const heldPost = await postPhoto(v.server, author, { status: 'Comments reviewed, then shown', vantage_comments: 'held' });
      const held = await comment(heldPost, 'Worth approving');
      const heldNote = v.statusId(commenter.username, held.id);
      await sleep(1000);
      assertNotReceived(about(heldNote), 'the held comment was delivered before approval');
      assertOk(await api(v.server, 'POST', `/api/vantage/v1/statuses/${held.id}/approve`, { token: author.token }));
      const create = await peer.waitFor({ type: 'Create', objectId: heldNote }, DELIVERY);
      assert.equal(rawOf(create).object.inReplyTo, v.statusId(author.username, heldPost.id));
      assert.match(rawOf(create).object.content, /Worth approving/);
    });
  });
});
