// A real ActivityPub server on loopback for the federation tests: Fedify
// 1.5.9 (the line that runs on Node 20) with signature verification on,
// served by node:http.
//
//   const peer = await startPeer({ actors: ['alice', 'bob'] });
//   const followId = await peer.follow('alice', 'https://127.0.0.1:4431/users/vera');
//   const accept = await peer.waitFor({ type: 'Accept' });
//   ...
//   await peer.stop();
//
// What it does:
// - Actors at ${origin}/users/<name> (Person by default) with one RSA key
//   pair each (RSASSA-PKCS1-v1_5, 4096 bits like Fedify's own; generated once
//   per peer), keyId ${actor}#main-key, a personal inbox
//   ${actor}/inbox, the shared inbox ${origin}/inbox, a followers
//   collection, WebFinger and NodeInfo (Fedify's own handlers).
// - Inbox listeners for Follow, Accept, Reject, Create, Update, Delete,
//   Announce, Undo, Like, Block, Flag and a catch-all (Activity). Fedify
//   calls them only after it has verified the request (HTTP signature, or a
//   Linked Data signature / object proof), so everything in peer.received
//   was verified. Each record: {type, id, actor, objectId, object, activity
//   (Fedify's compact JSON-LD, unknown terms dropped), raw (the body exactly
//   as received), recipient (actor name, or null for the shared inbox),
//   path, headers, rawHeaders, signature (parsed Signature header),
//   receivedAt}.
// - Every HTTP request it receives, verified or not, is in peer.requests:
//   {method, path, headers, rawHeaders, body, status, at}.
// - Object dispatchers for what the peer's actors create, so a server can
//   fetch them by id to check their origin: Notes at
//   ${actor}/notes/<uuid>, Follows at ${actor}/follows/<uuid>, Likes,
//   Announces, Blocks, and every other activity at ${actor}/activities/<uuid>.
//   A deleted note, and a deleted actor, answer 410.
// - An outbox listing each actor's posts (Create with the note embedded,
//   newest first, with totalItems), and files served as given
//   (peer.serveFile(path, {type, body, status})): photos for attachments.
// - Methods that send signed activities as one of its actors: follow,
//   undoFollow, like, undoLike, undo, post, reply, updateNote, deleteNote,
//   block, flag, announce, updateActor, deleteActor, accept, reject, send.
//   They go through Fedify's ctx.sendActivity with no queue, so a delivery
//   that does not get a 2xx throws (the error message carries the status
//   and body), and every activity has an id. Fedify re-serializes what it
//   sends as compact JSON-LD and drops terms its vocabulary lacks (Mastodon's
//   blurhash and focalPoint among them); pass {raw: true} to send the JSON
//   exactly as built, signed by lib/httpsig.mjs with the same actor key.
//   Each returns the id of what it made (the Note's id for post/reply).
//
// Options of startPeer:
//   actors        names, or {name, type ('Person'|'Service'|'Organization'|
//                 'Group'|'Application'), displayName, summary,
//                 manuallyApprovesFollowers, icon (URL)} (default ['alice', 'bob'])
//   host          listen address (default 127.0.0.1; any of 127.0.0.0/8)
//   port          default 0 (any)
//   https         true: put the test TLS proxy (lib/tls.mjs) in front, so
//                 the peer's ids are https and `acct:` lookups of it work
//   autoAccept    accept incoming Follows at once: true, false (default),
//                 or an array of actor names
//   modulusLength RSA key size (default 4096, like Fedify's)
//   signFetches   sign the peer's own GETs (lookups) as the acting actor
//                 (default false; Fedify signs the key fetches of personal
//                 inbox deliveries anyway)
//   documentCache keep Fedify's default 5-minute document cache (default
//                 false: every fetch goes to the network, so a document that
//                 changed is seen at once)

import crypto from 'node:crypto';
import http from 'node:http';
import { Temporal } from '@js-temporal/polyfill';
import {
  Accept, Activity, Announce, Application, Block, Create, Delete, Endpoints, Flag, Follow, Group, Image,
  Like, MemoryKvStore, Note, Organization, Person, Reject, Service, Undo, Update,
  createFederation, getDocumentLoader, isActor, parseSemVer,
} from '@fedify/fedify';
import { debug, enableFedifyLogging } from './debug.mjs';
import { parseSignatureHeader, signedPost } from './httpsig.mjs';
import { startTlsProxy, trustCertificate } from './tls.mjs';

