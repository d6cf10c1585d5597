// "Confirm it is you" (docs/account-security.md, "Recent sign-in"): an
// organisation's action refused with 403 reauthentication_required asks for a
// passkey, a code from the authenticator app or a recovery code (an account
// with a second factor), or else the password, sends it to
// POST /api/vantage/v1/reauthenticate, and then the request once more.
// api.js's request() calls this for every such refusal, so pages do nothing.
import { h } from '../dom.js';
import { ApiError, get, post } from '../api.js';
import { field, errorLine, submitting, waitError } from './form.js';
import { passkeysSupported, usePasskey } from '../webauthn.js';

// One question at a time: requests refused together wait for the same answer.
let asking = null;

// Resolves to true once the server has accepted the code or password, false
// when the person cancels (Cancel, or Escape).
async function ask() {
  const factors = await get('/api/vantage/v1/second_factors');
  const { totp } = factors;
  // An account with passkeys has a second factor too: a passkey answers a
  // challenge of the server's; failing that, a code (with passkeys alone,
  // one of its recovery codes).
  const passkey = factors.passkeys?.length > 0 && passkeysSupported();
  const second = totp || factors.passkeys?.length > 0;
  const name = second ? 'code' : 'password';
  const input = second
    ? h('input', { name, autocomplete: 'one-time-code', inputmode: 'text', autocapitalize: 'none', spellcheck: 'false', required: true, maxlength: 32 })
    : h('input', { name, type: 'password', autocomplete: 'current-password', required: true });
  const error = errorLine();
  const title = h('h2', { id: 'reauth-title', text: 'Confirm it is you' });
  const lead = h('p', { id: 'reauth-lead', text: `This needs a recent sign-in. ${passkey ? 'Use your passkey, or type' : 'Type'} ${totp
    ? 'a code from your authenticator app, or one of your recovery codes.'
    : second ? 'one of your recovery codes.' : 'your password.'}` });
  const cancel = h('button.secondary', { type: 'button', text: 'Cancel' });
  const passkeyError = errorLine();
  // As on the sign-in page, the passkey comes first for an account without
  // an authenticator app, the code for one with it: that one is the primary
  // button and has the focus. The passkey's button has a paragraph of its
  // own, for the dialog's spacing under it.
  const passkeyFirst = passkey && !totp;
  const passkeyButton = passkey ? h(passkeyFirst ? 'button.primary' : 'button.secondary', { type: 'button', text: 'Use a passkey' }) : null;
  const form = h('form', {}, title, lead, passkey ? h('p.reauth-passkey', {}, passkeyButton) : null, passkey ? passkeyError : null,
    field(totp ? 'Code from your authenticator app or a recovery code' : second ? 'Recovery code' : 'Password', input), error,
    h('div.form-actions', {}, h(passkeyFirst ? 'button.secondary' : 'button.primary', { type: 'submit', text: 'Confirm' }), cancel));
  const dialog = h('dialog.reauth', { 'aria-labelledby': title.id, 'aria-describedby': lead.id }, form);
  document.body.append(dialog);
  let confirmed = false;
  const closed = new Promise((resolve) => dialog.addEventListener('close', () => {
    dialog.remove();
    resolve(confirmed);
  }));
  cancel.addEventListener('click', () => dialog.close());
  if (passkeyButton) {
    passkeyButton.addEventListener('click', () => submitting(passkeyButton, passkeyError, async () => {
      const { challenge_token: token, webauthn } = await post('/api/vantage/v1/second_factors/webauthn/challenge', {});
      const credential = await usePasskey(webauthn);
      await post('/api/vantage/v1/reauthenticate', { challenge_token: token, credential }).catch((x) => { throw waitError(x); });
      confirmed = true;
      dialog.close();
    }));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // A wrong code or password (422 naming the field) shows under the input.
    submitting(form, error, async () => {
      const value = second ? input.value.replace(/\s+/g, '') : input.value;
      await post('/api/vantage/v1/reauthenticate', { [name]: value }).catch((x) => { throw waitError(x); });
      confirmed = true;
      dialog.close();
    }, { [name]: input });
  });
  dialog.showModal();
  (passkeyFirst ? passkeyButton : input).focus();
  return closed;
}

// Asks, then runs `retry` (the refused request, sent again) once confirmed;
// throws a refusal saying so when the person cancels. Focus goes back to
// `opener` (where it was when the request started) once the request is over,
// when nothing else has it: a button disabled while it runs is enabled again
// by then.
export async function reauthenticate(refusal, retry, opener) {
  try {
    asking ??= ask().finally(() => { asking = null; });
    if (!(await asking)) {
      throw new ApiError(refusal.status, { ...refusal.body, error: 'Not done: this needs you to confirm it is you.' });
    }
    return await retry();
  } finally {
    setTimeout(() => {
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost && opener && opener.isConnected && opener.focus) opener.focus();
    });
  }
}
