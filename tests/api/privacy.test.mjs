// The visibility policy over HTTP, table-driven: every surface that shows a
// post, asked by every kind of viewer, for each visibility. One rule decides
// (src/service/policy.h) and an invisible post answers exactly like a missing
// one: 404 where it is addressed directly, absent where it would be listed.
//
// The author's account is locked, so a follow request can stay pending. The
// author tags each post and mentions the follower, the blocked account and
// one more (`mentioned`, who follows nobody: a followers-only post reaches
// the accounts it mentions), so posts show up in notifications, tag
// timelines and search. The author and the follower each comment on each
// post (the follower's followers-only comment is seen by the account it
// answers, not by the author's other viewers), and the follower likes each
// post, so its likers list is not empty.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { noiseJpeg, registerUser, uploadPhoto } from './lib/photos.mjs';
import { api, assertOk, startServer } from './lib/server.mjs';

const VISIBILITIES = ['public', 'unlisted', 'private'];
const VIEWERS = ['anonymous', 'author', 'follower', 'requester', 'blocked', 'stranger', 'mentioned'];

let server;
const users = {};
const posts = {};  // visibility -> the author's view of the post
const tag = crypto.randomBytes(4).toString('hex');
const tagOf = (visibility) => `priv${tag}${visibility}`;

// Who may see a post of this visibility: the policy, written out.
function canSee(visibility, viewer) {
  if (viewer === 'author') return true;
  if (viewer === 'blocked') return false;
  if (visibility === 'private') return viewer === 'follower' || viewer === 'mentioned';
  return true;
}

// Which comments of a visible post's thread show: the author's ('a') and
// the follower's ('f') go wherever the post goes, except that on a
// followers-only post the mention that let `mentioned` see the post is not
// in the comments; the follower's reaches the author because it answers them.
function comments(visibility, viewer) {
  if (!canSee(visibility, viewer)) return false;
  // The author's followers-only comment does not mention `mentioned`.
  if (visibility === 'private' && viewer === 'mentioned') return '';
  return 'a+f';
}

// Uploads a fresh 64x48 JPEG of noise (unique bytes for every post); returns
// the media id.
const photo = async (user) => uploadPhoto(server, user, await noiseJpeg(64, 48));

