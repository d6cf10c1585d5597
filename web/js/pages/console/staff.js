// /console/:org/staff (owners): the members and their roles, changed with
// checkboxes; adding someone by username, which invites them (they join once
// they accept, on /invitations); the invitations waiting, each withdrawn;
// removing; how many approvals a draft needs, and whether staff must use a
// second factor. The organisation always keeps an owner (409 last_owner).
import { h, clear, toast } from '../../dom.js';
import { get, put, del } from '../../api.js';
import { forgetOrganisations } from '../../session.js';
import { consoleNav, roleList } from '../../ui/console_nav.js';
import { accountRow } from '../../ui/account.js';
import { field, errorLine, submitting } from '../../ui/form.js';

const ROLES = ['owner', 'editor', 'approver', 'moderator', 'analyst'];

// A fieldset of one checkbox per role; read() -> the roles ticked.
function roleBoxes(legend, roles) {
  const boxes = ROLES.map((role) => h('input', { type: 'checkbox', value: role, checked: roles.includes(role) }));
  const set = h('fieldset.roles', {}, h('legend.visually-hidden', { text: legend }),
    boxes.map((box) => h('label.role', {}, box, ` ${box.value}`)));
  return { set, read: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

// The organisation's settings: how many approvals a draft needs, and whether
// staff must use a second factor (docs/account-security.md). Save sends what
// changed (each change is audited); the approvals alone when nothing did.
function settingsForm(base) {
  const n = h('input', { type: 'number', min: 1, max: 5, required: true, name: 'approvals_required' });
  const secondFactor = h('input', { type: 'checkbox', name: 'require_second_factor', 'aria-describedby': 'require-second-factor-hint' });
  const error = errorLine();
  let saved = null;
  const show = (s) => {
    saved = s;
    n.value = s.approvals_required;
    secondFactor.checked = Boolean(s.require_second_factor);
  };
  const form = h('form.card', {}, h('h2', { text: 'Settings' }),
    field('Approvals a draft needs', n, 'From 1 to 5 approvers besides its author.'),
    h('label.check', {}, secondFactor, 'Staff must use a second factor'),
    h('p.hint.check-hint', { id: 'require-second-factor-hint', text: 'Staff without two-factor authentication cannot use the console '
      + 'or act for the organisation until they turn it on in their settings. Owners too.' }),
    error, h('button.primary', { type: 'submit', text: 'Save' }));
  get(`${base}/settings`).then(show, (e) => { error.textContent = e.message; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const body = {};
      if (!saved || Number(n.value) !== saved.approvals_required) body.approvals_required = Number(n.value);
      if (saved && secondFactor.checked !== Boolean(saved.require_second_factor)) body.require_second_factor = secondFactor.checked;
      if (!Object.keys(body).length) body.approvals_required = Number(n.value);
      show(await put(`${base}/settings`, body));
      toast('Saved');
    });
  });
  return form;
}

export default async function (main, { org }) {
  const membership = await consoleNav(main, org, 'staff');
  if (!membership) return;
  const base = `/api/vantage/v1/organisations/${encodeURIComponent(org)}`;
  const members = h('ul.people.staff');
  const invited = h('ul.people.staff');
  const invitedPart = h('div', { hidden: true }, h('h2.page-title', { text: 'Invited' }), invited);
  const status = h('p.list-status', { role: 'status' });
  const error = errorLine();

  const change = async (work, done) => {
    error.textContent = '';
    try {
      await work();
      forgetOrganisations();
      toast(done);
      await load();
    } catch (e) {
      error.textContent = e.message;
    }
  };
  const row = ({ account, roles, state }) => {
    const name = account.display_name || account.username;
    if (state === 'invited') {
      const withdraw = h('button.secondary.danger', { type: 'button', text: 'Withdraw', 'aria-label': `Withdraw the invitation of ${name}` });
      withdraw.addEventListener('click', () => change(() => del(`${base}/staff/${account.id}`), `Invitation of ${name} withdrawn`));
      const li = accountRow(account, withdraw);
      li.append(h('p.muted', { text: `Invited as ${roleList(roles)}, waiting for them to accept.` }));
      return li;
    }
    const boxes = roleBoxes(`Roles of ${name}`, roles);
    const save = h('button.secondary', { type: 'button', text: 'Save roles', 'aria-label': `Save the roles of ${name}` });
    const remove = h('button.secondary.danger', { type: 'button', text: 'Remove', 'aria-label': `Remove ${name} from the staff` });
    save.addEventListener('click', () => change(() => put(`${base}/staff/${account.id}`, { roles: boxes.read() }), `Roles of ${name} saved`));
    remove.addEventListener('click', () => change(() => del(`${base}/staff/${account.id}`), `${name} removed`));
    const li = accountRow(account, save, remove);
    li.append(boxes.set);
    return li;
  };
  const load = async () => {
    try {
      const staff = await get(`${base}/staff`);
      clear(members);
      clear(invited);
      staff.forEach((m) => (m.state === 'invited' ? invited : members).append(row(m)));
      invitedPart.hidden = !invited.children.length;
      status.textContent = '';
    } catch (e) {
      status.textContent = e.message;
    }
  };

  const username = h('input', { type: 'text', name: 'username', required: true, autocomplete: 'off' });
  const newRoles = roleBoxes('Roles of the new member', ['editor']);
  const addError = errorLine();
  const add = h('form.card', {}, h('h2', { text: 'Add a member' }), field('Username', username), newRoles.set,
    h('p.hint', { text: 'They are invited, and join the staff once they accept.' }),
    addError, h('button.primary', { type: 'submit', text: 'Add' }));
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(add, addError, async () => {
      const account = await get(`/api/v1/accounts/lookup?acct=${encodeURIComponent(username.value.trim().replace(/^@/, ''))}`)
        .catch(() => { throw new Error(`There is no account @${username.value.trim().replace(/^@/, '')} here.`); });
      const added = await put(`${base}/staff/${account.id}`, { roles: newRoles.read() });
      username.value = '';
      forgetOrganisations();
      // Someone already on the staff just gets the roles.
      toast(added.state === 'invited' ? `@${account.username} invited: they join once they accept`
        : `Roles of @${account.username} saved`);
      await load();
    });
  });

  main.append(h('section.console-page.narrow', {}, h('h1.page-title', { text: 'Staff' }), status, error, members, invitedPart),
    h('div.narrow', {}, add, settingsForm(base)));
  await load();
}
