// One post: the carousel, caption, likes, every comment with its replies,
// a box to add one, and for its author: edit, pin, archive, delete, comment controls.
import { h, richText, toast } from '../dom.js';
import { get, post, put, del } from '../api.js';
import { navigate } from '../router.js';
import { session, signedIn, myOrganisations } from '../session.js';
import { actAs } from '../ui/drafts.js';
import { hasRole } from '../ui/console_nav.js';
import { avatarLink, handleOf, hostOf, isRemote, nameLink } from '../ui/account.js';
import { postCard, postPath } from '../ui/post_card.js';
import { timeEl } from '../ui/time.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { reportButton } from '../ui/comment_report.js';
import { renderNotFound } from './not_found.js';

const reload = () => navigate(location.pathname, { replace: true });

// Asks in the page, above `el`'s content, before deleting the status `s`.
function confirmDelete(el, what, s, done, as) {
  const box = h('div.confirm', { role: 'alertdialog', 'aria-label': `Delete this ${what}?` },
    h('p', { text: `Delete this ${what}? This cannot be undone.` }),
    h('button.primary.danger-fill', { type: 'button', text: 'Delete', onclick: () => del(`/api/v1/statuses/${s.id}`, as).then(done, (e) => toast(e.message)) }),
    ' ', h('button.secondary', { type: 'button', text: 'Cancel', onclick: () => box.remove() }));
  el.prepend(box);
  box.querySelector('button').focus();
}

function ownerMenu(status, card) {
  const menu = h('details.menu', {}, h('summary', { 'aria-label': 'Post options', text: '•••' }));
  const items = h('div.menu-items');
  const item = (text, fn, cls) => items.append(h('button', { type: 'button', text, class: cls, onclick: () => {
    menu.open = false;
    fn().catch((e) => toast(e.message));
  } }));
  item('Edit caption', async () => editCaption(status, card));
  item(status.pinned ? 'Unpin from profile' : 'Pin to profile', async () => {
    await post(`/api/v1/statuses/${status.id}/${status.pinned ? 'unpin' : 'pin'}`, {});
    toast(status.pinned ? 'Unpinned' : 'Pinned to your profile');
    reload();
  });
  const archived = status.vantage?.archived;
  item(archived ? 'Unarchive' : 'Archive', async () => {
    await post(`/api/vantage/v1/statuses/${status.id}/${archived ? 'unarchive' : 'archive'}`, {});
    toast(archived ? 'Back on your profile' : 'Archived: only you can see it');
    reload();
  });
  item('Delete', async () => confirmDelete(card, 'post', status, () => {
    toast('Post deleted');
    navigate(`/@${session.account.username}`, { replace: true });
  }), 'danger');
  menu.append(items);
  return menu;
}

async function editCaption(status, card) {
  const source = await get(`/api/v1/statuses/${status.id}/source`);
  const text = h('textarea', { rows: 4, maxlength: 2200, value: source.text });
  const error = errorLine();
  const form = h('form.edit', {}, field('Caption', text), error,
    h('button.primary', { type: 'submit', text: 'Save' }), ' ', h('button.secondary', { type: 'button', text: 'Cancel', onclick: () => form.remove() }));
  form.onsubmit = (e) => submitting(form, error, async () => {
    e.preventDefault();
    await put(`/api/v1/statuses/${status.id}`, { status: text.value });
    toast('Caption saved');
    reload();
  });
  const caption = card.querySelector('.caption');
  (caption || card.querySelector('.likes')).after(form);
  text.focus();
}

const POLICIES = { on: 'Everyone', followers: 'Followers', held: 'Everyone, after my review', off: 'Nobody' };

function comment(reply, onReply, tools) {
  const replyButton = onReply && signedIn() && h('button.link-button', { type: 'button', text: 'Reply', 'aria-label': `Reply to ${reply.account.acct}`,
    onclick: () => onReply(reply) });
  return h('li.comment', { dataset: { id: reply.id } },
    avatarLink(reply.account, 32),
    h('div.comment-body', {},
      h('div', {}, nameLink(reply.account), ' ', h('span.content', {}, richText(reply.content))),
      h('div.comment-meta', {}, timeEl(reply.created_at), reply.vantage_pinned_comment && h('span.state-tag', { text: 'Pinned' }),
        replyButton, tools(reply))),
    h('ul.replies'));
}

