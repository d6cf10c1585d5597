// Passkeys (WebAuthn; docs/account-security.md): the server hands out its
// options with every binary field in base64url, and takes the browser's
// answers back the same way. This turns one into the other around
// navigator.credentials, and the browser's refusals into sentences.

// Whether this browser offers WebAuthn here at all (it needs a secure
// context: https, or http://localhost).
export const passkeysSupported = () => typeof window.PublicKeyCredential === 'function'
  && Boolean(navigator.credentials?.create && navigator.credentials?.get);

export function fromBase64Url(text) {
  const base64 = String(text).replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function toBase64Url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const decodeList = (list) => (list || []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));

// What the browser says when it makes or uses no passkey, as a sentence for
// the page. `making`: registering one (true) or signing in (false).
function refusal(e, making) {
  switch (e?.name) {
    case 'NotAllowedError':
    case 'AbortError':
      return making
        ? 'No passkey was added: the browser’s prompt was closed or timed out. Try again when you are ready.'
        : 'No passkey was used: the browser’s prompt was closed or timed out, or this device has no passkey for '
          + 'your account. Try again, or use a recovery code.';
    case 'InvalidStateError':
      return making ? 'This device already has a passkey for your account.'
        : 'This device cannot use its passkey here. Try again, or use a recovery code.';
    case 'SecurityError':
      return 'The browser refuses passkeys at this address: open Vantage at its own address and try again.';
    case 'NotSupportedError':
      return making ? 'This device cannot make a passkey that Vantage accepts.'
        : 'This device has no passkey that Vantage accepts. Use a recovery code instead.';
    default:
      return `The browser could not ${making ? 'make' : 'use'} a passkey${e?.message ? `: ${e.message}` : '.'}`;
  }
}

// Only the browser's own errors are turned into sentences; anything else
// (the API's) goes on as it is.
const browserError = (e, making) => (e instanceof DOMException || e instanceof TypeError ? new Error(refusal(e, making)) : e);

// POST .../webauthn/options answered {publicKey}: makes the passkey and
// resolves to the `credential` POST .../webauthn takes.
export async function createPasskey(publicKey) {
  const options = {
    ...publicKey,
    challenge: fromBase64Url(publicKey.challenge),
    user: { ...publicKey.user, id: fromBase64Url(publicKey.user.id) },
    excludeCredentials: decodeList(publicKey.excludeCredentials),
  };
  let made;
  try {
    made = await navigator.credentials.create({ publicKey: options });
  } catch (e) {
    throw browserError(e, true);
  }
  if (!made) throw new Error(refusal(null, true));
  return {
    client_data_json: toBase64Url(made.response.clientDataJSON),
    attestation_object: toBase64Url(made.response.attestationObject),
  };
}

// The sign-in's `webauthn` (PublicKeyCredentialRequestOptions): asks the
// browser for an assertion and resolves to the `credential` /auth/sign_in
// takes.
export async function usePasskey(requestOptions) {
  const options = {
    ...requestOptions,
    challenge: fromBase64Url(requestOptions.challenge),
    allowCredentials: decodeList(requestOptions.allowCredentials),
  };
  let used;
  try {
    used = await navigator.credentials.get({ publicKey: options });
  } catch (e) {
    throw browserError(e, false);
  }
  if (!used) throw new Error(refusal(null, false));
  return {
    id: toBase64Url(used.rawId),
    client_data_json: toBase64Url(used.response.clientDataJSON),
    authenticator_data: toBase64Url(used.response.authenticatorData),
    signature: toBase64Url(used.response.signature),
  };
}
