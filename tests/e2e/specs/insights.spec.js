// The staff console's Insights and Audit log pages: an analyst reads the
// organisation's followers by hour as a chart (and its table), an owner the
// audit log with their own sign-in and the role changes they made.
import {
  test, expect, makeUser, makeOrganisation, addStaff, publishAsOrganisation, api, signInAs, expectAccessible, screenshot,
} from '../lib/fixtures.js';

test('an analyst sees the follower chart after some follows @desktop', async ({ page }, testInfo) => {
  const owner = await makeUser('owner');
  const analyst = await makeUser('analyst', { displayName: 'Ana Lyst' });
  const org = makeOrganisation(owner, { prefix: 'gallery', displayName: 'Harbour Gallery' });
  await addStaff(org, owner, analyst, ['analyst']);
  const fans = [await makeUser('fan'), await makeUser('fan'), await makeUser('fan')];
  for (const fan of fans) await api('POST', `/api/v1/accounts/${org.id}/follow`, { token: fan.token });
  await api('POST', `/api/v1/accounts/${org.id}/unfollow`, { token: fans[2].token });
  // A post of the organisation (drafted by the owner, approved by another
  // member), liked twice and commented once.
  const approver = await makeUser('approver');
  await addStaff(org, owner, approver, ['approver']);
  const statusId = await publishAsOrganisation(org, owner, approver, 'The summer show opens');
  for (const fan of fans.slice(0, 2)) await api('POST', `/api/v1/statuses/${statusId}/favourite`, { token: fan.token });
  await api('POST', '/api/v1/statuses', { token: fans[0].token, json: { status: 'Lovely', in_reply_to_id: statusId } });

  await signInAs(page, analyst);
  // The console's landing (Drafts) is not an analyst's: they are taken to their first tab.
  await page.goto(`/console/${org.id}`);
  await expect(page).toHaveURL(new RegExp(`/console/${org.id}/insights$`));
  await expect(page).toHaveTitle(/^Insights · /);
  const tabs = page.getByRole('navigation', { name: 'Console' });
  await expect(tabs.getByRole('link', { name: 'Insights' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('2 followers now.')).toBeVisible();
  const chart = page.getByRole('img', { name: /^Followers by hour, / });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('aria-label', /Followers: 2 to 2, highest 2\.$/);
  await expect(chart.locator('path.chart-line')).toHaveCount(1);
  // The same numbers as a table for screen readers.
  const table = page.getByRole('table', { name: 'Followers by hour' });
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody td')).toHaveText(['2']);
  const post = page.locator('section.card').filter({ has: page.getByRole('link', { name: 'The summer show opens' }) });
  await expect(post.getByText('2 likes, 1 comment.')).toBeVisible();
  await expect(post.getByRole('img', { name: /^Likes and comments by hour, / }))
    .toHaveAttribute('aria-label', /Likes: 2 to 2, highest 2; Comments: 1 to 1, highest 1\.$/);
  await expect(post.getByRole('table', { name: 'Likes and comments by hour' }).locator('tbody td')).toHaveText(['2', '1']);
  await expectAccessible(page, 'console insights');
  await screenshot(page, testInfo, 'console-insights');

  // The audit log is for owners.
  await page.goto(`/console/${org.id}/audit`);
  await expect(page.getByText('Your roles (analyst) do not include this page.')).toBeVisible();
  expect((await api('GET', `/api/vantage/v1/organisations/${org.id}/audit`, { token: analyst.token }).catch((e) => e.message))).toMatch(/403/);
});

test('an owner reads the audit log: their sign-in, the invitation and the role changes @desktop', async ({ page }, testInfo) => {
  const owner = await makeUser('owner', { displayName: 'Olga Owner' });
  const member = await makeUser('member');
  const org = makeOrganisation(owner, { prefix: 'archive', displayName: 'Port Archive' });
  // Invited as an editor and accepted, then made an analyst instead.
  await addStaff(org, owner, member, ['editor']);
  await api('PUT', `/api/vantage/v1/organisations/${org.id}/staff/${member.id}`, { token: owner.token, json: { roles: ['analyst'] } });

  await signInAs(page, owner);
  await page.goto(`/console/${org.id}/audit`);
  const rows = page.locator('table.audit tbody tr');
  // Newest first: the sign-in (its address as the log keeps it, the
  // network), editor swapped for analyst, the invitation, the creation.
  await expect(rows.first()).toContainText('Signed in');
  await expect(rows.first().locator('td').nth(1)).toHaveText(`@${owner.username}`);
  await expect(rows.first().locator('td').nth(4)).toHaveText('127.0.0.0/24');
  await expect(rows.filter({ hasText: 'Role added: analyst' }).locator('td').nth(3)).toHaveText(`@${member.username}`);
  await expect(rows.filter({ hasText: 'Role removed: editor' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Role added: editor' })).toHaveCount(1);
  const invited = rows.filter({ hasText: 'Invited as editor' });
  await expect(invited.locator('td').nth(1)).toHaveText(`@${owner.username}`);
  await expect(invited.locator('td').nth(3)).toHaveText(`@${member.username}`);
  await expect(rows.filter({ hasText: 'Invitation accepted' }).locator('td').nth(1)).toHaveText(`@${member.username}`);
  await expect(rows.filter({ hasText: 'Role added: owner' }).locator('td').nth(3)).toHaveText(`@${owner.username}`);
  await expect(rows.filter({ hasText: 'Organisation created' }).locator('td').nth(1)).toHaveText('Command line');
  await expectAccessible(page, 'console audit log');
  await screenshot(page, testInfo, 'console-audit');
});
