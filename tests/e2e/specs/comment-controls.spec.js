// Comment controls in the app (docs/web.md): hidden words in settings, the
// post's author reviewing held comments, pinning, hiding and choosing who
// may comment; a non-follower then sees the notice instead of the box, and
// reports a comment.
import {
  test, expect, makeUser, makePost, makeOrganisation, addStaff, publishAsOrganisation, api, signInAs, expectAccessible, screenshot,
} from '../lib/fixtures.js';

test('the author holds, shows and pins comments and limits them to followers; others report @desktop', async ({ page }, testInfo) => {
  const author = await makeUser('author');
  const writer = await makeUser('writer');
  const reader = await makeUser('reader');
  const status = await makePost(author, { caption: 'The old harbour', alt: ['A harbour at dusk'] });
  const comment = (text) => api('POST', '/api/v1/statuses', { token: writer.token, json: { status: text, in_reply_to_id: status.id } });

  // Hidden words: a word with nothing to match is refused naming the field, then one is saved.
  await signInAs(page, author);
  await page.goto('/settings');
  const words = page.getByLabel('Hold comments with these, one a line');
  await expect(page.getByText(/^Default: /)).toBeVisible();
  await words.fill('turnip\n!!!');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('form').filter({ has: words }).getByRole('alert')).toContainText('words: "!!!"');
  await words.fill('turnip');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

  await comment('First, the lighthouse');
  await comment('Nice bridge');
  const held = await comment('I would rather see a TURNIP');
  const path = `/@${author.username}/${status.id}`;

  // Its writer sees it as posted; a third user does not see it.
  await signInAs(page, writer);
  await page.goto(path);
  await expect(page.locator('.comments').getByText('I would rather see a TURNIP')).toBeVisible();
  await expect(page.getByText(/held|review/i)).toHaveCount(0);
  await signInAs(page, reader);
  await page.goto(path);
  await expect(page.locator('.comments').getByText('Nice bridge')).toBeVisible();
  await expect(page.getByText('TURNIP')).toHaveCount(0);

  // The author finds it held, shows it, pins a comment, then allows followers only.
  await signInAs(page, author);
  await page.goto(path);
  const heldList = page.locator('.comments').filter({ has: page.locator(`[data-id="${held.id}"]`) });
  await expect(page.getByRole('heading', { name: 'Held for your review' })).toBeVisible();
  await expect(heldList).toContainText('TURNIP');
  await expectAccessible(page, 'post with comment controls');
  await screenshot(page, testInfo, 'comment-controls');
  await page.getByLabel('Who can comment').selectOption('followers');
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await heldList.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('heading', { name: 'Held for your review' })).toHaveCount(0);
  const shown = page.locator('.comments > .comment');
  await expect(shown).toHaveCount(3);
  await shown.filter({ hasText: 'Nice bridge' }).getByRole('button', { name: 'Pin' }).click();
  await expect(shown.first()).toContainText('Nice bridge');
  await expect(shown.first().getByText('Pinned', { exact: true })).toBeVisible();
  await expect(shown.last()).toContainText('TURNIP');

  // Not a follower: the notice instead of the box; a comment reported.
  await signInAs(page, reader);
  await page.goto(path);
  await expect(page.getByText('Only followers can comment.')).toBeVisible();
  await expect(page.getByLabel('Add a comment')).toHaveCount(0);
  await expect(shown.first().getByText('Pinned', { exact: true })).toBeVisible();
  const reported = shown.filter({ hasText: 'First, the lighthouse' });
  await reported.getByRole('button', { name: 'Report' }).click();
  await reported.getByLabel('Reason').selectOption('spam');
  await expectAccessible(page, 'post with a report open');
  await reported.getByRole('button', { name: 'Send report' }).click();
  await expect(reported.getByRole('status')).toHaveText('Thanks for reporting');
});

test("an organisation's moderator pins and hides comments on its post, acting as it @desktop", async ({ page }) => {
  const owner = await makeUser('owner');
  const moderator = await makeUser('moderator');
  const approver = await makeUser('approver');
  const fan = await makeUser('fan');
  const org = makeOrganisation(owner, { prefix: 'harbour' });
  for (const [who, roles] of [[moderator, ['moderator']], [approver, ['approver']]]) {
    await addStaff(org, owner, who, roles);
  }
  const statusId = await publishAsOrganisation(org, owner, approver, 'Open day at the harbour', 41);
  for (const text of ['When does it start?', 'Rude but in no list', 'Lovely']) {
    await api('POST', '/api/v1/statuses', { token: fan.token, json: { status: text, in_reply_to_id: statusId } });
  }

  await signInAs(page, moderator);
  await page.goto(`/p/${statusId}`);
  const shown = page.locator('.comments > .comment');
  await expect(shown).toHaveCount(3);
  await expect(page.getByLabel('Who can comment')).toHaveValue('on');
  await shown.filter({ hasText: 'When does it start?' }).getByRole('button', { name: 'Pin' }).click();
  await expect(shown.first().getByText('Pinned', { exact: true })).toBeVisible();
  const rude = shown.filter({ hasText: 'Rude but in no list' });
  await rude.getByRole('button', { name: 'Hide' }).click();
  await expect(rude.getByRole('button', { name: 'Unhide' })).toBeVisible();
  // Done as the organisation: the public sees the pin and not the hidden
  // comment, and only the audit log names the moderator.
  const seen = (await api('GET', `/api/v1/statuses/${statusId}/context`)).descendants.map((c) => c.content);
  expect(seen).toHaveLength(2);
  expect(seen[0]).toContain('When does it start?');
  const audit = await api('GET', `/api/vantage/v1/organisations/${org.id}/audit`, { token: owner.token });
  expect(audit.filter((e) => ['comment.pinned', 'comment.hidden'].includes(e.action) && e.actor_id === moderator.id))
    .toHaveLength(2);
});
