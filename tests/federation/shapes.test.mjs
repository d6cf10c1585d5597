// Real-world activity shapes (issue 16, section 6): fixtures in fixtures/,
// each written from what Mastodon, Pixelfed, Misskey or GoToSocial document
// or render (its "_source" says which), sent to Vantage signed as a peer
// actor, and their effect checked through the Mastodon API. The variants
// that must parse as intended: one value vs an array (attachment, tag, to,
// cc, url), a string id vs an embedded object (actor, attributedTo,
// inReplyTo, the object of a Like, Undo's object), the three spellings of
// Public, @context as a string or an array with inline terms, HTML content
// (entities, mentions, links, markup typed as text, hostile markup), the
// content warning, sensitive, Misskey's _misskey_content/source beside
// content, contentMap, and the actor documents themselves (GoToSocial's
// key URL and single profile field, Misskey's, Link-valued url).
//
// Placeholders in the fixtures ({{actor}}, {{localNote}}, ...) are filled
// from `vars()` below; an unknown one throws. The "_source" field is
// dropped before sending; every other field goes as written.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, waitFor } from '../api/lib/server.mjs';
import { postPhoto, registerUser } from '../api/lib/photos.mjs';
import { generateRsaPem, signedPost } from './lib/httpsig.mjs';
import { startPeer } from './lib/peer.mjs';
import { startFederatedVantage } from './lib/vantage.mjs';

const FIXTURES = new URL('./fixtures/', import.meta.url);

