// The staff-identity canary (docs/organisations.md, "The staff link is
// private"). Staff whose usernames, display names, e-mails, bios, client
// applications, user agents, upload file names and photo metadata carry
// marker strings (all starting with `qz7c`), and whose account ids are
// markers too, run an organisation: they edit its profile, upload photos,
// comment, answer, like and follow as it, and draft, approve, schedule and
// publish its posts. Then every route the server registers (the list comes
// from `vantage routes`, so a new route is never left out) is requested as an
// anonymous visitor, as ordinary signed-in users and as a user trying to act
// as the organisation, with its path parameters filled from the scene; so are
// the web pages, every media file a response names, the Atom feed, a few
// federation paths and the write routes an ordinary user can reach against
// the organisation's objects. No marker may appear in any body or header, as
// written, in any case, URL-encoded or JSON-escaped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  OOB, adminCreateAccount, api, assertError, assertOk, createApp, passwordToken, registrationApp, runCli, signIn,
  startServer, strongPassword, uniqueName, waitFor,
} from './lib/server.mjs';
import { noiseJpeg, postPhoto, registerUser } from './lib/photos.mjs';

// Every marker starts with this; nothing in the scene that is meant to be
// public does.
const PREFIX = 'qz7c';
const ROLES = ['owner', 'editor', 'approver', 'moderator'];
const TAG = 'harbourwatch';

// GET routes the crawl does not request, each with the reason.
const SKIP_GET = new Map([
]);

// Write routes with path parameters that are not sent at the organisation's
// objects, each with the reason.
const SKIP_WRITE = new Map([
]);

// What any signed-in user may do to another account or its posts; every
// other write at the organisation's objects must be refused.
const OPEN_WRITES = /\/(follow|unfollow|block|unblock|mute|unmute|favourite|unfavourite|bookmark|unbookmark|reblog|unreblog)$/;

let server;
let routes;          // [{method, pattern}] from `vantage routes`
let org;             // the organisation's account
let pub;             // a member of the public the organisation interacts with
let viewer;          // an ordinary signed-in user who follows the organisation
let locked;          // a member of the public with a locked account the organisation asks to follow
const staff = {};    // role -> {username, token, id, agent, ...}
const markers = [];  // {label, value}
const scene = {
  statusIds: new Set(),   // the organisation's posts and comments, and the public's around them
  orgStatusIds: new Set(),
  mediaIds: [],           // the organisation's uploads
  draftIds: [],
  qaIds: [],             // the organisation's Q&A session
  questionIds: [],       // its questions: answered under the pseudonym and as the organisation, merged
  notificationIds: [],    // the public member's
  sessionIds: [],         // the staff's
  reportIds: [],          // a report of the organisation, in the admin queue
  uploadUrls: [],         // every file of the organisation's uploads, as the staff see them (signed)
};

const ACT = (id) => ({ 'vantage-act-as': String(id) });

// A staff member's request: their own token (from the marked client
// application) and their marked user agent.
function asStaff(who, method, url, opts = {}) {
  return api(server, method, url, { ...opts, token: who.token, headers: { 'user-agent': who.agent, ...(opts.headers ?? {}) } });
}

function marked(label, value) {
  markers.push({ label, value: String(value) });
}

// The forms a marker could take in a response: as written, URL-encoded,
// JSON-escaped and HTML-escaped; compared without regard to case.
function markerForms(value) {
  const html = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), html,
    encodeURIComponent(value).replace(/%20/g, '+')]);
  return [...forms].map((f) => f.toLowerCase());
}

// The markers found in `text`, as labels.
function findMarkers(text) {
  const lower = text.toLowerCase();
  const found = [];
  for (const { label, value } of markers) {
    if (markerForms(value).some((form) => lower.includes(form))) found.push(`${label} "${value}"`);
  }
  return found;
}

const leaks = [];
const requested = new Set();  // `${identity} ${method} ${pattern}`

function inspect(where, text) {
  for (const found of findMarkers(text)) leaks.push(`${found} at ${where}`);
}

function inspectResponse(identity, method, url, res, body) {
  const where = `${method} ${url} as ${identity} (${res.status})`;
  inspect(`${where}, body`, body);
  for (const [name, value] of res.headers) inspect(`${where}, header ${name}`, `${name}: ${value}`);
}

