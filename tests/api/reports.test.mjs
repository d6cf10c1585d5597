// Reports (docs/organisations.md, "Reports"): filing (Mastodon's POST
// /api/v1/reports) with its bad input, duplicates answered with the open
// report, the per-account rate limit, the reported account never learning
// who reported, reports of Q&A questions (only those the reporter can see,
// the asker named to admins alone), and the admin queue's transitions and
// permissions, against the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, passwordToken, startServer, strongPassword,
  uniqueName,
} from './lib/server.mjs';
import { postPhoto, registerUser } from './lib/photos.mjs';

let server;
let admin;
let reporter;
let troll;
let bystander;

const report = (user, json) => api(server, 'POST', '/api/v1/reports', { token: user.token, json });
const ADMIN = '/api/vantage/v1/admin/reports';

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  const credentials = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...credentials, role: 'admin' });
  const app = await createApp(server, 'read write follow admin:read admin:write');
  admin = { token: await passwordToken(server, app, credentials.username, credentials.password,
    'read write follow admin:read admin:write') };
  admin.id = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: admin.token })).id;
  reporter = await registerUser(server, 'reporter');
  troll = await registerUser(server, 'troll');
  bystander = await registerUser(server, 'bystander');
});
after(async () => {
  await server?.stop();
});

describe('filing a report', () => {
  test('an account, its posts and comments; a duplicate while open is the same report', async () => {
    const post = await postPhoto(server, troll, { status: 'Bait' });
    const mine = await postPhoto(server, reporter, { status: 'Mine' });
    const comment = assertOk(await api(server, 'POST', '/api/v1/statuses',
      { token: troll.token, json: { status: 'Abuse', in_reply_to_id: mine.id } }));
    const filed = assertOk(await report(reporter, {
      account_id: troll.id, status_ids: [comment.id, post.id], comment: 'Abuse under my post', category: 'violation',
    }));
    assert.equal(filed.target_account.id, troll.id);
    assert.deepEqual(filed.status_ids, [post.id, comment.id].sort());
    assert.equal(filed.category, 'violation');
    assert.equal(filed.vantage_status, 'open');
    assert.equal(filed.action_taken, false);
    assert.equal(filed.account, undefined);
    // The same target again, in any order: the open report, unchanged.
    const again = assertOk(await report(reporter, { account_id: troll.id, status_ids: [post.id, comment.id], comment: 'again' }));
    assert.equal(again.id, filed.id);
    assert.equal(again.comment, 'Abuse under my post');
    // Another target (the account alone) is another report; so is another reporter's.
    const accountOnly = assertOk(await report(reporter, { account_id: troll.id }));
    assert.notEqual(accountOnly.id, filed.id);
    assert.equal(accountOnly.category, 'other');
    const other = assertOk(await report(bystander, { account_id: troll.id }));
    assert.notEqual(other.id, accountOnly.id);
    // Form-encoded, as some clients send it.
    const form = assertOk(await api(server, 'POST', '/api/v1/reports',
      { token: reporter.token, form: { account_id: troll.id, 'status_ids[]': [post.id], category: 'spam' } }));
    assert.deepEqual(form.status_ids, [post.id]);
  });

  test('the reported account never learns who reported', async () => {
    const notes = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: troll.token }));
    assert.ok(!notes.some((n) => n.type.includes('report')), JSON.stringify(notes));
    const markers = [reporter.username, reporter.id, bystander.username];
    for (const url of ['/api/v1/notifications', `/api/v1/accounts/${troll.id}`, '/api/v1/accounts/verify_credentials',
      `/api/v1/accounts/${troll.id}/statuses`]) {
      const res = await api(server, 'GET', url, { token: troll.token });
      const text = res.text.replaceAll(/"id":"\d+"/g, '');
      for (const marker of [reporter.username, bystander.username]) assert.ok(!text.includes(marker), `${url} shows ${marker}`);
    }
    assert.ok(markers.length > 0);
    assertError(await api(server, 'GET', ADMIN, { token: troll.token }), 403, 'insufficient_scope');
  });

  test('bad input is refused naming the field', async () => {
    const post = await postPhoto(server, bystander, { status: 'Innocent' });
    assertError(await report(reporter, {}), 422, 'missing_field', 'account_id');
    assertError(await report(reporter, { account_id: reporter.id }), 422, 'cannot_report_self', 'account_id');
    assertError(await report(reporter, { account_id: '99999999999' }), 404);
    assertError(await report(reporter, { account_id: troll.id, status_ids: [post.id] }), 422, 'not_found', 'status_ids');
    assertError(await report(reporter, { account_id: troll.id, status_ids: ['nope'] }), 422, 'not_found', 'status_ids');
    assertError(await report(reporter, { account_id: troll.id, category: 'rude' }), 422, null, 'category');
    assertError(await report(reporter, { account_id: troll.id, comment: 'x'.repeat(1001) }), 422, 'too_long', 'comment');
    assertError(await report(reporter, { account_id: troll.id, status_ids: Array.from({ length: 21 }, (_, i) => String(i + 1)) }),
      422, 'too_many', 'status_ids');
    assertError(await report(reporter, { account_id: troll.id, vantage_question_id: '1' }), 422, 'not_allowed',
      'account_id');
    assertError(await api(server, 'POST', '/api/v1/reports', { json: { account_id: troll.id } }), 401);
  });

  test('a private post the reporter cannot see cannot be named', async () => {
    const hidden = await postPhoto(server, troll, { status: 'Followers only', visibility: 'private' });
    assertError(await report(reporter, { account_id: troll.id, status_ids: [hidden.id] }), 422, 'not_found', 'status_ids');
  });

  test('reports are rate-limited per account', async () => {
    const spammer = await registerUser(server, 'spammer');
    const targets = [];
    for (let i = 0; i < 31; i += 1) targets.push(await registerUser(server, `target${i}`));
    for (let i = 0; i < 30; i += 1) assertOk(await report(spammer, { account_id: targets[i].id }));
    const res = await report(spammer, { account_id: targets[30].id });
    assertError(res, 429, 'rate_limited');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    // Others are not affected.
    assertOk(await report(bystander, { account_id: targets[30].id }));
  });
});

