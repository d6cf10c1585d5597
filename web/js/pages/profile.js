// A profile: picture, name, badge, bio, counts, follow state, then the
// posts as a grid with pinned ones first. Accounts of other servers open
// here too, at /@name@host.
import { h, richText } from '../dom.js';
import { get } from '../api.js';
import { session, signedIn } from '../session.js';
import { avatar, badge, handleOf, hostOf, isRemote } from '../ui/account.js';
import { lookupFailure, resolve } from '../ui/fediverse.js';
import { followButton } from '../ui/follow.js';
import { reportButton } from '../ui/comment_report.js';
import { gridTile, gridContainer } from '../ui/grid.js';
import { pagedList } from '../ui/paged.js';
import { renderNotFound } from './not_found.js';

// A field's value is the server's HTML: a link (shown by its domain) or text.
function fieldValue(html) {
  const a = new DOMParser().parseFromString(html, 'text/html').querySelector('a[href]');
  let url = null;
  try {
    url = a && new URL(a.getAttribute('href'));
  } catch { /* not a link */ }
  if (url && /^https?:$/.test(url.protocol)) {
    return h('a', { href: url.href, rel: 'me nofollow noopener noreferrer', target: '_blank', title: url.href,
      text: url.hostname.replace(/^www\./, '') });
  }
  return richText(html);
}

function fieldList(fields) {
  if (!fields || !fields.length) return null;
  return h('dl.fields', {}, ...fields.flatMap((f) => [h('dt', { text: f.name }), h('dd', {}, fieldValue(f.value))]));
}

function stat(value, label, href) {
  const body = [h('strong', { text: Number(value).toLocaleString('en') }), ` ${label}`];
  return h('li', {}, href ? h('a', { href }, ...body) : h('span', {}, ...body));
}

// The account of `name` ("name", or "name@host" for another server's). One
// of another server not known here yet is looked up there (signed in),
// which can take seconds. Null when there is none (the page then says so).
async function findAccount(main, name) {
  let failure = `There is no account @${name} here.`;
  try {
    return await get(`/api/v1/accounts/lookup?acct=${encodeURIComponent(name)}`);
  } catch (e) {
    if (e.status !== 404 || !name.includes('@') || !signedIn()) {
      renderNotFound(main, failure);
      return null;
    }
  }
  const here = location.pathname;
  const searching = h('p.list-status', { role: 'status', text: 'Searching the fediverse…' });
  main.append(searching);
  let account = null;
  try {
    const found = await resolve(`@${name}`, 'accounts');
    account = found.accounts.find((a) => a.acct.toLowerCase() === name.toLowerCase()) || null;
    failure = `There is no account @${name}.`;
  } catch (e) {
    failure = lookupFailure(e, name.split('@').pop());
  }
  if (location.pathname !== here) return null;  // the reader went elsewhere meanwhile
  searching.remove();
  if (!account) renderNotFound(main, failure);
  return account;
}

// Another server's account: its counts are as its server reports them (its
// followers are not listed here), and its page there is linked.
function remoteDetails(account) {
  const stats = h('ul.stats', {},
    stat(account.statuses_count, account.statuses_count === 1 ? 'post' : 'posts'),
    stat(account.followers_count, account.followers_count === 1 ? 'follower' : 'followers'),
    stat(account.following_count, 'following'));
  const url = /^https?:\/\//i.test(account.url || '') ? account.url : null;
  return [stats, url && h('p.original', {}, h('a', { href: url, rel: 'nofollow noopener noreferrer', target: '_blank', text: `View on ${hostOf(account)}` }))];
}

export default async function (main, { name }) {
  const account = await findAccount(main, name);
  if (!account) return;
  const remote = isRemote(account);
  document.title = `${account.display_name || account.username} (${handleOf(account)}) · Vantage`;
  const me = signedIn() && session.account.id === account.id;
  let relationship = null;
  if (signedIn() && !me) {
    const found = await get(`/api/v1/accounts/relationships?id[]=${account.id}`).catch(() => []);
    relationship = found[0] || null;
  }
  const base = `/@${account.username}`;
  const action = me
    ? h('a.button', { href: '/settings', text: 'Edit profile' })
    : followButton(account, relationship, () => {});
  const header = h('header.profile', {},
    avatar(account, 86),
    h('div.profile-main', {},
      h('div.profile-title', {},
        h('h1', {}, h('span', { text: account.display_name || account.username }), badge(account)),
        action, !me && signedIn() && reportButton({ account_id: account.id })),
      h('p.handle', { text: handleOf(account) }),
      remote ? remoteDetails(account) : h('ul.stats', {},
        stat(account.statuses_count, account.statuses_count === 1 ? 'post' : 'posts'),
        stat(account.followers_count, account.followers_count === 1 ? 'follower' : 'followers', `${base}/followers`),
        stat(account.following_count, 'following', `${base}/following`)),
      account.note ? h('div.bio', {}, richText(account.note)) : null,
      fieldList(account.fields),
      account.locked && !me && !(relationship && relationship.following)
        ? h('p.muted', { text: 'This account is private: follow it to see its followers-only posts.' }) : null));
  main.append(header);
  const grid = gridContainer();
  const pinnedIds = new Set();
  // Organisations (local accounts only) have Q&A sessions; pins are ours too.
  if (!remote) {
    get(`/api/vantage/v1/organisations/${account.id}/qa?limit=3`).then((l) => header.lastChild.append(...l.map((s) =>
      h('a.button', { href: `/qa/${s.id}`, text: `Q&A: ${s.title}` }))), () => {});
    const pinned = await get(`/api/v1/accounts/${account.id}/statuses?pinned=true`).catch(() => []);
    for (const s of pinned) {
      pinnedIds.add(s.id);
      grid.append(gridTile({ ...s, pinned: true }));
    }
  }
  // Another server's recent posts are fetched from it on first view: the
  // first page can take a second or two ("Loading…" meanwhile).
  const list = pagedList(`/api/v1/accounts/${account.id}/statuses?exclude_replies=true`,
    (s) => (pinnedIds.has(s.id) ? document.createTextNode('') : gridTile({ ...s, pinned: false })),
    { container: grid, empty: pinnedIds.size ? null : h('p.empty', { text: 'No posts yet.' }) });
  main.append(h('h2.visually-hidden', { text: 'Posts' }), list.root);
  return list.stop;
}
