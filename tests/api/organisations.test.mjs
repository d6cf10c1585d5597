// Organisations and staff: creation by instance admins (API and CLI), staff
// invited by owners with roles they accept, the permission matrix (403 for staff without the
// role, 404 for outsiders), the staff link kept out of public answers, the
// audit log read by owners, and `vantage audit verify` catching entries
// edited, deleted and inserted with SQL, against the real binary on either
// engine.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ENGINE, ISO_MS, adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, register, runCli,
  signIn, startServer, strongPassword, uniqueName,
} from './lib/server.mjs';
import { postPhoto } from './lib/photos.mjs';

let server;
let adminToken;
let owner;
let editor;
let outsider;
let org;

const STAFF = (id) => `/api/vantage/v1/organisations/${id}/staff`;
const AUDIT = (id) => `/api/vantage/v1/organisations/${id}/audit`;

// Staff here need no second factor (organisation-second-factor.test.mjs
// covers the requirement, which new organisations have by default).
async function createOrganisation(fields, token = adminToken) {
  return api(server, 'POST', '/api/vantage/v1/admin/organisations', {
    token, json: { require_second_factor: false, ...fields },
  });
}

// Runs SQL on the server's database behind its back, as someone with access
// to the database would.
function sql(statement) {
  if (ENGINE === 'postgres') {
    const url = server.dataArgs[server.dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXv', 'ON_ERROR_STOP=1', '-c', statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'vantage.db'), statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

async function verify() {
  return runCli(['audit', 'verify', ...server.dataArgs]);
}

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
  const admin = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(server, { ...admin, role: 'admin' });
  const app = await createApp(server, 'read write follow admin:read admin:write');
  adminToken = await passwordToken(server, app, admin.username, admin.password, 'read write follow admin:write');
  owner = await register(server, { prefix: 'owner' });
  editor = await register(server, { prefix: 'editor' });
  outsider = await register(server, { prefix: 'outsider' });
  for (const who of [owner, editor, outsider]) {
    who.id = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: who.token })).id;
  }
  const res = await createOrganisation({ username: uniqueName('org'), display_name: 'Security Service', owner: owner.username });
  org = assertOk(res).account;
});
after(async () => {
  await server?.stop();
});