describe('reporting a Q&A question', () => {
  test('a public answered question or, for its staff, a held one; idempotent; the asker shown to admins only', async () => {
    const owner = await registerUser(server, 'qaowner');
    const asker = await registerUser(server, 'qaasker');
    const org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
      token: admin.token, json: { username: uniqueName('org'), display_name: 'Harbour Police', owner: owner.username, require_second_factor: false },
    })).account;
    const session = assertOk(await api(server, 'POST', `/api/vantage/v1/organisations/${org.id}/qa`, {
      token: owner.token, json: { title: 'Ask us', ends_at: new Date(Date.now() + 3600_000).toISOString() },
    }));
    const QA = `/api/vantage/v1/qa/${session.id}`;
    const ask = async (text) => assertOk(await api(server, 'POST', `${QA}/questions`, { token: asker.token, json: { text } }));
    const answered = await ask('Why do the patrols stop at midnight?');
    assertOk(await api(server, 'POST', `${QA}/questions/${answered.id}/approve`, { token: owner.token }));
    assertOk(await api(server, 'POST', `${QA}/questions/${answered.id}/answer`, { token: owner.token, json: { text: 'They do not.' } }));
    const held = await ask('A held abusive question');

    const filed = assertOk(await report(reporter, { vantage_question_id: answered.id, comment: 'Abusive', category: 'violation' }));
    assert.equal(filed.vantage_question_id, answered.id);
    assert.equal(filed.target_account, null);  // the asker chose not to be named
    assert.deepEqual(filed.status_ids, []);
    assert.equal(filed.vantage_status, 'open');
    for (const marker of [asker.username, asker.id]) assert.ok(!JSON.stringify(filed).includes(marker));
    const again = assertOk(await report(reporter, { vantage_question_id: answered.id, comment: 'again' }));
    assert.equal(again.id, filed.id);
    assert.equal(again.comment, 'Abusive');
    // A report of the asker's account is another target.
    assert.notEqual(assertOk(await report(reporter, { account_id: asker.id })).id, filed.id);

    // A held question reads as missing to the public, and to its asker as their own.
    assertError(await report(reporter, { vantage_question_id: held.id }), 422, 'not_found', 'vantage_question_id');
    assertError(await report(reporter, { vantage_question_id: 'nope' }), 422, 'not_found', 'vantage_question_id');
    assertError(await report(reporter, { vantage_question_id: '99999999999' }), 422, 'not_found', 'vantage_question_id');
    assertError(await report(asker, { vantage_question_id: held.id }), 422, 'cannot_report_self', 'vantage_question_id');
    assertError(await report(asker, { vantage_question_id: answered.id }), 422, 'cannot_report_self', 'vantage_question_id');
    assertError(await report(reporter, { vantage_question_id: answered.id, status_ids: [answered.id] }), 422, 'not_allowed',
      'status_ids');
    assertError(await report(reporter, { vantage_question_id: answered.id, account_id: asker.id }), 422, 'not_allowed',
      'account_id');
    assertError(await api(server, 'POST', '/api/v1/reports', { json: { vantage_question_id: answered.id } }), 401);
    // An account the organisation blocks reads none of its sessions, so reports none of its questions.
    const blocked = await registerUser(server, 'qablocked');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${blocked.id}/block`,
      { token: owner.token, headers: { 'vantage-act-as': org.id } }));
    assertError(await report(blocked, { vantage_question_id: answered.id }), 422, 'not_found', 'vantage_question_id');
    // The organisation's staff read the queue, so they may report a held question.
    const byStaff = assertOk(await report(owner, { vantage_question_id: held.id }));
    assert.equal(byStaff.vantage_question_id, held.id);

    const queued = assertOk(await api(server, 'GET', `${ADMIN}?status=open`, { token: admin.token }));
    const listed = queued.find((r) => r.id === filed.id);
    assert.ok(listed);
    assert.equal(listed.target_account.id, asker.id);
    assert.equal(listed.account.id, reporter.id);
    assert.equal(listed.vantage_question.id, answered.id);
    assert.equal(listed.vantage_question.session_id, session.id);
    assert.equal(listed.vantage_question.text, 'Why do the patrols stop at midnight?');
    assert.equal(listed.vantage_question.state, 'approved');
    assert.equal(listed.vantage_question.answered, true);
    const heldReport = assertOk(await api(server, 'GET', `${ADMIN}/${byStaff.id}`, { token: admin.token }));
    assert.equal(heldReport.vantage_question.state, 'held');
    assert.equal(heldReport.vantage_question.answered, false);

    // The asker never learns who reported.
    for (const url of ['/api/v1/notifications', '/api/v1/accounts/verify_credentials', `${QA}/questions`]) {
      const res = await api(server, 'GET', url, { token: asker.token });
      const text = res.text.replaceAll(/"id":"\d+"/g, '');
      for (const marker of [reporter.username, owner.username, 'report']) assert.ok(!text.includes(marker), `${url} shows ${marker}`);
    }
  });
});

describe('the admin queue', () => {
  test('lists by status; resolve, dismiss and reopen with timestamps; each transition once', async () => {
    const target = await registerUser(server, 'queued');
    const filed = assertOk(await report(reporter, { account_id: target.id, comment: 'Queue me' }));
    const open = assertOk(await api(server, 'GET', `${ADMIN}?status=open`, { token: admin.token }));
    const listed = open.find((r) => r.id === filed.id);
    assert.ok(listed);
    assert.equal(listed.account.id, reporter.id);
    assert.equal(listed.closed_at, null);
    const act = (name, token = admin.token) => api(server, 'POST', `${ADMIN}/${filed.id}/${name}`, { token });

    const resolved = assertOk(await act('resolve'));
    assert.equal(resolved.vantage_status, 'resolved');
    assert.equal(resolved.action_taken, true);
    assert.ok(resolved.action_taken_at);
    assert.ok(resolved.closed_at);
    assert.equal(resolved.closed_by_id, admin.id);
    assertError(await act('resolve'), 409, 'invalid_transition');
    assert.ok(assertOk(await api(server, 'GET', `${ADMIN}?status=resolved`, { token: admin.token })).some((r) => r.id === filed.id));
    assert.ok(!assertOk(await api(server, 'GET', `${ADMIN}?status=open`, { token: admin.token })).some((r) => r.id === filed.id));
    // Resolved, the same target may be reported afresh.
    const fresh = assertOk(await report(reporter, { account_id: target.id }));
    assert.notEqual(fresh.id, filed.id);
    // Reopening while that fresh report is open would make two: refused.
    assertError(await act('reopen'), 409, 'invalid_transition');
    assertOk(await api(server, 'POST', `${ADMIN}/${fresh.id}/dismiss`, { token: admin.token }));

    const reopened = assertOk(await act('reopen'));
    assert.equal(reopened.vantage_status, 'open');
    assert.equal(reopened.closed_at, null);
    assert.equal(reopened.action_taken, false);
    assertError(await act('reopen'), 409, 'invalid_transition');
    const dismissed = assertOk(await act('dismiss'));
    assert.equal(dismissed.vantage_status, 'dismissed');
    assert.equal(dismissed.action_taken, false);
    assert.ok(dismissed.closed_at);
    assertError(await act('dismiss'), 409, 'invalid_transition');
    assertOk(await act('resolve'));
    const one = assertOk(await api(server, 'GET', `${ADMIN}/${filed.id}`, { token: admin.token }));
    assert.equal(one.vantage_status, 'resolved');
    assert.ok(assertOk(await api(server, 'GET', ADMIN, { token: admin.token })).length >= 2);
  });

  test('only instance admins: others 403 admin_required, anonymous 401, bad input named', async () => {
    const target = await registerUser(server, 'perm');
    const filed = assertOk(await report(bystander, { account_id: target.id }));
    // An ordinary account holding the admin scopes is still no admin.
    const app = await createApp(server, 'read write follow admin:read admin:write');
    const scoped = await passwordToken(server, app, bystander.username, bystander.password, 'read write admin:read admin:write');
    for (const [method, url] of [['GET', ADMIN], ['GET', `${ADMIN}/${filed.id}`], ['POST', `${ADMIN}/${filed.id}/resolve`],
      ['POST', `${ADMIN}/${filed.id}/dismiss`], ['POST', `${ADMIN}/${filed.id}/reopen`]]) {
      assertError(await api(server, method, url, { token: scoped }), 403, 'admin_required');
      assertError(await api(server, method, url, { token: reporter.token }), 403, 'insufficient_scope');
      assertError(await api(server, method, url), 401);
    }
    assertError(await api(server, 'GET', `${ADMIN}?status=closed`, { token: admin.token }), 422, null, 'status');
    assertError(await api(server, 'POST', `${ADMIN}/99999999/resolve`, { token: admin.token }), 404);
    const still = assertOk(await api(server, 'GET', `${ADMIN}/${filed.id}`, { token: admin.token }));
    assert.equal(still.vantage_status, 'open');
  });
});
