// Accounts of other servers (docs/federation.md) as the app shows them: a
// stand-in remote actor (lib/remote_actor.js) likes, comments on and boosts
// local posts over ActivityPub. Wherever it appears it reads @name@host and
// links to its page here, /@name@host (never to a local /@name page, nor
// out to its own server); local accounts stay as they were.
// federation-following.spec.js follows one.
import { test, expect, makeUser, makePost, api, signInAs, expectAccessible } from '../lib/fixtures.js';
import { startRemoteActor, noteUri } from '../lib/remote_actor.js';

let remote;
test.beforeAll(async () => {
  remote = await startRemoteActor({ name: 'rosa', displayName: 'Rosa Remote' });
});
test.afterAll(async () => {
  await remote.close();
});

// A link to the remote account's page here, an app link like any other.
async function expectRemoteLink(link) {
  await expect(link).toHaveAttribute('href', `/@${remote.acct}`);
  expect(await link.getAttribute('target')).toBeNull();
}

test('a remote account\'s comment and like show its full handle and link to its page here @desktop', async ({ page }) => {
  const author = await makeUser('harbour', { displayName: 'Harbour Lights' });
  const neighbour = await makeUser('neighbour', { displayName: 'Nina Next Door' });
  const post = await makePost(author, { caption: 'Dusk at the quay', alt: ['Boats at dusk'] });
  await remote.like(noteUri(author, post));
  await remote.reply(noteUri(author, post), 'Lovely light from over here');
  await api('POST', '/api/v1/statuses', { token: neighbour.token, json: { status: 'Seen from my window', in_reply_to_id: post.id } });

  await signInAs(page, author);
  await page.goto(`/@${author.username}/${post.id}`);
  const theirs = page.locator('.comment', { hasText: 'Lovely light from over here' });
  const name = theirs.locator('.comment-body a.name');
  await expect(name).toContainText('Rosa Remote');
  await expect(name.locator('.handle')).toHaveText(`@${remote.acct}`);
  await expectRemoteLink(name);
  await expectRemoteLink(theirs.locator('a[aria-hidden=true]'));
  // A local commenter is as before: the name alone, linking to the page here.
  const local = page.locator('.comment', { hasText: 'Seen from my window' }).locator('.comment-body a.name');
  await expect(local).toHaveText('Nina Next Door');
  await expect(local).toHaveAttribute('href', `/@${neighbour.username}`);
  expect(await local.getAttribute('target')).toBeNull();
  // Replying mentions the full handle, which is how the server finds it.
  await theirs.getByRole('button', { name: `Reply to ${remote.acct}` }).click();
  await expect(page.getByRole('textbox', { name: 'Add a comment' })).toHaveValue(`@${remote.acct} `);
  await expect(page.locator('.replying')).toHaveText(`Replying to @${remote.acct}`);
  await expectAccessible(page, 'post with a remote comment');

  // The likers: the full handle, the remote profile, and a Follow button.
  await page.getByRole('link', { name: '1 like' }).click();
  await expect(page.getByRole('heading', { name: 'Likes' })).toBeVisible();
  const row = page.locator('.account-row');
  await expect(row).toHaveCount(1);
  await expect(row.locator('.handle')).toHaveText(`@${remote.acct}`);
  await expectRemoteLink(row.locator('a.name'));
  await expectRemoteLink(row.locator('a.account-row-avatar'));
  await expect(row.getByRole('button', { name: `Follow ${remote.acct}` })).toBeVisible();

  // The notifications of both.
  await page.goto('/notifications');
  for (const type of ['favourite', 'mention']) {
    const note = page.locator(`.note[data-type=${type}]`, { hasText: 'Rosa Remote' });
    await expect(note.locator('.handle')).toHaveText(`@${remote.acct}`);
    await expectRemoteLink(note.locator('a.name'));
  }
  await expectAccessible(page, 'notifications from a remote account');

  // Its page here, with a link to its profile on its own server.
  await page.locator('.note[data-type=favourite] a.name', { hasText: 'Rosa Remote' }).first().click();
  await expect(page).toHaveURL(new RegExp(`/@${remote.acct}$`));
  await expect(page.getByRole('heading', { name: 'Rosa Remote' })).toBeVisible();
  await expect(page.locator('.profile .handle')).toHaveText(`@${remote.acct}`);
  const there = page.getByRole('link', { name: `View on ${new URL(remote.origin).host}` });
  await expect(there).toHaveAttribute('href', remote.url);
  await expect(there).toHaveAttribute('rel', 'nofollow noopener noreferrer');
  await expect(there).toHaveAttribute('target', '_blank');
  await expect(page.getByRole('button', { name: `Follow ${remote.acct}` })).toBeVisible();
  await expectAccessible(page, 'a remote profile');
});

test('a boost by a remote account is a notification with the post\'s thumbnail', async ({ page }) => {
  const author = await makeUser('boosted');
  const post = await makePost(author, { caption: 'Worth sharing', alt: ['A lighthouse'] });
  await remote.boost(noteUri(author, post));
  await signInAs(page, author);
  await page.goto('/notifications');
  const note = page.locator('.note[data-type=reblog]');
  await expect(note.locator('.note-text')).toContainText('boosted your post.');
  await expect(note.locator('.handle')).toHaveText(`@${remote.acct}`);
  await expectRemoteLink(note.locator('a.name'));
  await expect(note.getByRole('img', { name: 'A lighthouse' })).toBeVisible();
  await note.getByRole('link', { name: 'A lighthouse' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${author.username}/${post.id}$`));
});
