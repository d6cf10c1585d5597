// Backups, restores and the move from SQLite to PostgreSQL, through the CLI,
// checked by serving the result. SQLite's online backup runs in the SQLite
// pass; pg_dump/pg_restore and migrate-data in the PostgreSQL pass.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { api, ENGINE, register, runCli, startServer } from './lib/server.mjs';

const PG_URL = process.env.VANTAGE_TEST_POSTGRES_URL;
const PGBIN = process.env.VANTAGE_TEST_PGBIN || '/usr/lib/postgresql/15/bin';

function newPgDatabase() {
  const name = `vantage_data_${crypto.randomBytes(5).toString('hex')}`;
  execFileSync('psql', [PG_URL, '-qXc', `CREATE DATABASE ${name}`]);
  return { name, url: PG_URL.replace(/\/[^/]*$/, `/${name}`) };
}

// Registers an account and gives it a display name, so there is data to find.
async function populate(server) {
  const user = await register(server);
  const patched = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token, json: { display_name: 'Archive desk' },
  });
  assert.equal(patched.status, 200, patched.text);
  return { ...user, id: patched.json.id };
}

async function assertServes(dataArgs, user) {
  const server = await startServer([], { dataArgs });
  try {
    const found = await api(server, 'GET', `/api/v1/accounts/lookup?acct=${user.username}`);
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.id, user.id, 'ids are kept');
    assert.equal(found.json.display_name, 'Archive desk');
    // The old token still works: tokens were copied too.
    const me = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
    assert.equal(me.status, 200, me.text);
  } finally {
    await server.stop();
  }
}

if (ENGINE === 'sqlite') {
  describe('vantage backup (SQLite)', () => {
    const dirs = [];
    after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

    test('an online backup taken while serving restores into a working instance', async () => {
      const server = await startServer();
      const dir = await mkdtemp(path.join(tmpdir(), 'vantage-backup-'));
      dirs.push(dir);
      const file = path.join(dir, 'backup.db');
      let user;
      try {
        user = await populate(server);
        const r = await runCli(['backup', file, '--data', server.dataDir]);
        assert.equal(r.code, 0, r.stderr);
        // Writes after the backup must not be in it.
        await register(server);
      } finally {
        await server.stop();
      }
      await assertServes(['--data', dir, '--db', `sqlite:${file}`], user);
    });

    test('backup with no file argument is a usage error, and PostgreSQL is pointed to pg_dump', async () => {
      const usage = await runCli(['backup']);
      assert.equal(usage.code, 2);
      const pg = await runCli(['backup', '/tmp/x.db', '--db', 'postgres://nobody@127.0.0.1:1/none']);
      assert.equal(pg.code, 2);
      assert.match(pg.stderr, /pg_dump/);
    });
  });
}

if (ENGINE === 'postgres') {
  describe('PostgreSQL backup with pg_dump and pg_restore', () => {
    test('a dump restored into a new database serves the same instance', async () => {
      const server = await startServer();
      const dir = await mkdtemp(path.join(tmpdir(), 'vantage-dump-'));
      const dump = path.join(dir, 'vantage.dump');
      const source = server.dataArgs[server.dataArgs.indexOf('--db') + 1];
      let user;
      try {
        user = await populate(server);
        execFileSync(path.join(PGBIN, 'pg_dump'), ['--format=custom', `--file=${dump}`, source]);
      } finally {
        await server.stop();
      }
      const target = newPgDatabase();
      execFileSync(path.join(PGBIN, 'pg_restore'), ['--no-owner', `--dbname=${target.url}`, dump]);
      await assertServes(['--data', dir, '--db', target.url], user);
      await rm(dir, { recursive: true, force: true });
    });
  });

  describe('vantage migrate-data', () => {
    test('copies a SQLite instance into PostgreSQL with ids, and it serves', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'vantage-move-'));
      const file = path.join(dir, 'vantage.db');
      const server = await startServer([], { dataArgs: ['--data', dir, '--db', `sqlite:${file}`] });
      let user;
      try {
        user = await populate(server);
      } finally {
        await server.stop();
      }
      const target = newPgDatabase();
      const r = await runCli(['migrate-data', '--from', `sqlite:${file}`, '--to', target.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /copied accounts\s+1 rows/);
      await assertServes(['--data', dir, '--db', target.url], user);

      const again = await runCli(['migrate-data', '--from', `sqlite:${file}`, '--to', target.url]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);
      await rm(dir, { recursive: true, force: true });
    });

    test('refuses a missing source and a wrong destination', async () => {
      const missing = await runCli(['migrate-data', '--from', 'sqlite:/nonexistent/vantage.db', '--to', PG_URL]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no database/);
      const wrong = await runCli(['migrate-data', '--from', 'sqlite:/tmp/x.db', '--to', 'mysql://x']);
      assert.equal(wrong.code, 2);
    });
  });
}
