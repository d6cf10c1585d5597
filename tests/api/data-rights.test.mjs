// Data rights (docs/account-security.md, "Data rights"): importing the
// accounts one followed elsewhere (POST /api/vantage/v1/import with a
// Mastodon or Pixelfed following_accounts.csv, as JSON text or as an
// uploaded file) and signing out everywhere else (DELETE
// /api/vantage/v1/sessions), live event streams included. Local accounts
// only here; tests/federation/import-following.test.mjs imports remote ones.
// Run on both engines.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { registerUser } from './lib/photos.mjs';
import {
  api, assertError, assertOk, createApp, makeAdmin, passwordToken, signIn, startServer, uniqueName,
} from './lib/server.mjs';

let server;
let domain;  // this server's domain: host:port of its URL

before(async () => {
  server = await startServer(['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000',
    '--sign-in-limit-account', '1000', '--question-limit-account', '1000', '--question-limit-ip', '1000',
    '--sse-heartbeat-seconds', '1']);
  domain = new URL(server.url).host;
});
after(async () => {
  await server?.stop();
});

const IMPORT = '/api/vantage/v1/import';
const HEADER = 'Account address,Show boosts,Notify on new posts,Languages';

const user = (prefix = 'user') => registerUser(server, prefix);

// Sends `data` as JSON text (type following unless given).
function importText(u, data, { type = 'following', token = u?.token, ...opts } = {}) {
  const json = { type };
  if (data !== undefined) json.data = data;
  return api(server, 'POST', IMPORT, { token, json, ...opts });
}

// Uploads `bytes` as the file `data` of a multipart/form-data body.
function importFile(u, bytes, { type = 'following', filename = 'following_accounts.csv', contentType = 'text/csv', token = u?.token } = {}) {
  const form = new FormData();
  if (type !== undefined) form.append('type', type);
  if (bytes !== undefined) form.append('data', new Blob([Buffer.from(bytes)], { type: contentType }), filename);
  return api(server, 'POST', IMPORT, { token, body: form });
}

function assertReport(res) {
  const body = assertOk(res);
  const s = JSON.stringify(body);
  assert.ok(Number.isInteger(body.followed) && body.followed >= 0, `followed is a count: ${s}`);
  assert.ok(Array.isArray(body.problems), `problems is a list: ${s}`);
  for (const p of body.problems) {
    assert.equal(typeof p.address, 'string', s);
    assert.equal(typeof p.reason, 'string', s);
    assert.ok(p.reason.length > 0, s);
  }
  return body;
}

async function account(id) {
  return assertOk(await api(server, 'GET', `/api/v1/accounts/${id}`));
}

async function relationship(u, id) {
  return assertOk(await api(server, 'GET', `/api/v1/accounts/relationships?id[]=${id}`, { token: u.token }))[0];
}

async function notifications(u) {
  const list = assertOk(await api(server, 'GET', '/api/v1/notifications', { token: u.token }));
  return list.map((n) => `${n.type}:${n.account.username}`);
}

async function lock(u) {
  assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: u.token, json: { locked: true } }));
}

// Asserts that `me` follows each of `targets` (relationship, counts, the
// target's notification, once).
async function assertFollows(me, targets) {
  for (const t of targets) {
    const r = await relationship(me, t.id);
    assert.equal(r.following, true, `${me.username} follows ${t.username}: ${JSON.stringify(r)}`);
    assert.equal(r.requested, false, JSON.stringify(r));
    assert.equal((await account(t.id)).followers_count, 1, `${t.username} has one follower`);
    assert.deepEqual(await notifications(t), [`follow:${me.username}`], `${t.username} is told once`);
  }
  assert.equal((await account(me.id)).following_count, targets.length);
}

