// Scheduled release of approved drafts (docs/organisations.md): within 5 s
// of its time, once, across a restart, with two servers on one database,
// and a draft whose post cannot be made sent back instead of retried for
// ever. Real binaries; each scenario has its own database.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ENGINE, api, assertOk, joinStaff, runCli, sleep, startServer, uniqueName, waitFor } from './lib/server.mjs';
import { noiseJpeg, registerUser } from './lib/photos.mjs';

const DRAFTS = (orgId) => `/api/vantage/v1/organisations/${orgId}/drafts`;
const inMs = (ms) => new Date(Date.now() + ms).toISOString();

// A database that outlives the servers started on it: --data (and --db on
// PostgreSQL), dropped by drop().
async function sharedDatabase() {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-release-'));
  if (ENGINE !== 'postgres') {
    return { args: ['--data', dir], file: path.join(dir, 'vantage.db'), async drop() { await rm(dir, { recursive: true, force: true }); } };
  }
  const name = `vantage_release_${crypto.randomBytes(6).toString('hex')}`;
  const admin = process.env.VANTAGE_TEST_POSTGRES_URL;
  execFileSync('psql', [admin, '-qXc', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  return {
    args: ['--data', dir, '--db', url],
    url,
    async drop() {
      execFileSync('psql', [admin, '-qXc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: ['ignore', 'ignore', 'pipe'] });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// SQL behind the servers' backs, as someone with access to the database.
function sql(dataArgs, statement) {
  if (ENGINE === 'postgres') {
    const url = dataArgs[dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXv', 'ON_ERROR_STOP=1', '-c', statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const dir = dataArgs[dataArgs.indexOf('--data') + 1];
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dir, 'vantage.db'), statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

// An organisation whose owner writes drafts and whose approver approves them.
async function organisation(server) {
  const owner = await registerUser(server, 'owner');
  const approver = await registerUser(server, 'approver');
  const username = uniqueName('org');
  const r = await runCli(['admin', 'create-organisation', ...server.dataArgs, '--username', username, '--owner', owner.username, '--second-factor-optional']);
  assert.equal(r.code, 0, r.stderr);
  const org = assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${username}`));
  await joinStaff(server, org.id, owner, approver, ['approver']);
  return { org, owner, approver };
}

async function upload(server, { org, owner }) {
  const form = new FormData();
  form.append('file', new Blob([await noiseJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const headers = { 'vantage-act-as': org.id };
  const res = await api(server, 'POST', '/api/v2/media', { token: owner.token, headers, body: form });
  assert.ok(res.status === 200 || res.status === 202, res.text);
  await waitFor(async () => (await api(server, 'GET', `/api/v1/media/${res.json.id}`,
    { token: owner.token, headers })).status === 200, { timeoutMs: 15_000 });
  return res.json.id;
}

async function submittedDraft(server, team, status = 'Released from the archive') {
  const media = await upload(server, team);
  const draft = assertOk(await api(server, 'POST', DRAFTS(team.org.id),
    { token: team.owner.token, json: { status, media_ids: [media] } }));
  return assertOk(await api(server, 'POST', `${DRAFTS(team.org.id)}/${draft.id}/submit`, { token: team.owner.token }));
}

async function approveAt(server, team, draft, scheduledAt) {
  const body = assertOk(await api(server, 'POST', `${DRAFTS(team.org.id)}/${draft.id}/approve`,
    { token: team.approver.token, json: { scheduled_at: scheduledAt, version: draft.version } }));
  assert.equal(body.state, 'scheduled');
  return body;
}

async function getDraft(server, team, id) {
  return assertOk(await api(server, 'GET', `${DRAFTS(team.org.id)}/${id}`, { token: team.owner.token }));
}

async function organisationPosts(server, team) {
  return assertOk(await api(server, 'GET', `/api/v1/accounts/${team.org.id}/statuses?limit=40`));
}

describe('scheduled release', () => {
  test('a server stopped before the time publishes the overdue draft once when it is back', async (t) => {
    const db = await sharedDatabase();
    try {
      const first = await startServer([], { dataArgs: db.args });
      const team = await organisation(first);
      const draft = await approveAt(first, team, await submittedDraft(first, team), inMs(5_500));
      await first.stop();
      const due = Date.parse(draft.scheduled_at);
      await sleep(due + 1_500 - Date.now());
      const second = await startServer([], { dataArgs: db.args });
      try {
        const started = Date.now();
        let after;
        await waitFor(async () => (after = await getDraft(second, team, draft.id)).state === 'published',
          { timeoutMs: 10_000, intervalMs: 100, message: 'the overdue draft published' });
        assert.ok(Date.now() - started < 5_000, 'published within 5 s of the restart');
        t.diagnostic(`published ${Date.parse(after.published_at) - started} ms after the server was up`);
        assert.ok(Date.parse(after.published_at) >= due);
        await sleep(2_500);  // two more rounds of the job
        const posts = await organisationPosts(second, team);
        assert.deepEqual(posts.map((p) => p.id), [after.status_id]);
      } finally {
        await second.stop();
      }
    } finally {
      await db.drop();
    }
  });

  test('two servers on one database publish each of 20 drafts due at the same second exactly once', async (t) => {
    const db = await sharedDatabase();
    const servers = [];
    try {
      servers.push(await startServer([], { dataArgs: db.args }));
      servers.push(await startServer([], { dataArgs: db.args }));
      const [a, b] = servers;
      const team = await organisation(a);
      const drafts = [];
      for (let i = 0; i < 20; i += 1) drafts.push(await submittedDraft(i % 2 ? a : b, team, `Release ${i}`));
      // One second for all of them, far enough ahead for the approvals.
      const at = new Date(Math.ceil((Date.now() + 6_000) / 1000) * 1000).toISOString();
      for (const [i, draft] of drafts.entries()) await approveAt(i % 2 ? b : a, team, draft, at);
      const due = Date.parse(at);
      await waitFor(async () => {
        const list = assertOk(await api(a, 'GET', `${DRAFTS(team.org.id)}?state=published&limit=40`, { token: team.owner.token }));
        return list.length === 20;
      }, { timeoutMs: due - Date.now() + 10_000, intervalMs: 200, message: 'all 20 published' });
      await sleep(2_500);
      const published = await Promise.all(drafts.map((d) => getDraft(b, team, d.id)));
      for (const d of published) {
        assert.equal(d.state, 'published');
        assert.ok(Date.parse(d.published_at) - due < 5_000, `${d.id} published ${Date.parse(d.published_at) - due} ms late`);
      }
      const posts = await organisationPosts(a, team);
      assert.equal(posts.length, 20, 'one post per draft');
      assert.deepEqual(new Set(posts.map((p) => p.id)), new Set(published.map((d) => d.status_id)));
      const account = assertOk(await api(b, 'GET', `/api/v1/accounts/${team.org.id}`));
      assert.equal(account.statuses_count, 20);
      const audit = assertOk(await api(a, 'GET', `/api/vantage/v1/organisations/${team.org.id}/audit?limit=80`,
        { token: team.owner.token }));
      assert.equal(audit.filter((e) => e.action === 'draft.published').length, 20);
      // Each server logs what it published: together, each draft once.
      const counts = servers.map((s) => [...`${s.stdout}${s.stderr}`.matchAll(/scheduled release: (\d+) published/g)]
        .reduce((sum, m) => sum + Number(m[1]), 0));
      assert.equal(counts[0] + counts[1], 20, `published by each server: ${counts}`);
      const skipped = servers.map((s) => [...`${s.stdout}${s.stderr}`.matchAll(/(\d+) published elsewhere/g)]
        .reduce((sum, m) => sum + Number(m[1]), 0));
      t.diagnostic(`published by each server: ${counts.join(' and ')}; found published by the other: ${skipped.join(' and ')}`);
    } finally {
      for (const server of servers) await server.stop();
      await db.drop();
    }
  });

  test('a draft whose post cannot be made goes back to submitted with the reason, and is not retried', async () => {
    const server = await startServer();
    try {
      const team = await organisation(server);
      const draft = await approveAt(server, team, await submittedDraft(server, team), inMs(5_500));
      // Its photo goes, behind the server's back.
      sql(server.dataArgs, `DELETE FROM media_attachments WHERE id = ${draft.media_attachments[0].id}`);
      let after;
      await waitFor(async () => (after = await getDraft(server, team, draft.id)).state !== 'scheduled',
        { timeoutMs: 15_000, intervalMs: 200, message: 'the draft handled' });
      assert.equal(after.state, 'submitted');
      assert.match(after.publish_error, /media/);
      assert.deepEqual(after.approvals, []);
      await sleep(2_000);
      assert.deepEqual(await organisationPosts(server, team), []);
      const audit = assertOk(await api(server, 'GET', `/api/vantage/v1/organisations/${team.org.id}/audit`,
        { token: team.owner.token }));
      const failed = audit.filter((e) => e.action === 'draft.publish_failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0].actor_id, null);
      assert.match(failed[0].detail.reason, /media/);
    } finally {
      await server.stop();
    }
  });

  test('vantage migrate-data carries drafts, their photos and approvals from SQLite to PostgreSQL',
    { skip: ENGINE !== 'postgres' && 'needs PostgreSQL' }, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'vantage-release-move-'));
      const file = path.join(dir, 'vantage.db');
      const source = await startServer([], { dataArgs: ['--data', dir, '--db', `sqlite:${file}`] });
      let team;
      let before;
      try {
        team = await organisation(source);
        const scheduled = await approveAt(source, team, await submittedDraft(source, team, 'Later'), inMs(3600_000));
        const written = await submittedDraft(source, team, 'Waiting');
        before = [scheduled, written];
      } finally {
        await source.stop();
      }
      const name = `vantage_release_move_${crypto.randomBytes(6).toString('hex')}`;
      const admin = process.env.VANTAGE_TEST_POSTGRES_URL;
      execFileSync('psql', [admin, '-qXc', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      const url = admin.replace(/\/[^/]*$/, `/${name}`);
      try {
        const r = await runCli(['migrate-data', '--from', `sqlite:${file}`, '--to', url]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /copied drafts\s+2 rows/);
        const target = await startServer([], { dataArgs: ['--data', dir, '--db', url] });
        try {
          for (const draft of before) {
            const moved = await getDraft(target, team, draft.id);
            for (const key of ['state', 'status', 'version', 'scheduled_at', 'created_at', 'updated_at']) {
              assert.deepEqual(moved[key], draft[key], key);
            }
            // The same photos, approvals and author (URLs name the server they came from).
            assert.deepEqual(moved.media_attachments.map((m) => [m.id, m.blurhash]),
              draft.media_attachments.map((m) => [m.id, m.blurhash]));
            assert.deepEqual(moved.approvals.map((a) => [a.account.id, a.created_at]),
              draft.approvals.map((a) => [a.account.id, a.created_at]));
            assert.equal(moved.author.id, team.owner.id);
          }
          const verified = await runCli(['audit', 'verify', '--data', dir, '--db', url]);
          assert.equal(verified.code, 0, verified.stdout + verified.stderr);
        } finally {
          await target.stop();
        }
      } finally {
        execFileSync('psql', [admin, '-qXc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: ['ignore', 'ignore', 'pipe'] });
        await rm(dir, { recursive: true, force: true });
      }
    });
});