describe('creating an organisation', () => {
  test('an instance admin creates one; it is an account nobody can sign in to', async () => {
    assert.equal(org.display_name, 'Security Service');
    assert.equal(typeof org.id, 'string');
    const shown = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}`));
    assert.equal(shown.username, org.username);
    const res = await signIn(server, org.username, '');
    assert.equal(res.res.status, 401);
  });

  test('bad input is refused naming the field', async () => {
    assertError(await createOrganisation({ owner: owner.username }), 422, null, 'username');
    assertError(await createOrganisation({ username: 'bad name!', owner: owner.username }), 422, null, 'username');
    assertError(await createOrganisation({ username: org.username, owner: owner.username }), 422, 'taken', 'username');
    assertError(await createOrganisation({ username: uniqueName('org') }), 422, null, 'owner');
    assertError(await createOrganisation({ username: uniqueName('org'), owner: 'nobody_here_at_all' }), 422,
      'owner_not_found', 'owner');
    assertError(await createOrganisation({ username: uniqueName('org'), owner: org.username }), 422,
      'organisation_owner', 'owner');
    assertError(await createOrganisation({ username: uniqueName('org'), owner: owner.username, display_name: 'x'.repeat(31) }),
      422, 'too_long', 'display_name');
  });

  test('only instance admins may create one', async () => {
    assertError(await createOrganisation({ username: uniqueName('org'), owner: owner.username }, owner.token), 403);
    assertError(await createOrganisation({ username: uniqueName('org'), owner: owner.username }, null), 401);
  });

  test('vantage admin create-organisation does it from the command line', async () => {
    const username = uniqueName('cliorg');
    const r = await runCli(['admin', 'create-organisation', ...server.dataArgs, '--username', username,
      '--owner', owner.username, '--display-name', 'Archive']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`created organisation ${username}`));
    const bad = await runCli(['admin', 'create-organisation', ...server.dataArgs, '--username', uniqueName('o'),
      '--owner', 'nobody_here_at_all']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /owner/);
    const mine = assertOk(await api(server, 'GET', '/api/vantage/v1/organisations', { token: owner.token }));
    assert.ok(mine.some((o) => o.account.username === username && o.roles.includes('owner')));
  });
});

describe('staff and roles', () => {
  test('an owner invites staff, who accept; then the owner changes their roles', async () => {
    let body = assertOk(await api(server, 'GET', STAFF(org.id), { token: owner.token }));
    assert.deepEqual(body.map((m) => [m.account.id, m.roles, m.state]), [[owner.id, ['owner'], 'active']]);

    // Someone not on the staff is invited, with the roles offered.
    body = assertOk(await api(server, 'PUT', `${STAFF(org.id)}/${editor.id}`,
      { token: owner.token, json: { roles: ['approver', 'editor', 'editor'] } }));
    assert.equal(body.account.id, editor.id);
    assert.deepEqual(body.roles, ['editor', 'approver']);
    assert.equal(body.state, 'invited');
    let staff = assertOk(await api(server, 'GET', STAFF(org.id), { token: owner.token }));
    assert.deepEqual(staff.map((m) => [m.account.id, m.roles, m.state]),
      [[owner.id, ['owner'], 'active'], [editor.id, ['editor', 'approver'], 'invited']]);
    assert.deepEqual(assertOk(await api(server, 'GET', '/api/vantage/v1/organisations', { token: editor.token })), []);

    // They accept, and are staff with those roles.
    body = assertOk(await api(server, 'POST', `/api/vantage/v1/organisations/${org.id}/invitation/accept`,
      { token: editor.token }));
    assert.equal(body.account.id, org.id);
    assert.deepEqual(body.roles, ['editor', 'approver']);

    // A member's roles change at once.
    body = assertOk(await api(server, 'PUT', `${STAFF(org.id)}/${editor.id}`,
      { token: owner.token, form: { 'roles[]': ['editor'] } }));
    assert.deepEqual(body.roles, ['editor']);
    assert.equal(body.state, 'active');

    staff = assertOk(await api(server, 'GET', STAFF(org.id), { token: owner.token }));
    assert.deepEqual(staff.map((m) => [m.account.id, m.roles, m.state]),
      [[owner.id, ['owner'], 'active'], [editor.id, ['editor'], 'active']]);

    // The member sees their own organisations; nobody else's.
    const mine = assertOk(await api(server, 'GET', '/api/vantage/v1/organisations', { token: editor.token }));
    assert.deepEqual(mine.map((o) => [o.account.id, o.roles]), [[org.id, ['editor']]]);
    assert.deepEqual(assertOk(await api(server, 'GET', '/api/vantage/v1/organisations', { token: outsider.token })), []);
  });

  test('bad roles and unknown members are refused', async () => {
    assertError(await api(server, 'PUT', `${STAFF(org.id)}/${outsider.id}`,
      { token: owner.token, json: { roles: ['boss'] } }), 422, 'unknown_role', 'roles');
    assertError(await api(server, 'PUT', `${STAFF(org.id)}/${outsider.id}`,
      { token: owner.token, json: { roles: [] } }), 422, 'blank', 'roles');
    assertError(await api(server, 'PUT', `${STAFF(org.id)}/123456789`,
      { token: owner.token, json: { roles: ['editor'] } }), 404);
    assertError(await api(server, 'PUT', `${STAFF(org.id)}/${org.id}`,
      { token: owner.token, json: { roles: ['editor'] } }), 422, 'organisation_staff', 'account_id');
  });

  test('the last owner can be neither removed nor demoted', async () => {
    assertError(await api(server, 'DELETE', `${STAFF(org.id)}/${owner.id}`, { token: owner.token }), 409, 'last_owner');
    assertError(await api(server, 'PUT', `${STAFF(org.id)}/${owner.id}`,
      { token: owner.token, json: { roles: ['editor'] } }), 409, 'last_owner');
    const staff = assertOk(await api(server, 'GET', STAFF(org.id), { token: owner.token }));
    assert.deepEqual(staff.find((m) => m.account.id === owner.id).roles, ['owner']);
  });

  test('permission matrix: staff without the role get 403, outsiders 404, nobody 401', async () => {
    const temp = await register(server, { prefix: 'temp' });
    const tempId = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: temp.token })).id;
    const actions = [
      ['GET', STAFF(org.id), undefined],
      ['PUT', `${STAFF(org.id)}/${tempId}`, { roles: ['analyst'] }],
      ['DELETE', `${STAFF(org.id)}/${tempId}`, undefined],
      ['GET', AUDIT(org.id), undefined],
    ];
    for (const [method, url, json] of actions) {
      const as = (token) => api(server, method, url, { token, json });
      assertError(await as(editor.token), 403, 'role_required');
      assertError(await as(outsider.token), 404);
      assertError(await as(null), 401);
      // An outsider cannot tell an organisation from nothing.
      const missing = await api(server, method, url.replace(org.id, '999999999'), { token: outsider.token, json });
      assert.equal(missing.status, 404);
      assert.equal((await as(outsider.token)).text, missing.text);
      assertOk(await as(owner.token));
    }
    // Invited but not yet accepted, they are an outsider still.
    assertOk(await api(server, 'PUT', `${STAFF(org.id)}/${tempId}`, { token: owner.token, json: { roles: ['owner'] } }));
    assertError(await api(server, 'GET', STAFF(org.id), { token: temp.token }), 404);
    assertError(await api(server, 'GET', AUDIT(org.id), { token: temp.token }), 404);
    assertOk(await api(server, 'DELETE', `${STAFF(org.id)}/${tempId}`, { token: owner.token }));
    // Every role but owner is refused the owner's pages.
    await joinStaff(server, org.id, owner, { id: tempId, token: temp.token }, ['editor']);
    for (const role of ['editor', 'approver', 'moderator', 'analyst']) {
      const changed = assertOk(await api(server, 'PUT', `${STAFF(org.id)}/${tempId}`,
        { token: owner.token, json: { roles: [role] } }));
      assert.deepEqual([changed.roles, changed.state], [[role], 'active']);
      assertError(await api(server, 'GET', STAFF(org.id), { token: temp.token }), 403, 'role_required');
      assertError(await api(server, 'GET', AUDIT(org.id), { token: temp.token }), 403, 'role_required');
    }
    const removed = assertOk(await api(server, 'DELETE', `${STAFF(org.id)}/${tempId}`, { token: owner.token }));
    assert.deepEqual([removed.account.id, removed.roles, removed.state], [tempId, [], 'none']);
    assertError(await api(server, 'GET', STAFF(org.id), { token: temp.token }), 404);
  });

  test('a second owner may be added, and then the first may leave', async () => {
    const org2 = assertOk(await createOrganisation({ username: uniqueName('org'), owner: owner.username })).account;
    await joinStaff(server, org2.id, owner, outsider, ['owner']);
    const left = assertOk(await api(server, 'DELETE', `${STAFF(org2.id)}/${owner.id}`, { token: owner.token }));
    assert.deepEqual(left.roles, []);
    assertError(await api(server, 'GET', STAFF(org2.id), { token: owner.token }), 404);
    assertOk(await api(server, 'GET', STAFF(org2.id), { token: outsider.token }));
  });
});

describe('the staff link is never public', () => {
  test('public answers about the organisation name no staff member', async () => {
    const markers = [owner.username, owner.id, editor.username, editor.id, owner.email, editor.email];
    const surfaces = [
      `/api/v1/accounts/${org.id}`,
      `/api/v1/accounts/lookup?acct=${org.username}`,
      `/api/v1/accounts/${org.id}/statuses`,
      `/api/v1/accounts/${org.id}/followers`,
      `/api/v1/accounts/${org.id}/following`,
      STAFF(org.id),
      AUDIT(org.id),
    ];
    for (const token of [null, outsider.token]) {
      for (const url of surfaces) {
        const res = await api(server, 'GET', url, { token });
        const text = res.text + JSON.stringify([...res.headers]);
        for (const marker of markers) assert.ok(!text.includes(marker), `${url} shows ${marker}: ${text}`);
      }
    }
  });
});

describe('acting as the organisation (Vantage-Act-As)', () => {
  const ACT = (id) => ({ 'vantage-act-as': String(id) });

  test('staff comment, reply and like as the organisation, which alone is shown', async () => {
    const post = await postPhoto(server, outsider, { status: 'A museum photo' });
    const comment = assertOk(await api(server, 'POST', '/api/v1/statuses', {
      token: editor.token, headers: ACT(org.id), json: { status: 'Thank you for sharing', in_reply_to_id: post.id },
    }));
    assert.equal(comment.account.id, org.id);
    assert.equal(comment.application, null);
    const liked = assertOk(await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`,
      { token: editor.token, headers: ACT(org.id) }));
    assert.equal(liked.favourited, true);
    const likers = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}/favourited_by`));
    assert.deepEqual(likers.map((a) => a.id), [org.id]);
    // Reading as the organisation sees its own like.
    const asOrg = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`, { token: editor.token, headers: ACT(org.id) }));
    assert.equal(asOrg.favourited, true);
    const mine = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`, { token: editor.token }));
    assert.equal(mine.favourited, false);

    const markers = [editor.username, editor.id, editor.email];
    for (const token of [null, outsider.token]) {
      for (const url of [`/api/v1/statuses/${comment.id}`, `/api/v1/statuses/${post.id}/context`,
        `/api/v1/accounts/${org.id}/statuses`, `/api/v1/statuses/${post.id}/favourited_by`,
        `/api/v1/statuses/${comment.id}/history`]) {
        const res = await api(server, 'GET', url, { token });
        assert.equal(res.status, 200, url);
        const text = res.text + JSON.stringify([...res.headers]);
        for (const marker of markers) assert.ok(!text.includes(marker), `${url} shows ${marker}`);
      }
    }
    const notifications = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: outsider.token }));
    assert.ok(notifications.length >= 2);
    for (const n of notifications) assert.equal(n.account.id, org.id);
    assert.ok(!JSON.stringify(notifications).includes(editor.username));
  });

  test('posts as the organisation need approval; outsiders and read-only roles are refused', async () => {
    const post = await postPhoto(server, outsider, { status: 'Another photo' });
    assertError(await api(server, 'POST', '/api/v1/statuses', {
      token: editor.token, headers: ACT(org.id), json: { status: 'Straight out', media_ids: ['1'] },
    }), 403, 'approval_required');
    const outsiderTry = await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`,
      { token: outsider.token, headers: ACT(org.id) });
    const nothing = await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`,
      { token: outsider.token, headers: ACT('999999999') });
    assertError(outsiderTry, 404);
    assert.equal(outsiderTry.text, nothing.text);
    assertError(await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`,
      { token: outsider.token, headers: ACT('not-an-id') }), 404);
    // An analyst may read as the organisation but not act.
    const analyst = await register(server, { prefix: 'analyst' });
    const analystId = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: analyst.token })).id;
    await joinStaff(server, org.id, owner, { id: analystId, token: analyst.token }, ['analyst']);
    assertOk(await api(server, 'GET', '/api/v1/timelines/home', { token: analyst.token, headers: ACT(org.id) }));
    assertError(await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`,
      { token: analyst.token, headers: ACT(org.id) }), 403, 'role_required');
    const after = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`));
    assert.equal(after.favourites_count, 0);
  });

  test("only owners change the organisation's profile", async () => {
    assertError(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: editor.token, headers: ACT(org.id), json: { display_name: 'Hijacked' } }), 403, 'role_required');
    const changed = assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: owner.token, headers: ACT(org.id), json: { note: 'Official account' } }));
    assert.equal(changed.id, org.id);
    const shown = assertOk(await api(server, 'GET', `/api/v1/accounts/${org.id}`));
    assert.equal(shown.display_name, 'Security Service');
    assert.match(shown.note, /Official account/);
  });

  test('every write as the organisation is in its audit log with the staff member', async () => {
    const entries = assertOk(await api(server, 'GET', AUDIT(org.id), { token: owner.token }));
    const acts = entries.filter((e) => e.action === 'as_organisation');
    assert.ok(acts.some((e) => e.actor_id === editor.id && e.detail.method === 'POST'
      && /\/favourite$/.test(e.detail.path)), JSON.stringify(acts));
    assert.ok(acts.some((e) => e.actor_id === editor.id && e.detail.path === '/api/v1/statuses'));
    // The address is the client's network, not the client.
    for (const e of acts) assert.equal(e.ip, '127.0.0.0/24', JSON.stringify(e));
  });
});

