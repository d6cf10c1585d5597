// Following the fediverse from the web app (docs/web.md, "Accounts of other
// servers"; docs/federation.md). The other server is the Fedify peer of the
// federation tests (tests/federation/lib/peer.mjs): a real ActivityPub server
// on loopback, behind the test TLS proxy (Vantage looks handles up by
// WebFinger over https only), that accepts follows at once, posts notes and
// serves their photos itself. The reader finds it by search, follows it,
// sees its photos in the home feed, served by Vantage, and reads its profile
// at /@name@host; and the page never asks anything of a host but Vantage's.
//
// These tests have a Vantage server of their own (useOwnServer), started
// with --federation-ca-file: a bundle of the system's roots and the test
// certificate, which is made in this process (tests/federation/lib/tls.mjs).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, makePost, api, signInAs, expectAccessible, photoFile, uniqueName, useOwnServer } from '../lib/fixtures.js';
import { startPeer } from '../../federation/lib/peer.mjs';
import { caBundle } from '../../federation/lib/tls.mjs';

useOwnServer(() => ['--federation-ca-file', caBundle()]);

let peer;
const photos = {};

test.beforeAll(async () => {
  peer = await startPeer({
    https: true,
    actors: [{ name: 'pia', displayName: 'Pia Peer', summary: '<p>Harbours and boats, from elsewhere.</p>' }],
    autoAccept: true,
    modulusLength: 2048,
  });
  photos.first = peer.serveFile('/media/harbour-1.jpg', { body: readFileSync(photoFile(11)) });
  photos.second = peer.serveFile('/media/harbour-2.jpg', { body: readFileSync(photoFile(12, 800, 600)) });
});

test.afterAll(async () => {
  await peer?.stop();
});

// The paths of the peer's origin that were asked for.
const peerPaths = () => peer.requests.map((r) => r.path);

const handle = () => `pia@${peer.host}`;
const sharedInbox = () => `${process.env.VANTAGE_URL}/inbox`;

// Every URL the page asks for, to check that none leaves Vantage.
function recordRequests(page) {
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

function expectOnlyVantage(urls) {
  const origin = new URL(process.env.VANTAGE_URL).origin;
  const elsewhere = urls.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin);
  expect(elsewhere, 'requests to hosts other than Vantage').toEqual([]);
}

// The peer's account as the API knows it, followed by `user` (through the
// API), once the peer's Accept has arrived.
async function followThroughApi(user) {
  const found = await api('GET', `/api/v2/search?resolve=true&type=accounts&q=${encodeURIComponent(`@${handle()}`)}`, { token: user.token });
  const account = found.accounts.find((a) => a.acct === handle());
  expect(account, `${handle()} resolved`).toBeTruthy();
  await api('POST', `/api/v1/accounts/${account.id}/follow`, { token: user.token });
  await expect.poll(async () => {
    const [rel] = await api('GET', `/api/v1/accounts/relationships?id[]=${account.id}`, { token: user.token });
    return rel.following;
  }, { timeout: 15_000 }).toBe(true);
  return account;
}

