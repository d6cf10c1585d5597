// Live Q&A (docs/organisations.md, "Live Q&A"): sessions opened by an
// organisation's staff, questions from signed-in members of the public held
// for moderators, answers as the organisation or under the session's
// pseudonym; every transition and every refused one, the role x action
// matrix, the staff-identity check on every public answer, rate limits and
// blocks, against the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, runCli, startServer,
  strongPassword, uniqueName,
} from './lib/server.mjs';
import { registerUser } from './lib/photos.mjs';

let server;
let org;
let otherOrg;
const staff = {};  // owner, editor, approver, moderator, analyst; names carry STAFF_MARK
let asker;
let asker2;
let outsider;

const STAFF_MARK = 'stfx9';
const ORG = (id = org.id) => `/api/vantage/v1/organisations/${id}`;
const QA = (id) => `/api/vantage/v1/qa/${id}`;
const Q = (session, question) => `${QA(session.id)}/questions/${question.id}`;
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();
const ACT = (id = org.id) => ({ 'vantage-act-as': String(id) });

async function call(method, path, user, json, headers) {
  return api(server, method, path, { token: user?.token, json, headers });
}

async function openSession(fields = {}, user = staff.editor) {
  return assertOk(await call('POST', `${ORG()}/qa`, user, {
    title: 'Ask the harbour police', description: 'Questions about the night patrols.',
    ends_at: inSeconds(3600), pseudonym: 'Officer A', ...fields,
  }));
}

async function ask(session, user = asker, fields = {}) {
  return call('POST', `${QA(session.id)}/questions`, user, { text: 'When do the patrols start?', ...fields });
}

async function asked(session, user = asker, fields = {}) {
  return assertOk(await ask(session, user, fields));
}

async function act(session, question, action, user = staff.moderator, json) {
  return call('POST', `${Q(session, question)}/${action}`, user, json);
}

async function approved(session, fields = {}) {
  const question = await asked(session, asker, fields);
  return assertOk(await act(session, question, 'approve'));
}

async function auditFor(type, id) {
  const entries = assertOk(await api(server, 'GET', `${ORG()}/audit?limit=80`, { token: staff.owner.token }));
  return entries.filter((e) => e.target_type === type && e.target_id === id).reverse();
}

// Every string of a JSON value, keys included.
function strings(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { out.push(k); strings(v, out); }
  }
  return out;
}

// No staff member's id, username or display name anywhere in `body`.
function assertNoStaff(body, where) {
  const text = JSON.stringify(body);
  for (const member of Object.values(staff)) {
    for (const value of [member.id, member.username]) {
      assert.ok(!text.includes(value), `${where} names staff ${member.role}: ${value}`);
    }
  }
  assert.ok(!text.toLowerCase().includes(STAFF_MARK), `${where} carries a staff marker`);
  assert.ok(!strings(body).some((s) => /staff|author|answered_by/.test(s)), `${where} has a staff field`);
}

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000',
    '--question-limit-account', '1000', '--question-limit-ip', '1000']);
  const admin = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...admin, role: 'admin' });
  const app = await createApp(server, 'read write follow admin:read admin:write');
  const adminToken = await passwordToken(server, app, admin.username, admin.password, 'read write follow admin:write');
  for (const role of ['owner', 'editor', 'approver', 'moderator', 'analyst']) {
    staff[role] = await registerUser(server, `${STAFF_MARK}${role.slice(0, 3)}`);
    staff[role].role = role;
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: staff[role].token, json: { display_name: `Sergeant ${STAFF_MARK} ${role}` } }));
  }
  asker = await registerUser(server, 'asker');
  asker2 = await registerUser(server, 'asker2');
  outsider = await registerUser(server, 'outsider');
  assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
    { token: asker.token, json: { display_name: 'Curious Resident' } }));
  const make = async () => assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('org'), display_name: 'Harbour Police', owner: staff.owner.username, require_second_factor: false },
  })).account;
  org = await make();
  otherOrg = await make();
  for (const role of ['editor', 'approver', 'moderator', 'analyst']) {
    await joinStaff(server, org.id, staff.owner, staff[role], [role]);
  }
});
after(async () => {
  await server?.stop();
});

