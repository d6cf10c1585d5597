// Looking people and posts up on other servers: a handle (@name@host,
// name@host) or a link is resolved by this server through WebFinger and a
// fetch (GET /api/v2/search?resolve=true, signed in), which can take seconds.
import { get } from '../api.js';

// The host a query names when it is a handle or a link; null otherwise.
export function remoteHost(q) {
  const handle = /^@?[^\s@/]+@([^\s@/]+)$/.exec(q);
  if (handle) return handle[1];
  if (!/^https?:\/\/\S+$/i.test(q)) return null;
  try {
    return new URL(q).host;
  } catch {
    return null;
  }
}

export const resolve = (q, type = '') =>
  get(`/api/v2/search?resolve=true&limit=20${type && `&type=${type}`}&q=${encodeURIComponent(q)}`);

// What to tell the reader when a lookup failed: the other server did not
// answer (502 remote_unavailable), or the API's own sentence.
export function lookupFailure(error, host) {
  return error.code === 'remote_unavailable' ? `${host} did not answer. Try again later.` : error.message;
}
