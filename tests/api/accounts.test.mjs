// Accounts: registration (open mode) and its validation, verify_credentials,
// update_credentials, GET /api/v1/accounts/:id and lookup.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ISO_MS, api, appToken, assertAccountShape, assertError, assertOk, assertTokenShape, createApp,
  register, registerRaw, startServer, strongPassword, uniqueName,
} from './lib/server.mjs';

let server;
before(async () => {
  server = await startServer(['--registrations', 'open', '--registration-limit-ip', '1000', '--sign-in-limit-ip', '1000']);
});
after(async () => { await server?.stop(); });

function fields(overrides = {}) {
  const username = overrides.username ?? uniqueName('reg');
  return {
    username,
    email: `reg_${crypto.randomBytes(6).toString('hex')}@example.com`,
    password: strongPassword(),
    agreement: true,
    locale: 'en',
    ...overrides,
  };
}

// -------------------------------------------------------------------------
describe('POST /api/v1/accounts (registration)', () => {
  test('returns a Token whose bearer can use verify_credentials', async () => {
    const f = fields();
    const res = await registerRaw(server, f);
    const tok = assertOk(res);
    assertTokenShape(tok);
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token }));
    assert.equal(me.username, f.username);
    assert.equal(me.acct, f.username);
  });

  test('accepts a form-urlencoded body with agreement "true"', async () => {
    const f = fields({ agreement: 'true' });
    const res = await registerRaw(server, f, { form: true });
    assertTokenShape(assertOk(res));
  });

  test('accepts agreement as 1', async () => {
    assertOk(await registerRaw(server, fields({ agreement: 1 })));
  });

  test('ignores unknown fields', async () => {
    assertOk(await registerRaw(server, fields({ date_of_birth: '2000-01-01', some_future_field: { nested: true } })));
  });

  test('without an app token is 401', async () => {
    const res = await api(server, 'POST', '/api/v1/accounts', { json: fields() });
    assertError(res, 401);
  });

  test('with an unknown token is 401', async () => {
    assertError(await registerRaw(server, fields(), { token: 'bogus-token' }), 401);
  });

  test('with an app token lacking write:accounts is 403 insufficient_scope', async () => {
    const app = await createApp(server, 'read');
    const token = await appToken(server, app, 'read');
    assertError(await registerRaw(server, fields(), { token }), 403, 'insufficient_scope');
  });

  test('accepts usernames of exactly 30 characters and keeps upper-case letters for display', async () => {
    const base = uniqueName('x').replace(/_/g, '');
    const thirty = `Aa_${base}${'z'.repeat(30)}`.slice(0, 30);
    assert.equal(thirty.length, 30);
    const tok = assertOk(await registerRaw(server, fields({ username: thirty })));
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.access_token }));
    assert.equal(me.username, thirty);
  });

  describe('username validation', () => {
    test('a missing username is 422 on username', async () => {
      const f = fields();
      delete f.username;
      assertError(await registerRaw(server, f), 422, 'missing_field', 'username');
    });

    test('an empty username is 422 on username', async () => {
      assertError(await registerRaw(server, fields({ username: '' })), 422, ['missing_field', 'invalid_field'], 'username');
    });

    test('a 31-character username is 422 on username', async () => {
      assertError(await registerRaw(server, fields({ username: 'a'.repeat(31) })), 422, ['invalid_field', 'too_long'], 'username');
    });

    for (const bad of ['a-b', 'é', 'josé', 'a b', 'a.b', 'a@b', 'name!', '日本', ' lead', 'trail ']) {
      test(`username ${JSON.stringify(bad)} is 422 invalid_field`, async () => {
        assertError(await registerRaw(server, fields({ username: bad })), 422, 'invalid_field', 'username');
      });
    }

    test('a username with a NUL character is 400 invalid_encoding', async () => {
      assertError(await registerRaw(server, fields({ username: 'a\u0000b' })), 400, 'invalid_encoding', 'username');
    });

    for (const reserved of ['admin', 'Admin', 'ROOT', 'support', 'api', 'www', 'about']) {
      test(`reserved username ${reserved} is 422 reserved`, async () => {
        assertError(await registerRaw(server, fields({ username: reserved })), 422, 'reserved', 'username');
      });
    }

    test('a username of the wrong type is 422 invalid_field', async () => {
      assertError(await registerRaw(server, fields({ username: 12345 })), 422, 'invalid_field', 'username');
      assertError(await registerRaw(server, fields({ username: ['abc'] })), 422, 'invalid_field', 'username');
    });

    test('usernames are unique case-insensitively: 422 taken', async () => {
      const name = uniqueName('Dup');
      assertOk(await registerRaw(server, fields({ username: name })));
      assertError(await registerRaw(server, fields({ username: name })), 422, 'taken', 'username');
      assertError(await registerRaw(server, fields({ username: name.toLowerCase() })), 422, 'taken', 'username');
      assertError(await registerRaw(server, fields({ username: name.toUpperCase() })), 422, 'taken', 'username');
    });
  });

  describe('email validation', () => {
    test('a duplicate email is 422 taken on email', async () => {
      const f = fields();
      assertOk(await registerRaw(server, f));
      assertError(await registerRaw(server, fields({ email: f.email })), 422, 'taken', 'email');
    });

    test('a duplicate email differing only in the domain\'s case is 422 taken', async () => {
      const f = fields();
      assertOk(await registerRaw(server, f));
      const [local, domain] = f.email.split('@');
      assertError(await registerRaw(server, fields({ email: `${local}@${domain.toUpperCase()}` })), 422, 'taken', 'email');
    });

    test('a missing email is 422 missing_field', async () => {
      const f = fields();
      delete f.email;
      assertError(await registerRaw(server, f), 422, 'missing_field', 'email');
    });

    for (const bad of ['not-an-email', 'a@', '@example.com', 'a b@example.com', 'two@@example.com']) {
      test(`email ${JSON.stringify(bad)} is 422 on email`, async () => {
        assertError(await registerRaw(server, fields({ email: bad })), 422, 'invalid_field', 'email');
      });
    }
  });

  describe('password validation', () => {
    test('a password of 11 characters is 422 on password', async () => {
      assertError(await registerRaw(server, fields({ password: 'a'.repeat(11) })), 422, null, 'password');
    });

    test('a password of 129 characters is 422 on password', async () => {
      assertError(await registerRaw(server, fields({ password: 'a'.repeat(129) })), 422, null, 'password');
    });

    test('a missing password is 422 missing_field', async () => {
      const f = fields();
      delete f.password;
      assertError(await registerRaw(server, f), 422, 'missing_field', 'password');
    });

    test('passwords of exactly 12 and 128 characters are accepted', async () => {
      assertOk(await registerRaw(server, fields({ password: 'b'.repeat(12) })));
      assertOk(await registerRaw(server, fields({ password: 'c'.repeat(128) })));
    });

    test('password length counts characters, not bytes', async () => {
      // 128 two-byte characters (256 bytes) are within 12..128 characters;
      // 11 two-byte characters (22 bytes) are not.
      assertOk(await registerRaw(server, fields({ password: 'é'.repeat(128) })));
      assertError(await registerRaw(server, fields({ password: 'é'.repeat(11) })), 422, null, 'password');
    });
  });

  describe('agreement', () => {
    test('a missing agreement is 422 on agreement', async () => {
      const f = fields();
      delete f.agreement;
      assertError(await registerRaw(server, f), 422, null, 'agreement');
    });

    test('agreement false is 422 on agreement', async () => {
      assertError(await registerRaw(server, fields({ agreement: false })), 422, null, 'agreement');
      assertError(await registerRaw(server, fields({ agreement: 'false' })), 422, null, 'agreement');
      assertError(await registerRaw(server, fields({ agreement: '0' }), { form: true }), 422, null, 'agreement');
    });

    test('agreement of a non-boolean value is 422 invalid_field', async () => {
      assertError(await registerRaw(server, fields({ agreement: 'maybe' })), 422, 'invalid_field', 'agreement');
    });
  });

  test('validation failures create nothing: the username stays free', async () => {
    const name = uniqueName('free');
    assertError(await registerRaw(server, fields({ username: name, password: 'short' })), 422, null, 'password');
    assertOk(await registerRaw(server, fields({ username: name })));
  });
});

