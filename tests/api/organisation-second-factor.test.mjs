// Organisations and second factors (docs/account-security.md, "Organisations:
// staff must use a second factor"): the owner setting require_second_factor
// (on for new organisations, off when the instance admin creates one with
// require_second_factor: false or the CLI's --second-factor-optional, changed
// by owners in the settings), the 403 second_factor_required a staff member
// without a second factor gets whenever they act for the organisation
// (Vantage-Act-As and its staff routes) while their own account stays usable
// so that they can enrol, the audit entries of those refusals, and the recent
// sign-in that approving, publishing, scheduling, staff and settings changes
// need: 403 reauthentication_required for a token or web session issued more
// than 15 minutes ago, until POST /api/vantage/v1/reauthenticate proves again
// who holds it (a code, or the password for an account without a second
// factor), for that token or session only.
//
// A token's sign-in time is moved into the past with SQL on the server's
// database behind its back (tokens.created_at, milliseconds), on either
// engine. Codes are computed as an authenticator app would, with oathtool.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ENGINE, api, assertError, assertOk, createApp, joinStaff, makeAdmin, passwordToken, register, runCli, signIn,
  sleep, startServer, uniqueName, waitFor,
} from './lib/server.mjs';
import { noiseJpeg } from './lib/photos.mjs';

const SECOND_FACTORS = '/api/vantage/v1/second_factors';
const TOTP = `${SECOND_FACTORS}/totp`;
const CONFIRM = `${TOTP}/confirm`;
const REAUTHENTICATE = '/api/vantage/v1/reauthenticate';
const ORG = (id) => `/api/vantage/v1/organisations/${id}`;
const SETTINGS = (id) => `${ORG(id)}/settings`;
const STAFF = (id) => `${ORG(id)}/staff`;
const AUDIT = (id) => `${ORG(id)}/audit`;
const DRAFTS = (id) => `${ORG(id)}/drafts`;
const ACT = (id) => ({ 'vantage-act-as': String(id) });
const STEP_SECONDS = 30;
const TWENTY_MINUTES_MS = 20 * 60 * 1000;
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();

let server;
let admin;
let outsider;

// ---------------------------------------------------------------------------
// Requests as someone: `who` is an account ({token}) or a web session
// ({cookie, csrf}).

function call(who, method, urlPath, { json, headers } = {}) {
  return api(server, method, urlPath, { token: who.token, cookie: who.cookie, csrf: who.csrf, json, headers });
}

async function registerUser(prefix) {
  const user = await register(server, { prefix });
  user.id = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token })).id;
  return user;
}

async function createOrganisation(owner, extra = {}) {
  const body = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token: admin.token, json: { username: uniqueName('org'), display_name: 'Harbour Office', owner: owner.username, ...extra },
  }));
  return body;
}

// ---------------------------------------------------------------------------
// TOTP: codes, enrolment, sign-in

const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

// The code an authenticator app shows during `step` (30-second steps since the epoch).
function codeAt(secret, step) {
  return execFileSync('oathtool', ['--totp', '-b', `--now=@${step * STEP_SECONDS + 15}`, secret],
    { encoding: 'utf8' }).trim();
}

// Six digits that are no code of `secret` for any step near now.
function wrongCode(secret) {
  const step = currentStep();
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => codeAt(secret, step + d)));
  let n = Number(codeAt(secret, step));
  let code;
  do {
    n = (n + 499_999) % 1_000_000;
    code = String(n).padStart(6, '0');
  } while (near.has(code));
  return code;
}

// A TOTP code of `user` the server accepts now and that is not spent yet (a
// step is spent once a code of it, or of a later step, was accepted): the
// current step's, or the next one's. Waits when both are spent.
async function freshCode(user) {
  for (;;) {
    const left = STEP_SECONDS - ((Date.now() / 1000) % STEP_SECONDS);
    if (left < 3) await sleep(left * 1000 + 150);
    const now = currentStep();
    const step = Math.max(user.spent + 1, now);
    if (step <= now + 1) {
      user.spent = step;
      return codeAt(user.secret, step);
    }
    await sleep((now + 1) * STEP_SECONDS * 1000 - Date.now() + 150);
  }
}