const as = (viewer) => (viewer === 'anonymous' ? {} : { token: users[viewer].token });
const get = (viewer, url) => api(server, 'GET', url, as(viewer));
const ids = (res) => assertOk(res).map((s) => s.id);

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
  for (const viewer of VIEWERS.filter((v) => v !== 'anonymous')) {
    users[viewer] = await registerUser(server, viewer.slice(0, 8));
  }
  const author = users.author;
  assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: author.token, json: { locked: true } }));
  // follower: requested and authorized; requester: requested only.
  for (const viewer of ['follower', 'requester']) {
    const rel = assertOk(await api(server, 'POST', `/api/v1/accounts/${author.id}/follow`, as(viewer)));
    assert.equal(rel.requested, true, `${viewer} asked to follow a locked account`);
  }
  assertOk(await api(server, 'POST', `/api/v1/follow_requests/${users.follower.id}/authorize`, as('author')));
  assertOk(await api(server, 'POST', `/api/v1/accounts/${users.blocked.id}/block`, as('author')));

  const mentions = ['follower', 'blocked', 'mentioned'].map((v) => `@${users[v].username}`).join(' ');
  for (const visibility of VISIBILITIES) {
    const media = await photo(author);
    const post = assertOk(await api(server, 'POST', '/api/v1/statuses', {
      token: author.token,
      json: { status: `Archive #${tagOf(visibility)} ${mentions}`, media_ids: [media], visibility },
    }));
    for (const commenter of ['author', 'follower']) {
      assertOk(await api(server, 'POST', '/api/v1/statuses', {
        token: users[commenter].token, json: { status: `comment by ${commenter}`, in_reply_to_id: post.id },
      }));
    }
    assertOk(await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`, as('follower')));
    posts[visibility] = post;
  }
});

after(async () => {
  await server?.stop();
});

// Each surface: given a visibility and a viewer, whether the post shows.
// `undefined` means the surface does not exist for that viewer (the home
// timeline and notifications need an account).
const SURFACES = {
  async status(visibility, viewer) {
    const res = await get(viewer, `/api/v1/statuses/${posts[visibility].id}`);
    if (res.status === 404) return false;
    return assertOk(res).id === posts[visibility].id;
  },
  async context(visibility, viewer) {
    const res = await get(viewer, `/api/v1/statuses/${posts[visibility].id}/context`);
    if (res.status === 404) return false;
    const by = assertOk(res).descendants.map((s) => (s.account.id === users.author.id ? 'a' : 'f'));
    return by.sort().join('+');
  },
  async favourited_by(visibility, viewer) {
    const res = await get(viewer, `/api/v1/statuses/${posts[visibility].id}/favourited_by`);
    if (res.status === 404) return false;
    return assertOk(res).some((a) => a.id === users.follower.id);
  },
  async account_statuses(visibility, viewer) {
    const res = await get(viewer, `/api/v1/accounts/${users.author.id}/statuses?limit=40`);
    if (res.status === 404) return false;
    return ids(res).includes(posts[visibility].id);
  },
  async account_media(visibility, viewer) {
    const res = await get(viewer, `/api/v1/accounts/${users.author.id}/statuses?only_media=true&exclude_replies=true`);
    if (res.status === 404) return false;
    return ids(res).includes(posts[visibility].id);
  },
  async home(visibility, viewer) {
    if (viewer === 'anonymous') return undefined;
    return ids(await get(viewer, '/api/v1/timelines/home?limit=40')).includes(posts[visibility].id);
  },
  async public_timeline(visibility, viewer) {
    return ids(await get(viewer, '/api/v1/timelines/public?limit=40')).includes(posts[visibility].id);
  },
  async tag_timeline(visibility, viewer) {
    return ids(await get(viewer, `/api/v1/timelines/tag/${tagOf(visibility)}`)).includes(posts[visibility].id);
  },
  async search(visibility, viewer) {
    const res = assertOk(await get(viewer, `/api/v2/search?q=%23${tagOf(visibility)}&type=statuses`));
    return res.statuses.some((s) => s.id === posts[visibility].id);
  },
  async notifications(visibility, viewer) {
    if (viewer === 'anonymous') return undefined;
    const list = assertOk(await get(viewer, '/api/v1/notifications?types[]=mention&limit=40'));
    return list.some((n) => n.status?.id === posts[visibility].id);
  },
  // The photo as this viewer was given it (signed when the post is not
  // public), so only viewers shown the post have a URL at all.
  async media_url(visibility, viewer) {
    const res = await get(viewer, `/api/v1/statuses/${posts[visibility].id}`);
    if (res.status === 404) return false;
    const file = await fetch(assertOk(res).media_attachments[0].url);
    await file.arrayBuffer();
    return file.status === 200;
  },
};

// What each surface should show, from the policy.
const EXPECTED = {
  status: canSee,
  context: comments,
  favourited_by: canSee,
  account_statuses: canSee,
  account_media: canSee,
  media_url: canSee,
  // Followees' posts (and one's own), whatever their visibility.
  home: (visibility, viewer) => viewer === 'author' || viewer === 'follower',
  // Listed publicly: public posts only.
  public_timeline: (visibility, viewer) => visibility === 'public' && viewer !== 'blocked',
  tag_timeline: (visibility, viewer) => visibility === 'public' && viewer !== 'blocked',
  search: (visibility, viewer) => visibility === 'public' && viewer !== 'blocked',
  // Mentioned viewers are told of posts they may see.
  notifications: (visibility, viewer) => ['follower', 'blocked', 'mentioned'].includes(viewer) && canSee(visibility, viewer),
};

describe('who sees a post, surface by surface', () => {
  for (const [surface, show] of Object.entries(SURFACES)) {
    test(surface, async () => {
      const wrong = [];
      for (const visibility of VISIBILITIES) {
        for (const viewer of VIEWERS) {
          const shown = await show(visibility, viewer);
          if (shown === undefined) continue;
          const expected = EXPECTED[surface](visibility, viewer);
          if (shown !== expected) wrong.push(`${visibility} post, ${viewer}: shown=${shown}, expected ${expected}`);
        }
      }
      assert.deepEqual(wrong, [], `${surface}:\n${wrong.join('\n')}`);
    });
  }

  test('a plain media URL works only while a public or unlisted post shows the file', async () => {
    for (const visibility of VISIBILITIES) {
      const url = posts[visibility].media_attachments[0].url.replace(/\?.*$/, '');
      const file = await fetch(url);
      await file.arrayBuffer();
      assert.equal(file.status, visibility === 'private' ? 404 : 200, `${visibility}: ${url}`);
    }
  });

  test('the blocked account is hidden from the one who blocked it, and the blocker from it', async () => {
    assert.equal((await get('blocked', `/api/v1/accounts/${users.author.id}`)).status, 404);
    assert.equal((await get('blocked', `/api/v1/accounts/${users.author.id}/statuses`)).status, 404);
    const search = assertOk(await get('blocked', `/api/v2/search?q=${users.author.username}&type=accounts`));
    assert.ok(!search.accounts.some((a) => a.id === users.author.id), 'search hides the blocker');
  });
});
