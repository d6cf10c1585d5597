// E-mail (docs/account-security.md, "E-mail"), against the real binary on
// either engine, with a capturing SMTP server (tests/mail/capture_smtp.py,
// read through lib/mail.mjs): the confirmation sent at sign-up and what
// --require-email-confirmation refuses until it is followed; password reset
// by a single-use link that ends every session and token; the change of
// address confirmed at the new address with a notice to the old; notices of
// sign-ins from new devices and of second-factor changes; HTML escaping;
// retries while the SMTP server refuses; and, without an SMTP server, the
// log and `vantage admin confirm-email`.
//
// The server takes its queue oldest first, so once a message has arrived,
// any message queued before it has been sent too, or is a moment behind it
// when both were taken in one batch (settle() waits that moment out): that
// is how these tests show that a message was NOT sent (it would have come
// with a later one that did).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ENGINE, adminCreateAccount, api, assertError, assertOk, register, runCli, signIn, sleep, startServer,
  strongPassword, uniqueName, waitFor,
} from './lib/server.mjs';
import { htmlToText, startMailCapture } from './lib/mail.mjs';

const FROM = 'Vantage Tests <robot@vantage.test>';
const FROM_ADDRESS = 'robot@vantage.test';
const CONFIRM_PAGE = '/confirm_email';
const RESET_PAGE = '/reset_password';
const TOTP = '/api/vantage/v1/second_factors/totp';
// The first retry comes 30 s after a failure (docs: 30 s, 1, 2, 4... minutes).
const FIRST_RETRY_MS = 30_000;

let mail;          // the capture every server here sends to, but the retry scenario's
let server;        // --require-email-confirmation, --smtp-from FROM
const toStop = []; // servers and captures, stopped in after()

// ---------------------------------------------------------------------------
// Helpers

