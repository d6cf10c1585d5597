// HTTPS on loopback for the federation tests.
//
// Fedify resolves `acct:user@host` handles over https only (its WebFinger
// client hard-codes the scheme), so a peer can WebFinger Vantage only when
// Vantage is reachable over https. The tests therefore put a small TLS
// reverse proxy in front of the plain-http vantage binary and start vantage
// with `--public-url https://127.0.0.1:<proxy port>`, so every id it prints
// is an https URL that leads back through the proxy.
//
// The certificate is a throwaway self-signed one made by the `openssl` CLI in
// a temporary directory (one per process, removed at exit), for 127.0.0.1,
// ::1 and localhost.
//
// Trust: Node 20 reads NODE_EXTRA_CA_CERTS only at start-up, and has no
// tls.setDefaultCACertificates (that came in 22.15). But its global fetch
// (bundled undici) takes its dispatcher from
// globalThis[Symbol.for('undici.globalDispatcher.1')], and every fetch Fedify
// makes is the global fetch. trustTestCertificate() replaces that dispatcher
// with a new Agent of the same bundled undici whose TLS roots are Node's
// defaults plus the test certificate. No extra package, no child process;
// only this process's fetch is affected.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

const UNDICI_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

let certificate = null;

// The process's test certificate: {cert, key (PEM strings), certFile,
// keyFile, dir}. Made on first use.
export function testCertificate() {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'vantage-fed-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-keyout', keyFile, '-out', certFile,
      '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the test certificate: ${err.stderr?.toString() ?? err.message}`);
  }
  certificate = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile, dir };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return certificate;
}

// A PEM bundle of the system's certificate authorities and the test
// certificate, for Vantage's --federation-ca-file (its client then reaches
// peers behind the test TLS proxy, as it reaches real servers).
export function caBundle() {
  const c = testCertificate();
  const file = path.join(c.dir, 'ca-bundle.pem');
  writeFileSync(file, `${tls.rootCertificates.join('\n')}\n${c.cert}`);
  return file;
}

const trusted = new Set();

// Makes this process's global fetch (and so Fedify) accept certificates
// signed by `pem` (default: the test certificate) besides the usual roots.
// Idempotent; certificates accumulate.
export function trustCertificate(pem = testCertificate().cert) {
  if (trusted.has(pem)) return;
  // Touching Headers loads the bundled undici (touching fetch does not),
  // which installs its default global Agent unless one is there already
  // (jsonld, under Fedify, brings npm undici 5, which installs its own when
  // imported first; either works with the global fetch). We make a new Agent
  // of whichever class is installed.
  void globalThis.Headers;
  const current = globalThis[UNDICI_DISPATCHER];
  const Agent = current?.constructor;
  if (typeof Agent !== 'function' || Agent.name !== 'Agent') {
    throw new Error('cannot find the global undici Agent of this Node (expected Node 20+ with a built-in fetch)');
  }
  trusted.add(pem);
  globalThis[UNDICI_DISPATCHER] = new Agent({ connect: { ca: [...tls.rootCertificates, ...trusted] } });
}

// The certificates trustCertificate() added, for node:https clients
// (`ca` option) that do not go through fetch.
export function trustedCertificates() {
  return [...tls.rootCertificates, ...trusted];
}

// A TLS-terminating reverse proxy on 127.0.0.1. It forwards each request
// (method, path, every header as received, including Host, and the body) to
// `target` (an http origin), adds X-Forwarded-For and X-Forwarded-Proto:
// https, and streams the answer back. The target may be set later with
// setTarget(), so the proxy's port can be given to the server it fronts
// (vantage's --public-url) before that server starts; until then it answers
// 502. Returns {origin, host, port, setTarget(url), stop()}.
export async function startTlsProxy({ target = null, host = '127.0.0.1', port = 0 } = {}) {
  const { cert, key } = testCertificate();
  let upstream = target ? new URL(target) : null;
  const agent = new http.Agent({ keepAlive: false });
  const server = https.createServer({ cert, key }, (req, res) => {
    if (!upstream) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('tls proxy: no target yet\n');
      return;
    }
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (name === 'connection' || name === 'keep-alive') continue;
      headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    headers.push('X-Forwarded-For', req.socket.remoteAddress ?? '127.0.0.1', 'X-Forwarded-Proto', 'https');
    const out = http.request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
      setHost: false,
    }, (answer) => {
      const back = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const name = answer.rawHeaders[i].toLowerCase();
        if (name === 'connection' || name === 'keep-alive') continue;
        back.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
      }
      res.writeHead(answer.statusCode, answer.statusMessage, back);
      answer.pipe(res);
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`tls proxy: ${err.message}\n`);
    });
    req.pipe(out);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const hostPort = host.includes(':') ? `[${host}]:${actualPort}` : `${host}:${actualPort}`;
  let stopping = null;
  return {
    origin: `https://${hostPort}`,
    host: hostPort,
    port: actualPort,
    get target() { return upstream?.origin ?? null; },
    setTarget(url) { upstream = new URL(url); },
    stop() {
      stopping ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}
