// The approval workflow of organisations (docs/organisations.md): drafts
// written by editors, approved by someone who did not write them, published
// now or at a scheduled time as the organisation alone; every transition and
// every refused one, the role x endpoint matrix, bad input and the audit
// entries, against the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, startServer, strongPassword,
  uniqueName, waitFor,
} from './lib/server.mjs';
import { linkHeader, noiseJpeg, registerUser } from './lib/photos.mjs';

let server;
let org;
let otherOrg;
const staff = {};  // owner, editor, editor2 (editor + approver), approver, approver2, moderator, analyst
let outsider;
let follower;

const ORG = (id = org.id) => `/api/vantage/v1/organisations/${id}`;
const DRAFTS = (id = org.id) => `${ORG(id)}/drafts`;
const ACT = (id = org.id) => ({ 'vantage-act-as': String(id) });
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();

// An upload as the organisation (staff send it with Vantage-Act-As), ready.
async function upload(user = staff.editor, orgId = org.id) {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await api(server, 'POST', '/api/v2/media', { token: user.token, headers: ACT(orgId), body: form });
  assert.ok(res.status === 200 || res.status === 202, res.text);
  const { id } = res.json;
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`,
    { token: user.token, headers: ACT(orgId) })).status === 200, { timeoutMs: 15_000 });
  return id;
}

async function call(method, path, user, json) {
  return api(server, method, path, { token: user?.token, json });
}

async function createDraft(fields = {}, user = staff.editor) {
  const media = fields.media_ids ?? [await upload(user)];
  return assertOk(await call('POST', DRAFTS(), user, { status: 'Archive photo #history', ...fields, media_ids: media }));
}

// approve, reject, publish and schedule are of the draft as last read: they
// send its `version` unless `json` has one of its own.
const VERSIONED = new Set(['approve', 'reject', 'publish', 'schedule']);
async function transition(draft, name, user, json) {
  if (VERSIONED.has(name) && !(json && 'version' in json)) json = { ...json, version: draft.version };
  return call('POST', `${DRAFTS()}/${draft.id}/${name}`, user, json);
}

async function submitted(fields = {}) {
  const draft = await createDraft(fields);
  return assertOk(await transition(draft, 'submit', staff.editor));
}

async function approved(fields = {}) {
  const draft = await submitted(fields);
  return assertOk(await transition(draft, 'approve', staff.approver));
}

async function auditFor(draftId) {
  const entries = assertOk(await api(server, 'GET', `${ORG()}/audit?limit=80`, { token: staff.owner.token }));
  return entries.filter((e) => e.target_type === 'draft' && e.target_id === draftId).reverse();
}

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  const admin = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...admin, role: 'admin' });
  const app = await createApp(server, 'read write follow admin:read admin:write');
  const adminToken = await passwordToken(server, app, admin.username, admin.password, 'read write follow admin:write');
  for (const name of ['owner', 'editor', 'editor2', 'approver', 'approver2', 'moderator', 'analyst']) {
    staff[name] = await registerUser(server, name);
  }
  outsider = await registerUser(server, 'outsider');
  follower = await registerUser(server, 'follower');
  const make = async () => assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('org'), display_name: 'Archive Service', owner: staff.owner.username, require_second_factor: false },
  })).account;
  org = await make();
  otherOrg = await make();
  const roles = {
    editor: ['editor'], editor2: ['editor', 'approver'], approver: ['approver'], approver2: ['approver'],
    moderator: ['moderator'], analyst: ['analyst'],
  };
  for (const [name, list] of Object.entries(roles)) await joinStaff(server, org.id, staff.owner, staff[name], list);
  await joinStaff(server, otherOrg.id, staff.owner, staff.editor, ['editor']);
  assertOk(await api(server, 'POST', `/api/v1/accounts/${org.id}/follow`, { token: follower.token }));
});
after(async () => {
  await server?.stop();
});

describe('the way to publication', () => {
  test('draft, submit, approve and publish: an ordinary post by the organisation alone', async () => {
    const media = [await upload(), await upload()];
    let draft = await createDraft({
      media_ids: media, status: 'From the archive #history', spoiler_text: '', sensitive: false,
      visibility: 'public', language: 'en', vantage_cta: { url: 'https://jobs.example.org/apply', label: 'Join us' },
    });
    assert.equal(draft.state, 'draft');
    assert.equal(draft.status, 'From the archive #history');
    assert.deepEqual(draft.media_attachments.map((m) => m.id), media);
    assert.deepEqual(draft.vantage_cta, { url: 'https://jobs.example.org/apply', label: 'Join us', domain: 'jobs.example.org' });
    assert.equal(draft.author.id, staff.editor.id);
    assert.equal(draft.approvals_required, 1);
    assert.deepEqual(draft.approvals, []);
    for (const key of ['scheduled_at', 'published_at', 'status_id', 'rejection_reason', 'rejected_by']) {
      assert.equal(draft[key], null, key);
    }

    draft = assertOk(await transition(draft, 'submit', staff.editor));
    assert.equal(draft.state, 'submitted');
    draft = assertOk(await transition(draft, 'approve', staff.approver));
    assert.equal(draft.state, 'approved');
    assert.deepEqual(draft.approvals.map((a) => a.account.id), [staff.approver.id]);
    draft = assertOk(await transition(draft, 'publish', staff.editor));
    assert.equal(draft.state, 'published');
    assert.match(draft.status_id, /^\d+$/);
    assert.ok(draft.published_at);

    const status = assertOk(await api(server, 'GET', `/api/v1/statuses/${draft.status_id}`));
    assert.equal(status.account.id, org.id);
    assert.equal(status.application, null);
    assert.deepEqual(status.media_attachments.map((m) => m.id), media);
    assert.equal(status.vantage_cta.domain, 'jobs.example.org');
    assert.deepEqual(status.tags.map((t) => t.name), ['history']);
    // Nothing of the staff who wrote and approved it.
    for (const who of [staff.editor, staff.approver]) {
      for (const marker of [who.username, who.id]) assert.ok(!JSON.stringify(status).includes(marker), marker);
    }
    const home = assertOk(await api(server, 'GET', '/api/v1/timelines/home', { token: follower.token }));
    assert.ok(home.some((s) => s.id === draft.status_id), 'in a follower\'s home timeline');

    const audit = await auditFor(draft.id);
    assert.deepEqual(audit.map((e) => e.action), ['draft.created', 'draft.submitted', 'draft.approved', 'draft.published']);
    assert.deepEqual(audit.map((e) => e.actor_id),
      [staff.editor.id, staff.editor.id, staff.approver.id, staff.editor.id]);
    assert.equal(audit[3].detail.status_id, draft.status_id);
  });

  test('a published draft cannot be published, edited or deleted again', async () => {
    const draft = assertOk(await transition(await approved(), 'publish', staff.approver));
    assertError(await transition(draft, 'publish', staff.approver), 409, 'invalid_transition');
    assertError(await call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor, { status: 'x', media_ids: [await upload()] }),
      409, 'invalid_transition');
    assertError(await call('DELETE', `${DRAFTS()}/${draft.id}`, staff.editor), 409, 'invalid_transition');
    const statuses = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}/statuses`));
    assert.equal(statuses.filter((s) => s.id === draft.status_id).length, 1);
  });

  test('a published post\'s caption, warning, sensitivity and link change only through approval', async () => {
    const draft = assertOk(await transition(await approved({ status: 'As approved' }), 'publish', staff.approver));
    const edit = (user, json) => api(server, 'PUT', `/api/v1/statuses/${draft.status_id}`,
      { token: user.token, headers: ACT(), json });
    for (const user of [staff.owner, staff.editor, staff.moderator]) {
      for (const json of [{ status: 'Not as approved' }, { spoiler_text: 'Warning' }, { sensitive: true },
        { vantage_cta: { url: 'https://phish.example/apply', label: 'Apply now' } }]) {
        assertError(await edit(user, json), 403, 'approval_required');
      }
    }
    // What was approved, sent again, and the comment policy are no content change.
    assertOk(await edit(staff.moderator, { status: 'As approved', vantage_comments: 'followers' }));
    const post = assertOk(await api(server, 'GET', `/api/v1/statuses/${draft.status_id}`));
    assert.equal(post.content, '<p>As approved</p>');
    assert.equal(post.spoiler_text, '');
    assert.equal(post.sensitive, false);
    assert.equal(post.vantage_cta, null);
    assert.equal(post.vantage_comments, 'followers');
    // The organisation's comments are its staff's to edit directly.
    const comment = assertOk(await api(server, 'POST', '/api/v1/statuses', {
      token: staff.editor.token, headers: ACT(), json: { status: 'First version', in_reply_to_id: draft.status_id },
    }));
    const edited = assertOk(await api(server, 'PUT', `/api/v1/statuses/${comment.id}`, {
      token: staff.editor.token, headers: ACT(), json: { status: 'Second version' },
    }));
    assert.equal(edited.content, '<p>Second version</p>');
  });

  test('every transition from a state that does not allow it is 409 invalid_transition', async () => {
    const draft = await createDraft();
    const refuse = async (d, name, user, json) => {
      const body = assertError(await transition(d, name, user, json), 409, 'invalid_transition');
      assert.match(body.error, new RegExp(d.state));
    };
    await refuse(draft, 'withdraw', staff.editor);
    await refuse(draft, 'approve', staff.approver);
    await refuse(draft, 'reject', staff.approver, { reason: 'no' });
    await refuse(draft, 'publish', staff.editor);
    await refuse(draft, 'schedule', staff.editor, { scheduled_at: inSeconds(600) });
    await refuse(draft, 'unschedule', staff.editor);
    const sub = assertOk(await transition(draft, 'submit', staff.editor));
    await refuse(sub, 'submit', staff.editor);
    await refuse(sub, 'publish', staff.editor);
    await refuse(sub, 'schedule', staff.editor, { scheduled_at: inSeconds(600) });
    await refuse(sub, 'unschedule', staff.editor);
    const app = assertOk(await transition(sub, 'approve', staff.approver));
    await refuse(app, 'submit', staff.editor);
    await refuse(app, 'withdraw', staff.editor);
    await refuse(app, 'approve', staff.approver2);
    await refuse(app, 'reject', staff.approver2, { reason: 'no' });
    await refuse(app, 'unschedule', staff.editor);
    const sch = assertOk(await transition(app, 'schedule', staff.editor, { scheduled_at: inSeconds(600) }));
    assert.equal(sch.state, 'scheduled');
    await refuse(sch, 'schedule', staff.editor, { scheduled_at: inSeconds(700) });
    await refuse(sch, 'publish', staff.editor);
    await refuse(sch, 'approve', staff.approver2);
    const back = assertOk(await transition(sch, 'unschedule', staff.approver));
    assert.equal(back.state, 'approved');
    assert.equal(back.scheduled_at, null);
  });

  test('withdraw, reject with a reason, edit back to draft and submit again', async () => {
    let draft = await submitted();
    draft = assertOk(await transition(draft, 'withdraw', staff.editor));
    assert.equal(draft.state, 'draft');
    draft = assertOk(await transition(draft, 'submit', staff.editor));
    assertError(await transition(draft, 'reject', staff.approver), 422, 'missing_field', 'reason');
    assertError(await transition(draft, 'reject', staff.approver, { reason: '   ' }), 422, 'missing_field', 'reason');
    assertError(await transition(draft, 'reject', staff.approver, { reason: 'x'.repeat(501) }), 422, null, 'reason');
    draft = assertOk(await transition(draft, 'reject', staff.approver, { reason: 'Crop the second photo' }));
    assert.equal(draft.state, 'rejected');
    assert.equal(draft.rejection_reason, 'Crop the second photo');
    assert.equal(draft.rejected_by.id, staff.approver.id);
    draft = assertOk(await call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor,
      { status: 'Cropped', media_ids: draft.media_attachments.map((m) => m.id) }));
    assert.equal(draft.state, 'draft');
    assert.equal(draft.status, 'Cropped');
    draft = assertOk(await transition(draft, 'submit', staff.editor));
    assert.equal(draft.state, 'submitted');
    assert.equal(draft.rejection_reason, null);
    const audit = await auditFor(draft.id);
    assert.deepEqual(audit.map((e) => e.action), ['draft.created', 'draft.submitted', 'draft.withdrawn',
      'draft.submitted', 'draft.rejected', 'draft.edited', 'draft.submitted']);
    assert.equal(audit[4].detail.reason, 'Crop the second photo');
  });

  test('a rejected draft may also be submitted again as it is', async () => {
    let draft = await submitted();
    draft = assertOk(await transition(draft, 'reject', staff.approver, { reason: 'Not yet' }));
    draft = assertOk(await transition(draft, 'submit', staff.editor));
    assert.equal(draft.state, 'submitted');
  });

  test('editing an approved or scheduled draft sends it back for approval', async () => {
    let draft = await approved();
    const media = draft.media_attachments.map((m) => m.id);
    draft = assertOk(await call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor, { status: 'Changed', media_ids: media }));
    assert.equal(draft.state, 'submitted');
    assert.deepEqual(draft.approvals, []);
    draft = assertOk(await transition(draft, 'approve', staff.approver, { scheduled_at: inSeconds(3600) }));
    assert.equal(draft.state, 'scheduled');
    const at = draft.scheduled_at;
    draft = assertOk(await call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor, { status: 'Changed again', media_ids: media }));
    assert.equal(draft.state, 'submitted');
    assert.deepEqual(draft.approvals, []);
    assert.equal(draft.scheduled_at, at, 'the time stays as a request');
    const audit = await auditFor(draft.id);
    assert.deepEqual(audit.map((e) => e.action).slice(-4), ['draft.edited', 'draft.approved', 'draft.scheduled', 'draft.edited']);
    assert.equal(audit.at(-2).detail.scheduled_at, at);
  });

  test('delete: its media become the organisation\'s free uploads again', async () => {
    const draft = await submitted();
    const media = draft.media_attachments.map((m) => m.id);
    assertError(await call('POST', DRAFTS(), staff.editor, { media_ids: media }), 422, 'media_attached', 'media_ids');
    assert.deepEqual(assertOk(await call('DELETE', `${DRAFTS()}/${draft.id}`, staff.editor)), {});
    assertError(await call('GET', `${DRAFTS()}/${draft.id}`, staff.editor), 404);
    const again = await createDraft({ media_ids: media });
    assert.deepEqual(again.media_attachments.map((m) => m.id), media);
    const audit = await auditFor(draft.id);
    assert.equal(audit.at(-1).action, 'draft.deleted');
  });
});

