// /invitations: the invitations to join an organisation's staff, newest
// first, each accepted or declined (docs/organisations.md). Nobody is staff
// until they accept; then the console appears (the memberships the nav keeps
// are asked again).
import { h, toast } from '../dom.js';
import { get, post } from '../api.js';
import { forgetOrganisations, requireSignIn } from '../session.js';
import { accountRow } from '../ui/account.js';
import { consolePath, roleList } from '../ui/console_nav.js';
import { errorLine } from '../ui/form.js';
import { renderNav } from '../ui/nav.js';

export default async function (main) {
  document.title = 'Invitations · Vantage';
  if (!requireSignIn()) return;
  const list = h('ul.people.invites');
  const status = h('p.list-status', { role: 'status' });
  main.append(h('section.narrow', {}, h('h1.page-title', { text: 'Invitations' }), status, list));
  const none = () => { status.textContent = list.children.length ? '' : 'No invitations wait for your answer.'; };

  const row = ({ organisation: org, roles }) => {
    const name = org.display_name || org.username;
    const path = (verb) => `/api/vantage/v1/organisations/${encodeURIComponent(org.id)}/invitation/${verb}`;
    const accept = h('button.primary', { type: 'button', text: 'Accept', 'aria-label': `Accept the invitation of ${name}` });
    const decline = h('button.secondary', { type: 'button', text: 'Decline', 'aria-label': `Decline the invitation of ${name}` });
    const text = h('p', { text: `Invites you to join its staff as ${roleList(roles)}.` });
    const error = errorLine();
    const li = accountRow(org, accept, decline);
    li.append(text, error);
    // One answer at a time: both buttons wait for it; a refusal (say, an
    // invitation withdrawn meanwhile) is said under the row.
    const answer = (verb, done) => async () => {
      accept.disabled = decline.disabled = true;
      error.textContent = '';
      try {
        done(await post(path(verb), {}));
      } catch (e) {
        error.textContent = e.message;
        accept.disabled = decline.disabled = false;
      }
    };
    accept.addEventListener('click', answer('accept', (joined) => {
      forgetOrganisations();
      renderNav(location.pathname);  // now with the Console link
      text.textContent = `You joined its staff as ${roleList(joined.roles)}.`;
      const open = h('a.button.primary', { href: consolePath(org.id), text: 'Open the console', 'aria-label': `Open the console of ${name}` });
      li.querySelector('.row-actions').replaceChildren(open);
      open.focus();  // where the Accept button was
      toast(`You joined the staff of ${name}`);
    }));
    decline.addEventListener('click', answer('decline', () => {
      li.remove();
      none();
      toast(`Invitation of ${name} declined`);
    }));
    return li;
  };

  try {
    const invitations = await get('/api/vantage/v1/organisations/invitations');
    list.append(...invitations.map(row));
    none();
  } catch (e) {
    status.textContent = e.message;
  }
}