describe('sessions', () => {
  test('opened by an editor, read by anyone, edited, closed and archived', async () => {
    let session = await openSession({ starts_at: inSeconds(-60) });
    assert.match(session.id, /^\d+$/);
    assert.equal(session.organisation.id, org.id);
    assert.equal(session.title, 'Ask the harbour police');
    assert.equal(session.pseudonym, 'Officer A');
    assert.equal(session.state, 'open');
    assert.equal(session.accepting_questions, true);
    assert.equal(session.closed_at, null);

    const read = assertOk(await api(server, 'GET', QA(session.id)));
    assert.equal(read.title, session.title);
    assert.deepEqual(read.questions, []);
    const listed = assertOk(await api(server, 'GET', `${ORG()}/qa`));
    assert.ok(listed.some((s) => s.id === session.id));

    session = assertOk(await call('PUT', QA(session.id), staff.editor, { title: 'Ask us anything', pseudonym: '' }));
    assert.equal(session.title, 'Ask us anything');
    assert.equal(session.pseudonym, null);
    assert.equal(session.description, 'Questions about the night patrols.');

    session = assertOk(await call('POST', `${QA(session.id)}/close`, staff.editor));
    assert.equal(session.state, 'closed');
    assert.ok(session.closed_at);
    assert.equal(session.accepting_questions, false);
    assertError(await call('POST', `${QA(session.id)}/close`, staff.editor), 409, 'invalid_transition');
    assertError(await call('PUT', QA(session.id), staff.editor, { title: 'Again' }), 409, 'session_closed');
    assertError(await ask(session), 409, 'session_closed');

    session = assertOk(await call('POST', `${QA(session.id)}/archive`, staff.owner));
    assert.equal(session.state, 'archived');
    assert.ok(session.archived_at);
    assertError(await call('POST', `${QA(session.id)}/archive`, staff.editor), 409, 'session_archived');
    assertError(await call('POST', `${QA(session.id)}/close`, staff.editor), 409, 'session_archived');
    assertError(await call('PUT', QA(session.id), staff.editor, { title: 'Again' }), 409, 'session_archived');
    assertError(await ask(session), 409, 'session_archived');
    assert.equal(assertOk(await api(server, 'GET', QA(session.id))).state, 'archived');

    const audit = await auditFor('qa_session', session.id);
    assert.deepEqual(audit.map((e) => e.action), ['qa.opened', 'qa.edited', 'qa.closed', 'qa.archived']);
    assert.equal(audit[0].actor_id, staff.editor.id);
  });

  test('an open session cannot be archived before it is closed', async () => {
    const session = await openSession();
    assertError(await call('POST', `${QA(session.id)}/archive`, staff.editor), 409, 'invalid_transition');
  });

  test('bad input names the field', async () => {
    const bad = async (fields, field, code) => assertError(await call('POST', `${ORG()}/qa`, staff.editor, {
      title: 'T', ends_at: inSeconds(3600), ...fields,
    }), 422, code, field);
    await bad({ title: '' }, 'title', 'missing_field');
    await bad({ title: 'x'.repeat(101) }, 'title', 'too_long');
    await bad({ title: 'two\nlines' }, 'title');
    await bad({ description: 'x'.repeat(2001) }, 'description', 'too_long');
    await bad({ ends_at: undefined }, 'ends_at', 'missing_field');
    await bad({ ends_at: 'tomorrow' }, 'ends_at');
    await bad({ starts_at: '2026-13-01T00:00:00Z' }, 'starts_at');
    await bad({ starts_at: inSeconds(7200) }, 'ends_at');
    await bad({ ends_at: inSeconds(40 * 24 * 3600) }, 'ends_at');
    await bad({ pseudonym: 'O'.repeat(31) }, 'pseudonym', 'too_long');
    await bad({ pseudonym: 'Officer\u202eA' }, 'pseudonym');
  });

  test('a pseudonym that could pass for a verified account is refused', async () => {
    const official = await registerUser(server, 'coastguard');
    const r = await runCli(['admin', 'verify', ...server.dataArgs, official.username]);
    assert.equal(r.code, 0, r.stderr);
    // Cyrillic о and а in place of the Latin letters.
    const lookalike = official.username.replace(/o/g, '\u043e').replace(/a/g, '\u0430');
    assertError(await call('POST', `${ORG()}/qa`, staff.editor, {
      title: 'T', ends_at: inSeconds(3600), pseudonym: lookalike,
    }), 422, 'confusable_with_verified', 'pseudonym');
    const session = await openSession();
    assertError(await call('PUT', QA(session.id), staff.editor, { pseudonym: official.username.toUpperCase() }),
      422, 'confusable_with_verified', 'pseudonym');
  });

  test('unknown sessions are 404', async () => {
    assertError(await api(server, 'GET', QA('123456789')), 404);
    assertError(await api(server, 'GET', QA('nope')), 404);
    assertError(await api(server, 'GET', `${ORG(asker.id)}/qa`), 404);
  });
});