describe('who approves', () => {
  test('nobody approves a draft they wrote or edited; the author cannot reject it', async () => {
    const own = await createDraft({}, staff.editor2);
    assertOk(await transition(own, 'submit', staff.editor2));
    assertError(await transition(own, 'approve', staff.editor2), 403, 'own_draft');
    assertError(await transition(own, 'reject', staff.editor2, { reason: 'hm' }), 403, 'own_draft');
    // An owner who did not write it may approve it.
    assert.equal(assertOk(await transition(own, 'approve', staff.owner)).state, 'approved');
    let edited = await createDraft();
    edited = assertOk(await call('PUT', `${DRAFTS()}/${edited.id}`, staff.editor2,
      { status: 'Touched up', media_ids: edited.media_attachments.map((m) => m.id) }));
    assertOk(await transition(edited, 'submit', staff.editor));
    assertError(await transition(edited, 'approve', staff.editor2), 403, 'own_draft');
    const ok = assertOk(await transition(edited, 'approve', staff.approver));
    assert.equal(ok.state, 'approved');
  });

  test('with approvals_required 2, two different approvers are needed', async () => {
    assert.deepEqual(assertOk(await api(server, 'PUT', `${ORG()}/settings`,
      { token: staff.owner.token, json: { approvals_required: 2 } })), { approvals_required: 2, require_second_factor: false });
    try {
      assert.deepEqual(assertOk(await call('GET', `${ORG()}/settings`, staff.analyst)), { approvals_required: 2, require_second_factor: false });
      let draft = await submitted();
      assert.equal(draft.approvals_required, 2);
      draft = assertOk(await transition(draft, 'approve', staff.approver, { scheduled_at: inSeconds(3600) }));
      assert.equal(draft.state, 'submitted');
      assert.equal(draft.approvals.length, 1);
      assertError(await transition(draft, 'approve', staff.approver), 409, 'already_approved');
      draft = assertOk(await transition(draft, 'approve', staff.approver2));
      assert.equal(draft.state, 'approved');
      assert.deepEqual(draft.approvals.map((a) => a.account.id), [staff.approver.id, staff.approver2.id]);
    } finally {
      assertOk(await api(server, 'PUT', `${ORG()}/settings`, { token: staff.owner.token, json: { approvals_required: 1 } }));
    }
    const entries = assertOk(await api(server, 'GET', `${ORG()}/audit`, { token: staff.owner.token }));
    const changes = entries.filter((e) => e.action === 'settings.changed');
    assert.deepEqual(changes.slice(0, 2).map((e) => e.detail.approvals_required), [1, 2]);
  });
});

