// Recruitment posts: one call-to-action link per post (`vantage_cta`, an
// https URL and a label of up to 30 characters), accepted on create and
// edit, shown in the Status under `vantage_cta` with its real domain.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertError, assertOk, startServer } from './lib/server.mjs';
import { postPhoto, registerUser, uploadPhoto } from './lib/photos.mjs';

let server;
let agency;
before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
  agency = await registerUser(server, 'agency');
});
after(async () => { await server?.stop(); });

const LINK = { url: 'https://careers.example.gov/apply?team=archive#form', label: 'Apply now' };

async function create(json, user = agency) {
  return api(server, 'POST', '/api/v1/statuses', { token: user.token, json });
}

async function edit(id, json, user = agency) {
  return api(server, 'PUT', `/api/v1/statuses/${id}`, { token: user.token, json });
}

async function show(id) {
  return assertOk(await api(server, 'GET', `/api/v1/statuses/${id}`));
}

describe('vantage_cta on create', () => {
  test('a JSON object is stored and shown to everyone with its domain', async () => {
    const post = await postPhoto(server, agency, { status: 'We are hiring', vantage_cta: LINK });
    const expected = { ...LINK, domain: 'careers.example.gov' };
    assert.deepEqual(post.vantage_cta, expected);
    assert.deepEqual((await show(post.id)).vantage_cta, expected);
    const listed = assertOk(await api(server, 'GET', `/api/v1/accounts/${agency.id}/statuses`));
    assert.deepEqual(listed.find((s) => s.id === post.id).vantage_cta, expected);
    const publicTimeline = assertOk(await api(server, 'GET', '/api/v1/timelines/public'));
    assert.deepEqual(publicTimeline.find((s) => s.id === post.id).vantage_cta, expected);
  });

  test('form fields vantage_cta[url] and vantage_cta[label] work too', async () => {
    const mediaId = await uploadPhoto(server, agency);
    const res = await api(server, 'POST', '/api/v1/statuses', {
      token: agency.token,
      form: { 'media_ids[]': [mediaId], 'vantage_cta[url]': 'https://jobs.example.org/', 'vantage_cta[label]': 'Join us' },
    });
    assert.deepEqual(assertOk(res).vantage_cta, { url: 'https://jobs.example.org/', label: 'Join us', domain: 'jobs.example.org' });
  });

  test('a post without one has vantage_cta null; null or "" means none', async () => {
    assert.equal((await postPhoto(server, agency)).vantage_cta, null);
    assert.equal((await postPhoto(server, agency, { vantage_cta: null })).vantage_cta, null);
    assert.equal((await postPhoto(server, agency, { vantage_cta: '' })).vantage_cta, null);
    assert.equal((await postPhoto(server, agency, { vantage_cta: { url: '', label: '' } })).vantage_cta, null);
  });

  test('the domain is the real host: lower-cased, without port, user-visible punycode', async () => {
    const cases = [
      ['https://Careers.Example.GOV.uk:8443/apply?x=1#top', 'careers.example.gov.uk'],
      ['HTTPS://EXAMPLE.ORG/JOBS', 'example.org'],
      ['https://xn--80ak6aa92e.com/', 'xn--80ak6aa92e.com'],
      ['https://example.org./path', 'example.org'],
      ['https://example.org?next=https://evil.example/', 'example.org'],
      ['https://example.org#@evil.example', 'example.org'],
    ];
    for (const [url, domain] of cases) {
      const post = await postPhoto(server, agency, { vantage_cta: { url, label: 'Apply' } });
      assert.equal(post.vantage_cta.domain, domain, url);
      assert.equal(post.vantage_cta.url, url);
    }
  });

  test('the label is trimmed and may be exactly 30 characters of any script', async () => {
    const thirty = 'Jetzt bewerben: Polizei 🚓 Köln';
    assert.equal([...thirty].length, 30);
    const post = await postPhoto(server, agency, { vantage_cta: { url: 'https://example.org/', label: `  ${thirty} ` } });
    assert.equal(post.vantage_cta.label, thirty);
  });

  test('a label with markup comes back as the same text, for clients to escape', async () => {
    const label = '<script>alert(1)</script>';
    const post = await postPhoto(server, agency, { vantage_cta: { url: 'https://example.org/', label } });
    assert.equal((await show(post.id)).vantage_cta.label, label);
  });

  test('other schemes, user info, hosts that are not domains and bad labels are refused, and nothing is posted', async () => {
    const mediaId = await uploadPhoto(server, agency);
    const bad = [
      [{ url: 'http://careers.example.gov/', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: 'javascript:alert(1)', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: 'data:text/html,<script>alert(1)</script>', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: 'ftp://example.org/', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: '//example.org/', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: 'example.org', label: 'Apply' }, 'vantage_cta[url]', 'unsupported_scheme'],
      [{ url: 'https://user:secret@careers.example.gov/', label: 'Apply' }, 'vantage_cta[url]', 'userinfo_not_allowed'],
      [{ url: 'https://careers.example.gov@evil.example/', label: 'Apply' }, 'vantage_cta[url]', 'userinfo_not_allowed'],
      [{ url: 'https:careers.example.gov', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://localhost/', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://192.168.0.1/admin', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://[::1]/', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://\u0430pple.com/', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://exa mple.org/', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://example.org/"onmouseover="x', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: 'https://example.org:99999/', label: 'Apply' }, 'vantage_cta[url]', 'invalid_url'],
      [{ url: `https://example.org/${'a'.repeat(2000)}`, label: 'Apply' }, 'vantage_cta[url]', 'too_long'],
      [{ label: 'Apply' }, 'vantage_cta[url]', 'missing_field'],
      [{ url: 'https://example.org/' }, 'vantage_cta[label]', 'missing_field'],
      [{ url: 'https://example.org/', label: '' }, 'vantage_cta[label]', 'missing_field'],
      [{ url: 'https://example.org/', label: '   ' }, 'vantage_cta[label]', 'missing_field'],
      [{ url: 'https://example.org/', label: 'x'.repeat(31) }, 'vantage_cta[label]', 'too_long'],
      [{ url: 'https://example.org/', label: 'Apply\nnow' }, 'vantage_cta[label]', 'invalid_field'],
      [{ url: 'https://example.org/', label: 'Apply \u202enow' }, 'vantage_cta[label]', 'invalid_field'],
      [{ url: 'https://example.org/', label: 42 }, 'vantage_cta[label]', 'invalid_field'],
      ['https://example.org/', 'vantage_cta', 'invalid_field'],
      [42, 'vantage_cta', 'invalid_field'],
    ];
    for (const [cta, field, code] of bad) {
      const body = assertError(await create({ media_ids: [mediaId], vantage_cta: cta }), 422, code, field);
      assert.ok(body.error.includes(field), `the message names ${field}: ${body.error}`);
    }
    const before = assertOk(await api(server, 'GET', `/api/v1/accounts/${agency.id}`)).statuses_count;
    // The photo is still free to use: none of the refused posts took it.
    assert.equal(assertOk(await create({ media_ids: [mediaId] })).media_attachments[0].id, mediaId);
    assert.equal(assertOk(await api(server, 'GET', `/api/v1/accounts/${agency.id}`)).statuses_count, before + 1);
  });

  test('a comment cannot carry one', async () => {
    const post = await postPhoto(server, agency);
    assertError(await create({ status: 'apply here', in_reply_to_id: post.id, vantage_cta: LINK }),
      422, 'not_allowed', 'vantage_cta');
    const comment = assertOk(await create({ status: 'no link', in_reply_to_id: post.id }));
    assert.equal(comment.vantage_cta, null);
    assertError(await edit(comment.id, { vantage_cta: LINK }), 422, 'not_allowed', 'vantage_cta');
  });
});

describe('vantage_cta on edit', () => {
  test('is kept by an edit that does not mention it, replaced, refused when bad, and removed by null', async () => {
    const post = await postPhoto(server, agency, { status: 'Open day', vantage_cta: LINK });

    const captionOnly = assertOk(await edit(post.id, { status: 'Open day on Saturday' }));
    assert.equal(captionOnly.vantage_cta.url, LINK.url);

    const replaced = assertOk(await edit(post.id, { vantage_cta: { url: 'https://museum.example/visit', label: 'Book a visit' } }));
    assert.deepEqual(replaced.vantage_cta, { url: 'https://museum.example/visit', label: 'Book a visit', domain: 'museum.example' });
    assert.equal((await show(post.id)).vantage_cta.label, 'Book a visit');

    assertError(await edit(post.id, { vantage_cta: { url: 'http://museum.example/', label: 'Visit' } }),
      422, 'unsupported_scheme', 'vantage_cta[url]');
    assertError(await edit(post.id, { vantage_cta: { url: 'https://museum.example/', label: 'y'.repeat(31) } }),
      422, 'too_long', 'vantage_cta[label]');
    assert.equal((await show(post.id)).vantage_cta.label, 'Book a visit', 'a refused edit changes nothing');

    assert.equal(assertOk(await edit(post.id, { vantage_cta: null })).vantage_cta, null);
    assert.equal((await show(post.id)).vantage_cta, null);

    const added = assertOk(await api(server, 'PUT', `/api/v1/statuses/${post.id}`, {
      token: agency.token, form: { 'vantage_cta[url]': 'https://example.org/x', 'vantage_cta[label]': 'More' },
    }));
    assert.equal(added.vantage_cta.domain, 'example.org');
  });

  test('only the author edits it', async () => {
    const post = await postPhoto(server, agency, { vantage_cta: LINK });
    const other = await registerUser(server, 'other');
    assertError(await edit(post.id, { vantage_cta: { url: 'https://evil.example/', label: 'Apply' } }, other), 404);
    assert.equal((await show(post.id)).vantage_cta.domain, 'careers.example.gov');
  });
});
