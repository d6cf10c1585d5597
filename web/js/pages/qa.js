// /qa/:id: a Q&A session and its answered questions, live (docs/web.md).
import { h, toast } from '../dom.js';
import { get, post } from '../api.js';
import { signedIn } from '../session.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { localTime } from '../ui/drafts.js';
import { reportButton } from '../ui/comment_report.js';

export const QA = (id, rest = '') => `/api/vantage/v1/qa/${id}${rest}`;
const p = (t) => h('p.queue-caption', { text: t });

// Opens the stream, then draws the page with load() once the stream is open
// (so no event falls between the two); events that come meanwhile are shown
// after it. Rows are replaced by id, so an event shown twice shows once.
export function live(main, path, load, show) {
  let early = [];
  let loading;
  const es = new EventSource(`${path}/stream`);
  const take = (e) => (early ? early.push(e) : show(JSON.parse(e.data)));
  for (const t of ['answer', 'answer_edited', 'question', 'session', 'closed', 'archived']) es.addEventListener(t, take);
  es.onopen = es.onerror = () => {
    loading ??= load().then(() => {
      const waiting = early;
      early = null;
      waiting.forEach(take);
    }, (e) => main.append(h('p.empty', { text: e.message })));
  };
  return () => es.close();
}

export const headOf = (s, ...more) => [h('h1', { text: s.title }), h('p.muted', {}, h('span.state-tag', { text: s.state }),
  ` ${localTime(s.starts_at)} to ${localTime(s.ends_at)} · `, ...more), p(s.description)];

// Rows by question id: nothing shows twice.
export const putRow = (rows, list, q, ...more) => {
  const a = q.answer;
  const li = h('li.draft-row', {}, h('div.draft-info', {}, h('p.muted', { text: `${q.asker_name} asked` }), p(q.text),
    a && h('div.notice.qa-answer', {}, h('strong', { text: a.name }), a.edited_at && ' · edited', p(a.text)), ...more));
  rows.has(q.id) ? rows.get(q.id).replaceWith(li) : list.append(li);
  rows.set(q.id, li);
};

export default (main, { id }) => {
  const head = h('header.pad');
  const list = h('ol.drafts');
  const rows = new Map();
  const area = h('textarea', { rows: 3 });
  const error = errorLine();
  const ask = signedIn() ? h('form.card', {}, field('Your question', area, '0 of 500 characters'),
    h('button.primary', { type: 'submit', text: 'Ask' }), error) : h('p.pad', {}, h('a', { href: '/sign_in', text: 'Sign in' }), ' to ask.');
  area.oninput = () => { ask.querySelector('.hint').textContent = `${[...area.value].length} of 500 characters`; };
  ask.onsubmit = (e) => {
    e.preventDefault();
    submitting(ask, error, async () => {
      await post(QA(id, '/questions'), { text: area.value });
      area.value = '';
      toast('Sent: held for the moderators');
    });
  };
  const show = (s) => {
    if (!s.title) {
      const report = signedIn() && reportButton({ vantage_question_id: s.id });
      return putRow(rows, list, s, !s.answer && 'Answered', report);
    }
    document.title = `${s.title} · Q&A · Vantage`;
    const o = s.organisation;
    head.replaceChildren(...headOf(s, h('a', { href: `/@${o.username}`, text: o.display_name || o.username })));
    ask.hidden = !s.accepting_questions;
  };
  return live(main, QA(id), async () => {
    const s = await get(QA(id));
    show(s);
    s.questions.forEach(show);
    main.append(h('section.narrow', {}, head, ask, h('h2.page-title', { text: 'Answers' }), list));
  }, show);
};
