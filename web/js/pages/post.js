// One post: the carousel, caption, likes, every comment with its replies,
// a box to add one, and for its author: edit, pin, archive, delete.
import { h, richText, toast } from '../dom.js';
import { get, post, put, del } from '../api.js';
import { navigate } from '../router.js';
import { session, signedIn } from '../session.js';
import { avatar, nameLink } from '../ui/account.js';
import { postCard } from '../ui/post_card.js';
import { timeEl } from '../ui/time.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { renderNotFound } from './not_found.js';

function ownerMenu(status, card) {
  const menu = h('details.menu', {}, h('summary', { 'aria-label': 'Post options', text: '•••' }));
  const items = h('div.menu-items');
  const item = (label, fn, cls) => {
    const b = h('button', { type: 'button', text: label, class: cls });
    b.addEventListener('click', async () => {
      menu.open = false;
      try {
        await fn();
      } catch (e) {
        toast(e.message);
      }
    });
    items.append(b);
  };
  item('Edit caption', async () => editCaption(status, card));
  item(status.pinned ? 'Unpin from profile' : 'Pin to profile', async () => {
    await post(`/api/v1/statuses/${status.id}/${status.pinned ? 'unpin' : 'pin'}`, {});
    toast(status.pinned ? 'Unpinned' : 'Pinned to your profile');
    navigate(location.pathname, { replace: true });
  });
  const archived = status.vantage && status.vantage.archived;
  item(archived ? 'Unarchive' : 'Archive', async () => {
    await post(`/api/vantage/v1/statuses/${status.id}/${archived ? 'unarchive' : 'archive'}`, {});
    toast(archived ? 'Back on your profile' : 'Archived: only you can see it');
    navigate(location.pathname, { replace: true });
  });
  item('Delete', async () => {
    const confirmBox = h('div.confirm', { role: 'alertdialog', 'aria-label': 'Delete this post?' },
      h('p', { text: 'Delete this post? This cannot be undone.' }));
    const yes = h('button.primary.danger-fill', { type: 'button', text: 'Delete' });
    const no = h('button.secondary', { type: 'button', text: 'Cancel' });
    confirmBox.append(yes, ' ', no);
    card.prepend(confirmBox);
    no.addEventListener('click', () => confirmBox.remove());
    yes.addEventListener('click', async () => {
      await del(`/api/v1/statuses/${status.id}`);
      toast('Post deleted');
      navigate(`/@${session.account.username}`, { replace: true });
    });
    yes.focus();
  }, 'danger');
  menu.append(items);
  return menu;
}

async function editCaption(status, card) {
  const source = await get(`/api/v1/statuses/${status.id}/source`);
  const text = h('textarea', { rows: 4, maxlength: 2200, value: source.text });
  const error = errorLine();
  const form = h('form.edit', {}, field('Caption', text), error,
    h('button.primary', { type: 'submit', text: 'Save' }), ' ', h('button.secondary', { type: 'button', text: 'Cancel', onclick: () => form.remove() }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      await put(`/api/v1/statuses/${status.id}`, { status: text.value });
      toast('Caption saved');
      navigate(location.pathname, { replace: true });
    });
  });
  const caption = card.querySelector('.caption');
  (caption || card.querySelector('.likes')).after(form);
  text.focus();
}

function comment(reply, onReply) {
  const replyButton = signedIn() ? h('button.link-button', { type: 'button', text: 'Reply', 'aria-label': `Reply to ${reply.account.username}` }) : null;
  if (replyButton) replyButton.addEventListener('click', () => onReply(reply));
  return h('li.comment', { dataset: { id: reply.id } },
    h('a', { href: `/@${reply.account.username}`, tabindex: '-1', 'aria-hidden': 'true' }, avatar(reply.account, 32, '')),
    h('div.comment-body', {},
      h('div', {}, nameLink(reply.account), ' ', h('span.content', {}, richText(reply.content))),
      h('div.comment-meta', {}, timeEl(reply.created_at), replyButton)),
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
  if (status.in_reply_to_id) {
    navigate(`/p/${status.in_reply_to_id}`, { replace: true });
    return;
  }
  const who = status.account.display_name || status.account.username;
  document.title = `${who} on Vantage`;
  const mine = signedIn() && status.account.id === session.account.id;
  const card = postCard(status, { full: true });
  if (mine) card.querySelector('.post-head').append(ownerMenu(status, card));
  if (status.vantage && status.vantage.archived) card.prepend(h('p.notice', { text: 'Archived: only you can see this post.' }));
  main.append(h('h1.visually-hidden', { text: `Post by ${who}` }), card);

  const comments = h('ul.comments', { 'aria-label': 'Comments' });
  card.append(h('h2.visually-hidden', { text: 'Comments' }), comments);
  let replyTo = status;
  const box = h('textarea', { rows: 1, maxlength: 2200, required: true, placeholder: 'Add a comment…' });
  const replying = h('p.replying');
  const error = errorLine();
  const onReply = (reply) => {
    replyTo = reply;
    replying.textContent = `Replying to @${reply.account.username}`;
    if (!box.value.startsWith(`@${reply.account.username} `)) box.value = `@${reply.account.username} ${box.value}`;
    box.focus();
  };
  const byId = new Map();
  const add = (reply) => {
    const el = comment(reply, onReply);
    byId.set(reply.id, el);
    const parent = byId.get(reply.in_reply_to_id);
    (parent ? parent.querySelector('.replies') : comments).append(el);
  };
  const context = await get(`/api/v1/statuses/${status.id}/context`).catch(() => ({ descendants: [] }));
  context.descendants.forEach(add);

  if (signedIn()) {
    const form = h('form.add-comment', {}, replying, field('Add a comment', box), error,
      h('button.primary', { type: 'submit', text: 'Post' }));
    form.querySelector('label').className = 'visually-hidden';
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(form, error, async () => {
        const created = await post('/api/v1/statuses', { status: box.value, in_reply_to_id: replyTo.id, visibility: status.visibility });
        add(created);
        box.value = '';
        replyTo = status;
        replying.textContent = '';
      });
    });
    card.append(form);
    if (query.get('comment')) box.focus();
  } else {
    card.append(h('p.muted.pad', {}, h('a', { href: '/sign_in', text: 'Sign in' }), ' to like and comment.'));
  }
}
