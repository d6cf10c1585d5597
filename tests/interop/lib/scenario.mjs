// What the client-library scenarios share: a fresh server with two people on
// it, test photos, and the checks that hold whatever library is talking.
//
// Servers are started with the API tests' helpers (tests/api/lib/server.mjs),
// so VANTAGE_BIN and VANTAGE_TEST_ENGINE mean the same here.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  adminCreateAccount, register, startServer, strongPassword, uniqueName,
} from '../../api/lib/server.mjs';

export {
  OOB, api, cookieHeader, parseHiddenInputs, sleep, waitFor,
} from '../../api/lib/server.mjs';

// Bob's filler posts, so that the home timeline of the person following him
// (his posts and her own carousel) spans exactly three pages of PAGE_LIMIT.
export const PAGE_LIMIT = 3;
export const BOB_POSTS = 8;

// The two ways a post reaches a follower's home timeline (docs/architecture.md):
// written into every follower's inbox, or, for accounts with many followers,
// pulled at read time (here from the first follower on). Each scenario runs in both.
export const FEED_MODES = [
  { name: 'home timeline by fan-out on write', flags: [] },
  { name: 'home timeline pulled at read time', flags: ['--feed-pull-followers', 1] },
];

// Notification types a Mastodon client knows. megalodon silently drops any
// other type from a list, so a server-only type would never reach the app.
export const MASTODON_NOTIFICATION_TYPES = new Set([
  'mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update',
  'admin.sign_up', 'admin.report', 'severed_relationships', 'moderation_warning',
]);

// Starts a server and seeds the two people of the scenario:
// - alice, made with the admin CLI (she signs in through the client library);
// - bob, registered through the API (his token comes with the registration).
// `flags` go to `vantage serve`. Returns {server, alice: {username, password},
// bob: {username, password, token}, dir, stop()}.
export async function startScenario(prefix, flags = []) {
  const server = await startServer(flags);
  const dir = await mkdtemp(path.join(tmpdir(), `vantage-interop-${prefix}-`));
  const alice = { username: uniqueName(`${prefix}_alice`), password: strongPassword() };
  await adminCreateAccount(server, alice);
  const bob = await register(server, { prefix: `${prefix}_bob` });
  return {
    server,
    alice,
    bob,
    dir,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// A photo of fresh noise (so no two uploads share files), `width` x `height`,
// as JPEG or PNG (bytes, a Blob and the file's path): pixels written as PPM, converted by the `vips` CLI
// (Debian's libvips-tools, installed by scripts/bootstrap).
export async function makePhoto(dir, { width = 64, height = 48, format = 'jpg' } = {}) {
  const name = crypto.randomBytes(6).toString('hex');
  const source = path.join(dir, `${name}.ppm`);
  const out = path.join(dir, `${name}.${format}`);
  const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
  await writeFile(source, Buffer.concat([header, crypto.randomBytes(width * height * 3)]));
  execFileSync('vips', ['copy', source, out]);
  const bytes = await readFile(out);
  const type = format === 'png' ? 'image/png' : 'image/jpeg';
  return { bytes, type, width, height, path: out, blob: new Blob([bytes], { type }) };
}

// The value of `name` in the URL of the Link header's `rel` entry, or null.
export function linkCursor(link, rel, name) {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2] === rel) return new URL(m[1]).searchParams.get(name);
  }
  return null;
}

// Decimal id strings compared as the 64-bit numbers they are.
export function compareIdsDescending(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x > y ? -1 : x < y ? 1 : 0;
}

// The checks on the paged home timeline: `pages` (arrays of ids, in the order
// they were fetched) hold exactly `expected` (ids newest first), PAGE_LIMIT a
// page, without overlap or gaps.
export function assertThreePages(pages, expected) {
  const nonEmpty = pages.filter((page) => page.length > 0);
  assert.equal(nonEmpty.length, 3, `three pages expected, got ${JSON.stringify(pages)}`);
  for (const page of nonEmpty) {
    assert.equal(page.length, PAGE_LIMIT, `each page has ${PAGE_LIMIT}: ${JSON.stringify(pages)}`);
  }
  const all = nonEmpty.flat();
  assert.equal(new Set(all).size, all.length, `pages overlap: ${JSON.stringify(pages)}`);
  assert.deepEqual(all, expected, 'the pages, in order, are the timeline newest first');
  assert.deepEqual([...all].sort(compareIdsDescending), all, 'ids descend across pages');
}