describe('lists', () => {
  test('most recently updated first, by state, with a next link', async () => {
    const a = await createDraft();
    const b = await createDraft();
    assertOk(await transition(a, 'submit', staff.editor));  // a is now the latest
    const all = assertOk(await call('GET', DRAFTS(), staff.approver));
    assert.deepEqual(all.slice(0, 2).map((d) => d.id), [a.id, b.id]);
    const onlyDrafts = assertOk(await call('GET', `${DRAFTS()}?state=draft`, staff.editor));
    assert.ok(onlyDrafts.every((d) => d.state === 'draft'));
    assert.ok(onlyDrafts.some((d) => d.id === b.id) && !onlyDrafts.some((d) => d.id === a.id));
    const first = await call('GET', `${DRAFTS()}?limit=2`, staff.editor);
    const page1 = assertOk(first);
    assert.equal(page1.length, 2);
    const { next } = linkHeader(first);
    assert.ok(next, 'a next link');
    const page2 = assertOk(await api(server, 'GET', next, { token: staff.editor.token }));
    assert.equal(page2[0].id, all[2].id);
    assertError(await call('GET', `${DRAFTS()}?state=lost`, staff.editor), 422, null, 'state');
    // Another organisation's drafts are its own.
    const theirs = assertOk(await call('GET', DRAFTS(otherOrg.id), staff.editor));
    assert.deepEqual(theirs, []);
  });
});

