// /healthz, /metrics, X-Request-Id, unknown routes and wrong methods.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertError, startServer } from './lib/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// Parses Prometheus text exposition: samples as {name, labels, value}.
function parsePrometheus(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)/.exec(line);
      if (m) types[m[1]] = m[2];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    assert.ok(m, `malformed Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `sample value must be a number: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

function sum(samples, name) {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

describe('GET /healthz', () => {
  test('answers 200 {"status":"ok"} as JSON with an X-Request-Id', async () => {
    const res = await api(server, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.json, { status: 'ok' });
    assert.ok(res.headers.get('x-request-id'), 'X-Request-Id header');
  });

  test('JSON responses are declared as application/json; charset=utf-8', async () => {
    const res = await api(server, 'GET', '/healthz');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json;\s*charset=utf-8$/i);
  });
});

describe('X-Request-Id', () => {
  test('is present on successes, 404s, 405s and errors, and unique per request', async () => {
    const requests = [
      ['GET', '/healthz'], ['GET', '/healthz'], ['GET', '/api/v2/instance'],
      ['GET', '/no/such/route'], ['GET', '/api/v1/nope'], ['DELETE', '/healthz'],
      ['GET', '/api/v1/accounts/verify_credentials'], ['GET', '/api/v1/accounts/notanumber'],
      ['POST', '/api/v1/apps'], ['GET', '/metrics'],
    ];
    const ids = [];
    for (const [method, path] of requests) {
      const res = await api(server, method, path);
      const id = res.headers.get('x-request-id');
      assert.ok(id && id.trim().length > 0, `${method} ${path} (${res.status}) lacks X-Request-Id`);
      ids.push(id);
    }
    assert.equal(new Set(ids).size, ids.length, `request ids must be unique: ${ids.join(', ')}`);
  });

  test('concurrent requests each get their own id', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => api(server, 'GET', '/healthz')));
    const ids = all.map((r) => r.headers.get('x-request-id'));
    assert.ok(ids.every(Boolean));
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('unknown routes and methods', () => {
  test('an unknown path is a 404 not_found JSON error', async () => {
    for (const path of ['/nope', '/api/v1/nope', '/api/v1/accounts/1/no_such_action', '/api/v9/instance']) {
      assertError(await api(server, 'GET', path), 404, 'not_found');
    }
  });

  test('an unknown path is a 404 JSON error for POST too', async () => {
    assertError(await api(server, 'POST', '/api/v1/nope', { json: {} }), 404, 'not_found');
  });

  test('a known path with the wrong method is a 405 method_not_allowed JSON error', async () => {
    for (const [method, path] of [
      ['DELETE', '/healthz'], ['POST', '/api/v2/instance'], ['PUT', '/api/v1/apps'],
      ['GET', '/oauth/token'], ['DELETE', '/api/v1/accounts/verify_credentials'],
    ]) {
      assertError(await api(server, method, path), 405, 'method_not_allowed');
    }
  });
});

describe('GET /metrics', () => {
  test('is Prometheus text with the request counter, latency histogram, pool queue depth and database time', async () => {
    // Generate some traffic, including a request that touches the database.
    await api(server, 'GET', '/healthz');
    await api(server, 'GET', '/api/v1/accounts/lookup?acct=nobody_here');
    await api(server, 'GET', '/api/v2/instance');
    await api(server, 'GET', '/no/such/route');

    const res = await api(server, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok(res.headers.get('x-request-id'));
    const text = res.text;
    for (const name of ['vantage_http_requests_total', 'vantage_http_request_duration_seconds_bucket',
      'vantage_pool_queue_depth', 'vantage_db_seconds_total']) {
      assert.ok(text.includes(name), `/metrics lacks ${name}:\n${text.slice(0, 2000)}`);
    }
    const { samples, types } = parsePrometheus(text);
    assert.equal(types.vantage_http_request_duration_seconds, 'histogram', 'latency metric is typed histogram');
    assert.ok(sum(samples, 'vantage_http_requests_total') >= 4, 'requests were counted');
    const buckets = samples.filter((s) => s.name === 'vantage_http_request_duration_seconds_bucket');
    assert.ok(buckets.some((b) => b.labels.le === '+Inf'), 'histogram has an le="+Inf" bucket');
    assert.ok(samples.some((s) => s.name === 'vantage_http_request_duration_seconds_count'), 'histogram _count');
    assert.ok(samples.some((s) => s.name === 'vantage_http_request_duration_seconds_sum'), 'histogram _sum');
    assert.ok(sum(samples, 'vantage_db_seconds_total') >= 0);
    assert.ok(samples.filter((s) => s.name === 'vantage_pool_queue_depth').every((s) => s.value >= 0));
  });

  test('the request counter grows between scrapes', async () => {
    const first = parsePrometheus((await api(server, 'GET', '/metrics')).text).samples;
    for (let i = 0; i < 5; i++) await api(server, 'GET', '/healthz');
    const second = parsePrometheus((await api(server, 'GET', '/metrics')).text).samples;
    assert.ok(sum(second, 'vantage_http_requests_total') >= sum(first, 'vantage_http_requests_total') + 5);
  });
});