export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
// Public as Fedify writes it (compact JSON-LD), and the other spellings seen
// in the wild.
export const PUBLIC_FORMS = new Set([PUBLIC, 'as:Public', 'Public']);

// The @context of the JSON the peer builds: Mastodon's, trimmed.
export const CONTEXT = [
  'https://www.w3.org/ns/activitystreams',
  'https://w3id.org/security/v1',
  {
    toot: 'http://joinmastodon.org/ns#',
    schema: 'http://schema.org#',
    manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
    sensitive: 'as:sensitive',
    Hashtag: 'as:Hashtag',
    discoverable: 'toot:discoverable',
    blurhash: 'toot:blurhash',
    focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
    PropertyValue: 'schema:PropertyValue',
    value: 'schema:value',
  },
];

const ACTOR_CLASSES = { Person, Service, Organization, Group, Application };

const toPem = (der, label) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g).join('\n')}\n-----END ${label}-----\n`;

// An RSASSA-PKCS1-v1_5/SHA-256 key pair as WebCrypto keys (what Fedify wants)
// and PEM (what forgeries and other tools want).
export async function generateRsaKeyPair(modulusLength = 4096) {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true, ['sign', 'verify']);
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateKeyPem: toPem(await crypto.subtle.exportKey('pkcs8', pair.privateKey), 'PRIVATE KEY'),
    publicKeyPem: toPem(await crypto.subtle.exportKey('spki', pair.publicKey), 'PUBLIC KEY'),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const asArray = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
const hrefOf = (v) => (v == null ? null : typeof v === 'string' ? v : v instanceof URL ? v.href : v.id?.href ?? v.id ?? null);

function matches(record, pattern) {
  if (typeof pattern === 'function') return pattern(record);
  return Object.entries(pattern).every(([k, v]) => (v instanceof RegExp ? v.test(String(record[k])) : record[k] === v));
}

function lowerHeaders(rawHeaders) {
  const out = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i].toLowerCase();
    out[k] = k in out ? `${out[k]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return out;
}

function describeRecords(list) {
  return list.map((r) => `${r.type ?? r.method} ${r.id ?? r.path ?? ''}`).join('; ') || '(nothing)';
}

