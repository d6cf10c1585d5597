// /console/:org/audit: the organisation's audit log (owners), newest first:
// when, who, what, on what, from where.
import { h } from '../../dom.js';
import { get } from '../../api.js';
import { pagedList } from '../../ui/paged.js';
import { consoleNav, roleList } from '../../ui/console_nav.js';
import { localTime } from '../../ui/drafts.js';

const ACTIONS = {
  'organisation.created': () => 'Organisation created',
  'staff.sign_in': () => 'Signed in',
  'staff.role_added': (d) => `Role added: ${d.role}`,
  'staff.role_removed': (d) => `Role removed: ${d.role}`,
  'staff.invited': (d) => `Invited as ${roleList(d.roles)}`,
  'staff.invitation_accepted': () => 'Invitation accepted',
  'staff.invitation_declined': () => 'Invitation declined',
  'staff.invitation_withdrawn': () => 'Invitation withdrawn',
  'staff.second_factor_missing': () => 'Refused: no second factor',
  'staff.reauthentication_required': () => 'Asked to confirm it is them',
  'settings.changed': (d) => ('require_second_factor' in d
    ? `Setting changed: staff ${d.require_second_factor ? 'must' : 'need not'} use a second factor`
    : `Setting changed: ${d.approvals_required} approval${d.approvals_required === 1 ? '' : 's'} per draft`),
  as_organisation: (d) => `Acted as the organisation: ${d.method} ${d.path}`,
};

// Account names by id, each asked for once.
const names = new Map();
function accountName(id) {
  if (!names.has(id)) {
    names.set(id, get(`/api/v1/accounts/${encodeURIComponent(id)}`).then((a) => `@${a.acct}`, () => `Account ${id}`));
  }
  return names.get(id);
}

function entryRow(e) {
  const who = h('td', { text: e.actor_id ? '…' : 'Command line' });
  if (e.actor_id) accountName(e.actor_id).then((n) => { who.textContent = n; });
  const what = (ACTIONS[e.action] || ((d) => `${e.action}${d && Object.keys(d).length ? ` ${JSON.stringify(d)}` : ''}`))(e.detail || {});
  const target = h('td', { text: e.target_type ? `${e.target_type} ${e.target_id || ''}` : '' });
  if (e.target_type === 'account' && e.target_id) accountName(e.target_id).then((n) => { target.textContent = n; });
  return h('tr', {},
    h('td', {}, h('time', { datetime: e.created_at, text: localTime(e.created_at) })),
    who, h('td', { text: what }), target, h('td', { text: e.ip || '' }));
}

export default async function (main, { org }) {
  const membership = await consoleNav(main, org, 'audit');
  if (!membership) return;
  const body = h('tbody');
  const list = pagedList(`/api/vantage/v1/organisations/${encodeURIComponent(org)}/audit`, entryRow,
    { container: body, empty: 'Nothing recorded yet.' });
  main.append(h('section.console-page', {}, h('div.console-bar', {}, h('h1', { text: 'Audit log' })),
    h('div.table-scroll', { tabindex: 0, role: 'region', 'aria-label': 'Audit entries' }, h('table.audit', {},
      h('thead', {}, h('tr', {}, ...['Time', 'Who', 'Action', 'Target', 'IP'].map((t) => h('th', { scope: 'col', text: t })))),
      body)), list.root));
  await list.done;
  return list.stop;
}
