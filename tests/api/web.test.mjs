// The web app's pages and files: what `vantage serve` answers at / and under
// /app/, with the headers a browser must get (docs/web.md).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test, before, after } from 'node:test';
import { REPO_ROOT, startServer } from './lib/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('every app route answers the page with a strict CSP', async () => {
  for (const path of ['/', '/explore', '/sign_in', '/@somebody', '/@somebody/123', '/p/123', '/tags/cats', '/settings',
    '/console', '/console/5', '/console/5/queue', '/console/5/drafts/new', '/console/5/drafts/7']) {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /%VERSION%/);
  }
});

test('assets are versioned, typed, cacheable for good and revalidate with 304', async () => {
  const html = await (await fetch(server.url + '/')).text();
  const js = /src="(\/app\/[0-9a-f]{12}\/js\/main\.js)"/.exec(html);
  const css = /href="(\/app\/[0-9a-f]{12}\/app\.css)"/.exec(html);
  assert.ok(js && css, html);
  const res = await fetch(server.url + js[1]);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  const again = await fetch(server.url + js[1], { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const style = await fetch(server.url + css[1]);
  assert.equal(style.headers.get('content-type'), 'text/css; charset=utf-8');
  // An older page asking with another version gets today's file, revalidated.
  const stale = await fetch(server.url + js[1].replace(/app\/[0-9a-f]+/, 'app/000000000000'));
  assert.equal(stale.status, 200);
  assert.equal(stale.headers.get('cache-control'), 'no-cache');
  const page = await fetch(server.url + '/');
  const revalidated = await fetch(server.url + '/', { headers: { 'If-None-Match': page.headers.get('etag') } });
  assert.equal(revalidated.status, 304);
});

test('other paths keep the JSON 404 and 405 answers', async () => {
  for (const path of ['/nope', '/app/', '/app/x/missing.js', '/users/somebody', '/@a/1/2/3', '/console/5/drafts/7/x']) {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal((await res.json()).code, 'not_found');
  }
  // A profile path is a route (its ActivityPub document, docs/federation.md):
  // other methods are 405 there, as on every route.
  assert.equal((await fetch(server.url + '/@somebody', { method: 'POST' })).status, 405);
  assert.equal((await fetch(server.url + '/@somebody/1/x', { method: 'POST' })).status, 404);
  assert.equal((await fetch(server.url + '/auth/sign_in')).status, 405);
  assert.equal((await fetch(server.url + '/healthz')).status, 200);
});

test('--web-dir serves the files from disk, never cached', async () => {
  const dev = await startServer(['--web-dir', path.join(REPO_ROOT, 'web')]);
  try {
    const html = await (await fetch(dev.url + '/@someone')).text();
    assert.match(html, /src="\/app\/dev\/js\/main\.js"/);
    const js = await fetch(dev.url + '/app/dev/js/main.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('cache-control'), 'no-cache');
    assert.equal(await js.text(), await readFile(path.join(REPO_ROOT, 'web/js/main.js'), 'utf8'));
    for (const bad of ['/app/dev/js', '/app/dev/missing.js', '/app/dev/%2e%2e/CMakeLists.txt', '/app/dev/.gitignore'])
      assert.equal((await fetch(dev.url + bad)).status, 404, bad);
  } finally {
    await dev.stop();
  }
});