export async function startPeer(options = {}) {
  const {
    actors: actorSpecs = ['alice', 'bob'],
    host = '127.0.0.1',
    port = 0,
    https = false,
    autoAccept = false,
    modulusLength = 4096,
    signFetches = false,
    documentCache = false,
  } = options;
  await enableFedifyLogging();

  const kv = new MemoryKvStore();
  const federation = createFederation({
    kv,
    allowPrivateAddress: true, // 127.0.0.0/8 is "private" to Fedify
    // No queue: sendActivity() delivers at once and throws on a non-2xx.
    ...(documentCache ? {} : {
      // Fedify's default wraps this loader in a 5-minute KV cache.
      documentLoaderFactory: (opts) => getDocumentLoader({ allowPrivateAddress: true, userAgent: opts?.userAgent }),
    }),
  });

  const actors = new Map(); // name -> state
  const pending = new Set(); // names whose keys are being made
  const received = [];
  const requests = [];
  const errors = [];
  const sent = new Map(); // id -> {as, json, inboxes}
  const objects = new Map(); // id -> {json, cls, deleted}
  const files = new Map(); // path -> {type, body, status}: served as they are (photos)
  let origin = null; // set once listening
  let ctx = null;

  async function addActor(spec) {
    const s = typeof spec === 'string' ? { name: spec } : { ...spec };
    if (!/^[a-z0-9_]+$/i.test(s.name)) throw new Error(`bad actor name ${s.name}`);
    if (actors.has(s.name) || pending.has(s.name)) throw new Error(`actor ${s.name} exists`);
    pending.add(s.name);
    const keys = await generateRsaKeyPair(modulusLength).finally(() => pending.delete(s.name));
    actors.set(s.name, {
      name: s.name,
      type: s.type ?? 'Person',
      displayName: s.displayName ?? `Peer ${s.name}`,
      summary: s.summary ?? `<p>Fedify test peer actor ${s.name}</p>`,
      manuallyApprovesFollowers: s.manuallyApprovesFollowers ?? false,
      icon: s.icon ?? null,
      published: nowIso(),
      keys,
      deleted: false,
      followers: new Map(), // actor id -> Recipient
    });
    if (!ACTOR_CLASSES[actors.get(s.name).type]) throw new Error(`unknown actor type ${s.type}`);
    return actorState(s.name);
  }

  function actorState(name) {
    const a = actors.get(name);
    if (!a) throw new Error(`the peer has no actor ${name}`);
    return a;
  }

  // --- Fedify wiring -------------------------------------------------------

  async function buildActor(c, name) {
    const a = actors.get(name);
    if (!a || a.deleted) return null;
    const pairs = await c.getActorKeyPairs(name);
    const Cls = ACTOR_CLASSES[a.type];
    const id = c.getActorUri(name);
    return new Cls({
      id,
      preferredUsername: name,
      name: a.displayName,
      summary: a.summary,
      url: id,
      published: Temporal.Instant.from(a.published),
      inbox: c.getInboxUri(name),
      outbox: c.getOutboxUri(name),
      followers: c.getFollowersUri(name),
      following: c.getFollowingUri(name),
      endpoints: new Endpoints({ sharedInbox: c.getInboxUri() }),
      manuallyApprovesFollowers: a.manuallyApprovesFollowers,
      discoverable: true,
      icon: a.icon ? new Image({ url: new URL(a.icon), mediaType: 'image/jpeg' }) : null,
      publicKey: pairs[0].cryptographicKey,
      // FEP-521a, as Fedify recommends (real Fedify servers publish it).
      assertionMethods: pairs.map((p) => p.multikey),
    });
  }

  federation
    .setActorDispatcher('/users/{identifier}', buildActor)
    .setKeyPairsDispatcher(async (_c, name) => {
      const a = actors.get(name);
      return a && !a.deleted ? [{ privateKey: a.keys.privateKey, publicKey: a.keys.publicKey }] : [];
    });

  federation.setFollowersDispatcher('/users/{identifier}/followers', async (_c, name) => {
    const a = actors.get(name);
    if (!a || a.deleted) return null;
    return { items: [...a.followers.values()] };
  });

  // The outbox: Create activities of the actor's own posts (not replies),
  // newest first, each with its note embedded, as Mastodon lists them.
  const ownPosts = (name) => [...objects.values()]
    .filter((o) => !o.deleted && o.json.type === 'Note' && o.json.attributedTo === actorId(name) && !o.json.inReplyTo)
    .reverse();
  federation.setOutboxDispatcher('/users/{identifier}/outbox', async (_c, name) => {
    if (!actors.get(name) || actors.get(name).deleted) return null;
    const items = await Promise.all(ownPosts(name).map((o) => Create.fromJsonLd(build.create(name, o.json), loaderOptions())));
    return { items };
  }).setCounter((_c, name) => (actors.get(name) && !actors.get(name).deleted ? ownPosts(name).length : null));
  // An empty following collection (real actors have one).
  federation.setFollowingDispatcher('/users/{identifier}/following', async (_c, name) =>
    (actors.get(name) && !actors.get(name).deleted ? { items: [] } : null));

  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => ({
    software: { name: 'vantage-test-peer', version: parseSemVer('1.5.9') },
    protocols: ['activitypub'],
    usage: { users: { total: actors.size }, localPosts: 0, localComments: 0 },
    openRegistrations: false,
  }));

  // The peer's own objects, by class and path.
  const OBJECT_ROUTES = [
    [Note, 'notes'], [Follow, 'follows'], [Like, 'likes'], [Announce, 'announces'], [Block, 'blocks'],
    [Activity, 'activities'],
  ];
  for (const [cls, segment] of OBJECT_ROUTES) {
    federation.setObjectDispatcher(cls, `/users/{identifier}/${segment}/{id}`, async (c, values) => {
      const id = c.getObjectUri(cls, values).href;
      const o = objects.get(id);
      if (!o || o.deleted) return null;
      return await cls.fromJsonLd(o.json, { documentLoader: c.documentLoader, contextLoader: c.contextLoader });
    });
  }
  const segmentFor = (type) => ({ Note: 'notes', Follow: 'follows', Like: 'likes', Announce: 'announces', Block: 'blocks' }[type] ?? 'activities');
  const newId = (as, type) => `${actorId(as)}/${segmentFor(type)}/${crypto.randomUUID()}`;

  async function record(c, activity) {
    const req = c.data?.request ?? {};
    let raw = null;
    try { raw = JSON.parse(req.body ?? 'null'); } catch { raw = null; }
    let compact = null;
    try { compact = await activity.toJsonLd({ format: 'compact', contextLoader: c.contextLoader }); } catch (err) {
      compact = { error: String(err) };
    }
    const entry = {
      type: (typeof raw?.type === 'string' ? raw.type : null) ?? activity.constructor.name,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? null,
      object: compact?.object ?? null,
      activity: compact,
      raw,
      recipient: c.recipient ?? null,
      path: req.path ?? null,
      headers: req.headers ?? {},
      rawHeaders: req.rawHeaders ?? [],
      signature: parseSignatureHeader(req.headers?.signature),
      receivedAt: Date.now(),
    };
    received.push(entry);
    debug(`peer ${origin} received ${entry.type} ${entry.id} from ${entry.actor}`);
    return entry;
  }

  const wantsAutoAccept = (name) => autoAccept === true || (Array.isArray(autoAccept) && autoAccept.includes(name));

  const inbox = federation.setInboxListeners('/users/{identifier}/inbox', '/inbox');
  inbox.on(Follow, async (c, follow) => {
    const entry = await record(c, follow);
    const parsed = follow.objectId ? c.parseUri(follow.objectId) : null;
    if (parsed?.type === 'actor' && actors.has(parsed.identifier) && wantsAutoAccept(parsed.identifier)) {
      try {
        await acceptFollow(parsed.identifier, entry);
      } catch (err) {
        errors.push({ where: 'autoAccept', error: err });
        debug('auto-accept failed:', err);
      }
    }
  });
  inbox.on(Undo, async (c, undo) => {
    const entry = await record(c, undo);
    const obj = entry.raw?.object;
    if (obj && typeof obj === 'object' && obj.type === 'Follow') {
      const target = c.parseUri(new URL(hrefOf(obj.object)));
      if (target?.type === 'actor') actors.get(target.identifier)?.followers.delete(entry.actor);
    }
  });
  for (const cls of [Accept, Reject, Create, Update, Delete, Announce, Like, Block, Flag, Activity]) {
    inbox.on(cls, record);
  }
  inbox.onError(async (_c, error) => {
    errors.push({ where: 'inbox', error });
    debug('inbox error:', error);
  });

  // --- HTTP: node:http <-> Fetch API ---------------------------------------

  function goneResponse(res, id) {
    res.writeHead(410, { 'content-type': 'application/activity+json' });
    res.end(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Tombstone' }));
  }

  async function handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const entry = {
      method: req.method,
      path: req.url,
      headers: lowerHeaders(req.rawHeaders),
      rawHeaders: [...req.rawHeaders],
      body: body.toString('utf8'),
      status: null,
      at: Date.now(),
    };
    requests.push(entry);
    const url = new URL(req.url, origin);
    const file = req.method === 'GET' ? files.get(url.pathname) : null;
    if (file) {
      entry.status = file.status ?? 200;
      res.writeHead(entry.status, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(file.body);
      return;
    }
    // Gone things answer 410, as Mastodon does.
    if (req.method === 'GET' || req.method === 'HEAD') {
      const actorMatch = /^\/users\/([^/]+)$/.exec(url.pathname);
      if (actorMatch && actors.get(actorMatch[1])?.deleted) { entry.status = 410; return goneResponse(res, url.href); }
      if (objects.get(url.href)?.deleted) { entry.status = 410; return goneResponse(res, url.href); }
    }
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const response = await federation.fetch(request, { contextData: { request: entry } });
    entry.status = response.status;
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders = [];
    for (const [k, v] of response.headers) outHeaders.push(k, v);
    res.writeHead(response.status, outHeaders);
    res.end(out);
    debug(`peer ${origin} ${req.method} ${req.url} -> ${response.status}`);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      errors.push({ where: 'http', error: err });
      debug('http handler error:', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err?.stack ?? err));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const listenPort = server.address().port;
  const httpOrigin = `http://${host}:${listenPort}`;
  let proxy = null;
  if (https) {
    trustCertificate();
    proxy = await startTlsProxy({ target: httpOrigin });
    origin = proxy.origin;
  } else {
    origin = httpOrigin;
  }
  ctx = federation.createContext(new URL(origin), { request: null });

  // Keys are made in parallel (WebCrypto runs on the libuv pool): 4096-bit
  // RSA takes about a second each.
  await Promise.all(actorSpecs.map((spec) => addActor(spec)));

  // --- helpers -------------------------------------------------------------

  function actorId(name) { return `${origin}/users/${name}`; }
  const loaderOptions = () => ({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });

  async function lookup(target, { as } = {}) {
    const opts = {};
    if (as) opts.documentLoader = await ctx.getDocumentLoader({ identifier: as });
    return await ctx.lookupObject(String(target), opts);
  }

  // A Recipient for `target`: {inbox, id?, sharedInbox?} is taken as is; a
  // Fedify actor object as is; a URL or handle is looked up, and when it is
  // not an actor, its attributedTo (e.g. a note's author) is.
  async function recipientFor(as, target) {
    if (target == null) throw new Error('no recipient: give {to} or {inbox}');
    if (typeof target === 'object' && !(target instanceof URL) && target.inbox) {
      return {
        id: new URL(target.id ?? target.inbox),
        inboxId: new URL(target.inbox),
        endpoints: target.sharedInbox ? { sharedInbox: new URL(target.sharedInbox) } : null,
      };
    }
    if (typeof target === 'object' && !(target instanceof URL) && (isActor(target) || target.inboxId instanceof URL)) return target;
    const obj = await lookup(hrefOf(target) ?? String(target), { as: signFetches ? as : undefined });
    if (obj == null) throw new Error(`cannot look up ${hrefOf(target) ?? target} (not found, or not ActivityStreams)`);
    if (isActor(obj)) return obj;
    const author = obj.attributionId;
    if (!author) throw new Error(`${hrefOf(target)} is neither an actor nor attributed to one`);
    const actor = await lookup(author.href, { as: signFetches ? as : undefined });
    if (!isActor(actor)) throw new Error(`the author ${author.href} of ${hrefOf(target)} is not an actor`);
    return actor;
  }

  async function recipientsFor(as, opts, fallback) {
    if (opts.inbox) return [await recipientFor(as, { inbox: opts.inbox, id: opts.inboxActor })];
    const targets = asArray(opts.to ?? fallback);
    if (targets.length === 0) throw new Error('no recipient: give {to} or {inbox}');
    return Promise.all(targets.map((t) => recipientFor(as, t)));
  }

  function remember(json) {
    const type = json.type;
    if (!json.id?.startsWith(`${origin}/users/`)) return;
    const cls = { Note, Follow, Like, Announce, Block }[type] ?? Activity;
    if (type !== 'Note' && cls === Activity && !/\/activities\//.test(json.id)) return;
    objects.set(json.id, { json: { '@context': json['@context'] ?? CONTEXT, ...json }, cls, deleted: false });
  }

  // Sends `json` (an activity with @context, id and actor) as `as` to the
  // recipients of opts ({to: actor/object URL(s) or Recipient(s)} or
  // {inbox: URL}), through Fedify, or verbatim with {raw: true}. Throws when
  // a delivery does not get a 2xx.
  async function send(as, json, opts = {}, fallbackTo) {
    const a = actorState(as);
    if (!json.id) throw new Error('an activity to send needs an id');
    const recipients = await recipientsFor(as, opts, fallbackTo);
    const inboxes = [...new Set(recipients.map((r) => (opts.preferSharedInbox && r.endpoints?.sharedInbox ? r.endpoints.sharedInbox : r.inboxId)?.href).filter(Boolean))];
    if (opts.raw) {
      for (const inbox of inboxes) {
        const res = await signedPost(inbox, json, { keyId: `${actorId(as)}#main-key`, privateKey: a.keys.privateKeyPem });
        if (res.status < 200 || res.status > 299) {
          throw new Error(`Failed to send activity ${json.id} to ${inbox} (${res.status}):\n${res.text}`);
        }
      }
    } else {
      const activity = await Activity.fromJsonLd(json, loaderOptions());
      await ctx.sendActivity({ identifier: as }, recipients, activity, { preferSharedInbox: opts.preferSharedInbox });
    }
    sent.set(json.id, { as, json, inboxes, at: Date.now() });
    debug(`peer ${origin} sent ${json.type} ${json.id} to ${inboxes.join(', ')}`);
    return json.id;
  }

  function sentJson(id) {
    const s = sent.get(id) ?? (objects.has(id) ? { json: objects.get(id).json } : null);
    if (!s) throw new Error(`the peer did not send ${id}`);
    return s.json;
  }

  const strip = (json) => { const { '@context': _c, ...rest } = json; return rest; };

  // --- builders (JSON, Mastodon-shaped) ------------------------------------

  const build = {
    follow(as, target, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? newId(as, 'Follow'), type: 'Follow', actor: actorId(as), object: hrefOf(target) };
    },
    like(as, object, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? newId(as, 'Like'), type: 'Like', actor: actorId(as), object: hrefOf(object) };
    },
    announce(as, object, { id, to = [PUBLIC], cc = [] } = {}) {
      return {
        '@context': CONTEXT, id: id ?? newId(as, 'Announce'), type: 'Announce', actor: actorId(as),
        published: nowIso(), to, cc: [`${actorId(as)}/followers`, ...cc], object: hrefOf(object),
      };
    },
    block(as, target, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? newId(as, 'Block'), type: 'Block', actor: actorId(as), object: hrefOf(target) };
    },
    undo(as, activity, { id } = {}) {
      const inner = typeof activity === 'string' ? sentJson(activity) : activity;
      return { '@context': CONTEXT, id: id ?? `${inner.id}/undo`, type: 'Undo', actor: actorId(as), object: strip(inner) };
    },
    // A Note: content (HTML), inReplyTo, to/cc (default: to Public, cc the
    // actor's followers plus `mention`s), attachments ([{url, mediaType, name,
    // width, height, blurhash, focalPoint, type}]), tags, sensitive, summary.
    note(as, o = {}) {
      const id = o.id ?? newId(as, 'Note');
      const mentions = asArray(o.mentions).map((m) => (typeof m === 'string' ? { href: m } : m));
      const note = {
        id, type: 'Note', attributedTo: actorId(as),
        content: o.content ?? '<p>Hello from the test peer</p>',
        published: o.published ?? nowIso(),
        url: o.url ?? id,
        to: o.to ?? [PUBLIC],
        cc: o.cc ?? [`${actorId(as)}/followers`, ...mentions.map((m) => m.href)],
      };
      if (o.inReplyTo) note.inReplyTo = hrefOf(o.inReplyTo);
      if (o.summary != null) note.summary = o.summary;
      if (o.sensitive != null) note.sensitive = o.sensitive;
      const tags = [...mentions.map((m) => ({ type: 'Mention', href: m.href, ...(m.name ? { name: m.name } : {}) })), ...asArray(o.tags)];
      if (tags.length) note.tag = tags;
      if (o.attachments) {
        note.attachment = o.attachments.map((x) => {
          const out = { type: x.type ?? 'Image', mediaType: x.mediaType ?? 'image/jpeg', url: x.url };
          for (const k of ['name', 'width', 'height', 'blurhash', 'focalPoint']) if (x[k] != null) out[k] = x[k];
          return out;
        });
      }
      return { '@context': CONTEXT, ...note };
    },
    create(as, note, { id } = {}) {
      const n = strip(note);
      return {
        '@context': CONTEXT, id: id ?? `${n.id}/activity`, type: 'Create', actor: actorId(as),
        published: n.published ?? nowIso(), to: n.to, cc: n.cc, object: n,
      };
    },
    update(as, object, { id, to, cc } = {}) {
      const o = strip(object);
      const json = {
        '@context': object['@context'] ?? CONTEXT, id: id ?? `${o.id}#updates/${Date.now()}-${crypto.randomUUID().slice(0, 8)}`,
        type: 'Update', actor: actorId(as), to: to ?? o.to ?? [PUBLIC], object: o,
      };
      if (cc ?? o.cc) json.cc = cc ?? o.cc;
      return json;
    },
    deleteNote(as, noteId, { id, to = [PUBLIC] } = {}) {
      return {
        '@context': CONTEXT, id: id ?? `${noteId}#delete`, type: 'Delete', actor: actorId(as), to,
        object: { id: noteId, type: 'Tombstone' },
      };
    },
    deleteActor(as, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? `${actorId(as)}#delete`, type: 'Delete', actor: actorId(as), to: [PUBLIC], object: actorId(as) };
    },
    flag(as, { objects: objs, content = 'Reported by the test peer', id } = {}) {
      return {
        '@context': CONTEXT, id: id ?? newId(as, 'Flag'), type: 'Flag', actor: actorId(as), content,
        object: asArray(objs).map(hrefOf),
      };
    },
    accept(as, follow, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? `${actorId(as)}/activities/${crypto.randomUUID()}`, type: 'Accept', actor: actorId(as), object: strip(follow) };
    },
    reject(as, follow, { id } = {}) {
      return { '@context': CONTEXT, id: id ?? `${actorId(as)}/activities/${crypto.randomUUID()}`, type: 'Reject', actor: actorId(as), object: strip(follow) };
    },
  };

  async function acceptFollow(as, follow, opts = {}) {
    const raw = follow.raw ?? follow; // a received record, or the Follow JSON
    const json = build.accept(as, raw, opts);
    remember(json);
    const followerId = hrefOf(raw.actor);
    const recipients = await recipientsFor(as, opts, followerId);
    await send(as, json, { ...opts, to: recipients, inbox: undefined });
    actorState(as).followers.set(followerId, recipients[0]);
    return json.id;
  }

  async function rejectFollow(as, follow, opts = {}) {
    const raw = follow.raw ?? follow;
    const json = build.reject(as, raw, opts);
    remember(json);
    await send(as, json, opts, hrefOf(raw.actor));
    actorState(as).followers.delete(hrefOf(raw.actor));
    return json.id;
  }

  async function waitFor(pattern, { timeout = 5000, list = received, interval = 25 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const hit = list.find((r) => matches(r, pattern));
      if (hit) return hit;
      if (Date.now() > deadline) {
        const err = errors.length ? `\nerrors: ${errors.map((e) => `${e.where}: ${e.error?.stack ?? e.error}`).join('\n')}` : '';
        throw new Error(`peer ${origin}: nothing matched within ${timeout} ms; got: ${describeRecords(list)}${err}`);
      }
      await sleep(interval);
    }
  }

  // Resolves when nothing matching arrives for `within` ms (throws if
  // something does): for "stops receiving" checks.
  async function expectNothing(pattern, { within = 1000, list = received } = {}) {
    const start = list.length;
    await sleep(within);
    const hit = list.slice(start).find((r) => matches(r, pattern));
    if (hit) throw new Error(`peer ${origin}: unexpected ${hit.type ?? hit.method} ${hit.id ?? hit.path}`);
  }

  let stopping = null;
  const peer = {
    get origin() { return origin; },
    httpOrigin,
    host: new URL(origin).host,
    federation,
    get ctx() { return ctx; },
    received,
    requests,
    errors,
    sent,
    objects,
    build,
    CONTEXT,

    actorId,
    keyId: (name) => `${actorId(name)}#main-key`,
    inbox: (name) => `${actorId(name)}/inbox`,
    sharedInbox: () => `${origin}/inbox`,
    acct: (name) => `acct:${name}@${new URL(origin).host}`,
    // {keyId, privateKey (CryptoKey), publicKey, privateKeyPem, publicKeyPem}
    keys(name) { const a = actorState(name); return { keyId: `${actorId(name)}#main-key`, ...a.keys }; },
    // For lib/httpsig.mjs: {keyId, privateKey (PEM)}.
    signer(name) { const a = actorState(name); return { keyId: `${actorId(name)}#main-key`, privateKey: a.keys.privateKeyPem }; },
    // POST `body` to `url` signed as actor `name` (any signedPost option
    // overrides, e.g. {date}, {alterBodyAfterSigning}).
    signedPost(name, url, body, opts = {}) { return signedPost(url, body, { ...peer.signer(name), ...opts }); },
    addActor,
    // Serves `body` at `path` of the peer's origin (photos for notes'
    // attachments); the file's URL.
    serveFile(filePath, { type = 'image/jpeg', body, status = 200 }) {
      files.set(filePath, { type, body, status });
      return `${origin}${filePath}`;
    },
    async rotateKey(name) { actorState(name).keys = await generateRsaKeyPair(modulusLength); return peer.keys(name); },
    actorState,

    lookup,
    recipientFor,
    send,
    waitFor,
    expectNothing,
    waitForRequest: (pattern, opts = {}) => waitFor(pattern, { ...opts, list: requests }),
    clear() { received.length = 0; requests.length = 0; errors.length = 0; },

    async follow(as, target, opts = {}) {
      const json = build.follow(as, target, opts);
      remember(json);
      return send(as, json, opts, hrefOf(target));
    },
    async undoFollow(as, followId, opts = {}) {
      const json = build.undo(as, followId, opts);
      return send(as, json, opts, hrefOf(sentJson(followId).object));
    },
    async like(as, object, opts = {}) {
      const json = build.like(as, object, opts);
      remember(json);
      return send(as, json, opts, hrefOf(object));
    },
    async undoLike(as, likeId, opts = {}) {
      const json = build.undo(as, likeId, opts);
      return send(as, json, opts, hrefOf(sentJson(likeId).object));
    },
    // Undo of any activity this peer sent; opts.to defaults to its object.
    async undo(as, activityId, opts = {}) {
      const json = build.undo(as, activityId, opts);
      return send(as, json, opts, hrefOf(sentJson(activityId).object));
    },
    // Create(Note). opts: the note fields of build.note, plus {to} or
    // {inbox} for delivery (default: the author of inReplyTo), {raw}.
    async post(as, opts = {}) {
      const note = build.note(as, opts);
      remember(note);
      const { to: _to, cc: _cc, ...delivery } = opts;
      await send(as, build.create(as, note), { ...delivery, to: opts.deliverTo, inbox: opts.inbox }, opts.inReplyTo);
      return note.id;
    },
    async reply(as, inReplyTo, content, opts = {}) {
      return peer.post(as, { ...opts, inReplyTo, content });
    },
    async updateNote(as, noteId, changes = {}, opts = {}) {
      const stored = objects.get(noteId);
      if (!stored) throw new Error(`the peer has no note ${noteId}`);
      const note = { ...stored.json, ...changes, updated: nowIso() };
      if (changes.attachments) {
        note.attachment = build.note(as, { ...changes, id: noteId }).attachment;
        delete note.attachments;
      }
      stored.json = note;
      const json = build.update(as, note, opts);
      return send(as, json, opts, note.inReplyTo);
    },
    async deleteNote(as, noteId, opts = {}) {
      const stored = objects.get(noteId);
      const json = build.deleteNote(as, noteId, opts);
      if (stored) stored.deleted = true;
      return send(as, json, opts, stored?.json.inReplyTo);
    },
    async block(as, target, opts = {}) {
      const json = build.block(as, target, opts);
      remember(json);
      return send(as, json, opts, hrefOf(target));
    },
    // opts.objects: the reported actor first, then posts. Delivered to
    // opts.to (default: the first object) or opts.inbox.
    async flag(as, opts = {}) {
      const json = build.flag(as, opts);
      remember(json);
      return send(as, json, opts, json.object[0]);
    },
    async announce(as, object, opts = {}) {
      const json = build.announce(as, object, opts);
      remember(json);
      return send(as, json, opts, hrefOf(object));
    },
    // Changes the actor (displayName, summary, icon, manuallyApprovesFollowers)
    // and sends Update(Person) to opts.to / opts.inbox.
    async updateActor(as, changes = {}, opts = {}) {
      const a = actorState(as);
      for (const k of ['displayName', 'summary', 'icon', 'manuallyApprovesFollowers']) if (k in changes) a[k] = changes[k];
      const person = await buildActor(ctx, as);
      const personJson = await person.toJsonLd({ format: 'compact', contextLoader: ctx.contextLoader });
      const { to: _to, ...delivery } = opts;
      const json = build.update(as, personJson, { id: opts.id, to: [PUBLIC] });
      return send(as, json, { ...delivery, to: opts.to });
    },
    // Delete(actor); afterwards the actor answers 410 (unless {keep: true}).
    async deleteActor(as, opts = {}) {
      const json = build.deleteActor(as, opts);
      const id = await send(as, json, opts);
      if (!opts.keep) actorState(as).deleted = true;
      return id;
    },
    acceptFollow,
    rejectFollow,

    stop() {
      stopping ??= (async () => {
        await proxy?.stop();
        await new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopping;
    },
  };
  return peer;
}