describe('bad input', () => {
  test('ids, times, media and fields are refused with clear errors', async () => {
    const draft = await submitted();
    assertError(await call('GET', `${DRAFTS()}/abc`, staff.editor), 404);
    assertError(await call('GET', `${DRAFTS()}/123456789`, staff.editor), 404);
    assertError(await call('POST', `${DRAFTS()}/123456789/submit`, staff.editor), 404);
    assertError(await call('GET', `${DRAFTS(otherOrg.id)}/${draft.id}`, staff.editor), 404);
    assertError(await call('GET', `/api/vantage/v1/organisations/abc/drafts`, staff.editor), 404);
    for (const scheduled_at of ['tomorrow', '2026-13-01T00:00:00Z', inSeconds(-60), inSeconds(2), inSeconds(400 * 86400),
      '2030-01-01T00:00:00', 12345]) {
      assertError(await transition(draft, 'approve', staff.approver, { scheduled_at }), 422, null, 'scheduled_at');
    }
    const app = await approved();
    assertError(await transition(app, 'schedule', staff.editor), 422, 'missing_field', 'scheduled_at');
    assertError(await transition(app, 'schedule', staff.editor, { scheduled_at: 'soon' }), 422, null, 'scheduled_at');
    // Offsets are understood.
    const at = new Date(Date.now() + 3600_000);
    const local = `${new Date(at.getTime() + 2 * 3600_000).toISOString().slice(0, 19)}+02:00`;
    const scheduled = assertOk(await transition(app, 'schedule', staff.editor, { scheduled_at: local }));
    assert.equal(Math.floor(Date.parse(scheduled.scheduled_at) / 1000), Math.floor(at.getTime() / 1000));

    const bad = [
      [{ media_ids: [] }, 'media_required', 'media_ids'],
      [{ media_ids: ['nope'] }, 'media_not_found', 'media_ids'],
      [{ media_ids: ['123456789'] }, 'media_not_found', 'media_ids'],
      [{ media_ids: [app.media_attachments[0].id, app.media_attachments[0].id] }, 'media_duplicate', 'media_ids'],
      [{ media_ids: [app.media_attachments[0].id] }, 'media_attached', 'media_ids'],
      [{ visibility: 'secret' }, null, 'visibility'],
      [{ language: 'english!' }, null, 'language'],
      [{ vantage_cta: { url: 'http://example.org/', label: 'x' } }, 'unsupported_scheme', 'vantage_cta[url]'],
      [{ status: 'x'.repeat(2201) }, null, 'status'],
      [{ scheduled_at: 'later' }, null, 'scheduled_at'],
    ];
    for (const [fields, code, field] of bad) {
      const media = fields.media_ids ?? [await upload()];
      assertError(await call('POST', DRAFTS(), staff.editor, { status: 'x', ...fields, media_ids: media }), 422, code, field);
    }
    // An upload of someone else's.
    const form = new FormData();
    form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'p.jpg');
    const upload2 = await api(server, 'POST', '/api/v2/media', { token: outsider.token, body: form });
    assertError(await call('POST', DRAFTS(), staff.editor, { media_ids: [upload2.json.id] }), 422, 'media_not_found',
      'media_ids');
    // Media of a published post.
    const published = assertOk(await transition(await approved(), 'publish', staff.editor));
    assertError(await call('POST', DRAFTS(), staff.editor, { media_ids: [published.media_attachments[0].id] }), 422,
      'media_attached', 'media_ids');
    for (const approvals_required of [0, 6, 'two', null]) {
      assertError(await api(server, 'PUT', `${ORG()}/settings`, { token: staff.owner.token, json: { approvals_required } }),
        422, null, 'approvals_required');
    }
  });
});

