// Reporting an account, post or comment: a reason, then thanks.
import { h, toast } from '../dom.js';
import { post } from '../api.js';

export const reportButton = (account, status) => h('button.link-button', { type: 'button', text: 'Report',
  onclick: (e) => {
    const why = h('select', { 'aria-label': 'Reason' }, ['spam', 'violation', 'legal', 'other'].map((text) => h('option', { text })));
    const box = h('span.report', {}, why, ' ', h('button.link-button', { type: 'button', text: 'Send report',
      onclick: () => post('/api/v1/reports', { account_id: account.id, status_ids: status ? [status.id] : [], category: why.value })
        .then(() => box.replaceWith(h('span', { role: 'status', text: 'Thanks for reporting' })), (x) => toast(x.message)) }));
    e.target.replaceWith(box);
    why.focus();
  } });