// A fixture with its placeholders filled in and "_source" removed.
function fixture(name, values) {
  const json = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
  assert.equal(typeof json._source, 'string', `${name} says where its shape comes from`);
  delete json._source;
  const fill = (value) => {
    if (typeof value === 'string') {
      return value.replace(/\{\{(\w+)\}\}/g, (_, key) => {
        if (!(key in values)) throw new Error(`${name}: no value for {{${key}}}`);
        return String(values[key]);
      });
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill(json);
}

// How each implementation signs its deliveries (draft-cavage, RSA-SHA256):
// Mastodon and Pixelfed sign (request-target) host date digest content-type
// with algorithm rsa-sha256 (lib/httpsig.mjs's default); Misskey puts date
// before host and leaves content-type out; GoToSocial says hs2019 and
// signs (request-target) host date digest.
const SIGNING = {
  mastodon: {},
  pixelfed: {},
  misskey: { headers: ['(request-target)', 'date', 'host', 'digest'] },
  gotosocial: { algorithm: 'hs2019', headers: ['(request-target)', 'host', 'date', 'digest'] },
  fedi: {},
};

// The text a Mastodon client would show for Vantage's `content` HTML: line
// breaks and paragraphs as newlines, tags dropped, the entities Vantage
// writes decoded (in one pass, so &amp;lt; stays "&lt;").
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&apos;': "'" };
function plainText(html) {
  return String(html ?? '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39|#x27|apos);/g, (m) => ENTITIES[m])
    .trim();
}
// Differences that are a matter of taste, not of meaning: a no-break space
// may become a space, and Misskey's zero-width spaces around emoji codes may
// go.
const normal = (text) => text.replace(/\u00a0/g, ' ').replace(/\u200b/g, '');

const iso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
let seq = 0;
// Snowflake-like ids, unique in this run.
const nextId = () => String(113371235312345678n + BigInt(Date.now() % 1_000_000) * 1000n + BigInt(++seq));

describe('real-world activity shapes (Mastodon, Pixelfed, Misskey, GoToSocial)', () => {
  let v;     // Vantage behind the TLS proxy
  let peer;  // Fedify, one actor per implementation whose shapes it sends
  let vera;  // the Vantage user everything answers
  let post;  // her photo post
  let noteId;
  let actors; // the hand-made actor server (startActorServer), started by the first test that needs it

  const vars = (as, extra = {}) => ({
    actor: peer.actorId(as),
    actorOrigin: peer.origin,
    actorHost: peer.host,
    name: as,
    localActor: v.actorId(vera.username),
    localNote: noteId,
    localProfile: `${v.origin}/@${vera.username}`,
    localUsername: vera.username,
    localHost: v.host,
    now: iso(),
    published: iso(),
    unixTime: Math.floor(Date.now() / 1000),
    uuid: crypto.randomUUID(),
    ...extra,
  });

  // Signs `name` with `as`'s key the way its implementation does, posts it
  // to the shared inbox (or `inbox`) and expects 202.
  async function deliver(as, name, extra = {}, { inbox } = {}) {
    const body = fixture(name, vars(as, extra));
    const res = await peer.signedPost(as, inbox ?? v.sharedInbox, body, SIGNING[as]);
    assert.equal(res.status, 202, `${name}: ${res.status} ${res.text}`);
    return body;
  }

  const acct = (as) => `${as}@${peer.host}`;
  const context = async (token) => assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/context`, { token })).descendants;
  // The comment of `as` on the post whose text contains `marker`, as the
  // API shows it to `token` (anonymous by default); undefined when none.
  async function commentOf(as, marker, { token } = {}) {
    return (await context(token)).find((s) => s.account.acct === acct(as) && normal(plainText(s.content)).includes(marker));
  }
  async function waitForComment(as, marker, opts = {}) {
    let found;
    await waitFor(async () => (found = await commentOf(as, marker, opts)), { timeoutMs: 5000, message: `the comment of ${as} with "${marker}"` });
    return found;
  }
  // The last lines of Vantage's log about federation (for failure messages).
  const federationLog = () => `${v.server.stdout}\n${v.server.stderr}`.split('\n').filter((l) => /federation/.test(l)).slice(-5).join('\n');
  const status = async (id, token) => api(v.server, 'GET', `/api/v1/statuses/${id}`, { token });
  const likes = async () => assertOk(await status(post.id)).favourites_count;
  const followers = async () => assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}`)).followers_count;

  before(async () => {
    v = await startFederatedVantage();
    peer = await startPeer({ actors: ['mastodon', 'pixelfed', 'misskey', 'gotosocial', 'fedi'], modulusLength: 2048 });
    vera = await registerUser(v.server, 'vera');
    post = await postPhoto(v.server, vera, { status: 'The harbour at dawn #harbour' });
    noteId = v.statusId(vera.username, post.id);
  });

  after(async () => {
    await v?.stop();
    await peer?.stop();
    await actors?.stop();
  });

  // --- Mastodon -----------------------------------------------------------

  const mastodonId = nextId();
  test('Mastodon Create(Note) reply: a comment whose text is the HTML as plain text', async () => {
    await deliver('mastodon', 'mastodon-create-reply.json', { id: mastodonId });
    const comment = await waitForComment('mastodon', 'Lovely light');
    assert.equal(normal(plainText(comment.content)),
      `@${vera.username} Lovely light & colour, isn't it?\nMore of mine: https://example.com/photos/harbour-at-dawn?size=large&crop=1\n\nSecond paragraph 🌅`);
    // Vantage's own rendering of that text (its mention and link markup
    // looks like Mastodon's), never the remote HTML passed through.
    assert.doesNotMatch(comment.content, /translate=|<br \/>/, 'remote markup is not passed through');
    assert.match(comment.content, new RegExp(`href="${v.origin}/@${vera.username}"`), 'the mention links to the local account');
    assert.equal(comment.in_reply_to_id, post.id);
    assert.equal(comment.visibility, 'public');
    assert.equal(comment.spoiler_text, '');
    assert.equal(comment.sensitive, false);
  });

  test('Mastodon Update(Note): the comment is edited', async () => {
    await deliver('mastodon', 'mastodon-update-note.json', { id: mastodonId });
    const comment = await waitForComment('mastodon', 'Edited:');
    assert.equal(normal(plainText(comment.content)), `@${vera.username} Edited: the light at 6 a.m. > the light at noon`);
    assert.equal(await commentOf('mastodon', 'Lovely light'), undefined, 'the old text is gone');
  });

  test('Mastodon Delete with a Tombstone: the comment is gone', async () => {
    const comment = await commentOf('mastodon', 'Edited:');
    assert.ok(comment, 'the comment to delete');
    await deliver('mastodon', 'mastodon-delete-note.json', { id: mastodonId });
    await waitFor(async () => (await status(comment.id)).status === 404, { message: 'the deletion' });
    assert.equal(await commentOf('mastodon', 'Edited:'), undefined);
  });

  test('Mastodon content warning: summary is spoiler_text, sensitive kept, one-element attachment array taken', async () => {
    await deliver('mastodon', 'mastodon-create-reply-cw.json', { id: nextId() });
    const comment = await waitForComment('mastodon', 'same pier');
    assert.equal(normal(plainText(comment.content)), 'Here is mine from the same pier');
    assert.equal(comment.spoiler_text, 'Bright flash, eye contact');
    assert.equal(comment.sensitive, true);
  });

  test("Mastodon's plain-text summary: a CW with a bare < and & is kept as written", async () => {
    await deliver('mastodon', 'mastodon-create-reply-cw-plaintext.json', { id: nextId() });
    const comment = await waitForComment('mastodon', 'behind the warning');
    assert.equal(comment.spoiler_text, 'Strobe <3 & flashing lights');
    assert.equal(comment.sensitive, true);
  });

  test('markup typed as text (&lt;script&gt;) is shown as text and escaped again by Vantage', async () => {
    await deliver('mastodon', 'mastodon-create-reply-escaped-script.json', { id: nextId() });
    const comment = await waitForComment('mastodon', 'I typed');
    assert.equal(plainText(comment.content), 'I typed <script>alert("hi")</script> & <b>nothing</b> happened');
    assert.doesNotMatch(comment.content, /<script|<b>/i, 'never markup in Vantage\'s HTML');
    assert.match(comment.content, /&lt;script&gt;/);
  });

  test('hostile markup (script, style, img onerror, iframe, javascript: links) leaves only its words', async () => {
    await deliver('mastodon', 'hostile-create-reply-markup.json', { id: nextId() });
    const comment = await waitForComment('mastodon', 'Safe');
    assert.equal(normal(plainText(comment.content)), 'Safe words only here');
    assert.doesNotMatch(comment.content, /script|onerror|onclick|iframe|javascript:|alert|display:none/i);
  });

  test('Mastodon unlisted reply (Public in cc): an unlisted comment', async () => {
    await deliver('mastodon', 'mastodon-create-reply-unlisted.json', { id: nextId() });
    const comment = await waitForComment('mastodon', 'Quietly unlisted');
    assert.equal(comment.visibility, 'unlisted');
  });

  test('Mastodon followers-only reply: private, shown to the post\'s author, never to everyone', async () => {
    await deliver('mastodon', 'mastodon-create-reply-followers-only.json', { id: nextId() }, { inbox: v.inbox(vera.username) });
    const comment = await waitForComment('mastodon', 'only for my followers', { token: vera.token });
    assert.equal(comment.visibility, 'private');
    assert.equal(await commentOf('mastodon', 'only for my followers'), undefined, 'not in the public context');
  });

  test('Mastodon direct message (to the local actor only) is not stored as a comment', async () => {
    await deliver('mastodon', 'mastodon-create-direct.json', { id: nextId() }, { inbox: v.inbox(vera.username) });
    assert.equal(await commentOf('mastodon', 'a private word', { token: vera.token }), undefined, 'not even the addressee sees a comment');
    assert.equal(await commentOf('mastodon', 'a private word'), undefined);
    const notifications = assertOk(await api(v.server, 'GET', '/api/v1/notifications', { token: vera.token }));
    assert.ok(!notifications.some((n) => /a private word/.test(plainText(n.status?.content))), 'nor a mention notification');
  });

  // --- Pixelfed -----------------------------------------------------------

  const pixelfedId = nextId();
  test('Pixelfed comment: caption without <p>, raw newline, &#039;, and `tag` as an object with a "0" key', async () => {
    await deliver('pixelfed', 'pixelfed-create-reply.json', { id: pixelfedId });
    const comment = await waitForComment('pixelfed', 'Stunning!');
    // A mention of a local account is shown as @name, as Mastodon shows it.
    assert.equal(normal(plainText(comment.content)), `@${vera.username} Stunning!\nIt's the #harbour again`);
    assert.match(comment.content, new RegExp(`href="${v.origin}/@${vera.username}"`));
    assert.equal(comment.in_reply_to_id, post.id);
    assert.equal(comment.visibility, 'public');
    assert.equal(comment.sensitive, false);
    assert.equal(comment.spoiler_text, '');
  });

  test('Pixelfed NSFW comment (summary null, sensitive true): sensitive, no spoiler text', async () => {
    await deliver('pixelfed', 'pixelfed-create-reply-nsfw.json', { id: nextId() });
    const comment = await waitForComment('pixelfed', 'Not safe for the office');
    assert.equal(comment.sensitive, true);
    assert.equal(comment.spoiler_text, '');
  });

  test('Pixelfed Update(Note): the comment is edited', async () => {
    await deliver('pixelfed', 'pixelfed-update-note.json', { id: pixelfedId });
    await waitForComment('pixelfed', 'shot on film?');
    assert.equal(await commentOf('pixelfed', "It's the"), undefined);
  });

  test('Pixelfed Delete (string @context, #delete id, Tombstone): the comment is gone', async () => {
    const comment = await commentOf('pixelfed', 'shot on film?');
    assert.ok(comment);
    await deliver('pixelfed', 'pixelfed-delete-note.json', { id: pixelfedId });
    await waitFor(async () => (await status(comment.id)).status === 404, { message: 'the deletion' });
  });

  // --- Misskey ------------------------------------------------------------

  const misskeyId = nextId();
  const misskeyChildId = nextId();
  test('Misskey reply: the text comes from the HTML content, not from _misskey_content/source (MFM)', async () => {
    await deliver('misskey', 'misskey-create-reply.json', { id: misskeyId });
    const comment = await waitForComment('misskey', 'great timing');
    assert.equal(normal(plainText(comment.content)), `@${vera.username} Great shot & great timing\nFish < chips > nothing`);
    assert.doesNotMatch(comment.content, /\*\*/, 'not the MFM source');
    assert.equal(comment.visibility, 'public');
    assert.equal(comment.sensitive, false);
  });

  test('Misskey reply to its own comment, inReplyTo an embedded note: a reply in the thread, with its CW', async () => {
    const parent = await commentOf('misskey', 'great timing');
    assert.ok(parent, 'the earlier Misskey comment');
    await deliver('misskey', 'misskey-create-reply-to-own-comment.json', {
      id: misskeyChildId, parentId: `${peer.origin}/notes/${misskeyId}`,
    });
    const comment = await waitForComment('misskey', 'Follow-up to myself');
    assert.equal(comment.in_reply_to_id, parent.id);
    assert.equal(normal(plainText(comment.content)), 'Follow-up to myself: the ferry is in frame two :blobcat:');
    assert.equal(comment.spoiler_text, 'Spoilers for the sequel');
    assert.equal(comment.sensitive, true);
  });

  test('Misskey Delete (no addressing, id from addContext): the comment is gone', async () => {
    const comment = await commentOf('misskey', 'Follow-up to myself');
    assert.ok(comment);
    await deliver('misskey', 'misskey-delete-note.json', { id: misskeyChildId });
    await waitFor(async () => (await status(comment.id)).status === 404, { message: 'the deletion' });
    assert.ok(await commentOf('misskey', 'great timing'), 'its parent stays');
  });

  // --- GoToSocial ---------------------------------------------------------

  const gtsId = nextId();
  test('GoToSocial reply: `to` a bare string, `tag` and `attachment` single objects, summary "", contentMap', async () => {
    await deliver('gotosocial', 'gotosocial-create-reply.json', { id: gtsId });
    const comment = await waitForComment('gotosocial', 'what a view');
    assert.equal(normal(plainText(comment.content)), `@${vera.username} what a view. "Harbour" & sky, isn't it?`);
    assert.equal(comment.visibility, 'public');
    assert.equal(comment.spoiler_text, '', 'an empty summary is no content warning');
    assert.equal(comment.sensitive, false);
  });

  test('GoToSocial Update(Note): the comment is edited', async () => {
    await deliver('gotosocial', 'gotosocial-update-note.json', { id: gtsId });
    const comment = await waitForComment('gotosocial', 'edited: what a view');
    assert.equal(normal(plainText(comment.content)), 'edited: what a view from the lighthouse');
  });

  test('GoToSocial Delete as documented (no id, object a bare URI string): the comment is gone', async () => {
    const comment = await commentOf('gotosocial', 'edited: what a view');
    assert.ok(comment);
    await deliver('gotosocial', 'gotosocial-delete-note.json', { id: gtsId });
    await waitFor(async () => (await status(comment.id)).status === 404, { message: 'the deletion' });
  });

  test('the same Create delivered twice (personal inbox, then shared inbox) makes one comment', async () => {
    // GoToSocial has no shared inbox and delivers to each addressee's own
    // inbox; everyone retries. Either way a receiver may get an activity
    // more than once.
    const id = nextId();
    const body = await deliver('gotosocial', 'gotosocial-create-reply.json', { id }, { inbox: v.inbox(vera.username) });
    const again = await peer.signedPost('gotosocial', v.sharedInbox, body, SIGNING.gotosocial);
    assert.equal(again.status, 202, again.text);
    await waitForComment('gotosocial', 'what a view');
    const all = (await context()).filter((s) => s.account.acct === acct('gotosocial'));
    assert.equal(all.length, 1, 'one comment');
    await deliver('gotosocial', 'gotosocial-delete-note.json', { id });
    await waitFor(async () => !(await commentOf('gotosocial', 'what a view')), { message: 'the cleanup' });
  });

  // --- Variants -----------------------------------------------------------

  test('`to` "as:Public" as a string, @context a string: a public comment', async () => {
    await deliver('fedi', 'jsonld-compact-create-reply.json', { id: nextId() });
    const comment = await waitForComment('fedi', 'Compacted and still public');
    assert.equal(comment.visibility, 'public');
  });

  test('`to` ["Public"]: a public comment', async () => {
    await deliver('fedi', 'bare-public-create-reply.json', { id: nextId() });
    const comment = await waitForComment('fedi', 'Bare Public');
    assert.equal(comment.visibility, 'public');
  });

  test('actor, attributedTo and inReplyTo as objects with ids, url a Link, tag one object: a comment', async () => {
    await deliver('fedi', 'embedded-objects-create-reply.json', { id: nextId() });
    const comment = await waitForComment('fedi', 'Embedded actor');
    assert.equal(normal(plainText(comment.content)), 'Embedded actor, author and parent #harbour');
    assert.equal(comment.in_reply_to_id, post.id);
  });

  test('url as arrays of Links (note and attachment): a comment', async () => {
    await deliver('fedi', 'link-array-create-reply.json', { id: nextId() });
    await waitForComment('fedi', 'Links in arrays');
  });

  test('content given only as a one-entry contentMap: a comment with that text', async () => {
    await deliver('fedi', 'contentmap-only-create-reply.json', { id: nextId() });
    const comment = await waitForComment('fedi', 'Nur als contentMap');
    assert.equal(normal(plainText(comment.content)), 'Nur als contentMap: schöner Hafen');
  });

  // --- Likes --------------------------------------------------------------

  const likeCases = [
    ['mastodon', 'mastodon-like.json', 'mastodon-undo-like.json', 'Mastodon (#likes/ id, string object)'],
    ['pixelfed', 'pixelfed-like.json', 'pixelfed-undo-like.json', 'Pixelfed'],
    ['misskey', 'misskey-like.json', 'misskey-undo-like.json', 'Misskey reaction (content 👍, _misskey_reaction)'],
    ['gotosocial', 'gotosocial-like.json', 'gotosocial-undo-like.json', 'GoToSocial (to a bare string)'],
    ['fedi', 'embedded-objects-like.json', 'embedded-objects-undo-like.json', 'actor as an object, the liked note embedded'],
  ];
  for (const [as, likeFixture, undoFixture, label] of likeCases) {
    test(`Like and Undo(Like): ${label}`, async () => {
      const before = await likes();
      const id = nextId();
      await deliver(as, likeFixture, { id });
      assert.equal(await likes(), before + 1, 'the like counted');
      const likers = assertOk(await api(v.server, 'GET', `/api/v1/statuses/${post.id}/favourited_by`));
      assert.ok(likers.some((a) => a.acct === acct(as)), `${acct(as)} among the likers`);
      await deliver(as, undoFixture, { id });
      assert.equal(await likes(), before, 'the like undone');
    });
  }

  test('a Like delivered twice counts once, and its Undo delivered twice takes one away', async () => {
    const before = await likes();
    const id = nextId();
    await deliver('mastodon', 'mastodon-like.json', { id });
    await deliver('mastodon', 'mastodon-like.json', { id });
    assert.equal(await likes(), before + 1);
    await deliver('mastodon', 'mastodon-undo-like.json', { id });
    await deliver('mastodon', 'mastodon-undo-like.json', { id });
    assert.equal(await likes(), before);
  });

  // --- Follows ------------------------------------------------------------

  const followCases = [
    ['mastodon', 'mastodon-follow.json', 'mastodon-undo-follow.json', 'Mastodon (id at the server root)'],
    ['pixelfed', 'pixelfed-follow.json', 'pixelfed-undo-follow.json', 'Pixelfed (id <actor>#follow/<n>; the Undo names #follows/<n>)'],
    ['misskey', 'misskey-follow.json', 'misskey-undo-follow.json', 'Misskey (/follows/<a>/<b>)'],
    ['gotosocial', 'gotosocial-follow.json', 'gotosocial-undo-follow.json', 'GoToSocial (to a bare string)'],
  ];
  for (const [as, followFixture, undoFixture, label] of followCases) {
    test(`Follow, Accept and Undo(Follow): ${label}`, async () => {
      const before = await followers();
      const extra = { id: nextId(), targetId: vera.id, uuid: crypto.randomUUID() };
      const follow = await deliver(as, followFixture, extra);
      assert.equal(await followers(), before + 1, `the follow ${follow.id} counted\n${federationLog()}`);
      const list = assertOk(await api(v.server, 'GET', `/api/v1/accounts/${vera.id}/followers`, { token: vera.token }));
      assert.ok(list.some((a) => a.acct === acct(as)), `${acct(as)} among the followers`);
      const accept = await peer.waitFor((r) => r.type === 'Accept' && r.actor === v.actorId(vera.username) && r.objectId === follow.id,
        { timeout: 10_000 });
      assert.ok(accept, 'an Accept naming the Follow as it was sent');
      await deliver(as, undoFixture, { ...extra, followId: follow.id });
      assert.equal(await followers(), before, 'the follow undone');
    });
  }

  // --- Actor documents ------------------------------------------------------
  //
  // A hand-made actor server (node:http) serves the actor fixtures, so
  // their shapes reach Vantage exactly as written: Vantage fetches an actor
  // when its key first signs something. Each actor signs a Like of the
  // post, and the account Vantage made of it is read back.

  const lookup = async (handle) => assertOk(await api(v.server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`, { token: vera.token }));

  async function likeAs(actor, signOptions = {}) {
    const body = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actor.id}#likes/${nextId()}`, type: 'Like', actor: actor.id, object: noteId,
    };
    return signedPost(v.sharedInbox, body, { keyId: actor.keyId, privateKey: actor.privateKeyPem, ...signOptions });
  }

  test('GoToSocial keyId <actor>/main-key: the key stub leads to the actor, and its Like counts', async () => {
    actors ??= await startActorServer();
    const gts = await actors.add('gts', 'gotosocial-actor.json', { keyStyle: 'path', stub: 'gotosocial-actor-key.json' });
    const before = await likes();
    const res = await likeAs(gts, SIGNING.gotosocial);
    assert.equal(res.status, 202, `a GoToSocial-signed Like: ${res.status} (keyId ${gts.keyId})\n${federationLog()}`);
    assert.equal(await likes(), before + 1);
    assert.equal((await lookup(`gts@${actors.host}`)).url, `${actors.origin}/@gts`);
  });

  test('GoToSocial actor with one profile field: `attachment` a single PropertyValue object is read', async () => {
    actors ??= await startActorServer();
    // The GoToSocial document with a #main-key keyId, so that this checks
    // the profile field alone.
    const gts = await actors.add('gtsfields', 'gotosocial-actor.json', { keyStyle: 'fragment' });
    const res = await likeAs(gts, SIGNING.gotosocial);
    assert.equal(res.status, 202, res.text);
    const account = await lookup(`gtsfields@${actors.host}`);
    assert.equal(account.url, `${actors.origin}/@gtsfields`);
    assert.equal(normal(plainText(account.note)), 'Slow photos & slower posts');
    assert.deepEqual(account.fields.map((f) => [f.name, normal(plainText(f.value))]), [['Camera', 'Fuji X100V & a 35mm']]);
  });

  test('Misskey actor (id by internal id, top-level sharedInbox, fields with anchors): name, bio, url and fields', async () => {
    actors ??= await startActorServer();
    const mika = await actors.add('mika', 'misskey-actor.json', { keyStyle: 'fragment', path: '/users/9f8x7a6b5c' });
    const res = await likeAs(mika, SIGNING.misskey);
    assert.equal(res.status, 202, res.text);
    const account = await lookup(`mika@${actors.host}`);
    assert.equal(account.url, `${actors.origin}/@mika`);
    assert.match(account.display_name, /Misskey mika/);
    assert.equal(normal(plainText(account.note)), 'Photos of cats & harbours\nTokyo');
    assert.deepEqual(account.fields.map((f) => [f.name, normal(plainText(f.value))]),
      [['Website', 'https://example.com/'], ['Gear', 'Ricoh GR III']]);
  });

  test('actor `url` as an array of Links: the text/html one is the profile URL', async () => {
    actors ??= await startActorServer();
    const linked = await actors.add('linked', 'link-url-actor.json', { keyStyle: 'fragment' });
    const res = await likeAs(linked);
    assert.equal(res.status, 202, res.text);
    const account = await lookup(`linked@${actors.host}`);
    assert.equal(account.url, `${actors.origin}/a/linked/profile`);
    assert.deepEqual(account.fields.map((f) => [f.name, normal(plainText(f.value))]), [['Where', 'Lisbon']]);
  });
});

// A plain node:http server for actor documents written by hand. add(name,
// fixture, {keyStyle: 'fragment' (<actor>#main-key) | 'path'
// (<actor>/main-key, GoToSocial's), stub: the document served at a path
// keyId, path: the actor's path (default /users/<name>)}) serves the
// fixture at the actor's id with a fresh RSA-2048 key and returns {id,
// keyId, privateKeyPem}.
async function startActorServer() {
  const documents = new Map(); // path -> JSON
  const server = http.createServer((req, res) => {
    const doc = req.method === 'GET' ? documents.get(new URL(req.url, 'http://x').pathname) : undefined;
    if (!doc) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/activity+json; charset=utf-8' });
    res.end(JSON.stringify(doc));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    host: new URL(origin).host,
    async add(name, fixtureName, { keyStyle = 'fragment', stub, path = `/users/${name}` } = {}) {
      const keys = generateRsaPem(2048);
      const id = `${origin}${path}`;
      const keyId = keyStyle === 'path' ? `${id}/main-key` : `${id}#main-key`;
      const values = { actor: id, actorOrigin: origin, name, keyId, publicKeyPem: keys.publicKeyPem };
      documents.set(path, fixture(fixtureName, values));
      if (stub) documents.set(`${path}/main-key`, fixture(stub, values));
      return { id, keyId, privateKeyPem: keys.privateKeyPem };
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
