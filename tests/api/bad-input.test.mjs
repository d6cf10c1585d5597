// Bad input: malformed and mistyped bodies, bad UTF-8, deep nesting, body and
// header limits, Expect: 100-continue and malformed HTTP. Every error must be
// a 4xx JSON error of the documented shape, never a 500 and never a hang.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  OOB, RawConnection, api, appToken, assertError, assertOk, createApp, httpRequest, rawRequest, register, startServer,
} from './lib/server.mjs';

let server;
before(async () => {
  server = await startServer(['--registrations', 'open', '--sign-in-limit-ip', '10000', '--sign-in-limit-account', '10000',
    '--registration-limit-ip', '10000']);
});
after(async () => { await server?.stop(); });

const APP_JSON = JSON.stringify({ client_name: 'raw client', redirect_uris: OOB, scopes: 'read' });

async function healthy() {
  const res = await api(server, 'GET', '/healthz');
  assert.equal(res.status, 200, 'the server is still healthy');
}

// -------------------------------------------------------------------------
describe('request bodies', () => {
  test('malformed JSON is 400 invalid_json', async () => {
    for (const body of ['{"client_name":', "{'client_name': 'x'}", '[1, 2', '{"a": 1}}', '{"a": tru}', 'nul', '{"a":1,}']) {
      const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': 'application/json' } });
      assertError(res, 400, 'invalid_json');
    }
  });

  test('a JSON body that is not an object is 400 or 422, never 500', async () => {
    for (const body of ['[]', '"string"', '42', 'null', 'true']) {
      const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': 'application/json' } });
      assertError(res, [400, 422]);
    }
  });

  test('a text/plain body on a POST is 415 unsupported_media_type', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { body: 'client_name=x', headers: { 'content-type': 'text/plain' } });
    assertError(res, 415, 'unsupported_media_type');
  });

  test('other unsupported body types are 415 too', async () => {
    for (const ct of ['application/xml', 'application/octet-stream', 'image/png']) {
      const res = await api(server, 'POST', '/api/v1/apps', { body: '<x/>', headers: { 'content-type': ct } });
      assertError(res, 415, 'unsupported_media_type');
    }
  });

  test('content types with parameters and other cases are understood', async () => {
    for (const ct of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON']) {
      assertOk(await api(server, 'POST', '/api/v1/apps', { body: APP_JSON, headers: { 'content-type': ct } }));
    }
    const form = new URLSearchParams({ client_name: 'android', redirect_uris: OOB }).toString();
    assertOk(await api(server, 'POST', '/api/v1/apps', { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } }));
  });

  test('parameters in the query string are accepted on a POST without a body', async () => {
    const q = new URLSearchParams({ client_name: 'query client', redirect_uris: OOB });
    const app = assertOk(await api(server, 'POST', `/api/v1/apps?${q}`));
    assert.equal(app.name, 'query client');
  });

  test('invalid UTF-8 inside a JSON string is 400', async () => {
    const body = Buffer.concat([Buffer.from('{"client_name":"bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`","redirect_uris":"${OOB}"}`)]);
    const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': 'application/json' } });
    assertError(res, 400, ['invalid_encoding', 'invalid_json']);
  });

  test('an overlong UTF-8 encoding in JSON is 400', async () => {
    // 0xC0 0xAF is an overlong "/": forbidden in UTF-8.
    const body = Buffer.concat([Buffer.from('{"client_name":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from(`","redirect_uris":"${OOB}"}`)]);
    const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': 'application/json' } });
    assertError(res, 400, ['invalid_encoding', 'invalid_json']);
  });

  test('a lone surrogate escape (\\ud800) is refused or at least never stored as invalid UTF-8', async () => {
    const user = await register(server, { prefix: 'surrogate' });
    const res = await api(server, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, body: '{"display_name":"a\\ud800b","note":"\\udfff"}', headers: { 'content-type': 'application/json' },
    });
    assert.ok(res.status < 500, `status ${res.status}: ${res.text}`);
    if (res.status >= 400) {
      assertError(res, [400, 422]);
      return;
    }
    const raw = await fetch(new URL('/api/v1/accounts/verify_credentials', server.url), { headers: { authorization: `Bearer ${user.token}` } });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'responses must be valid UTF-8');
  });

  test('invalid UTF-8 in a form body is 400 invalid_encoding (raw and percent-encoded)', async () => {
    const raw = Buffer.concat([Buffer.from('client_name=bad'), Buffer.from([0xff, 0xfe]), Buffer.from(`&redirect_uris=${encodeURIComponent(OOB)}`)]);
    const res1 = await api(server, 'POST', '/api/v1/apps', { body: raw, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(res1, 400, 'invalid_encoding');
    const pct = `client_name=bad%FF%FE&redirect_uris=${encodeURIComponent(OOB)}`;
    const res2 = await api(server, 'POST', '/api/v1/apps', { body: pct, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(res2, 400, 'invalid_encoding');
  });

  test('bad percent-encoding in a form body is 400, never 500', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { body: `client_name=%ZZ%&redirect_uris=${encodeURIComponent(OOB)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertError(res, [400, 422]);
  });

  test('invalid UTF-8 in a multipart field is 400 invalid_encoding', async () => {
    const boundary = '----vantageboundary42';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="client_name"\r\n\r\nbad`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="redirect_uris"\r\n\r\n${OOB}\r\n--${boundary}--\r\n`),
    ]);
    const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assertError(res, 400, 'invalid_encoding');
  });

  test('a multipart body works; a malformed one is 400 invalid_body', async () => {
    const fd = new FormData();
    fd.append('client_name', 'multipart client');
    fd.append('redirect_uris', OOB);
    assert.equal(assertOk(await api(server, 'POST', '/api/v1/apps', { body: fd })).name, 'multipart client');

    const boundary = 'xyzzy';
    const truncated = `--${boundary}\r\nContent-Disposition: form-data; name="client_name"\r\n\r\nno closing boundary`;
    assertError(await api(server, 'POST', '/api/v1/apps', { body: truncated, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }),
      400, 'invalid_body');
    assertError(await api(server, 'POST', '/api/v1/apps', { body: 'whatever', headers: { 'content-type': 'multipart/form-data' } }),
      400, 'invalid_body');
  });

  test('JSON nested 10,000 deep is a fast 400 and the server survives', async () => {
    for (const body of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)]) {
      const started = Date.now();
      const res = await api(server, 'POST', '/api/v1/apps', { body, headers: { 'content-type': 'application/json' } });
      const elapsed = Date.now() - started;
      assertError(res, 400, ['invalid_json', 'bad_request', 'invalid_body']);
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    }
    await healthy();
  });

  test('JSON nested 100,000 deep (unterminated) is a 400 too', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { body: '['.repeat(100_000), headers: { 'content-type': 'application/json' } });
    assertError(res, 400);
    await healthy();
  });

  test('a huge string field is rejected as too long, not crashed on', async () => {
    const res = await api(server, 'POST', '/api/v1/apps', { json: { client_name: 'x'.repeat(100 * 1024), redirect_uris: OOB } });
    assertError(res, 422, 'too_long', 'client_name');
  });

  test('a JSON body over the 1 MiB default limit is 413 too_large', async () => {
    const conn = await RawConnection.open(server.port);
    const body = Buffer.from(JSON.stringify({ client_name: 'x', redirect_uris: OOB, pad: 'p'.repeat(1_100_000) }));
    await conn.tryWrite(httpRequest('POST', '/api/v1/apps', { headers: { 'Content-Type': 'application/json' }, body }));
    const [res] = await conn.waitForResponses(1, 5000);
    conn.close();
    assert.ok(res, `a response: ${conn.text.slice(0, 300)}`);
    assertError(res, 413, 'too_large');
  });

  test('a chunked body that grows over the limit is 413 too_large', async () => {
    const conn = await RawConnection.open(server.port);
    await conn.write(httpRequest('POST', '/api/v1/apps', { headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }));
    const chunk = Buffer.from('a'.repeat(64 * 1024));
    for (let sent = 0; sent < 3 * 1024 * 1024 && !conn.closed && conn.finalResponses.length === 0; sent += chunk.length) {
      if (!(await conn.tryWrite(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])))) break;
    }
    const [res] = await conn.waitForResponses(1, 5000);
    conn.close();
    assert.ok(res, `a response: ${conn.text.slice(0, 300)}`);
    assertError(res, 413, 'too_large');
  });

  test('a chunked JSON body within the limit works', async () => {
    const body = Buffer.from(APP_JSON);
    const half = Math.floor(body.length / 2);
    const chunked = Buffer.concat([
      Buffer.from(`${half.toString(16)}\r\n`), body.subarray(0, half), Buffer.from('\r\n'),
      Buffer.from(`${(body.length - half).toString(16)}\r\n`), body.subarray(half), Buffer.from('\r\n0\r\n\r\n'),
    ]);
    const req = Buffer.concat([httpRequest('POST', '/api/v1/apps', { headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }), chunked]);
    const r = await rawRequest(server.port, req);
    assert.equal(r.responses[0]?.status, 200, r.text.slice(0, 500));
    assert.equal(r.responses[0].json.name, 'raw client');
  });
});

// -------------------------------------------------------------------------
describe('limits enforced before the body is read', () => {
  test('Content-Length 5,000,000 on POST /api/v1/apps is answered 413 before any body is sent', async () => {
    const conn = await RawConnection.open(server.port);
    await conn.write(httpRequest('POST', '/api/v1/apps', { headers: { 'Content-Type': 'application/json', 'Content-Length': '5000000' } }));
    const [res] = await conn.waitForResponses(1, 3000);
    conn.close();
    assert.ok(res, `413 must arrive without the body being sent; got: ${JSON.stringify(conn.text.slice(0, 300))}`);
    assertError(res, 413, 'too_large');
  });

  test('Expect: 100-continue gets "HTTP/1.1 100 Continue", then the final response', async () => {
    const body = Buffer.from(APP_JSON);
    const conn = await RawConnection.open(server.port);
    await conn.write(httpRequest('POST', '/api/v1/apps', {
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), Expect: '100-continue' },
    }));
    const gotContinue = await conn.waitFor((c) => c.text.startsWith('HTTP/1.1 100 Continue\r\n') && c.text.includes('\r\n\r\n'), 3000);
    assert.ok(gotContinue, `expected 100 Continue first; got ${JSON.stringify(conn.text.slice(0, 300))}`);
    await conn.write(body);
    const [res] = await conn.waitForResponses(1, 5000);
    conn.close();
    assert.ok(res, conn.text);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.name, 'raw client');
  });

  test('Expect: 100-continue with an oversized Content-Length gets 413 and no 100 Continue', async () => {
    const conn = await RawConnection.open(server.port);
    await conn.write(httpRequest('POST', '/api/v1/apps', {
      headers: { 'Content-Type': 'application/json', 'Content-Length': '5000000', Expect: '100-continue' },
    }));
    const [res] = await conn.waitForResponses(1, 3000);
    conn.close();
    assert.ok(res, JSON.stringify(conn.text.slice(0, 300)));
    assert.ok(!conn.text.startsWith('HTTP/1.1 100'), 'no 100 Continue for a body that will be refused');
    assertError(res, 413, 'too_large');
  });

  test('request headers over the default 16384-byte limit are 431 headers_too_large', async () => {
    const r = await rawRequest(server.port, httpRequest('GET', '/healthz', { headers: { 'X-Big': 'a'.repeat(20_000) } }));
    assert.ok(r.responses[0], `a response: ${JSON.stringify(r.text.slice(0, 200))}`);
    assertError(r.responses[0], 431, 'headers_too_large');
  });

  test('many headers that add up over the limit are 431', async () => {
    const headers = {};
    for (let i = 0; i < 400; i++) headers[`X-Header-${i}`] = 'v'.repeat(60);
    const r = await rawRequest(server.port, httpRequest('GET', '/healthz', { headers }));
    assert.ok(r.responses[0], `a response: ${JSON.stringify(r.text.slice(0, 200))}`);
    assertError(r.responses[0], 431, 'headers_too_large');
  });

  test('headers just under the limit are fine', async () => {
    const r = await rawRequest(server.port, httpRequest('GET', '/healthz', { headers: { 'X-Big': 'a'.repeat(10_000) } }));
    assert.equal(r.responses[0]?.status, 200, r.text.slice(0, 300));
  });

  test('oversized headers through fetch are 431 too', async () => {
    const res = await api(server, 'GET', '/healthz', { headers: { 'x-big': 'b'.repeat(20_000) } });
    assertError(res, 431, 'headers_too_large');
  });

  test('a 20 KB request target is 414 or 431, never a hang', async () => {
    const r = await rawRequest(server.port, httpRequest('GET', `/healthz?x=${'q'.repeat(20_000)}`));
    assert.ok(r.responses[0], `a response: ${JSON.stringify(r.text.slice(0, 200))}`);
    assertError(r.responses[0], [414, 431]);
  });
});

// -------------------------------------------------------------------------
describe('malformed HTTP', () => {
  async function expect400AndClose(bytes, what) {
    const r = await rawRequest(server.port, bytes, { timeoutMs: 4000, responses: Infinity });
    const res = r.responses[0];
    assert.ok(res, `${what}: expected a 400 response; got ${JSON.stringify(r.text.slice(0, 200))} (closed: ${r.closed})`);
    assert.ok(r.closed, `${what}: the connection must be closed after the 400`);
    return res;
  }

  test('a garbage request line is 400 and the connection is closed', async () => {
    const res = await expect400AndClose(Buffer.from('GARBAGE\r\n\r\n'), 'garbage line');
    assertError(res, 400, 'bad_request');
  });

  test('binary garbage is 400 and the connection is closed', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) % 256));
    bytes[0] = 0x16; // looks like a TLS record, as a misconfigured client would send
    const res = await expect400AndClose(Buffer.concat([bytes, Buffer.from('\r\n\r\n')]), 'binary garbage');
    assertError(res, 400);
  });

  test('a header line without a colon is 400', async () => {
    const res = await expect400AndClose(Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n'), 'bad header');
    assertError(res, 400);
  });

  test('a non-numeric Content-Length is 400', async () => {
    const res = await expect400AndClose(Buffer.from('POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}'), 'bad length');
    assertError(res, 400);
  });

  test('conflicting Content-Length headers are 400', async () => {
    const res = await expect400AndClose(Buffer.from('POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 10\r\n\r\n{}'), 'two lengths');
    assertError(res, 400);
  });

  test('Content-Length together with Transfer-Encoding (request smuggling) is 400', async () => {
    const res = await expect400AndClose(Buffer.from('POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 'CL+TE');
    assertError(res, 400);
  });

  test('a bad chunk size is 400', async () => {
    const res = await expect400AndClose(Buffer.from('POST /api/v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'), 'bad chunk');
    assertError(res, 400);
  });

  test('an unsupported HTTP version is 400 or 505', async () => {
    const r = await rawRequest(server.port, Buffer.from('GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'), { timeoutMs: 4000 });
    assert.ok(r.responses[0], JSON.stringify(r.text.slice(0, 200)));
    assert.ok([400, 505].includes(r.responses[0].status), `status ${r.responses[0].status}`);
  });

  test('the server is healthy after all the garbage', async () => {
    await healthy();
  });
});

// -------------------------------------------------------------------------
describe('type confusion on every known field', () => {
  const WEIRD = [null, 0, -1, 1e308, true, [], ['a', 'b'], {}, { nested: { deeper: [1] } }, '', 'x'.repeat(10_000), '\u0000'];

  test('no field of any endpoint answers 5xx to a value of the wrong type', async () => {
    const user = await register(server, { prefix: 'types' });
    const app = await createApp(server, 'read write follow');
    const clientToken = await appToken(server, app, 'read write follow');
    const endpoints = [
      { method: 'POST', path: '/api/v1/apps', base: { client_name: 'n', redirect_uris: OOB, scopes: 'read', website: 'https://w.example' } },
      { method: 'POST', path: '/oauth/token', base: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username: user.username, password: 'wrong password 789', scope: 'read', code: 'c', redirect_uri: OOB, code_verifier: 'v' } },
      { method: 'POST', path: '/oauth/revoke', base: { client_id: app.client_id, client_secret: app.client_secret, token: 'not-a-token' } },
      { method: 'POST', path: '/api/v1/accounts', token: clientToken, base: { username: 'typed_user', email: 'typed@example.com', password: 'short', agreement: true, locale: 'en', reason: 'r' } },
      { method: 'PATCH', path: '/api/v1/accounts/update_credentials', token: user.token, base: { display_name: 'd', note: 'n', locked: false } },
      { method: 'POST', path: '/auth/sign_in', base: { username: user.username, password: 'wrong password 789' } },
      { method: 'POST', path: '/api/vantage/v1/password', token: user.token, base: { current_password: 'wrong password 789', new_password: 'short' } },
    ];
    const failures = [];
    for (const ep of endpoints) {
      for (const field of Object.keys(ep.base)) {
        for (const value of WEIRD) {
          const res = await api(server, ep.method, ep.path, { token: ep.token, json: { ...ep.base, [field]: value } });
          const what = `${ep.method} ${ep.path} ${field}=${JSON.stringify(value).slice(0, 40)}`;
          if (res.status >= 500) failures.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
          else if (res.status >= 400) {
            try { assertError(res, res.status); } catch (err) { failures.push(`${what}: ${err.message.split('\n')[0]}`); }
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    // The user's own token survived everything above.
    assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
  });
});
