// The app stays light: what readers download of its own JS and CSS, each
// file compressed with brotli at its highest quality as served files are,
// summed, at most 90 KB (the raw bytes are printed beside it: the budget is
// not spent on dense code, but on what crosses the wire); and how soon the
// home feed shows its first post (printed, not asserted: timings on a shared
// machine vary).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test, expect, makeUser, makePost, api, signInAs, REPO } from '../lib/fixtures.js';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

test('JS + CSS of the app weigh at most 90 KB compressed', async () => {
  const web = path.join(REPO, 'web');
  const assets = files(web).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  const brotli = (bytes) => zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY },
  }).length;
  let raw = 0;
  let compressed = 0;
  for (const f of assets) {
    const bytes = readFileSync(f);
    raw += bytes.length;
    compressed += brotli(bytes);
  }
  console.log(`web app JS + CSS: ${compressed} bytes brotli (${(compressed / 1024).toFixed(1)} KB), `
    + `${raw} bytes raw (${(raw / 1024).toFixed(1)} KB), in ${assets.length} files`);
  expect(compressed).toBeLessThanOrEqual(90 * 1024);
});

test('time to the first post in the home feed (reported)', async ({ page }) => {
  const author = await makeUser('speedy');
  const reader = await makeUser('reader');
  await api('POST', `/api/v1/accounts/${author.id}/follow`, { token: reader.token });
  for (let i = 0; i < 3; i++) await makePost(author, { caption: `Post ${i}`, photos: 1 });
  await signInAs(page, reader);
  await page.goto('/');  // warm: the first load fills the browser cache
  await expect(page.locator('article.post').first()).toBeVisible();
  const times = [];
  for (let run = 0; run < 5; run++) {
    await page.goto('/');
    await expect(page.locator('article.post').first()).toBeVisible();
    times.push(await page.evaluate(() => performance.getEntriesByName('vantage:first-post')[0].startTime));
  }
  // And a cold load: a new context, nothing cached.
  const context = await page.context().browser().newContext();
  const cold = await context.newPage();
  await cold.request.post(`${process.env.VANTAGE_URL}/auth/sign_in`, { data: { username: reader.username, password: reader.password } });
  await cold.goto(`${process.env.VANTAGE_URL}/`);
  await expect(cold.locator('article.post').first()).toBeVisible();
  const coldMs = await cold.evaluate(() => performance.getEntriesByName('vantage:first-post')[0].startTime);
  await context.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`home feed, first post shown: median ${median.toFixed(0)} ms warm (${times.map((t) => t.toFixed(0)).join(', ')}), ${coldMs.toFixed(0)} ms cold, from navigation start`);
  test.info().annotations.push({ type: 'time-to-first-post', description: `${median.toFixed(0)} ms warm, ${coldMs.toFixed(0)} ms cold` });
});