// Files named by any response (photos, avatars, headers), as paths with
// their query, by folder: {media: Set, avatars: Set, headers: Set}.
const FILE_ROUTES = new Set(['/media/:file', '/avatars/:file', '/headers/:file']);
const filePaths = { media: new Set(), avatars: new Set(), headers: new Set() };
function harvestMedia(text) {
  const re = /https?:\/\/[^/"'\s<>]+\/(media|avatars|headers)\/([A-Za-z0-9_-]+\.[A-Za-z0-9]+(?:\?[^"'\s<>\\]*)?)(?![\/\w.-])/g;
  for (const m of text.matchAll(re)) {
    const file = m[2].replace(/&amp;/g, '&');
    filePaths[m[1]].add(file);
    filePaths[m[1]].add(file.split('?')[0]);
  }
}

// The identities the public surfaces are requested as.
function identities() {
  return [
    { name: 'anonymous', opts: {} },
    { name: 'viewer', opts: { token: viewer.token } },
    { name: 'public member', opts: { token: pub.token } },
    { name: 'viewer with a cookie session', opts: { cookie: viewer.session.cookie } },
    { name: 'viewer acting as the organisation', opts: { token: viewer.token, headers: ACT(org.id) } },
  ];
}

// An event stream never ends: the first 1.5 s of it is read, from the
// first event kept (Last-Event-ID 0: the whole session replayed), and
// inspected as a body. Anything else is read whole.
async function readStream(url, opts) {
  const h = { 'last-event-id': '0', ...(opts.headers ?? {}) };
  if (opts.token) h.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) h.cookie = opts.cookie;
  const controller = new AbortController();
  const res = await fetch(new URL(url, server.url), { headers: h, redirect: 'manual', signal: controller.signal });
  let text = '';
  if (!/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) text = await res.text();
  else {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const timer = setTimeout(() => controller.abort(), 1_500);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch { /* aborted: the stream was read long enough */ }
    clearTimeout(timer);
  }
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

let probes = 0;
async function probe(identity, method, url, extra = {}) {
  probes += 1;
  const opts = { ...identity.opts, ...extra, headers: { 'user-agent': 'canary-visitor', ...(identity.opts.headers ?? {}), ...(extra.headers ?? {}) } };
  const res = method === 'GET' && /\/stream$/.test(url.split('?')[0])
    ? await readStream(url, opts) : await api(server, method, url, opts);
  inspectResponse(identity.name, method, url, res, res.text);
  harvestMedia(res.text);
  return res;
}

// Fetches a media file's bytes and searches them (and, with exiftool, every
// metadata field an independent reader finds) for markers.
const exifChecked = new Set();
async function probeMedia(identity, url) {
  probes += 1;
  const h = { 'user-agent': 'canary-visitor', ...(identity.opts.headers ?? {}) };
  if (identity.opts.token) h.authorization = `Bearer ${identity.opts.token}`;
  const res = await fetch(new URL(url, server.url), { headers: h, redirect: 'manual' });
  const bytes = Buffer.from(await res.arrayBuffer());
  inspectResponse(identity.name, 'GET', url, res, bytes.toString('latin1'));
  inspect(`GET ${url} as ${identity.name}, bytes as UTF-16`, bytes.toString('utf16le'));
  const file = url.split('?')[0];
  if (res.status === 200 && !exifChecked.has(file)) {
    exifChecked.add(file);
    const dir = await mkdtemp(path.join(tmpdir(), 'vantage-canary-'));
    try {
      await writeFile(path.join(dir, 'file'), bytes);
      const meta = execFileSync('exiftool', ['-a', '-u', '-G1', '-s', path.join(dir, 'file')], { encoding: 'utf8' });
      inspect(`GET ${url}, metadata read by exiftool`, meta);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return res;
}

// A JPEG of noise whose EXIF, XMP and comment carry `marker`.
async function markedJpeg(marker) {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-canary-'));
  try {
    const file = path.join(dir, 'photo.jpg');
    await writeFile(file, await noiseJpeg(64, 48));
    execFileSync('exiftool', ['-q', '-overwrite_original', `-Artist=${marker}`, `-ImageDescription=${marker}`,
      `-UserComment=${marker}`, `-XMP-dc:Creator=${marker}`, `-Comment=${marker}`, `-Copyright=${marker}`, file]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Uploads a marked photo as the organisation, under a marked file name.
async function uploadAsOrganisation(who) {
  const form = new FormData();
  form.append('file', new Blob([await markedJpeg(who.exif)], { type: 'image/jpeg' }), who.filename);
  form.append('description', 'The harbour from the lighthouse');
  const res = await asStaff(who, 'POST', '/api/v2/media', { body: form, headers: ACT(org.id) });
  assert.ok(res.status === 200 || res.status === 202, `upload as the organisation: ${res.status} ${res.text}`);
  const { id } = res.json;
  const ready = await waitFor(async () => {
    const media = await asStaff(who, 'GET', `/api/v1/media/${id}`, { headers: ACT(org.id) });
    return media.status === 200 && media.json;
  }, { timeoutMs: 15_000, message: `media ${id} ready` });
  scene.mediaIds.push(id);
  scene.uploadUrls.push(...ready.vantage.variants.map((v) => v.url));
  return id;
}

async function createStaffMember(role, app) {
  const who = {
    role,
    username: `${PREFIX}u_${role}`,
    display_name: `${PREFIX.toUpperCase()}d ${role}`,
    email: `${PREFIX}e_${role}@${PREFIX}mail.example`,
    note: `${PREFIX}n_${role} bio`,
    agent: `${PREFIX}ua_${role}/1.0`,
    filename: `${PREFIX}f_${role}.jpg`,
    exif: `${PREFIX}x_${role}`,
    password: strongPassword(),
  };
  const { token: appToken } = await registrationApp(server);
  assertOk(await api(server, 'POST', '/api/v1/accounts', {
    token: appToken,
    headers: { 'user-agent': who.agent },
    json: { username: who.username, email: who.email, password: who.password, agreement: true, locale: 'en' },
  }));
  who.token = await passwordToken(server, app, who.username, who.password);
  const me = assertOk(await asStaff(who, 'PATCH', '/api/v1/accounts/update_credentials',
    { json: { display_name: who.display_name, note: who.note } }));
  who.id = me.id;
  for (const key of ['username', 'display_name', 'email', 'note', 'agent', 'filename', 'exif', 'id'])
    marked(`the ${role}'s ${key}`, who[key]);
  // A session signed in from the browser, with its user agent.
  const session = await signIn(server, who.username, who.password, { headers: { 'user-agent': who.agent } });
  assert.equal(session.res.status, 200, session.res.text);
  return who;
}

function pushStatus(status, { organisation = false } = {}) {
  scene.statusIds.add(status.id);
  if (organisation) scene.orgStatusIds.add(status.id);
  return status;
}

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  const listing = await runCli(['routes']);
  assert.equal(listing.code, 0, listing.stderr);
  routes = listing.stdout.trim().split('\n').map((line) => {
    const [method, pattern] = line.split(' ');
    return { method, pattern };
  });

  const admin = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...admin, role: 'admin' });
  const adminApp = await createApp(server, 'read write follow admin:read admin:write');
  const adminToken = await passwordToken(server, adminApp, admin.username, admin.password, 'read write follow admin:write');

  // The staff's own client application is marked too.
  const staffApp = await createApp(server, 'read write follow',
    { client_name: `${PREFIX}app Desk`, website: `https://${PREFIX}web.example/` });
  marked("the staff's client name", `${PREFIX}app Desk`);
  marked("the staff's client website", `${PREFIX}web.example`);
  marked("the staff's client id", staffApp.client_id);
  for (const role of ROLES) staff[role] = await createStaffMember(role, staffApp);
  for (const who of Object.values(staff)) marked(`the ${who.role}'s token`, who.token);
  marked('the marker prefix', PREFIX);

  pub = await registerUser(server, 'pub');
  locked = await registerUser(server, 'locked');
  assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: locked.token, json: { locked: true } }));
  viewer = await registerUser(server, 'viewer');
  viewer.app = await createApp(server, 'read write follow');
  viewer.session = await signIn(server, viewer.username, viewer.password);

  // The organisation, with its owner, verified; then its staff.
  org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('harbour_police'), display_name: 'Harbour Police', owner: staff.owner.username, require_second_factor: false },
  })).account;
  const verified = await runCli(['admin', 'verify', ...server.dataArgs, org.username]);
  assert.equal(verified.code, 0, verified.stderr);
  // Staff join by invitation: the owner invites, each accepts.
  for (const role of ['editor', 'approver', 'moderator']) {
    const invited = assertOk(await asStaff(staff.owner, 'PUT',
      `/api/vantage/v1/organisations/${org.id}/staff/${staff[role].id}`, { json: { roles: [role] } }));
    assert.equal(invited.state, 'invited', JSON.stringify(invited));
    assertOk(await asStaff(staff[role], 'POST', `/api/vantage/v1/organisations/${org.id}/invitation/accept`));
  }
  // The public member has an invitation they have not answered: their
  // invitation list, crawled like every GET route, names the organisation
  // and never the owner who sent it. (The write crawl leaves them out, so it
  // stays pending.)
  assert.equal(assertOk(await asStaff(staff.owner, 'PUT', `/api/vantage/v1/organisations/${org.id}/staff/${pub.id}`,
    { json: { roles: ['analyst'] } })).state, 'invited');
  for (const who of Object.values(staff)) {
    const sessions = assertOk(await asStaff(who, 'GET', '/api/vantage/v1/sessions'));
    scene.sessionIds.push(...sessions.map((s) => s.id));
  }

  // The owner edits the organisation's profile, and gives it a picture when
  // the server takes one.
  assertOk(await asStaff(staff.owner, 'PATCH', '/api/v1/accounts/update_credentials',
    { headers: ACT(org.id), json: { note: `The official account of the Harbour Police. #${TAG}` } }));
  if (routes.some((r) => r.method === 'GET' && r.pattern === '/avatars/:file')) {
    const form = new FormData();
    form.append('avatar', new Blob([await markedJpeg(staff.owner.exif)], { type: 'image/jpeg' }), staff.owner.filename);
    const changed = assertOk(await asStaff(staff.owner, 'PATCH', '/api/v1/accounts/update_credentials',
      { headers: ACT(org.id), body: form }));
    assert.match(changed.avatar, /\/avatars\/\w+/, 'the organisation has a picture');
  }

  // The public posts; the organisation follows, likes, comments and answers.
  const pubPost = pushStatus(await postPhoto(server, pub, { status: `Fog over the harbour #${TAG}` }));
  assertOk(await api(server, 'POST', `/api/v1/accounts/${org.id}/follow`, { token: viewer.token }));
  assertOk(await api(server, 'POST', `/api/v1/accounts/${org.id}/follow`, { token: pub.token }));
  assertOk(await asStaff(staff.owner, 'POST', `/api/v1/accounts/${pub.id}/follow`, { headers: ACT(org.id) }));
  const asked = assertOk(await asStaff(staff.owner, 'POST', `/api/v1/accounts/${locked.id}/follow`, { headers: ACT(org.id) }));
  assert.equal(asked.requested, true);
  assertOk(await asStaff(staff.moderator, 'POST', `/api/v1/statuses/${pubPost.id}/favourite`, { headers: ACT(org.id) }));
  // An upload as the organisation, for a draft.
  const mediaId = await uploadAsOrganisation(staff.editor);
  const comment = pushStatus(assertOk(await asStaff(staff.editor, 'POST', '/api/v1/statuses', {
    headers: ACT(org.id),
    json: { status: `@${pub.username} Thank you, here is the view from the lighthouse #${TAG}`, in_reply_to_id: pubPost.id },
  })), { organisation: true });
  assertOk(await asStaff(staff.editor, 'PUT', `/api/v1/statuses/${comment.id}`, {
    headers: ACT(org.id),
    json: { status: `@${pub.username} Thank you! Here is the view from the lighthouse #${TAG}` },
  }));
  const question = pushStatus(assertOk(await api(server, 'POST', '/api/v1/statuses',
    { token: pub.token, json: { status: 'When was this taken?', in_reply_to_id: comment.id } })));
  pushStatus(assertOk(await asStaff(staff.moderator, 'POST', '/api/v1/statuses', {
    headers: ACT(org.id), json: { status: `@${pub.username} This morning, at seven.`, in_reply_to_id: question.id },
  })), { organisation: true });

  await publishThroughApproval(mediaId);
  if (routes.some((r) => r.method === 'POST' && r.pattern === '/api/vantage/v1/organisations/:id/qa')) await runQa();
  // A member of the public reports the organisation, for the admin queue's
  // routes (which refuse everyone the crawl signs in as).
  scene.reportIds.push(assertOk(await api(server, 'POST', '/api/v1/reports',
    { token: pub.token, json: { account_id: org.id, comment: 'Is this account real?' } })).id);

  // The viewer likes and bookmarks what the organisation posted, so that
  // their own lists hold it when crawled.
  for (const id of scene.orgStatusIds) {
    assertOk(await api(server, 'POST', `/api/v1/statuses/${id}/favourite`, { token: viewer.token }));
    assertOk(await api(server, 'POST', `/api/v1/statuses/${id}/bookmark`, { token: viewer.token }));
  }

  const notifications = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: pub.token }));
  scene.notificationIds.push(...notifications.map((n) => n.id));
});

