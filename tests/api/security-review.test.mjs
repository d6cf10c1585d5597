// One regression test group per finding of the insider security review
// (docs/security.md), each named after what broke, so that a finding that
// comes back fails under its own name. Against the real binary on both
// engines (VANTAGE_TEST_ENGINE=postgres under scripts/with-postgres for
// PostgreSQL).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ISO_MS, adminCreateAccount, api, assertError, assertOk, createApp, httpRequest, joinStaff, passwordToken, rawRequest,
  registerRaw, signIn, startServer, strongPassword, uniqueName, waitFor,
} from './lib/server.mjs';
import { noiseJpeg, registerUser } from './lib/photos.mjs';

let server;
let adminToken;
let org;
const staff = {};  // owner, editor, editor2 (editor + approver), approver, approver2, moderator, analyst

const ORG = () => `/api/vantage/v1/organisations/${org.id}`;
const DRAFTS = () => `${ORG()}/drafts`;
const ACT = () => ({ 'vantage-act-as': String(org.id) });
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();

// Makes `user` a member of the organisation's staff with `roles`: its owner
// invites them and they accept (joinStaff). The one place staff are added.
async function addStaff(user, roles) {
  return joinStaff(server, org.id, staff.owner, user, roles);
}

// An upload as the organisation (staff send it with Vantage-Act-As), ready.
async function upload(user = staff.editor, description = 'A lighthouse') {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  form.append('description', description);
  const res = await api(server, 'POST', '/api/v2/media', { token: user.token, headers: ACT(), body: form });
  assert.ok(res.status === 200 || res.status === 202, res.text);
  const { id } = res.json;
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`,
    { token: user.token, headers: ACT() })).status === 200, { timeoutMs: 15_000 });
  return id;
}

const call = (method, path, user, json) => api(server, method, path, { token: user.token, json });
// A transition; `json` is sent as it is (no version added).
const act = (draft, name, user, json) => call('POST', `${DRAFTS()}/${draft.id}/${name}`, user, json);
const read = async (draft, user = staff.approver) => assertOk(await call('GET', `${DRAFTS()}/${draft.id}`, user));
const edit = async (draft, fields = {}, user = staff.editor) => assertOk(await call('PUT', `${DRAFTS()}/${draft.id}`, user,
  { status: draft.status, media_ids: draft.media_attachments.map((m) => m.id), ...fields }));
const media = (id, user, method = 'GET', json = undefined) =>
  api(server, method, `/api/v1/media/${id}`, { token: user.token, headers: ACT(), json });

async function createDraft(fields = {}, user = staff.editor) {
  const photos = fields.media_ids ?? [await upload(user)];
  return assertOk(await call('POST', DRAFTS(), user, { status: 'Opening hours over the holidays', ...fields, media_ids: photos }));
}

async function submitted(fields = {}) {
  return assertOk(await act(await createDraft(fields), 'submit', staff.editor));
}

async function approved(fields = {}) {
  const draft = await submitted(fields);
  return assertOk(await act(draft, 'approve', staff.approver, { version: draft.version }));
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
  adminToken = await passwordToken(server, app, admin.username, admin.password, 'read write follow admin:write');
  for (const name of ['owner', 'editor', 'editor2', 'approver', 'approver2', 'moderator', 'analyst']) {
    staff[name] = await registerUser(server, name);
  }
  org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('org'), display_name: 'Harbour Office', owner: staff.owner.username, require_second_factor: false },
  })).account;
  const roles = {
    editor: ['editor'], editor2: ['editor', 'approver'], approver: ['approver'], approver2: ['approver'],
    moderator: ['moderator'], analyst: ['analyst'],
  };
  for (const [name, list] of Object.entries(roles)) await addStaff(staff[name], list);
});
after(async () => {
  await server?.stop();
});

describe('approval is not tied to what was reviewed', () => {
  test('the attack: the editor replaces caption and link while the approver reads; the approval of what was read is refused', async () => {
    const photo = await upload();
    let draft = assertOk(await call('POST', DRAFTS(), staff.editor,
      { status: 'Opening hours over the holidays', media_ids: [photo] }));
    assert.equal(draft.version, 1);
    draft = assertOk(await act(draft, 'submit', staff.editor));
    // The approver opens it and reads it.
    const reviewed = await read(draft);
    assert.equal(reviewed.state, 'submitted');
    assert.equal(reviewed.status, 'Opening hours over the holidays');
    assert.equal(reviewed.vantage_cta, null);
    assert.equal(reviewed.version, 1);
    // Meanwhile the editor swaps in a phishing caption and link.
    const swapped = await edit(draft, {
      status: 'Your account is locked: confirm your details today',
      vantage_cta: { url: 'https://harbour-office.example/login', label: 'Confirm' },
    });
    assert.equal(swapped.state, 'submitted');
    assert.equal(swapped.version, 2);
    // The approval names what was read: refused.
    assertError(await act(draft, 'approve', staff.approver, { version: reviewed.version }), 409, 'draft_changed', 'version');
    const after = await read(draft);
    assert.equal(after.state, 'submitted');
    assert.deepEqual(after.approvals, []);
    assert.equal(after.version, 2);
    assert.equal(after.status, 'Your account is locked: confirm your details today');
    assert.ok(!(await auditFor(draft.id)).some((e) => e.action === 'draft.approved'), 'no approval audited');
    // Approved as it is now, once read again.
    const ok = assertOk(await act(draft, 'approve', staff.approver, { version: after.version }));
    assert.equal(ok.state, 'approved');
    assert.deepEqual(ok.approvals.map((a) => a.account.id), [staff.approver.id]);
    assert.equal(ok.version, 2);
  });

  test('publish with the version of before an edit and a new approval is 409 draft_changed', async () => {
    const old = await approved();
    const changed = await edit(old, { status: 'Opening hours, corrected' });
    assert.equal(changed.state, 'submitted');
    const reapproved = assertOk(await act(changed, 'approve', staff.approver2, { version: changed.version }));
    assert.equal(reapproved.state, 'approved');
    assertError(await act(old, 'publish', staff.editor, { version: old.version }), 409, 'draft_changed', 'version');
    const still = await read(old);
    assert.equal(still.state, 'approved');
    assert.equal(still.status_id, null);
    const published = assertOk(await act(old, 'publish', staff.editor, { version: reapproved.version }));
    assert.equal(published.state, 'published');
    const post = assertOk(await api(server, 'GET', `/api/v1/statuses/${published.status_id}`));
    assert.equal(post.content, '<p>Opening hours, corrected</p>');
  });

  test('schedule with a stale version is 409 draft_changed', async () => {
    const old = await approved();
    const changed = await edit(old, { status: 'Opening hours, corrected' });
    const reapproved = assertOk(await act(changed, 'approve', staff.approver, { version: changed.version }));
    assertError(await act(old, 'schedule', staff.editor, { scheduled_at: inSeconds(3600), version: old.version }),
      409, 'draft_changed', 'version');
    const still = await read(old);
    assert.equal(still.state, 'approved');
    assert.equal(still.scheduled_at, null);
    const scheduled = assertOk(await act(old, 'schedule', staff.editor,
      { scheduled_at: inSeconds(3600), version: reapproved.version }));
    assert.equal(scheduled.state, 'scheduled');
  });

  test('reject with a stale version is 409 draft_changed', async () => {
    const old = await submitted();
    const changed = await edit(old, { status: 'Opening hours, corrected' });
    assertError(await act(old, 'reject', staff.approver, { reason: 'Wrong hours', version: old.version }),
      409, 'draft_changed', 'version');
    const still = await read(old);
    assert.equal(still.state, 'submitted');
    assert.equal(still.rejection_reason, null);
    assert.equal(still.rejected_by, null);
    const rejected = assertOk(await act(old, 'reject', staff.approver, { reason: 'Wrong hours', version: changed.version }));
    assert.equal(rejected.state, 'rejected');
  });

  test('approve, reject, publish and schedule without a version are 422 missing_field naming version', async () => {
    const sub = await submitted();
    for (const json of [undefined, {}, { version: null }, { version: '' }]) {
      assertError(await act(sub, 'approve', staff.approver, json), 422, 'missing_field', 'version');
      assertError(await act(sub, 'reject', staff.approver, json && { ...json, reason: 'No' }), 422, 'missing_field', 'version');
    }
    // The version is checked before the reason.
    assertError(await act(sub, 'reject', staff.approver, {}), 422, 'missing_field', 'version');
    assertError(await act(sub, 'reject', staff.approver, { version: sub.version }), 422, 'missing_field', 'reason');
    const untouched = await read(sub);
    assert.equal(untouched.state, 'submitted');
    assert.deepEqual(untouched.approvals, []);

    const app = await approved();
    for (const json of [undefined, {}, { version: null }, { version: '' }]) {
      assertError(await act(app, 'publish', staff.editor, json), 422, 'missing_field', 'version');
      assertError(await act(app, 'schedule', staff.editor, json && { ...json, scheduled_at: inSeconds(3600) }),
        422, 'missing_field', 'version');
    }
    const still = await read(app);
    assert.equal(still.state, 'approved');
    assert.equal(still.status_id, null);
    assert.equal(still.scheduled_at, null);
  });

  test('a version that is not a whole number of at least 1 is 422 invalid_field naming version', async () => {
    const sub = await submitted();
    const app = await approved();
    for (const version of ['two', 1.5, 0, -1]) {
      assertError(await act(sub, 'approve', staff.approver, { version }), 422, 'invalid_field', 'version');
      assertError(await act(sub, 'reject', staff.approver, { version, reason: 'No' }), 422, 'invalid_field', 'version');
      assertError(await act(app, 'publish', staff.editor, { version }), 422, 'invalid_field', 'version');
      assertError(await act(app, 'schedule', staff.editor, { version, scheduled_at: inSeconds(3600) }),
        422, 'invalid_field', 'version');
    }
    // A form sends it as a decimal string.
    const form = (draft, name, user, fields) => api(server, 'POST', `${DRAFTS()}/${draft.id}/${name}`,
      { token: user.token, form: fields });
    assertError(await form(sub, 'approve', staff.approver, { version: 'x' }), 422, 'invalid_field', 'version');
    assertError(await form(sub, 'approve', staff.approver, { version: String(sub.version + 1) }), 409, 'draft_changed', 'version');
    assert.equal(assertOk(await form(sub, 'approve', staff.approver, { version: String(sub.version) })).state, 'approved');
  });

  test('the state is checked before the version, the version before own_draft and already_approved', async () => {
    const draft = await createDraft();
    assertError(await act(draft, 'approve', staff.approver, { version: draft.version + 5 }), 409, 'invalid_transition');
    assertError(await act(draft, 'publish', staff.editor, { version: draft.version + 5 }), 409, 'invalid_transition');
    // editor2 edits it: they may not approve it, but a stale version is what is said first.
    const touched = await edit(draft, { status: 'Touched up' }, staff.editor2);
    assertOk(await act(touched, 'submit', staff.editor));
    assertError(await act(touched, 'approve', staff.editor2, { version: draft.version }), 409, 'draft_changed', 'version');
    assertError(await act(touched, 'approve', staff.editor2, { version: touched.version }), 403, 'own_draft');
    // A version ahead of the draft's is no more its version than one behind.
    assertError(await act(touched, 'approve', staff.approver, { version: touched.version + 1 }), 409, 'draft_changed', 'version');
    assertOk(await api(server, 'PUT', `${ORG()}/settings`, { token: staff.owner.token, json: { approvals_required: 2 } }));
    try {
      // An earlier approval with a time sets the time asked for: no change of the version either.
      const first = assertOk(await act(touched, 'approve', staff.approver,
        { version: touched.version, scheduled_at: inSeconds(3600) }));
      assert.equal(first.state, 'submitted');
      assert.equal(first.version, touched.version);
      assertError(await act(touched, 'approve', staff.approver, { version: draft.version }), 409, 'draft_changed', 'version');
      assertError(await act(touched, 'approve', staff.approver, { version: touched.version }), 409, 'already_approved');
    } finally {
      assertOk(await api(server, 'PUT', `${ORG()}/settings`, { token: staff.owner.token, json: { approvals_required: 1 } }));
    }
  });

  test('the version rises with every PUT and every change of a photo\'s alt text or focus, and with nothing else', async () => {
    const photo = await upload();
    let draft = await createDraft({ media_ids: [photo] });
    const versions = [draft.version];
    const step = async (promise) => {
      const next = assertOk(await promise);
      versions.push(next.version);
      return next;
    };
    assert.equal(draft.version, 1);
    draft = await step(act(draft, 'submit', staff.editor));                       // 1
    draft = await step(call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor,
      { status: draft.status, media_ids: [photo] }));                               // 2: the same content, still a PUT
    draft = await step(call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor,
      { status: 'Opening hours, new', media_ids: [photo] }));                       // 3
    assertOk(await media(photo, staff.editor, 'PUT', { description: 'The lighthouse at night' }));
    draft = await step(call('GET', `${DRAFTS()}/${draft.id}`, staff.approver));     // 4
    assertOk(await media(photo, staff.editor, 'PUT', { description: 'The lighthouse at night' }));
    draft = await step(call('GET', `${DRAFTS()}/${draft.id}`, staff.approver));     // 4: the text it had
    assertOk(await media(photo, staff.editor, 'PUT', { focus: '0.5,-0.25' }));
    draft = await step(call('GET', `${DRAFTS()}/${draft.id}`, staff.approver));     // 5
    assertOk(await media(photo, staff.editor, 'PUT', { focus: '0.5,-0.25' }));
    draft = await step(call('GET', `${DRAFTS()}/${draft.id}`, staff.approver));     // 5: the point it had
    assert.equal(draft.state, 'submitted');
    assert.equal(draft.media_attachments[0].description, 'The lighthouse at night');
    draft = await step(act(draft, 'withdraw', staff.editor));                     // 5
    draft = await step(act(draft, 'submit', staff.editor));                       // 5
    draft = await step(act(draft, 'reject', staff.approver, { reason: 'Later', version: draft.version }));  // 5
    draft = await step(act(draft, 'submit', staff.editor));                       // 5
    draft = await step(act(draft, 'approve', staff.approver, { version: draft.version }));  // 5
    assert.equal(draft.state, 'approved');
    draft = await step(act(draft, 'schedule', staff.editor, { scheduled_at: inSeconds(3600), version: draft.version }));  // 5
    draft = await step(act(draft, 'unschedule', staff.editor));                   // 5
    draft = await step(act(draft, 'publish', staff.editor, { version: draft.version }));  // 5
    assert.equal(draft.state, 'published');
    assert.deepEqual(versions, [1, 1, 2, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    // The list shows it too.
    const listed = assertOk(await call('GET', `${DRAFTS()}?state=published&limit=40`, staff.approver));
    assert.equal(listed.find((d) => d.id === draft.id).version, 5);
  });
});

describe('roles bypassed through media', () => {
  test('a moderator cannot change a draft photo: 403 role_required, whether or not it changes anything, and nothing changes', async () => {
    const photo = await upload(staff.editor, 'As written');
    const draft = await approved({ media_ids: [photo] });
    for (const json of [{ description: 'Changed by a moderator' }, { description: 'As written' }, { focus: '0.5,0.5' }]) {
      assertError(await media(photo, staff.moderator, 'PUT', json), 403, 'role_required');
      assertError(await media(photo, staff.analyst, 'PUT', json), 403, 'role_required');
    }
    const seen = assertOk(await media(photo, staff.editor));
    assert.equal(seen.description, 'As written');
    assert.equal(seen.meta?.focus?.x ?? 0, 0);
    const after = await read(draft);
    assert.equal(after.state, 'approved');
    assert.deepEqual(after.approvals.map((a) => a.account.id), [staff.approver.id]);
    assert.equal(after.version, draft.version);
    assert.equal(after.media_attachments[0].description, 'As written');
    assert.ok(!(await auditFor(draft.id)).some((e) => e.action === 'draft.edited'), 'no edit audited');
  });

  test('staff who may not read drafts cannot read a draft photo; editors, approvers and owners can', async () => {
    const photo = await upload(staff.editor, 'Not yet public');
    await createDraft({ media_ids: [photo] });
    for (const who of ['moderator', 'analyst']) {
      assertError(await media(photo, staff[who]), 403, 'role_required');
    }
    for (const who of ['editor', 'editor2', 'approver', 'owner']) {
      const seen = assertOk(await media(photo, staff[who]));
      assert.equal(seen.id, photo, who);
      assert.equal(seen.description, 'Not yet public', who);
    }
  });

  test('an organisation upload in no draft is read by any role acting as the organisation', async () => {
    const photo = await upload(staff.editor, 'Loose');
    for (const who of ['moderator', 'analyst', 'approver', 'editor', 'owner']) {
      assert.equal(assertOk(await media(photo, staff[who])).description, 'Loose', who);
    }
  });
});

describe('a moderation-only edit changes the post', () => {
  test('changing only the comment policy of a published post leaves its content, mentions, history and edited_at', async () => {
    // A followers-only post naming an account that does not exist yet.
    const later = uniqueName('later');
    const draft = await approved({ status: `Thanks to @${later} for the archive photos`, visibility: 'private' });
    const published = assertOk(await act(draft, 'publish', staff.editor, { version: draft.version }));
    const id = published.status_id;
    const before = assertOk(await api(server, 'GET', `/api/v1/statuses/${id}`, { token: staff.owner.token, headers: ACT() }));
    assert.deepEqual(before.mentions, []);
    // Someone registers the mentioned name after publication.
    const squatter = await registerUser(server, 'sq', { username: later });
    assertError(await api(server, 'GET', `/api/v1/statuses/${id}`, { token: squatter.token }), 404);

    // The policy alone, then the policy with the caption sent again as a
    // Mastodon client does: both moderation, neither an edit.
    for (const json of [{ vantage_comments: 'held' }, { status: before.text ?? undefined, vantage_comments: 'off' }]) {
      const changed = assertOk(await api(server, 'PUT', `/api/v1/statuses/${id}`,
        { token: staff.moderator.token, headers: ACT(), json }));
      assert.equal(changed.vantage_comments, json.vantage_comments);
      assert.equal(changed.edited_at, null);
      assert.equal(changed.content, before.content);
      assert.deepEqual(changed.mentions, []);
    }
    assertError(await api(server, 'GET', `/api/v1/statuses/${id}`, { token: squatter.token }), 404);
    const history = assertOk(await api(server, 'GET', `/api/v1/statuses/${id}/history`,
      { token: staff.owner.token, headers: ACT() }));
    assert.equal(history.length, 1);
  });

  test('the same holds for a person\'s own post', async () => {
    const author = await registerUser(server, 'author');
    const later = uniqueName('later');
    const post = assertOk(await api(server, 'POST', '/api/v1/statuses', { token: author.token, json: {
      status: `Met @${later} today`, visibility: 'private', media_ids: [await uploadOwn(author)] } }));
    const squatter = await registerUser(server, 'sq', { username: later });
    const changed = assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: author.token, json: { status: `Met @${later} today`, vantage_comments: 'followers' } }));
    assert.equal(changed.edited_at, null);
    assert.deepEqual(changed.mentions, []);
    assertError(await api(server, 'GET', `/api/v1/statuses/${post.id}`, { token: squatter.token }), 404);
    // A real edit still renders the caption and is recorded.
    const edited = assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`,
      { token: author.token, json: { status: `Met @${later} today, again` } }));
    assert.notEqual(edited.edited_at, null);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}/history`, { token: author.token })).length, 2);
  });
});

// A personal upload, ready.
async function uploadOwn(user) {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const { id } = assertOk(await api(server, 'POST', '/api/v2/media', { token: user.token, body: form }));
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`, { token: user.token })).status === 200,
    { timeoutMs: 15_000 });
  return id;
}

