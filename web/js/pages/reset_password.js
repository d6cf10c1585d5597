// /reset_password?token=...: the link of a "Reset your password" e-mail.
// Opening it spends nothing; the new password and the token go to
// POST /auth/password/reset, which signs the account out everywhere.
import { h } from '../dom.js';
import { post } from '../api.js';
import { signedIn, loadSession } from '../session.js';
import { renderNav } from '../ui/nav.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { linkToken, forgetLinkToken, card, spentLink, missingToken } from '../ui/email_link.js';

const askAgain = (text = 'Ask for a new link') => h('p.switch', {}, h('a', { href: '/forgot_password', text }));

export default function (main, { query }) {
  document.title = 'Choose a new password · Vantage';
  const token = linkToken(query);
  if (!token) {
    card(main, 'Choose a new password', [
      h('p', { text: missingToken }),
      askAgain()], false);
    return;
  }
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12, maxlength: 128 });
  const error = errorLine();
  const form = h('form.card.auth', {},
    h('h1', { text: 'Choose a new password' }),
    field('New password', password, 'At least 12 characters. Every session of the account is signed out.'),
    error,
    h('button.primary', { type: 'submit', text: 'Change password' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      try {
        await post('/auth/password/reset', { token, password: password.value });
      } catch (x) {
        if (x.code !== 'invalid_token') throw x;
        forgetLinkToken();
        card(main, 'This link does not work', [h('p', { text: spentLink }), askAgain()]);
        return;
      }
      forgetLinkToken();
      // The reset ended every session, this browser's included.
      if (signedIn()) {
        await loadSession();
        renderNav(location.pathname);
      }
      card(main, 'Your password is changed', [
        h('p', { text: 'You are signed out everywhere. Sign in with your new password.' }),
        h('a.button.primary', { href: '/sign_in', text: 'Sign in' })]);
    }, { password });
  });
  main.append(form);
  password.focus();
}
