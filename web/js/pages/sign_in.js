// Sign-in: the password, then, for an account with a second factor, a code
// from its authenticator app or one of its recovery codes
// (docs/account-security.md). An account whose address is not confirmed yet
// (with --require-email-confirmation) is told to follow the link first.
import { h } from '../dom.js';
import { navigate } from '../router.js';
import { signIn, signInWithCode, signedIn } from '../session.js';
import { field, errorLine, submitting, waitError } from '../ui/form.js';

// The web sign-in hands out no token for an unconfirmed account, and sending
// the link again needs one (POST /api/v1/emails/confirmations): the page can
// only point to the message.
const unconfirmed = (e) => (e?.code === 'email_unconfirmed'
  ? new Error('Confirm your e-mail address first: follow the link we sent you.') : e);

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

  const codeStep = (token) => {
    const code = h('input', {
      name: 'code', autocomplete: 'one-time-code', inputmode: 'text', autocapitalize: 'none',
      spellcheck: 'false', required: true, maxlength: 32,
    });
    const codeError = errorLine();
    const back = h('button.secondary', { type: 'button', text: 'Back', onclick: () => passwordStep() });
    const step = h('form.card.auth', {},
      h('h1', { text: 'Two-factor authentication' }),
      h('p', { text: 'Open your authenticator app and type the 6-digit code it shows for Vantage. '
        + 'Without your phone, type one of your recovery codes instead.' }),
      field('Code from your authenticator app or a recovery code', code),
      codeError,
      h('button.primary', { type: 'submit', text: 'Verify' }),
      h('p.switch', {}, back));
    step.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(step, codeError, async () => {
        try {
          await signInWithCode(token, code.value.replace(/\s+/g, ''));
        } catch (x) {
          if (x.code === 'sign_in_expired') {
            passwordStep(x.message);
            return;
          }
          throw unconfirmed(waitError(x));
        }
        navigate('/', { replace: true });
      }, { code });
    });
    main.replaceChildren(step);
    code.focus();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const second = await signIn(username.value.trim(), password.value).catch((x) => { throw unconfirmed(x); });
      if (second) codeStep(second.token);
      else navigate('/', { replace: true });
    });
  });
  main.append(form);
  username.focus();
}
