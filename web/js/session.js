// Who is signed in. The browser holds an HttpOnly session cookie; the app
// only learns the account and the CSRF token from /auth/session.
import { get, post, setCsrfToken, ApiError } from './api.js';
import { navigate } from './router.js';

export const session = { account: null };

export const signedIn = () => session.account !== null;

// Pages for the signed-in only: `if (!requireSignIn()) return;` sends anyone
// else to the sign-in form.
export function requireSignIn() {
  if (!signedIn()) navigate('/sign_in', { replace: true });
  return signedIn();
}

function adopt(data) {
  session.account = data.account;
  setCsrfToken(data.csrf_token);
  organisations = null;
}

// The organisations the signed-in account serves, [{account, roles}]: asked
// once per sign-in, and again after a staff change (forgetOrganisations).
let organisations = null;
export function myOrganisations() {
  if (!signedIn()) return Promise.resolve([]);
  if (!organisations) {
    organisations = get('/api/vantage/v1/organisations').catch(() => {
      organisations = null;
      return [];
    });
  }
  return organisations;
}
export function forgetOrganisations() {
  organisations = null;
}

export async function loadSession() {
  try {
    adopt(await get('/auth/session'));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    session.account = null;
  }
}

// Resolves to null once signed in. An account with a second factor answers
// 403 second_factor_required instead: this resolves to {token, methods,
// webauthn} (webauthn: the passkey request options, when `methods` has
// "webauthn", else null), and the code then goes to signInWithCode, a
// passkey's assertion to signInWithPasskey (docs/account-security.md).
export async function signIn(username, password) {
  try {
    adopt(await post('/auth/sign_in', { username, password }));
    return null;
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'second_factor_required' || !e.body?.sign_in_token) throw e;
    return { token: e.body.sign_in_token, methods: e.body.methods || [], webauthn: e.body.webauthn || null };
  }
}

// The second step: a TOTP code or a recovery code, with the sign-in token.
export async function signInWithCode(token, code) {
  adopt(await post('/auth/sign_in', { sign_in_token: token, code }));
}

// The second step with a passkey: `credential` as webauthn.js's usePasskey
// resolves to ({id, client_data_json, authenticator_data, signature}).
export async function signInWithPasskey(token, credential) {
  adopt(await post('/auth/sign_in', { sign_in_token: token, credential }));
}

export async function signOut() {
  await post('/auth/sign_out', {});
  session.account = null;
  setCsrfToken('');
  organisations = null;
}

// Registration is the Mastodon one: an app, an app token, then the account.
// The token it returns is dropped; the browser signs in with a cookie.
// Resolves to null once signed in; when the server wants the address
// confirmed first (403 email_unconfirmed), to {token}: the account's token,
// kept only for sending the link again (docs/account-security.md).
export async function signUp({ username, email, password, reason }) {
  const app = await post('/api/v1/apps', {
    client_name: 'Vantage web',
    redirect_uris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow',
  });
  const token = await post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: app.client_id,
    client_secret: app.client_secret,
    scope: 'read write follow',
  });
  const account = await post('/api/v1/accounts', { username, email, password, agreement: true, locale: 'en', reason },
    { bearer: token.access_token });
  try {
    await signIn(username, password);
    return null;
  } catch (e) {
    if (e.code !== 'email_unconfirmed') throw e;
    return { token: account.access_token };
  }
}
