// /console/:org/qa: sessions, opened by editors; /qa/:id: one and its queue, live.
import { h } from '../../dom.js';
import { get, post, put } from '../../api.js';
import { navigate } from '../../router.js';
import { consoleNav, consolePath as cp, hasRole } from '../../ui/console_nav.js';
import { field, errorLine, submitting } from '../../ui/form.js';
import { fromLocalInput as utc, actAs } from '../../ui/drafts.js';
import { QA, live, headOf, putRow } from '../qa.js';

export default async function (main, { org, id }) {
  const m = await consoleNav(main, org, 'qa');
  if (!m) return;
  const H = { headers: actAs(org) };
  const all = `/api/vantage/v1/organisations/${org}/qa`;
  const error = errorLine();
  const list = h('ol.drafts');
  if (!id) {
    main.append(h('h1.page-title', { text: 'Q&A' }), list);
    for (const s of await get(all)) list.append(h('li.draft-row', {}, h('a', { href: cp(org, `/qa/${s.id}`), text: s.title }), ` ${s.state}`));
    const f = ['Title', 'Description', 'Starts (empty: now)', 'Ends', 'Pseudonym (optional)']
      .map((label, k) => field(label, h('input', { type: k > 1 && k < 4 && 'datetime-local' })));
    const form = h('form.card', {}, h('h2', { text: 'Open a session' }), f, h('button.primary', { type: 'submit', text: 'Open' }), error);
    form.onsubmit = (e) => {
      e.preventDefault();
      submitting(form, error, async () => {
        const [title, description, starts, ends, pseudonym] = f.map((i) => i.lastChild.value || undefined);
        const s = await post(all, { title, description, starts_at: starts && utc(starts), ends_at: utc(ends), pseudonym }, H);
        navigate(cp(org, `/qa/${s.id}`));
      });
    };
    return hasRole(m.roles, 'editor') && main.append(form);
  }

  let s;
  const qs = new Map();
  const rows = new Map();
  const head = h('div.pad');
  const button = (text, path, json = Object, err = error, send = post) => h('button.secondary', { type: 'button', text,
    onclick: () => send(QA(id, path), json(), H).then(show, (e) => { err.textContent = e.message; }) });
  const show = (q) => {
    if (q.title) {
      s = q;
      return head.replaceChildren(...headOf(s, h('a', { href: `/qa/${id}`, text: 'Public page' })),
        hasRole(m.roles, 'editor') && s.state !== 'archived' && button(...s.state === 'open' ? ['Close', '/close'] : ['Archive', '/archive']), error);
    }
    qs.set(q.id, q);
    const err = errorLine();
    const act = (label, a, json, send) => button(label, `/questions/${q.id}/${a}`, json, err, send);
    const more = [h('p.muted', {}, h('span.state-tag', { text: q.state }), ` @${q.account?.acct}`)];
    const open = (o) => /held|approved/.test(o.state) && !o.answered;
    const approved = q.state === 'approved' && (q.answer || !q.answered);
    if (open(q) && hasRole(m.roles, 'moderator')) {
      const into = h('select', {}, [...qs.values()].filter((o) => o !== q && open(o))
        .map((o) => h('option', { value: o.id, text: o.text.slice(0, 60) })));
      more.push(approved ? act('Mark answered', 'mark_answered') : act('Approve', 'approve'), act('Reject', 'reject'),
        h('div.queue-actions', {}, field('Duplicate of', into), act('Merge', 'merge', () => ({ into: into.value }))));
    }
    if (approved) {
      const area = h('textarea', { value: q.answer?.text ?? '' });
      const as = h('select', {}, h('option', { value: 'organisation', text: 'The organisation' }),
        s.pseudonym && h('option', { value: 'pseudonym', text: s.pseudonym, selected: q.answer?.as !== 'organisation' }));
      more.push(h('div.queue-actions', {}, field('Answer', area), field('Answer as', as), act(q.answer ? 'Save answer' : 'Answer',
        'answer', () => ({ text: area.value, as: as.value }), q.answer ? put : post)));
    }
    putRow(rows, list, q, ...more, err);
  };
  return live(main, QA(id, '/queue'), async () => {
    show(await get(QA(id)));
    (await get(QA(id, '/queue?limit=200'))).forEach(show);
    main.append(h('section.console-page', {}, head, h('h2.page-title', { text: 'Questions' }), list));
  }, show);
}