describe('questions', () => {
  test('held, approved, answered under the pseudonym, edited with history; the public sees only that', async () => {
    const session = await openSession();
    let question = await asked(session, asker, { text: 'Are the patrols armed?', show_name: true });
    assert.equal(question.state, 'held');
    assert.equal(question.answer, null);
    assert.equal(question.asker.id, asker.id);
    const hidden = await asked(session, asker2, { text: 'What about the lighthouse?' });
    assert.equal(hidden.asker, null);
    assert.equal(hidden.asker_name, 'a member of the public');

    assert.deepEqual(assertOk(await api(server, 'GET', QA(session.id))).questions, []);
    const queue = assertOk(await call('GET', `${QA(session.id)}/queue?state=held`, staff.moderator));
    assert.deepEqual(queue.map((q) => q.id), [question.id, hidden.id]);
    assert.equal(queue[1].account.id, asker2.id, 'moderators see who asked');
    assert.equal(queue[1].show_name, false);

    question = assertOk(await act(session, question, 'approve'));
    assert.equal(question.state, 'approved');
    // Approved but not answered: still not public.
    assert.deepEqual(assertOk(await api(server, 'GET', QA(session.id))).questions, []);

    question = assertOk(await act(session, question, 'answer', staff.editor,
      { text: 'Only the night shift.', as: 'pseudonym' }));
    assert.deepEqual({ ...question.answer, answered_at: null },
      { text: 'Only the night shift.', as: 'pseudonym', name: 'Officer A', answered_at: null, edited_at: null });
    assertError(await act(session, question, 'answer', staff.editor, { text: 'Again' }), 409, 'already_answered');

    question = assertOk(await call('PUT', `${Q(session, question)}/answer`, staff.moderator,
      { text: 'Only the night shift, from 22:00.' }));
    assert.equal(question.answer.text, 'Only the night shift, from 22:00.');
    assert.equal(question.answer.as, 'pseudonym');
    assert.ok(question.answer.edited_at);

    const page = assertOk(await api(server, 'GET', QA(session.id)));
    assert.deepEqual(page.questions.map((q) => q.id), [question.id]);
    assert.equal(page.questions[0].asker_name, 'Curious Resident');
    assert.equal(page.questions[0].state, undefined);
    const history = assertOk(await api(server, 'GET', `${Q(session, question)}/history`));
    assert.deepEqual(history.map((h) => h.text), ['Only the night shift.', 'Only the night shift, from 22:00.']);
    assertError(await api(server, 'GET', `${Q(session, hidden)}/history`), 404);
    assertNoStaff(page, 'the public session');
    assertNoStaff(history, 'the history');
    assertNoStaff(assertOk(await api(server, 'GET', `${QA(session.id)}/questions`)), 'the question list');
    assertNoStaff(assertOk(await api(server, 'GET', `${ORG()}/qa`)), 'the session list');
    assertNoStaff(question, "the staff's own answer");

    // Only the audit log says who answered and who edited.
    const audit = await auditFor('qa_question', question.id);
    assert.deepEqual(audit.map((e) => [e.action, e.actor_id]), [
      ['qa.question_approved', staff.moderator.id],
      ['qa.answered', staff.editor.id],
      ['qa.answer_edited', staff.moderator.id],
    ]);
    assertError(await api(server, 'GET', `${ORG()}/audit`, { token: staff.editor.token }), 403, 'role_required');
  });

  test('answers as the organisation; as pseudonym only when the session has one', async () => {
    const session = await openSession({ pseudonym: undefined });
    assert.equal(session.pseudonym, null);
    const question = await approved(session);
    assertError(await act(session, question, 'answer', staff.editor, { text: 'Yes', as: 'pseudonym' }),
      422, 'no_pseudonym', 'as');
    assertError(await act(session, question, 'answer', staff.editor, { text: 'Yes', as: 'officer' }), 422, null, 'as');
    assertError(await act(session, question, 'answer', staff.editor, { text: '' }), 422, 'missing_field', 'text');
    assertError(await act(session, question, 'answer', staff.editor, {}), 422, 'missing_field', 'text');
    const answered = assertOk(await act(session, question, 'answer', staff.editor, { text: 'Yes.' }));
    assert.equal(answered.answer.as, 'organisation');
    assert.equal(answered.answer.name, 'Harbour Police');
  });

  test('merging duplicates: the merged question disappears, the target counts it', async () => {
    const session = await openSession();
    const target = await approved(session, { text: 'Patrol hours?' });
    const dup1 = await asked(session, asker, { text: 'When are patrols?' });
    const dup2 = await asked(session, asker2, { text: 'Patrol times please' });
    assertOk(await act(session, dup2, 'merge', staff.moderator, { into: dup1.id }));
    const merged = assertOk(await act(session, dup1, 'merge', staff.moderator, { into: target.id }));
    assert.equal(merged.state, 'merged');
    assert.equal(merged.merged_into, target.id);
    const answered = assertOk(await act(session, target, 'answer', staff.editor, { text: 'From 22:00.' }));
    assert.equal(answered.duplicates_count, 2);
    const page = assertOk(await api(server, 'GET', QA(session.id)));
    assert.deepEqual(page.questions.map((q) => [q.id, q.duplicates_count]), [[target.id, 2]]);

    assertError(await act(session, dup1, 'merge', staff.moderator, { into: target.id }), 409, 'invalid_transition');
    const other = await asked(session);
    assertError(await act(session, other, 'merge', staff.moderator, { into: other.id }), 422, 'merge_target_invalid', 'into');
    assertError(await act(session, other, 'merge', staff.moderator, { into: dup1.id }), 422, 'merge_target_invalid', 'into');
    assertError(await act(session, other, 'merge', staff.moderator, {}), 422, 'missing_field', 'into');
    const elsewhere = await asked(await openSession());
    assertError(await act(session, other, 'merge', staff.moderator, { into: elsewhere.id }), 422, 'merge_target_invalid');
    assertError(await act(session, answered, 'merge', staff.moderator, { into: other.id }), 409, 'invalid_transition');
  });

  test('every refused question transition', async () => {
    const session = await openSession();
    const held = await asked(session);
    assertError(await act(session, held, 'answer', staff.editor, { text: 'x' }), 409, 'invalid_transition');
    assertError(await act(session, held, 'mark_answered'), 409, 'invalid_transition');
    assertError(await call('PUT', `${Q(session, held)}/answer`, staff.editor, { text: 'x' }), 409, 'invalid_transition');

    const rejected = assertOk(await act(session, await asked(session), 'reject'));
    assert.equal(rejected.state, 'rejected');
    for (const action of ['approve', 'reject', 'mark_answered']) {
      assertError(await act(session, rejected, action), 409, 'invalid_transition');
    }
    assertError(await act(session, rejected, 'merge', staff.moderator, { into: held.id }), 409, 'invalid_transition');

    const ok = await approved(session);
    assertError(await act(session, ok, 'approve'), 409, 'invalid_transition');
    const marked = assertOk(await act(session, ok, 'mark_answered'));
    assert.equal(marked.answered, true);
    assert.equal(marked.answer, null);
    assertError(await act(session, ok, 'mark_answered'), 409, 'invalid_transition');
    assertError(await act(session, ok, 'reject'), 409, 'invalid_transition');
    // Marked answered: public, without words; it may still get an answer.
    assert.deepEqual(assertOk(await api(server, 'GET', QA(session.id))).questions.map((q) => q.id), [ok.id]);
    assert.equal(assertOk(await act(session, ok, 'answer', staff.editor, { text: 'Done.' })).answer.text, 'Done.');

    assertError(await act(session, { id: '987654321' }, 'approve'), 404);
    assertError(await act(session, { id: 'x' }, 'approve'), 404);
    const elsewhere = await asked(await openSession());
    assertError(await act(session, elsewhere, 'approve'), 404);

    // Closing stops new questions; triage and answers go on. Archiving stops everything.
    const waiting = await approved(session);
    const stillHeld = await asked(session);
    assertOk(await call('POST', `${QA(session.id)}/close`, staff.editor));
    assertError(await ask(session), 409, 'session_closed');
    assertOk(await act(session, waiting, 'answer', staff.editor, { text: 'After closing.' }));
    assertOk(await call('POST', `${QA(session.id)}/archive`, staff.editor));
    assertError(await act(session, stillHeld, 'approve'), 409, 'session_archived');
    assertError(await call('PUT', `${Q(session, waiting)}/answer`, staff.editor, { text: 'x' }), 409, 'session_archived');
    assert.equal(assertOk(await api(server, 'GET', QA(session.id))).questions.length, 2);
  });

  test('asking: bad input, times, and who may ask', async () => {
    const session = await openSession();
    assertError(await ask(session, asker, { text: '' }), 422, 'missing_field', 'text');
    assertError(await ask(session, asker, { text: '   ' }), 422, 'missing_field', 'text');
    assertError(await ask(session, asker, { text: 'x'.repeat(501) }), 422, 'too_long', 'text');
    assert.equal((await asked(session, asker, { text: 'é'.repeat(500) })).text.length, 500);
    assertError(await ask(session, asker, { show_name: 'perhaps' }), 422, null, 'show_name');
    assertError(await api(server, 'POST', `${QA(session.id)}/questions`, { json: { text: 'Hi' } }), 401);
    assertError(await ask({ id: '123456789' }), 404);
    // The organisation does not ask itself.
    assertError(await call('POST', `${QA(session.id)}/questions`, staff.owner, { text: 'Hi' }, ACT()), 403,
      'organisation_cannot_ask');

    const later = await openSession({ starts_at: inSeconds(600), ends_at: inSeconds(1200) });
    assert.equal(later.accepting_questions, false);
    assertError(await ask(later), 409, 'session_not_started');
    const ended = await openSession({ starts_at: inSeconds(-7200), ends_at: inSeconds(-3600) });
    assertError(await ask(ended), 409, 'session_ended');
  });

  test('accounts the organisation blocks are refused', async () => {
    const session = await openSession();
    const troll = await registerUser(server, 'troll');
    assertOk(await call('POST', `/api/v1/accounts/${troll.id}/block`, staff.owner, undefined, ACT()));
    assertError(await ask(session, troll), 403, 'blocked');
    // Nor do they read its sessions while signed in, as with its posts.
    for (const path of [`/api/vantage/v1/qa/${session.id}`, `/api/vantage/v1/qa/${session.id}/questions`,
      `/api/vantage/v1/qa/${session.id}/stream`, `${ORG()}/qa`]) {
      assertError(await call('GET', path, troll), 404);
    }
    // Blocking the organisation does not stop asking it.
    assertOk(await call('POST', `/api/v1/accounts/${org.id}/block`, asker2));
    assertOk(await ask(session, asker2));
    assertOk(await call('GET', `/api/vantage/v1/qa/${session.id}`, asker2));
    assertOk(await call('POST', `/api/v1/accounts/${org.id}/unblock`, asker2));
    assertOk(await call('POST', `/api/v1/accounts/${troll.id}/unblock`, staff.owner, undefined, ACT()));
    assertOk(await ask(session, troll));
    assertOk(await call('GET', `/api/vantage/v1/qa/${session.id}`, troll));
  });
});

