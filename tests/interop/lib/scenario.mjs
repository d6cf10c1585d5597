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

// Notification types a Mastodon client knows. megalodon silently drops any
// other type from a list, so a server-only type would never reach the app.
export const MASTODON_NOTIFICATION_TYPES = new Set([
  'mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update',
  'admin.sign_up', 'admin.report', 'severed_relationships', 'moderation_warning',
]);

// Starts a server and seeds the two people of the scenario:
// - alice, made with the admin CLI (she signs in through the client library);
// - bob, registered through the API (his token comes with the registration).
// Returns {server, alice: {username, password}, bob: {username, password, token}, dir, stop()}.
export async function startScenario(prefix) {
  const server = await startServer();
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
  for (const page of nonEmpty) assert.equal(page.length, PAGE_LIMIT, `each page has ${PAGE_LIMIT}: ${JSON.stringify(pages)}`);
  const all = nonEmpty.flat();
  assert.equal(new Set(all).size, all.length, `pages overlap: ${JSON.stringify(pages)}`);
  assert.deepEqual(all, expected, 'the pages, in order, are the timeline newest first');
  assert.deepEqual([...all].sort(compareIdsDescending), all, 'ids descend across pages');
}
