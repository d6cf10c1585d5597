// /forgot_password: an e-mail address, to which the server sends a link to
// choose a new password (docs/account-security.md, "E-mail"). The answer is
// the same whether or not an account has the address.
import { h } from '../dom.js';
import { post } from '../api.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { card } from '../ui/email_link.js';

// A 429's Retry-After in words: seconds below a minute and a half, minutes above.
function wait(seconds) {
  if (seconds === null || seconds === undefined) return 'an hour';
  if (seconds < 90) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export default function (main) {
  document.title = 'Forgot your password · Vantage';
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const error = errorLine();
  const back = () => h('p.switch', {}, h('a', { href: '/sign_in', text: 'Back to sign in' }));
  const form = h('form.card.auth', {},
    h('h1', { text: 'Forgot your password?' }),
    h('p', { text: 'Type the e-mail address of your account. We will send it a link to choose a new password.' }),
    field('E-mail', email),
    error,
    h('button.primary', { type: 'submit', text: 'Send me a link' }),
    back());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const address = email.value.trim();
      try {
        await post('/auth/password/forgot', { email: address });
      } catch (x) {
        if (x.status === 429) throw new Error(`Too many requests for links from here. Wait ${wait(x.retryAfter)}, then try again.`);
        throw x;
      }
      card(main, 'Check your e-mail', [
        h('p', { text: 'If an account has this address, a link is on its way.' }),
        h('p.muted', { text: 'The link works once, for an hour. Nothing arrived? Look in your spam folder, '
          + 'or check that you typed the address of your account.' }),
        back()]);
    }, { email });
  });
  main.append(form);
  email.focus();
}
