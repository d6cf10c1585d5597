// A capturing SMTP server for the API tests (tests/mail/capture_smtp.py, on
// Debian's python3-aiosmtpd) and the MIME parsing to read what it caught.
//
//   const mail = await startMailCapture();
//   const server = await startServer(['--smtp-url', mail.url]);
//   const m = await mail.waitFor({ to: 'someone@example.com', subject: /Confirm/ });
//   m.text, m.html, m.links ...
//
// No npm dependencies: node:child_process and node:fs.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, sleep } from './server.mjs';

// Debian's interpreter: python3-aiosmtpd is installed for it, not for
// whatever other python3 comes first on PATH.
export const CAPTURE_PYTHON = process.env.VANTAGE_CAPTURE_PYTHON || '/usr/bin/python3';
export const CAPTURE_SCRIPT = path.join(REPO_ROOT, 'tests', 'mail', 'capture_smtp.py');

const LISTEN_RE = /capture-smtp listening on (\d+)/;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

// Capture servers still running when the test process exits are killed, so
// a failed test never leaves one behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// ---------------------------------------------------------------------------
// MIME

// Splits a header block into [name, value] pairs (unfolding continuation
// lines), names in lower case, in order.
function parseHeaderBlock(block) {
  const out = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1][1] += ` ${line.trim()}`;
    else if (line.includes(':')) {
      const i = line.indexOf(':');
      out.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
    }
  }
  return out;
}

function headerMap(pairs) {
  const map = {};
  for (const [k, v] of pairs) map[k] = k in map ? `${map[k]}, ${v}` : v;
  return map;
}

// Splits a message or part at its first empty line.
function splitHeadBody(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: '' };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

// RFC 2047 encoded words (B and Q) in a header value.
export function decodeEncodedWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset.toLowerCase()).decode(bytes);
    });
}

