// The remaining pages pass the accessibility check at both sizes; the feed
// scrolls on past its first page; a swipe moves the carousel.
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, makePost, api, signInAs, expectAccessible, photoFile } from '../lib/fixtures.js';

test('sign in, search, lists, a signed-in post page and not-found pass axe @desktop', async ({ page }) => {
  const author = await makeUser('axe', { displayName: 'Axe Checked' });
  const reader = await makeUser('axereader');
  const post = await makePost(author, { caption: 'A #checked post', photos: 2, alt: ['First', 'Second'] });
  await api('POST', `/api/v1/accounts/${author.id}/follow`, { token: reader.token });
  await api('POST', '/api/v1/statuses', { token: reader.token, json: { status: 'Nice', in_reply_to_id: post.id } });
  await api('POST', `/api/v1/statuses/${post.id}/favourite`, { token: reader.token });

  await page.goto('/sign_in');
  await expectAccessible(page, 'sign in');
  await page.goto('/nowhere/at/all');  // not an app route: the JSON 404
  await page.goto('/@nobody_here_at_all');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expectAccessible(page, 'not found');

  await signInAs(page, author);
  await page.goto(`/@${author.username}/${post.id}`);
  await expect(page.locator('.comments')).toContainText('Nice');
  await expectAccessible(page, 'post, signed in, own');
  await page.getByText('•••').click();
  await expectAccessible(page, 'post, owner menu open');
  await page.goto(`/@${author.username}/${post.id}/likes`);
  await expect(page.locator('.account-row')).toHaveCount(1);
  await expectAccessible(page, 'likes');
  await page.goto(`/@${author.username}/followers`);
  await expect(page.locator('.account-row')).toHaveCount(1);
  await expectAccessible(page, 'followers');
  await page.goto(`/search?q=${author.username.slice(0, 6)}`);
  await expect(page.locator('.account-row').first()).toBeVisible();
  await expectAccessible(page, 'search');
  await page.goto('/follow_requests');
  await expectAccessible(page, 'follow requests, none');
});

test('the home feed loads its next page when scrolled to the end', async ({ page }) => {
  const author = await makeUser('prolific');
  const reader = await makeUser('scroller');
  await api('POST', `/api/v1/accounts/${author.id}/follow`, { token: reader.token });
  for (let i = 0; i < 23; i++) await makePost(author, { caption: `Number ${i}`, photos: 1 });
  await signInAs(page, reader);
  await page.goto('/');
  await expect(page.locator('article.post')).toHaveCount(20);
  await page.locator('article.post').last().scrollIntoViewIfNeeded();
  await expect(page.locator('article.post')).toHaveCount(23);
  await expect(page.locator('article.post').last()).toContainText('Number 0');
});

test('a swipe moves the carousel and its dots follow', async ({ page }) => {
  const author = await makeUser('swiper');
  const post = await makePost(author, { caption: 'Swipe me', photos: 3, alt: ['One', 'Two', 'Three'] });
  await page.goto(`/@${author.username}/${post.id}`);
  const track = page.locator('.track');
  await expect(page.getByRole('img', { name: 'One' })).toBeVisible();
  // A finger's swipe scrolls the snapping track; so does this.
  await track.evaluate((el) => el.scrollTo({ left: el.clientWidth * 2 }));
  await expect(page.locator('.carousel')).toHaveAttribute('data-index', '2');
  await expect(page.locator('.dot.on')).toHaveCount(1);
  await expect(page.locator('.dot').nth(2)).toHaveClass(/on/);
  await expect(page.getByRole('button', { name: 'Next photo' })).toBeHidden();
});

test('the blurhash decoder gives back the colour the server hashed', async ({ page }) => {
  const user = await makeUser('colour');
  const form = new FormData();
  form.append('file', new Blob([readFileSync(photoFile(0, 64, 64, [200, 40, 40]))], { type: 'image/jpeg' }), 'red.jpg');
  const media = await api('POST', '/api/v2/media', { token: user.token, form });
  expect(media.blurhash).toBeTruthy();
  await page.goto('/explore');
  const src = await page.locator('script[type=module]').getAttribute('src');
  const pixel = await page.evaluate(async ({ module, hash }) => {
    const { decodeBlurhash } = await import(module.replace('main.js', 'ui/blurhash.js'));
    return [...decodeBlurhash(hash, 1, 1)];
  }, { module: src, hash: media.blurhash });
  expect(Math.abs(pixel[0] - 200)).toBeLessThan(12);
  expect(Math.abs(pixel[1] - 40)).toBeLessThan(12);
  expect(Math.abs(pixel[2] - 40)).toBeLessThan(12);
  expect(pixel[3]).toBe(255);
});
