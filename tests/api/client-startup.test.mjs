// The calls Mastodon clients make at start-up answer valid empty results
// (never 404), with Mastodon's scopes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, assertError, createApp, passwordToken, register, startServer } from './lib/server.mjs';

describe('client start-up endpoints', () => {
  let server;
  let user;
  before(async () => {
    server = await startServer();
    user = await register(server, { prefix: 'client' });
  });
  after(async () => { await server?.stop(); });

  const listsForUsers = ['/api/v1/announcements', '/api/v1/filters', '/api/v2/filters', '/api/v1/lists'];
  const publicLists = ['/api/v1/custom_emojis', '/api/v1/trends', '/api/v1/trends/tags',
    '/api/v1/trends/statuses', '/api/v1/trends/links'];

  for (const path of publicLists) {
    test(`${path} is an empty list without a token`, async () => {
      const res = await api(server, 'GET', path);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, []);
    });
  }

  for (const path of listsForUsers) {
    test(`${path} is an empty list for a signed-in user and 401 without a token`, async () => {
      const res = await api(server, 'GET', path, { token: user.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, []);
      assertError(await api(server, 'GET', path), 401);
    });
  }

  test('markers and preferences have their shapes, and scopes are checked', async () => {
    const markers = await api(server, 'GET', '/api/v1/markers?timeline[]=home', { token: user.token });
    assert.equal(markers.status, 200, markers.text);
    assert.deepEqual(markers.json, {});
    const prefs = await api(server, 'GET', '/api/v1/preferences', { token: user.token });
    assert.equal(prefs.status, 200, prefs.text);
    assert.equal(prefs.json['posting:default:visibility'], 'public');
    assert.equal(prefs.json['posting:default:sensitive'], false);

    const app = await createApp(server, 'read:statuses');
    const narrow = await passwordToken(server, app, user.username, user.password, 'read:statuses');
    assertError(await api(server, 'GET', '/api/v1/preferences', { token: narrow }), 403, 'insufficient_scope');
    assert.equal((await api(server, 'GET', '/api/v1/markers', { token: narrow })).status, 200);
  });
});
