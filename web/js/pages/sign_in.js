import { h } from '../dom.js';
import { navigate } from '../router.js';
import { signIn, signedIn } from '../session.js';
import { field, errorLine, submitting } from '../ui/form.js';

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
    h('p.switch', {}, 'No account yet? ', h('a', { href: '/sign_up', text: 'Sign up' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      await signIn(username.value.trim(), password.value);
      navigate('/', { replace: true });
    });
  });
  main.append(form);
  username.focus();
}