after(async () => {
  await server?.stop();
});

// A live Q&A: the public asks (one asker shown by name), the moderator
// triages, an editor answers under the pseudonym, the moderator edits that
// answer and the owner answers as the organisation.
async function runQa() {
  const session = assertOk(await asStaff(staff.editor, 'POST', `/api/vantage/v1/organisations/${org.id}/qa`, {
    json: { title: 'Ask the harbour police', description: `Night patrols #${TAG}`, pseudonym: 'Officer A',
      ends_at: new Date(Date.now() + 3_600_000).toISOString() },
  }));
  scene.qaIds.push(session.id);
  const QUESTIONS = `/api/vantage/v1/qa/${session.id}/questions`;
  const ask = async (user, text, showName) => assertOk(await api(server, 'POST', QUESTIONS,
    { token: user.token, json: { text, show_name: showName } }));
  const armed = await ask(pub, 'Are the patrols armed?', true);
  const lighthouse = await ask(viewer, 'Is the lighthouse open?', false);
  const duplicate = await ask(viewer, 'Are patrols armed at night?', false);
  for (const q of [armed, lighthouse]) assertOk(await asStaff(staff.moderator, 'POST', `${QUESTIONS}/${q.id}/approve`));
  assertOk(await asStaff(staff.moderator, 'POST', `${QUESTIONS}/${duplicate.id}/merge`, { json: { into: armed.id } }));
  assertOk(await asStaff(staff.editor, 'POST', `${QUESTIONS}/${armed.id}/answer`,
    { json: { text: 'Only at night.', as: 'pseudonym' } }));
  assertOk(await asStaff(staff.moderator, 'PUT', `${QUESTIONS}/${armed.id}/answer`, { json: { text: 'Only at night, from 22:00.' } }));
  assertOk(await asStaff(staff.owner, 'POST', `${QUESTIONS}/${lighthouse.id}/answer`,
    { headers: ACT(org.id), json: { text: 'Yes, on Sundays.' } }));
  scene.questionIds.push(armed.id, lighthouse.id, duplicate.id);
}

