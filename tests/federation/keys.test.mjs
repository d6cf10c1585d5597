// Actors' keys are made once and kept (docs/federation.md, "Documents"): a
// key that is missing or does not parse is a loud error, never silently
// made again, since every server that cached the old key would stop
// believing the account.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { ENGINE, startServer } from '../api/lib/server.mjs';
import { registerUser } from '../api/lib/photos.mjs';

const AP = { accept: 'application/activity+json' };

// Runs SQL on a stopped server's database.
function sql(server, statement) {
  if (ENGINE === 'postgres') {
    const url = server.dataArgs[server.dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXc', statement]);
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', `${server.dataDir}/vantage.db`, statement]);
  }
}

describe("an actor's key", () => {
  const servers = [];
  after(async () => {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
  });

  test('is made once and is the same after a restart', async () => {
    const first = await startServer();
    servers.push(first);
    const vera = await registerUser(first, 'vera');
    const pem = (await (await fetch(`${first.url}/users/${vera.username}`, { headers: AP })).json()).publicKey.publicKeyPem;
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startServer([], { dataArgs: first.dataArgs });
    servers.push(second);
    const again = (await (await fetch(`${second.url}/users/${vera.username}`, { headers: AP })).json()).publicKey.publicKeyPem;
    assert.equal(again, pem);
  });

  for (const [what, statement] of [
    ['does not parse', (id) => `UPDATE actor_keys SET private_pem = 'not a key' WHERE account_id = ${id}`],
    ['is missing', (id) => `DELETE FROM actor_keys WHERE account_id = ${id}`],
  ]) {
    test(`that ${what} is a loud error, and no new key is made`, async () => {
      const server = await startServer();
      servers.push(server);
      const vera = await registerUser(server, 'vera');
      assert.equal((await fetch(`${server.url}/users/${vera.username}`, { headers: AP })).status, 200);
      server.child.kill('SIGKILL');
      await server.exited;
      sql(server, statement(vera.id));
      const again = await startServer([], { dataArgs: server.dataArgs });
      servers.push(again);
      for (let i = 0; i < 2; ++i) {
        const res = await fetch(`${again.url}/users/${vera.username}`, { headers: AP });
        assert.equal(res.status, 500, `${what}: ${res.status}`);
        const body = await res.json();
        assert.equal(body.code, 'internal_error');
        assert.ok(!JSON.stringify(body).includes('BEGIN'), 'no key material in the answer');
      }
      assert.match(again.stderr + again.stdout, /restore it from a backup/);
    });
  }
});