// -------------------------------------------------------------------------
describe('verify_credentials', () => {
  let user;
  before(async () => { user = await register(server, { prefix: 'vc' }); });

  test('returns the Account entity with source {note, privacy, sensitive, language, fields}', async () => {
    const res = await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
    const me = assertOk(res);
    assertAccountShape(me);
    assert.equal(me.username, user.username);
    assert.equal(me.acct, user.username);
    assert.match(me.created_at, ISO_MS);
    assert.equal(me.locked, false);
    assert.equal(me.bot, false);
    assert.equal(me.followers_count, 0);
    assert.equal(me.following_count, 0);
    assert.equal(me.statuses_count, 0);
    const src = me.source;
    assert.ok(src && typeof src === 'object', `source: ${res.text}`);
    assert.equal(typeof src.note, 'string', res.text);
    assert.ok(['public', 'unlisted', 'private', 'direct'].includes(src.privacy), res.text);
    assert.equal(typeof src.sensitive, 'boolean', res.text);
    assert.ok(src.language === null || typeof src.language === 'string', res.text);
    assert.ok(Array.isArray(src.fields), res.text);
  });

  test('avatar and header are URLs even without uploads', async () => {
    const me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    for (const k of ['avatar', 'avatar_static', 'header', 'header_static', 'url']) {
      assert.match(me[k], /^https?:\/\//, `${k}: ${me[k]}`);
    }
  });
});

// -------------------------------------------------------------------------
describe('PATCH /api/v1/accounts/update_credentials', () => {
  let user;
  let me;
  before(async () => {
    user = await register(server, { prefix: 'upd' });
    me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
  });
  const patch = (body, opts = {}) => api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, ...body, ...opts });

  test('sets display_name and note, visible in verify_credentials and the public account', async () => {
    const res = await patch({ json: { display_name: 'Ünïcode ✓ Name', note: 'Hello photographers' } });
    const acct = assertOk(res);
    assertAccountShape(acct);
    assert.equal(acct.display_name, 'Ünïcode ✓ Name');
    assert.ok(acct.note.includes('Hello photographers'), acct.note);
    assert.equal(acct.source?.note, 'Hello photographers', 'source.note is the plain text');
    const pub = assertOk(await api(server, 'GET', `/api/v1/accounts/${me.id}`));
    assert.equal(pub.display_name, 'Ünïcode ✓ Name');
    assert.ok(pub.note.includes('Hello photographers'));
  });

  test('accepts a form-urlencoded body', async () => {
    const acct = assertOk(await patch({ form: { display_name: 'Form Name' } }));
    assert.equal(acct.display_name, 'Form Name');
  });

  test('accepts a multipart/form-data body (what Mastodon clients send)', async () => {
    const fd = new FormData();
    fd.append('display_name', 'Multipart Name');
    fd.append('note', 'multipart note');
    const acct = assertOk(await patch({ body: fd }));
    assert.equal(acct.display_name, 'Multipart Name');
    assert.equal(acct.source?.note, 'multipart note');
  });

  test('fields not sent are left unchanged', async () => {
    assertOk(await patch({ json: { display_name: 'Keep Note', note: 'kept note' } }));
    const acct = assertOk(await patch({ json: { display_name: 'Changed Only Name' } }));
    assert.equal(acct.display_name, 'Changed Only Name');
    assert.equal(acct.source?.note, 'kept note');
  });

  test('display_name of 30 characters is accepted, counting characters not bytes', async () => {
    assert.equal(assertOk(await patch({ json: { display_name: 'd'.repeat(30) } })).display_name, 'd'.repeat(30));
    assert.equal(assertOk(await patch({ json: { display_name: 'é'.repeat(30) } })).display_name, 'é'.repeat(30));
  });

  test('display_name over 30 characters is 422 too_long', async () => {
    assertError(await patch({ json: { display_name: 'd'.repeat(31) } }), 422, 'too_long', 'display_name');
    assertError(await patch({ json: { display_name: 'é'.repeat(31) } }), 422, 'too_long', 'display_name');
  });

  test('a 100 KB display_name is 422 too_long', async () => {
    assertError(await patch({ json: { display_name: 'x'.repeat(100 * 1024) } }), 422, 'too_long', 'display_name');
  });

  test('note of 500 characters is accepted; 501 is 422 too_long', async () => {
    assertOk(await patch({ json: { note: 'n'.repeat(500) } }));
    assertError(await patch({ json: { note: 'n'.repeat(501) } }), 422, 'too_long', 'note');
  });

  test('locked accepts true/false, "true"/"false" and "1"/"0"', async () => {
    assert.equal(assertOk(await patch({ json: { locked: true } })).locked, true);
    assert.equal(assertOk(await patch({ json: { locked: false } })).locked, false);
    assert.equal(assertOk(await patch({ json: { locked: 'true' } })).locked, true);
    assert.equal(assertOk(await patch({ json: { locked: 'false' } })).locked, false);
    assert.equal(assertOk(await patch({ json: { locked: '1' } })).locked, true);
    assert.equal(assertOk(await patch({ form: { locked: '0' } })).locked, false);
    assert.equal(assertOk(await patch({ form: { locked: 'true' } })).locked, true);
    assert.equal(assertOk(await patch({ json: { locked: false } })).locked, false);
  });

  test('wrong types are 422 invalid_field naming the field', async () => {
    assertError(await patch({ json: { display_name: 5 } }), 422, 'invalid_field', 'display_name');
    assertError(await patch({ json: { display_name: { a: 1 } } }), 422, 'invalid_field', 'display_name');
    assertError(await patch({ json: { note: ['x'] } }), 422, 'invalid_field', 'note');
    assertError(await patch({ json: { locked: 'maybe' } }), 422, 'invalid_field', 'locked');
    assertError(await patch({ json: { locked: 2 } }), 422, 'invalid_field', 'locked');
    assertError(await patch({ form: { locked: 'maybe' } }), 422, 'invalid_field', 'locked');
  });

  test('a failed update changes nothing', async () => {
    assertOk(await patch({ json: { display_name: 'Stable', note: 'stable note' } }));
    assertError(await patch({ json: { display_name: 'Would change', note: 'n'.repeat(501) } }), 422, 'too_long', 'note');
    const cur = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    assert.equal(cur.display_name, 'Stable');
    assert.equal(cur.source.note, 'stable note');
  });

  test('the note is HTML-escaped in the public entity', async () => {
    assertOk(await patch({ json: { note: '<script>alert(1)</script> & more' } }));
    const pub = assertOk(await api(server, 'GET', `/api/v1/accounts/${me.id}`));
    assert.ok(!pub.note.includes('<script>'), `note must be escaped: ${pub.note}`);
  });

  test('an empty JSON body is accepted and changes nothing', async () => {
    const before = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    const acct = assertOk(await patch({ json: {} }));
    assert.equal(acct.display_name, before.display_name);
  });

  test('without a token is 401', async () => {
    assertError(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { json: { display_name: 'x' } }), 401);
  });
});

