// Live Q&A over Server-Sent Events (docs/organisations.md, "Live Q&A"): the
// public stream of a session and the staff queue stream, read by a small
// event-stream client of our own over node:http; resume with Last-Event-ID,
// heartbeats, permissions, many subscribers, and streams open at shutdown.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  adminCreateAccount, api, assertError, assertOk, createApp, joinStaff, passwordToken, signIn, sleep, startServer,
  strongPassword, uniqueName,
} from './lib/server.mjs';
import { registerUser } from './lib/photos.mjs';

let server;
let org;
const staff = {};  // owner, editor, moderator, analyst; names carry STAFF_MARK
let asker;
let outsider;

const STAFF_MARK = 'stfq7';
const ORG = () => `/api/vantage/v1/organisations/${org.id}`;
const QA = (id) => `/api/vantage/v1/qa/${id}`;
const inSeconds = (s) => new Date(Date.now() + s * 1000).toISOString();
const FLAGS = ['--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000', '--question-limit-account', '1000',
  '--question-limit-ip', '1000', '--sse-heartbeat-seconds', '1', '--max-connections', '2000'];

// An event-stream client: `events` fills as they arrive (id, event, data as
// parsed JSON), `comments` counts comment lines; `next(n)` waits for n events.
function subscribe(srv, path, { token, headers = {} } = {}) {
  const stream = {
    status: 0, headers: {}, events: [], comments: 0, ended: false, raw: '', waiters: [],
    close() { this.req.destroy(); },
    cursor: 0,  // events already returned by next()
    async next(count = 1, timeoutMs = 5_000) {
      const from = this.cursor;
      this.cursor += count;
      await this.until(() => this.events.length >= from + count, timeoutMs, `${count} more event(s)`);
      return this.events.slice(from, from + count);
    },
    until(cond, timeoutMs, what) {
      if (cond()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { cond, resolve };
        const timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`));
        }, timeoutMs);
        waiter.resolve = () => { clearTimeout(timer); resolve(); };
        this.waiters.push(waiter);
      });
    },
    check() {
      for (const w of [...this.waiters]) {
        if (w.cond()) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(); }
      }
    },
  };
  const opened = new Promise((resolve, reject) => {
    const h = { accept: 'text/event-stream', ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    stream.req = http.get(`${srv.url}${path}`, { headers: h, agent: false }, (res) => {
      stream.status = res.statusCode;
      stream.headers = res.headers;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        stream.raw += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { data: [] };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { stream.comments += 1; continue; }
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            isEvent = true;
            if (field === 'data') event.data.push(value);
            else event[field] = value;
          }
          if (isEvent) {
            const text = event.data.join('\n');
            event.text = text;
            event.data = stream.status === 200 ? JSON.parse(text) : text;
            stream.events.push(event);
          }
        }
        stream.check();
      });
      res.on('end', () => { stream.ended = true; stream.check(); });
      res.on('close', () => { stream.ended = true; stream.check(); });
      resolve(stream);
    });
    stream.req.on('error', (err) => {
      stream.ended = true;
      stream.check();
      if (!stream.status) reject(err);
    });
  });
  return opened;
}

// A refused stream's JSON error body.
async function refused(path, token, headers = {}) {
  const res = await api(server, 'GET', path, { token, headers });
  return res;
}

async function openSession(srv = server, fields = {}) {
  return assertOk(await api(srv, 'POST', `${ORG()}/qa`, {
    token: staff.editor.token,
    json: { title: 'Ask the harbour police', ends_at: inSeconds(3600), pseudonym: 'Officer A', ...fields },
  }));
}

async function answered(session, text = 'Only the night shift.', as = 'pseudonym', srv = server) {
  const question = assertOk(await api(srv, 'POST', `${QA(session.id)}/questions`,
    { token: asker.token, json: { text: `When do the patrols start? ${uniqueName('q')}` } }));
  assertOk(await api(srv, 'POST', `${QA(session.id)}/questions/${question.id}/approve`, { token: staff.moderator.token }));
  return assertOk(await api(srv, 'POST', `${QA(session.id)}/questions/${question.id}/answer`,
    { token: staff.editor.token, json: { text, as } }));
}

function assertNoStaff(text, where) {
  for (const member of Object.values(staff)) {
    for (const value of [member.id, member.username]) {
      assert.ok(!text.includes(value), `${where} names staff ${member.role}: ${value}`);
    }
  }
  assert.ok(!text.toLowerCase().includes(STAFF_MARK), `${where} carries a staff marker`);
}

async function setUp(srv) {
  const admin = { username: uniqueName('admin'), password: strongPassword() };
  await adminCreateAccount(srv, { ...admin, role: 'admin' });
  const app = await createApp(srv, 'read write follow admin:read admin:write');
  const adminToken = await passwordToken(srv, app, admin.username, admin.password, 'read write follow admin:write');
  for (const role of ['owner', 'editor', 'moderator', 'analyst']) {
    staff[role] = await registerUser(srv, `${STAFF_MARK}${role.slice(0, 3)}`);
    staff[role].role = role;
    assertOk(await api(srv, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: staff[role].token, json: { display_name: `Sergeant ${STAFF_MARK} ${role}` } }));
  }
  asker = await registerUser(srv, 'asker');
  outsider = await registerUser(srv, 'outsider');
  org = assertOk(await api(srv, 'POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: uniqueName('org'), display_name: 'Harbour Police', owner: staff.owner.username, require_second_factor: false },
  })).account;
  for (const role of ['editor', 'moderator', 'analyst']) await joinStaff(srv, org.id, staff.owner, staff[role], [role]);
}

before(async () => {
  server = await startServer(FLAGS);
  await setUp(server);
});
after(async () => {
  await server?.stop();
});

describe('public stream', () => {
  test('answers arrive live under the pseudonym and as the organisation, edits and closing too', async () => {
    const session = await openSession();
    const stream = await subscribe(server, `${QA(session.id)}/stream`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers['content-type'], /^text\/event-stream/);
    assert.equal(stream.headers['cache-control'], 'no-cache');
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    assert.equal(stream.headers['x-content-type-options'], 'nosniff');
    assert.match(stream.headers['x-request-id'], /^[0-9a-f]{16}$/);

    const first = await answered(session, 'Only the night shift.', 'pseudonym');
    let [event] = await stream.next();
    assert.equal(event.event, 'answer');
    assert.match(event.id, /^\d+$/);
    assert.equal(event.data.id, first.id);
    assert.equal(event.data.answer.text, 'Only the night shift.');
    assert.equal(event.data.answer.as, 'pseudonym');
    assert.equal(event.data.answer.name, 'Officer A');

    const second = await answered(session, 'From 22:00.', 'organisation');
    [event] = await stream.next();
    assert.equal(event.event, 'answer');
    assert.equal(event.data.id, second.id);
    assert.equal(event.data.answer.as, 'organisation');

    assertOk(await api(server, 'PUT', `${QA(session.id)}/questions/${first.id}/answer`,
      { token: staff.moderator.token, json: { text: 'Only the night shift, from 22:00.' } }));
    [event] = await stream.next();
    assert.equal(event.event, 'answer_edited');
    assert.equal(event.data.answer.text, 'Only the night shift, from 22:00.');

    assertOk(await api(server, 'POST', `${QA(session.id)}/close`, { token: staff.editor.token }));
    const closing = await stream.until(() => stream.events.some((e) => e.event === 'closed'), 5_000, 'closed')
      .then(() => stream.events.find((e) => e.event === 'closed'));
    assert.equal(closing.data.state, 'closed');

    // Ids rise, and no staff member appears anywhere in the stream.
    const ids = stream.events.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, ids.length);
    assertNoStaff(stream.raw, 'the public stream');
    stream.close();
  });

  test('resume with Last-Event-ID replays exactly what was missed, then goes on live', async () => {
    const session = await openSession();
    const first = await subscribe(server, `${QA(session.id)}/stream`);
    await answered(session, 'one');
    const [seen] = await first.next();
    first.close();
    // Missed while away.
    await answered(session, 'two');
    await answered(session, 'three');

    const resumed = await subscribe(server, `${QA(session.id)}/stream`, { headers: { 'last-event-id': seen.id } });
    const replayed = await resumed.next(2);
    assert.deepEqual(replayed.map((e) => e.data.answer.text), ['two', 'three']);
    assert.ok(Number(replayed[0].id) > Number(seen.id));
    await answered(session, 'four');
    const [live] = await resumed.next();
    assert.equal(live.data.answer.text, 'four');
    await sleep(300);
    assert.deepEqual(resumed.events.map((e) => e.data.answer.text), ['two', 'three', 'four']);
    resumed.close();

    // EventSource's first request cannot set the header: the query does the same.
    const byQuery = await subscribe(server, `${QA(session.id)}/stream?last_event_id=${replayed[1].id}`);
    const [again] = await byQuery.next();
    assert.equal(again.data.answer.text, 'four');
    byQuery.close();
  });

  test('a resume that missed more than a stream holds moves forward at every reconnect, losing nothing', async () => {
    const session = await openSession();
    const question = await answered(session, 'edit 0');
    const EDITS = 400;  // more than the 256 events a stream holds for one client
    for (let i = 1; i <= EDITS; i++) {
      assertOk(await api(server, 'PUT', `${QA(session.id)}/questions/${question.id}/answer`,
        { token: staff.editor.token, json: { text: `edit ${i}` } }));
    }
    const texts = [];
    let last = '0';
    for (let round = 0; round < 10 && texts.at(-1) !== `edit ${EDITS}`; round++) {
      const stream = await subscribe(server, `${QA(session.id)}/stream`, { headers: { 'last-event-id': last } });
      await stream.until(() => stream.ended || stream.events.at(-1)?.data.answer.text === `edit ${EDITS}`, 10_000,
        'the stream to end or catch up');
      stream.close();
      // Cut off or caught up, each round brings a stream's worth at least.
      assert.ok(stream.events.length >= Math.min(256, EDITS + 1 - texts.length),
        `round ${round} moved only ${stream.events.length} events forward`);
      for (const e of stream.events) {
        assert.ok(Number(e.id) > Number(last), 'ids only go forward');
        last = e.id;
        texts.push(e.data.answer.text);
      }
    }
    assert.deepEqual(texts, ['edit 0', ...Array.from({ length: EDITS }, (_, i) => `edit ${i + 1}`)]);
  });

  test('heartbeats arrive while nothing happens', async () => {
    const session = await openSession();
    const stream = await subscribe(server, `${QA(session.id)}/stream`);
    await stream.until(() => stream.comments >= 2, 4_000, 'two heartbeats');
    assert.equal(stream.events.length, 0);
    assert.match(stream.raw, /^: heartbeat\n\n/m);
    stream.close();
  });

  test('a malformed Last-Event-ID is 400 naming it; an unknown session is 404', async () => {
    const session = await openSession();
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      assertError(await refused(`${QA(session.id)}/stream`, undefined, { 'last-event-id': bad }),
        400, 'invalid_last_event_id', 'Last-Event-ID');
    }
    assertError(await refused(`${QA(session.id)}/stream?last_event_id=x`), 400, 'invalid_last_event_id', 'last_event_id');
    assertError(await refused(`${QA('123456789')}/stream`), 404);
    assertError(await refused(`${QA('nope')}/stream`), 404);
  });

  test('200 concurrent subscribers all receive an answer', async () => {
    const session = await openSession();
    const streams = await Promise.all(Array.from({ length: 200 }, () => subscribe(server, `${QA(session.id)}/stream`)));
    assert.ok(streams.every((s) => s.status === 200));
    const metricsBefore = (await api(server, 'GET', '/metrics')).text;
    const answer = await answered(session, 'Everyone hears this.');
    await Promise.all(streams.map((s) => s.next(1, 10_000)));
    for (const s of streams) assert.equal(s.events[0].data.id, answer.id);
    for (const s of streams) s.close();
    const gauge = /^vantage_event_streams_open (\d+)$/m.exec(metricsBefore);
    assert.ok(gauge, 'the open streams gauge is in /metrics');
    assert.ok(Number(gauge[1]) >= 200, `open streams gauge ${gauge[1]}`);
  });
});

describe('staff queue stream', () => {
  test('shows a new question as it is asked; outsiders get 404, the wrong role 403', async () => {
    const session = await openSession();
    const queue = await subscribe(server, `${QA(session.id)}/queue/stream`, { token: staff.moderator.token });
    assert.equal(queue.status, 200);
    const question = assertOk(await api(server, 'POST', `${QA(session.id)}/questions`,
      { token: asker.token, json: { text: 'Is the harbour open at night?' } }));
    const [event] = await queue.next();
    assert.equal(event.event, 'question');
    assert.equal(event.data.id, question.id);
    assert.equal(event.data.text, 'Is the harbour open at night?');
    assert.equal(event.data.state, 'held');
    queue.close();

    assertError(await refused(`${QA(session.id)}/queue/stream`, outsider.token), 404);
    assertError(await refused(`${QA(session.id)}/queue/stream`, asker.token), 404);
    assertError(await refused(`${QA(session.id)}/queue/stream`, staff.analyst.token), 403, 'role_required');
    assertError(await refused(`${QA(session.id)}/queue/stream`), 401);
    // The public stream does not carry held questions.
    const pub = await subscribe(server, `${QA(session.id)}/stream`);
    await api(server, 'POST', `${QA(session.id)}/questions`, { token: asker.token, json: { text: 'Held one' } });
    await sleep(500);
    assert.equal(pub.events.length, 0);
    pub.close();
  });

  test('a merge shows the merged question and the one it went into, with its new count', async () => {
    const session = await openSession();
    const ask = async (text) => assertOk(await api(server, 'POST', `${QA(session.id)}/questions`,
      { token: asker.token, json: { text } }));
    const first = await ask('When does recruitment open?');
    const again = await ask('When is recruitment opening?');
    const queue = await subscribe(server, `${QA(session.id)}/queue/stream`, { token: staff.moderator.token });
    assertOk(await api(server, 'POST', `${QA(session.id)}/questions/${again.id}/merge`,
      { token: staff.moderator.token, json: { into: first.id } }));
    const events = await queue.next(2);
    assert.deepEqual(events.map((e) => [e.event, e.data.id, e.data.state]),
      [['question', again.id, 'merged'], ['question', first.id, 'held']]);
    assert.equal(events[1].data.duplicates_count, 1);
    queue.close();
  });
});

// Regression: event streams checked permission only when they opened. A
// moderator removed from staff, whose token was then revoked, kept receiving
// the queue's held questions (and the askers' accounts), kept alive by
// heartbeats; a viewer the organisation blocked kept the public stream while
// REST answered 404. Each cause now ends the stream, and nothing committed
// after it is written to it.
describe('event streams checked permission only when they opened', () => {
  const ask = async (session, text) => assertOk(await api(server, 'POST', `${QA(session.id)}/questions`,
    { token: asker.token, json: { text: `${text} ${uniqueName('q')}` } }));
  // A fresh member of staff, so that taking their rights away touches no other test.
  async function newStaff(role) {
    const member = await registerUser(server, 'mod');
    await joinStaff(server, org.id, staff.owner, member, [role]);
    return member;
  }
  // The stream ends within a second or two of the change, having received
  // nothing after it: not the question asked right after.
  async function endsWithoutLaterEvents(stream, session, what) {
    const seen = stream.events.length;
    await ask(session, 'After the change:');
    await stream.until(() => stream.ended, 5_000, `the stream to end after ${what}`);
    assert.equal(stream.events.length, seen, `${what}: an event was written after it`);
    assert.ok(!stream.raw.includes('After the change:'), `${what}: the later question reached the stream`);
  }
  async function openQueue(session, member, extra = {}) {
    const stream = await subscribe(server, `${QA(session.id)}/queue/stream`, { token: member.token, ...extra });
    assert.equal(stream.status, 200);
    await ask(session, 'Before:');
    await stream.next();
    return stream;
  }

  test('a moderator removed from staff stops receiving the queue at once', async () => {
    const session = await openSession();
    const moderator = await newStaff('moderator');
    const stream = await openQueue(session, moderator);
    assertOk(await api(server, 'DELETE', `${ORG()}/staff/${moderator.id}`, { token: staff.owner.token }));
    await endsWithoutLaterEvents(stream, session, 'removal from staff');
    assertError(await refused(`${QA(session.id)}/queue/stream`, moderator.token), 404);
  });

  test('a role change that takes the queue away ends the stream', async () => {
    const session = await openSession();
    const moderator = await newStaff('moderator');
    const stream = await openQueue(session, moderator);
    assertOk(await api(server, 'PUT', `${ORG()}/staff/${moderator.id}`,
      { token: staff.owner.token, json: { roles: ['analyst'] } }));
    await endsWithoutLaterEvents(stream, session, 'a change to analyst');
    assertError(await refused(`${QA(session.id)}/queue/stream`, moderator.token), 403, 'role_required');
  });

  test('a revoked token, a signed-out session and a changed password end their streams', async () => {
    const session = await openSession();
    // The OAuth token, revoked by its app.
    const moderator = await newStaff('moderator');
    const byToken = await openQueue(session, moderator);
    assertOk(await api(server, 'POST', '/oauth/revoke', { json: {
      client_id: moderator.app.client_id, client_secret: moderator.app.client_secret, token: moderator.token } }));
    await endsWithoutLaterEvents(byToken, session, 'the token revoked');

    // A web session, signed out (its other sessions are untouched).
    const second = await newStaff('moderator');
    const web = await signIn(server, second.username, second.password);
    const other = await openQueue(session, second);
    const byCookie = await openQueue(session, second, { token: undefined, headers: { cookie: web.cookie } });
    assertOk(await api(server, 'POST', '/auth/sign_out', { headers: { cookie: web.cookie, 'x-csrf-token': web.csrf } }));
    await endsWithoutLaterEvents(byCookie, session, 'signing out');
    assert.ok(!other.ended, 'a stream of another token ended');
    await other.until(() => other.raw.includes('After the change:'), 5_000, 'the question asked after the sign-out');

    // A changed password ends the streams of every other token.
    const third = await newStaff('moderator');
    const web3 = await signIn(server, third.username, third.password);
    const elsewhere = await openQueue(session, third);
    assertOk(await api(server, 'POST', '/api/vantage/v1/password', {
      headers: { cookie: web3.cookie, 'x-csrf-token': web3.csrf },
      json: { current_password: third.password, new_password: strongPassword() } }));
    await endsWithoutLaterEvents(elsewhere, session, 'a password change');
    assertError(await refused(`${QA(session.id)}/queue/stream`, third.token), 401);
    other.close();
  });

  test('a viewer the organisation blocks loses the public stream; other viewers keep it', async () => {
    const session = await openSession();
    const viewer = await registerUser(server, 'viewer');
    const blocked = await subscribe(server, `${QA(session.id)}/stream`, { token: viewer.token });
    const neighbour = await subscribe(server, `${QA(session.id)}/stream`, { token: outsider.token });
    const anonymous = await subscribe(server, `${QA(session.id)}/stream`);
    await answered(session, 'Before the block.');
    await blocked.next();
    assertOk(await api(server, 'POST', `/api/v1/accounts/${viewer.id}/block`,
      { token: staff.owner.token, headers: { 'vantage-act-as': org.id } }));
    await answered(session, 'After the block.');
    await blocked.until(() => blocked.ended, 5_000, 'the blocked viewer\'s stream to end');
    assert.ok(!blocked.raw.includes('After the block.'));
    assert.equal((await neighbour.next(2))[1].data.answer.text, 'After the block.');
    assert.equal((await anonymous.next(2))[1].data.answer.text, 'After the block.');
    assertError(await refused(`${QA(session.id)}/stream`, viewer.token), 404);
    neighbour.close();
    anonymous.close();
  });

  test('the staff stream ends once the session is archived, after saying so', async () => {
    const session = await openSession();
    const stream = await openQueue(session, staff.moderator);
    const watching = await subscribe(server, `${QA(session.id)}/stream`);
    assertOk(await api(server, 'POST', `${QA(session.id)}/close`, { token: staff.editor.token }));
    assertOk(await api(server, 'POST', `${QA(session.id)}/archive`, { token: staff.editor.token }));
    await stream.until(() => stream.ended, 5_000, 'the queue stream to end');
    assert.deepEqual(stream.events.slice(-2).map((e) => e.event), ['closed', 'archived']);
    assertError(await refused(`${QA(session.id)}/queue/stream`, staff.moderator.token), 409, 'session_archived');
    // The public page of an archived session stays, and so does its stream.
    await watching.next(2);
    assert.ok(!watching.ended);
    watching.close();
  });
});

describe('shutdown', () => {
  test('open streams end and the process exits within 5 s of SIGTERM', async () => {
    const own = await startServer(FLAGS);
    const saved = { ...staff };
    const savedOrg = org;
    const savedAsker = asker;
    const savedOutsider = outsider;
    try {
      await setUp(own);
      const session = await openSession(own);
      const streams = await Promise.all(Array.from({ length: 20 }, () => subscribe(own, `${QA(session.id)}/stream`)));
      await answered(session, 'before the end', 'pseudonym', own);
      await Promise.all(streams.map((s) => s.next()));
      const started = Date.now();
      own.child.kill('SIGTERM');
      await Promise.all(streams.map((s) => s.until(() => s.ended, 5_000, 'the stream to end')));
      const info = await Promise.race([own.exited, sleep(5_000).then(() => null)]);
      assert.ok(info, 'the server did not exit within 5 s');
      assert.equal(info.code, 0, own.stderr);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await own.stop();
      Object.assign(staff, saved);
      org = savedOrg;
      asker = savedAsker;
      outsider = savedOutsider;
    }
  });
});