// The fields of Mastodon 4.2's entities that clients read without checking
// (Elk, Phanpy and Ivory render from them directly), with their JSON types.
// A trailing `?` allows null. Fields the docs mark optional are left out.
const ENTITY_FIELDS = {
  account: {
    id: 'string', username: 'string', acct: 'string', url: 'string', display_name: 'string', note: 'string',
    avatar: 'string', avatar_static: 'string', header: 'string', header_static: 'string', locked: 'boolean',
    fields: 'array', emojis: 'array', bot: 'boolean', group: 'boolean', discoverable: 'boolean?',
    created_at: 'string', last_status_at: 'string?', statuses_count: 'integer', followers_count: 'integer',
    following_count: 'integer',
  },
  status: {
    id: 'string', uri: 'string', created_at: 'string', account: 'object', content: 'string', visibility: 'string',
    sensitive: 'boolean', spoiler_text: 'string', media_attachments: 'array', mentions: 'array', tags: 'array',
    emojis: 'array', reblogs_count: 'integer', favourites_count: 'integer', replies_count: 'integer', url: 'string?',
    in_reply_to_id: 'string?', in_reply_to_account_id: 'string?', reblog: 'object?', poll: 'object?',
    card: 'object?', language: 'string?', edited_at: 'string?',
    // Only for a signed-in viewer.
    favourited: 'boolean', reblogged: 'boolean', muted: 'boolean', bookmarked: 'boolean',
  },
  media: {
    id: 'string', type: 'string', url: 'string?', preview_url: 'string?', remote_url: 'string?', meta: 'object?',
    description: 'string?', blurhash: 'string?',
  },
  relationship: {
    id: 'string', following: 'boolean', showing_reblogs: 'boolean', notifying: 'boolean', followed_by: 'boolean',
    blocking: 'boolean', blocked_by: 'boolean', muting: 'boolean', muting_notifications: 'boolean',
    requested: 'boolean', requested_by: 'boolean', domain_blocking: 'boolean', endorsed: 'boolean', note: 'string',
  },
  notification: { id: 'string', type: 'string', created_at: 'string', account: 'object' },
  mention: { id: 'string', username: 'string', url: 'string', acct: 'string' },
  tag: { name: 'string', url: 'string' },
};

function hasType(value, type) {
  const nullable = type.endsWith('?');
  const base = nullable ? type.slice(0, -1) : type;
  if (value === null) return nullable;
  switch (base) {
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && !Array.isArray(value);
    case 'integer': return Number.isInteger(value) && value >= 0;
    default: return typeof value === base;
  }
}

// Asserts that `value` (raw snake_case JSON) carries every field of the
// Mastodon entity `kind`, and checks the entities nested in it too.
export function assertEntity(kind, value, where = kind) {
  const fields = ENTITY_FIELDS[kind];
  assert.ok(fields, `unknown entity ${kind}`);
  assert.ok(value && typeof value === 'object', `${where} is an object: ${JSON.stringify(value)}`);
  for (const [name, type] of Object.entries(fields)) {
    assert.ok(name in value, `${where} lacks ${name}: ${JSON.stringify(value).slice(0, 600)}`);
    assert.ok(hasType(value[name], type), `${where}.${name} is ${type}: ${JSON.stringify(value[name])}`);
  }
  if (kind !== 'tag') assert.match(value.id, /^\d+$/, `${where}.id is decimal`);
  for (const key of ['created_at', 'edited_at', 'last_status_at']) {
    if (typeof value[key] === 'string') assert.ok(!Number.isNaN(Date.parse(value[key])), `${where}.${key} is a date`);
  }
  if (kind === 'status') {
    assertEntity('account', value.account, `${where}.account`);
    value.media_attachments.forEach((m, i) => assertEntity('media', m, `${where}.media_attachments[${i}]`));
    value.mentions.forEach((m, i) => assertEntity('mention', m, `${where}.mentions[${i}]`));
    value.tags.forEach((t, i) => assertEntity('tag', t, `${where}.tags[${i}]`));
    if (value.reblog) assertEntity('status', value.reblog, `${where}.reblog`);
  }
  if (kind === 'notification') {
    assertEntity('account', value.account, `${where}.account`);
    if (value.status != null) assertEntity('status', value.status, `${where}.status`);
  }
}
