// A draft's photos are part of what is approved (docs/organisations.md, "Two-
// person approval"): their alt text changed with PUT /api/v1/media/:id as the
// organisation is an edit of the draft (approvals gone, the person recorded
// as an editor), a published post's photo changes only through approval, and
// the console's order (the photo, then the draft) and the reverse leave the
// draft in the same state. Against the real binary on either engine.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, startServer, strongPassword,
  uniqueName, waitFor,
} from './lib/server.mjs';
import { noiseJpeg, registerUser } from './lib/photos.mjs';

let server;
let org;
const staff = {};  // owner, editor, editor2 (editor + approver), approver

const ORG = () => `/api/vantage/v1/organisations/${org.id}`;
const DRAFTS = () => `${ORG()}/drafts`;
const ACT = () => ({ 'vantage-act-as': String(org.id) });
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();

async function upload(user = staff.editor) {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  form.append('description', 'A lighthouse');
  const res = await api(server, 'POST', '/api/v2/media', { token: user.token, headers: ACT(), body: form });
  assert.ok(res.status === 200 || res.status === 202, res.text);
  const { id } = res.json;
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`,
    { token: user.token, headers: ACT() })).status === 200, { timeoutMs: 15_000 });
  return id;
}

const call = (method, path, user, json) => api(server, method, path, { token: user.token, json });
// approve, reject, publish and schedule send the `version` of the draft as
// last read (`draft`) unless `json` has one.
const VERSIONED = new Set(['approve', 'reject', 'publish', 'schedule']);
const step = async (draft, name, user, json) => {
  if (VERSIONED.has(name) && !(json && 'version' in json)) json = { ...json, version: draft.version };
  return assertOk(await call('POST', `${DRAFTS()}/${draft.id}/${name}`, user, json));
};
const describePhoto = (id, description, user = staff.editor) =>
  api(server, 'PUT', `/api/v1/media/${id}`, { token: user.token, headers: ACT(), json: { description } });
const read = async (draft) => assertOk(await call('GET', `${DRAFTS()}/${draft.id}`, staff.owner));

async function approvedDraft() {
  const photo = await upload();
  const draft = assertOk(await call('POST', DRAFTS(), staff.editor, { status: 'Harbour at dawn', media_ids: [photo] }));
  await step(draft, 'submit', staff.editor);
  return { photo, draft: await step(draft, 'approve', staff.approver) };
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
  for (const name of ['owner', 'editor', 'editor2', 'approver']) staff[name] = await registerUser(server, name);
  org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('org'), display_name: 'Harbour Office', owner: staff.owner.username, require_second_factor: false },
  })).account;
  const roles = { editor: ['editor'], editor2: ['editor', 'approver'], approver: ['approver'] };
  for (const [name, list] of Object.entries(roles)) await joinStaff(server, org.id, staff.owner, staff[name], list);
});
after(async () => {
  await server?.stop();
});

describe('alt text of a draft photo', () => {
  test('an approved draft goes back to submitted without its approvals, and whoever changed it may not approve', async () => {
    const { photo, draft } = await approvedDraft();
    assert.equal(draft.state, 'approved');
    const media = assertOk(await describePhoto(photo, 'The lighthouse at dawn, lamp still lit', staff.editor2));
    assert.equal(media.description, 'The lighthouse at dawn, lamp still lit');
    const now = await read(draft);
    assert.equal(now.state, 'submitted');
    assert.deepEqual(now.approvals, []);
    assert.equal(now.media_attachments[0].description, 'The lighthouse at dawn, lamp still lit');
    const edited = (await auditFor(draft.id)).at(-1);
    assert.equal(edited.action, 'draft.edited');
    assert.equal(edited.actor_id, staff.editor2.id);
    assert.equal(edited.detail.media_id, photo);
    assert.equal(edited.detail.changed, 'description');
    assertError(await call('POST', `${DRAFTS()}/${draft.id}/approve`, staff.editor2, { version: now.version }),
      403, 'own_draft');
    assert.equal((await step(now, 'approve', staff.approver)).state, 'approved');
  });

  test('a scheduled draft goes back to submitted, its time kept as a request; the same text again changes nothing', async () => {
    const { photo, draft } = await approvedDraft();
    const at = inSeconds(3600);
    const scheduled = await step(draft, 'schedule', staff.editor, { scheduled_at: at });
    assert.equal(scheduled.state, 'scheduled');
    assertOk(await describePhoto(photo, 'A lighthouse'));  // as uploaded
    assert.equal((await read(draft)).state, 'scheduled');
    assertOk(await describePhoto(photo, 'A lighthouse in fog'));
    const now = await read(draft);
    assert.equal(now.state, 'submitted');
    assert.equal(Date.parse(now.scheduled_at), Date.parse(scheduled.scheduled_at));
  });

  test('a rejected draft becomes a draft; a draft stays one', async () => {
    const photo = await upload();
    const draft = assertOk(await call('POST', DRAFTS(), staff.editor, { status: 'Quay', media_ids: [photo] }));
    assertOk(await describePhoto(photo, 'The quay'));
    const described = await read(draft);
    assert.equal(described.state, 'draft');
    await step(described, 'submit', staff.editor);
    await step(described, 'reject', staff.approver, { reason: 'Say which quay' });
    assertOk(await describePhoto(photo, 'The north quay'));
    assert.equal((await read(draft)).state, 'draft');
  });

  test('the photo, then the draft, or the draft, then the photo: both end submitted without approvals', async () => {
    for (const photoFirst of [true, false]) {
      const { photo, draft } = await approvedDraft();
      const putDraft = async () => assertOk(await call('PUT', `${DRAFTS()}/${draft.id}`, staff.editor,
        { status: 'Harbour at dawn, revised', media_ids: [photo] }));
      if (photoFirst) {
        assertOk(await describePhoto(photo, `Revised ${photoFirst}`));
        await putDraft();
      } else {
        await putDraft();
        assertOk(await describePhoto(photo, `Revised ${photoFirst}`));
      }
      const now = await read(draft);
      assert.equal(now.state, 'submitted', `photo first: ${photoFirst}`);
      assert.deepEqual(now.approvals, []);
      assert.equal(now.status, 'Harbour at dawn, revised');
      assert.equal(now.media_attachments[0].description, `Revised ${photoFirst}`);
    }
  });

  test('a published post\'s photo is 403 approval_required as the organisation and keeps its text', async () => {
    const { photo, draft } = await approvedDraft();
    const published = await step(draft, 'publish', staff.editor);
    assertError(await describePhoto(photo, 'Changed behind approval'), 403, 'approval_required');
    const post = assertOk(await api(server, 'GET', `/api/v1/statuses/${published.status_id}`, { token: staff.owner.token }));
    assert.equal(post.media_attachments[0].description, 'A lighthouse');
  });

  test('an upload in no draft is described as before', async () => {
    const photo = await upload();
    assert.equal(assertOk(await describePhoto(photo, 'Loose')).description, 'Loose');
  });
});
