// Comment controls (docs/organisations.md, "Comment controls"): a post's
// comment policy (on, off, followers, held), held comments seen by their
// writer as any comment and by the post's author only in the review list,
// approval and deletion by the post's author or an organisation's owners and
// moderators acting as it (audited), and blocks, against the real binary on
// either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, startServer, strongPassword,
  uniqueName, waitFor,
} from './lib/server.mjs';
import { noiseJpeg, postPhoto, registerUser } from './lib/photos.mjs';

let server;
let author;
let fan;
let stranger;

const comment = (user, post, text, headers) => api(server, 'POST', '/api/v1/statuses',
  { token: user.token, headers, json: { status: text, in_reply_to_id: post.id } });
const context = async (post, user) => assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}/context`,
  { token: user?.token })).descendants.map((s) => s.id);
const held = (post, user, headers) => api(server, 'GET', `/api/vantage/v1/statuses/${post.id}/held_comments`,
  { token: user.token, headers });

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  author = await registerUser(server, 'author');
  fan = await registerUser(server, 'fan');
  stranger = await registerUser(server, 'stranger');
  assertOk(await api(server, 'POST', `/api/v1/accounts/${author.id}/follow`, { token: fan.token }));
});
after(async () => {
  await server?.stop();
});

describe('the comment policy of a post', () => {
  test('defaults to on, is shown as vantage_comments and changes with an edit', async () => {
    const post = await postPhoto(server, author, { status: 'Open' });
    assert.equal(post.vantage_comments, 'on');
    const c = assertOk(await comment(stranger, post, 'Nice'));
    assert.equal(c.vantage_comments, null);
    const edited = assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: author.token, json: { vantage_comments: 'off' } }));
    assert.equal(edited.vantage_comments, 'off');
    const read = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`));
    assert.equal(read.vantage_comments, 'off');
    // The caption is kept by an edit that only changes the policy.
    assert.match(read.content, /Open/);
  });

  test('bad values are refused naming the field', async () => {
    const post = await postPhoto(server, author, { status: 'x' });
    assertError(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: author.token, json: { vantage_comments: 'maybe' } }), 422, 'invalid_field', 'vantage_comments');
    const c = assertOk(await comment(author, post, 'mine'));
    assertError(await api(server, 'PUT', `/api/v1/statuses/${c.id}`,
      { token: author.token, json: { vantage_comments: 'off' } }), 422, 'not_allowed', 'vantage_comments');
    assertError(await api(server, 'POST', '/api/v1/statuses', {
      token: author.token, json: { status: 'hi', in_reply_to_id: post.id, vantage_comments: 'held' },
    }), 422, 'not_allowed', 'vantage_comments');
    assertError(await api(server, 'POST', '/api/v1/statuses', {
      token: author.token, json: { status: 'hi', media_ids: ['1'], vantage_comments: 'closed' },
    }), 422, 'invalid_field', 'vantage_comments');
  });

  test('off: nobody but the author comments, also in replies to older comments', async () => {
    const post = await postPhoto(server, author, { status: 'Quiet' });
    const before = assertOk(await comment(fan, post, 'Earlier comment'));
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`, { token: author.token, json: { vantage_comments: 'off' } }));
    assertError(await comment(fan, post, 'Let me in'), 403, 'comments_off');
    assertError(await comment(stranger, before, 'A reply down the thread'), 403, 'comments_off');
    assertOk(await comment(author, post, 'The author may'));
    const after = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`));
    assert.equal(after.replies_count, 2);
  });

  test('followers: followers comment, others get comments_followers_only', async () => {
    const post = await postPhoto(server, author, { status: 'Friends', vantage_comments: 'followers' });
    assert.equal(post.vantage_comments, 'followers');
    assertOk(await comment(fan, post, 'A follower'));
    assertError(await comment(stranger, post, 'Not a follower'), 403, 'comments_followers_only');
    assertOk(await comment(author, post, 'The author'));
  });

  test('form-encoded posts carry the policy too', async () => {
    const post = await postPhoto(server, author, { status: 'form' });
    const res = await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: author.token, form: { vantage_comments: 'held' } });
    assert.equal(assertOk(res).vantage_comments, 'held');
  });
});

