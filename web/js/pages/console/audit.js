// /console/:org/audit: the organisation's audit log (owners), newest first:
// when, who, what, on what, from where.
import { h } from '../../dom.js';
import { get, request } from '../../api.js';
import { consoleNav } from '../../ui/console_nav.js';
import { localTime } from '../../ui/drafts.js';

const ACTIONS = {
  'organisation.created': () => 'Organisation created',
  'staff.sign_in': () => 'Signed in',
  'staff.role_added': (d) => `Role added: ${d.role}`,
  'staff.role_removed': (d) => `Role removed: ${d.role}`,
  as_organisation: (d) => `Acted as the organisation: ${d.method} ${d.path}`,
};

// Account names by id, each asked for once.
const names = new Map();
function accountName(id) {
  if (!names.has(id)) {
    names.set(id, get(`/api/v1/accounts/${encodeURIComponent(id)}`).then((a) => `@${a.username}`, () => `Account ${id}`));
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
  const status = h('p.list-status', { role: 'status' });
  const more = h('button.more', { type: 'button', text: 'Older entries', hidden: true });
  let next = `/api/vantage/v1/organisations/${encodeURIComponent(org)}/audit`;
  const load = async () => {
    more.disabled = true;
    status.textContent = 'Loading…';
    try {
      const { data, link } = await request('GET', next);
      body.append(...data.map(entryRow));
      next = data.length ? link.next : null;
      status.textContent = body.children.length ? '' : 'Nothing recorded yet.';
    } catch (e) {
      status.textContent = e.message;
    }
    more.disabled = false;
    more.hidden = !next;
  };
  more.addEventListener('click', load);
  main.append(h('section.console-page', {}, h('div.console-bar', {}, h('h1', { text: 'Audit log' })),
    h('div.table-scroll', { tabindex: 0, role: 'region', 'aria-label': 'Audit entries' }, h('table.audit', {},
      h('thead', {}, h('tr', {}, ...['Time', 'Who', 'Action', 'Target', 'IP'].map((t) => h('th', { scope: 'col', text: t })))),
      body)), status, more));
  await load();
}
