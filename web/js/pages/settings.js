// Settings: the profile, the password, the sessions, and signing out.
import { h } from '../dom.js';
import { navigate } from '../router.js';
import { session, signedIn, signOut } from '../session.js';
import { renderNav } from '../ui/nav.js';

export default async function (main) {
  document.title = 'Settings · Vantage';
  if (!signedIn()) {
    navigate('/sign_in', { replace: true });
    return;
  }
  const out = h('button.secondary', { type: 'button', text: 'Sign out' });
  out.addEventListener('click', async () => {
    await signOut();
    renderNav(location.pathname);
    navigate('/', { replace: true });
  });
  main.append(h('h1.page-title', { text: 'Settings' }),
    h('section.card', {}, h('h2', { text: 'Account' }), h('p', { text: `Signed in as @${session.account.username}.` }), out));
}
