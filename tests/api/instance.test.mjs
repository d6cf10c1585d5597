// GET /api/v1/instance and /api/v2/instance: the fields Mastodon clients read
// at startup. (How `registrations` follows --registrations is covered in
// registration-modes.test.mjs.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertOk, startServer } from './lib/server.mjs';

const VERSION_RE = /^4\.\d+\.\d+ \(compatible; Vantage/;

let server;
before(async () => { server = await startServer(['--registrations', 'open']); });
after(async () => { await server?.stop(); });

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isPositiveInt = (v) => Number.isInteger(v) && v > 0;

describe('GET /api/v2/instance', () => {
  let v2;
  before(async () => {
    const res = await api(server, 'GET', '/api/v2/instance');
    v2 = assertOk(res);
  });

  test('is served without authentication as application/json; charset=utf-8', async () => {
    const res = await api(server, 'GET', '/api/v2/instance');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json;\s*charset=utf-8$/i);
  });

  test('has domain, title, a Mastodon-compatible version, source_url and description', () => {
    const s = JSON.stringify(v2);
    assert.equal(typeof v2.domain, 'string', s);
    assert.ok(v2.domain.length > 0, s);
    assert.equal(typeof v2.title, 'string', s);
    assert.equal(typeof v2.version, 'string', s);
    assert.match(v2.version, VERSION_RE);
    assert.equal(typeof v2.source_url, 'string', s);
    assert.match(v2.source_url, /^https?:\/\//);
    assert.equal(typeof v2.description, 'string', s);
  });

  test('has usage.users.active_month, thumbnail.url and languages', () => {
    const s = JSON.stringify(v2);
    assert.ok(isObject(v2.usage), `usage: ${s}`);
    assert.ok(isObject(v2.usage.users), `usage.users: ${s}`);
    assert.ok(Number.isInteger(v2.usage.users.active_month) && v2.usage.users.active_month >= 0, s);
    assert.ok(isObject(v2.thumbnail), `thumbnail: ${s}`);
    assert.equal(typeof v2.thumbnail.url, 'string', `thumbnail.url: ${s}`);
    assert.ok(Array.isArray(v2.languages), `languages: ${s}`);
    assert.ok(v2.languages.every((l) => typeof l === 'string'), s);
  });

  test('has registrations {enabled, approval_required} reflecting open mode', () => {
    assert.ok(isObject(v2.registrations), JSON.stringify(v2));
    assert.equal(v2.registrations.enabled, true);
    assert.equal(v2.registrations.approval_required, false);
  });

  test('has contact, rules and api_versions', () => {
    const s = JSON.stringify(v2);
    assert.ok(isObject(v2.contact), `contact: ${s}`);
    assert.ok('email' in v2.contact, `contact.email: ${s}`);
    assert.ok('account' in v2.contact, `contact.account: ${s}`);
    assert.ok(Array.isArray(v2.rules), `rules: ${s}`);
    for (const r of v2.rules) {
      assert.equal(typeof r.id, 'string', `rule id: ${s}`);
      assert.equal(typeof r.text, 'string', `rule text: ${s}`);
    }
    assert.ok(isObject(v2.api_versions), `api_versions: ${s}`);
    assert.ok(Number.isInteger(v2.api_versions.mastodon), `api_versions.mastodon: ${s}`);
  });

  test('has configuration limits for urls, statuses, media_attachments and accounts', () => {
    const c = v2.configuration;
    const s = JSON.stringify(c);
    assert.ok(isObject(c), `configuration: ${JSON.stringify(v2)}`);
    assert.ok(isObject(c.urls), `configuration.urls: ${s}`);
    if ('streaming' in c.urls && c.urls.streaming !== null) assert.equal(typeof c.urls.streaming, 'string', s);
    assert.ok(isObject(c.statuses), `configuration.statuses: ${s}`);
    assert.ok(isPositiveInt(c.statuses.max_characters), `max_characters: ${s}`);
    assert.ok(isPositiveInt(c.statuses.max_media_attachments), `max_media_attachments: ${s}`);
    assert.ok(Number.isInteger(c.statuses.characters_reserved_per_url), `characters_reserved_per_url: ${s}`);
    assert.ok(isObject(c.media_attachments), `configuration.media_attachments: ${s}`);
    assert.ok(Array.isArray(c.media_attachments.supported_mime_types), `supported_mime_types: ${s}`);
    assert.ok(c.media_attachments.supported_mime_types.includes('image/jpeg'), `image/jpeg supported: ${s}`);
    assert.ok(isPositiveInt(c.media_attachments.image_size_limit), `image_size_limit: ${s}`);
    assert.ok(isPositiveInt(c.media_attachments.image_matrix_limit), `image_matrix_limit: ${s}`);
    assert.ok(isObject(c.accounts), `configuration.accounts: ${s}`);
  });
});

describe('GET /api/v1/instance', () => {
  let v1;
  before(async () => {
    v1 = assertOk(await api(server, 'GET', '/api/v1/instance'));
  });

  test('has uri, title, a Mastodon-compatible version and urls', () => {
    const s = JSON.stringify(v1);
    assert.equal(typeof v1.uri, 'string', s);
    assert.ok(v1.uri.length > 0, s);
    assert.equal(typeof v1.title, 'string', s);
    assert.match(v1.version, VERSION_RE);
    assert.ok(isObject(v1.urls), `urls: ${s}`);
  });

  test('has stats {user_count, status_count, domain_count} as integers', () => {
    const s = JSON.stringify(v1);
    assert.ok(isObject(v1.stats), `stats: ${s}`);
    for (const k of ['user_count', 'status_count', 'domain_count']) {
      assert.ok(Number.isInteger(v1.stats[k]) && v1.stats[k] >= 0, `stats.${k}: ${s}`);
    }
  });

  test('has registrations and approval_required booleans reflecting open mode', () => {
    assert.equal(v1.registrations, true, JSON.stringify(v1));
    assert.equal(v1.approval_required, false, JSON.stringify(v1));
  });

  test('v1 and v2 agree on title and version, and v1.uri names the v2 domain', async () => {
    const v2 = assertOk(await api(server, 'GET', '/api/v2/instance'));
    assert.equal(v1.title, v2.title);
    assert.equal(v1.version, v2.version);
    assert.ok(v1.uri === v2.domain || v1.uri.endsWith(`//${v2.domain}`), `v1.uri ${v1.uri} vs v2.domain ${v2.domain}`);
  });
});

describe('instance endpoints are read-only', () => {
  test('an ignored bogus Authorization header does not break /api/v2/instance for anonymous clients', async () => {
    // Public endpoint: a stale token must either be ignored or be a 401 JSON error, never a 500.
    const res = await api(server, 'GET', '/api/v2/instance', { token: 'stale-token-from-another-server' });
    assert.ok(res.status === 200 || res.status === 401, `status ${res.status}: ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  });
});