describe('held comments', () => {
  test('the writer sees theirs as any comment; nobody else does; the author reviews them', async () => {
    const post = await postPhoto(server, author, { status: 'Review first', vantage_comments: 'held' });
    const mine = assertOk(await comment(stranger, post, 'Held words'));
    // To its writer it looks like any comment.
    assert.equal(mine.in_reply_to_id, post.id);
    assert.deepEqual(await context(post, stranger), [mine.id]);
    assertOk(await api(server, 'GET', `/api/v1/statuses/${mine.id}`, { token: stranger.token }));
    // Nobody else sees it: not the public, not a follower, not the author outside the review list.
    for (const who of [null, fan, author]) {
      assert.deepEqual(await context(post, who), [], who?.username ?? 'signed out');
      assertError(await api(server, 'GET', `/api/v1/statuses/${mine.id}`, { token: who?.token }), 404);
    }
    const counted = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`));
    assert.equal(counted.replies_count, 0);
    // Not on the writer's public profile for others.
    const profile = assertOk(await api(server, 'GET', `/api/v1/accounts/${stranger.id}/statuses`, { token: fan.token }));
    assert.ok(!profile.some((s) => s.id === mine.id));
    // No notification reaches the author for it.
    const notes = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: author.token }));
    assert.ok(!notes.some((n) => n.status?.id === mine.id), JSON.stringify(notes));
    // The author's review list has it; nobody else may read the list.
    const list = assertOk(await held(post, author));
    assert.deepEqual(list.map((s) => s.id), [mine.id]);
    assert.equal(list[0].content.includes('Held words'), true);
    assertError(await held(post, stranger), 404);
    assertError(await held(post, fan), 404);
    assertError(await api(server, 'GET', `/api/vantage/v1/statuses/${post.id}/held_comments`), 401);
    // The author's own comments are never held.
    const own = assertOk(await comment(author, post, 'From the author'));
    assert.deepEqual(await context(post, fan), [own.id]);
  });

  test('approving shows it to all and counts it; its notification appears then', async () => {
    const post = await postPhoto(server, author, { status: 'Approve me', vantage_comments: 'held' });
    const c = assertOk(await comment(fan, post, 'Please approve'));
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`, { token: fan.token }), 404);
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`, { token: stranger.token }), 404);
    const approved = assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`, { token: author.token }));
    assert.equal(approved.id, c.id);
    assert.deepEqual(await context(post, stranger), [c.id]);
    assert.deepEqual(await context(post), [c.id]);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 1);
    assert.deepEqual(assertOk(await held(post, author)), []);
    const notes = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: author.token }));
    assert.ok(notes.some((n) => n.status?.id === c.id));
    // Approving again changes nothing.
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`, { token: author.token }));
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 1);
  });

  test("the post's author deletes comments under it, held or shown; others cannot", async () => {
    const post = await postPhoto(server, author, { status: 'Delete them', vantage_comments: 'held' });
    const heldOne = assertOk(await comment(stranger, post, 'To be deleted'));
    assertError(await api(server, 'DELETE', `/api/v1/statuses/${heldOne.id}`, { token: fan.token }), 404);
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${heldOne.id}`, { token: author.token }));
    assertError(await api(server, 'GET', `/api/v1/statuses/${heldOne.id}`, { token: stranger.token }), 404);
    assert.deepEqual(assertOk(await held(post, author)), []);
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`, { token: author.token, json: { vantage_comments: 'on' } }));
    const shown = assertOk(await comment(stranger, post, 'Shown then deleted'));
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 1);
    const answer = assertOk(await api(server, 'DELETE', `/api/v1/statuses/${shown.id}`, { token: author.token }));
    assert.equal(answer.id, shown.id);
    assert.equal(answer.text, undefined);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 0);
    // Someone else's post's comments stay out of reach.
    const other = await postPhoto(server, fan, { status: 'Not yours' });
    const c = assertOk(await comment(stranger, other, 'Hello'));
    assertError(await api(server, 'DELETE', `/api/v1/statuses/${c.id}`, { token: author.token }), 404);
  });

  test('replying to one\'s own held or hidden comment cannot carry it past the review', async () => {
    const post = await postPhoto(server, author, { status: 'Loophole', vantage_comments: 'held' });
    const first = assertOk(await comment(stranger, post, 'Held first'));
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`, { token: author.token, json: { vantage_comments: 'on' } }));
    const reply = assertOk(await comment(stranger, first, 'Now replying to myself'));
    assertError(await api(server, 'GET', `/api/v1/statuses/${reply.id}`, { token: fan.token }), 404);
    const profile = assertOk(await api(server, 'GET', `/api/v1/accounts/${stranger.id}/statuses`, { token: fan.token }));
    assert.ok(!profile.some((s) => s.id === reply.id));
    assert.deepEqual(await context(post, stranger), [first.id, reply.id]);
    assert.deepEqual(assertOk(await held(post, author)).map((s) => s.id), [first.id, reply.id]);
    // A mention in a held comment notifies nobody until it is approved.
    const mention = assertOk(await api(server, 'POST', '/api/v1/statuses', { token: stranger.token,
      json: { status: `@${fan.username} look`, in_reply_to_id: first.id } }));
    const fanNotes = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: fan.token }));
    assert.ok(!fanNotes.some((n) => n.status?.id === mention.id));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${first.id}/approve`, { token: author.token }));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${mention.id}/approve`, { token: author.token }));
    const after = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: fan.token }));
    assert.ok(after.some((n) => n.status?.id === mention.id && n.type === 'mention'));
  });

  test('a reply in a held thread is held for the post, listed in its review list', async () => {
    const post = await postPhoto(server, author, { status: 'Threads', vantage_comments: 'held' });
    const own = assertOk(await comment(author, post, 'Ask me anything'));
    const reply = assertOk(await comment(stranger, own, 'A reply down the thread'));
    assert.deepEqual(await context(post, fan), [own.id]);
    assert.deepEqual(assertOk(await held(post, author)).map((s) => s.id), [reply.id]);
  });
});

