import { h } from '../dom.js';
import { get, post } from '../api.js';
import { navigate } from '../router.js';
import { signUp, signedIn } from '../session.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { card } from '../ui/email_link.js';

// With --require-email-confirmation the new account signs in only once its
// address is confirmed: the page says where the link went, and can send it
// again with the token registration returned (the only time the app has one).
function checkEmail(main, address, token) {
  const sent = h('p', { role: 'status' });
  const error = errorLine();
  const again = h('button.secondary', { type: 'button', text: 'Send the link again' });
  again.onclick = () => submitting(again, error, async () => {
    sent.textContent = '';
    await post('/api/v1/emails/confirmations', {}, { bearer: token });
    sent.textContent = `Sent again to ${address}.`;
  });
  card(main, 'Confirm your e-mail address', [
    h('p', { text: `We sent a link to ${address}. Follow it to confirm your address, then sign in.` }),
    again, sent, error,
    h('p.switch', {}, h('a', { href: '/sign_in', text: 'Sign in' }))]);
}

export default async function (main) {
  if (signedIn()) {
    navigate('/', { replace: true });
    return;
  }
  document.title = 'Sign up · Vantage';
  const instance = await get('/api/v2/instance').catch(() => null);
  const registrations = instance && instance.registrations;
  if (registrations && !registrations.enabled) {
    main.append(h('section.card.auth', {}, h('h1', { text: 'Sign up' }),
      h('p', { text: 'This server is not taking new accounts.' })));
    return;
  }
  const approval = Boolean(registrations && registrations.approval_required);
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', maxlength: 30 });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const reason = h('textarea', { name: 'reason', rows: 3, required: true });
  const error = errorLine();
  const form = h('form.card.auth', {},
    h('h1', { text: 'Create your account' }),
    field('Username', username, 'Letters, digits and underscores, up to 30.'),
    field('E-mail', email),
    field('Password', password, 'At least 12 characters.'),
    approval ? field('Why do you want to join?', reason, 'An admin reads this before approving you.') : null,
    error,
    h('button.primary', { type: 'submit', text: 'Sign up' }),
    h('p.switch', {}, 'Have an account? ', h('a', { href: '/sign_in', text: 'Sign in' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const address = email.value.trim();
      const unconfirmed = await signUp({ username: username.value.trim(), email: address, password: password.value,
        reason: approval ? reason.value : undefined });
      if (unconfirmed) checkEmail(main, address, unconfirmed.token);
      else navigate('/', { replace: true });
    });
  });
  main.append(form);
  username.focus();
}
