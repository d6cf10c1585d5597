// Followers, following, and the likers of a post: lists of accounts.
import { h } from '../dom.js';
import { get } from '../api.js';
import { session, signedIn } from '../session.js';
import { accountRow, handleOf } from '../ui/account.js';
import { followButton } from '../ui/follow.js';
import { pagedList } from '../ui/paged.js';
import { renderNotFound } from './not_found.js';

export default async function (main, { name, id }) {
  const kind = id ? 'likes' : location.pathname.endsWith('/followers') ? 'followers' : 'following';
  let path;
  let title;
  try {
    if (kind === 'likes') {
      await get(`/api/v1/statuses/${encodeURIComponent(id)}`);
      path = `/api/v1/statuses/${encodeURIComponent(id)}/favourited_by`;
      title = 'Likes';
    } else {
      const account = await get(`/api/v1/accounts/lookup?acct=${encodeURIComponent(name)}`);
      path = `/api/v1/accounts/${account.id}/${kind}`;
      title = kind === 'followers' ? `People following ${handleOf(account)}` : `People ${handleOf(account)} follows`;
    }
  } catch {
    renderNotFound(main);
    return;
  }
  document.title = `${title} · Vantage`;
  main.append(h('h1.page-title', { text: title }));
  const row = (account) => {
    const mine = signedIn() && account.id === session.account.id;
    return accountRow(account, mine || !signedIn() ? null : followButton(account, null));
  };
  const list = pagedList(path, row, { container: h('ul.people'), empty: h('p', { text: 'Nobody yet.' }) });
  main.append(list.root);
  // The buttons learn the real relationships page by page.
  list.done.then(async () => {
    if (!signedIn()) return;
    const rows = [...main.querySelectorAll('.account-row')];
    const ids = rows.map((r) => r.dataset.id).filter(Boolean).slice(0, 40);
    if (!ids.length) return;
    const rels = await get(`/api/v1/accounts/relationships?${ids.map((i) => `id[]=${i}`).join('&')}`).catch(() => []);
    for (const rel of rels) {
      const r = rows.find((x) => x.dataset.id === rel.id);
      const old = r && r.querySelector('.follow');
      if (old) old.replaceWith(followButton({ id: rel.id, acct: r.dataset.acct }, rel));
    }
  });
  return list.stop;
}
