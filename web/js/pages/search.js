// Search accounts and hashtags as you type.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { accountRow } from '../ui/account.js';

export default function (main, { query }) {
  document.title = 'Search · Vantage';
  const input = h('input', { type: 'search', name: 'q', 'aria-label': 'Search accounts and hashtags', placeholder: 'Search', value: query.get('q') || '', autocomplete: 'off' });
  const results = h('div.results', { 'aria-live': 'polite' });
  main.append(h('h1.page-title', { text: 'Search' }), h('form.pad', { role: 'search', onsubmit: (e) => e.preventDefault() }, input), results);
  let timer = 0;
  let asked = 0;
  const run = async () => {
    const q = input.value.trim();
    history.replaceState(null, '', q ? `/search?q=${encodeURIComponent(q)}` : '/search');
    const mine = ++asked;
    if (!q) {
      clear(results);
      return;
    }
    const found = await get(`/api/v2/search?limit=20&q=${encodeURIComponent(q)}`).catch(() => ({ accounts: [], hashtags: [] }));
    if (mine !== asked) return;
    clear(results);
    if (found.accounts.length) results.append(h('h2.pad', { text: 'Accounts' }), h('ul.people', {}, found.accounts.map((a) => accountRow(a))));
    if (found.hashtags.length) {
      results.append(h('h2.pad', { text: 'Hashtags' }), h('ul.tags', {}, found.hashtags.map((t) =>
        h('li', {}, h('a.tag-row', { href: `/tags/${encodeURIComponent(t.name)}`, text: `#${t.name}` })))));
    }
    if (!found.accounts.length && !found.hashtags.length) results.append(h('p.empty', { text: `Nothing found for “${q}”.` }));
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      const first = results.querySelector('a[href]');
      if (first && first.getAttribute('href').startsWith('/')) navigate(first.getAttribute('href'));
    }
  });
  input.focus();
  if (input.value) run();
}
