// Small account pieces: avatar, name with verified badge.
import { h, icon, sameOrigin } from '../dom.js';

const MISSING = '/avatars/original/missing.png';

// Accounts without a picture get their initial on a colour of their own.
// Small sizes use the 96-pixel file, larger ones the 400-pixel one.
export function avatar(account, size = 32, alt = null) {
  const label = alt === null ? `${account.display_name || account.username}'s profile picture` : alt;
  const src = size <= 48 && account.vantage_avatar_small ? account.vantage_avatar_small : account.avatar;
  // Pictures come from this server only (another server's is fetched and served by it).
  if (account.avatar && !account.avatar.endsWith(MISSING) && sameOrigin(src)) {
    return h('img.avatar', { src, alt: label, width: size, height: size, loading: 'lazy' });
  }
  let hue = 0;
  for (const c of account.username) hue = (hue * 31 + c.charCodeAt(0)) % 360;
  const el = h('span.avatar.avatar-letter', {
    role: label ? 'img' : null, 'aria-label': label || null, 'aria-hidden': label ? null : 'true',
    text: (account.display_name || account.username).trim().charAt(0).toUpperCase(),
  });
  el.style.width = el.style.height = `${size}px`;
  el.style.fontSize = `${Math.round(size * 0.45)}px`;
  el.style.backgroundColor = `hsl(${hue} 45% 38%)`;
  return el;
}

export function badge(account) {
  return account.verified ? h('span.badge', { title: 'Verified' }, icon('check', 'Verified')) : null;
}

// A remote account (acct "name@host") has its page here at /@name@host,
// like a local one; its handle is always shown in full.
export const isRemote = (account) => (account.acct || '').includes('@');
export const handleOf = (account) => `@${account.acct || account.username}`;
export const hostOf = (account) => (account.acct || '').split('@').pop();
export const profilePath = (account) => `/@${account.acct || account.username}`;
export const profileLink = (account) => ({ href: profilePath(account) });

// The picture linking to the profile, left out of the tab order (the name beside it links too).
export const avatarLink = (account, size, cls = '') => h(`a${cls}`, { ...profileLink(account), tabindex: '-1', 'aria-hidden': 'true' }, avatar(account, size, ''));

// "name ✓" linking to the profile (a remote one's with its handle); the handle under it when asked.
export function nameLink(account, { handle = false } = {}) {
  const remote = isRemote(account) && !handle;
  const link = h('a.name', { ...profileLink(account), class: remote ? 'remote' : null },
    h('span.display', { text: account.display_name || account.username }), badge(account),
    remote ? h('span.handle', { text: handleOf(account) }) : null);
  if (!handle) return link;
  return h('span.names', {}, link, h('span.handle', { text: handleOf(account) }));
}

export function accountRow(account, ...actions) {
  return h('li.account-row', { dataset: { id: account.id, acct: account.acct || account.username } },
    avatarLink(account, 44, '.account-row-avatar'),
    nameLink(account, { handle: true }),
    h('div.row-actions', {}, ...actions));
}
