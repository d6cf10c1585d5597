// Following, notifications, a locked account's requests, and discovery.
import { test, expect, makeUser, makePost, api, signInAs, expectAccessible, screenshot } from '../lib/fixtures.js';

test('a second user follows, likes by double-tap and comments; the first sees it in notifications @desktop', async ({ page, browser }, testInfo) => {
  const author = await makeUser('gallery', { displayName: 'Gallery North' });
  const post = await makePost(author, { caption: 'Opening night #art', photos: 1, alt: ['A crowded room'] });
  const visitor = await makeUser('visitor', { displayName: 'Vera' });

  await signInAs(page, visitor);
  await page.goto(`/@${author.username}`);
  await page.getByRole('button', { name: `Follow ${author.username}` }).click();
  await expect(page.getByRole('button', { name: `Unfollow ${author.username}` })).toHaveText('Following');
  await page.goto('/');
  const card = page.locator('article.post', { hasText: 'Opening night' });
  await card.locator('.track').dblclick();
  await expect(card.getByRole('button', { name: 'Unlike' })).toBeVisible();
  await page.goto(`/@${author.username}/${post.id}?comment=1`);
  await page.getByRole('textbox', { name: 'Add a comment' }).fill('What a night');
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(page.locator('.comments')).toContainText('What a night');

  const context = await browser.newContext({ viewport: page.viewportSize() });
  const authorPage = await context.newPage();
  await authorPage.request.post(`${process.env.VANTAGE_URL}/auth/sign_in`, { data: { username: author.username, password: author.password } });
  await authorPage.goto(`${process.env.VANTAGE_URL}/notifications`);
  const notes = authorPage.locator('.note');
  await expect(notes).toHaveCount(3);
  await expect(authorPage.locator('.note[data-type=follow]')).toContainText('started following you');
  await expect(authorPage.locator('.note[data-type=favourite]')).toContainText('liked your post');
  await expect(authorPage.locator('.note[data-type=mention]')).toContainText('What a night');
  await expectAccessible(authorPage, 'notifications');
  await screenshot(authorPage, testInfo, 'notifications');
  await authorPage.getByRole('link', { name: 'What a night' }).click();
  await expect(authorPage.locator('.comments')).toContainText('What a night');
  await context.close();
});

test('a locked account approves a follow request', async ({ page, browser }) => {
  const owner = await makeUser('private', { displayName: 'Private Person', locked: true });
  await makePost(owner, { caption: 'Only for friends', photos: 1, visibility: 'private', alt: ['A quiet garden'] });
  const friend = await makeUser('friend');
  await signInAs(page, friend);
  await page.goto(`/@${owner.username}`);
  await expect(page.getByText('This account is private')).toBeVisible();
  await page.getByRole('button', { name: `Follow ${owner.username}` }).click();
  await expect(page.getByRole('button', { name: `Withdraw follow request to ${owner.username}` })).toHaveText('Requested');

  const context = await browser.newContext({ viewport: page.viewportSize() });
  const ownerPage = await context.newPage();
  await ownerPage.request.post(`${process.env.VANTAGE_URL}/auth/sign_in`, { data: { username: owner.username, password: owner.password } });
  await ownerPage.goto(`${process.env.VANTAGE_URL}/notifications`);
  await expect(ownerPage.getByRole('link', { name: /^Notifications\s*, 1 follow request$/ })).toBeVisible();
  await expect(ownerPage.locator('.note[data-type=follow_request]')).toContainText('asked to follow you');
  await ownerPage.locator('.note').getByRole('link', { name: 'Review requests' }).click();
  await expect(ownerPage.getByRole('heading', { name: 'Follow requests' })).toBeVisible();
  await expectAccessible(ownerPage, 'follow requests');
  await ownerPage.getByRole('button', { name: `Approve ${friend.username}` }).click();
  await expect(ownerPage.locator('.account-row')).toContainText('Approved');
  await context.close();

  await page.reload();
  await expect(page.getByRole('button', { name: `Unfollow ${owner.username}` })).toHaveText('Following');
  await expect(page.getByRole('link', { name: 'A quiet garden' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('article.post', { hasText: 'Only for friends' })).toBeVisible();
});

test('explore, hashtag pages and search @desktop', async ({ page }, testInfo) => {
  const tag = `tag${Date.now().toString(36)}`;
  const author = await makeUser('explorer', { displayName: 'Explorer Club' });
  const fan = await makeUser('liker');
  const p1 = await makePost(author, { caption: `Peaks #${tag}`, photos: 1, alt: ['Snowy peaks'] });
  await makePost(author, { caption: `Valleys #${tag}`, photos: 2, alt: ['A green valley', 'A river'] });
  await api('POST', `/api/v1/statuses/${p1.id}/favourite`, { token: fan.token });
  await signInAs(page, fan);

  await page.goto('/explore');
  await expect(page.getByRole('heading', { name: 'Explore' })).toBeVisible();
  await expect(page.locator('.grid .tile').first()).toBeVisible();
  await expectAccessible(page, 'explore');
  await screenshot(page, testInfo, 'explore');

  await page.goto('/search');
  await page.getByRole('searchbox', { name: 'Search accounts and hashtags' }).fill(author.username.slice(0, 8));
  await expect(page.locator('.account-row', { hasText: author.username })).toBeVisible();
  await page.getByRole('searchbox').fill(`#${tag}`.slice(1));
  await page.getByRole('link', { name: `#${tag}` }).click();
  await expect(page.getByRole('heading', { name: `#${tag}` })).toBeVisible();
  await expect(page.locator('.grid .tile')).toHaveCount(2);
  await expect(page.getByRole('link', { name: 'Snowy peaks' })).toBeVisible();
  await expectAccessible(page, 'hashtag');
  await screenshot(page, testInfo, 'hashtag');
});
