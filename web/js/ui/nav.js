// The navigation: a bottom tab bar on phones, a left rail on wide screens
// (the same links; app.css places them).
import { h, icon, clear } from '../dom.js';
import { get } from '../api.js';
import { session, signedIn, myOrganisations } from '../session.js';
import { avatar } from './account.js';

function item(href, iconName, label, path, extra) {
  const active = href === '/' ? path === '/' : path.startsWith(href);
  return h('a.nav-item', { href, 'aria-current': active ? 'page' : null, class: extra },
    iconName === 'avatar' ? avatar(session.account, 26, '') : icon(iconName), h('span.nav-label', { text: label }));
}

// A locked account's pending follow requests show as a dot on the bell
// (the count comes with verify_credentials, not with the session).
async function markRequests(bell) {
  const me = await get('/api/v1/accounts/verify_credentials').catch(() => null);
  const n = me && me.source ? me.source.follow_requests_count : 0;
  if (n) bell.append(h('span.nav-dot', { 'aria-hidden': 'true' }), h('span.visually-hidden', { text: `, ${n} follow request${n === 1 ? '' : 's'}` }));
}

export function renderNav(path) {
  const nav = clear(document.getElementById('nav'));
  nav.append(h('a.brand', { href: '/' }, h('span', { text: 'Vantage' })));
  const list = h('div.nav-items');
  if (signedIn()) {
    const me = `/@${session.account.username}`;
    const bell = item('/notifications', 'bell', 'Notifications', path);
    if (session.account.locked) markRequests(bell);
    list.append(
      item('/', 'home', 'Home', path),
      item('/search', 'search', 'Search', path),
      item('/explore', 'explore', 'Explore', path),
      item('/new', 'plus', 'New post', path),
      bell,
      item(me, 'avatar', 'Profile', path),
      item('/settings', 'gear', 'Settings', path, 'wide-only'),
    );
    // Staff of an organisation get its console, before Settings.
    myOrganisations().then((served) => {
      if (served.length) list.insertBefore(item('/console', 'desk', 'Console', path), list.lastElementChild);
    });
  } else {
    list.append(
      item('/', 'home', 'Home', path),
      item('/explore', 'explore', 'Explore', path),
      item('/search', 'search', 'Search', path),
      item('/sign_in', 'user', 'Sign in', path),
      h('a.nav-item.nav-cta', { href: '/sign_up' }, h('span.nav-label', { text: 'Sign up' })),
    );
  }
  nav.append(list);
}