// A Content-Type value: {type: 'multipart/alternative', params: {boundary}}.
function parseContentType(value = 'text/plain') {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

// A part's body as text; a charset it is not valid in throws.
function decodeBody(body, headers) {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const charset = parseContentType(headers['content-type']).params.charset ?? 'utf-8';
  let bytes;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    bytes = Buffer.from(body.replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  } else bytes = Buffer.from(body, 'utf8');
  return new TextDecoder(charset.toLowerCase(), { fatal: true }).decode(bytes);
}

// The leaf parts of a (possibly nested) MIME entity: [{type, headers, body}].
function leafParts(headers, body) {
  const { type, params } = parseContentType(headers['content-type']);
  if (!type.startsWith('multipart/')) return [{ type, headers, body: decodeBody(body, headers) }];
  if (!params.boundary) throw new Error(`${type} without a boundary`);
  const delimiter = `--${params.boundary}`;
  // The lines between one delimiter line and the next are a part; the
  // preamble before the first and the epilogue after the closing one go.
  const raws = [];
  let current = null;
  for (const line of body.split(/\r?\n/)) {
    const bare = line.trimEnd();
    if (bare === delimiter || bare === `${delimiter}--`) {
      if (current) raws.push(current.join('\r\n'));
      current = bare === delimiter ? [] : null;
      if (bare !== delimiter) break;
    } else if (current) current.push(line);
  }
  const parts = [];
  for (const raw of raws) {
    const { head, body: partBody } = splitHeadBody(raw);
    parts.push(...leafParts(headerMap(parseHeaderBlock(head)), partBody));
  }
  return parts;
}

// Undoes HTML's character references (the forms an escaper writes).
export function decodeHtmlEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// What an HTML document shows as text: tags dropped, references decoded,
// white space collapsed.
export function htmlToText(html) {
  return decodeHtmlEntities(html.replace(/<head[\s\S]*?<\/head>/i, ' ').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ').trim();
}

// Parses one captured message (the JSON the capture server writes) into
// {from, to, subject (encoded words decoded), headers (lower-case names),
// headerList, parts (the leaf parts, decoded), text, html, links, textLinks,
// mailFrom, rcptTos (the envelope), raw, file, receivedAt (ms)}. `links` are
// the HTML part's hrefs (references decoded); `textLinks` the http(s) URLs
// in the text part.
export function parseMessage(record, file = null) {
  const raw = record.data;
  const { head, body } = splitHeadBody(raw);
  const pairs = parseHeaderBlock(head);
  const headers = headerMap(pairs);
  const parts = leafParts(headers, body);
  const text = parts.find((p) => p.type === 'text/plain')?.body ?? null;
  const html = parts.find((p) => p.type === 'text/html')?.body ?? null;
  const links = html === null ? [] : [...html.matchAll(/<a\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)]
    .map((m) => decodeHtmlEntities(m[1] ?? m[2]));
  const textLinks = text === null ? [] : [...text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
  return {
    from: decodeEncodedWords(headers.from ?? ''),
    to: decodeEncodedWords(headers.to ?? ''),
    subject: decodeEncodedWords(headers.subject ?? ''),
    headers,
    headerList: pairs,
    parts,
    text,
    html,
    links,
    textLinks,
    mailFrom: record.mail_from,
    rcptTos: record.rcpt_tos,
    raw,
    file,
    receivedAt: record.received_at * 1000,
  };
}

// ---------------------------------------------------------------------------
// The capture server

function matches(message, filter) {
  if (typeof filter === 'function') return filter(message);
  const test = (want, got) => (want === undefined ? true
    : want instanceof RegExp ? want.test(got) : String(want).toLowerCase() === String(got).toLowerCase());
  return test(filter.to, message.rcptTos.length === 1 ? message.rcptTos[0] : message.rcptTos.join(', '))
    && test(filter.subject, message.subject);
}

// Starts the capture server on a free port of 127.0.0.1 and returns
// {port, url ('smtp://127.0.0.1:PORT'), dir, messages(), refusals(),
// waitFor(filter, timeoutMs), refuse(on), stop()}. A filter is a predicate
// over parsed messages or {to, subject} (strings compared without case, or
// RegExps). With `refuse: true` it starts refusing (451) every recipient.
export async function startMailCapture({ refuse = false } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-mail-'));
  const refuseFile = path.join(dir, 'refuse');
  if (refuse) writeFileSync(refuseFile, '');
  const child = spawn(CAPTURE_PYTHON, [CAPTURE_SCRIPT, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let stdout = '';
  let stderr = '';
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveChildren.delete(child);
      resolve(exitInfo);
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => { stderr += c; });

  const listening = new Promise((resolve, reject) => {
    const describe = () => `command: ${CAPTURE_PYTHON} ${CAPTURE_SCRIPT} ${dir}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`capture-smtp did not start within ${START_TIMEOUT_MS} ms\n${describe()}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = LISTEN_RE.exec(stdout);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start ${CAPTURE_PYTHON}: ${err.message}`)); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`capture-smtp exited before listening (code ${code}, signal ${signal})\n${describe()}`));
    });
  });
  let port;
  try {
    port = await listening;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const parsed = new Map();  // file name -> parsed message (files never change once renamed in)
  const read = (prefix) => readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json')).sort();

  let stopping = null;
  const capture = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    dir,
    child,
    get stderr() { return stderr; },
    // Every message received so far, oldest first, parsed.
    messages() {
      return read('msg').map((f) => {
        if (!parsed.has(f)) parsed.set(f, parseMessage(JSON.parse(readFileSync(path.join(dir, f), 'utf8')), f));
        return parsed.get(f);
      });
    },
    // Messages matching a filter (see matches above).
    find(filter) { return capture.messages().filter((m) => matches(m, filter)); },
    // Every refused attempt so far: [{mail_from, rcpt_tos, refused_at (ms)}].
    refusals() {
      return read('refused').map((f) => {
        const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
        return { ...r, refused_at: r.refused_at * 1000 };
      });
    },
    // Resolves with the first message matching `filter`; rejects after timeoutMs.
    async waitFor(filter, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = capture.messages().find((m) => matches(m, filter));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = capture.messages().map((m) => `  to ${m.rcptTos.join(', ')}: ${m.subject}`).join('\n');
          const what = typeof filter === 'function' ? filter.toString()
            : JSON.stringify(filter, (k, v) => (v instanceof RegExp ? String(v) : v));
          throw new Error(`no message matching ${what} within ${timeoutMs} ms; received:\n${seen || '  (none)'}`);
        }
        await sleep(50);
      }
    },
    // Starts (true) or stops (false) answering 451 to every recipient.
    async refuse(on = true) {
      if (on) writeFileSync(refuseFile, '');
      else await unlink(refuseFile).catch(() => {});
    },
    get refusing() { return existsSync(refuseFile); },
    // Sends SIGTERM, waits for a clean exit, and removes the directory.
    stop() {
      stopping ??= (async () => {
        if (exitInfo === null) child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); });
        const result = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (result === null) {
          child.kill('SIGKILL');
          await exited;
        }
        if (!process.env.VANTAGE_KEEP_DATA) await rm(dir, { recursive: true, force: true });
        if (result === null) throw new Error(`capture-smtp did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${stderr}`);
        if (result.code !== 0) throw new Error(`capture-smtp exited with code ${result.code}, signal ${result.signal}\n${stderr}`);
      })();
      return stopping;
    },
  };
  return capture;
}