describe('the audit log', () => {
  test('owners read role changes and staff sign-ins, newest first, chained', async () => {
    const head = async () => assertOk(await api(server, 'GET', `${AUDIT(org.id)}?limit=1`, { token: owner.token }))[0].seq;
    const before = await head();
    // Signing in writes nothing to the organisation's log...
    const signedIn = await signIn(server, editor.username, editor.password);
    assert.equal(signedIn.res.status, 200);
    assert.equal(await head(), before, 'a sign-in alone is not in the log');
    // ...until the session first acts for the organisation: then its sign-in is, once.
    for (let i = 0; i < 2; i += 1) {
      assertOk(await api(server, 'GET', '/api/v1/timelines/home',
        { cookie: signedIn.cookie, headers: { 'vantage-act-as': org.id } }));
    }
    const entries = assertOk(await api(server, 'GET', AUDIT(org.id), { token: owner.token }));
    assert.equal(entries[1].seq, before, `one entry for two requests: ${JSON.stringify(entries.slice(0, 3))}`);
    assert.equal(entries[0].action, 'staff.sign_in');
    assert.equal(entries[0].actor_id, editor.id);
    assert.equal(entries[0].target_id, editor.id);
    assert.equal(entries[0].ip, '127.0.0.0/24');
    const sessions = assertOk(await api(server, 'GET', '/api/vantage/v1/sessions', { cookie: signedIn.cookie }));
    assert.match(entries[0].detail.signed_in_at, ISO_MS);
    assert.equal(entries[0].detail.signed_in_at, sessions.find((s) => s.current).created_at);
    for (const e of entries) assert.ok(e.ip === '' || e.ip === '127.0.0.0/24', `no client address: ${JSON.stringify(e)}`);
    const actions = entries.map((e) => `${e.action} ${e.target_id} ${e.detail.role ?? ''}`.trim());
    assert.ok(actions.includes(`staff.role_added ${editor.id} approver`), actions.join('\n'));
    assert.ok(actions.includes(`staff.role_removed ${editor.id} approver`), actions.join('\n'));
    assert.ok(actions.includes(`staff.role_added ${owner.id} owner`), actions.join('\n'));
    assert.equal(entries.at(-1).action, 'organisation.created');
    for (const e of entries) {
      assert.match(e.hash, /^[0-9a-f]{64}$/);
      assert.match(e.prev_hash, /^[0-9a-f]{64}$/);
    }
    for (let i = 1; i < entries.length; i += 1) assert.ok(entries[i - 1].seq > entries[i].seq);
    // Paging by max_id.
    const page = assertOk(await api(server, 'GET', `${AUDIT(org.id)}?limit=2`, { token: owner.token }));
    assert.equal(page.length, 2);
    const next = assertOk(await api(server, 'GET', `${AUDIT(org.id)}?limit=2&max_id=${page[1].id}`, { token: owner.token }));
    assert.equal(next[0].seq, entries[2].seq);
  });

  test('vantage audit verify names the entry edited, deleted or inserted by SQL', async () => {
    let r = await verify();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const length = Number(/intact: (\d+) entries/.exec(r.stdout)[1]);
    assert.ok(length >= 8, r.stdout);

    sql("UPDATE audit_log SET ip = ip || 'x' WHERE seq = 2");
    r = await verify();
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /entry 2 was modified/);
    sql('UPDATE audit_log SET ip = substr(ip, 1, length(ip) - 1) WHERE seq = 2');
    assert.equal((await verify()).code, 0);

    sql('CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE seq = 3');
    sql('DELETE FROM audit_log WHERE seq = 3');
    r = await verify();
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /entry 3 was deleted/);
    sql('INSERT INTO audit_log SELECT * FROM audit_saved');
    sql('DROP TABLE audit_saved');
    assert.equal((await verify()).code, 0);

    sql(`DELETE FROM audit_log WHERE seq = ${length}`);
    r = await verify();
    assert.equal(r.code, 3);
    assert.match(r.stdout, new RegExp(`entry ${length} was deleted`));

    sql(`INSERT INTO audit_log (seq, created_at, action, prev_hash, hash) SELECT seq + 2, created_at, 'forged', hash, hash
         FROM audit_log WHERE seq = ${length - 1}`);
    r = await verify();
    assert.equal(r.code, 3);
    assert.match(r.stdout, new RegExp(`entry ${length} was deleted`));
  });
});