// Runs SQL on a server's database behind its back, as someone with access
// to the database would.
function sql(srv, statement) {
  if (ENGINE === 'postgres') {
    const url = srv.dataArgs[srv.dataArgs.indexOf('--db') + 1];
    execFileSync('psql', [url, '-qXv', 'ON_ERROR_STOP=1', '-c', statement], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'vantage.db'), statement],
      { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

// After a later message has arrived: time for the rest of its batch.
const settle = () => sleep(750);

const ua = (agent) => ({ headers: { 'user-agent': agent } });
const describeMessage = (m) => `to ${m.rcptTos.join(', ')}: ${m.subject}\n${m.text}`;

// The messages the capture got for `address` (its only recipient).
const mailTo = (address, capture = mail) => capture.find((m) => m.rcptTos.length === 1
  && m.rcptTos[0].toLowerCase() === address.toLowerCase());

// Waits for the message to `address` whose one link opens `page`; with
// `after`, one whose link is not among those already seen.
function linkMail(address, page, { capture = mail, seen = [], timeoutMs = 10_000 } = {}) {
  return capture.waitFor((m) => m.rcptTos.length === 1 && m.rcptTos[0].toLowerCase() === address.toLowerCase()
    && m.links.some((l) => new URL(l).pathname === page && !seen.includes(l)), timeoutMs);
}

// Waits for a message to `address` whose text matches `re`.
function noticeMail(address, re, { capture = mail, timeoutMs = 10_000 } = {}) {
  return capture.waitFor((m) => m.rcptTos.length === 1 && m.rcptTos[0].toLowerCase() === address.toLowerCase()
    && re.test(m.text ?? ''), timeoutMs);
}

// What every message is: From as --smtp-from says, to its one recipient, a
// text and an HTML part (UTF-8, base64), HTML without images or scripts.
function assertWellFormed(m, address, { from = FROM, fromAddress = FROM_ADDRESS } = {}) {
  const s = describeMessage(m);
  assert.equal(m.from, from, `From is --smtp-from: ${s}`);
  assert.equal(m.mailFrom, fromAddress, `the envelope sender is --smtp-from's address: ${s}`);
  assert.deepEqual(m.rcptTos, [address], `one recipient: ${s}`);
  assert.equal(m.to, address, `To names the recipient: ${s}`);
  assert.ok(m.subject.length > 0, `a subject: ${s}`);
  assert.match(m.headers['content-type'] ?? '', /^multipart\/alternative;/i, `multipart/alternative: ${m.raw}`);
  assert.equal(m.parts.length, 2, `two parts: ${m.raw}`);
  for (const part of m.parts) {
    assert.match(part.headers['content-type'] ?? '', /charset="?utf-8"?/i, `UTF-8: ${JSON.stringify(part.headers)}`);
    assert.equal((part.headers['content-transfer-encoding'] ?? '').toLowerCase(), 'base64',
      `base64: ${JSON.stringify(part.headers)}`);
  }
  assert.equal(typeof m.text, 'string', `a plain-text part: ${m.raw}`);
  assert.equal(typeof m.html, 'string', `an HTML part: ${m.raw}`);
  assert.ok(m.text.trim().length > 0 && m.html.trim().length > 0, m.raw);
  assert.doesNotMatch(m.html, /<img\b/i, `no images: ${m.html}`);
  assert.doesNotMatch(m.html, /<script\b|\bsrc\s*=|url\(/i, `nothing loaded from anywhere: ${m.html}`);
}

// The message carries exactly one link, to `page` of this server, in both
// parts; returns its token.
function assertOneLink(m, srv, page) {
  const s = describeMessage(m);
  assert.equal(m.links.length, 1, `exactly one link in the HTML: ${m.html}`);
  const link = new URL(m.links[0]);
  assert.equal(link.origin, srv.url, `the link opens this server: ${s}`);
  assert.equal(link.pathname, page, `the link opens ${page}: ${s}`);
  assert.deepEqual([...link.searchParams.keys()], ['token'], `the link carries a token and nothing else: ${s}`);
  assert.ok(link.searchParams.get('token').length >= 16, `a token that cannot be guessed: ${s}`);
  assert.ok(m.textLinks.includes(m.links[0]), `the text part has the same link: ${s}`);
  return link.searchParams.get('token');
}

function assertNoLinks(m) {
  assert.deepEqual(m.links, [], `a notice carries no link: ${m.html}`);
}

const confirmEmail = (srv, token) => api(srv, 'POST', '/auth/email/confirm', { json: { token } });
const forgot = (srv, email, opts = {}) => api(srv, 'POST', '/auth/password/forgot', { json: { email }, ...opts });
const resetPassword = (srv, token, password) => api(srv, 'POST', '/auth/password/reset', { json: { token, password } });
const resend = (srv, token) => api(srv, 'POST', '/api/v1/emails/confirmations', { token });
const me = (srv, auth) => api(srv, 'GET', '/api/v1/accounts/verify_credentials', auth);
const changeEmail = (srv, account, email, password = account.password) =>
  api(srv, 'POST', '/api/vantage/v1/email', { token: account.token, json: { email, password } });

function passwordGrant(srv, account, { password = account.password, login = account.username, headers } = {}) {
  return api(srv, 'POST', '/oauth/token', {
    headers,
    json: {
      grant_type: 'password', client_id: account.app.client_id, client_secret: account.app.client_secret,
      username: login, password, scope: 'read write follow',
    },
  });
}

// An account that signed up on `srv` and followed the link it was sent.
async function confirmedAccount(prefix, srv = server) {
  const account = await register(srv, { prefix });
  const m = await linkMail(account.email, CONFIRM_PAGE);
  assertOk(await confirmEmail(srv, assertOneLink(m, srv, CONFIRM_PAGE)));
  assertOk(await me(srv, { token: account.token }));
  return account;
}

// A password-grant token for an account made with the CLI, through an
// app of its own.
async function tokenFor(account, srv = server) {
  const app = assertOk(await api(srv, 'POST', '/api/v1/apps', {
    json: { client_name: 'email tests', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' },
  }));
  return assertOk(await passwordGrant(srv, { ...account, app })).access_token;
}

// The code an authenticator app shows now (oathtool, as in second-factors.test.mjs).
function totpNow(secret) {
  return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
}

async function started(promise) {
  const thing = await promise;
  toStop.push(thing);
  return thing;
}

// ---------------------------------------------------------------------------
// The retry scenario starts first and is checked last: the first retry comes
// 30 s after the failure, and the other tests run meanwhile. Its capture
// refuses (451) until the first attempt has been refused, then takes mail.

async function startRetryScenario() {
  const capture = await started(startMailCapture({ refuse: true }));
  const srv = await started(startServer(['--smtp-url', capture.url, '--smtp-from', FROM]));
  const account = await register(srv, { prefix: 'retry' });
  const refusal = await waitFor(() => capture.refusals().find((r) => r.rcpt_tos.includes(account.email)),
    { timeoutMs: 10_000, message: 'the first attempt, refused' });
  const whileRefusing = mailTo(account.email, capture).length;
  await capture.refuse(false);
  return { capture, server: srv, account, refusedAt: refusal.refused_at, whileRefusing };
}

let retryScenario;
let requireTls;    // {server, account}: --smtp-require-tls against a capture without STARTTLS

before(async () => {
  retryScenario = startRetryScenario();
  retryScenario.catch(() => { /* reported by the test that awaits it */ });
  mail = await started(startMailCapture());
  server = await started(startServer([
    '--smtp-url', mail.url, '--smtp-from', FROM, '--require-email-confirmation',
    '--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000', '--password-reset-limit-ip', '0',
  ]));
  const tlsServer = await started(startServer(['--smtp-url', mail.url, '--smtp-require-tls']));
  requireTls = { server: tlsServer, account: await register(tlsServer, { prefix: 'tls' }) };
});

after(async () => {
  await retryScenario?.catch(() => {});  // so that what it started is stopped too
  // Servers first, then the captures they send to.
  const isCapture = (t) => typeof t.refusals === 'function';
  const results = await Promise.allSettled(toStop.filter((t) => !isCapture(t)).map((t) => t.stop()));
  results.push(...await Promise.allSettled(toStop.filter(isCapture).map((t) => t.stop())));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
});

// ---------------------------------------------------------------------------

describe('confirming the address given at sign-up (--require-email-confirmation)', () => {
  let account;
  let firstToken;
  let secondToken;

  before(async () => { account = await register(server, { prefix: 'signup' }); });

  test('sign-up sends a confirmation to the address: From is --smtp-from, a text and an HTML part, one link to /confirm_email', async () => {
    const m = await linkMail(account.email, CONFIRM_PAGE);
    assertWellFormed(m, account.email);
    firstToken = assertOneLink(m, server, CONFIRM_PAGE);
    assert.ok(m.text.includes(account.username), `the message names the account: ${m.text}`);
    assert.ok(htmlToText(m.html).includes(account.username), `the HTML names the account: ${m.html}`);
    assert.equal(mailTo(account.email).length, 1, 'one message');
  });

  test('until it is followed, the sign-up token answers 403 email_unconfirmed; the web sign-in and the password grant are refused with it', async () => {
    assertError(await me(server, { token: account.token }), 403, 'email_unconfirmed');
    for (const login of [account.username, account.email]) {
      const web = await signIn(server, login, account.password);
      assertError(web.res, 403, 'email_unconfirmed');
      assert.equal(web.cookie, null, 'no session');
    }
    assertError(await passwordGrant(server, account), 403, 'email_unconfirmed');
  });

  test('POST /api/v1/emails/confirmations with the sign-up token sends a new link; the old one then no longer works', async () => {
    assertOk(await resend(server, account.token));
    const m = await linkMail(account.email, CONFIRM_PAGE, { seen: [`${server.url}${CONFIRM_PAGE}?token=${firstToken}`] });
    assertWellFormed(m, account.email);
    secondToken = assertOneLink(m, server, CONFIRM_PAGE);
    assert.notEqual(secondToken, firstToken, 'a new link');
    assertError(await confirmEmail(server, firstToken), 422, 'invalid_token', 'token');
    assertError(await me(server, { token: account.token }), 403, 'email_unconfirmed');
  });

  test('without a token, POST /auth/email/confirmation with the address sends a new link; any other address gets the same {} and nothing', async () => {
    const seen = mail.messages().flatMap((m) => m.links);
    const before = mail.messages().length;
    assert.deepEqual(assertOk(await api(server, 'POST', '/auth/email/confirmation', { json: { email: 'nobody-here@example.com' } })), {});
    assertError(await api(server, 'POST', '/auth/email/confirmation', { json: {} }), 422, null, 'email');
    assert.deepEqual(assertOk(await api(server, 'POST', '/auth/email/confirmation', { json: { email: account.email.toUpperCase() } })), {});
    const m = await linkMail(account.email, CONFIRM_PAGE, { seen });
    assertWellFormed(m, account.email);
    const third = assertOneLink(m, server, CONFIRM_PAGE);
    assertError(await confirmEmail(server, secondToken), 422, 'invalid_token', 'token');
    secondToken = third;
    assert.equal(mail.messages().length, before + 1, 'one message: none for the unknown address');
  });

  test('opening the link (a mail client\'s preview, a scanner) shows the page and spends nothing', async () => {
    const page = await api(server, 'GET', `${CONFIRM_PAGE}?token=${secondToken}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/, 'the web app\'s page');
    assertError(await me(server, { token: account.token }), 403, 'email_unconfirmed');
  });

  test('following the link (POST /auth/email/confirm) confirms: the token, the web sign-in and the password grant work', async () => {
    assert.deepEqual(assertOk(await confirmEmail(server, secondToken)), {});
    assert.equal(assertOk(await me(server, { token: account.token })).username, account.username);
    const web = await signIn(server, account.username, account.password);
    assertOk(web.res);
    assert.ok(web.cookie, 'a session');
    assertOk(await me(server, { cookie: web.cookie }));
    assertOk(await passwordGrant(server, account));
  });

  test('a used or unknown token is 422 invalid_token naming token', async () => {
    assertError(await confirmEmail(server, secondToken), 422, 'invalid_token', 'token');
    assertError(await confirmEmail(server, 'no-such-token-0123456789abcdef'), 422, 'invalid_token', 'token');
  });

  test('asking for the link again once confirmed is 409 already_confirmed', async () => {
    assertError(await resend(server, account.token), 409, 'already_confirmed');
  });

  test('accounts made by an admin count as confirmed', async () => {
    const made = { username: uniqueName('made'), password: strongPassword() };
    await adminCreateAccount(server, made);
    assertOk((await signIn(server, made.username, made.password)).res);
    const token = await tokenFor(made);
    assertOk(await me(server, { token }));
    assertError(await resend(server, token), 409, 'already_confirmed');
  });
});

describe('password reset', () => {
  let account;
  let bearer;      // a token from before the reset
  let session;     // a web session from before the reset
  let resetToken;
  const newPassword = strongPassword();

  before(async () => {
    account = await confirmedAccount('reset');
    bearer = assertOk(await passwordGrant(server, account, ua('Reset-Test-Client/1.0'))).access_token;
    session = await signIn(server, account.username, account.password, ua('Reset-Test-Browser/1.0'));
    assertOk(session.res);
  });

  test('POST /auth/password/forgot answers {} for a known and an unknown address; only the known gets mail', async () => {
    const unknown = `${uniqueName('nobody')}@example.com`;
    const none = await forgot(server, unknown);
    const known = await forgot(server, account.email);
    assert.deepEqual(assertOk(none), {});
    assert.deepEqual(assertOk(known), {});
    assert.equal(none.text, known.text, 'the same answer');
    const m = await linkMail(account.email, RESET_PAGE);
    assertWellFormed(m, account.email);
    resetToken = assertOneLink(m, server, RESET_PAGE);
    assert.ok(m.text.includes(account.username), `the message names the account: ${m.text}`);
    // Asked first, so it would have come before.
    await settle();
    assert.deepEqual(mailTo(unknown), [], 'nothing is sent to an address no account has');
  });

  test('a bad new password is 422 naming password, and changes nothing', async () => {
    assertError(await resetPassword(server, resetToken, 'short'), 422, null, 'password');
    assertOk(await me(server, { token: bearer }));
    assertOk((await signIn(server, account.username, account.password)).res);
  });

  test('opening the link (a mail client\'s preview, a scanner) shows the page and spends nothing', async () => {
    const page = await api(server, 'GET', `${RESET_PAGE}?token=${resetToken}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/, 'the web app\'s page');
  });

  test('the link sets the new password; the old password, every session and every token stop working', async () => {
    assert.deepEqual(assertOk(await resetPassword(server, resetToken, newPassword)), {});
    assertError(await me(server, { token: bearer }), 401, null);
    assertError(await me(server, { token: account.token }), 401, null);
    assertError(await me(server, { cookie: session.cookie }), 401, null);
    assertError((await signIn(server, account.username, account.password)).res, 401, null);
    assertError(await passwordGrant(server, account), [400, 401], null);
    const fresh = await signIn(server, account.username, newPassword);
    assertOk(fresh.res);
    assertOk(await me(server, { cookie: fresh.cookie }));
    assertOk(await passwordGrant(server, account, { password: newPassword }));
    account.password = newPassword;
  });

  test('a second use of the link is 422 invalid_token naming token', async () => {
    assertError(await resetPassword(server, resetToken, strongPassword()), 422, 'invalid_token', 'token');
    assertOk((await signIn(server, account.username, newPassword)).res);
  });

  test('an expired link is 422 invalid_token naming token', async () => {
    const seen = mailTo(account.email).flatMap((m) => m.links);
    assertOk(await forgot(server, account.email));
    const m = await linkMail(account.email, RESET_PAGE, { seen });
    const token = assertOneLink(m, server, RESET_PAGE);
    sql(server, `UPDATE email_tokens SET expires_at = ${Date.now() - 60_000} `
      + `WHERE account_id = (SELECT id FROM accounts WHERE username = '${account.username}')`);
    assertError(await resetPassword(server, token, strongPassword()), 422, 'invalid_token', 'token');
    assertOk((await signIn(server, account.username, newPassword)).res);
  });

  test('an unknown token is 422 invalid_token naming token', async () => {
    assertError(await resetPassword(server, 'no-such-token-0123456789abcdef', strongPassword()), 422, 'invalid_token', 'token');
  });
});

describe('--password-reset-limit-ip 2, a title that is not ASCII, without --smtp-from or --require-email-confirmation', () => {
  const TITLE = 'Vantage Ünïcode ✓';
  let srv;
  let account;
  let first;   // the confirmation sent at sign-up

  before(async () => {
    srv = await started(startServer(['--smtp-url', mail.url, '--password-reset-limit-ip', '2', '--title', TITLE]));
    account = await register(srv, { prefix: 'limit' });
    first = await linkMail(account.email, CONFIRM_PAGE);
  });

  test('the sender defaults to the instance\'s title at notifications@ its domain', async () => {
    const host = new URL(srv.url).hostname;
    assertWellFormed(first, account.email, { from: `${TITLE} <notifications@${host}>`, fromAddress: `notifications@${host}` });
  });

  test('the title comes through in UTF-8: in the subject, the text and the HTML', async () => {
    assert.ok(first.subject.includes(TITLE), `the subject: ${first.subject}`);
    assert.ok(first.text.includes(TITLE), `the text: ${first.text}`);
    assert.ok(htmlToText(first.html).includes(TITLE), `the HTML: ${first.html}`);
  });

  // RFC 5322 header fields are US-ASCII (RFC 2047 encoded words carry the
  // rest); raw UTF-8 needs SMTPUTF8 (RFC 6531), which the sender does not
  // ask for. Regression: the From built from the title was sent raw.
  test('every header is 7-bit ASCII: a sender name that is not ASCII is an encoded word', () => {
    const head = first.raw.slice(0, first.raw.search(/\r?\n\r?\n/));
    for (const line of head.split(/\r?\n/)) {
      assert.match(line, /^[\x20-\x7e\t]*$/, `a header line that is not 7-bit ASCII: ${line}`);
    }
  });

  test('without --require-email-confirmation the sign-up token works before the link is followed', async () => {
    assertOk(await me(srv, { token: account.token }));
    assertOk((await signIn(srv, account.username, account.password)).res);
  });

  test('the third request from one IP within the hour is 429 with Retry-After, whatever the address, and sends nothing', async () => {
    assert.deepEqual(assertOk(await forgot(srv, account.email)), {});
    assert.deepEqual(assertOk(await forgot(srv, `${uniqueName('nobody')}@example.com`)), {});
    for (const email of [account.email, `${uniqueName('nobody')}@example.com`]) {
      const res = await forgot(srv, email);
      assertError(res, 429, null);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600,
        `Retry-After is seconds within the hour: ${res.headers.get('retry-after')}`);
    }
    // A later message to the same address: everything queued before it has come.
    const seen = mailTo(account.email).flatMap((m) => m.links);
    assertOk(await resend(srv, account.token));
    await linkMail(account.email, CONFIRM_PAGE, { seen });
    await settle();
    const resets = mailTo(account.email).filter((m) => m.links.some((l) => new URL(l).pathname === RESET_PAGE));
    assert.equal(resets.length, 1, `one reset link, from the request that was not refused: ${resets.map(describeMessage).join('\n')}`);
  });

  test('confirmation links asked for by address have their own allowance: two an hour from one IP, then 429', async () => {
    // The resets above used up theirs; these are counted apart.
    const ask = (email) => api(srv, 'POST', '/auth/email/confirmation', { json: { email } });
    assert.deepEqual(assertOk(await ask(`${uniqueName('nobody')}@example.com`)), {});
    assert.deepEqual(assertOk(await ask(`${uniqueName('nobody')}@example.com`)), {});
    const res = await ask(`${uniqueName('nobody')}@example.com`);
    assertError(res, 429, null);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, res.headers.get('retry-after'));
  });
});

describe('change of address (POST /api/vantage/v1/email)', () => {
  let account;
  let other;
  let newEmail;
  let token;

  before(async () => {
    account = await confirmedAccount('change');
    other = await confirmedAccount('bystander');
    newEmail = `${account.username}.new@example.net`;
  });

  test('a wrong password is 422 naming password; a taken address 422 naming email; the same address 422', async () => {
    assertError(await changeEmail(server, account, newEmail, 'not-the-password-at-all'), 422, null, 'password');
    assertError(await changeEmail(server, account, other.email), 422, null, 'email');
    assertError(await changeEmail(server, account, account.email), 422, null, 'email');
  });

  test('success is 202: the new address gets a link, the old a notice naming the new address and nobody else', async () => {
    const res = await changeEmail(server, account, newEmail);
    assert.equal(res.status, 202, res.text);
    const link = await linkMail(newEmail, CONFIRM_PAGE);
    assertWellFormed(link, newEmail);
    token = assertOneLink(link, server, CONFIRM_PAGE);
    const notice = await noticeMail(account.email, new RegExp(newEmail.replace(/[.+]/g, '\\$&')));
    assertWellFormed(notice, account.email);
    assertNoLinks(notice);
    assert.ok(notice.text.includes(account.username), `the notice names the account: ${notice.text}`);
    assert.ok(htmlToText(notice.html).includes(newEmail), `the HTML names the new address: ${notice.html}`);
    assert.ok(!notice.text.includes(token) && !notice.html.includes(token), 'the old address never sees the link');
    for (const m of [link, notice]) {
      for (const stranger of [other.username, other.email]) {
        assert.ok(!m.text.includes(stranger) && !m.html.includes(stranger), `never another person (${stranger}): ${m.text}`);
      }
    }
    // The refused requests sent nothing: the bystander has only its confirmation.
    await settle();
    assert.equal(mailTo(other.email).length, 1, mailTo(other.email).map(describeMessage).join('\n'));
  });

  test('the address stays until the link is followed; then sign-in takes the new address and not the old', async () => {
    assertError((await signIn(server, newEmail, account.password)).res, 401, null);
    const before = assertOk((await signIn(server, account.email, account.password)).res);
    assert.equal(before.account.source.email, account.email, 'the session shows the address in use');
    assert.equal(assertOk(await me(server, { token: account.token })).source.email, account.email);
    assert.deepEqual(assertOk(await confirmEmail(server, token)), {});
    const web = await signIn(server, newEmail, account.password);
    assert.equal(assertOk(web.res).account?.username, account.username, web.res.text);
    assert.equal(assertOk(web.res).account.source.email, newEmail, 'and the new one once confirmed');
    assertError((await signIn(server, account.email, account.password)).res, 401, null);
    assertError(await confirmEmail(server, token), 422, 'invalid_token', 'token');
  });
});

describe('notices of sign-ins from new devices', () => {
  let account;
  // Characters HTML must escape, in the one thing a stranger chooses.
  const deviceA = 'Vantage-Test <Device-A> & "friends" \'1\'';
  const deviceB = 'Vantage-Test Device-B/2.0';
  const deviceC = 'Vantage-Test Device-C/3.0';

  before(async () => { account = await confirmedAccount('device'); });

  test('a web sign-in with a new user agent sends a notice with the device, the address and the time', async () => {
    const start = new Date();
    assertOk((await signIn(server, account.username, account.password, ua(deviceA))).res);
    const m = await noticeMail(account.email, /Device-A/);
    assertWellFormed(m, account.email);
    assertNoLinks(m);
    assert.ok(m.text.includes(deviceA), `the device: ${m.text}`);
    assert.ok(m.text.includes('127.0.0.1'), `the address: ${m.text}`);
    const dates = [start, new Date()].map((d) => d.toISOString().slice(0, 10));
    assert.ok(dates.some((d) => m.text.includes(d)), `the time: ${m.text}`);
    assert.ok(m.html.includes('Vantage-Test &lt;Device-A&gt; &amp; &quot;friends&quot;'), `escaped in the HTML: ${m.html}`);
    assert.ok(!m.html.includes('<Device-A>'), `escaped in the HTML: ${m.html}`);
    assert.ok(htmlToText(m.html).includes(deviceA), `shown as it is: ${m.html}`);
  });

  test('a sign-in with the user agent of an existing session sends none; another new one does', async () => {
    assertOk((await signIn(server, account.username, account.password, ua(deviceA))).res);
    assertOk((await signIn(server, account.username, account.password, ua(deviceB))).res);
    await noticeMail(account.email, /Device-B/);
    await settle();
    assert.equal(mailTo(account.email).filter((m) => m.text.includes('Device-A')).length, 1,
      mailTo(account.email).map(describeMessage).join('\n'));
  });

  test('a password grant from a new device sends one too', async () => {
    assertOk(await passwordGrant(server, account, ua(deviceC)));
    const m = await noticeMail(account.email, /Device-C/);
    assertWellFormed(m, account.email);
  });
});

describe('notices of second-factor changes', () => {
  let account;
  let recovery;

  before(async () => { account = await confirmedAccount('totp'); });

  const notices = (re) => mailTo(account.email).filter((m) => /two-factor/i.test(m.subject + m.text) && re.test(m.text));

  test('turning TOTP on sends one', async () => {
    const { secret } = assertOk(await api(server, 'POST', TOTP, { token: account.token, json: { password: account.password } }));
    assert.deepEqual(notices(/./), [], 'an enrolment not yet confirmed changes nothing');
    recovery = assertOk(await api(server, 'POST', `${TOTP}/confirm`, {
      token: account.token, json: { code: totpNow(secret) },
    })).recovery_codes;
    const m = await noticeMail(account.email, /turned on/i);
    assertWellFormed(m, account.email);
    assertNoLinks(m);
  });

  test('new recovery codes send one', async () => {
    recovery = assertOk(await api(server, 'POST', '/api/vantage/v1/second_factors/recovery_codes', {
      token: account.token, json: { password: account.password, code: recovery[0] },
    })).recovery_codes;
    const m = await noticeMail(account.email, /recovery codes/i);
    assertWellFormed(m, account.email);
  });

  test('a password reset leaves the second factor on', async () => {
    assertOk(await forgot(server, account.email));
    const token = assertOneLink(await linkMail(account.email, RESET_PAGE), server, RESET_PAGE);
    account.password = strongPassword();
    assertOk(await resetPassword(server, token, account.password));
    const first = await api(server, 'POST', '/auth/sign_in', { json: { username: account.username, password: account.password } });
    assertError(first, 403, 'second_factor_required');
    assertError(await passwordGrant(server, account), 403, 'second_factor_required');
    const second = await api(server, 'POST', '/auth/sign_in', { json: { sign_in_token: first.json.sign_in_token, code: recovery[0] } });
    const body = assertOk(second);
    account.cookie = second.cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('vantage_session='));
    account.csrf = body.csrf_token;
  });

  test('turning TOTP off sends one; each change sent exactly one', async () => {
    assertOk(await api(server, 'DELETE', TOTP, {
      cookie: account.cookie, csrf: account.csrf, json: { password: account.password, code: recovery[1] },
    }));
    const m = await noticeMail(account.email, /turned off/i);
    assertWellFormed(m, account.email);
    assertNoLinks(m);
    await settle();
    for (const re of [/turned on/i, /recovery codes/i, /turned off/i]) {
      assert.equal(notices(re).length, 1, `${re}: ${notices(/./).map(describeMessage).join('\n')}`);
    }
  });
});

describe('HTML escaping', () => {
  test('an address with an apostrophe and an ampersand is escaped in the HTML of the old address\'s notice', async () => {
    const account = await confirmedAccount('escape');
    const newEmail = `o'hara&sons+${account.username}@example.com`;
    assert.equal((await changeEmail(server, account, newEmail)).status, 202);
    const notice = await noticeMail(account.email, /o'hara&sons/);
    assertWellFormed(notice, account.email);
    assert.ok(notice.text.includes(newEmail), `the text shows the address as it is: ${notice.text}`);
    const local = `o(?:&#39;|&#x27;|&apos;)hara&amp;sons\\+${account.username}@example\\.com`;
    assert.match(notice.html, new RegExp(local), `the HTML escapes ' and &: ${notice.html}`);
    assert.ok(!notice.html.includes("o'hara") && !notice.html.includes('&sons'), `nothing unescaped: ${notice.html}`);
    assert.ok(htmlToText(notice.html).includes(newEmail), `and shows the address as it is: ${notice.html}`);
    // The address works: its link arrives and changes the address.
    const token = assertOneLink(await linkMail(newEmail, CONFIRM_PAGE), server, CONFIRM_PAGE);
    assertOk(await confirmEmail(server, token));
    assertOk((await signIn(server, newEmail, account.password)).res);
  });
});

describe('without an SMTP server', () => {
  let srv;

  before(async () => {
    srv = await started(startServer(['--require-email-confirmation', '--registration-limit-ip', '1000']));
  });

  const log = () => `${srv.stdout}\n${srv.stderr}`;

  test('every message, its link included, is written to the log, and the link works', async () => {
    const account = await register(srv, { prefix: 'logged' });
    const re = new RegExp(`${account.email.replace(/[.+]/g, '\\$&')}[\\s\\S]*?`
      + `(${srv.url.replace(/[.]/g, '\\.')}${CONFIRM_PAGE}\\?token=([A-Za-z0-9_-]+))`);
    const m = await waitFor(() => re.exec(log()), { timeoutMs: 10_000, message: `the message to ${account.email} in the log` });
    assertError(await me(srv, { token: account.token }), 403, 'email_unconfirmed');
    assertOk(await confirmEmail(srv, m[2]));
    assertOk(await me(srv, { token: account.token }));
  });

  test('`vantage admin confirm-email NAME` confirms an account', async () => {
    const account = await register(srv, { prefix: 'cli' });
    assertError(await me(srv, { token: account.token }), 403, 'email_unconfirmed');
    const r = await runCli(['admin', 'confirm-email', ...srv.dataArgs, account.username]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assertOk(await me(srv, { token: account.token }));
    assertOk((await signIn(srv, account.username, account.password)).res);
    const missing = await runCli(['admin', 'confirm-email', ...srv.dataArgs, uniqueName('nobody')]);
    assert.notEqual(missing.code, 0, `an unknown name fails: ${missing.stdout}`);
  });
});

describe('retries', () => {
  test('a message the SMTP server refuses (451) is not lost: it is sent once the server takes mail again', { timeout: 70_000 }, async () => {
    const { capture, server: srv, account, refusedAt, whileRefusing } = await retryScenario;
    assert.equal(whileRefusing, 0, 'nothing arrived while the server refused');
    const left = Math.max(1_000, refusedAt + 2 * FIRST_RETRY_MS - Date.now());
    const m = await capture.waitFor((x) => x.rcptTos.includes(account.email), left);
    assertWellFormed(m, account.email);
    assert.ok(m.receivedAt - refusedAt >= FIRST_RETRY_MS - 5_000,
      `tried again about 30 s after the failure, not sooner: ${(m.receivedAt - refusedAt) / 1000} s`);
    await settle();
    assert.equal(capture.refusals().filter((r) => r.rcpt_tos.includes(account.email)).length, 1, 'refused once');
    assert.equal(mailTo(account.email, capture).length, 1, 'sent once');
    assertOk(await confirmEmail(srv, assertOneLink(m, srv, CONFIRM_PAGE)));
  });
});

// Checked last: the confirmation was queued at sign-up, before the other
// tests ran, and its first attempt (and likely the retry 30 s later) failed.
describe('--smtp-require-tls', () => {
  test('nothing is sent to an SMTP server that does not offer STARTTLS, and the failure is logged', async () => {
    const { server: srv, account } = requireTls;
    await waitFor(() => `${srv.stdout}\n${srv.stderr}`.includes(account.email),
      { message: `a log line about the message to ${account.email}` });
    assert.deepEqual(mailTo(account.email).map(describeMessage), [], 'not sent');
    assert.deepEqual(mail.refusals().filter((r) => r.rcpt_tos.includes(account.email)), [], 'not even offered');
  });
});
