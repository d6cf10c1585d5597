// A stand-in for an account on another server, with node built-ins only (no
// Fedify here): a node:http server on 127.0.0.1 serving one ActivityPub
// actor document, whose Like, Create(Note) and Announce it sends to
// Vantage's shared inbox signed as Mastodon signs them (draft-cavage
// rsa-sha256 over `(request-target) host date digest content-type`; the
// same arithmetic as tests/federation/lib/httpsig.mjs). Vantage fetches the
// actor to check the signature, which global setup allows with
// --federation-allow-private.
//
//   const remote = await startRemoteActor({ name: 'rosa', displayName: 'Rosa Remote' });
//   remote.acct            'rosa@127.0.0.1:<port>', as the API writes it
//   remote.url             the profile page on its own server
//   await remote.like(noteUri); await remote.reply(noteUri, 'Hello'); await remote.boost(noteUri);
//   await remote.close();
//
// A local post's ActivityPub id is noteUri(user, status).
import crypto from 'node:crypto';
import http from 'node:http';

export const noteUri = (user, status) => `${process.env.VANTAGE_URL}/users/${user.username}/statuses/${status.id}`;

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

export async function startRemoteActor({ name = 'rosa', displayName = 'Rosa Remote' } = {}) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method === 'GET' && path === `/users/${name}`) {
      res.writeHead(200, { 'Content-Type': 'application/activity+json' });
      res.end(JSON.stringify(actor));
    } else if (req.method === 'GET' && path === `/@${name}`) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${displayName}</title><h1>${displayName}</h1>`);
    } else if (req.method === 'POST' && (path === '/inbox' || path === `/users/${name}/inbox`)) {
      req.resume();
      res.writeHead(202).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const id = `${origin}/users/${name}`;
  const actor = {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id,
    type: 'Person',
    preferredUsername: name,
    name: displayName,
    summary: '<p>Posting from elsewhere.</p>',
    url: `${origin}/@${name}`,
    inbox: `${id}/inbox`,
    outbox: `${id}/outbox`,
    followers: `${id}/followers`,
    following: `${id}/following`,
    endpoints: { sharedInbox: `${origin}/inbox` },
    manuallyApprovesFollowers: false,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) },
  };

  // POSTs one activity to Vantage's shared inbox; throws unless it is a 2xx.
  const send = async (activity) => {
    const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', ...activity });
    const target = new URL('/inbox', process.env.VANTAGE_URL);
    const headers = {
      host: target.host,
      date: new Date().toUTCString(),
      digest: `SHA-256=${crypto.createHash('sha256').update(body).digest('base64')}`,
      'content-type': 'application/activity+json',
    };
    const signed = ['(request-target)', 'host', 'date', 'digest', 'content-type'];
    const text = signed.map((h) => (h === '(request-target)' ? `${h}: post ${target.pathname}` : `${h}: ${headers[h]}`)).join('\n');
    const signature = crypto.sign('sha256', Buffer.from(text), privateKey).toString('base64');
    const res = await fetch(target, {
      method: 'POST',
      headers: { ...headers, signature: `keyId="${id}#main-key",algorithm="rsa-sha256",headers="${signed.join(' ')}",signature="${signature}"` },
      body,
    });
    if (!res.ok) throw new Error(`${activity.type} to ${target}: ${res.status} ${await res.text()}`);
  };
  const activityId = () => `${id}/activities/${crypto.randomUUID()}`;

  return {
    id,
    origin,
    username: name,
    acct: `${name}@${new URL(origin).host}`,
    url: actor.url,
    like: (object) => send({ id: activityId(), type: 'Like', actor: id, object }),
    boost: (object) => send({ id: activityId(), type: 'Announce', actor: id, object, to: [PUBLIC], cc: [`${id}/followers`] }),
    // A comment on a local post: returns the note's id.
    async reply(inReplyTo, text) {
      const note = {
        id: `${id}/notes/${crypto.randomUUID()}`, type: 'Note', attributedTo: id, inReplyTo,
        content: `<p>${text}</p>`, published: new Date().toISOString(), to: [PUBLIC], cc: [`${id}/followers`],
      };
      await send({ id: `${note.id}/activity`, type: 'Create', actor: id, object: note, to: note.to, cc: note.cc });
      return note.id;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
