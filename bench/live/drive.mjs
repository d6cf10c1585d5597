// The API side of bench/live/run.sh, over Node's fetch (no npm packages).
//
//   node bench/live/drive.mjs setup URL ADMIN_USER ADMIN_PASSWORD QUESTIONS > state.json
//     An organisation (its owner, an editor who answers, a moderator), an
//     open Q&A session, QUESTIONS questions asked by a member of the public
//     and approved, and a reader account for the other traffic.
//   node bench/live/drive.mjs answers URL state.json COUNT INTERVAL_MS
//     Answers COUNT of those questions, one every INTERVAL_MS, as the
//     organisation; each answer's text carries "sent_us=<microseconds since
//     the epoch>" taken just before its request is sent, which the
//     subscribers (live_bench) subtract from their time of receipt.
//   node bench/live/drive.mjs traffic URL state.json RATE
//     Other API traffic at RATE requests per second until SIGTERM or SIGINT,
//     then one line: requests, non-2xx responses, socket errors and
//     timeouts, p50/p99/max in ms. The mix, in turn: the session's JSON, its
//     public questions, the public timeline, the reader's own account, and a
//     question asked (a write).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const [command, url, ...rest] = process.argv.slice(2);
const usage = 'usage: drive.mjs setup|answers|traffic URL ...';
assert.ok(url, usage);

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method, path, { token, json, timeoutMs = 30_000 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, url), {
    method, headers, body: json ? JSON.stringify(json) : undefined, signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function setup(adminUser, adminPassword, questions) {
  const app = await call('POST', '/api/v1/apps', {
    json: { client_name: 'bench/live', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow admin:read admin:write' },
  });
  const clientToken = (await call('POST', '/oauth/token', {
    json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' },
  })).access_token;
  const adminToken = (await call('POST', '/oauth/token', {
    json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username: adminUser,
      password: adminPassword, scope: 'read write follow admin:write' },
  })).access_token;
  const register = async (username) => {
    const { access_token: token } = await call('POST', '/api/v1/accounts', {
      token: clientToken,
      json: { username, email: `${username}@example.org`, password: `bench-${username}-pw1`, agreement: true, locale: 'en' },
    });
    const me = await call('GET', '/api/v1/accounts/verify_credentials', { token });
    return { id: me.id, token };
  };
  const owner = await register('live_owner');
  const editor = await register('live_editor');
  const moderator = await register('live_moderator');
  const asker = await register('live_asker');
  const reader = await register('live_reader');
  const org = (await call('POST', '/api/vantage/v1/admin/organisations', {
    token: adminToken, json: { username: 'live_harbour', display_name: 'Harbour Police', owner: 'live_owner' },
  })).account;
  // Staff join by accepting the owner's invitation.
  for (const [who, role] of [[editor, 'editor'], [moderator, 'moderator']]) {
    await call('PUT', `/api/vantage/v1/organisations/${org.id}/staff/${who.id}`,
      { token: owner.token, json: { roles: [role] } });
    await call('POST', `/api/vantage/v1/organisations/${org.id}/invitation/accept`, { token: who.token });
  }
  const session = await call('POST', `/api/vantage/v1/organisations/${org.id}/qa`, {
    token: editor.token,
    json: { title: 'Ask the harbour police', ends_at: new Date(Date.now() + 6 * 3600_000).toISOString(), pseudonym: 'Officer A' },
  });
  const questionIds = [];
  for (let n = 1; n <= questions; n++) {
    const question = await call('POST', `/api/vantage/v1/qa/${session.id}/questions`,
      { token: asker.token, json: { text: `Question ${n}: when do the night patrols start?` } });
    await call('POST', `/api/vantage/v1/qa/${session.id}/questions/${question.id}/approve`, { token: moderator.token });
    questionIds.push(question.id);
  }
  process.stdout.write(`${JSON.stringify({
    session: session.id, organisation: org.id, editor: editor.token, asker: asker.token, reader: reader.token,
    questions: questionIds,
  })}\n`);
}

async function answers(state, count, intervalMs) {
  assert.ok(state.questions.length >= count, `only ${state.questions.length} questions were prepared`);
  const started = performance.now();
  const took = [];
  let errors = 0;
  for (let n = 0; n < count; n++) {
    // A steady 1/s whatever each request takes.
    const due = started + n * intervalMs;
    if (performance.now() < due) await sleep(due - performance.now());
    const sent = nowMicros();
    try {
      await call('POST', `/api/vantage/v1/qa/${state.session}/questions/${state.questions[n]}/answer`, {
        token: state.editor, json: { text: `Answer ${n + 1}: from 22:00. sent_us=${sent}`, as: 'organisation' },
      });
    } catch (err) {
      errors += 1;
      console.error(`answer ${n + 1}: ${err.message}`);
    }
    took.push((nowMicros() - sent) / 1000);
    if (took.at(-1) > 250) console.error(`answer ${n + 1}: the POST took ${took.at(-1).toFixed(0)} ms`);
  }
  took.sort((a, b) => a - b);
  console.log(`answers_posted=${count - errors} answer_errors=${errors} answer_post_p50_ms=${
    took[Math.floor(took.length / 2)].toFixed(1)} answer_post_max_ms=${took[took.length - 1].toFixed(1)}`);
}

async function traffic(state, rate) {
  const qa = `/api/vantage/v1/qa/${state.session}`;
  const mix = [
    () => ['GET', qa, {}],
    () => ['GET', `${qa}/questions`, {}],
    () => ['GET', '/api/v1/timelines/public?limit=20', {}],
    () => ['GET', '/api/v1/accounts/verify_credentials', { token: state.reader }],
    () => ['POST', `${qa}/questions`, { token: state.reader, json: { text: `Is the harbour open at night? ${nowMicros()}` } }],
  ];
  let requests = 0;
  let non2xx = 0;
  let failures = 0;
  const samples = [];
  const statuses = {};
  const slowest = {};  // the slowest request of each kind of the mix, ms
  let stopping = false;
  const inFlight = new Set();
  const one = async (n) => {
    const [method, path, opts] = mix[n % mix.length]();
    const headers = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.json) headers['content-type'] = 'application/json';
    const started = performance.now();
    try {
      const res = await fetch(new URL(path, url), {
        method, headers, body: opts.json ? JSON.stringify(opts.json) : undefined, signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) {
        non2xx += 1;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    } catch (err) {
      failures += 1;
      if (failures <= 5) console.error(`traffic: ${method} ${path}: ${err.cause?.code ?? err.message}`);
    }
    requests += 1;
    const took = performance.now() - started;
    samples.push(took);
    const kind = `${method}:${n % mix.length}`;
    slowest[kind] = Math.max(slowest[kind] ?? 0, Math.round(took));
  };
  process.on('SIGTERM', () => { stopping = true; });
  process.on('SIGINT', () => { stopping = true; });
  const started = performance.now();
  for (let n = 0; !stopping; n++) {
    // Open loop: request n goes out at its time whether or not earlier ones have answered.
    const due = started + (n * 1000) / rate;
    if (performance.now() < due) await sleep(due - performance.now());
    if (stopping) break;
    const p = one(n);
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  samples.sort((a, b) => a - b);
  const at = (p) => (samples.length ? samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)] : 0);
  const seconds = (performance.now() - started) / 1000;
  console.log(`other_requests=${requests} other_rate=${(requests / seconds).toFixed(1)} other_non2xx=${non2xx} ` +
    `other_errors=${failures} other_p50_ms=${at(0.5).toFixed(1)} other_p99_ms=${at(0.99).toFixed(1)} ` +
    `other_max_ms=${(samples.at(-1) ?? 0).toFixed(1)} other_statuses=${JSON.stringify(statuses)} ` +
    `other_slowest_by_kind=${JSON.stringify(slowest)}`);
}

if (command === 'setup') {
  const [adminUser, adminPassword, questions] = rest;
  await setup(adminUser, adminPassword, Number(questions));
} else if (command === 'answers') {
  const [stateFile, count, intervalMs] = rest;
  await answers(JSON.parse(readFileSync(stateFile, 'utf8')), Number(count), Number(intervalMs));
} else if (command === 'traffic') {
  const [stateFile, rate] = rest;
  await traffic(JSON.parse(readFileSync(stateFile, 'utf8')), Number(rate));
} else {
  console.error(usage);
  process.exit(2);
}
