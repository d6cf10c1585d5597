// /console/:org: the organisation's drafts, by state, newest change first.
import { h } from '../../dom.js';
import { consoleNav, consolePath, hasRole } from '../../ui/console_nav.js';
import { pagedList } from '../../ui/paged.js';
import { STATES, draftsPath, draftRow } from '../../ui/drafts.js';

export default async function (main, { org, query }) {
  const membership = await consoleNav(main, org, 'drafts');
  if (!membership) return;
  const state = STATES[query.get('state')] ? query.get('state') : '';
  const head = h('div.console-bar', {}, h('h1', { text: 'Drafts' }));
  if (hasRole(membership.roles, 'editor')) head.append(h('a.button.primary', { href: consolePath(org, '/drafts/new'), text: 'New draft' }));
  const filters = h('ul.chips', { 'aria-label': 'Show drafts' },
    [['', 'All'], ...Object.entries(STATES)].map(([key, label]) => h('li', {},
      h('a.chip', { href: consolePath(org, key ? `?state=${key}` : ''), 'aria-current': key === state ? 'true' : null, text: label }))));
  const list = pagedList(draftsPath(org, state ? `?state=${state}` : ''), (d) => draftRow(org, d),
    { container: h('ul.drafts'), empty: h('span', { text: state ? `No drafts in this state.` : 'No drafts yet.' }) });
  main.append(h('section.console-page', {}, head, filters, list.root));
  return list.stop;
}
