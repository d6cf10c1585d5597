// Sign-in: the password, then, for an account with a second factor, a
// passkey, a code from its authenticator app or one of its recovery codes
// (docs/account-security.md). An account whose address is not confirmed yet
// (with --require-email-confirmation) is told to follow the link first.
import { h } from '../dom.js';
import { navigate } from '../router.js';
import { signIn, signInWithCode, signInWithPasskey, signedIn } from '../session.js';
import { field, errorLine, submitting, waitError } from '../ui/form.js';
import { passkeysSupported, usePasskey } from '../webauthn.js';

// The web sign-in hands out no session for an unconfirmed account: the
// page points to the message, and to /confirm_email, which sends it again
// to the address given there (POST /auth/email/confirmation).
const unconfirmed = (e) => (e?.code === 'email_unconfirmed'
  ? new Error('Confirm your e-mail address first: follow the link we sent you. Lost it? Ask for a new one below.') : e);
const resendLink = () => h('p.switch', {}, h('a', { href: '/confirm_email', text: 'Send the confirmation link again' }));

export default function (main) {
  if (signedIn()) {
    navigate('/', { replace: true });
    return;
  }
  document.title = 'Sign in · Vantage';
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = errorLine();
  const form = h('form.card.auth', {},
    h('h1', { text: 'Sign in to Vantage' }),
    field('Username or e-mail', username),
    field('Password', password),
    error,
    h('button.primary', { type: 'submit', text: 'Sign in' }),
    h('p.switch', {}, h('a', { href: '/forgot_password', text: 'Forgot your password?' })),
    h('p.switch', {}, 'No account yet? ', h('a', { href: '/sign_up', text: 'Sign up' })));

  // Back to the password (Back, or a sign-in token that expired), with
  // `message` in its alert.
  const passwordStep = (message = '') => {
    password.value = '';
    error.textContent = message;
    main.replaceChildren(form);
    password.focus();
  };

  // The second step: `second` is signIn's {token, methods, webauthn}. An
  // account with passkeys gets "Use a passkey" (the first choice when it has
  // no authenticator app); the code field takes a TOTP code or a recovery
  // code either way.
  const codeStep = ({ token, methods = [], webauthn = null }) => {
    const totp = methods.includes('totp');
    const passkey = methods.includes('webauthn') && Boolean(webauthn);
    const code = h('input', {
      name: 'code', autocomplete: 'one-time-code', inputmode: 'text', autocapitalize: 'none',
      spellcheck: 'false', required: true, maxlength: 32,
    });
    const codeError = errorLine();
    const back = h('button.secondary', { type: 'button', text: 'Back', onclick: () => passwordStep() });
    // After a refusal that ends this sign-in, or a session.
    const finish = (x) => {
      if (x.code === 'sign_in_expired') {
        passwordStep(x.message);
        return;
      }
      throw unconfirmed(waitError(x));
    };

    let intro = 'Open your authenticator app and type the 6-digit code it shows for Vantage. '
      + 'Without your phone, type one of your recovery codes instead.';
    let passkeyPart = null;
    let passkeyButton = null;
    if (passkey) {
      intro = totp
        ? 'Use your passkey, or type the 6-digit code your authenticator app shows for Vantage. '
          + 'Without either, type one of your recovery codes instead.'
        : 'Use your passkey: your browser asks you to unlock it or touch it. '
          + 'Without it, type one of your recovery codes instead.';
      const passkeyError = errorLine();
      if (passkeysSupported()) {
        passkeyButton = h(totp ? 'button.secondary.passkey-button' : 'button.primary.passkey-button', { type: 'button', text: 'Use a passkey' });
        passkeyButton.addEventListener('click', () => {
          submitting(passkeyButton, passkeyError, async () => {
            try {
              await signInWithPasskey(token, await usePasskey(webauthn));
            } catch (x) {
              // 401 invalid_credential: a passkey the server does not take
              // (this sign-in goes on: the code field still works).
              if (x.code === 'invalid_credential') {
                throw new Error('Vantage did not accept this passkey. Try again, or use a recovery code.');
              }
              finish(x);
              return;
            }
            navigate('/', { replace: true });
          });
        });
        passkeyPart = h('div.passkey-step', {}, passkeyButton, passkeyError);
      } else {
        passkeyPart = h('p.muted', { text: 'This browser cannot use passkeys here: type one of your recovery codes instead.' });
      }
    }

    const verify = h(passkey && !totp ? 'button.secondary.verify-button' : 'button.primary', { type: 'submit', text: 'Verify' });
    const codeField = field(totp ? 'Code from your authenticator app or a recovery code' : 'Recovery code', code);
    const step = h('form.card.auth', {},
      h('h1', { text: 'Two-factor authentication' }),
      h('p', { text: intro }),
      // The passkey first when it is the account's only factor besides the
      // recovery codes; after the code when there is an authenticator app.
      totp ? null : passkeyPart,
      passkey && !totp ? h('p.or', { text: 'Or' }) : null,
      codeField,
      codeError,
      verify,
      totp && passkeyPart ? h('p.or', { text: 'Or' }) : null,
      totp ? passkeyPart : null,
      h('p.switch', {}, back));
    step.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(step, codeError, async () => {
        try {
          await signInWithCode(token, code.value.replace(/\s+/g, ''));
        } catch (x) {
          finish(x);
          return;
        }
        navigate('/', { replace: true });
      }, { code });
    });
    main.replaceChildren(step);
    (passkeyButton && !totp ? passkeyButton : code).focus();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const second = await signIn(username.value.trim(), password.value).catch((x) => {
        if (x?.code === 'email_unconfirmed' && !form.querySelector('a[href="/confirm_email"]')) error.after(resendLink());
        throw unconfirmed(x);
      });
      if (second) codeStep(second);
      else navigate('/', { replace: true });
    });
  });
  main.append(form);
  username.focus();
}
