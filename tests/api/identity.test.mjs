// Verified identity: the badge only instance admins set (`vantage admin
// verify NAME` / `unverify NAME`), as every surface shows it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, register, runCli, startServer } from './lib/server.mjs';
import { postPhoto, registerUser } from './lib/photos.mjs';

let server;
before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
});
after(async () => { await server?.stop(); });

function admin(...args) {
  return runCli(['admin', args[0], ...server.dataArgs, ...args.slice(1)]);
}

async function account(id) {
  return assertOk(await api(server, 'GET', `/api/v1/accounts/${id}`));
}

describe('vantage admin verify / unverify', () => {
  test('a new account is not verified', async () => {
    const user = await registerUser(server, 'fresh');
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.equal(me.verified, false);
    assert.equal((await account(user.id)).verified, false);
  });

  test('verify NAME sets the badge on every surface; unverify takes it away', async () => {
    const user = await registerUser(server, 'Museum');
    const post = await postPhoto(server, user, { status: 'from the archive' });
    assert.equal(post.account.verified, false);

    const verified = await admin('verify', user.username);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, new RegExp(`${user.username} is verified`));

    assert.equal((await account(user.id)).verified, true);
    const looked = assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${user.username}`));
    assert.equal(looked.verified, true);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.equal(me.verified, true);
    // A post rendered before the change shows the badge now too.
    const shown = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`));
    assert.equal(shown.account.verified, true);
    const listed = assertOk(await api(server, 'GET', `/api/v1/accounts/${user.id}/statuses`));
    assert.equal(listed[0].account.verified, true);

    const unverified = await admin('unverify', user.username);
    assert.equal(unverified.code, 0, unverified.stderr);
    assert.match(unverified.stdout, /no longer verified/);
    assert.equal((await account(user.id)).verified, false);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}`)).account.verified, false);
  });

  test('takes the name in any case, with or without @, or as --username', async () => {
    const user = await registerUser(server, 'Ministry');
    const upper = await admin('verify', `@${user.username.toUpperCase()}`);
    assert.equal(upper.code, 0, upper.stderr);
    assert.equal((await account(user.id)).verified, true);
    const byOption = await admin('unverify', '--username', user.username);
    assert.equal(byOption.code, 0, byOption.stderr);
    assert.equal((await account(user.id)).verified, false);
  });

  test('an unknown name, no name or two names fail with a message and change nothing', async () => {
    const unknown = await admin('verify', 'nobody_by_this_name');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no account named nobody_by_this_name/);

    const none = await admin('verify');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /verify needs an account name/);

    const a = await registerUser(server, 'one');
    const b = await registerUser(server, 'two');
    const two = await admin('verify', a.username, b.username);
    assert.equal(two.code, 1);
    assert.match(two.stderr, /one account name/);
    assert.equal((await account(a.id)).verified, false);
    assert.equal((await account(b.id)).verified, false);
  });

  test('no account can give itself the badge through the API', async () => {
    const user = await register(server, { prefix: 'selfmade' });
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: user.token, json: { verified: true, display_name: 'Self made' } });
    const me = assertOk(res);
    assert.equal(me.display_name, 'Self made');
    assert.equal(me.verified, false);
  });
});
