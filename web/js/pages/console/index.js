// /console: the organisations the viewer serves; with only one, straight to it.
import { h } from '../../dom.js';
import { navigate } from '../../router.js';
import { myOrganisations, requireSignIn } from '../../session.js';
import { accountRow } from '../../ui/account.js';
import { consolePath } from '../../ui/console_nav.js';

export default async function (main) {
  document.title = 'Staff console · Vantage';
  if (!requireSignIn()) return;
  const served = await myOrganisations();
  if (served.length === 1) {
    navigate(consolePath(served[0].account.id), { replace: true });
    return;
  }
  main.append(h('h1.page-title', { text: 'Staff console' }));
  if (!served.length) {
    main.append(h('p.empty', { text: 'You are not on the staff of any organisation.' }));
    return;
  }
  main.append(h('ul.people', {}, served.map(({ account, roles }) => accountRow(account,
    h('a.button', { href: consolePath(account.id), text: 'Open', 'aria-label': `Open the console of ${account.display_name || account.username}` }),
    h('span.muted', { text: roles.join(', ') })))));
}