describe('the role x action matrix', () => {
  // Who may: true (2xx or a refusal past authorization), 403 role_required, or 404.
  const MATRIX = {
    owner: { manage: true, queue: true, triage: true, answer: true },
    editor: { manage: true, queue: true, triage: 403, answer: true },
    moderator: { manage: 403, queue: true, triage: true, answer: true },
    approver: { manage: 403, queue: 403, triage: 403, answer: 403 },
    analyst: { manage: 403, queue: 403, triage: 403, answer: 403 },
    outsider: { manage: 404, queue: 404, triage: 404, answer: 404 },
    asker: { manage: 404, queue: 404, triage: 404, answer: 404 },
  };

  test('every role, every action, with and without Vantage-Act-As', async () => {
    const session = await openSession();
    for (const [who, expected] of Object.entries(MATRIX)) {
      const user = staff[who] ?? (who === 'outsider' ? outsider : asker);
      for (const headers of [undefined, staff[who] ? ACT() : undefined]) {
        const question = await asked(session, asker2);
        const ready = await approved(session);
        const requests = {
          manage: () => call('PUT', QA(session.id), user, { description: `by ${who}` }, headers),
          queue: () => call('GET', `${QA(session.id)}/queue`, user, undefined, headers),
          triage: () => call('POST', `${Q(session, question)}/approve`, user, undefined, headers),
          answer: () => call('POST', `${Q(session, ready)}/answer`, user, { text: 'An answer.' }, headers),
        };
        for (const [action, want] of Object.entries(expected)) {
          const res = await requests[action]();
          const label = `${who} ${action}${headers ? ' acting as' : ''}`;
          if (want === true) assert.ok(res.status < 300, `${label}: ${res.status} ${res.text}`);
          else if (want === 403) assertError(res, 403, 'role_required');
          else assertError(res, 404);
        }
      }
    }
    // Opening needs manage too.
    for (const who of ['moderator', 'approver', 'analyst']) {
      assertError(await call('POST', `${ORG()}/qa`, staff[who], { title: 'T', ends_at: inSeconds(60) }), 403, 'role_required');
    }
    assertError(await call('POST', `${ORG()}/qa`, outsider, { title: 'T', ends_at: inSeconds(60) }), 404);
    assertError(await call('POST', `${ORG(otherOrg.id)}/qa`, staff.editor, { title: 'T', ends_at: inSeconds(60) }), 404);
    assertError(await api(server, 'POST', `${ORG()}/qa`, { json: { title: 'T', ends_at: inSeconds(60) } }), 401);
    for (const action of ['close', 'archive']) {
      assertError(await call('POST', `${QA(session.id)}/${action}`, staff.moderator), 403, 'role_required');
      assertError(await call('POST', `${QA(session.id)}/${action}`, outsider), 404);
    }
  });
});

