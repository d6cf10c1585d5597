// Verified identity: the badge only instance admins set (`vantage admin
// verify NAME` / `unverify NAME`), as every surface shows it, and the guard
// that refuses names confusable with a verified account's (at registration
// and on renames through update_credentials).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api, assertError, assertOk, register, registerRaw, runCli, startServer, strongPassword,
} from './lib/server.mjs';
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

describe('impersonation guard', () => {
  let official;
  let harbour;
  before(async () => {
    official = await registerUser(server, 'x', { username: 'CityPolice' });
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: official.token, json: { display_name: 'Metropolitan Police' } }));
    const verified = await admin('verify', 'CityPolice');
    assert.equal(verified.code, 0, verified.stderr);
  });

  function signUp(username) {
    return registerRaw(server, {
      username, email: `${username.toLowerCase()}_${Date.now()}@example.com`, password: strongPassword(),
      agreement: true, locale: 'en',
    });
  }

  function rename(user, displayName, extra = {}) {
    return api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: user.token, json: { display_name: displayName, ...extra } });
  }

  test('registration refuses a username confusable with a verified username', async () => {
    for (const username of ['citypolice', 'CityP0lice', 'CityPoIice', 'CITYPO1ICE', 'cityp0l1ce']) {
      const body = assertError(await signUp(username), 422, 'confusable_with_verified', 'username');
      assert.match(body.error, /^username /);
      assert.match(body.error, /@CityPolice/);
    }
  });

  test('registration refuses a username confusable with a verified display name', async () => {
    const museum = await registerUser(server, 'y', { username: 'museum_of_art' });
    assertOk(await rename(museum, 'Louvre'));
    assert.equal((await admin('verify', 'museum_of_art')).code, 0);
    for (const username of ['louvre', 'LOUVRE', 'L0uvre', 'Iouvre']) {
      const body = assertError(await signUp(username), 422, 'confusable_with_verified', 'username');
      assert.match(body.error, /@museum_of_art/);
    }
    assert.equal((await admin('unverify', 'museum_of_art')).code, 0);
    assertOk(await signUp('louvre'));
  });

  test('registration allows ordinary names that only resemble in meaning or length', async () => {
    for (const username of ['citypolicefan', 'city_police', 'CityPolite', 'police_watch', 'CityPolicy']) {
      assertOk(await signUp(username));
    }
  });

  test('a rename to a display name confusable with a verified name is refused', async () => {
    const user = await registerUser(server, 'impostor');
    const cases = [
      'Metropolitan Police',
      'METROPOLITAN POLICE',
      'Metropolitan  Police',
      'Metr\u043ep\u043elitan P\u043elice',
      'Metropolitan \u03a1olice',
      'Metro\u200dpolitan Police',
      'Me\u0301tropolitan Polic\u00e9',
      '\uff2detropolitan Police',
      'CityPolice',
      '\u0421ityPolice',
      'City\u200bPo1ice',
    ];
    for (const name of cases) {
      const body = assertError(await rename(user, name), 422, 'confusable_with_verified', 'display_name');
      assert.match(body.error, /^display_name /);
      assert.match(body.error, /@CityPolice/, JSON.stringify(name));
    }
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.equal(me.display_name, '', 'a refused rename changes nothing');
    assert.equal(assertOk(await rename(user, 'Metropolitan Police fans')).display_name, 'Metropolitan Police fans');
    assert.equal(assertOk(await rename(user, 'City Politics')).display_name, 'City Politics');
  });

  test('the verified account may keep and change its own names', async () => {
    assertOk(await rename(official, 'Metropolitan Police', { note: 'Official account' }));
    assert.equal(assertOk(await rename(official, 'Metropolitan P\u043elice')).display_name, 'Metropolitan P\u043elice');
    assertOk(await rename(official, 'Metropolitan Police'));
  });

  test('a display name held before the verification may be sent again unchanged, not changed to another look-alike', async () => {
    const early = await registerUser(server, 'early');
    assertOk(await rename(early, 'Harbour Authority'));
    const harbourUser = await registerUser(server, 'z', { username: 'harbour' });
    assertOk(await rename(harbourUser, 'Harbour Authority'));
    assert.equal((await admin('verify', 'harbour')).code, 0);
    harbour = harbourUser;

    // Clients send every field with a profile save: the old name passes.
    const kept = assertOk(await rename(early, 'Harbour Authority', { note: 'new bio' }));
    assert.equal(kept.note, '<p>new bio</p>');
    assertError(await rename(early, '\u0397arbour Authority'), 422, 'confusable_with_verified', 'display_name');
    assertError(await rename(early, 'Harbour Auth\u043erity'), 422, 'confusable_with_verified', 'display_name');
    // A profile save without a display name is no rename either.
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials',
      { token: early.token, json: { note: 'still here' } }));
  });

  test('an unverified account guards nothing', async () => {
    const plain = await registerUser(server, 'w', { username: 'plainname' });
    assertOk(await rename(plain, 'Plain Name'));
    assertOk(await signUp('pIainname'));
    const other = await registerUser(server, 'v');
    assertOk(await rename(other, 'Plain Narne'));
    assert.ok(harbour, 'the harbour account exists');
  });
});
