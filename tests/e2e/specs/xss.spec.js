// Every field a person can type into, filled from an XSS corpus through the
// app's own forms: names, bios, profile fields, captions, alt text, link
// button labels, comments. The pages that
// show them must show the text as text, and no dialog may ever fire (the
// fixture fails the test on any dialog or page error).
import { test, expect, makeUser, api, signInAs, photoFile } from '../lib/fixtures.js';

const CORPUS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "'-alert(4)-'",
  'javascript:alert(5)',
  '<a href="javascript:alert(6)">click</a>',
  '</textarea><script>alert(7)</script>',
  '<iframe srcdoc="<script>alert(8)</script>">',
  '{{constructor.constructor("alert(9)")()}}',
  '<details open ontoggle=alert(10)>',
];

test('an XSS corpus in every user-text field never runs', async ({ page, browser }) => {
  const victim = await makeUser('victim');
  const attacker = await makeUser('attacker');
  await api('POST', `/api/v1/accounts/${attacker.id}/follow`, { token: victim.token });
  await signInAs(page, attacker);

  // Name (at most 30 characters) and bio through settings.
  await page.goto('/settings');
  await page.getByLabel('Name').fill(CORPUS[1]);
  await page.getByLabel('Bio').fill(CORPUS.join('\n'));
  // Profile fields: labels and contents.
  for (const n of [1, 2, 3, 4]) {
    await page.getByLabel(`Label ${n}`).fill(CORPUS[n + 3]);
    await page.getByLabel(`Content ${n}`).fill(CORPUS[n - 1]);
  }
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved' })).toBeVisible();

  // A post with the corpus as caption and as alt text.
  await page.goto('/new');
  await page.locator('input[type=file]').setInputFiles([photoFile(11), photoFile(12)]);
  await page.getByLabel('Alt text for photo 1').fill(CORPUS[2]);
  await page.getByLabel('Alt text for photo 2').fill(CORPUS[5]);
  await page.getByLabel('Caption').fill(`${CORPUS.join(' ')} #xss`);
  await page.getByLabel('Button label').fill(CORPUS[1]);
  await page.getByLabel('Button link').fill('https://careers.example.gov/?q="><svg/onload=alert(11)>');
  await page.getByRole('button', { name: 'Share' }).click();
  // The link refuses characters that need escaping; a plain one goes through.
  await expect(page.locator('form.compose').getByRole('alert')).not.toBeEmpty();
  await page.getByLabel('Button link').fill('https://careers.example.gov/apply');
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page).toHaveURL(new RegExp(`/@${attacker.username}/\\d+$`));
  const postUrl = page.url();

  // Comments.
  for (const text of CORPUS.slice(0, 4)) {
    await page.getByRole('textbox', { name: 'Add a comment' }).fill(text);
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await expect(page.locator('.comments .comment').last()).toContainText(text);
  }
  await expect(page.locator('.caption')).toContainText(CORPUS[0]);
  await expect(page.getByRole('img', { name: CORPUS[2] })).toHaveCount(1);

  // The victim reads everything where it shows.
  const context = await browser.newContext({ viewport: page.viewportSize() });
  const victimPage = await context.newPage();
  const problems = [];
  victimPage.on('dialog', (d) => {
    problems.push(d.message());
    d.dismiss().catch(() => {});
  });
  victimPage.on('pageerror', (e) => problems.push(e.message));
  await victimPage.request.post(`${process.env.VANTAGE_URL}/auth/sign_in`, { data: { username: victim.username, password: victim.password } });
  await api('POST', `/api/v1/accounts/${victim.id}/follow`, { token: attacker.token });
  const base = process.env.VANTAGE_URL;
  for (const path of ['/', postUrl.slice(base.length), `/@${attacker.username}`, `/@${victim.username}/followers`, '/notifications', `/search?q=${attacker.username}`, '/tags/xss', '/explore']) {
    await victimPage.goto(base + path);
    await victimPage.waitForLoadState('networkidle');
    expect(await victimPage.locator('#main script, #main iframe, #main svg[onload], #main img[src="x"], #main details[ontoggle]').count(), path).toBe(0);
  }
  await victimPage.goto(base + postUrl.slice(base.length));
  await expect(victimPage.locator('.caption')).toContainText('<script>alert(1)</script>');
  await expect(victimPage.locator('.post-who')).toContainText(CORPUS[1]);
  await expect(victimPage.locator('a.cta-link')).toContainText(`${CORPUS[1]} · careers.example.gov`);
  await victimPage.goto(`${base}/@${attacker.username}`);
  await expect(victimPage.locator('.bio')).toContainText('<details open ontoggle=alert(10)>');
  await expect(victimPage.locator('.fields dt')).toHaveText(CORPUS.slice(4, 8));
  await expect(victimPage.locator('.fields dd')).toHaveText(CORPUS.slice(0, 4));
  await victimPage.waitForTimeout(300);
  expect(problems).toEqual([]);
  await context.close();
});