// Two posts through the approval workflow: one approved for a few seconds
// ahead and published by the scheduler, one published at once; a third
// rejected and a fourth left a draft, which must stay out of sight.
async function publishThroughApproval(firstMediaId) {
  const DRAFTS = `/api/vantage/v1/organisations/${org.id}/drafts`;
  const create = async (status, mediaIds) => {
    const draft = assertOk(await asStaff(staff.editor, 'POST', DRAFTS, {
      json: { status, media_ids: mediaIds, visibility: 'public', vantage_cta: { url: 'https://police.example/jobs', label: 'Join us' } },
    }));
    scene.draftIds.push(draft.id);
    return draft;
  };
  const submit = async (draft) => assertOk(await asStaff(staff.editor, 'POST', `${DRAFTS}/${draft.id}/submit`));

  const scheduled = await create(`From the archive: the harbour in 1952 #${TAG}`,
    [await uploadAsOrganisation(staff.editor), await uploadAsOrganisation(staff.owner)]);
  await submit(scheduled);
  // Far enough ahead that a slow request still lands 5 s before it.
  const at = new Date(Date.now() + 8_000).toISOString();
  const approved = assertOk(await asStaff(staff.approver, 'POST', `${DRAFTS}/${scheduled.id}/approve`,
    { json: { scheduled_at: at, version: scheduled.version } }));
  assert.equal(approved.state, 'scheduled');

  const now = await create(`Recruitment day at the harbour #${TAG}`, [await uploadAsOrganisation(staff.moderator)]);
  await submit(now);
  assert.equal(assertOk(await asStaff(staff.approver, 'POST', `${DRAFTS}/${now.id}/approve`,
    { json: { version: now.version } })).state, 'approved');
  const published = assertOk(await asStaff(staff.editor, 'POST', `${DRAFTS}/${now.id}/publish`,
    { json: { version: now.version } }));
  assert.equal(published.state, 'published');
  scene.orgStatusIds.add(published.status_id);
  scene.statusIds.add(published.status_id);
  // A published post's caption changes only through approval; its comment
  // policy is set directly (a version in its history), and it is pinned:
  // it heads the profile.
  assertError(await asStaff(staff.editor, 'PUT', `/api/v1/statuses/${published.status_id}`, {
    headers: ACT(org.id), json: { status: `Recruitment day at the harbour, Saturday #${TAG}` },
  }), 403, 'approval_required');
  assertOk(await asStaff(staff.moderator, 'PUT', `/api/v1/statuses/${published.status_id}`, {
    headers: ACT(org.id), json: { vantage_comments: 'on' },
  }));
  assertOk(await asStaff(staff.editor, 'POST', `/api/v1/statuses/${published.status_id}/pin`, { headers: ACT(org.id) }));

  const rejected = await create(`Not this one #${TAG}`, [await uploadAsOrganisation(staff.editor)]);
  await submit(rejected);
  assertOk(await asStaff(staff.approver, 'POST', `${DRAFTS}/${rejected.id}/reject`,
    { json: { reason: 'Wrong photo', version: rejected.version } }));
  await create(`Still a draft #${TAG}`, [firstMediaId]);

  const done = await waitFor(async () => {
    const draft = assertOk(await asStaff(staff.editor, 'GET', `${DRAFTS}/${scheduled.id}`));
    return draft.state === 'published' && draft;
  }, { timeoutMs: 30_000, intervalMs: 250, message: 'the scheduled draft published' });
  scene.orgStatusIds.add(done.status_id);
  scene.statusIds.add(done.status_id);
  const released = assertOk(await api(server, 'GET', `/api/v1/statuses/${done.status_id}`));
  const late = Date.parse(released.created_at) - Date.parse(at);
  assert.ok(late >= 0 && late <= 5_000, `published ${late} ms after its time`);
  scene.releaseLateMs = late;

  // The public answers the published post, and the organisation replies.
  const question = pushStatus(assertOk(await api(server, 'POST', '/api/v1/statuses',
    { token: pub.token, json: { status: 'Are there more photos from 1952?', in_reply_to_id: done.status_id } })));
  pushStatus(assertOk(await asStaff(staff.moderator, 'POST', '/api/v1/statuses', {
    headers: ACT(org.id), json: { status: `@${pub.username} Yes, next week.`, in_reply_to_id: question.id },
  })), { organisation: true });
  // Its followers see it in their home feeds.
  const home = assertOk(await api(server, 'GET', '/api/v1/timelines/home', { token: viewer.token }));
  assert.ok(home.some((s) => s.id === done.status_id), 'the scheduled post reached a follower');
}

