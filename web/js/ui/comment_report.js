// Reporting an account, post, comment or Q&A question: a reason, then
// thanks. `target`: the report's fields naming what is reported.
import { h, toast } from '../dom.js';
import { post } from '../api.js';

export const reportButton = (target) => h('button.link-button', { type: 'button', text: 'Report',
  onclick: (e) => {
    const why = h('select', { 'aria-label': 'Reason' }, ['spam', 'violation', 'legal', 'other'].map((text) => h('option', { text })));
    const box = h('span.report', {}, why, ' ', h('button.link-button', { type: 'button', text: 'Send report',
      onclick: () => post('/api/v1/reports', { ...target, category: why.value })
        .then(() => box.replaceWith(h('span', { role: 'status', text: 'Thanks for reporting' })), (x) => toast(x.message)) }));
    e.target.replaceWith(box);
    why.focus();
  } });