// Turns TOTP on for `user`, through `via` (the user's token, or a web
// session of theirs); keeps the secret, the last step spent and the
// recovery codes on `user`.
async function enrolTotp(user, via = user) {
  const { secret } = assertOk(await call(via, 'POST', TOTP, { json: { password: user.password } }));
  assert.match(secret, /^[A-Z2-7]+=*$/, 'a base32 secret');
  const step = currentStep();
  const body = assertOk(await call(via, 'POST', CONFIRM, { json: { code: codeAt(secret, step) } }));
  Object.assign(user, { secret, spent: step, enrolmentCode: codeAt(secret, step), recovery: [...body.recovery_codes] });
  const status = assertOk(await call(via, 'GET', SECOND_FACTORS));
  assert.equal(status.totp, true, JSON.stringify(status));
  return user;
}

async function registerWithTotp(prefix) {
  return enrolTotp(await registerUser(prefix));
}

// A web session of `user` ({cookie, csrf, id}): the password, then (for an
// account with TOTP) one of its recovery codes.
async function webSignIn(user) {
  let res;
  if (user.secret) {
    const first = await api(server, 'POST', '/auth/sign_in', { json: { username: user.username, password: user.password } });
    const { sign_in_token: signInToken } = assertError(first, 403, 'second_factor_required');
    res = await api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: signInToken, code: user.recovery.shift() } });
  } else {
    res = (await signIn(server, user.username, user.password)).res;
  }
  const body = assertOk(res);
  const cookie = res.cookies.map((c) => c.split(';')[0].trim()).find((c) => c.startsWith('vantage_session='));
  assert.ok(cookie, `a session cookie: ${JSON.stringify(res.cookies)}`);
  assert.equal(typeof body.csrf_token, 'string', res.text);
  return { cookie, csrf: body.csrf_token, id: user.id };
}

// ---------------------------------------------------------------------------
// The database behind the server's back

