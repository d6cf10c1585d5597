// draft-cavage-http-signatures-12 by hand, with node:crypto and node:http(s):
// no Fedify involved, so a test can send exactly the request it means to,
// forgeries included (a body altered after signing, an old Date, no
// signature, the wrong key, a signer who is not the actor, a digest that does
// not match, headers left out of the signature, ...).
//
// The signing string is one `name: value` line per entry of the signed header
// list, in that order, joined with "\n"; `(request-target)` is
// `<lowercase method> <path[?query]>`. The signature is RSASSA-PKCS1-v1_5 over
// SHA-256, base64, sent as
//   Signature: keyId="...",algorithm="rsa-sha256",headers="...",signature="..."

import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { trustedCertificates } from './tls.mjs';

export const AP_CONTENT_TYPE = 'application/activity+json';
export const POST_SIGNED_HEADERS = ['(request-target)', 'host', 'date', 'digest', 'content-type'];
export const GET_SIGNED_HEADERS = ['(request-target)', 'host', 'date'];

// A private or public key as a node:crypto KeyObject, from a PEM string, a
// KeyObject or a WebCrypto CryptoKey.
export function toKeyObject(key, kind = 'private') {
  if (key instanceof crypto.KeyObject) return key;
  if (typeof key === 'string' || Buffer.isBuffer(key)) {
    return kind === 'private' ? crypto.createPrivateKey(key) : crypto.createPublicKey(key);
  }
  if (key && typeof key === 'object' && key.type && key.algorithm) return crypto.KeyObject.from(key);
  throw new TypeError(`not a key: ${key}`);
}

// A fresh RSA key pair as PEM ({publicKeyPem (SPKI), privateKeyPem (PKCS#8)}),
// e.g. the "wrong key" of a forgery.
export function generateRsaPem(modulusLength = 2048) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  };
}

// Digest header value for a body.
export function digestOf(body) {
  return `SHA-256=${crypto.createHash('sha256').update(body).digest('base64')}`;
}

// Builds the signing string for `names` from lower-cased `headers` and the
// request target.
export function signingString(names, { method, target, headers, created, expires }) {
  return names.map((name) => {
    const n = name.toLowerCase();
    if (n === '(request-target)') return `(request-target): ${method.toLowerCase()} ${target}`;
    if (n === '(created)') return `(created): ${created ?? ''}`;
    if (n === '(expires)') return `(expires): ${expires ?? ''}`;
    const v = headers[n];
    if (v === undefined) throw new Error(`cannot sign header ${n}: the request does not have it`);
    return `${n}: ${String(v).trim()}`;
  }).join('\n');
}

// Parses a Signature header (draft-cavage) into {keyId, algorithm, headers
// (array), signature, created, expires, ...}.
export function parseSignatureHeader(value) {
  if (!value) return null;
  const out = {};
  const re = /\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/y;
  const s = String(value).replace(/^Signature\s+/i, '');
  let m;
  while (re.lastIndex < s.length && (m = re.exec(s))) out[m[1]] = m[2] ?? m[3];
  if (out.headers !== undefined) out.headers = out.headers.split(/\s+/).filter(Boolean);
  return out;
}

// Verifies a received request's draft-cavage signature with `publicKey`
// (PEM/KeyObject/CryptoKey). `request` = {method, path (with query), headers
// (an object of lower-cased names, or rawHeaders pairs)}. Returns {ok,
// signingString, params}. Only the signature arithmetic: the Date window and
// the digest are the caller's business (checkDigest helps).
export function verifySignature(request, publicKey) {
  const headers = lowerHeaders(request.headers);
  const params = parseSignatureHeader(headers.signature);
  if (!params?.signature) return { ok: false, signingString: null, params };
  const names = params.headers ?? ['date'];
  let str;
  try {
    str = signingString(names, { method: request.method, target: request.path, headers, created: params.created, expires: params.expires });
  } catch {
    return { ok: false, signingString: null, params };
  }
  const ok = crypto.verify('sha256', Buffer.from(str), toKeyObject(publicKey, 'public'), Buffer.from(params.signature, 'base64'));
  return { ok, signingString: str, params };
}

// True when a Digest header value carries a SHA-256 that matches `body`.
export function checkDigest(digestHeader, body) {
  if (!digestHeader) return false;
  const want = crypto.createHash('sha256').update(body).digest('base64');
  return String(digestHeader).split(',').some((part) => {
    const i = part.indexOf('=');
    return i > 0 && part.slice(0, i).trim().toLowerCase() === 'sha-256' && part.slice(i + 1).trim() === want;
  });
}