// -------------------------------------------------------------------------
describe('GET /api/v1/accounts/:id', () => {
  let user;
  let me;
  before(async () => {
    user = await register(server, { prefix: 'pub' });
    me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
  });

  test('returns the public Account without source or email, no auth needed', async () => {
    const res = await api(server, 'GET', `/api/v1/accounts/${me.id}`);
    const acct = assertOk(res);
    assertAccountShape(acct);
    assert.equal(acct.id, me.id);
    assert.equal(acct.username, user.username);
    assert.equal(acct.acct, user.username);
    assert.equal(acct.source, undefined, 'the public entity must not include source');
    assert.ok(!res.text.includes(user.email), 'the public entity must not leak the email');
  });

  test('also works with a token', async () => {
    const acct = assertOk(await api(server, 'GET', `/api/v1/accounts/${me.id}`, { token: user.token }));
    assert.equal(acct.id, me.id);
  });

  for (const id of ['abc', '12abc', '-1', '0', '999999999', '99999999999999999999999999', '1.5', '%20']) {
    test(`id ${JSON.stringify(id)} is 404 not_found`, async () => {
      assertError(await api(server, 'GET', `/api/v1/accounts/${id}`), 404, 'not_found');
    });
  }

  test('the id of an existing account plus one is 404', async () => {
    const next = (BigInt(me.id) + 1n).toString();
    assertError(await api(server, 'GET', `/api/v1/accounts/${next}`), 404, 'not_found');
  });
});