describe('hashtags of non-public content leak', () => {
  const tagFound = (name, user) => api(server, 'GET', `/api/v1/tags/${name}`, { token: user?.token });
  const tagsListed = async (prefix, user) => assertOk(await api(server, 'GET',
    `/api/v2/search?q=${encodeURIComponent(`#${prefix}`)}&type=hashtags`, { token: user?.token })).hashtags.map((t) => t.name);

  test('a tag used only in a followers-only post exists for its readers alone', async () => {
    const author = await registerUser(server, 'author');
    const follower = await registerUser(server, 'follower');
    const stranger = await registerUser(server, 'stranger');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${author.id}/follow`, { token: follower.token }));
    const tag = uniqueName('nightjar').toLowerCase().replace(/[^a-z0-9]/g, '');
    assertOk(await api(server, 'POST', '/api/v1/statuses', { token: author.token, json: {
      status: `Planning #${tag}`, visibility: 'private', media_ids: [await uploadOwn(author)] } }));
    assertError(await tagFound(tag), 404);
    assertError(await tagFound(tag, stranger), 404);
    assert.deepEqual(await tagsListed(tag), []);
    assert.deepEqual(await tagsListed(tag, stranger), []);
    assert.equal(assertOk(await tagFound(tag, follower)).name, tag);
    assert.equal(assertOk(await tagFound(tag, author)).name, tag);
    assert.deepEqual(await tagsListed(tag, follower), [tag]);
    // An unused tag answers the same 404.
    assertError(await tagFound(`${tag}x`, stranger), 404);
  });

  test('a tag used only in a held comment exists for its writer alone', async () => {
    const author = await registerUser(server, 'author');
    const writer = await registerUser(server, 'writer');
    const fan = await registerUser(server, 'fan');
    const post = assertOk(await api(server, 'POST', '/api/v1/statuses', { token: author.token, json: {
      status: 'Comments are reviewed', vantage_comments: 'held', media_ids: [await uploadOwn(author)] } }));
    const tag = uniqueName('heldtag').toLowerCase().replace(/[^a-z0-9]/g, '');
    assertOk(await api(server, 'POST', '/api/v1/statuses', { token: writer.token,
      json: { status: `Look at #${tag}`, in_reply_to_id: post.id } }));
    assertError(await tagFound(tag, fan), 404);
    assertError(await tagFound(tag), 404);
    assert.deepEqual(await tagsListed(tag, fan), []);
    assert.equal(assertOk(await tagFound(tag, writer)).name, tag);
  });
});

describe('anyone can lock a staff member out', () => {
  let guarded;
  before(async () => {
    guarded = await startServer(['--trust-forwarded', '--sign-in-limit-account', '3', '--sign-in-limit-ip', '1000',
      '--registration-limit-ip', '1000']);
  });
  after(async () => {
    await guarded?.stop();
  });
  const signInFrom = (ip, username, password) => api(guarded, 'POST', '/auth/sign_in',
    { json: { username, password }, headers: { 'x-forwarded-for': ip } });

  test('wrong passwords from one address do not refuse the right one from another', async () => {
    const victim = await registerUser(guarded, 'victim');
    for (let i = 0; i < 3; i++) assertError(await signInFrom('198.51.100.7', victim.username, 'wrong password 123'), 401);
    // The guesser's address is held back, for this account...
    const held = await signInFrom('198.51.100.7', victim.username, victim.password);
    assert.equal(held.status, 429);
    assert.ok(Number(held.headers.get('retry-after')) > 0);
    // ...and so is the rest of its IPv6 /64, while the person signs in from elsewhere.
    for (let i = 0; i < 3; i++) assertError(await signInFrom('2001:db8:1:2::1', victim.username, 'wrong password 123'), 401);
    assert.equal((await signInFrom('2001:db8:1:2::ffff', victim.username, victim.password)).status, 429);
    assertOk(await signInFrom('203.0.113.9', victim.username, victim.password));
    assertOk(await signInFrom('2001:db8:1:3::1', victim.username, victim.password));
  });
});

describe('/metrics is public', () => {
  let metered;
  let open;
  before(async () => {
    metered = await startServer(['--trust-forwarded', '--metrics-token', 'metrics-secret-0123456789']);
    open = await startServer(['--trust-forwarded']);
  });
  after(async () => {
    await metered?.stop();
    await open?.stop();
  });
  const scrape = (srv, headers = {}) => api(srv, 'GET', '/metrics', { headers });

  test('only loopback clients and holders of --metrics-token read it; others are told nothing is there', async () => {
    for (const srv of [metered, open]) {
      const local = await scrape(srv);
      assert.equal(local.status, 200);
      assert.match(local.text, /vantage_/);
      assertError(await scrape(srv, { 'x-forwarded-for': '203.0.113.5' }), 404);
      assertError(await scrape(srv, { 'x-forwarded-for': '203.0.113.5', authorization: 'Bearer wrong' }), 404);
    }
    const remote = await scrape(metered, { 'x-forwarded-for': '203.0.113.5', authorization: 'Bearer metrics-secret-0123456789' });
    assert.equal(remote.status, 200);
    assert.match(remote.text, /vantage_/);
    // Without a token set, no token opens it.
    assertError(await scrape(open, { 'x-forwarded-for': '203.0.113.5', authorization: 'Bearer ' }), 404);
  });
});

describe('Link headers copy the raw query string', () => {
  test('a parameter cannot add a link of its own', async () => {
    const author = await registerUser(server, 'linker');
    for (let i = 0; i < 2; i++) {
      assertOk(await api(server, 'POST', '/api/v1/statuses', { token: author.token,
        json: { status: `Page ${i}`, media_ids: [await uploadOwn(author)] } }));
    }
    const target = `/api/v1/accounts/${author.id}/statuses?limit=1&x=>;rel="next",<https://evil.example/x`;
    const { responses } = await rawRequest(server.port, httpRequest('GET', target, { headers: { connection: 'close' } }));
    assert.equal(responses[0]?.status, 200, responses[0]?.text);
    const link = responses[0].headers.link;
    const targets = [...link.matchAll(/<([^>]*)>\s*;\s*rel="(\w+)"/g)].map((m) => [m[2], new URL(m[1]).host]);
    assert.deepEqual(targets.map(([rel]) => rel), ['next', 'prev']);
    for (const [, host] of targets) assert.equal(host, new URL(server.url).host);
    assert.ok(!/<https:\/\/evil/.test(link), link);
    // Followed, the link keeps the parameter as it was sent.
    const next = new URL([...link.matchAll(/<([^>]*)>/g)][0][1]);
    assert.equal(next.searchParams.get('x'), '>;rel="next",<https://evil.example/x');
  });
});

// An owner could add anyone as staff without their consent, and every later
// sign-in of theirs landed in the organisation's audit log with their IP.
// Joining is now an invitation the person accepts; a sign-in reaches an
// organisation's log only when that session first acts for it, once; and the
// log keeps networks, not addresses.
describe('any organisation\'s owner can read any person\'s sign-in IP addresses', () => {
  let boss;      // owner of both organisations
  let club;      // the organisation that invites
  let club2;     // a second organisation the invitee joins
  let invitee;
  const BASE = (o) => `/api/vantage/v1/organisations/${o.id}`;
  const ACT_AS = (o) => ({ 'vantage-act-as': String(o.id) });
  const invitations = async (who) => assertOk(await api(server, 'GET', '/api/vantage/v1/organisations/invitations',
    { token: who.token }));
  const served = async (who) => assertOk(await api(server, 'GET', '/api/vantage/v1/organisations', { token: who.token }))
    .map((o) => [o.account.id, o.roles]);
  const answer = (o, what, opts) => api(server, 'POST', `${BASE(o)}/invitation/${what}`, opts);
  // The organisation's whole audit log, newest first (every page).
  async function audit(o) {
    const all = [];
    let url = `${BASE(o)}/audit?limit=80`;
    for (;;) {
      const page = assertOk(await api(server, 'GET', url, { token: boss.token }));
      all.push(...page);
      if (page.length < 80) return all;
      url = `${BASE(o)}/audit?limit=80&max_id=${page.at(-1).id}`;
    }
  }
  // The entries about `who` (as actor or target), oldest first.
  const about = async (o, who) => (await audit(o)).filter((e) => e.actor_id === who.id || e.target_id === who.id).reverse();
  const sessionStart = async (opts) => assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', opts))
    .find((s) => s.current).created_at;

  before(async () => {
    boss = await registerUser(server, 'boss');
    invitee = await registerUser(server, 'invitee');
    const make = async (name) => assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
      token: adminToken, json: { username: uniqueName('club'), display_name: name, owner: boss.username, require_second_factor: false },
    })).account;
    club = await make('Rowing Club');
    club2 = await make('Chess Club');
  });

  test('an owner\'s PUT of someone not on the staff only invites them: they are not staff', async () => {
    const invited = assertOk(await api(server, 'PUT', `${BASE(club)}/staff/${invitee.id}`,
      { token: boss.token, json: { roles: ['editor', 'approver'] } }));
    assert.equal(invited.account.id, invitee.id);
    assert.deepEqual(invited.roles, ['editor', 'approver']);
    assert.equal(invited.state, 'invited');
    // Every staff page of the organisation answers them as it answers an outsider: 404, like no organisation.
    const nowhere = { id: '999999999' };
    for (const path of ['/drafts', '/staff', '/settings', '/audit']) {
      const res = await api(server, 'GET', `${BASE(club)}${path}`, { token: invitee.token });
      assertError(res, 404);
      assert.equal(res.text, (await api(server, 'GET', `${BASE(nowhere)}${path}`, { token: invitee.token })).text, path);
    }
    assertError(await api(server, 'POST', `${BASE(club)}/drafts`, { token: invitee.token, json: { status: 'x' } }), 404);
    assertError(await api(server, 'GET', '/api/v1/timelines/home', { token: invitee.token, headers: ACT_AS(club) }), 404);
    assertError(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: invitee.token, headers: ACT_AS(club), json: { note: 'Taken over' } }), 404);
    assert.deepEqual(await served(invitee), []);
    // A second PUT replaces the roles offered; still an invitation.
    const again = assertOk(await api(server, 'PUT', `${BASE(club)}/staff/${invitee.id}`,
      { token: boss.token, json: { roles: ['analyst'] } }));
    assert.deepEqual([again.roles, again.state], [['analyst'], 'invited']);
    assertError(await api(server, 'GET', `${BASE(club)}/drafts`, { token: invitee.token }), 404);
    // The owner's staff list: members first, then the invitation.
    const list = assertOk(await api(server, 'GET', `${BASE(club)}/staff`, { token: boss.token }));
    assert.deepEqual(list.map((m) => [m.account.id, m.roles, m.state]),
      [[boss.id, ['owner'], 'active'], [invitee.id, ['analyst'], 'invited']]);
    assert.match(list[1].invited_at, ISO_MS);
    assert.equal(list[0].invited_at, undefined);
    // The log has the owner's invitations, nothing of the invitee's own.
    const entries = await about(club, invitee);
    assert.deepEqual(entries.map((e) => [e.action, e.actor_id, e.target_id, e.detail]), [
      ['staff.invited', boss.id, invitee.id, { roles: ['editor', 'approver'] }],
      ['staff.invited', boss.id, invitee.id, { roles: ['analyst'] }],
    ]);
    for (const e of entries) assert.equal(e.ip, '127.0.0.0/24');
  });

  test('the invitee signs in again and again: nothing of theirs reaches the organisation\'s log', async () => {
    const before = await audit(club);
    for (let i = 0; i < 3; i += 1) {
      const session = await signIn(server, invitee.username, invitee.password);
      assert.equal(session.res.status, 200, session.res.text);
      assertOk(await api(server, 'GET', '/api/v1/timelines/home', { cookie: session.cookie }));
      // Trying the organisation's pages with the session is refused, and recorded nowhere either.
      assertError(await api(server, 'GET', `${BASE(club)}/drafts`, { cookie: session.cookie }), 404);
      assertError(await api(server, 'GET', '/api/v1/timelines/home', { cookie: session.cookie, headers: ACT_AS(club) }), 404);
    }
    await passwordToken(server, invitee.app, invitee.username, invitee.password);
    const after = await audit(club);
    assert.deepEqual(after.map((e) => e.seq), before.map((e) => e.seq), 'no entry was added');
    const theirs = after.filter((e) => e.actor_id === invitee.id || e.target_id === invitee.id);
    assert.deepEqual([...new Set(theirs.map((e) => `${e.action} by ${e.actor_id}`))], [`staff.invited by ${boss.id}`]);
    const text = JSON.stringify(after);
    assert.ok(!text.includes('127.0.0.1'), `the log holds an address: ${text}`);
    for (const e of after) assert.ok(['', '127.0.0.0/24'].includes(e.ip), JSON.stringify(e));
  });

  test('the invitation list names the organisation and the roles offered, never who sent it', async () => {
    // A second invitation, from the other organisation: the newest comes first.
    assertOk(await api(server, 'PUT', `${BASE(club2)}/staff/${invitee.id}`, { token: boss.token, json: { roles: ['moderator'] } }));
    const res = await api(server, 'GET', '/api/vantage/v1/organisations/invitations', { token: invitee.token });
    const list = assertOk(res);
    assert.deepEqual(list.map((i) => [i.organisation.id, i.organisation.username, i.roles]),
      [[club2.id, club2.username, ['moderator']], [club.id, club.username, ['analyst']]]);
    for (const i of list) {
      assert.deepEqual(Object.keys(i).sort(), ['created_at', 'organisation', 'roles']);
      assert.match(i.created_at, ISO_MS);
    }
    assert.ok(Date.parse(list[0].created_at) >= Date.parse(list[1].created_at));
    const text = (res.text + JSON.stringify([...res.headers])).toLowerCase();
    for (const mark of [boss.id, boss.username, boss.email]) {
      assert.ok(!text.includes(mark.toLowerCase()), `the invitations name the owner (${mark}): ${res.text}`);
    }
    // Nobody else sees them.
    const other = await registerUser(server, 'other');
    assert.deepEqual(await invitations(other), []);
  });

  test('declining deletes the invitation; the log records it without an address', async () => {
    assert.deepEqual(assertOk(await answer(club, 'decline', { token: invitee.token })), {});
    assert.deepEqual((await invitations(invitee)).map((i) => i.organisation.id), [club2.id]);
    const list = assertOk(await api(server, 'GET', `${BASE(club)}/staff`, { token: boss.token }));
    assert.deepEqual(list.map((m) => m.account.id), [boss.id]);
    const declined = (await about(club, invitee)).at(-1);
    assert.deepEqual([declined.action, declined.actor_id, declined.target_id, declined.ip],
      ['staff.invitation_declined', invitee.id, invitee.id, '']);
    // Nothing is pending now: accepting or declining it again is 404.
    assertError(await answer(club, 'accept', { token: invitee.token }), 404, 'not_found');
    assertError(await answer(club, 'decline', { token: invitee.token }), 404, 'not_found');
    assertError(await api(server, 'GET', `${BASE(club)}/drafts`, { token: invitee.token }), 404);
  });

  test('invited again and accepted: staff with the roles offered; an answer sent as an organisation is refused', async () => {
    const joined = assertOk(await answer(club2, 'accept', { token: invitee.token }));
    assert.equal(joined.account.id, club2.id);
    assert.deepEqual(joined.roles, ['moderator']);
    assertOk(await api(server, 'PUT', `${BASE(club)}/staff/${invitee.id}`,
      { token: boss.token, json: { roles: ['editor', 'analyst'] } }));
    // Acting as an organisation they serve: 403 not_allowed, and it stays pending.
    assertError(await answer(club, 'accept', { token: invitee.token, headers: ACT_AS(club2) }), 403, 'not_allowed');
    assertError(await answer(club, 'decline', { token: invitee.token, headers: ACT_AS(club2) }), 403, 'not_allowed');
    // Naming the organisation they are not yet staff of: refused as every act-as by an outsider is, 404
    // ("Acting as the organisation", Refusals), before the route is reached.
    assertError(await answer(club, 'accept', { token: invitee.token, headers: ACT_AS(club) }), 404);
    assertError(await answer(club, 'decline', { token: invitee.token, headers: ACT_AS(club) }), 404);
    assert.deepEqual((await invitations(invitee)).map((i) => [i.organisation.id, i.roles]), [[club.id, ['editor', 'analyst']]]);
    assertError(await api(server, 'GET', `${BASE(club)}/drafts`, { token: invitee.token }), 404);

    const accepted = assertOk(await answer(club, 'accept', { token: invitee.token }));
    assert.equal(accepted.account.id, club.id);
    assert.equal(accepted.account.username, club.username);
    assert.deepEqual(accepted.roles, ['editor', 'analyst']);
    assert.deepEqual(await invitations(invitee), []);
    assert.deepEqual((await served(invitee)).sort(), [[club.id, ['editor', 'analyst']], [club2.id, ['moderator']]].sort());
    const list = assertOk(await api(server, 'GET', `${BASE(club)}/staff`, { token: boss.token }));
    assert.deepEqual(list.map((m) => [m.account.id, m.roles, m.state]),
      [[boss.id, ['owner'], 'active'], [invitee.id, ['editor', 'analyst'], 'active']]);
    // accepted, then one role_added per role, all by the person.
    const entries = (await about(club, invitee)).slice(-3);
    assert.deepEqual(entries.map((e) => [e.action, e.actor_id, e.target_id, e.detail]), [
      ['staff.invitation_accepted', invitee.id, invitee.id, { roles: ['editor', 'analyst'] }],
      ['staff.role_added', invitee.id, invitee.id, { role: 'editor' }],
      ['staff.role_added', invitee.id, invitee.id, { role: 'analyst' }],
    ]);
    for (const e of entries) assert.equal(e.ip, '127.0.0.0/24');
    assert.ok(entries[0].seq < entries[1].seq && entries[1].seq < entries[2].seq);
    // They are staff now: the organisation's pages open to them.
    assertOk(await api(server, 'GET', `${BASE(club)}/drafts`, { token: invitee.token }));
    assertOk(await api(server, 'GET', '/api/v1/timelines/home', { token: invitee.token, headers: ACT_AS(club) }));
  });

  test('a member\'s sign-in is logged once per session, when the session first acts for the organisation, and only there', async () => {
    const signIns = async (o) => (await about(o, invitee)).filter((e) => e.action === 'staff.sign_in');
    const earlier = (await signIns(club)).length;
    const earlier2 = (await signIns(club2)).length;
    const session = await signIn(server, invitee.username, invitee.password);
    assert.equal(session.res.status, 200, session.res.text);
    const web = { cookie: session.cookie };
    assertOk(await api(server, 'GET', '/api/v1/timelines/home', web));
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', web));
    assert.equal((await signIns(club)).length, earlier, 'a sign-in alone is not logged');
    assert.equal((await signIns(club2)).length, earlier2);

    // The session acts for the organisation, many times and many ways.
    assertOk(await api(server, 'GET', '/api/v1/timelines/home', { ...web, headers: ACT_AS(club) }));
    assertOk(await api(server, 'GET', `${BASE(club)}/drafts`, web));
    assertOk(await api(server, 'GET', '/api/v1/notifications', { ...web, headers: ACT_AS(club) }));
    assertOk(await api(server, 'GET', `${BASE(club)}/drafts`, web));
    const logged = await signIns(club);
    assert.equal(logged.length, earlier + 1, JSON.stringify(logged));
    const entry = logged.at(-1);
    assert.deepEqual([entry.actor_id, entry.target_type, entry.target_id, entry.ip],
      [invitee.id, 'account', invitee.id, '127.0.0.0/24']);
    assert.match(entry.detail.signed_in_at, ISO_MS);
    assert.equal(entry.detail.signed_in_at, await sessionStart(web));
    // The other organisation they serve learns nothing of that session.
    assert.equal((await signIns(club2)).length, earlier2, 'acting for one organisation logs nothing in another');

    // Another session (a token) is another entry, once, on its first act.
    const token = await passwordToken(server, invitee.app, invitee.username, invitee.password);
    assertOk(await api(server, 'GET', '/api/v1/timelines/home', { token }));
    assert.equal((await signIns(club)).length, earlier + 1);
    for (let i = 0; i < 3; i += 1) assertOk(await api(server, 'GET', `${BASE(club)}/drafts`, { token }));
    const both = await signIns(club);
    assert.equal(both.length, earlier + 2, JSON.stringify(both));
    assert.equal(both.at(-1).detail.signed_in_at, await sessionStart({ token }));
    assert.equal(both.at(-1).ip, '127.0.0.0/24');
    assert.equal((await signIns(club2)).length, earlier2);
    // When the session acts for the other organisation, its log gets its own one entry.
    for (let i = 0; i < 2; i += 1) {
      assertOk(await api(server, 'GET', '/api/v1/timelines/home', { ...web, headers: ACT_AS(club2) }));
    }
    const there = await signIns(club2);
    assert.equal(there.length, earlier2 + 1);
    assert.equal(there.at(-1).detail.signed_in_at, entry.detail.signed_in_at);
    assert.equal((await signIns(club)).length, earlier + 2);
  });

  test('an owner withdraws a pending invitation with DELETE; DELETE of someone neither staff nor invited is 404 not_staff', async () => {
    const maybe = await registerUser(server, 'maybe');
    assertOk(await api(server, 'PUT', `${BASE(club)}/staff/${maybe.id}`, { token: boss.token, json: { roles: ['editor'] } }));
    const withdrawn = assertOk(await api(server, 'DELETE', `${BASE(club)}/staff/${maybe.id}`, { token: boss.token }));
    assert.deepEqual([withdrawn.account.id, withdrawn.roles, withdrawn.state], [maybe.id, [], 'none']);
    assert.deepEqual(await invitations(maybe), []);
    assertError(await answer(club, 'accept', { token: maybe.token }), 404, 'not_found');
    const last = (await about(club, maybe)).at(-1);
    assert.deepEqual([last.action, last.actor_id, last.target_id], ['staff.invitation_withdrawn', boss.id, maybe.id]);
    assert.equal(last.ip, '127.0.0.0/24');
    assert.ok(!assertOk(await api(server, 'GET', `${BASE(club)}/staff`, { token: boss.token }))
      .some((m) => m.account.id === maybe.id));
    assertError(await api(server, 'DELETE', `${BASE(club)}/staff/${maybe.id}`, { token: boss.token }), 404, 'not_staff');
    const stranger = await registerUser(server, 'stranger');
    assertError(await api(server, 'DELETE', `${BASE(club)}/staff/${stranger.id}`, { token: boss.token }), 404, 'not_staff');
    assert.deepEqual(await about(club, stranger), []);
  });
});

describe('registration says whether an e-mail address has an account', () => {
  test('until e-mail confirmation exists, a taken address is still refused by name (documented trade-off)', async () => {
    const holder = await registerUser(server, 'holder');
    const [local, domain] = holder.email.split('@');
    for (const email of [holder.email, holder.email.toUpperCase(), `${local}@${domain.toUpperCase()}`]) {
      assertError(await registerRaw(server, { username: uniqueName('again'), email, password: strongPassword(),
        agreement: true, locale: 'en' }), 422, 'taken', 'email');
    }
    // A free address registers.
    assertOk(await registerRaw(server, { username: uniqueName('fresh'), email: `${uniqueName('fresh')}@example.com`,
      password: strongPassword(), agreement: true, locale: 'en' }));
  });
});
