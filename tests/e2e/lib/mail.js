// The e-mail the server sends during the run (docs/account-security.md,
// "E-mail"). Global setup starts tests/mail/capture_smtp.py (Debian's
// python3-aiosmtpd, so /usr/bin/python3 and not whatever python3 is first on
// PATH) on a free loopback port, passes `--smtp-url smtp://127.0.0.1:PORT` to
// the server and names the folder the messages land in, one JSON file each
// ({mail_from, rcpt_tos, data}), in VANTAGE_E2E_MAIL (the URL in
// VANTAGE_E2E_SMTP_URL, for a spec's own server). waitForMail() reads them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = path.join(root, 'tests', 'mail', 'capture_smtp.py');
const python = process.env.CAPTURE_SMTP_PYTHON || '/usr/bin/python3';

// Resolves to {url, dir, stop()}; stop() ends it and removes the folder.
export async function startMailCapture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-mail-'));
  const child = spawn(python, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  child.on('exit', () => { exited = true; });
  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 15_000);
      const read = (chunk) => {
        output += chunk;
        const m = /capture-smtp listening on (\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('error', (e) => reject(new Error(`cannot start ${script}: ${e.message}`)));
      child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before listening:\n${output}`)));
    });
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `smtp://127.0.0.1:${port}`,
    dir,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5_000);
          child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// RFC 2047 encoded words (=?UTF-8?B?...?= and ?Q?) in a header.
function decodeWords(value) {
  // Whitespace between two encoded words is not part of the text.
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, kind, text) => {
    const bytes = kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    return bytes.toString(/^utf-?8$/i.test(charset) ? 'utf8' : 'latin1');
  });
}

// A message or part: its headers (lower-case names, folded lines joined) and
// its body as written.
function split(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBody({ headers, body }) {
  const encoding = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return body;
}

// {type: body} of every leaf part (text/plain, text/html), multiparts opened.
function leaves(part, out = {}) {
  const type = (part.headers['content-type'] || 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(part.headers['content-type'] || '');
  if (type.startsWith('multipart/') && boundary) {
    const pieces = part.body.split(`--${boundary[1]}`).slice(1);
    for (const piece of pieces) {
      if (piece.startsWith('--')) break;
      leaves(split(piece.replace(/^\n/, '')), out);
    }
  } else {
    const kind = type.split(';')[0].trim();
    if (!(kind in out)) out[kind] = decodeBody(part);
  }
  return out;
}

// A captured file as {file, to, from, subject, text, html, link, headers}:
// `link` is the first http(s) address of the plain-text part.
export function parseMail(file, record) {
  const message = split(record.data);
  const parts = leaves(message);
  const text = parts['text/plain'] || '';
  const link = (/https?:\/\/\S+/.exec(text) || [null])[0];
  return {
    file,
    to: record.rcpt_tos,
    from: record.mail_from,
    subject: decodeWords(message.headers.subject || ''),
    headers: message.headers,
    text,
    html: parts['text/html'] || '',
    link,
  };
}

// Every message captured so far to `address`, oldest first.
export function mailTo(address) {
  const dir = process.env.VANTAGE_E2E_MAIL;
  if (!dir) throw new Error('VANTAGE_E2E_MAIL is not set: global setup starts the mail capture');
  const wanted = address.toLowerCase();
  return readdirSync(dir).filter((name) => /^msg-\d+\.json$/.test(name)).sort().flatMap((name) => {
    const record = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    if (!record.rcpt_tos.some((to) => to.toLowerCase() === wanted)) return [];
    return [parseMail(name, record)];
  });
}

// The first message to `address` whose subject matches `subject` (a RegExp
// or a substring) and that is not in `except` (messages, or their files,
// seen before): waits for it up to `timeout` ms.
export async function waitForMail(address, { subject = '', except = [], timeout = 15_000 } = {}) {
  const seen = new Set(except.map((m) => (typeof m === 'string' ? m : m.file)));
  const matches = (s) => (subject instanceof RegExp ? subject.test(s) : s.includes(subject));
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = mailTo(address).find((m) => !seen.has(m.file) && matches(m.subject));
    if (found) return found;
    if (Date.now() > deadline) {
      const got = mailTo(address).map((m) => m.subject);
      throw new Error(`no message to ${address} matching ${subject} within ${timeout} ms (got: ${JSON.stringify(got)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