function sql(statement) {
  if (ENGINE === 'postgres') {
    const url = server.dataArgs[server.dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXv', 'ON_ERROR_STOP=1', '-c', statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'vantage.db'), statement],
      { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

// Moves the sign-in of a token or web session 20 minutes into the past.
// Only digests of tokens are stored.
function ageSignIn(who) {
  const secret = who.token ?? who.cookie.slice('vantage_session='.length);
  const digest = crypto.createHash('sha256').update(secret).digest('hex');
  sql(`UPDATE tokens SET created_at = ${Date.now() - TWENTY_MINUTES_MS} WHERE token_hash = '${digest}'`);
}

// ---------------------------------------------------------------------------
// Organisations: audit, drafts

// The organisation's audit log, oldest first, read by `reader` (an owner).
async function auditLog(orgId, reader) {
  const entries = assertOk(await call(reader, 'GET', `${AUDIT(orgId)}?limit=80`));
  return entries.reverse();
}

function entriesOf(log, action, actorId) {
  return log.filter((e) => e.action === action && (actorId === undefined || e.actor_id === actorId));
}

async function settingsOf(orgId, reader) {
  return assertOk(await call(reader, 'GET', SETTINGS(orgId)));
}

// An upload as the organisation, by a staff member, once processed.
async function upload(user, orgId) {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await api(server, 'POST', '/api/v2/media', { token: user.token, headers: ACT(orgId), body: form });
  assert.ok(res.status === 200 || res.status === 202, res.text);
  const { id } = res.json;
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${id}`,
    { token: user.token, headers: ACT(orgId) })).status === 200, { timeoutMs: 15_000 });
  return id;
}

async function createDraft(editor, orgId, caption = 'Harbour at dawn') {
  return assertOk(await call(editor, 'POST', DRAFTS(orgId), { json: { status: caption, media_ids: [await upload(editor, orgId)] } }));
}

function transition(who, orgId, draft, name, json = {}) {
  const versioned = ['approve', 'reject', 'publish', 'schedule'].includes(name);
  return call(who, 'POST', `${DRAFTS(orgId)}/${draft.id}/${name}`,
    { json: versioned ? { version: draft.version, ...json } : json });
}

async function submittedDraft(editor, orgId, caption) {
  return assertOk(await transition(editor, orgId, await createDraft(editor, orgId, caption), 'submit'));
}

async function draftState(who, orgId, draft) {
  return assertOk(await call(who, 'GET', `${DRAFTS(orgId)}/${draft.id}`)).state;
}

function assertSecondFactorRequired(res, what) {
  const body = assertError(res, 403, 'second_factor_required');
  assert.match(body.error, /two-factor/i, `${what}: the message says to turn on two-factor authentication: ${body.error}`);
  assert.match(body.error, /settings/i, `${what}: the message points to the settings: ${body.error}`);
}

function assertReauthenticationRequired(res) {
  assertError(res, 403, 'reauthentication_required');
}

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  admin = await makeAdmin(server);
  outsider = await registerUser('outsider');
});
after(async () => {
  await server?.stop();
});

// ---------------------------------------------------------------------------

describe('the setting', () => {
  let keeper;  // an owner with TOTP
  before(async () => {
    keeper = await registerWithTotp('keeper');
  });

  test('a new organisation requires a second factor: on creation and in its settings', async () => {
    const created = await createOrganisation(keeper);
    assert.equal(created.require_second_factor, true, JSON.stringify(created));
    assert.equal(created.approvals_required, 1, JSON.stringify(created));
    const settings = await settingsOf(created.account.id, keeper);
    assert.equal(settings.require_second_factor, true, JSON.stringify(settings));
    assert.equal(settings.approvals_required, 1, JSON.stringify(settings));
  });

  test('require_second_factor: false at creation makes one without the requirement', async () => {
    const owner = await registerUser('laxowner');
    const created = await createOrganisation(owner, { require_second_factor: false });
    assert.equal(created.require_second_factor, false, JSON.stringify(created));
    // Its owner, who has no second factor, works for it.
    const settings = await settingsOf(created.account.id, owner);
    assert.equal(settings.require_second_factor, false, JSON.stringify(settings));
    assertOk(await call(owner, 'GET', DRAFTS(created.account.id)));
    assertOk(await call(owner, 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(created.account.id) }));
  });

  test('a bad require_second_factor at creation is 422 naming the field', async () => {
    for (const value of ['maybe', 2, { on: true }]) {
      const res = await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
        token: admin.token, json: { username: uniqueName('org'), owner: keeper.username, require_second_factor: value },
      });
      assertError(res, 422, null, 'require_second_factor');
    }
  });

  test('vantage admin create-organisation: on by default, off with --second-factor-optional', async () => {
    const strict = uniqueName('clistrict');
    const optional = uniqueName('clioptional');
    for (const [username, flags] of [[strict, []], [optional, ['--second-factor-optional']]]) {
      const r = await runCli(['admin', 'create-organisation', ...server.dataArgs, '--username', username,
        '--owner', keeper.username, ...flags]);
      assert.equal(r.code, 0, `create-organisation ${flags.join(' ')}: ${r.stdout}\n${r.stderr}`);
    }
    const mine = assertOk(await call(keeper, 'GET', '/api/vantage/v1/organisations'));
    const idOf = (username) => {
      const found = mine.find((o) => o.account.username === username);
      assert.ok(found, `${username} is among the keeper's organisations: ${JSON.stringify(mine)}`);
      return found.account.id;
    };
    assert.equal((await settingsOf(idOf(strict), keeper)).require_second_factor, true);
    assert.equal((await settingsOf(idOf(optional), keeper)).require_second_factor, false);

    // Its owner without a second factor is refused by the first and not by the second.
    const other = await registerUser('cliowner');
    const third = uniqueName('clistrict');
    const fourth = uniqueName('clioptional');
    for (const [username, flags] of [[third, []], [fourth, ['--second-factor-optional']]]) {
      const r = await runCli(['admin', 'create-organisation', ...server.dataArgs, '--username', username,
        '--owner', other.username, ...flags]);
      assert.equal(r.code, 0, r.stderr);
    }
    const theirs = assertOk(await call(other, 'GET', '/api/vantage/v1/organisations'));
    const id = (username) => theirs.find((o) => o.account.username === username).account.id;
    assertSecondFactorRequired(await call(other, 'GET', SETTINGS(id(third))), 'settings of a CLI organisation');
    assert.equal((await settingsOf(id(fourth), other)).require_second_factor, false);
  });
});

// ---------------------------------------------------------------------------