describe('edits of comments', () => {
  // As the author's review does: the comment as the held list shows it, its
  // edited_at named by the approval.
  const approve = async (c, post) => {
    const seen = assertOk(await held(post, author)).find((s) => s.id === c.id);
    return api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`,
      { token: author.token, json: { edited_at: seen?.edited_at ?? null } });
  };
  const edit = (c, json) => api(server, 'PUT', `/api/v1/statuses/${c.id}`, { token: stranger.token, json });

  test('under a held post an approved comment rewritten goes back for review; its flags alone do not', async () => {
    const post = await postPhoto(server, author, { status: 'Approved text only', vantage_comments: 'held' });
    const c = assertOk(await comment(stranger, post, 'A harmless question'));
    assertOk(await approve(c, post));
    assert.deepEqual(await context(post, fan), [c.id]);
    assertOk(await edit(c, { status: 'A harmless question', sensitive: true }));
    assert.deepEqual(await context(post, fan), [c.id]);
    assertOk(await edit(c, { status: 'Something else entirely' }));
    assert.deepEqual(await context(post, fan), []);
    assert.deepEqual(await context(post, stranger), [c.id]);
    assert.deepEqual(assertOk(await held(post, author)).map((s) => s.id), [c.id]);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 0);
    // A content warning rewritten counts as a rewrite too.
    assertOk(await approve(c, post));
    assertOk(await edit(c, { status: 'Something else entirely', spoiler_text: 'now with a warning' }));
    assert.deepEqual(await context(post, fan), []);
  });

  // Regression: approving a held comment published text the moderator never
  // saw (the writer edited it between the review and the approval).
  test('approving a held comment published text the moderator never saw', async () => {
    const post = await postPhoto(server, author, { status: 'Reviewed comments only', vantage_comments: 'held' });
    const c = assertOk(await comment(stranger, post, 'A polite question'));
    const reviewed = assertOk(await held(post, author)).find((s) => s.id === c.id);
    assert.equal(reviewed.edited_at, null);
    assertOk(await edit(c, { status: 'Something the moderator never read' }));
    // The edit keeps it held, and the approval of the text read is refused.
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`,
      { token: author.token, json: { edited_at: reviewed.edited_at } }), 409, 'comment_changed', 'edited_at');
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`, { token: author.token }),
      409, 'comment_changed', 'edited_at');
    assert.deepEqual(await context(post, fan), []);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 0);
    // Read again, it is approved as it now reads; an edit after that read is refused too.
    const reread = assertOk(await held(post, author)).find((s) => s.id === c.id);
    assert.equal(reread.content.includes('never read'), true);
    assertOk(await edit(c, { status: 'And once more' }));
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`,
      { token: author.token, json: { edited_at: reread.edited_at } }), 409, 'comment_changed');
    assertOk(await approve(c, post));
    assert.deepEqual(await context(post, fan), [c.id]);
    const shown = assertOk(await api(server, 'GET', `/api/v1/statuses/${c.id}`, { token: fan.token }));
    assert.match(shown.content, /And once more/);
  });

  test('hidden words are matched in the content warning, on writing and on editing', async () => {
    const post = await postPhoto(server, author, { status: 'Warnings are read too' });
    const hiddenWarning = assertOk(await api(server, 'POST', '/api/v1/statuses', { token: stranger.token,
      json: { status: 'hi', spoiler_text: 'kill yourself', in_reply_to_id: post.id } }));
    const fine = assertOk(await comment(stranger, post, 'hello'));
    assert.deepEqual(await context(post, fan), [fine.id]);
    assertOk(await edit(fine, { status: 'hello', spoiler_text: 'K Y S' }));  // spaced out: not a word of the list
    assert.deepEqual(await context(post, fan), [fine.id]);
    assertOk(await edit(fine, { status: 'hello', spoiler_text: 'kys' }));
    assert.deepEqual(await context(post, fan), []);
    assert.deepEqual(assertOk(await held(post, author)).map((s) => s.id), [hiddenWarning.id, fine.id]);
  });

  test('a pinned comment rewritten into a hidden word is held and unpinned at once', async () => {
    const post = await postPhoto(server, author, { status: 'Pinned then rewritten' });
    const c = assertOk(await comment(stranger, post, 'Good point'));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/pin_comment`, { token: author.token }));
    assertOk(await edit(c, { status: 'what a slut\'s photo' }));
    assert.deepEqual(await context(post, fan), []);
    assertOk(await approve(c, post));
    const back = assertOk(await api(server, 'GET', `/api/v1/statuses/${c.id}`, { token: fan.token }));
    assert.equal(back.vantage_pinned_comment, false);
  });
});

describe('hiding and pinning comments', () => {
  const act = (name, c, user, headers) => api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/${name}`,
    { token: user.token, headers });

  test('a hidden comment vanishes for all but its writer, silently, until unhidden', async () => {
    const post = await postPhoto(server, author, { status: 'Hide one' });
    const rude = assertOk(await comment(stranger, post, 'Rude but not in any list'));
    const kind = assertOk(await comment(fan, post, 'Kind'));
    assertError(await act('hide', rude, fan), 404);
    assertError(await act('hide', rude, stranger), 404);
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${rude.id}/hide`), 401);
    assertOk(await act('hide', rude, author));
    assert.deepEqual(await context(post), [kind.id]);
    assert.deepEqual(await context(post, author), [kind.id]);
    assert.deepEqual(await context(post, stranger), [rude.id, kind.id]);
    assertError(await api(server, 'GET', `/api/v1/statuses/${rude.id}`, { token: fan.token }), 404);
    assertOk(await api(server, 'GET', `/api/v1/statuses/${rude.id}`, { token: stranger.token }));
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 1);
    // Hiding twice changes nothing; a hidden comment is not in the review list.
    assertOk(await act('hide', rude, author));
    assert.deepEqual(assertOk(await held(post, author)), []);
    assertOk(await act('unhide', rude, author));
    assert.deepEqual(await context(post), [rude.id, kind.id]);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 2);
    // Unhiding a shown comment changes nothing; neither does unhiding a held one.
    assertOk(await act('unhide', rude, author));
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 2);
  });

  test("up to 3 pinned comments come first, the author's own on top", async () => {
    const post = await postPhoto(server, author, { status: 'Pins' });
    const a = assertOk(await comment(fan, post, 'first'));
    const reply = assertOk(await comment(stranger, a, 'reply to first'));
    const b = assertOk(await comment(stranger, post, 'second'));
    const c = assertOk(await comment(fan, post, 'third'));
    const answer = assertOk(await comment(author, post, 'The official answer'));
    const d = assertOk(await comment(stranger, post, 'fourth'));
    assert.deepEqual(await context(post), [a.id, reply.id, b.id, c.id, answer.id, d.id]);
    assertError(await act('pin_comment', c, fan), 404);
    const pinned = assertOk(await act('pin_comment', c, author));
    assert.equal(pinned.vantage_pinned_comment, true);
    assertOk(await act('pin_comment', a, author));
    assertOk(await act('pin_comment', a, author));  // no-op
    assertOk(await act('pin_comment', answer, author));
    assertError(await act('pin_comment', d, author), 422, 'pin_limit', 'id');
    assertError(await act('pin_comment', reply, author), 422, 'not_pinnable', 'id');
    // The official answer on top, then the others in pin order, each with its thread.
    assert.deepEqual(await context(post), [answer.id, c.id, a.id, reply.id, b.id, d.id]);
    assert.deepEqual(await context(post, stranger), [answer.id, c.id, a.id, reply.id, b.id, d.id]);
    assertOk(await act('unpin_comment', c, author));
    assertOk(await act('pin_comment', d, author));
    assert.deepEqual(await context(post), [answer.id, a.id, reply.id, d.id, b.id, c.id]);
    // Hiding a pinned comment unpins it.
    assertOk(await act('hide', a, author));
    assert.deepEqual(await context(post), [answer.id, d.id, b.id, c.id]);
    assertOk(await act('unhide', a, author));
    const shown = assertOk(await api(server, 'GET', `/api/v1/statuses/${a.id}`));
    assert.equal(shown.vantage_pinned_comment, false);
    assertOk(await act('pin_comment', b, author));
    assertError(await act('pin_comment', c, author), 422, 'pin_limit');
  });
});

describe('hidden words', () => {
  const HW = '/api/vantage/v1/hidden_words';
  let owner;
  before(async () => {
    owner = await registerUser(server, 'words');
  });

  test('an account starts with the default list on and none of its own', async () => {
    const list = assertOk(await api(server, 'GET', HW, { token: owner.token }));
    assert.deepEqual(list.words, []);
    assert.equal(list.use_default, true);
    assert.ok(list.default_words.includes('kill yourself'));
    assertError(await api(server, 'GET', HW), 401);
    assertError(await api(server, 'PUT', HW, { json: { words: [] } }), 401);
  });

  test('bad lists are refused naming the field, and nothing changes', async () => {
    assertError(await api(server, 'PUT', HW, { token: owner.token,
      json: { words: Array.from({ length: 1001 }, (_, i) => `word${i}`) } }), 422, 'too_many', 'words');
    assertError(await api(server, 'PUT', HW, { token: owner.token, json: { words: ['x'.repeat(101)] } }),
      422, 'too_long', 'words');
    assertError(await api(server, 'PUT', HW, { token: owner.token, json: { words: ['  ...  '] } }), 422, 'blank', 'words');
    assertError(await api(server, 'PUT', HW, { token: owner.token, json: { words: [1, 2] } }), 422, null, 'words');
    assertError(await api(server, 'PUT', HW, { token: owner.token, json: { use_default: 'maybe' } }), 422, null, 'use_default');
    assert.deepEqual(assertOk(await api(server, 'GET', HW, { token: owner.token })).words, []);
    // 1,000 entries of 100 characters are fine.
    const many = Array.from({ length: 1000 }, (_, i) => `w${i}`.padEnd(100, 'x'));
    assert.equal(assertOk(await api(server, 'PUT', HW, { token: owner.token, json: { words: many } })).words.length, 1000);
  });

  test('a matching comment is held for the owner, silently; others pass', async () => {
    const saved = assertOk(await api(server, 'PUT', HW, { token: owner.token,
      json: { words: ['spoiler', 'ass', 'the butler did it', 'Spoiler', 'SPOILER'] } }));
    // Duplicates once normalised are kept once.
    assert.deepEqual(saved.words, ['spoiler', 'ass', 'the butler did it']);
    assert.equal(saved.use_default, true);
    const post = await postPhoto(server, owner, { status: 'A film still' });
    const evasions = ['SP\u200bOILER alert', 'ｓｐｏｉｌｅｒ', 'sp\u043eiler!', 'spöiler', 'the  butler\n did   it',
      'you \u0430ss', 'k\u200by\u0455', 'KILL YOURSELF'];
    const heldIds = [];
    for (const text of evasions) {
      const c = assertOk(await comment(stranger, post, text));
      heldIds.push(c.id);
    }
    const fine = [];
    for (const text of ['first class photo', 'no spoilers please', 'the butler did not']) {
      fine.push(assertOk(await comment(stranger, post, text)).id);
    }
    // The writer sees all of theirs as comments; the public only the fine ones.
    assert.deepEqual(await context(post, stranger), [...heldIds, ...fine]);
    assert.deepEqual(await context(post), fine);
    assert.deepEqual(await context(post, owner), fine);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, fine.length);
    assert.deepEqual(assertOk(await held(post, owner)).map((s) => s.id), heldIds);
    // The owner's own comments are never held.
    const own = assertOk(await comment(owner, post, 'no spoiler from me'));
    assert.ok((await context(post)).includes(own.id));
  });

  test('switching the default list off lets its words through; an edit into a hidden word is held', async () => {
    assertOk(await api(server, 'PUT', HW, { token: owner.token, json: { use_default: false } }));
    const list = assertOk(await api(server, 'GET', HW, { token: owner.token }));
    assert.equal(list.use_default, false);
    assert.deepEqual(list.words, ['spoiler', 'ass', 'the butler did it']);
    const post = await postPhoto(server, owner, { status: 'Another still' });
    const c = assertOk(await comment(fan, post, 'kill yourself'));
    assert.deepEqual(await context(post), [c.id]);
    const clean = assertOk(await comment(fan, post, 'Lovely light'));
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${clean.id}`, { token: fan.token, json: { status: 'SPOILER: he dies' } }));
    assert.deepEqual(await context(post), [c.id]);
    assert.deepEqual(await context(post, fan), [c.id, clean.id]);
    assert.deepEqual(assertOk(await held(post, owner)).map((s) => s.id), [clean.id]);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).replies_count, 1);
    // Form-encoded lists work too.
    const form = assertOk(await api(server, 'PUT', HW, { token: owner.token, form: { 'words[]': ['one', 'two words'], use_default: 'true' } }));
    assert.deepEqual(form.words, ['one', 'two words']);
    assert.equal(form.use_default, true);
  });
});