// Extra query strings per pattern (the bare pattern is always requested).
function queriesFor(pattern) {
  const q = {
    '/api/v1/accounts/lookup': [`?acct=${org.username}`, `?acct=${pub.username}`],
    '/api/v1/accounts/relationships': [`?id[]=${org.id}&id[]=${pub.id}`],
    '/api/v2/search': [`?q=${org.username}`, `?q=${TAG}`, `?q=%23${TAG}`, '?q=Harbour%20Police',
      '?q=Harbour&type=accounts', '?q=lighthouse&type=statuses'],
    '/api/v1/timelines/public': ['?local=true', '?only_media=true'],
    '/api/v1/accounts/:id/statuses': ['?only_media=true', '?exclude_replies=true', '?pinned=true'],
    '/oauth/authorize': [`?response_type=code&client_id=${viewer.app.client_id}&redirect_uri=${encodeURIComponent(OOB)}&scope=read`],
    '/api/v1/notifications': ['?types[]=mention', '?types[]=favourite', '?types[]=follow'],
    '/api/vantage/v1/organisations/:id/drafts': ['?state=published', '?state=scheduled', '?state=draft'],
    '/api/vantage/v1/explore': ['?limit=40'],
  }[pattern] ?? [];
  return ['', ...q];
}

// The values for a path parameter of `pattern`, or null when the canary
// does not know the parameter (which fails the test). A new route's
// parameter gets its values here, from objects the scene makes public or
// that belong to the organisation.
function valuesFor(pattern, name) {
  if (name === 'name' && (pattern.startsWith('/@') || pattern.startsWith('/users/'))) return [org.username, pub.username];
  if (name === 'id' && pattern.startsWith('/@')) return [...scene.statusIds];
  if (name === 'name' || name === 'hashtag') return [TAG];
  if (name === 'file') return [...(filePaths[pattern.split('/')[1]] ?? [])];
  if (name === 'draft_id') return scene.draftIds;
  if (name === 'question_id') return scene.questionIds;
  if (name === 'account_id') return Object.values(staff).map((s) => s.id);
  // Remote posts' photos fetched when shown: the organisation's own are no such thing.
  if (name === 'variant' && pattern.startsWith('/media/remote/')) return ['large', 'small'];
  if (name !== 'id') return null;
  if (pattern.startsWith('/media/remote/:id')) return scene.mediaIds;
  if (/^\/api\/v1\/(accounts|follow_requests)\/:id/.test(pattern)) return [org.id, pub.id];
  if (/statuses\/:id/.test(pattern)) return [...scene.statusIds];
  if (pattern.startsWith('/api/v1/notifications/:id')) return scene.notificationIds;
  if (pattern.startsWith('/api/v1/media/:id')) return scene.mediaIds;
  if (pattern.startsWith('/api/vantage/v1/organisations/:id')) return [org.id];
  if (pattern.startsWith('/api/vantage/v1/sessions/:id')) return scene.sessionIds;
  // The staff have no passkeys in the scene: ids that name none of theirs,
  // so that the answers (404s and field errors) are crawled for markers.
  if (pattern.startsWith('/api/vantage/v1/second_factors/webauthn/:id')) return scene.sessionIds;
  // Nor archives: ids that name none (an organisation's are its owners' alone).
  if (pattern.startsWith('/api/vantage/v1/exports/:id')) return scene.sessionIds;
  if (pattern.startsWith('/api/vantage/v1/qa/:id')) return scene.qaIds;
  if (pattern.startsWith('/api/vantage/v1/admin/reports/:id')) return scene.reportIds;
  // Domains named by federation's policy: none of the organisation's.
  if (pattern.startsWith('/api/v1/admin/domain_')) return ['social.example'];
  return null;
}

