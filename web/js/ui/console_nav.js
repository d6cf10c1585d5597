// The staff console's header (the organisation's picture and name) and its
// tabs, each shown only to the roles that may use it (owners see them all).
import { h } from '../dom.js';
import { onSecondFactorRequired } from '../api.js';
import { navigate } from '../router.js';
import { myOrganisations, requireSignIn } from '../session.js';
import { avatar } from './account.js';

// [key, path under /console/:org, label, roles besides owner]
const TABS = [
  ['drafts', '', 'Drafts', ['editor', 'approver']],
  ['queue', '/queue', 'Approval queue', ['approver']],
  ['schedule', '/schedule', 'Schedule', ['editor', 'approver']],
  ['qa', '/qa', 'Q&A', ['editor', 'moderator']],
  ['insights', '/insights', 'Insights', ['analyst']],
  ['audit', '/audit', 'Audit log', []],
  ['staff', '/staff', 'Staff', []],
];

// hasRole(roles, 'editor', 'approver'): owners hold every role.
export function hasRole(roles, ...wanted) {
  return roles.includes('owner') || wanted.some((r) => roles.includes(r));
}

// "editor, approver, and analyst": the roles of a member or an invitation.
export const roleList = (roles) => new Intl.ListFormat('en').format(roles);

export const consolePath = (orgId, rest = '') => `/console/${encodeURIComponent(orgId)}${rest}`;

// Draws the header and tabs into `main`, titles the page after the tab, and
// resolves to the membership {account, roles}; null (after saying why) when
// the viewer does not serve this organisation or may not open the tab
// `current`. The console's landing (Drafts) sends other roles to their first tab.
export async function consoleNav(main, orgId, current) {
  if (!requireSignIn()) return null;
  const served = await myOrganisations();
  const membership = served.find((m) => m.account.id === orgId);
  if (!membership) {
    document.title = 'Staff console · Vantage';
    main.append(h('p.empty', { text: 'You are not on the staff of this organisation.' }));
    return null;
  }
  const { account, roles } = membership;
  const name = account.display_name || account.username;
  const tabs = h('ul.console-tabs');
  let allowed = false;
  let first;
  for (const [key, rest, label, needs] of TABS) {
    if (!hasRole(roles, ...needs)) continue;
    first ??= rest;
    if (key === current) allowed = label;
    tabs.append(h('li', {}, h('a.console-tab', { href: consolePath(orgId, rest), 'aria-current': key === current ? 'page' : null, text: label })));
  }
  if (!allowed && current === 'drafts' && first) {
    navigate(consolePath(orgId, first), { replace: true });
    return null;
  }
  drawn = { orgId, name };
  main.append(h('header.console-head', {},
    avatar(account, 44, ''),
    h('div.names', {}, h('strong', { text: name }), h('span.muted', { text: 'Staff console' }))),
  h('nav.console-nav', { 'aria-label': 'Console' }, tabs));
  document.title = `${allowed || 'Staff console'} · ${name} · Vantage`;
  if (!allowed) {
    main.append(h('p.empty', { text: `Your roles (${roles.join(', ')}) do not include this page.` }));
    return null;
  }
  return membership;
}

// The organisation whose console is on the screen: {orgId, name}.
let drawn = null;

// A staff request refused with 403 second_factor_required
// (docs/account-security.md): the organisation requires its staff to use a
// second factor, and the viewer's account has none. On this organisation's console page,
// a panel takes the page's place under the header and tabs, with the way to
// turn it on; the page's own work stops there (its request never settles).
// Anywhere else the request fails as usual, with the server's sentence.
onSecondFactorRequired((error, orgId) => {
  const main = document.getElementById('main');
  const here = /^\/console\/([^/]+)/.exec(location.pathname);
  if (!here || decodeURIComponent(here[1]) !== orgId || !drawn || drawn.orgId !== orgId) return undefined;
  if (!main.querySelector('.second-factor-required')) {
    for (const el of [...main.children]) if (!el.matches('.console-head, .console-nav')) el.remove();
    const title = h('h1', { id: 'second-factor-required-title', tabindex: -1, text: 'Turn on two-factor authentication' });
    main.append(h('section.card.second-factor-required', { 'aria-labelledby': title.id }, title,
      h('p', { text: `${drawn.name} requires its staff to use two-factor authentication: a code from an authenticator app `
        + 'on your phone as well as your password. Turn it on for your account to use the console.' }),
      h('p.muted', { text: 'Your own account, your settings and your invitations work as before.' }),
      h('p', {}, h('a.button.primary', { href: '/settings#two-factor', text: 'Turn it on in your settings' }))));
    document.title = `Two-factor authentication required · ${drawn.name} · Vantage`;
    title.focus();
  }
  return new Promise(() => {});
});
