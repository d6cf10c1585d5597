// A signed-out visitor browses a public profile and a post; a follower's
// home feed shows it, liked with a double-tap and commented.
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, makePost, markVerified, api, signInAs, photoFile, expectAccessible, screenshot } from '../lib/fixtures.js';

test('a signed-out visitor views a public profile and post @desktop', async ({ page }, testInfo) => {
  // One verified name per run of the server: the server refuses display
  // names confusable with a verified account's.
  const name = testInfo.project.name === 'mobile' ? 'City Museum' : 'Riverside Library';
  const author = await makeUser('museum', { displayName: name, note: 'Open daily. #art lovers welcome' });
  markVerified(author);
  const picture = new FormData();
  picture.append('avatar', new Blob([readFileSync(photoFile(11, 400, 400))], { type: 'image/jpeg' }), 'logo.jpg');
  await api('PATCH', '/api/v1/accounts/update_credentials', { token: author.token, form: picture });
  await api('PATCH', '/api/v1/accounts/update_credentials', { token: author.token,
    json: { fields_attributes: [{ name: 'Website', value: 'https://museum.example.org/visit' }] } });
  const post = await makePost(author, { caption: 'New wing opens today #architecture with @' + author.username, photos: 3, alt: ['The new wing at dawn', 'The atrium', 'A gallery'] });
  await makePost(author, { caption: 'Second post', photos: 1 });

  await page.goto(`/@${author.username}`);
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.getByRole('heading', { name }).getByRole('img', { name: 'Verified' })).toBeVisible();
  await expect(page.getByText('2 posts')).toBeVisible();
  await expect(page.locator('.bio')).toContainText('Open daily.');
  await expect(page.locator('.fields').getByRole('link', { name: 'museum.example.org' })).toBeVisible();
  await expect(page.getByRole('img', { name: `${name}'s profile picture` })).toHaveAttribute('src', /\/avatars\/[0-9a-f]{64}\.jpg$/);
  await expect(page.locator('.grid .tile')).toHaveCount(2);
  await expect(page.getByRole('button', { name: `Follow ${author.username}` })).toBeVisible();
  await expectAccessible(page, 'profile, signed out');
  await screenshot(page, testInfo, 'profile');

  await page.getByRole('link', { name: 'The new wing at dawn' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${author.username}/${post.id}$`));
  const carousel = page.getByRole('region', { name: '3 photos' });
  await expect(carousel).toBeVisible();
  await expect(page.getByRole('img', { name: 'The new wing at dawn' })).toBeVisible();
  await expect(page.locator('.caption')).toContainText('New wing opens today');
  await expect(page.locator('.post-who').getByRole('img', { name: 'Verified' })).toBeVisible();
  await expect(page.locator('.caption a.hashtag')).toHaveAttribute('href', '/tags/architecture');
  await expect(page.locator('.caption a.mention')).toHaveAttribute('href', `/@${author.username}`);
  await expect(page.getByRole('button', { name: 'Previous photo' })).toBeHidden();
  await page.getByRole('button', { name: 'Next photo' }).click();
  await expect(carousel).toHaveAttribute('data-index', '1');
  await carousel.locator('.track').focus();
  await page.keyboard.press('ArrowRight');
  await expect(carousel).toHaveAttribute('data-index', '2');
  await expect(page.getByRole('button', { name: 'Next photo' })).toBeHidden();
  await expect(page.getByText('to like and comment')).toBeVisible();
  await expectAccessible(page, 'post, signed out');
  await screenshot(page, testInfo, 'post');
});

test('a follower sees the post in the feed, likes it with a double-tap and comments @desktop', async ({ page }, testInfo) => {
  const author = await makeUser('cafe', { displayName: 'Corner Café' });
  const fan = await makeUser('fan');
  await api('POST', `/api/v1/accounts/${author.id}/follow`, { token: fan.token });
  await makePost(author, { caption: 'Fresh bread #bakery', photos: 2, alt: ['Loaves on a shelf', 'The oven'] });
  await makePost(author, { caption: 'Morning light', photos: 1, alt: ['Sun through the window'] });
  await signInAs(page, fan);

  await page.goto('/');
  const first = page.locator('article.post').first();
  await expect(first).toContainText('Morning light');
  const card = page.locator('article.post', { hasText: 'Fresh bread' });
  await expect(card.getByRole('img', { name: 'Loaves on a shelf' })).toBeVisible();
  // The blurhash sits under the photo until it loads, then the photo shows.
  await expect(card.locator('.slide').first()).toHaveClass(/loaded/);
  await expect(card.locator('canvas.blurhash').first()).toHaveCount(1);
  await expectAccessible(page, 'home feed');
  await screenshot(page, testInfo, 'home');

  await card.locator('.track').dblclick();
  await expect(card.getByRole('button', { name: 'Unlike' })).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByRole('link', { name: '1 like' })).toBeVisible();

  await card.getByRole('link', { name: 'Comment' }).click();
  const box = page.getByRole('textbox', { name: 'Add a comment' });
  await expect(box).toBeFocused();
  await box.fill('Looks delicious');
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(page.locator('.comments')).toContainText('Looks delicious');
  await page.getByRole('button', { name: `Reply to ${fan.username}` }).click();
  await expect(box).toHaveValue(`@${fan.username} `);
  await box.pressSequentially('and warm');
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(page.locator('.comments .replies .comment')).toContainText('and warm');

  await page.getByRole('link', { name: '1 like' }).click();
  await expect(page.getByRole('heading', { name: 'Likes' })).toBeVisible();
  await expect(page.locator('.account-row')).toContainText(fan.username);

  await page.goto('/');
  await page.locator('article.post', { hasText: 'Fresh bread' }).locator('.first-comments').scrollIntoViewIfNeeded();
  await expect(page.locator('article.post', { hasText: 'Fresh bread' }).locator('.first-comments')).toContainText('Looks delicious');
  const unlike = page.locator('article.post', { hasText: 'Fresh bread' }).getByRole('button', { name: 'Unlike' });
  await unlike.click();
  await expect(page.locator('article.post', { hasText: 'Fresh bread' }).getByRole('button', { name: 'Like', exact: true })).toBeVisible();
});
