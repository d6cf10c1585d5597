// Posting: a 3-photo carousel with alt text seen in the feed and on the
// profile; a rejected upload shows the server's words; keyboard-only posting.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, api, makeUser, makePost, uniqueName, signInAs, photoFile, expectAccessible, screenshot } from '../lib/fixtures.js';

test('sign up, post a 3-photo carousel with alt text; it shows in the feed and on the profile @desktop', async ({ page }, testInfo) => {
  // A tag already in use, for the caption's hints.
  const tag = `harbour${Date.now().toString(36)}`;
  await makePost(await makeUser('tagger'), { caption: `#${tag}lights`, photos: 1 });
  const user = { username: uniqueName('poster') };
  await page.goto('/sign_up');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('E-mail').fill(`${user.username}@example.test`);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('link', { name: 'Profile' })).toBeVisible();
  await page.getByRole('link', { name: 'New post' }).click();
  await expect(page.getByRole('heading', { name: 'New post' })).toBeVisible();
  await page.locator('input[type=file]').setInputFiles([photoFile(1), photoFile(2), photoFile(3)]);
  await expect(page.locator('.picked-item')).toHaveCount(3);
  await page.getByLabel('Alt text for photo 1').fill('Boats at the quay');
  await page.getByLabel('Alt text for photo 2').fill('The lighthouse');
  await page.getByLabel('Alt text for photo 3').fill('Gulls on the pier');
  // Reorder: the lighthouse first.
  await page.getByRole('button', { name: 'Move photo 2 earlier' }).click();
  await expect(page.getByLabel('Alt text for photo 1')).toHaveValue('The lighthouse');
  await page.getByLabel('Caption').pressSequentially(`Summer at the #${tag.slice(0, -2)}`);
  await page.getByRole('button', { name: `#${tag}lights` }).click();
  await expect(page.getByLabel('Caption')).toHaveValue(`Summer at the #${tag}lights `);
  await page.getByLabel('Caption').fill('Summer at the #harbour');
  await expectAccessible(page, 'new post');
  await screenshot(page, testInfo, 'new-post');
  await page.getByRole('button', { name: 'Share' }).click();

  await expect(page).toHaveURL(new RegExp(`/@${user.username}/\\d+$`));
  const carousel = page.getByRole('region', { name: '3 photos' });
  await expect(carousel.getByRole('img', { name: 'The lighthouse' })).toBeVisible();
  await expect(carousel.getByRole('img', { name: 'Boats at the quay' })).toHaveCount(1);
  await expect(page.locator('.caption a.hashtag')).toHaveText('#harbour');
  // Shared beyond this server unless unticked.
  const posted = await api('GET', `/api/v1/statuses/${/(\d+)$/.exec(page.url())[1]}`);
  expect(posted.vantage_federate).toBe(true);

  await page.getByRole('link', { name: 'Home' }).click();
  await expect(page.locator('article.post').first()).toContainText('Summer at the');
  await expect(page.locator('article.post').first().getByRole('img', { name: 'Gulls on the pier' })).toHaveCount(1);

  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByText('1 post', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'The lighthouse' })).toBeVisible();
});

test('a rejected upload shows the API\'s error', async ({ page }) => {
  const user = await makeUser('rejected');
  await signInAs(page, user);
  await page.goto('/new');
  const dir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-bad-'));
  const fake = path.join(dir, 'holiday.jpg');
  writeFileSync(fake, '<html><script>alert(1)</script></html>');
  await page.locator('input[type=file]').setInputFiles([photoFile(5), fake]);
  await page.getByRole('button', { name: 'Share' }).click();
  const problem = page.locator('.picked-item').nth(1).getByRole('alert');
  await expect(problem).toContainText('Photo 2 was not accepted');
  // The server's own sentence (415 unsupported_media_type).
  const res = await fetch(`${process.env.VANTAGE_URL}/api/v2/media`, { method: 'POST', headers: { Authorization: `Bearer ${user.token}` }, body: (() => { const f = new FormData(); f.append('file', new Blob(['<html></html>']), 'x.jpg'); return f; })() });
  const { error } = await res.json();
  await expect(problem).toContainText(error);
  await expect(page.locator('.picked-item').nth(0).locator('.state')).toHaveText('Ready');
  await expect(page).toHaveURL(/\/new$/);
  await page.getByRole('button', { name: 'Remove photo 2' }).click();
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${user.username}/\\d+$`));
});

test('"Share beyond this server" unticked: the post is kept on this server', async ({ page }) => {
  const user = await makeUser('homebody');
  await signInAs(page, user);
  await page.goto('/new');
  const share = page.getByRole('checkbox', { name: 'Share beyond this server' });
  await expect(share).toBeChecked();
  await expect(page.getByText('A copy sent cannot be recalled')).toBeVisible();
  await share.uncheck();
  await page.locator('input[type=file]').setInputFiles([photoFile(9)]);
  await page.getByLabel('Caption').fill('Only for the neighbourhood');
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/@${user.username}/\\d+$`));
  const status = await api('GET', `/api/v1/statuses/${/(\d+)$/.exec(page.url())[1]}`, { token: user.token });
  expect(status.vantage_federate).toBe(false);
});

// Presses Tab until `locator` has the focus (at most 60 times).
async function tabTo(page, locator) {
  for (let i = 0; i < 60; i++) {
    if (await locator.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('never reached by Tab');
}

test('keyboard-only posting', async ({ page }) => {
  const user = await makeUser('keys');
  // Listening from the start turns file-chooser interception on before any
  // key is pressed (turned on at the keypress, it can miss the dialog).
  const choosers = [];
  page.on('filechooser', (c) => choosers.push(c));
  await signInAs(page, user);
  await page.goto('/');
  await tabTo(page, page.getByRole('link', { name: 'New post' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'New post' })).toBeVisible();
  await tabTo(page, page.locator('input[type=file]'));
  await page.keyboard.press('Space');
  await expect.poll(() => choosers.length).toBe(1);
  await choosers[0].setFiles([photoFile(7), photoFile(8)]);
  await tabTo(page, page.getByLabel('Alt text for photo 1'));
  await page.keyboard.type('A red door');
  await tabTo(page, page.getByRole('button', { name: 'Move photo 2 earlier' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Alt text for photo 2')).toHaveValue('A red door');
  await tabTo(page, page.getByLabel('Alt text for photo 1'));
  await page.keyboard.type('A blue window');
  await tabTo(page, page.getByLabel('Caption'));
  await page.keyboard.type('Doors of the old town');
  await tabTo(page, page.getByRole('button', { name: 'Share' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/@${user.username}/\\d+$`));
  await expect(page.getByRole('img', { name: 'A blue window' })).toBeVisible();
  // Keyboard likes and browses the carousel too.
  await tabTo(page, page.getByRole('button', { name: 'Like', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Unlike' })).toBeVisible();
});
