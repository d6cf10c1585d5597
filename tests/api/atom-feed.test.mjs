// GET /@name.atom: the Atom feed of a public account's public posts, read
// with a small strict XML parser (no npm dependency) so that any escaping
// mistake fails the test.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, assertError, assertOk, startServer } from './lib/server.mjs';
import { postPhoto, registerUser } from './lib/photos.mjs';

const ATOM = 'http://www.w3.org/2005/Atom';

// Parses a whole XML document into {name, attrs, children, text}; throws on
// anything not well-formed: unbalanced or misnested tags, unquoted or
// duplicate attributes, unknown entities, a bare & or <, or content outside
// the root element.
function parseXml(source) {
  let at = 0;
  const fail = (why) => { throw new Error(`XML: ${why} at ${at}: ${JSON.stringify(source.slice(at, at + 60))}`); };
  const decode = (raw) => raw.replace(/&([^;]*);?/g, (all, name) => {
    if (!all.endsWith(';')) fail('bare &');
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name];
    if (named) return named;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
    if (!m) fail(`unknown entity &${name};`);
    return String.fromCodePoint(m[1] ? parseInt(m[1], 16) : Number(m[2]));
  });
  if (source.startsWith('<?xml')) {
    at = source.indexOf('?>') + 2;
    if (at < 2) fail('unterminated declaration');
  }
  const skipSpace = () => { while (/\s/.test(source[at] ?? '')) at += 1; };
  const element = () => {
    if (source[at] !== '<') fail('expected <');
    const nameMatch = /^<([A-Za-z_][\w.-]*)/.exec(source.slice(at));
    if (!nameMatch) fail('bad element name');
    const node = { name: nameMatch[1], attrs: {}, children: [], text: '' };
    at += nameMatch[0].length;
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', at)) { at += 2; return node; }
      if (source[at] === '>') { at += 1; break; }
      const attr = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(source.slice(at));
      if (!attr) fail('bad attribute');
      if (attr[1] in node.attrs) fail(`duplicate attribute ${attr[1]}`);
      node.attrs[attr[1]] = decode(attr[2]);
      at += attr[0].length;
    }
    for (;;) {
      const lt = source.indexOf('<', at);
      if (lt < 0) fail(`unclosed <${node.name}>`);
      const raw = source.slice(at, lt);
      if (raw.includes('>') && raw.includes(']]>')) fail(']]> in text');
      node.text += decode(raw);
      at = lt;
      if (source.startsWith('</', at)) {
        const close = `</${node.name}>`;
        if (!source.startsWith(close, at)) fail(`expected ${close}`);
        at += close.length;
        return node;
      }
      if (source.startsWith('<!', at) || source.startsWith('<?', at)) fail('markup declarations are not expected');
      node.children.push(element());
    }
  };
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}

const child = (node, name) => node.children.find((c) => c.name === name);
const children = (node, name) => node.children.filter((c) => c.name === name);
const links = (node, rel) => children(node, 'link').filter((l) => (l.attrs.rel ?? 'alternate') === rel);

let server;
before(async () => {
  server = await startServer(['--registration-limit-ip', '1000']);
});
after(async () => { await server?.stop(); });

async function feed(name) {
  const res = await fetch(new URL(`/@${name}.atom`, server.url));
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), res };
}