describe('blocks', () => {
  test("a blocked account cannot comment on the blocker's posts", async () => {
    const post = await postPhoto(server, author, { status: 'No trolls' });
    const troll = await registerUser(server, 'troll');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${troll.id}/block`, { token: author.token }));
    assertError(await comment(troll, post, 'Let me in'), 404);
    assertOk(await api(server, 'POST', `/api/v1/accounts/${troll.id}/unblock`, { token: author.token }));
    assertOk(await comment(troll, post, 'Unblocked now'));
  });

  test('nor by answering someone else\'s comment; nor under posts it cannot see or that are archived', async () => {
    const post = await postPhoto(server, author, { status: 'Still no trolls' });
    const troll = await registerUser(server, 'troll');
    const opener = assertOk(await comment(fan, post, 'A fair comment'));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${troll.id}/block`, { token: author.token }));
    assertError(await comment(troll, opener, 'Through the back door'), 404);
    assert.deepEqual(await context(post), [opener.id]);
    // A followers-only post, reached through a follower's comment the troll can see.
    const friends = await postPhoto(server, author, { status: 'Followers only', visibility: 'private' });
    const inner = assertOk(await comment(fan, friends, 'Among friends'));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${fan.id}/follow`, { token: stranger.token }));
    assertOk(await api(server, 'GET', `/api/v1/statuses/${inner.id}`, { token: stranger.token }));
    assertError(await comment(stranger, inner, 'Let me in'), 404);
    // An archived post takes no more comments, also in answer to its comments.
    const old = await postPhoto(server, author, { status: 'Archived soon' });
    const before = assertOk(await comment(fan, old, 'Before the archive'));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${old.id}/archive`, { token: author.token }));
    assertError(await comment(stranger, before, 'After the archive'), 404);
  });
});