// Every URL a pattern stands for in the scene. Throws for an unknown
// parameter.
function fill(pattern) {
  const names = [...pattern.matchAll(/:([a-z_]+)/g)].map((m) => m[1]);
  let urls = [pattern];
  for (const name of names) {
    const values = valuesFor(pattern, name);
    if (!values) throw new Error(`the canary cannot fill :${name} in ${pattern}: give it values or a skip reason`);
    // File names keep their query (a signature); everything else is one segment.
    const encode = name === 'file' ? (v) => v : encodeURIComponent;
    urls = urls.flatMap((u) => values.map((v) => u.replace(`:${name}`, encode(v))));
  }
  return urls;
}

describe('the staff-identity canary', () => {
  test('the detector finds the markers where they belong (staff-only answers)', async () => {
    const list = await asStaff(staff.owner, 'GET', `/api/vantage/v1/organisations/${org.id}/staff`);
    const found = findMarkers(list.text);
    for (const role of ROLES) {
      assert.ok(found.some((f) => f.startsWith(`the ${role}'s username`)), found.join('\n'));
      assert.ok(found.some((f) => f.startsWith(`the ${role}'s id`)), found.join('\n'));
    }
    assert.ok(findMarkers(JSON.stringify({ x: staff.editor.email.toUpperCase() })).length > 0);
    assert.ok(findMarkers(encodeURIComponent(staff.editor.email)).length > 0);
  });

  test('the scene is what the public sees: the organisation alone, no client application', async () => {
    assert.ok(routes.length > 50, `vantage routes listed ${routes.length}`);
    for (const known of ['GET /api/v1/statuses/:id', 'GET /@:name.atom', 'GET /media/:file', 'GET (fallback)']) {
      assert.ok(routes.some((r) => `${r.method} ${r.pattern}` === known), `vantage routes lists ${known}`);
    }
    for (const id of scene.orgStatusIds) {
      const status = assertOk(await api(server, 'GET', `/api/v1/statuses/${id}`));
      assert.equal(status.account.id, org.id, `status ${id} is the organisation's`);
      assert.equal(status.application, null, `status ${id} names no client application`);
    }
    const notifications = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: pub.token }));
    const types = new Set(notifications.map((n) => n.type));
    for (const type of ['follow', 'favourite', 'mention']) assert.ok(types.has(type), `a ${type} notification: ${[...types]}`);
    for (const n of notifications.filter((x) => x.type !== 'follow' || x.account.id !== viewer.id)) {
      assert.equal(n.account.id, org.id, `notification ${n.type} shows the organisation: ${JSON.stringify(n.account)}`);
    }
    const likers = assertOk(await api(server, 'GET', `/api/v1/statuses/${[...scene.statusIds][0]}/favourited_by`));
    assert.deepEqual(likers.map((a) => a.id), [org.id]);
    const posts = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}/statuses?exclude_replies=true`));
    assert.equal(posts.length, 2, 'the scheduled and the approved post are public; the rejected and the draft are not');
    const pinned = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}/statuses?pinned=true`));
    assert.equal(pinned.length, 1);
    // The public member's pending invitation is there to be crawled; it does not make them staff.
    const invitations = assertOk(await api(server, 'GET', '/api/vantage/v1/organisations/invitations', { token: pub.token }));
    assert.deepEqual(invitations.map((i) => [i.organisation.id, i.roles]), [[org.id, ['analyst']]]);
    assertError(await api(server, 'GET', `/api/vantage/v1/organisations/${org.id}/staff`, { token: pub.token }), 404);
  });

  test('a follow request from the organisation shows the organisation alone, before and after it is accepted', async () => {
    leaks.length = 0;
    const member = { name: 'locked member', opts: { token: locked.token } };
    const requests = assertOk(await probe(member, 'GET', '/api/v1/follow_requests'));
    assert.deepEqual(requests.map((a) => a.id), [org.id]);
    const notifications = assertOk(await probe(member, 'GET', '/api/v1/notifications'));
    assert.ok(notifications.length >= 1);
    for (const n of notifications) assert.equal(n.account.id, org.id, JSON.stringify(n));
    await probe(member, 'GET', `/api/v1/accounts/relationships?id[]=${org.id}`);
    assertOk(await probe(member, 'POST', `/api/v1/follow_requests/${org.id}/authorize`));
    const followers = assertOk(await probe(member, 'GET', `/api/v1/accounts/${locked.id}/followers`));
    assert.deepEqual(followers.map((a) => a.id), [org.id]);
    await probe(member, 'GET', '/api/v1/notifications');
    assert.deepEqual(leaks, [], `markers leaked:\n${leaks.join('\n')}`);
  });

  test("the staff's own public profiles show nothing of what they did as the organisation", async () => {
    for (const who of Object.values(staff)) {
      const account = assertOk(await api(server, 'GET', `/api/v1/accounts/${who.id}`));
      assert.deepEqual([account.statuses_count, account.following_count, account.followers_count, account.last_status_at],
        [0, 0, 0, null], `the ${who.role}'s profile: ${JSON.stringify(account)}`);
      for (const list of ['statuses', 'following', 'followers']) {
        assert.deepEqual(assertOk(await api(server, 'GET', `/api/v1/accounts/${who.id}/${list}`)), [], `the ${who.role}'s ${list}`);
      }
    }
    const relationships = assertOk(await api(server, 'GET',
      `/api/v1/accounts/relationships?${Object.values(staff).map((w) => `id[]=${w.id}`).join('&')}`, { token: pub.token }));
    for (const r of relationships) assert.equal(r.followed_by, false, `staff ${r.id} does not follow the public member`);
  });

  test("the link does not show the other way: the staff's public answers name no organisation", async () => {
    const orgMarks = [org.id, org.username, 'Harbour Police'];
    const found = [];
    for (const identity of identities().slice(0, 3)) {
      for (const who of Object.values(staff)) {
        for (const url of [`/api/v1/accounts/${who.id}`, `/api/v1/accounts/${who.id}/statuses`,
          `/api/v1/accounts/${who.id}/followers`, `/api/v1/accounts/${who.id}/following`,
          `/api/v1/accounts/lookup?acct=${who.username}`, `/@${who.username}.atom`, `/api/v2/search?q=${who.username}`,
          `/api/v1/accounts/relationships?id[]=${who.id}`]) {
          const res = await api(server, 'GET', url, identity.opts);
          const text = `${res.text}\n${JSON.stringify([...res.headers])}`.toLowerCase();
          for (const mark of orgMarks) {
            if (text.includes(mark.toLowerCase())) found.push(`${mark} at GET ${url} as ${identity.name}`);
          }
        }
      }
    }
    assert.deepEqual(found, []);
  });

  test('no marker on any route, as anybody: every GET route, filled from the scene', async (t) => {
    const unfilled = [];
    const unrouted = [];
    const gets = routes.filter((r) => r.method === 'GET' && r.pattern !== '(fallback)' && !SKIP_GET.has(`GET ${r.pattern}`));
    // The files last: the other answers name them.
    gets.sort((a, b) => FILE_ROUTES.has(a.pattern) - FILE_ROUTES.has(b.pattern));
    for (const { pattern } of gets) {
      let urls;
      try { urls = fill(pattern); } catch (err) { unfilled.push(err.message); continue; }
      for (const identity of identities()) {
        for (const url of urls) {
          for (const query of FILE_ROUTES.has(pattern) ? [''] : queriesFor(pattern)) {
            if (FILE_ROUTES.has(pattern)) await probeMedia(identity, url);
            else {
              const res = await probe(identity, 'GET', url + query);
              if (res.status === 405 || /^No route matches/.test(res.json?.error ?? '')) unrouted.push(`GET ${url}${query}`);
              // The ActivityPub documents of the same paths, as another server asks for them.
              if (/^\/(users\/|@|actor|\.well-known\/|nodeinfo\/)/.test(pattern)) {
                await probe(identity, 'GET', url + query, { headers: { accept: 'application/activity+json' } });
              }
            }
            requested.add(`${identity.name} GET ${pattern}`);
          }
        }
      }
    }
    assert.deepEqual(unfilled, []);
    // The list is the server's own: none of its routes is unknown to it.
    assert.deepEqual(unrouted, [], 'the server answers every route vantage routes lists');
    const missed = [];
    for (const { method, pattern } of routes) {
      if (method !== 'GET' || pattern === '(fallback)' || SKIP_GET.has(`GET ${pattern}`)) continue;
      for (const identity of identities())
        if (!requested.has(`${identity.name} GET ${pattern}`)) missed.push(`${identity.name} GET ${pattern}`);
    }
    assert.deepEqual(missed, [], 'every GET route is requested as every identity (or skipped with a reason)');
    assert.ok(exifChecked.size >= 2, `media files read: ${[...exifChecked].join(', ')}`);
    t.diagnostic(`${requested.size} route and identity pairs, ${probes} requests, ${exifChecked.size} files read`
      + `; the scheduled post went out ${scene.releaseLateMs} ms after its time`);
    assert.deepEqual(leaks, [], `markers leaked:\n${leaks.join('\n')}`);
  });

  test("the organisation's uploads keep no marker: file name, EXIF, XMP and comments are gone from every variant", async () => {
    leaks.length = 0;
    exifChecked.clear();
    assert.ok(scene.uploadUrls.length >= 4, scene.uploadUrls.join('\n'));
    for (const url of scene.uploadUrls) {
      const { pathname, search } = new URL(url);
      const res = await probeMedia(identities()[0], pathname + search);
      assert.equal(res.status, 200, `${url} with its signature`);
    }
    // Variants of a small photo may share a file (names are content addresses).
    assert.equal(exifChecked.size, new Set(scene.uploadUrls.map((u) => new URL(u).pathname)).size);
    assert.deepEqual(leaks, [], `markers leaked:\n${leaks.join('\n')}`);
  });

  test('no marker on the web pages, their files, the Atom feed and federation paths', async () => {
    leaks.length = 0;
    const postId = [...scene.orgStatusIds][0];
    const pages = ['/', `/@${org.username}`, `/@${org.username}/${postId}`, `/@${org.username}/${postId}/likes`,
      `/@${org.username}/followers`, `/@${org.username}/following`, `/p/${postId}`, '/explore', `/tags/${TAG}`,
      '/search', '/notifications', '/console', `/console/${org.id}`, `/@${org.username}.atom`,
      `/.well-known/webfinger?resource=acct:${org.username}@${new URL(server.url).host}`, '/.well-known/nodeinfo',
      `/.well-known/webfinger?resource=${encodeURIComponent(`${server.url}/users/${org.username}`)}`,
      `/users/${org.username}/followers?page=1`, `/users/${org.username}/following?page=1`,
      `/users/${org.username}/outbox?page=1`, `/users/${org.username}/collections/featured`, '/nodeinfo/2.1', '/actor',
      '/.well-known/host-meta', '/nodeinfo/2.0', `/users/${org.username}`, `/users/${org.username}/outbox`,
      '/api/v1/streaming', `/api/v1/accounts/${org.id}/featured_tags`, '/api/v1/directory',
      `/api/v1/statuses/${postId}/reblogged_by`, '/api/v1/trends/tags', '/api/v1/suggestions'];
    const assets = new Set();
    for (const identity of identities()) {
      for (const page of pages) {
        const res = await probe(identity, 'GET', page);
        for (const m of res.text.matchAll(/(?:src|href)="(\/app\/[^"]+)"/g)) assets.add(m[1]);
        if (page.startsWith(`/@${org.username}`) && !page.endsWith('.atom')) {
          await probe(identity, 'GET', page, { headers: { accept: 'application/activity+json' } });
        }
      }
    }
    assert.ok(assets.size > 0, 'the app page names its files');
    for (const asset of assets) await probe(identities()[0], 'GET', asset);
    assert.deepEqual(leaks, [], `markers leaked:\n${leaks.join('\n')}`);
  });

  test("no marker in answers and errors of the writes an ordinary user can send at the organisation's objects", async () => {
    leaks.length = 0;
    const unfilled = [];
    const writes = routes.filter((r) => r.method !== 'GET' && r.pattern.includes(':') && !SKIP_WRITE.has(`${r.method} ${r.pattern}`));
    const visitors = identities().filter((i) => i.name !== 'public member' && !i.name.includes('cookie'));
    for (const { method, pattern } of writes) {
      let urls;
      try { urls = fill(pattern); } catch (err) { unfilled.push(err.message); continue; }
      for (const identity of visitors) {
        for (const url of urls) {
          const res = await probe(identity, method, url, { json: {} });
          requested.add(`${identity.name} ${method} ${pattern}`);
          if (identity.name !== 'viewer') {
            assert.ok(res.status >= 400, `${method} ${url} as ${identity.name} must be refused: ${res.status} ${res.text}`);
          }
          const ownObject = url.includes(`/${org.id}`) || [...scene.orgStatusIds].some((id) => url.includes(`/${id}`))
            || scene.mediaIds.some((id) => url.includes(`/${id}`)) || scene.draftIds.some((id) => url.includes(`/${id}`))
            || scene.qaIds.some((id) => url.includes(`/${id}`));
          if (ownObject && !OPEN_WRITES.test(pattern)) {
            assert.ok(res.status >= 400, `${method} ${url} by an outsider must be refused: ${res.status} ${res.text}`);
          }
        }
      }
    }
    assert.deepEqual(unfilled, []);
    const missed = [];
    for (const { method, pattern } of writes) {
      for (const identity of visitors)
        if (!requested.has(`${identity.name} ${method} ${pattern}`)) missed.push(`${identity.name} ${method} ${pattern}`);
    }
    assert.deepEqual(missed, [], 'every write route with a parameter is sent as every visitor (or skipped with a reason)');
    // Replies to the organisation's post, as a visitor and as a would-be act-as.
    for (const id of scene.orgStatusIds) {
      const reply = await probe(visitors[1], 'POST', '/api/v1/statuses', { json: { status: 'Who wrote this?', in_reply_to_id: id } });
      assertOk(reply);
      const forged = await probe(visitors[2], 'POST', '/api/v1/statuses', { json: { status: 'As them', in_reply_to_id: id } });
      assertError(forged, 404);
    }
    // Sign-in attempts naming the organisation.
    const refused = await probe(visitors[0], 'POST', '/auth/sign_in', { json: { username: org.username, password: 'x' } });
    assert.equal(refused.status, 401);
    assert.deepEqual(leaks, [], `markers leaked:\n${leaks.join('\n')}`);
  });
});
