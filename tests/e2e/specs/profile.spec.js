// Profile pictures and profile fields, set in settings and shown on the
// profile and the cards; a recruitment post's link under its photo.
import { readFileSync } from 'node:fs';
import { test, expect, makeUser, api, signInAs, photoFile, expectAccessible } from '../lib/fixtures.js';

const KEYED = /\/avatars\/[0-9a-f]{64}\.jpg$/;

test('a profile picture and a website, set in settings @desktop', async ({ page }) => {
  const user = await makeUser('painter', { displayName: 'Pat Painter' });
  await signInAs(page, user);
  await page.goto('/settings');
  const pictureForm = page.locator('form').filter({ hasText: 'Profile picture' });
  await expect(pictureForm.getByRole('button', { name: 'Remove picture' })).toBeHidden();

  // A file that is no picture: the API's own words.
  await page.getByLabel('Choose a picture').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await pictureForm.getByRole('button', { name: 'Upload picture' }).click();
  await expect(pictureForm.getByRole('alert')).toContainText('Unsupported media type');

  await page.getByLabel('Choose a picture').setInputFiles(photoFile(3, 600, 400));
  await expect(page.getByRole('img', { name: 'New profile picture (preview)' })).toHaveAttribute('src', /^blob:/);
  await pictureForm.getByRole('button', { name: 'Upload picture' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Picture saved' })).toBeVisible();
  await expect(pictureForm.getByRole('img', { name: "Pat Painter's profile picture" })).toHaveAttribute('src', KEYED);

  await page.getByLabel('Label 1').fill('Website');
  await page.getByLabel('Content 1').fill('https://www.careers.example.gov/join?team=photo');
  await page.getByLabel('Label 2').fill('Motto');
  await page.getByLabel('Content 2').fill('<img src=x onerror=alert(1)> javascript:alert(2)');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved' })).toBeVisible();
  await expectAccessible(page, 'settings with a picture');

  await page.goto(`/@${user.username}`);
  const picture = page.locator('header.profile img.avatar');
  await expect(picture).toHaveAttribute('src', KEYED);
  expect(await picture.evaluate((img) => img.complete && img.naturalWidth)).toBe(400);
  const link = page.locator('.fields').getByRole('link', { name: 'careers.example.gov' });
  await expect(link).toHaveAttribute('href', 'https://www.careers.example.gov/join?team=photo');
  await expect(link).toHaveAttribute('rel', 'me nofollow noopener noreferrer');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(page.locator('.fields dt')).toHaveText(['Website', 'Motto']);
  await expect(page.locator('.fields dd').nth(1)).toHaveText('<img src=x onerror=alert(1)> javascript:alert(2)');
  await expect(page.locator('.fields dd').nth(1).locator('a, img')).toHaveCount(0);
  await expectAccessible(page, 'profile with a picture and fields');

  await page.goto('/settings');
  await pictureForm.getByRole('button', { name: 'Remove picture' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Picture removed' })).toBeVisible();
  await expect(pictureForm.locator('.avatar-letter')).toHaveText('P');
});

test('a recruitment link shows its label and real domain under the photo', async ({ page }) => {
  const author = await makeUser('recruiter');
  const form = new FormData();
  form.append('avatar', new Blob([readFileSync(photoFile(5, 300, 300))], { type: 'image/jpeg' }), 'me.jpg');
  const me = await api('PATCH', '/api/v1/accounts/update_credentials', { token: author.token, form });
  const photo = new FormData();
  photo.append('file', new Blob([readFileSync(photoFile(9))], { type: 'image/jpeg' }), 'p.jpg');
  const media = await api('POST', '/api/v2/media', { token: author.token, form: photo });
  const status = await api('POST', '/api/v1/statuses', { token: author.token, json: {
    status: 'We are hiring photographers', media_ids: [media.id],
    vantage_cta: { url: 'https://careers.example.gov/apply?role=photo', label: 'Apply now' } } });

  const check = async (where) => {
    const cta = page.getByRole('link', { name: 'Apply now · careers.example.gov' });
    await expect(cta).toBeVisible();
    await expect(cta).toHaveAttribute('href', 'https://careers.example.gov/apply?role=photo');
    await expect(cta).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    await expect(cta).toHaveAttribute('target', '_blank');
    // Under the photo, before the like button.
    expect(await cta.evaluate((a) => a.previousElementSibling.matches('.carousel, [role=region]'))).toBe(true);
    await expectAccessible(page, where);
  };
  await page.goto(`/@${author.username}/${status.id}`);
  await check('post page with a recruitment link');

  await signInAs(page, author);
  await page.goto('/');
  await expect(page.locator('article.post').first()).toContainText('We are hiring photographers');
  await check('feed card with a recruitment link');
  // The card's small picture is the 96-pixel file.
  await expect(page.locator('article.post .post-head img.avatar').first()).toHaveAttribute('src', me.vantage_avatar_small);
});

test('a new post with a link button; a bad link shows the API\'s error', async ({ page }) => {
  const user = await makeUser('hiring');
  await signInAs(page, user);
  await page.goto('/new');
  await page.locator('input[type=file]').setInputFiles([photoFile(21)]);
  await page.getByLabel('Alt text for photo 1').fill('The photo desk');
  await page.getByLabel('Caption').fill('Join the photo desk');
  await page.getByLabel('Button label').fill('Apply now');
  await page.getByLabel('Button link').fill('http://careers.example.gov/apply');
  await expectAccessible(page, 'new post with a link button');
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.locator('form.compose').getByRole('alert')).toContainText('https://');
  await page.getByLabel('Button link').fill('https://careers.example.gov/apply');
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${user.username}/\\d+$`));
  await expect(page.getByRole('link', { name: 'Apply now · careers.example.gov' }))
    .toHaveAttribute('href', 'https://careers.example.gov/apply');
});
