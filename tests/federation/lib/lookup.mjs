#!/usr/bin/env node
// What `fedify lookup` (npm @fedify/cli) does, with the library: @fedify/cli
// cannot be installed here (its postinstall downloads a binary from GitHub).
//
// Fetches an ActivityPub object by URL or by handle (acct:user@host,
// @user@host; https only, as in Fedify), parses it the way Fedify does
// (content type, JSON, JSON-LD expansion, its vocabulary), and prints it.
// A document Fedify cannot take is a failure.
//
// CLI:
//   node tests/federation/lib/lookup.mjs [--compact|--expand|--raw] [--ca FILE] URL_OR_HANDLE...
//     --compact   print Fedify's compact JSON-LD (default; what Fedify would
//                 send on; terms outside its vocabulary are gone)
//     --expand    print expanded JSON-LD
//     --raw       also print the document as served (a second, plain GET)
//     --ca FILE   trust this PEM certificate too (e.g. the tests' proxy cert);
//                 VANTAGE_FEDERATION_CA=FILE does the same
//   Prints the class name on stderr and the JSON on stdout; exits 1 when any
//   lookup fails (not found, not ActivityStreams, an error), 2 on bad usage.
//
// Library:
//   import { lookup } from './lib/lookup.mjs';
//   const { object, json, type } = await lookup(url);  // throws on failure

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MemoryKvStore, createFederation, getDocumentLoader } from '@fedify/fedify';
import { enableFedifyLogging } from './debug.mjs';
import { trustCertificate } from './tls.mjs';

let context = null;

function lookupContext() {
  if (context) return context;
  const federation = createFederation({
    kv: new MemoryKvStore(),
    allowPrivateAddress: true,
    // No document cache: a lookup always sees the current document.
    documentLoaderFactory: (opts) => getDocumentLoader({ allowPrivateAddress: true, userAgent: opts?.userAgent }),
  });
  // Only the origin matters; nothing is served from it.
  context = federation.createContext(new URL('http://127.0.0.1/'), undefined);
  return context;
}

// Looks `target` up. Returns {object (the Fedify object), type (its class
// name), id, json (compact JSON-LD, or expanded with {format: 'expand'})}.
// Throws when Fedify cannot fetch or parse it.
export async function lookup(target, { format = 'compact', ca } = {}) {
  await enableFedifyLogging();
  if (ca) trustCertificate(ca);
  const ctx = lookupContext();
  let object;
  try {
    object = await ctx.lookupObject(String(target));
  } catch (err) {
    throw new Error(`lookup of ${target} failed: ${err?.message ?? err}`, { cause: err });
  }
  if (object == null) {
    throw new Error(`lookup of ${target} failed: not found, or not an ActivityStreams document Fedify accepts`);
  }
  const json = format === 'expand'
    ? await object.toJsonLd({ format: 'expand', contextLoader: ctx.contextLoader })
    : await object.toJsonLd({ format: 'compact', contextLoader: ctx.contextLoader });
  return { object, type: object.constructor.name, id: object.id?.href ?? null, json };
}

async function main(argv) {
  let format = 'compact';
  let raw = false;
  let ca = process.env.VANTAGE_FEDERATION_CA ? readFileSync(process.env.VANTAGE_FEDERATION_CA, 'utf8') : null;
  const targets = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--compact') format = 'compact';
    else if (a === '--expand' || a === '-e') format = 'expand';
    else if (a === '--raw') raw = true;
    else if (a === '--ca') ca = readFileSync(argv[++i], 'utf8');
    else if (a === '-h' || a === '--help') { console.log('usage: lookup.mjs [--compact|--expand|--raw] [--ca FILE] URL_OR_HANDLE...'); return 0; }
    else if (a.startsWith('-')) { console.error(`unknown option ${a}`); return 2; }
    else targets.push(a);
  }
  if (targets.length === 0) { console.error('usage: lookup.mjs [--compact|--expand|--raw] [--ca FILE] URL_OR_HANDLE...'); return 2; }
  if (ca) trustCertificate(ca);
  let failed = 0;
  for (const target of targets) {
    try {
      const { type, json, id } = await lookup(target, { format });
      console.error(`${type} ${id ?? ''}`.trim());
      console.log(JSON.stringify(json, null, 2));
      if (raw && /^https?:/.test(target)) {
        const res = await fetch(target, { headers: { accept: 'application/activity+json' } });
        console.error(`raw: ${res.status} ${res.headers.get('content-type')}`);
        console.log(await res.text());
      }
    } catch (err) {
      console.error(err.message);
      failed++;
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  });
}