describe('as an organisation', () => {
  const ACT = (id) => ({ 'vantage-act-as': String(id) });
  let org;
  let owner;
  let moderator;
  let editor;

  before(async () => {
    const admin = { username: uniqueName('admin'), password: strongPassword() };
    await adminCreateAccount(server, { ...admin, role: 'admin' });
    const app = await createApp(server, 'read write follow admin:read admin:write');
    const adminToken = await passwordToken(server, app, admin.username, admin.password, 'read write follow admin:write');
    owner = await registerUser(server, 'owner');
    moderator = await registerUser(server, 'moderator');
    editor = await registerUser(server, 'editor');
    org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
      token: adminToken, json: { username: uniqueName('org'), display_name: 'Police', owner: owner.username, require_second_factor: false },
    })).account;
    await joinStaff(server, org.id, owner, moderator, ['moderator']);
    await joinStaff(server, org.id, owner, editor, ['editor']);
  });

  // A post of the organisation, through its drafts: written by the editor,
  // approved and published by the owner. Drafts publish with comments "on".
  async function orgPost() {
    const form = new FormData();
    form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
    const media = (await api(server, 'POST', '/api/v2/media', { token: editor.token, headers: ACT(org.id), body: form })).json;
    await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${media.id}`,
      { token: editor.token, headers: ACT(org.id) })).status === 200, { timeoutMs: 15_000 });
    const drafts = `/api/vantage/v1/organisations/${org.id}/drafts`;
    const draft = assertOk(await api(server, 'POST', drafts,
      { token: editor.token, json: { status: 'Ask the police', media_ids: [media.id] } }));
    const { version } = draft;
    assertOk(await api(server, 'POST', `${drafts}/${draft.id}/submit`, { token: editor.token, json: {} }));
    assertOk(await api(server, 'POST', `${drafts}/${draft.id}/approve`, { token: owner.token, json: { version } }));
    const published = assertOk(await api(server, 'POST', `${drafts}/${draft.id}/publish`, { token: owner.token, json: { version } }));
    const post = assertOk(await api(server, 'GET', `/api/v1/statuses/${published.status_id}`));
    assert.equal(post.vantage_comments, 'on');
    return post;
  }

  test('moderators and owners review held comments as the organisation; editors may not; audited', async () => {
    const post = await orgPost();
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: owner.token, headers: ACT(org.id), json: { vantage_comments: 'held' } }));
    const c = assertOk(await comment(fan, post, 'A question for the police'));
    assertError(await held(post, editor, ACT(org.id)), 403, 'role_required');
    assertError(await held(post, moderator), 404);
    assert.deepEqual(assertOk(await held(post, moderator, ACT(org.id))).map((s) => s.id), [c.id]);
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`,
      { token: editor.token, headers: ACT(org.id) }), 403, 'role_required');
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/approve`,
      { token: moderator.token, headers: ACT(org.id) }));
    const other = assertOk(await comment(stranger, post, 'Another one'));
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${other.id}`, { token: owner.token, headers: ACT(org.id) }));
    // Hiding and pinning likewise; the organisation's own answer goes on top.
    assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: owner.token, headers: ACT(org.id), json: { vantage_comments: 'on' } }));
    const rude = assertOk(await comment(stranger, post, 'Rude'));
    assertError(await api(server, 'POST', `/api/vantage/v1/statuses/${rude.id}/hide`,
      { token: editor.token, headers: ACT(org.id) }), 403, 'role_required');
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${rude.id}/hide`,
      { token: moderator.token, headers: ACT(org.id) }));
    const answer = assertOk(await comment(editor, post, 'Officially: yes', ACT(org.id)));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${c.id}/pin_comment`,
      { token: moderator.token, headers: ACT(org.id) }));
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${answer.id}/pin_comment`,
      { token: moderator.token, headers: ACT(org.id) }));
    assert.deepEqual(await context(post), [answer.id, c.id]);
    // Hidden words of the organisation: its moderators and owners only.
    assertError(await api(server, 'PUT', '/api/vantage/v1/hidden_words',
      { token: editor.token, headers: ACT(org.id), json: { words: ['x'] } }), 403, 'role_required');
    assertOk(await api(server, 'PUT', '/api/vantage/v1/hidden_words',
      { token: moderator.token, headers: ACT(org.id), json: { words: ['corrupt'] } }));
    const accusation = assertOk(await comment(stranger, post, 'You are all CORRUPT'));
    assert.deepEqual(await context(post), [answer.id, c.id]);
    assert.ok(assertOk(await held(post, owner, ACT(org.id))).some((s) => s.id === accusation.id));
    assert.deepEqual(assertOk(await api(server, 'GET', '/api/vantage/v1/hidden_words', { token: moderator.token })).words, []);
    const entries = assertOk(await api(server, 'GET', `/api/vantage/v1/organisations/${org.id}/audit?limit=100`, { token: owner.token }));
    const approved = entries.find((e) => e.action === 'comment.approved');
    assert.ok(approved, JSON.stringify(entries.map((e) => e.action)));
    assert.equal(approved.actor_id, moderator.id);
    assert.equal(approved.target_id, c.id);
    const deleted = entries.find((e) => e.action === 'comment.deleted');
    assert.equal(deleted.actor_id, owner.id);
    assert.equal(deleted.target_id, other.id);
    const hidden = entries.find((e) => e.action === 'comment.hidden');
    assert.equal(hidden.actor_id, moderator.id);
    assert.equal(hidden.target_id, rude.id);
    assert.deepEqual(entries.filter((e) => e.action === 'comment.pinned').map((e) => e.target_id), [answer.id, c.id]);
    // The commenters never see a staff name.
    const text = JSON.stringify(await context(post, fan));
    assert.ok(!text.includes(moderator.username));
  });
});