describe('staff without a second factor', () => {
  let keeper;   // owner with TOTP
  let lax;      // owner without a second factor (until they enrol), with a token
  let laxWeb;   // editor without a second factor, with a web session
  let laxSession;
  let org;

  before(async () => {
    keeper = await registerWithTotp('keeper');
    org = (await createOrganisation(keeper)).account;
    lax = await registerUser('lax');
    laxWeb = await registerUser('laxweb');
    // Invitations are theirs: accepting one needs no second factor.
    await joinStaff(server, org.id, keeper, lax, ['owner']);
    await joinStaff(server, org.id, keeper, laxWeb, ['editor']);
    laxSession = await webSignIn(laxWeb);
  });

  // What a staff member (an owner here) does for the organisation: as it with
  // Vantage-Act-As (reads and writes) and on its staff routes.
  const actions = () => [
    ['GET verify_credentials as the organisation', 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(org.id) }],
    ['GET home timeline as the organisation', 'GET', '/api/v1/timelines/home', { headers: ACT(org.id) }],
    ['follow as the organisation', 'POST', `/api/v1/accounts/${outsider.id}/follow`, { headers: ACT(org.id) }],
    ['update the organisation\'s profile', 'PATCH', '/api/v1/accounts/update_credentials',
      { headers: ACT(org.id), json: { display_name: 'Taken Over' } }],
    ['list drafts', 'GET', DRAFTS(org.id), {}],
    ['read settings', 'GET', SETTINGS(org.id), {}],
    ['change settings', 'PUT', SETTINGS(org.id), { json: { approvals_required: 1 } }],
    ['list staff', 'GET', STAFF(org.id), {}],
    ['read the audit log', 'GET', AUDIT(org.id), {}],
    ['open a Q&A session', 'POST', `${ORG(org.id)}/qa`,
      { json: { title: 'Ask the harbour office', ends_at: inSeconds(3600), pseudonym: 'Harbour Office' } }],
  ];

  test('are refused with 403 second_factor_required whenever they act for the organisation', async () => {
    let refused = 0;
    for (const [what, method, urlPath, opts] of actions()) {
      assertSecondFactorRequired(await call(lax, method, urlPath, opts), what);
      refused += 1;
    }
    // An invitation sent by them is a staff change too.
    assertSecondFactorRequired(await call(lax, 'PUT', `${STAFF(org.id)}/${outsider.id}`, { json: { roles: ['analyst'] } }),
      'invite');
    refused += 1;

    // Nothing they tried happened.
    const shown = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}`));
    assert.equal(shown.display_name, 'Harbour Office');
    assert.equal(shown.following_count, 0);
    const staff = assertOk(await call(keeper, 'GET', STAFF(org.id)));
    assert.ok(!staff.some((m) => m.account.id === outsider.id), JSON.stringify(staff));

    // Each refusal is in the organisation's log, read by an owner with a second factor.
    const log = await auditLog(org.id, keeper);
    assert.equal(entriesOf(log, 'staff.second_factor_missing', lax.id).length, refused,
      JSON.stringify(log.map((e) => [e.action, e.actor_id])));
    assert.equal(entriesOf(log, 'as_organisation', lax.id).length, 0, 'no write as the organisation ran');
  });

  test('their own account, settings, organisations and invitations still work, so they can enrol', async () => {
    const me = assertOk(await call(lax, 'GET', '/api/v1/accounts/verify_credentials'));
    assert.equal(me.id, lax.id);
    const mine = assertOk(await call(lax, 'GET', '/api/vantage/v1/organisations'));
    assert.deepEqual(mine.map((o) => [o.account.id, o.roles]), [[org.id, ['owner']]]);
    assert.ok(Array.isArray(assertOk(await call(lax, 'GET', '/api/vantage/v1/organisations/invitations'))));
    const updated = assertOk(await call(lax, 'PATCH', '/api/v1/accounts/update_credentials', { json: { display_name: 'Lax Owner' } }));
    assert.equal(updated.display_name, 'Lax Owner');
    const status = assertOk(await call(lax, 'GET', SECOND_FACTORS));
    assert.equal(status.totp, false);
  });

  test('with a web session too', async () => {
    const before = entriesOf(await auditLog(org.id, keeper), 'staff.second_factor_missing', laxWeb.id).length;
    assertSecondFactorRequired(await call(laxSession, 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(org.id) }),
      'read as the organisation (session)');
    assertSecondFactorRequired(await call(laxSession, 'POST', `/api/v1/accounts/${outsider.id}/follow`, { headers: ACT(org.id) }),
      'write as the organisation (session)');
    assertSecondFactorRequired(await call(laxSession, 'GET', DRAFTS(org.id)), 'drafts (session)');
    assertSecondFactorRequired(await call(laxSession, 'GET', SETTINGS(org.id)), 'settings (session)');
    const after = entriesOf(await auditLog(org.id, keeper), 'staff.second_factor_missing', laxWeb.id).length;
    assert.equal(after - before, 4);

    // Their own session and account are theirs.
    const session = assertOk(await call(laxSession, 'GET', '/auth/session'));
    assert.equal(session.account.username, laxWeb.username);
    assert.equal(assertOk(await call(laxSession, 'GET', '/api/v1/accounts/verify_credentials')).id, laxWeb.id);
    const mine = assertOk(await call(laxSession, 'GET', '/api/vantage/v1/organisations'));
    assert.deepEqual(mine.map((o) => o.account.id), [org.id]);
    assert.equal(assertOk(await call(laxSession, 'GET', SECOND_FACTORS)).totp, false);
  });

  test('after enrolling, the same requests work', async () => {
    await enrolTotp(lax);
    const me = assertOk(await call(lax, 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(org.id) }));
    assert.equal(me.id, org.id);
    assertOk(await call(lax, 'GET', '/api/v1/timelines/home', { headers: ACT(org.id) }));
    assert.equal(assertOk(await call(lax, 'POST', `/api/v1/accounts/${outsider.id}/follow`, { headers: ACT(org.id) })).following, true);
    assertOk(await call(lax, 'PATCH', '/api/v1/accounts/update_credentials',
      { headers: ACT(org.id), json: { display_name: 'Harbour Office' } }));
    assert.ok(Array.isArray(assertOk(await call(lax, 'GET', DRAFTS(org.id)))));
    assert.equal((await settingsOf(org.id, lax)).require_second_factor, true);
    assertOk(await call(lax, 'PUT', SETTINGS(org.id), { json: { approvals_required: 1 } }));
    assert.ok(assertOk(await call(lax, 'GET', STAFF(org.id))).some((m) => m.account.id === lax.id));
    assert.ok(Array.isArray(assertOk(await call(lax, 'GET', AUDIT(org.id)))));
    assertOk(await call(lax, 'POST', `${ORG(org.id)}/qa`,
      { json: { title: 'Ask the harbour office', ends_at: inSeconds(3600), pseudonym: 'Harbour Office' } }));
    assert.equal(assertOk(await call(lax, 'PUT', `${STAFF(org.id)}/${outsider.id}`, { json: { roles: ['analyst'] } })).state,
      'invited');
    assertOk(await call(lax, 'DELETE', `${STAFF(org.id)}/${outsider.id}`));

    // The web session's holder enrols through that session, which then works.
    await enrolTotp(laxWeb, laxSession);
    assert.equal(assertOk(await call(laxSession, 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(org.id) })).id,
      org.id);
    assert.ok(Array.isArray(assertOk(await call(laxSession, 'GET', DRAFTS(org.id)))));
    assert.equal((await settingsOf(org.id, laxSession)).require_second_factor, true);
  });
});

// ---------------------------------------------------------------------------

describe('an owner turns the requirement off and on', () => {
  let keeper;
  let plain;  // an editor without a second factor
  let org;

  before(async () => {
    keeper = await registerWithTotp('keeper');
    org = (await createOrganisation(keeper)).account;
    plain = await registerUser('plain');
    await joinStaff(server, org.id, keeper, plain, ['editor']);
  });

  test('PUT settings {require_second_factor}, audited as settings.changed', async () => {
    assertSecondFactorRequired(await call(plain, 'GET', DRAFTS(org.id)), 'drafts while required');

    assertOk(await call(keeper, 'PUT', SETTINGS(org.id), { json: { require_second_factor: false } }));
    let settings = await settingsOf(org.id, keeper);
    assert.equal(settings.require_second_factor, false, JSON.stringify(settings));
    assert.equal(settings.approvals_required, 1, 'approvals_required is left as it was');
    assert.ok(Array.isArray(assertOk(await call(plain, 'GET', DRAFTS(org.id)))));
    assertOk(await call(plain, 'GET', '/api/v1/accounts/verify_credentials', { headers: ACT(org.id) }));

    assertOk(await call(keeper, 'PUT', SETTINGS(org.id), { json: { require_second_factor: true } }));
    settings = await settingsOf(org.id, keeper);
    assert.equal(settings.require_second_factor, true, JSON.stringify(settings));
    assertSecondFactorRequired(await call(plain, 'GET', DRAFTS(org.id)), 'drafts after turning it on again');

    // Both at once.
    assertOk(await call(keeper, 'PUT', SETTINGS(org.id), { json: { approvals_required: 2, require_second_factor: false } }));
    settings = await settingsOf(org.id, keeper);
    assert.equal(settings.approvals_required, 2);
    assert.equal(settings.require_second_factor, false);
    assertOk(await call(keeper, 'PUT', SETTINGS(org.id), { json: { approvals_required: 1, require_second_factor: true } }));
    settings = await settingsOf(org.id, keeper);
    assert.equal(settings.approvals_required, 1);
    assert.equal(settings.require_second_factor, true);

    const changes = entriesOf(await auditLog(org.id, keeper), 'settings.changed')
      .filter((e) => e.detail && 'require_second_factor' in e.detail);
    assert.deepEqual(changes.map((e) => e.detail), [
      { require_second_factor: false }, { require_second_factor: true },
      { require_second_factor: false }, { require_second_factor: true },
    ]);
    for (const e of changes) {
      assert.equal(e.actor_id, keeper.id);
      assert.equal(e.target_type, 'organisation');
      assert.equal(e.target_id, org.id);
    }
  });

  test('a require_second_factor that is no boolean is 422 naming the field, and changes nothing', async () => {
    for (const value of ['maybe', 2, -1, { on: true }]) {
      assertError(await call(keeper, 'PUT', SETTINGS(org.id), { json: { require_second_factor: value } }),
        422, null, 'require_second_factor');
    }
    const settings = await settingsOf(org.id, keeper);
    assert.equal(settings.require_second_factor, true);
    assert.equal(settings.approvals_required, 1);
  });
});

// ---------------------------------------------------------------------------

describe('recent sign-in', () => {
  let owner;
  let editor;
  let approver;
  let releaser;  // an approver who also publishes, with a token and web sessions
  let org;

  before(async () => {
    owner = await registerWithTotp('owner');
    editor = await registerWithTotp('editor');
    approver = await registerWithTotp('approver');
    releaser = await registerWithTotp('releaser');
    org = (await createOrganisation(owner)).account;
    await joinStaff(server, org.id, owner, editor, ['editor']);
    await joinStaff(server, org.id, owner, approver, ['approver']);
    await joinStaff(server, org.id, owner, releaser, ['approver']);
  });

  test('a token issued over 15 minutes ago may read, edit and submit, but not approve, publish, schedule or change staff and settings', async () => {
    const first = await submittedDraft(editor, org.id, 'First light');
    const logBefore = await auditLog(org.id, owner);
    for (const who of [editor, approver, owner]) ageSignIn(who);

    // Approving.
    assertReauthenticationRequired(await transition(approver, org.id, first, 'approve'));
    assert.equal(await draftState(approver, org.id, first), 'submitted');
    assert.ok(assertOk(await call(approver, 'GET', DRAFTS(org.id))).some((d) => d.id === first.id));

    // Reading, writing, editing and submitting drafts.
    assert.ok(assertOk(await call(editor, 'GET', DRAFTS(org.id))).some((d) => d.id === first.id));
    let second = await createDraft(editor, org.id, 'Second light');
    second = assertOk(await call(editor, 'PUT', `${DRAFTS(org.id)}/${second.id}`,
      { json: { status: 'Second light, edited', media_ids: second.media_attachments.map((m) => m.id) } }));
    assert.equal(second.status, 'Second light, edited');
    second = assertOk(await transition(editor, org.id, second, 'submit'));
    assert.equal(second.state, 'submitted');

    // The approver proves who they are: wrong, replayed and missing codes are
    // refused naming the field; a password is no second factor.
    assertError(await call(approver, 'POST', REAUTHENTICATE, { json: { code: wrongCode(approver.secret) } }),
      422, 'invalid_code', 'code');
    assertError(await call(approver, 'POST', REAUTHENTICATE, { json: { code: approver.enrolmentCode } }),
      422, 'invalid_code', 'code');
    assertError(await call(approver, 'POST', REAUTHENTICATE, { json: { password: approver.password } }), 422, null, 'code');
    assertReauthenticationRequired(await transition(approver, org.id, first, 'approve'));
    assert.deepEqual(assertOk(await call(approver, 'POST', REAUTHENTICATE, { json: { code: await freshCode(approver) } })), {});
    const approvedFirst = assertOk(await transition(approver, org.id, first, 'approve'));
    assert.equal(approvedFirst.state, 'approved');
    const approvedSecond = assertOk(await transition(approver, org.id, second, 'approve'));
    assert.equal(approvedSecond.state, 'approved');

    // Publishing and scheduling.
    assertReauthenticationRequired(await transition(editor, org.id, approvedFirst, 'publish'));
    assertReauthenticationRequired(await transition(editor, org.id, approvedSecond, 'schedule', { scheduled_at: inSeconds(3600) }));
    assert.equal(await draftState(editor, org.id, approvedFirst), 'approved');
    assert.equal(await draftState(editor, org.id, approvedSecond), 'approved');

    // Staff and settings.
    assertReauthenticationRequired(await call(owner, 'PUT', `${STAFF(org.id)}/${editor.id}`, { json: { roles: ['editor', 'approver'] } }));
    assertReauthenticationRequired(await call(owner, 'PUT', `${STAFF(org.id)}/${outsider.id}`, { json: { roles: ['editor'] } }));
    assertReauthenticationRequired(await call(owner, 'DELETE', `${STAFF(org.id)}/${releaser.id}`));
    assertReauthenticationRequired(await call(owner, 'PUT', SETTINGS(org.id), { json: { require_second_factor: false } }));
    assertReauthenticationRequired(await call(owner, 'PUT', SETTINGS(org.id), { json: { approvals_required: 2 } }));
    const settings = await settingsOf(org.id, owner);
    assert.equal(settings.require_second_factor, true);
    assert.equal(settings.approvals_required, 1);
    const staff = assertOk(await call(owner, 'GET', STAFF(org.id)));
    assert.deepEqual(staff.find((m) => m.account.id === editor.id)?.roles, ['editor']);
    assert.ok(staff.some((m) => m.account.id === releaser.id), 'the member is still there');
    assert.ok(!staff.some((m) => m.account.id === outsider.id), 'nobody was invited');

    // Each refusal is audited.
    const log = (await auditLog(org.id, owner)).filter((e) => e.seq > logBefore.at(-1).seq);
    const count = (who) => entriesOf(log, 'staff.reauthentication_required', who.id).length;
    assert.deepEqual([count(approver), count(editor), count(owner)], [2, 2, 5],
      JSON.stringify(log.map((e) => [e.action, e.actor_id])));

    // Once they prove who they are, the same requests go through.
    assert.deepEqual(assertOk(await call(editor, 'POST', REAUTHENTICATE, { json: { code: editor.recovery.shift() } })), {});
    assert.equal(assertOk(await transition(editor, org.id, approvedFirst, 'publish')).state, 'published');
    assert.equal(assertOk(await transition(editor, org.id, approvedSecond, 'schedule', { scheduled_at: inSeconds(3600) })).state,
      'scheduled');
    assert.deepEqual(assertOk(await call(owner, 'POST', REAUTHENTICATE, { json: { code: await freshCode(owner) } })), {});
    assertOk(await call(owner, 'PUT', SETTINGS(org.id), { json: { approvals_required: 1, require_second_factor: true } }));
    assert.equal(assertOk(await call(owner, 'PUT', `${STAFF(org.id)}/${outsider.id}`, { json: { roles: ['editor'] } })).state,
      'invited');
    assertOk(await call(owner, 'DELETE', `${STAFF(org.id)}/${outsider.id}`));
  });

  test('reauthenticating a web session does not refresh the account\'s token, nor the other way round', async () => {
    const session = await webSignIn(releaser);
    const draft = await submittedDraft(editor, org.id, 'Evening tide');
    ageSignIn(releaser);
    ageSignIn(session);
    const before = entriesOf(await auditLog(org.id, owner), 'staff.reauthentication_required', releaser.id).length;

    assertReauthenticationRequired(await transition(session, org.id, draft, 'approve'));
    assertReauthenticationRequired(await transition(releaser, org.id, draft, 'approve'));

    assertError(await call(session, 'POST', REAUTHENTICATE, { json: { code: wrongCode(releaser.secret) } }), 422, 'invalid_code', 'code');
    assert.deepEqual(assertOk(await call(session, 'POST', REAUTHENTICATE, { json: { code: await freshCode(releaser) } })), {});

    // The token is still refused; the session goes through.
    assertReauthenticationRequired(await transition(releaser, org.id, draft, 'approve'));
    const approved = assertOk(await transition(session, org.id, draft, 'approve'));
    assert.equal(approved.state, 'approved');
    assertReauthenticationRequired(await transition(releaser, org.id, approved, 'publish'));

    // The token proves itself with a recovery code, and publishes.
    assert.deepEqual(assertOk(await call(releaser, 'POST', REAUTHENTICATE, { json: { code: releaser.recovery.shift() } })), {});
    assert.equal(assertOk(await transition(releaser, org.id, approved, 'publish')).state, 'published');

    // Which leaves a second, aged session of the same account as it was.
    const other = await webSignIn(releaser);
    ageSignIn(other);
    const third = await submittedDraft(editor, org.id, 'Low tide');
    assertReauthenticationRequired(await transition(other, org.id, third, 'approve'));
    assert.equal(assertOk(await transition(session, org.id, third, 'approve')).state, 'approved');

    const after = entriesOf(await auditLog(org.id, owner), 'staff.reauthentication_required', releaser.id).length;
    assert.equal(after - before, 5);
  });

  test('wrong codes sent to reauthenticate count against the sign-in limit of five per account', async () => {
    const limited = await registerWithTotp('limited');
    for (let i = 0; i < 4; i += 1) {
      assertError(await call(limited, 'POST', REAUTHENTICATE, { json: { code: wrongCode(limited.secret) } }),
        422, 'invalid_code', 'code');
    }
    // The fifth at the web sign-in, the sixth back here.
    const first = await api(server, 'POST', '/auth/sign_in', { json: { username: limited.username, password: limited.password } });
    const { sign_in_token: signInToken } = assertError(first, 403, 'second_factor_required');
    assertError(await api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: signInToken, code: wrongCode(limited.secret) } }),
      401, 'invalid_code');
    const res = await call(limited, 'POST', REAUTHENTICATE, { json: { code: wrongCode(limited.secret) } });
    assertError(res, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After in seconds');
  });

  test('a web session just signed in needs no reauthentication', async () => {
    const session = await webSignIn(approver);
    const draft = await submittedDraft(editor, org.id, 'High tide');
    assert.equal(assertOk(await transition(session, org.id, draft, 'approve')).state, 'approved');
  });
});

// ---------------------------------------------------------------------------

describe('recent sign-in without a second factor', () => {
  let owner;
  let org;
  let otherToken;
  let session;

  before(async () => {
    owner = await registerUser('pwowner');
    org = (await createOrganisation(owner, { require_second_factor: false })).account;
    const app = await createApp(server, 'read write follow');
    otherToken = { token: await passwordToken(server, app, owner.username, owner.password, 'read write follow') };
    session = await webSignIn(owner);
  });

  test('the password proves who they are, for that token or session only', async () => {
    for (const who of [owner, otherToken, session]) ageSignIn(who);
    const change = (who, approvals) => call(who, 'PUT', SETTINGS(org.id), { json: { approvals_required: approvals } });
    for (const who of [owner, otherToken, session]) assertReauthenticationRequired(await change(who, 2));

    assertError(await call(owner, 'POST', REAUTHENTICATE, { json: {} }), 422, 'missing_field', 'password');
    assertError(await call(owner, 'POST', REAUTHENTICATE, { json: { password: `${owner.password}-wrong` } }),
      422, 'invalid_password', 'password');
    assertReauthenticationRequired(await change(owner, 2));
    assert.deepEqual(assertOk(await call(owner, 'POST', REAUTHENTICATE, { json: { password: owner.password } })), {});
    assertOk(await change(owner, 2));
    assert.equal((await settingsOf(org.id, owner)).approvals_required, 2);

    // The account's other token and its web session are still refused.
    assertReauthenticationRequired(await change(otherToken, 3));
    assertReauthenticationRequired(await change(session, 3));
    assertReauthenticationRequired(await call(otherToken, 'PUT', `${STAFF(org.id)}/${outsider.id}`, { json: { roles: ['analyst'] } }));

    // The session proves itself too.
    assert.deepEqual(assertOk(await call(session, 'POST', REAUTHENTICATE, { json: { password: owner.password } })), {});
    assertOk(await change(session, 3));
    assert.equal((await settingsOf(org.id, owner)).approvals_required, 3);
    assertReauthenticationRequired(await change(otherToken, 1));

    const log = await auditLog(org.id, owner);
    assert.equal(entriesOf(log, 'staff.reauthentication_required', owner.id).length, 8,
      JSON.stringify(log.map((e) => [e.action, e.actor_id])));
  });
});