// -------------------------------------------------------------------------
describe('POST /api/vantage/v1/import: what is followed', () => {
  test("Mastodon's export with its header line and CRLF line ends, as JSON text: every form of a local address", async () => {
    const me = await user('imp');
    const [plain, at, full, quoted, quotedFull] = await Promise.all(['tp', 'ta', 'tf', 'tq', 'tr'].map(user));
    const csv = [
      HEADER,
      `${plain.username},true,false,`,
      `@${at.username},true,false,`,
      `${full.username}@${domain},true,false,`,
      `"${quoted.username}",true,false,`,
      `"@${quotedFull.username}@${domain}","false","true","en,de"`,
      '',
    ].join('\r\n');
    const report = assertReport(await importText(me, csv));
    assert.deepEqual(report, { followed: 5, problems: [] });
    await assertFollows(me, [plain, at, full, quoted, quotedFull]);
  });

  test('a plain list of one address a line, uploaded as a file (multipart, field data)', async () => {
    const me = await user('imf');
    const [a, b, c] = await Promise.all(['fa', 'fb', 'fc'].map(user));
    const list = `@${a.username}\n${b.username}@${domain}\n\n${c.username}`;  // a blank line, no final newline
    const report = assertReport(await importFile(me, list, { contentType: 'text/plain', filename: 'follows.txt' }));
    assert.deepEqual(report, { followed: 3, problems: [] });
    await assertFollows(me, [a, b, c]);
  });

  test("Mastodon's export uploaded as a file, header line and CRLF included", async () => {
    const me = await user('imh');
    const [a, b] = await Promise.all(['ha', 'hb'].map(user));
    const csv = `${HEADER}\r\n${a.username}@${domain},true,false,\r\n"${b.username}",true,false,\r\n`;
    const report = assertReport(await importFile(me, csv));
    assert.deepEqual(report, { followed: 2, problems: [] });
    await assertFollows(me, [a, b]);
  });

  test('without a header line, the first line is an account too', async () => {
    const me = await user('imn');
    const [a, b] = await Promise.all(['na', 'nb'].map(user));
    const report = assertReport(await importText(me, `${a.username},true,false,\n${b.username},true,false,\n`));
    assert.deepEqual(report, { followed: 2, problems: [] });
    await assertFollows(me, [a, b]);
  });

  test('a locked account is asked: the relationship is requested and it gets a follow_request', async () => {
    const me = await user('iml');
    const locked = await user('locked');
    const open = await user('open');
    await lock(locked);
    const report = assertReport(await importText(me, `${HEADER}\n${locked.username},true,false,\n${open.username},true,false,\n`));
    assert.equal(report.followed, 2, `asking a locked account counts as followed: ${JSON.stringify(report)}`);
    assert.deepEqual(report.problems, []);
    const r = await relationship(me, locked.id);
    assert.equal(r.requested, true, JSON.stringify(r));
    assert.equal(r.following, false, JSON.stringify(r));
    assert.equal((await account(locked.id)).followers_count, 0, 'a request is no follower yet');
    assert.deepEqual(await notifications(locked), [`follow_request:${me.username}`]);
    const requests = assertOk(await api(server, 'GET', '/api/v1/follow_requests', { token: locked.token }));
    assert.deepEqual(requests.map((a) => a.id), [me.id]);
    assert.equal((await relationship(me, open.id)).following, true);
  });

  test('oneself, unknown names and garbage are reported with their reasons; the rest is followed', async () => {
    const me = await user('imp');
    const friend = await user('friend');
    const unknown = uniqueName('nobody');
    const csv = [
      HEADER,
      `${me.username},true,false,`,
      `${unknown},true,false,`,
      'not/an address,true,false,',
      'two@at@signs,true,false,',
      '@,true,false,',
      '"<script>",true,false,',
      `${friend.username},true,false,`,
      `@${me.username}@${domain},true,false,`,
      '',
    ].join('\n');
    const report = assertReport(await importText(me, csv));
    assert.equal(report.followed, 1, JSON.stringify(report));
    const reasons = report.problems.map((p) => p.reason);
    assert.deepEqual(reasons, ['self', 'not_found', 'invalid', 'invalid', 'invalid', 'invalid', 'self'], JSON.stringify(report));
    const [self, missing, slash, twoAt] = report.problems;
    assert.ok(self.address.includes(me.username), JSON.stringify(self));
    assert.ok(missing.address.includes(unknown), JSON.stringify(missing));
    assert.ok(slash.address.includes('not/an'), JSON.stringify(slash));
    assert.ok(twoAt.address.includes('two@at@signs'), JSON.stringify(twoAt));
    assert.ok(report.problems[6].address.includes(me.username), JSON.stringify(report.problems[6]));
    await assertFollows(me, [friend]);
    assert.equal((await relationship(me, me.id)).following, false, 'nobody follows themselves');
    assert.equal((await account(me.id)).followers_count, 0);
  });

  test('an account one blocks is refused as `blocking`; one that blocks the importer with the code a follow gets', async () => {
    const me = await user('imb');
    const blocked = await user('blocked');
    const blocker = await user('blocker');
    const friend = await user('friend');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${blocked.id}/block`, { token: me.token }));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${me.id}/block`, { token: blocker.token }));
    // What following the blocker directly answers: its code is the import's reason.
    const refusal = await api(server, 'POST', `/api/v1/accounts/${blocker.id}/follow`, { token: me.token });
    assert.ok(refusal.status >= 400 && refusal.status < 500, `following one's blocker is refused: ${refusal.text}`);
    const code = assertError(refusal, refusal.status).code;

    const report = assertReport(await importText(me,
      `${HEADER}\n${blocked.username},true,false,\n${blocker.username},true,false,\n${friend.username},true,false,\n`));
    assert.equal(report.followed, 1, JSON.stringify(report));
    assert.deepEqual(report.problems.map((p) => p.reason), ['blocking', code], JSON.stringify(report));
    assert.ok(report.problems[0].address.includes(blocked.username), JSON.stringify(report));
    assert.ok(report.problems[1].address.includes(blocker.username), JSON.stringify(report));
    for (const other of [blocked, blocker]) {
      assert.equal((await account(other.id)).followers_count, 0, `${other.username} gained no follower`);
      assert.deepEqual(await notifications(other), [], `${other.username} is not told`);
    }
    const r = await relationship(me, blocked.id);
    assert.equal(r.following || r.requested, false, JSON.stringify(r));
    await assertFollows(me, [friend]);
  });

  test('importing twice changes nothing the second time; repeats within a list count once', async () => {
    const me = await user('imt');
    const a = await user('ta');
    const b = await user('tb');
    const locked = await user('tl');
    await lock(locked);
    const csv = `${HEADER}\n${a.username},true,false,\n@${a.username},true,false,\n${a.username}@${domain},true,false,\n`
      + `${b.username},true,false,\n${locked.username},true,false,\n`;
    const first = assertReport(await importText(me, csv));
    assert.deepEqual(first.problems, [], JSON.stringify(first));
    const second = assertReport(await importFile(me, csv));
    assert.deepEqual(second.problems, [], JSON.stringify(second));
    assert.equal(second.followed, first.followed, `the same list gives the same answer: ${JSON.stringify([first, second])}`);

    assert.equal((await account(a.id)).followers_count, 1);
    assert.equal((await account(b.id)).followers_count, 1);
    assert.equal((await account(locked.id)).followers_count, 0);
    assert.equal((await account(me.id)).following_count, 2);
    assert.deepEqual(await notifications(a), [`follow:${me.username}`]);
    assert.deepEqual(await notifications(b), [`follow:${me.username}`]);
    assert.deepEqual(await notifications(locked), [`follow_request:${me.username}`]);
    const requests = assertOk(await api(server, 'GET', '/api/v1/follow_requests', { token: locked.token }));
    assert.deepEqual(requests.map((x) => x.id), [me.id]);
    const followers = assertOk(await api(server, 'GET', `/api/v1/accounts/${a.id}/followers`, { token: a.token }));
    assert.deepEqual(followers.map((x) => x.id), [me.id]);
    const r = await relationship(me, locked.id);
    assert.equal(r.requested, true);
    assert.equal(r.following, false);
  });

  test('an already followed account stays followed once, whoever imports it', async () => {
    const me = await user('imo');
    const other = await user('imo2');
    const target = await user('tgt');
    assertOk(await api(server, 'POST', `/api/v1/accounts/${target.id}/follow`, { token: me.token }));
    assertReport(await importText(me, target.username));
    assertReport(await importText(other, target.username));
    assert.equal((await account(target.id)).followers_count, 2);
    assert.deepEqual((await notifications(target)).sort(), [`follow:${me.username}`, `follow:${other.username}`].sort());
  });

  test('with a web session, the cookie needs the CSRF token', async () => {
    const me = await user('imc');
    const target = await user('tc');
    const web = await signIn(server, me.username, me.password);
    assertOk(web.res);
    assertError(await api(server, 'POST', IMPORT, { cookie: web.cookie, json: { type: 'following', data: target.username } }),
      403, 'csrf_failed');
    assert.equal((await account(target.id)).followers_count, 0);
    const report = assertReport(await api(server, 'POST', IMPORT,
      { cookie: web.cookie, csrf: web.csrf, json: { type: 'following', data: target.username } }));
    assert.equal(report.followed, 1);
    assert.equal((await account(target.id)).followers_count, 1);
  });
});