describe('rate limits', () => {
  test('per account and per IP, with Retry-After', async () => {
    const limited = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000',
      '--question-limit-account', '3', '--question-limit-ip', '5']);
    try {
      const admin = { username: uniqueName('admin'), password: strongPassword() };
      await adminCreateAccount(limited, { ...admin, role: 'admin' });
      const app = await createApp(limited, 'read write follow admin:read admin:write');
      const adminToken = await passwordToken(limited, app, admin.username, admin.password, 'read write follow admin:write');
      const owner = await registerUser(limited, 'owner');
      const account = assertOk(await api(limited, 'POST', '/api/vantage/v1/admin/organisations', {
        token: adminToken, json: { username: uniqueName('org'), display_name: 'Limited', owner: owner.username, require_second_factor: false },
      })).account;
      const session = assertOk(await api(limited, 'POST', `/api/vantage/v1/organisations/${account.id}/qa`,
        { token: owner.token, json: { title: 'T', ends_at: inSeconds(3600) } }));
      const [a, b] = [await registerUser(limited, 'a'), await registerUser(limited, 'b')];
      const post = (user) => api(limited, 'POST', `/api/vantage/v1/qa/${session.id}/questions`,
        { token: user.token, json: { text: 'Why?' } });
      for (let i = 0; i < 3; i += 1) assertOk(await post(a));
      const perAccount = await post(a);
      assertError(perAccount, 429);
      assert.ok(Number(perAccount.headers.get('retry-after')) >= 1);
      // The same IP: two more from another account, then the IP is spent.
      assertOk(await post(b));
      assertOk(await post(b));
      const perIp = await post(b);
      assertError(perIp, 429);
      assert.ok(Number(perIp.headers.get('retry-after')) >= 1);
    } finally {
      await limited.stop();
    }
  });
});