// -------------------------------------------------------------------------
describe('GET /api/v1/accounts/lookup', () => {
  let user;
  let me;
  let domain;
  before(async () => {
    user = await register(server, { prefix: 'Look' });
    me = assertOk(await api(server, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }));
    domain = assertOk(await api(server, 'GET', '/api/v2/instance')).domain;
  });

  test('finds an account by name', async () => {
    const acct = assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(user.username)}`));
    assertAccountShape(acct);
    assert.equal(acct.id, me.id);
  });

  test('finds an account by name@this-domain', async () => {
    const acct = assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(`${user.username}@${domain}`)}`));
    assert.equal(acct.id, me.id);
  });

  test('is case-insensitive on the name', async () => {
    const acct = assertOk(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(user.username.toLowerCase())}`));
    assert.equal(acct.id, me.id);
  });

  test('an unknown name is 404', async () => {
    assertError(await api(server, 'GET', '/api/v1/accounts/lookup?acct=no_such_user_here'), 404, 'not_found');
  });

  test('a known name on another domain is 404', async () => {
    assertError(await api(server, 'GET', `/api/v1/accounts/lookup?acct=${user.username}%40elsewhere.example`), 404, 'not_found');
  });

  test('a missing acct is 422 missing_field', async () => {
    assertError(await api(server, 'GET', '/api/v1/accounts/lookup'), 422, 'missing_field', 'acct');
  });

  test('garbage acct values are 404 or 422, never 500', async () => {
    for (const v of ['@', '@@', 'a@b@c', '%00', '%FF', 'x'.repeat(5000)]) {
      const res = await api(server, 'GET', `/api/v1/accounts/lookup?acct=${v}`);
      assertError(res, [400, 404, 422]);
    }
  });
});