describe('GET /@name.atom', () => {
  let press;
  let posts;
  const EVIL = '</content></entry><entry><script>alert(1)</script>]]> & &amp; <![CDATA[x]]> "\'\u0001';

  before(async () => {
    press = await registerUser(server, 'press');
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: press.token, json: { display_name: 'Press <Office> & "Co"', note: 'News & <b>views</b>' },
    }));
    const first = await postPhoto(server, press, { status: 'First public post #archive' });
    const unlisted = await postPhoto(server, press, { status: 'unlisted one', visibility: 'unlisted' });
    const followers = await postPhoto(server, press, { status: 'followers only', visibility: 'private' });
    const archived = await postPhoto(server, press, { status: 'archived one' });
    assertOk(await api(server, 'POST', `/api/vantage/v1/statuses/${archived.id}/archive`, { token: press.token }));
    const evil = await postPhoto(server, press, { status: EVIL });
    const link = await postPhoto(server, press, {
      status: 'We are hiring', vantage_cta: { url: 'https://careers.example.gov/?a=1&b=2', label: 'Apply <now> & "today"' },
    });
    assertOk(await api(server, 'POST', '/api/v1/statuses',
      { token: press.token, json: { status: 'a comment on my own post', in_reply_to_id: first.id } }));
    posts = { first, unlisted, followers, archived, evil, link };
  });

  test('is a valid Atom 1.0 document of the public posts, newest first', async () => {
    const { status, type, text, res } = await feed(press.username);
    assert.equal(status, 200, text);
    assert.match(type, /^application\/atom\+xml; charset=utf-8$/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const root = parseXml(text);
    assert.equal(root.name, 'feed');
    assert.equal(root.attrs.xmlns, ATOM);
    for (const name of ['id', 'title', 'updated', 'author']) assert.ok(child(root, name), `feed has <${name}>`);
    assert.equal(child(root, 'title').text, 'Press <Office> & "Co"');
    assert.equal(child(root, 'subtitle').text, 'News & <b>views</b>');
    assert.equal(links(root, 'self')[0].attrs.href, `${server.url}/@${press.username}.atom`);
    assert.ok(!Number.isNaN(Date.parse(child(root, 'updated').text)));

    const entries = children(root, 'entry');
    const ids = entries.map((e) => links(e, 'alternate')[0].attrs.href.split('/').pop());
    assert.deepEqual(ids, [posts.link.id, posts.evil.id, posts.first.id],
      'public posts only, newest first: no unlisted, followers-only or archived post, no comment');
    for (const entry of entries) {
      for (const name of ['id', 'title', 'updated', 'published', 'content']) assert.ok(child(entry, name), `entry has <${name}>`);
      assert.equal(child(entry, 'content').attrs.type, 'html');
    }
  });

  test('user text is escaped: a caption that tries to break out stays text', async () => {
    const { text } = await feed(press.username);
    assert.ok(!text.includes('<script'), 'no raw script tag anywhere');
    assert.ok(!text.includes('\u0001'), 'no control character XML forbids');
    const root = parseXml(text);
    const entry = children(root, 'entry').find((e) => links(e, 'alternate')[0].attrs.href.endsWith(posts.evil.id));
    const shown = assertOk(await api(server, 'GET', `/api/v1/statuses/${posts.evil.id}`));
    // What XML cannot carry (the control character) is left out; the rest is
    // exactly the HTML the API serves.
    const html = shown.content.replace('\u0001', '');
    assert.ok(child(entry, 'content').text.startsWith(html), `${child(entry, 'content').text} vs ${html}`);
    assert.equal(child(entry, 'title').text, EVIL.replace('\u0001', ''));
    assert.equal(children(root, 'entry').length, 3, 'the caption added no entry');
  });

  test('photos are enclosures with plain URLs that serve the image', async () => {
    const root = parseXml((await feed(press.username)).text);
    const entry = children(root, 'entry').find((e) => links(e, 'alternate')[0].attrs.href.endsWith(posts.first.id));
    const enclosures = links(entry, 'enclosure');
    assert.equal(enclosures.length, 1);
    assert.equal(enclosures[0].attrs.type, 'image/jpeg');
    assert.equal(enclosures[0].attrs.href, posts.first.media_attachments[0].url);
    const image = await fetch(enclosures[0].attrs.href);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.match(child(entry, 'content').text, /<img src="http/);
  });

  test('a recruitment link is a related link with its label and domain', async () => {
    const root = parseXml((await feed(press.username)).text);
    const entry = children(root, 'entry').find((e) => links(e, 'alternate')[0].attrs.href.endsWith(posts.link.id));
    const related = links(entry, 'related');
    assert.equal(related.length, 1);
    assert.equal(related[0].attrs.href, 'https://careers.example.gov/?a=1&b=2');
    assert.equal(related[0].attrs.title, 'Apply <now> & "today"');
    assert.match(child(entry, 'content').text, /\(careers\.example\.gov\)/);
  });

  test('the name is matched in any case', async () => {
    const { status, text } = await feed(press.username.toUpperCase());
    assert.equal(status, 200);
    assert.equal(children(parseXml(text), 'entry').length, 3);
  });

  test('an account without posts has a valid empty feed', async () => {
    const quiet = await registerUser(server, 'quiet');
    const { status, text } = await feed(quiet.username);
    assert.equal(status, 200);
    const root = parseXml(text);
    assert.equal(children(root, 'entry').length, 0);
    assert.equal(child(root, 'title').text, quiet.username);
  });

  test('unknown and locked accounts have none (404)', async () => {
    assertError(await api(server, 'GET', '/@nobody_here.atom'), 404, 'not_found');
    const locked = await registerUser(server, 'locked');
    await postPhoto(server, locked, { status: 'for followers' });
    assertOk(await api(server, 'PATCH', '/api/v1/accounts/update_credentials', { token: locked.token, json: { locked: true } }));
    assertError(await api(server, 'GET', `/@${locked.username}.atom`), 404, 'not_found');
    // The profile page itself is still the web app's.
    assert.equal((await fetch(new URL(`/@${press.username}`, server.url))).status, 200);
  });

  test('the parser is strict: it refuses what a broken feed would contain', () => {
    assert.throws(() => parseXml('<feed><title>a & b</title></feed>'), /bare &/);
    assert.throws(() => parseXml('<feed><title>a</feed>'), /expected <\/title>/);
    assert.throws(() => parseXml('<feed><entry><script>x</script></entry></feed><entry/>'), /after the root/);
    assert.throws(() => parseXml('<feed a="1" a="2"/>'), /duplicate/);
    assert.throws(() => parseXml('<feed><t>&nbsp;</t></feed>'), /unknown entity/);
  });
});
