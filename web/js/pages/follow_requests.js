// Pending requests to follow a locked account: approve or reject each.
import { h } from '../dom.js';
import { post } from '../api.js';
import { requireSignIn } from '../session.js';
import { accountRow } from '../ui/account.js';
import { pagedList } from '../ui/paged.js';

export default function (main) {
  document.title = 'Follow requests · Vantage';
  if (!requireSignIn()) return;
  main.append(h('h1.page-title', { text: 'Follow requests' }));
  const row = (account) => {
    const approve = h('button.primary', { type: 'button', text: 'Approve', 'aria-label': `Approve ${account.acct}` });
    const reject = h('button.secondary', { type: 'button', text: 'Reject', 'aria-label': `Reject ${account.acct}` });
    const el = accountRow(account, approve, reject);
    const answer = (verb, done) => async () => {
      approve.disabled = reject.disabled = true;
      try {
        await post(`/api/v1/follow_requests/${account.id}/${verb}`, {});
        el.querySelector('.row-actions').replaceChildren(h('span.muted', { text: done }));
      } catch {
        approve.disabled = reject.disabled = false;
      }
    };
    approve.addEventListener('click', answer('authorize', 'Approved'));
    reject.addEventListener('click', answer('reject', 'Rejected'));
    return el;
  };
  const list = pagedList('/api/v1/follow_requests', row, { container: h('ul.people'), empty: h('p', { text: 'No pending requests.' }) });
  main.append(list.root);
  return list.stop;
}