// Reloads the home feed until the card with `text` is in it (delivery and
// fan-out are not instant).
async function cardInFeed(page, text) {
  const card = page.locator('article.post', { hasText: text });
  await expect(async () => {
    await page.goto('/');
    await expect(card).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  return card;
}

test('a reader finds a remote account, follows it, sees its photos in the feed and opens its profile @desktop', async ({ page }) => {
  test.setTimeout(120_000);
  const reader = await makeUser('reader', { displayName: 'Rita Reader' });
  await signInAs(page, reader);
  const urls = recordRequests(page);

  // Search: the handle is looked up on its server, which takes a moment; the
  // request is held here until "Searching the fediverse…" has been seen.
  await page.goto('/search');
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const resolving = /\/api\/v2\/search\?.*resolve=true/;
  await page.route(resolving, async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('searchbox', { name: 'Search accounts and hashtags' }).fill(`@${handle()}`);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: /searching the fediverse…/i })).toBeVisible();
  release();
  const row = page.locator('.account-row', { hasText: `@${handle()}` });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await page.unroute(resolving);
  await expect(row.locator('a.name')).toContainText('Pia Peer');
  await expect(row.locator('a.name')).toHaveAttribute('href', `/@${handle()}`);
  await expect(page.locator('.search-state')).toBeHidden();
  await expectAccessible(page, 'search found a remote account');

  // Its profile here: name, bio, handle, the link to its own server, Follow.
  await row.locator('a.name').click();
  await expect(page).toHaveURL(new RegExp(`/@${handle()}$`));
  await expect(page.getByRole('heading', { name: 'Pia Peer' })).toBeVisible();
  await expect(page.locator('.profile .handle')).toHaveText(`@${handle()}`);
  await expect(page.locator('.bio')).toHaveText('Harbours and boats, from elsewhere.');
  const there = page.getByRole('link', { name: `View on ${peer.host}` });
  await expect(there).toHaveAttribute('href', peer.actorId('pia'));
  await expect(there).toHaveAttribute('target', '_blank');
  await expectAccessible(page, 'a remote profile');

  // Follow: Requested until the peer's Accept, then Following.
  await page.getByRole('button', { name: `Follow ${handle()}` }).click();
  const follow = page.locator('.profile button.follow');
  await expect(follow).toHaveText(/^(Requested|Following)$/);
  await peer.waitFor({ type: 'Follow', objectId: peer.actorId('pia') }, { timeout: 10_000 });
  await expect(follow).toHaveText('Following', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: `Unfollow ${handle()}` })).toBeVisible();

  // The peer posts two photos it serves itself; the feed shows them from
  // Vantage's /media/.
  const caption = `Two from the harbour ${uniqueName('n')}`;
  await peer.post('pia', {
    content: `<p>${caption}</p>`,
    attachments: [
      { url: photos.first, name: 'Boats tied up at the pier', width: 640, height: 800 },
      { url: photos.second, name: 'The lighthouse at dusk', width: 800, height: 600 },
    ],
    inbox: sharedInbox(),
  });
  const card = await cardInFeed(page, caption);
  await expect(card.locator('.post-head a.name')).toHaveAttribute('href', `/@${handle()}`);
  await expect(card.locator('.slide')).toHaveCount(2);
  const first = card.getByRole('img', { name: 'Boats tied up at the pier' });
  await expect(first).toBeVisible();
  await expect.poll(() => first.evaluate((img) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
  await card.getByRole('button', { name: 'Next photo' }).click();
  const second = card.getByRole('img', { name: 'The lighthouse at dusk' });
  await expect.poll(() => second.evaluate((img) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
  for (const img of [first, second]) {
    const src = new URL(await img.evaluate((el) => el.currentSrc || el.src));
    expect(src.origin).toBe(new URL(process.env.VANTAGE_URL).origin);
    expect(src.pathname).toMatch(/^\/media\//);
  }
  // Vantage fetched them (the browser never did: see the end).
  expect(peerPaths()).toEqual(expect.arrayContaining(['/media/harbour-1.jpg', '/media/harbour-2.jpg']));
  await expectAccessible(page, 'a remote post in the home feed');

  // Its profile again, from the card: the post is in its grid.
  await card.locator('.post-head a.name').click();
  await expect(page).toHaveURL(new RegExp(`/@${handle()}$`));
  await expect(page.getByRole('link', { name: 'Boats tied up at the pier' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: `Unfollow ${handle()}` })).toHaveText('Following');
  await page.getByRole('link', { name: 'Boats tied up at the pier' }).click();
  await expect(page.locator('article.post.full')).toContainText(caption);

  expectOnlyVantage(urls);
});

test('a remote text post is a text card; a video links to its server and a photo that cannot be fetched says so', async ({ page }) => {
  test.setTimeout(90_000);
  const reader = await makeUser('words');
  await followThroughApi(reader);
  await signInAs(page, reader);
  const urls = recordRequests(page);

  const words = `Just words today ${uniqueName('t')}`;
  const noteId = await peer.post('pia', { content: `<p>${words}</p>`, inbox: sharedInbox() });
  const card = await cardInFeed(page, words);
  await expect(card.locator('.text-card')).toHaveText(words);
  await expect(card.locator('.carousel')).toHaveCount(0);
  await expect(card.locator('img.photo')).toHaveCount(0);
  await expectAccessible(page, 'a text card in the feed');

  // Its page, and its tile on the profile: the words again.
  await card.locator('a.post-time').click();
  await expect(page.locator('article.post.full .text-card')).toHaveText(words);
  await expect(page.getByRole('link', { name: `View on ${peer.host}` })).toBeVisible();
  await page.goto(`/@${handle()}`);
  await expect(page.locator('.grid .tile', { hasText: words })).toBeVisible({ timeout: 15_000 });

  // A video (Vantage shows photos only) and a photo its host does not have.
  const mixed = `A clip and a lost photo ${uniqueName('m')}`;
  await peer.post('pia', {
    content: `<p>${mixed}</p>`,
    attachments: [
      { type: 'Video', mediaType: 'video/mp4', url: `${peer.origin}/media/clip.mp4`, name: 'Waves on the breakwater' },
      { url: `${peer.origin}/media/missing.jpg`, name: 'A photo that is gone', width: 640, height: 480 },
    ],
    inbox: sharedInbox(),
  });
  const mixedCard = await cardInFeed(page, mixed);
  const clip = mixedCard.getByRole('link', { name: 'View on the original server' });
  await expect(clip).toHaveAttribute('href', `${peer.origin}/media/clip.mp4`);
  await expect(clip).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(clip).toHaveAttribute('target', '_blank');
  await mixedCard.getByRole('button', { name: 'Next photo' }).click();
  await expect(mixedCard.locator('.unavailable', { hasText: 'Image unavailable' })).toBeVisible({ timeout: 15_000 });
  await expectAccessible(page, 'a video link and an unavailable photo');
  expect(noteId).toContain(peer.origin);
  expectOnlyVantage(urls);
});

test('a boost by a followed remote account shows the post once, shared by it', async ({ page }) => {
  const reader = await makeUser('boostee');
  const author = await makeUser('author', { displayName: 'Ada Author' });
  const caption = `Worth a boost ${uniqueName('b')}`;
  const post = await makePost(author, { caption, alt: ['A red door'] });
  await followThroughApi(reader);
  await peer.announce('pia', `${process.env.VANTAGE_URL}/users/${author.username}/statuses/${post.id}`, { inbox: sharedInbox() });
  await signInAs(page, reader);
  const card = await cardInFeed(page, caption);
  await expect(card).toHaveCount(1);
  const shared = card.locator('.shared-by');
  await expect(shared).toContainText(/shared by/i);
  await expect(shared.locator('a.name')).toContainText('Pia Peer');
  await expect(shared.locator('a.name')).toHaveAttribute('href', `/@${handle()}`);
  await expect(card.locator('.post-head a.name')).toHaveAttribute('href', `/@${author.username}`);
  await expect(card.getByRole('img', { name: 'A red door' })).toBeVisible();
  await expectAccessible(page, 'home feed with a boost');
});

test('a server that does not answer is said so, in search and at its account\'s address', async ({ page }) => {
  // A port nobody listens on.
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${closed.address().port}`;
  await new Promise((resolve) => closed.close(resolve));

  const reader = await makeUser('lost');
  await signInAs(page, reader);
  await page.goto('/search');
  await page.getByRole('searchbox', { name: 'Search accounts and hashtags' }).fill(`@ghost@${host}`);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: `${host} did not answer. Try again later.` })).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.account-row')).toHaveCount(0);
  await expectAccessible(page, 'search: a server that does not answer');

  await page.goto(`/@ghost@${host}`);
  await expect(page.getByText(`${host} did not answer. Try again later.`)).toBeVisible({ timeout: 20_000 });

  // A server that answers, without that account: nothing found.
  await page.goto('/search');
  await page.getByRole('searchbox', { name: 'Search accounts and hashtags' }).fill(`@nobody@${peer.host}`);
  await page.keyboard.press('Enter');
  await expect(page.getByText(`Nothing found for “@nobody@${peer.host}”.`)).toBeVisible({ timeout: 20_000 });
});