// -------------------------------------------------------------------------
describe('POST /api/vantage/v1/import: refusals', () => {
  let me;
  let app;
  let target;
  before(async () => {
    me = await user('imr');
    target = await user('imrt');
    app = await createApp(server, 'read write follow');
  });

  // Nothing was followed by a refused import.
  async function nothingFollowed() {
    assert.equal((await account(me.id)).following_count, 0);
    assert.equal((await account(target.id)).followers_count, 0);
  }

  test('no data is 422 missing_field naming data', async () => {
    assertError(await importText(me, undefined), 422, 'missing_field', 'data');
    assertError(await importFile(me, undefined), 422, 'missing_field', 'data');
    assertError(await api(server, 'POST', IMPORT, { token: me.token, form: { type: 'following' } }), 422, 'missing_field', 'data');
    assertError(await importText(me, ''), 422, 'missing_field', 'data');
    await nothingFollowed();
  });

  test('a type other than following is 422 naming type', async () => {
    for (const type of ['blocks', 'muting', 'bookmarks', 'lists', 'FOLLOWING2']) {
      assertError(await importText(me, target.username, { type }), 422, null, 'type');
      assertError(await importFile(me, target.username, { type }), 422, null, 'type');
    }
    await nothingFollowed();
  });

  test('at most 1000 accounts: 1000 rows and the header line are taken, 1001 rows are 422 naming data', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `nobody_${i}_zz,true,false,`);
    const ok = assertReport(await importText(me, `${HEADER}\n${rows.join('\n')}\n`));
    assert.equal(ok.followed, 0);
    assert.equal(ok.problems.length, 1000);
    assert.ok(ok.problems.every((p) => p.reason === 'not_found'), JSON.stringify(ok.problems.slice(0, 3)));

    const tooMany = `${HEADER}\n${[...rows, `${target.username},true,false,`].join('\n')}\n`;
    assertError(await importText(me, tooMany), 422, null, 'data');
    assertError(await importFile(me, tooMany), 422, null, 'data');
    const plain = `${[...rows.map((r) => r.split(',')[0]), target.username].join('\n')}\n`;
    assertError(await importFile(me, plain), 422, null, 'data');
    await nothingFollowed();
  });

  test('at most 256 KB: exactly 256 KB is taken, a byte more is 422 naming data', async () => {
    const limit = 256 * 1024;
    // 500 rows padded with a long last column up to exactly `size` bytes.
    const exactly = (size) => {
      const n = 500;
      const per = Math.floor((size - HEADER.length - 1) / n);
      const rows = [];
      for (let i = 0; i < n; i++) {
        const start = `nobody_${i}_kb,true,false,`;
        rows.push(start + 'x'.repeat(per - start.length - 1));
      }
      let text = `${HEADER}\n${rows.join('\n')}`;
      text += 'y'.repeat(size - text.length);  // the last row's padding, no final newline
      assert.equal(Buffer.byteLength(text), size);
      return text;
    };
    const fits = exactly(limit);
    assert.equal(assertReport(await importText(me, fits)).problems.length, 500);
    assert.equal(assertReport(await importFile(me, fits)).problems.length, 500);

    const over = `${target.username}\n${exactly(limit + 1).slice(target.username.length + 1)}`;
    assert.equal(Buffer.byteLength(over), limit + 1);
    assertError(await importText(me, over), 422, null, 'data');
    assertError(await importFile(me, over), 422, null, 'data');
    assertError(await importFile(me, `${target.username}\n${'#'.repeat(600 * 1024)}`), 422, null, 'data');
    await nothingFollowed();
  });

  test('a file that is not UTF-8 text (binary, invalid UTF-8, UTF-16) is 422 naming data', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`${target.username}\n`)]);
    assertError(await importFile(me, png, { contentType: 'image/png', filename: 'following.png' }), 422, null, 'data');
    const latin1 = Buffer.from(`${HEADER}\n${target.username},true,false,\ncaf\xe9,true,false,\n`, 'latin1');
    assertError(await importFile(me, latin1), 422, null, 'data');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${target.username}\n`, 'utf16le')]);
    assertError(await importFile(me, utf16), 422, null, 'data');
    await nothingFollowed();
  });

  test('a binary file of NUL bytes and text is 422 naming data', async () => {
    // Valid UTF-8 byte by byte, but binary: NUL characters are never text
    // (docs/api.md refuses them anywhere in a request). Accounts of its
    // own, so that whatever it follows touches no other test.
    const importer = await user('imz');
    const named = await user('imzt');
    const zeros = Buffer.concat([Buffer.alloc(64), Buffer.from(`\n${named.username}\n`), Buffer.alloc(64)]);
    const res = await importFile(importer, zeros, { contentType: 'application/octet-stream', filename: 'following.bin' });
    assertError(res, 422, null, 'data');
    const utf16NoBom = Buffer.from(`${named.username}\n`, 'utf16le');
    assertError(await importFile(importer, utf16NoBom), 422, null, 'data');
    assert.equal((await account(named.id)).followers_count, 0);
  });

  test('invalid UTF-8 or NUL characters sent as text are 400 invalid_encoding (docs/api.md)', async () => {
    const form = await api(server, 'POST', IMPORT, { token: me.token, body: `type=following&data=${target.username}%0Acaf%E9`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(form, 400, 'invalid_encoding');
    const nul = await importText(me, `${target.username}\n\u0000\u0000\n`);
    assertError(nul, 400, 'invalid_encoding');
    await nothingFollowed();
  });

  test('a token without write:follows is 403 insufficient_scope; write:follows and follow are enough', async () => {
    for (const scope of ['read', 'write:accounts', 'write:statuses', 'read:follows']) {
      const token = await passwordToken(server, app, me.username, me.password, scope);
      assertError(await importText(me, target.username, { token }), 403, 'insufficient_scope');
      assertError(await importFile(me, target.username, { token }), 403, 'insufficient_scope');
    }
    await nothingFollowed();
    for (const scope of ['write:follows', 'follow']) {
      const token = await passwordToken(server, app, me.username, me.password, scope);
      assert.equal(assertReport(await importText(me, target.username, { token })).followed, 1, scope);
    }
    assert.equal((await account(target.id)).followers_count, 1);
    assertOk(await api(server, 'POST', `/api/v1/accounts/${target.id}/unfollow`, { token: me.token }));
  });

  test('no token is 401', async () => {
    assertError(await importText(null, target.username, { token: undefined }), 401);
    assertError(await importFile(null, target.username, { token: undefined }), 401);
    assertError(await api(server, 'POST', IMPORT, { token: 'not-a-real-token-0123456789', json: { type: 'following', data: target.username } }), 401);
    await nothingFollowed();
  });
});

// -------------------------------------------------------------------------
// An event-stream reader (like tests/api/qa-stream.test.mjs): `events` fill
// as they arrive, `ended` once the server closes it.
function subscribe(path, { token, cookie } = {}) {
  const stream = {
    status: 0, events: [], raw: '', ended: false,
    close() { this.req.destroy(); },
    until(cond, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          if (cond()) { resolve(); return; }
          if (Date.now() - started > timeoutMs) { reject(new Error(`timed out waiting for ${what}`)); return; }
          setTimeout(tick, 20);
        };
        tick();
      });
    },
  };
  return new Promise((resolve, reject) => {
    const headers = { accept: 'text/event-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (cookie) headers.cookie = cookie;
    stream.req = http.get(`${server.url}${path}`, { headers, agent: false }, (res) => {
      stream.status = res.statusCode;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        stream.raw += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = {};
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') data.push(value);
            else event[field] = value;
          }
          if (event.event) {
            event.data = data.join('\n');
            stream.events.push(event);
          }
        }
      });
      res.on('end', () => { stream.ended = true; });
      res.on('close', () => { stream.ended = true; });
      resolve(stream);
    });
    stream.req.on('error', (err) => {
      stream.ended = true;
      if (!stream.status) reject(err);
    });
  });
}

describe('DELETE /api/vantage/v1/sessions: sign out everywhere else', () => {
  const SESSIONS = '/api/vantage/v1/sessions';
  const sessionOk = (cookie) => api(server, 'GET', '/auth/session', { cookie });
  const verify = (token) => api(server, 'GET', '/api/v1/accounts/verify_credentials', { token });

  // An account with, besides its registration token, `tokens` password
  // tokens and `webs` web sessions.
  async function withSessions(prefix, { tokens = 2, webs = 2 } = {}) {
    const u = await user(prefix);
    const app = await createApp(server, 'read write follow');
    u.tokens = [];
    for (let i = 0; i < tokens; i++) u.tokens.push(await passwordToken(server, app, u.username, u.password, 'read write follow'));
    u.webs = [];
    for (let i = 0; i < webs; i++) {
      const web = await signIn(server, u.username, u.password, { headers: { 'user-agent': `Browser/${i}` } });
      assertOk(web.res);
      u.webs.push(web);
    }
    return u;
  }

  test('with a token: every other token and web session ends, the one asking lives; {ended: n}', async () => {
    const u = await withSessions('soe');
    const bystander = await withSessions('soeb', { tokens: 1, webs: 1 });
    const [caller, other] = u.tokens;
    const res = await api(server, 'DELETE', SESSIONS, { token: caller });
    const body = assertOk(res);
    assert.deepEqual(body, { ended: 4 }, 'the registration token, the other password token and two web sessions');

    assertOk(await verify(caller));
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: caller, json: { note: 'still here' } }));
    assertError(await verify(other), 401);
    assertError(await verify(u.token), 401);
    for (const web of u.webs) {
      assertError(await sessionOk(web.cookie), 401);
      assertError(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { cookie: web.cookie }), 401);
    }
    const left = assertOk(await api(server, 'GET', SESSIONS, { token: caller }));
    assert.equal(left.length, 1, JSON.stringify(left));
    assert.equal(left[0].current, true);

    // Another account's sessions are untouched.
    assertOk(await verify(bystander.token));
    assertOk(await verify(bystander.tokens[0]));
    assertOk(await sessionOk(bystander.webs[0].cookie));

    // Once more: nothing is left to end.
    assert.deepEqual(assertOk(await api(server, 'DELETE', SESSIONS, { token: caller })), { ended: 0 });
    assertOk(await verify(caller));
    // The password still signs in.
    assertOk((await signIn(server, u.username, u.password)).res);
  });

  test('with a web session (cookie and X-CSRF-Token): that session is kept, the rest end', async () => {
    const u = await withSessions('soc', { tokens: 1, webs: 3 });
    const [current, ...others] = u.webs;
    assertError(await api(server, 'DELETE', SESSIONS, { cookie: current.cookie }), 403, 'csrf_failed');
    assertError(await api(server, 'DELETE', SESSIONS, { cookie: current.cookie, csrf: others[0].csrf }), 403, 'csrf_failed');
    for (const web of u.webs) assertOk(await sessionOk(web.cookie));
    assertOk(await verify(u.tokens[0]));

    const body = assertOk(await api(server, 'DELETE', SESSIONS, { cookie: current.cookie, csrf: current.csrf }));
    assert.deepEqual(body, { ended: 4 }, 'two other web sessions, the registration and the password token');
    const still = assertOk(await sessionOk(current.cookie));
    assert.equal(still.account.username, u.username);
    assert.equal(still.csrf_token, current.csrf);
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { cookie: current.cookie, csrf: current.csrf, json: { note: 'kept' } }));
    for (const web of others) assertError(await sessionOk(web.cookie), 401);
    assertError(await verify(u.token), 401);
    assertError(await verify(u.tokens[0]), 401);
    const left = assertOk(await api(server, 'GET', SESSIONS, { cookie: current.cookie }));
    assert.deepEqual(left.map((s) => s.current), [true], JSON.stringify(left));
  });

  test('needs write:accounts; without credentials is 401', async () => {
    const u = await withSessions('sos', { tokens: 0, webs: 1 });
    const app = await createApp(server, 'read write follow');
    for (const scope of ['read', 'write:follows', 'follow']) {
      const token = await passwordToken(server, app, u.username, u.password, scope);
      assertError(await api(server, 'DELETE', SESSIONS, { token }), 403, 'insufficient_scope');
    }
    assertOk(await sessionOk(u.webs[0].cookie));
    assertOk(await verify(u.token));
    assertError(await api(server, 'DELETE', SESSIONS), 401);
    assertError(await api(server, 'DELETE', SESSIONS, { token: 'not-a-real-token-0123456789' }), 401);
    assertError(await api(server, 'DELETE', SESSIONS, { cookie: 'vantage_session=bogus', csrf: 'bogus' }), 401);
    assertOk(await sessionOk(u.webs[0].cookie));
  });

  test('the live event streams of the ended sessions close; another account\'s stream goes on', async () => {
    // A live Q&A of an organisation, whose public stream anyone signed in may follow.
    const owner = await user('qaown');
    const admin = await makeAdmin(server);
    const org = assertOk(await api(server, 'POST', '/api/vantage/v1/admin/organisations', {
      token: admin.token,
      json: { username: uniqueName('org'), display_name: 'Harbour Office', owner: owner.username, require_second_factor: false },
    })).account;
    const session = assertOk(await api(server, 'POST', `/api/vantage/v1/organisations/${org.id}/qa`, {
      token: owner.token,
      json: { title: 'Ask the harbour office', ends_at: new Date(Date.now() + 3600_000).toISOString(), pseudonym: 'Clerk' },
    }));
    const asker = await user('qaask');
    const QA = `/api/vantage/v1/qa/${session.id}`;
    const answer = async (text) => {
      const q = assertOk(await api(server, 'POST', `${QA}/questions`, { token: asker.token, json: { text: `${text}? ${uniqueName('q')}` } }));
      assertOk(await api(server, 'POST', `${QA}/questions/${q.id}/approve`, { token: owner.token }));
      assertOk(await api(server, 'POST', `${QA}/questions/${q.id}/answer`, { token: owner.token, json: { text, as: 'pseudonym' } }));
    };

    const u = await withSessions('sostr', { tokens: 2, webs: 1 });
    const neighbour = await user('sonb');
    const byToken = await subscribe(`${QA}/stream`, { token: u.tokens[1] });
    const byCookie = await subscribe(`${QA}/stream`, { cookie: u.webs[0].cookie });
    const byRegistration = await subscribe(`${QA}/stream`, { token: u.token });
    const theirs = await subscribe(`${QA}/stream`, { token: neighbour.token });
    const streams = [byToken, byCookie, byRegistration, theirs];
    try {
      for (const s of streams) assert.equal(s.status, 200);
      await answer('Before the sign-out');
      for (const s of streams) await s.until(() => s.raw.includes('Before the sign-out'), 5_000, 'the first answer');

      assert.deepEqual(assertOk(await api(server, 'DELETE', '/api/vantage/v1/sessions', { token: u.tokens[0] })), { ended: 3 });
      for (const [s, what] of [[byToken, 'the other token'], [byCookie, 'the web session'], [byRegistration, 'the registration token']]) {
        await s.until(() => s.ended, 5_000, `the stream of ${what} to close`);
      }
      await answer('After the sign-out');
      await theirs.until(() => theirs.raw.includes('After the sign-out'), 5_000, 'the neighbour\'s stream to go on');
      assert.equal(theirs.ended, false, 'another account\'s stream stays open');
      for (const s of [byToken, byCookie, byRegistration]) {
        assert.ok(!s.raw.includes('After the sign-out'), 'nothing reaches a closed stream');
      }
      // Reopened with an ended token, the stream is refused.
      assertError(await api(server, 'GET', `${QA}/stream`, { token: u.tokens[1] }), 401);
    } finally {
      for (const s of streams) s.close();
    }
  });
});
