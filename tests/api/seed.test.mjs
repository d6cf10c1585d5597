// vantage seed: a tiny synthetic network written into a fresh data directory
// (on PostgreSQL, a fresh database), checked by the seed's own --verify, then
// served: the bench accounts sign in, counters equal the lists they count,
// a home timeline is exactly the posts of the accounts followed, and bad
// flags are refused with messages that name them.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ENGINE, api, assertOk, createApp, passwordToken, runCli, startServer,
} from './lib/server.mjs';

const PASSWORD = 'seed password 7';
const ACCOUNTS = 60;
const TYPICAL_FOLLOWS = 5;
const SHAPE = ['--accounts', ACCOUNTS, '--posts', 80, '--follows', 500, '--likes', 400, '--comments', 120,
  '--typical-follows', TYPICAL_FOLLOWS, '--heavy-follows', 30, '--images', 2, '--seed', 7, '--password', PASSWORD]
  .map(String);

const dirs = [];
const databases = [];

// A fresh place for a network: a data directory, plus a database on PostgreSQL.
async function freshData() {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-seed-'));
  dirs.push(dir);
  if (ENGINE !== 'postgres') return ['--data', dir];
  const name = `vantage_seed_${crypto.randomBytes(6).toString('hex')}`;
  execFileSync('psql', [process.env.VANTAGE_TEST_POSTGRES_URL, '-qXc', `CREATE DATABASE ${name}`]);
  databases.push(name);
  return ['--data', dir, '--db', process.env.VANTAGE_TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`)];
}

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const name of databases) {
    execFileSync('psql', [process.env.VANTAGE_TEST_POSTGRES_URL, '-qXc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  }
});

const seed = (args) => runCli(['seed', ...args], { timeoutMs: 120_000 });

// Every item of a list, following its Link rel="next" pages.
async function pageAll(server, urlPath, token) {
  const items = [];
  let next = urlPath;
  for (let pages = 0; next; pages++) {
    assert.ok(pages < 100, `${urlPath} does not end`);
    const res = await api(server, 'GET', next, { token });
    const page = assertOk(res);
    items.push(...page);
    const link = res.headers.get('link') ?? '';
    const m = /<([^>]+)>;\s*rel="next"/.exec(link);
    next = m && page.length > 0 ? new URL(m[1]).pathname + new URL(m[1]).search : null;
  }
  return items;
}

describe('vantage seed', () => {
  let data;
  let server;
  let output;

  before(async () => {
    data = await freshData();
    output = await seed([...data, ...SHAPE, '--verify']);
    assert.equal(output.code, 0, `seed failed\n${output.stdout}\n${output.stderr}`);
    server = await startServer([], { dataArgs: data });
  });
  after(async () => { await server?.stop(); });

  test('reports each phase and passes its own consistency checks', () => {
    for (const phase of ['images', 'accounts', 'statuses', 'media', 'follows', 'favourites', 'notifications',
      'home feeds', 'indexes']) {
      assert.match(output.stdout, new RegExp(`seed: ${phase} .* s \\(cpu`), output.stdout);
    }
    assert.match(output.stdout, /verify: every counter, inbox and reference is consistent/);
    assert.match(output.stdout, new RegExp(`${ACCOUNTS} accounts .* 80 posts, 120 comments, 500 follows, 400 likes`));
  });

  test('refuses to write into a database that already holds a network', async () => {
    const again = await seed([...data, ...SHAPE]);
    assert.equal(again.code, 1, again.stdout);
    assert.match(again.stderr, /already holds accounts or posts/);
  });

  test('official is verified, followed by every account, and the follower list has them all', async () => {
    const official = assertOk(await api(server, 'GET', '/api/v1/accounts/lookup?acct=official'));
    assert.equal(official.verified, true);
    assert.equal(official.followers_count, ACCOUNTS - 1);
    assert.equal(official.following_count, 0);
    const followers = await pageAll(server, `/api/v1/accounts/${official.id}/followers?limit=13`);
    assert.equal(followers.length, ACCOUNTS - 1);
    assert.equal(new Set(followers.map((a) => a.id)).size, ACCOUNTS - 1);
    assert.ok(!followers.some((a) => a.id === official.id));
  });

  test('the bench accounts sign in with the seed password; typical follows official and five more', async () => {
    const app = await createApp(server);
    const token = await passwordToken(server, app, 'typical', PASSWORD);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
    assert.equal(me.following_count, TYPICAL_FOLLOWS + 1);
    const following = await pageAll(server, `/api/v1/accounts/${me.id}/following?limit=4`, token);
    assert.equal(following.length, TYPICAL_FOLLOWS + 1);
    assert.ok(following.some((a) => a.username === 'official'));
    const wrong = await api(server, 'POST', '/oauth/token', {
      json: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
        username: 'heavy', password: `${PASSWORD}x`, scope: 'read' },
    });
    assert.equal(wrong.status, 400);
    assert.ok(await passwordToken(server, app, 'heavy', PASSWORD));
  });

  test('a home timeline is exactly the posts of the accounts followed, newest first, with their photos', async () => {
    const app = await createApp(server);
    const token = await passwordToken(server, app, 'typical', PASSWORD);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token }));
    const following = await pageAll(server, `/api/v1/accounts/${me.id}/following`, token);
    const expected = new Set();
    for (const account of [me, ...following]) {
      const posts = await pageAll(server, `/api/v1/accounts/${account.id}/statuses?exclude_replies=true&limit=40`, token);
      for (const s of posts) if (s.in_reply_to_id === null) expected.add(s.id);
    }
    const home = await pageAll(server, '/api/v1/timelines/home?limit=7', token);
    assert.ok(home.length > 0);
    assert.deepEqual(new Set(home.map((s) => s.id)), expected);
    for (let i = 1; i < home.length; i++) assert.ok(BigInt(home[i - 1].id) > BigInt(home[i].id), 'newest first');
    for (const s of home) {
      assert.equal(s.in_reply_to_id, null);
      assert.ok(s.media_attachments.length >= 1 && s.media_attachments.length <= 3, JSON.stringify(s));
      assert.equal(Date.parse(s.created_at) > Date.now() - 61 * 86_400_000, true);
    }
    const photo = await fetch(home[0].media_attachments[0].url);
    assert.equal(photo.status, 200);
    assert.match(photo.headers.get('content-type'), /^image\/(webp|jpeg)$/);
  });

  test('likes and comments equal the counters of the post they are on', async () => {
    const official = assertOk(await api(server, 'GET', '/api/v1/accounts/lookup?acct=official'));
    const posts = await pageAll(server, `/api/v1/accounts/${official.id}/statuses?exclude_replies=true`);
    const post = posts.reduce((a, b) => (b.replies_count + b.favourites_count > a.replies_count + a.favourites_count ? b : a));
    assert.ok(post.replies_count > 0 && post.favourites_count > 0, JSON.stringify(post));
    const likers = await pageAll(server, `/api/v1/statuses/${post.id}/favourited_by?limit=9`);
    assert.equal(likers.length, post.favourites_count);
    const context = assertOk(await api(server, 'GET', `/api/v1/statuses/${post.id}/context`));
    assert.equal(context.descendants.filter((s) => s.in_reply_to_id === post.id).length, post.replies_count);
    for (const c of context.descendants) assert.equal(c.media_attachments.length, 0);
  });

  test('official is notified of follows, likes and replies', async () => {
    const app = await createApp(server);
    const token = await passwordToken(server, app, 'official', PASSWORD);
    const types = new Set();
    for (const type of ['follow', 'favourite', 'mention']) {
      const page = assertOk(await api(server, 'GET', `/api/v1/notifications?types[]=${type}&limit=5`, { token }));
      for (const n of page) types.add(n.type);
    }
    assert.ok(types.has('follow') && types.has('favourite'), [...types].join());
  });
});

describe('vantage seed flags', () => {
  const cases = [
    [['--accounts', '5'], /--accounts must be from 10/],
    [['--accounts', '60', '--heavy-follows', '30', '--follows', '10'],
      /--follows must be at least 109: every account follows official, typical follows 20 and heavy 30/],
    [['--accounts', '60', '--heavy-follows', '1000', '--follows', '5000'], /--typical-follows and --heavy-follows must be from 0 to 57/],
    [['--posts', '0'], /--posts must be from 1/],
    [['--password', 'short'], /--password must have at least 8 characters/],
    [['--public-url', 'ftp://example.org'], /--public-url must start with http/],
    [['--images', '0'], /--images must be from 1 to 64/],
    [['--likes', '-3'], /--likes and --comments must be from 0/],
    [['--bogus'], /unknown option --bogus/],
    [['--accounts', 'many'], /accounts/],
  ];
  for (const [args, message] of cases) {
    test(`refuses ${args.join(' ')}`, async () => {
      const data = await freshData();
      const r = await seed([...data, ...args]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
    });
  }
});
