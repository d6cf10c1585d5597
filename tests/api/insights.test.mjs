// Insights: an account's follower count by hour and a post's likes and
// comments by hour, for the account itself only (aggregates, never who).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ISO_MS, api, assertError, assertOk, startServer } from './lib/server.mjs';
import { postPhoto, registerUser } from './lib/photos.mjs';

let server;
before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
});
after(async () => { await server?.stop(); });

const HOUR = 3600 * 1000;
const thisHour = () => new Date(Date.now() - (Date.now() % HOUR)).toISOString();

describe('GET /api/vantage/v1/insights/followers', () => {
  test('records the count the hour ended with, after follows and unfollows', async () => {
    const museum = await registerUser(server, 'museum');
    const empty = assertOk(await api(server, 'GET', '/api/vantage/v1/insights/followers', { token: museum.token }));
    assert.deepEqual(empty, { followers_count: 0, hours: [] });

    const fans = [];
    for (let i = 0; i < 3; i += 1) fans.push(await registerUser(server, `fan${i}`));
    for (const fan of fans) assertOk(await api(server, 'POST', `/api/v1/accounts/${museum.id}/follow`, { token: fan.token }));
    assertOk(await api(server, 'POST', `/api/v1/accounts/${museum.id}/unfollow`, { token: fans[0].token }));
    // Following twice changes nothing.
    assertOk(await api(server, 'POST', `/api/v1/accounts/${museum.id}/follow`, { token: fans[1].token }));

    const before = Date.now();
    const res = assertOk(await api(server, 'GET', '/api/vantage/v1/insights/followers', { token: museum.token }));
    assert.equal(res.followers_count, 2);
    assert.equal(res.hours.length, 1, JSON.stringify(res));
    assert.match(res.hours[0].hour, ISO_MS);
    // The hour of the changes (the test may straddle an hour's end).
    assert.ok([thisHour(), new Date(before - (before % HOUR)).toISOString()].includes(res.hours[0].hour));
    assert.equal(res.hours[0].followers_count, 2);

    // The fans' own insights say nothing about whom they follow.
    const fan = assertOk(await api(server, 'GET', '/api/vantage/v1/insights/followers', { token: fans[1].token }));
    assert.deepEqual(fan, { followers_count: 0, hours: [] });
  });

  test('needs a token with read:accounts and a sane hours', async () => {
    assertError(await api(server, 'GET', '/api/vantage/v1/insights/followers'), 401);
    const user = await registerUser(server, 'asker');
    assertError(await api(server, 'GET', '/api/vantage/v1/insights/followers?hours=0', { token: user.token }),
      422, 'invalid_field', 'hours');
    assertError(await api(server, 'GET', '/api/vantage/v1/insights/followers?hours=100000', { token: user.token }),
      422, 'invalid_field', 'hours');
    assertError(await api(server, 'GET', '/api/vantage/v1/insights/followers?hours=ten', { token: user.token }),
      422, null, 'hours');
    assertOk(await api(server, 'GET', '/api/vantage/v1/insights/followers?hours=1', { token: user.token }));
  });
});

describe('GET /api/vantage/v1/insights/statuses/:id', () => {
  test('records likes and comments by hour, for the author only', async () => {
    const author = await registerUser(server, 'author');
    const readers = [await registerUser(server, 'reader'), await registerUser(server, 'reader')];
    const post = await postPhoto(server, author, { status: 'archive release' });
    const path = `/api/vantage/v1/insights/statuses/${post.id}`;
    assert.deepEqual(assertOk(await api(server, 'GET', path, { token: author.token })).hours, []);

    for (const reader of readers) assertOk(await api(server, 'POST', `/api/v1/statuses/${post.id}/favourite`, { token: reader.token }));
    assertOk(await api(server, 'POST', `/api/v1/statuses/${post.id}/unfavourite`, { token: readers[0].token }));
    const comment = assertOk(await api(server, 'POST', '/api/v1/statuses',
      { token: readers[0].token, json: { status: 'wonderful', in_reply_to_id: post.id } }));
    assertOk(await api(server, 'POST', '/api/v1/statuses',
      { token: readers[1].token, json: { status: 'thanks', in_reply_to_id: post.id } }));
    assertOk(await api(server, 'DELETE', `/api/v1/statuses/${comment.id}`, { token: readers[0].token }));

    const res = assertOk(await api(server, 'GET', path, { token: author.token }));
    assert.equal(res.id, post.id);
    assert.equal(res.favourites_count, 1);
    assert.equal(res.replies_count, 1);
    assert.equal(res.hours.length, 1, JSON.stringify(res));
    assert.deepEqual({ ...res.hours[0], hour: undefined }, { hour: undefined, favourites_count: 1, replies_count: 1 });
    assert.match(res.hours[0].hour, ISO_MS);

    // Anyone else's post, and an unknown one, are 404 alike.
    assertError(await api(server, 'GET', path, { token: readers[0].token }), 404, 'not_found');
    assertError(await api(server, 'GET', '/api/vantage/v1/insights/statuses/12345', { token: author.token }), 404);
    assertError(await api(server, 'GET', path), 401);
  });
});