describe('the role x endpoint matrix', () => {
  test('owners do everything; other roles as the table says; outsiders 404; no credentials 401', async () => {
    // A published draft: allowed transitions reach the state check (409),
    // refused ones stop at the role check before it.
    const draft = assertOk(await transition(await approved(), 'publish', staff.editor));
    const D = `${DRAFTS()}/${draft.id}`;
    const endpoints = [
      ['POST', DRAFTS(), { media_ids: [] }, ['owner', 'editor']],
      ['GET', DRAFTS(), undefined, ['owner', 'editor', 'approver']],
      ['GET', D, undefined, ['owner', 'editor', 'approver']],
      ['PUT', D, { status: 'x', media_ids: [] }, ['owner', 'editor']],
      ['DELETE', D, undefined, ['owner', 'editor']],
      ['POST', `${D}/submit`, {}, ['owner', 'editor']],
      ['POST', `${D}/withdraw`, {}, ['owner', 'editor']],
      ['POST', `${D}/approve`, {}, ['owner', 'approver']],
      ['POST', `${D}/reject`, { reason: 'no' }, ['owner', 'approver']],
      ['POST', `${D}/publish`, {}, ['owner', 'editor', 'approver']],
      ['POST', `${D}/schedule`, { scheduled_at: inSeconds(600) }, ['owner', 'editor', 'approver']],
      ['POST', `${D}/unschedule`, {}, ['owner', 'editor', 'approver']],
      ['GET', `${ORG()}/settings`, undefined, ['owner', 'editor', 'approver', 'moderator', 'analyst']],
      ['PUT', `${ORG()}/settings`, { approvals_required: 1 }, ['owner']],
    ];
    for (const [method, path, json, allowed] of endpoints) {
      for (const role of ['owner', 'editor', 'approver', 'moderator', 'analyst']) {
        const res = await call(method, path, staff[role], json);
        const what = `${role} ${method} ${path}`;
        if (allowed.includes(role)) {
          assert.ok(![401, 403, 404].includes(res.status), `${what}: ${res.status} ${res.text}`);
        } else {
          assertError(res, 403, 'role_required');
        }
      }
      assertError(await call(method, path, outsider, json), 404);
      assertError(await call(method, path, null, json), 401);
      // Acting as the organisation changes nothing: the staff member asks.
      if (allowed.includes('editor')) {
        const res = await api(server, method, path, { token: staff.editor.token, headers: ACT(), json });
        assert.ok(![401, 403, 404].includes(res.status), `editor acting: ${method} ${path}: ${res.status}`);
      }
    }
  });
});

describe('scheduled release', () => {
  test('an approval with a time schedules it; it is published within 5 s of that time, by nobody', async (t) => {
    const draft = await submitted({ status: 'Released on time' });
    const scheduled = assertOk(await transition(draft, 'approve', staff.approver, { scheduled_at: inSeconds(6) }));
    assert.equal(scheduled.state, 'scheduled');
    const due = Date.parse(scheduled.scheduled_at);
    let published;
    await waitFor(async () => {
      published = assertOk(await call('GET', `${DRAFTS()}/${draft.id}`, staff.editor));
      return published.state === 'published';
    }, { timeoutMs: 15_000, intervalMs: 200, message: 'the scheduled draft published' });
    const late = Date.parse(published.published_at) - due;
    assert.ok(late >= 0 && late < 5000, `published ${late} ms after its time`);
    t.diagnostic(`published ${late} ms after its time`);
    const status = assertOk(await api(server, 'GET', `/api/v1/statuses/${published.status_id}`));
    assert.equal(status.account.id, org.id);
    assert.equal(status.application, null);
    const audit = await auditFor(draft.id);
    assert.equal(audit.at(-1).action, 'draft.published');
    assert.equal(audit.at(-1).actor_id, null);
  });
});