function lowerHeaders(h) {
  const out = {};
  if (!h) return out;
  if (Array.isArray(h)) {
    for (let i = 0; i < h.length; i += 2) {
      const k = String(h[i]).toLowerCase();
      out[k] = k in out ? `${out[k]}, ${h[i + 1]}` : String(h[i + 1]);
    }
    return out;
  }
  if (typeof h.entries === 'function' && !(h instanceof Map) && typeof h.get === 'function') {
    for (const [k, v] of h.entries()) out[k.toLowerCase()] = v;
    return out;
  }
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function toBodyBuffer(body) {
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

// Sends one HTTP request with a draft-cavage signature (unless told not to)
// and returns {status, headers (lower-cased object), text, json, sent}.
// `sent` = {method, url, headers (as sent, in order), body (string),
// signingString, signedBody (string)}.
//
// Options:
//   body                   object (JSON-encoded), string or Buffer (POST)
//   keyId, privateKey      the signer (PEM, KeyObject or CryptoKey); needed
//                          unless omitSignature
//   headers                the signed header list (default POST:
//                          (request-target) host date digest content-type,
//                          GET: (request-target) host date)
//   algorithm              'rsa-sha256' (default), 'hs2019', or null to omit
//   date                   a Date, a string (sent verbatim), or null for no
//                          Date header (default now)
//   dateOffsetMs           shift the default date (e.g. -2 * 3600e3)
//   contentType            default application/activity+json on POST
//   accept                 Accept header on GET (default application/activity+json)
//   digest                 override the Digest header (a string), or null
//                          for none; default SHA-256 of the signed body
//   alterBodyAfterSigning  a function (body object or string -> new body), or a
//                          replacement body: the digest and signature are of
//                          the original, the altered one is sent
//   omitSignature          send no Signature header
//   tamperSignature        flip a bit of the signature
//   requestTarget          what (request-target) signs (default path+query)
//   host                   Host header (default the URL's host:port)
//   created, expires       (created)/(expires) parameters (hs2019)
//   extraHeaders           more headers to send: an object or [name, value] pairs
//   signatureHeader        send this Signature header verbatim instead
//   timeoutMs              default 15 s
export async function signedRequest(method, url, opts = {}) {
  const u = new URL(url);
  const m = method.toUpperCase();
  const isGet = m === 'GET' || m === 'HEAD';
  const signedBody = isGet ? null : toBodyBuffer(opts.body ?? '');
  let sendBody = signedBody;
  if (opts.alterBodyAfterSigning !== undefined) {
    const alter = opts.alterBodyAfterSigning;
    if (typeof alter === 'function') {
      const original = typeof opts.body === 'object' && !Buffer.isBuffer(opts.body)
        ? structuredClone(opts.body) : signedBody.toString('utf8');
      sendBody = toBodyBuffer(alter(original));
    } else {
      sendBody = toBodyBuffer(alter);
    }
  }

  const headers = {}; // lower-cased name -> value, insertion order = send order
  headers.host = opts.host ?? u.host;
  if (opts.date !== null) {
    let date = opts.date ?? new Date(Date.now() + (opts.dateOffsetMs ?? 0));
    headers.date = typeof date === 'string' ? date : date.toUTCString();
  }
  if (!isGet) {
    if (opts.digest !== null) headers.digest = opts.digest ?? digestOf(signedBody);
    headers['content-type'] = opts.contentType ?? AP_CONTENT_TYPE;
  } else {
    headers.accept = opts.accept ?? AP_CONTENT_TYPE;
  }
  const extra = Array.isArray(opts.extraHeaders) ? opts.extraHeaders : Object.entries(opts.extraHeaders ?? {});
  const extraPairs = [];
  for (const [k, v] of extra) {
    const n = k.toLowerCase();
    if (n in headers) headers[n] = v; else extraPairs.push([k, v]);
  }
  const signed = opts.headers ?? (isGet ? GET_SIGNED_HEADERS : POST_SIGNED_HEADERS);
  const target = opts.requestTarget ?? `${u.pathname}${u.search}`;

  let str = null;
  let signature = null;
  if (opts.signatureHeader !== undefined) {
    signature = opts.signatureHeader;
  } else if (!opts.omitSignature) {
    if (!opts.keyId || !opts.privateKey) throw new Error('signedRequest needs keyId and privateKey (or omitSignature)');
    const lookup = { ...headers };
    for (const [k, v] of extraPairs) lookup[k.toLowerCase()] = v;
    str = signingString(signed, { method: m, target, headers: lookup, created: opts.created, expires: opts.expires });
    let sig = crypto.sign('sha256', Buffer.from(str), toKeyObject(opts.privateKey, 'private'));
    if (opts.tamperSignature) { sig = Buffer.from(sig); sig[sig.length - 1] ^= 1; }
    const algorithm = opts.algorithm === undefined ? 'rsa-sha256' : opts.algorithm;
    const parts = [`keyId="${opts.keyId}"`];
    if (algorithm) parts.push(`algorithm="${algorithm}"`);
    if (opts.created !== undefined) parts.push(`created=${opts.created}`);
    if (opts.expires !== undefined) parts.push(`expires=${opts.expires}`);
    parts.push(`headers="${signed.join(' ')}"`, `signature="${sig.toString('base64')}"`);
    signature = parts.join(',');
  }

  const sendPairs = [];
  const names = { host: 'Host', date: 'Date', digest: 'Digest', 'content-type': 'Content-Type', accept: 'Accept' };
  for (const [k, v] of Object.entries(headers)) sendPairs.push([names[k] ?? k, v]);
  sendPairs.push(...extraPairs);
  if (signature !== null) sendPairs.push(['Signature', signature]);
  if (sendBody !== null) sendPairs.push(['Content-Length', String(sendBody.length)]);
  sendPairs.push(['User-Agent', 'vantage-federation-tests (signedRequest)']);

  const flat = sendPairs.flat();
  const lib = u.protocol === 'https:' ? https : http;
  const res = await new Promise((resolve, reject) => {
    const req = lib.request({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || (u.protocol === 'https:' ? 443 : 80),
      method: m,
      path: `${u.pathname}${u.search}`,
      headers: flat,
      setHost: false,
      agent: false,
      ...(u.protocol === 'https:' ? { ca: trustedCertificates() } : {}),
      timeout: opts.timeoutMs ?? 15_000,
    }, (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => resolve({ answer, body: Buffer.concat(chunks).toString('utf8') }));
      answer.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${m} ${url} timed out`)));
    req.on('error', reject);
    req.end(sendBody ?? undefined);
  });
  let json = null;
  try { json = JSON.parse(res.body); } catch { json = null; }
  return {
    status: res.answer.statusCode,
    headers: res.answer.headers,
    text: res.body,
    json,
    sent: {
      method: m,
      url: u.href,
      headers: sendPairs,
      body: sendBody?.toString('utf8') ?? null,
      signedBody: signedBody?.toString('utf8') ?? null,
      signingString: str,
    },
  };
}

// POST `bodyObj` to `url` signed as described at signedRequest.
export function signedPost(url, bodyObj, opts = {}) {
  return signedRequest('POST', url, { ...opts, body: bodyObj });
}

// A signed GET (e.g. a fetch as an actor, the way Mastodon's secure mode
// expects), answering {status, headers, text, json, sent}.
export function signedGet(url, opts = {}) {
  return signedRequest('GET', url, opts);
}

// RFC 9421 HTTP Message Signatures (what Mastodon 4.5 and Fedify 1.6 send),
// built by hand with node:crypto: the headers for a request with `body` to
// `url` (the absolute URI the receiver is addressed by). Components default
// to Mastodon's: "@method" "@target-uri" "content-digest". Returns
// {'Signature-Input', Signature, 'Content-Digest'} to send with the body.
export function rfc9421Headers(method, url, body, opts = {}) {
  const {
    keyId, privateKey, label = 'sig1', alg, digestAlgorithm = 'sha-256',
    components = ['@method', '@target-uri', 'content-digest'],
    created = Math.floor(Date.now() / 1000), extraValues = {},
  } = opts;
  const bytes = toBodyBuffer(body ?? '');
  const hash = digestAlgorithm === 'sha-512' ? 'sha512' : 'sha256';
  const contentDigest = `${digestAlgorithm}=:${crypto.createHash(hash).update(bytes).digest('base64')}:`;
  const u = new URL(url);
  const values = {
    '@method': method.toUpperCase(), '@target-uri': url, '@authority': u.host.toLowerCase(), 'content-digest': contentDigest,
    ...extraValues,
  };
  let params = `(${components.map((c) => `"${c}"`).join(' ')});created=${created};keyid="${keyId}"`;
  if (alg) params += `;alg="${alg}"`;
  const base = [...components.map((c) => {
    if (!(c in values)) throw new Error(`rfc9421Headers: no value for ${c}`);
    return `"${c}": ${values[c]}`;
  }), `"@signature-params": ${params}`].join('\n');
  const signature = crypto.sign('sha256', Buffer.from(base), toKeyObject(privateKey, 'private'));
  return { 'Signature-Input': `${label}=${params}`, Signature: `${label}=:${signature.toString('base64')}:`, 'Content-Digest': contentDigest };
}