export default async function (main, { id, query }) {
  let status;
  try {
    status = await get(`/api/v1/statuses/${encodeURIComponent(id)}`);
  } catch {
    renderNotFound(main, 'This post is not here, or you may not see it.');
    return;
  }
  // A boost's own id opens the boosted post.
  if (status.reblog) {
    navigate(postPath(status.reblog), { replace: true });
    return;
  }
  if (status.in_reply_to_id) {
    navigate(`/p/${status.in_reply_to_id}`, { replace: true });
    return;
  }
  const who = status.account.display_name || status.account.username;
  document.title = `${who} on Vantage`;
  const mine = signedIn() && status.account.id === session.account.id;
  // Staff moderating an organisation's post act as it.
  const org = !mine && signedIn() && (await myOrganisations()).find((m) => m.account.id === status.account.id && hasRole(m.roles, 'moderator'));
  const as = org ? { headers: actAs(org.account.id) } : undefined;
  const mod = mine || org;
  const card = postCard(status, { full: true });
  card.querySelector('.post-head').append(mine ? ownerMenu(status, card) : signedIn() ? reportButton({ account_id: status.account.id, status_ids: [status.id] }) : '');
  if (status.vantage?.archived) card.prepend(h('p.notice', { text: 'Archived: only you can see this post.' }));
  if (isRemote(status.account) && /^https?:\/\//i.test(status.url || '')) {
    card.append(h('p.pad', {}, h('a', { href: status.url, rel: 'nofollow noopener noreferrer', target: '_blank', text: `View on ${hostOf(status.account)}` })));
  }
  main.append(h('h1.visually-hidden', { text: `Post by ${who}` }), card);

  const comments = h('ul.comments', { 'aria-label': 'Comments' });
  card.append(h('h2.visually-hidden', { text: 'Comments' }), comments);
  let replyTo = status;
  const box = h('textarea', { rows: 1, maxlength: 2200, required: true, placeholder: 'Add a comment…' });
  const replying = h('p.replying');
  const error = errorLine();
  const onReply = (reply) => {
    replyTo = reply;
    const handle = handleOf(reply.account);
    replying.textContent = `Replying to ${handle}`;
    if (!box.value.startsWith(`${handle} `)) box.value = `${handle} ${box.value}`;
    box.focus();
  };
  const byId = new Map();
  // A comment's tool: POST its verb, by default its label lower-cased.
  // An approval names the comment's version as read (`edited_at`): one edited
  // since is refused, said, and the list is shown again with the new text.
  const act = (c, text, then, verb, body = {}) => h('button.link-button', { type: 'button', text, onclick: (e) =>
    post(`/api/vantage/v1/statuses/${c.id}/${verb || e.target.textContent.toLowerCase()}`, body, as).then(() => then(e.target), (x) => {
      toast(x.message);
      if (x.code === 'comment_changed') reload();
    }) });
  const remove = (c) => h('button.link-button', { type: 'button', text: 'Delete', onclick: (e) =>
    confirmDelete(e.target.closest('.comment-body'), 'comment', c, () => e.target.closest('li').remove(), as) });
  // The author pins (top-level comments), hides and deletes; others report.
  const tools = (c, p = c.vantage_pinned_comment) => (mod ? [
    c.in_reply_to_id === status.id && act(c, p ? 'Unpin' : 'Pin', reload, `${p ? 'un' : ''}pin_comment`),
    act(c, 'Hide', (b) => { b.textContent = b.textContent === 'Hide' ? 'Unhide' : 'Hide'; }), remove(c),
  ] : signedIn() && c.account.id !== session.account.id && reportButton({ account_id: c.account.id, status_ids: [c.id] }));
  const add = (reply) => {
    const el = comment(reply, onReply, tools);
    byId.set(reply.id, el);
    const parent = byId.get(reply.in_reply_to_id);
    (parent ? parent.querySelector('.replies') : comments).append(el);
  };
  const context = await get(`/api/v1/statuses/${status.id}/context`).catch(() => ({ descendants: [] }));
  context.descendants.forEach(add);

  const policy = status.vantage_comments;
  let closed = !mine && policy === 'off' && 'Comments are off.';
  if (policy === 'followers' && signedIn() && !mine) {
    const [r] = await get(`/api/v1/accounts/relationships?id[]=${status.account.id}`).catch(() => []);
    if (!r?.following) closed = 'Only followers can comment.';
  }
  if (mod) {
    const who = h('select', {}, Object.entries(POLICIES).map(([value, text]) => h('option', { value, text })));
    who.value = policy;
    who.onchange = () => put(`/api/v1/statuses/${status.id}`, { vantage_comments: who.value }, as).then(() => toast('Saved'), (x) => toast(x.message));
    card.append(h('div.pad', {}, field('Who can comment', who)));
    const held = await get(`/api/vantage/v1/statuses/${status.id}/held_comments`, as).catch(() => []);
    if (held.length) card.append(h('h2.pad', { text: 'Held for your review' }),
      h('ul.comments', {}, held.map((c) => comment(c, false, () => [act(c, 'Show', reload, 'approve', { edited_at: c.edited_at }), remove(c)]))));
  }
  if (closed) {
    card.append(h('p.notice', { text: closed }));
  } else if (signedIn()) {
    const form = h('form.add-comment', {}, replying, field('Add a comment', box), error,
      h('button.primary', { type: 'submit', text: 'Post' }));
    form.querySelector('label').className = 'visually-hidden';
    form.onsubmit = (e) => submitting(form, error, async () => {
      e.preventDefault();
      const created = await post('/api/v1/statuses', { status: box.value, in_reply_to_id: replyTo.id, visibility: status.visibility });
      add(created);
      box.value = '';
      replyTo = status;
      replying.textContent = '';
    });
    card.append(form);
    if (query.get('comment')) box.focus();
  } else {
    card.append(h('p.muted.pad', {}, h('a', { href: '/sign_in', text: 'Sign in' }), ' to like and comment.'));
  }
}
