// The server's public API, called with the session cookie. Writes carry the
// session's CSRF token in X-CSRF-Token (the server refuses cookie writes
// without it); /auth/session and /auth/sign_in hand it out.
let csrfToken = '';

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// An API error: `message` is the server's own sentence, meant for people;
// `field` names the input it refuses, if any; `retryAfter` is a 429's wait in
// seconds (null when the server gave none).
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super((body && body.error) || `The server answered ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

// Retry-After is seconds or an HTTP date.
function retryAfterSeconds(header) {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header);
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

// Link: <URL>; rel="next", ... -> {next, prev} as same-origin paths.
export function parseLink(header) {
  const out = {};
  if (!header) return out;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?(\w+)"?/.exec(part);
    if (!m) continue;
    const url = new URL(m[1], location.href);
    if (url.origin === location.origin) out[m[2]] = url.pathname + url.search;
  }
  return out;
}

function writeHeaders(method, bearer) {
  const headers = { Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  else if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  return headers;
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

// The organisation a request acts for: its Vantage-Act-As, or the :id of an
// organisation's staff routes (/api/vantage/v1/organisations/:id/...). null
// for everything else (the viewer's own account, settings and invitations).
function staffOf(path, headers) {
  const actAs = headers && headers['Vantage-Act-As'];
  if (actAs) return String(actAs);
  const m = /^\/api\/vantage\/v1\/organisations\/(\d+)\//.exec(path);
  return m ? m[1] : null;
}

// Who answers `403 second_factor_required` on a staff request (the
// organisation requires a second factor and the viewer has none): the
// console, which puts its panel in place of the page (ui/console_nav.js).
// handler(error, orgId) returns a promise that never settles when it has
// done so (the page stops where it was), or undefined to let the request
// fail as usual.
let secondFactorRequired = () => undefined;
export function onSecondFactorRequired(handler) {
  secondFactorRequired = handler;
}

async function refused(error, path, headers) {
  const org = error.code === 'second_factor_required' && staffOf(path, headers);
  if (org) await secondFactorRequired(error, org);
  return error;
}

// Returns {data, link, status}; throws ApiError for any non-2xx answer.
// `403 reauthentication_required` (an organisation's action that needs a
// recent sign-in) asks the person to confirm it is them
// (ui/reauthenticate.js), then sends the request once more: the caller sees
// only that second answer, or the refusal when they cancel.
export async function request(method, path, options = {}) {
  const { json, form, bearer, signal, headers, confirmed } = options;
  const init = { method, headers: { ...writeHeaders(method, bearer), ...headers }, credentials: 'same-origin', signal };
  if (form) {
    init.body = form;
  } else if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  // Where focus is now, before the browser moves it off a button disabled
  // while its request runs: the question gives it back there.
  const focused = document.activeElement;
  const res = await fetch(path, init);
  const data = parse(await res.text());
  if (!res.ok) {
    const error = new ApiError(res.status, data, retryAfterSeconds(res.headers.get('Retry-After')));
    if (error.code === 'reauthentication_required' && !bearer && !confirmed) {
      const { reauthenticate } = await import('./ui/reauthenticate.js');
      return reauthenticate(error, () => request(method, path, { ...options, confirmed: true }), focused);
    }
    throw await refused(error, path, headers);
  }
  return { data, link: parseLink(res.headers.get('Link')), status: res.status };
}

export const get = async (path, options) => (await request('GET', path, options)).data;
export const post = async (path, json, options = {}) => (await request('POST', path, { ...options, json })).data;
export const put = async (path, json, options = {}) => (await request('PUT', path, { ...options, json })).data;
export const patch = async (path, json) => (await request('PATCH', path, { json })).data;
export const del = async (path, options) => (await request('DELETE', path, options)).data;

// A photo upload with progress (fetch reports none for request bodies):
// onProgress(fraction) while the bytes go up. Resolves to the attachment.
// headers: Vantage-Act-As, for an organisation's uploads.
export function uploadMedia(file, description, onProgress, headers = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v2/media');
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else refused(new ApiError(xhr.status, body), '/api/v2/media', headers).then(reject);
    };
    xhr.onerror = () => reject(new ApiError(0, { error: 'The upload could not reach the server' }));
    const form = new FormData();
    form.append('file', file);
    if (description) form.append('description', description);
    xhr.send(form);
  });
}

// v2 uploads may answer before processing ends (url null); ask until the
// attachment has its url, or the server says it failed.
export async function waitForMedia(media, headers) {
  let current = media;
  for (let attempt = 0; !current.url; attempt++) {
    if (attempt > 60) throw new ApiError(0, { error: 'The photo took too long to process' });
    await new Promise((r) => setTimeout(r, Math.min(1000, 150 * (attempt + 1))));
    current = await get(`/api/v1/media/${encodeURIComponent(current.id)}`, { headers });
  }
  return current;
}

// A GET started early (while the page is still learning who is signed in),
// handed to the first code that asks for the same path; a failed one is
// simply asked again.
const early = new Map();
export function prefetch(path) {
  early.set(path, request('GET', path).catch(() => null));
}
export async function requestOnce(path) {
  const started = early.get(path);
  early.delete(path);
  return (started && (await started)) || request('GET', path);
}
