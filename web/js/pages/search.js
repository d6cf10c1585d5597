// Search accounts and hashtags as you type. A handle of another server
// (@name@host, name@host) or a link to a profile or post there is looked up
// on that server when asked (Enter, the button, a paste or a link to this
// page), since that takes seconds and a half-typed host names nothing.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { signedIn } from '../session.js';
import { accountRow } from '../ui/account.js';
import { lookupFailure, remoteHost, resolve } from '../ui/fediverse.js';
import { gridContainer, gridTile } from '../ui/grid.js';

export default function (main, { query }) {
  document.title = 'Search · Vantage';
  const input = h('input', { type: 'search', name: 'q', 'aria-label': 'Search accounts and hashtags', placeholder: 'Search', value: query.get('q') || '', autocomplete: 'off', enterkeyhint: 'search' });
  const state = h('p.search-state', { role: 'status' });
  const results = h('div.results', { 'aria-live': 'polite' });
  const form = h('form.pad', { role: 'search' }, input);
  main.append(h('h1.page-title', { text: 'Search' }), form, state, results);
  let timer = 0;
  let asked = 0;

  const show = (found, q, host, resolved) => {
    if (found.accounts.length) results.append(h('h2.pad', { text: 'Accounts' }), h('ul.people', {}, found.accounts.map((a) => accountRow(a))));
    if (found.hashtags.length) {
      results.append(h('h2.pad', { text: 'Hashtags' }), h('ul.tags', {}, found.hashtags.map((t) =>
        h('li', {}, h('a.tag-row', { href: `/tags/${encodeURIComponent(t.name)}`, text: `#${t.name}` })))));
    }
    if (found.statuses.length) {
      const grid = gridContainer();
      grid.append(...found.statuses.map(gridTile));
      results.append(h('h2.pad', { text: 'Posts' }), grid);
    }
    const none = !found.accounts.length && !found.hashtags.length && !found.statuses.length;
    // A handle or link not looked up yet is not "nothing": it may be elsewhere.
    if (none && (!host || resolved)) results.append(h('p.empty', { text: `Nothing found for “${q}”.` }));
    if (!host || resolved) return;
    results.append(signedIn()
      ? h('p.pad', {}, h('button.secondary', { type: 'button', text: `Search the fediverse for ${q}`, onclick: () => run(true) }))
      : h('p.muted.pad', {}, h('a', { href: '/sign_in', text: 'Sign in' }), ' to look for it on its own server.'));
  };

  // resolving: look the handle or link up on its own server.
  const run = async (resolving = false) => {
    clearTimeout(timer);
    const q = input.value.trim();
    history.replaceState(null, '', q ? `/search?q=${encodeURIComponent(q)}` : '/search');
    const mine = ++asked;
    const host = remoteHost(q);
    const remote = resolving && Boolean(host) && signedIn();
    state.textContent = remote ? 'Searching the fediverse…' : '';
    if (remote || !q) clear(results);
    if (!q) return;
    let found;
    let failure = null;
    try {
      found = remote ? await resolve(q) : await get(`/api/v2/search?limit=20&q=${encodeURIComponent(q)}`);
    } catch (e) {
      found = { accounts: [], hashtags: [], statuses: [] };
      if (remote) failure = lookupFailure(e, host);
    }
    if (mine !== asked) return;
    state.textContent = failure || '';
    state.classList.toggle('failed', Boolean(failure));
    clear(results);
    if (!failure) show({ accounts: [], hashtags: [], statuses: [], ...found }, q, host, remote);
  };

  input.addEventListener('input', (e) => {
    clearTimeout(timer);
    if (e.inputType === 'insertFromPaste' && remoteHost(input.value.trim())) run(true);
    else timer = setTimeout(run, 200);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (remoteHost(input.value.trim()) && signedIn()) {
      run(true);
      return;
    }
    const first = results.querySelector('a[href]');
    if (first && first.getAttribute('href').startsWith('/')) navigate(first.getAttribute('href'));
  });
  input.focus();
  if (input.value) run(true);
  return () => {
    clearTimeout(timer);
    asked++;
  };
}
