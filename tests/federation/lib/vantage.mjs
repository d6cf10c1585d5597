// Starts the vantage binary for federation tests: behind the test TLS proxy
// (lib/tls.mjs), with --public-url https://127.0.0.1:<proxy port>, so its
// actor ids, inboxes and WebFinger are https and a Fedify peer can find its
// accounts by `acct:user@127.0.0.1:<proxy port>`. Vantage's own requests to
// the peers go to 127.0.0.1, which --federation-allow-private permits, over
// plain http or, to a peer behind the test TLS proxy (startPeer({https:
// true}), which WebFinger lookups need), over https trusting the test
// certificate (--federation-ca-file).
//
//   const v = await startFederatedVantage();
//   v.server            the API tests' server object (server.url is plain http,
//                       for the API helpers of tests/api/lib/server.mjs)
//   v.origin            https://127.0.0.1:<port>, the public origin
//   v.actorId('vera'), v.inbox('vera'), v.sharedInbox, v.acct('vera'),
//   v.instanceActor, v.webfinger('vera')
//   await v.stop();

import { startServer } from '../../api/lib/server.mjs';
import { caBundle, startTlsProxy, testCertificate, trustCertificate } from './tls.mjs';

export async function startFederatedVantage(flags = [], { allowPrivate = true, ...serverOptions } = {}) {
  testCertificate();
  trustCertificate();
  const proxy = await startTlsProxy();
  let server;
  try {
    server = await startServer([
      '--public-url', proxy.origin,
      '--federation-ca-file', caBundle(),
      ...(allowPrivate ? ['--federation-allow-private'] : []),
      ...flags,
    ], serverOptions);
  } catch (err) {
    await proxy.stop();
    throw err;
  }
  proxy.setTarget(server.url);
  const origin = proxy.origin;
  const actorId = (username) => `${origin}/users/${username}`;
  return {
    server,
    proxy,
    origin,
    host: proxy.host,
    actorId,
    keyId: (username) => `${actorId(username)}#main-key`,
    inbox: (username) => `${actorId(username)}/inbox`,
    sharedInbox: `${origin}/inbox`,
    instanceActor: `${origin}/actor`,
    acct: (username) => `acct:${username}@${proxy.host}`,
    statusId: (username, id) => `${actorId(username)}/statuses/${id}`,
    webfinger: (username) => `${origin}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${username}@${proxy.host}`)}`,
    async stop() {
      try {
        await server.stop();
      } finally {
        await proxy.stop();
      }
    },
  };
}
