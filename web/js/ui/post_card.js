// A post as a card: author, photos, like and comment, likes, caption, the
// first comments and the time. Used by the home feed and the post page.
import { h, icon, richText } from '../dom.js';
import { get, post } from '../api.js';
import { signedIn } from '../session.js';
import { navigate } from '../router.js';
import { avatarLink, isRemote, nameLink } from './account.js';
import { carousel } from './carousel.js';
import { timeEl, count } from './time.js';

export const postPath = (status) => (isRemote(status.account) ? `/p/${status.id}` : `/@${status.account.username}/${status.id}`);

// The like button and the likes line, kept in step with the server's answer.
export function likeControls(status, onChange = () => {}) {
  const button = h('button.icon-button.like', { type: 'button' }, icon('heart'));
  const likes = h('a.likes', { href: `${postPath(status)}/likes` });
  const render = () => {
    button.setAttribute('aria-pressed', String(Boolean(status.favourited)));
    button.setAttribute('aria-label', status.favourited ? 'Unlike' : 'Like');
    button.classList.toggle('on', Boolean(status.favourited));
    likes.textContent = count(status.favourites_count, 'like', 'likes');
    likes.hidden = status.favourites_count === 0;
  };
  let busy = false;
  const set = async (liked) => {
    if (!signedIn()) {
      navigate('/sign_in');
      return;
    }
    if (busy || Boolean(status.favourited) === liked) return;
    busy = true;
    status.favourited = liked;
    status.favourites_count += liked ? 1 : -1;
    render();
    try {
      const updated = await post(`/api/v1/statuses/${status.id}/${liked ? 'favourite' : 'unfavourite'}`, {});
      status.favourited = updated.favourited;
      status.favourites_count = updated.favourites_count;
    } catch {
      status.favourited = !liked;
      status.favourites_count += liked ? -1 : 1;
    } finally {
      busy = false;
      render();
      onChange(status);
    }
  };
  button.addEventListener('click', () => set(!status.favourited));
  render();
  return { button, likes, like: () => set(true) };
}

// A content warning (`spoiler_text`, as other servers' posts often carry)
// keeps the words behind it until opened.
function behindWarning(status, body) {
  if (!status.spoiler_text) return body;
  return h('details.warning', {}, h('summary', { text: status.spoiler_text }), body);
}

export function caption(status) {
  if (!status.content) return null;
  return h('div.caption', {}, nameLink(status.account), ' ', behindWarning(status, h('span.content', {}, richText(status.content))));
}

export function commentLine(reply) {
  return h('div.comment-line', {}, nameLink(reply.account), ' ', h('span.content', {}, richText(reply.content)));
}

// The first two comments, asked for once the card comes into view.
function firstComments(status) {
  const box = h('div.first-comments');
  if (!status.replies_count) return box;
  box.append(h('a.muted', { href: postPath(status), text: status.replies_count === 1 ? 'View 1 comment' : `View all ${status.replies_count} comments` }));
  const list = h('div');
  box.append(list);
  const observer = new IntersectionObserver(async (entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    try {
      const context = await get(`/api/v1/statuses/${status.id}/context`);
      for (const reply of context.descendants.filter((d) => d.in_reply_to_id === status.id).slice(0, 2))
        list.append(commentLine(reply));
    } catch { /* the link above still leads to them */ }
  }, { rootMargin: '600px' });
  observer.observe(box);
  return box;
}

// A recruitment post's link: its label and the domain it really opens.
export function ctaLink(status) {
  const cta = status.vantage_cta;
  if (!cta) return null;
  return h('a.cta-link', { href: cta.url, rel: 'noopener noreferrer nofollow', target: '_blank' },
    h('span', { text: cta.label }), h('span.cta-domain', { text: ` · ${cta.domain}` }));
}

// A post without photos (other servers' text posts; our own posts always
// have one): its text in a card where the photos would be.
function textCard(status) {
  return h('div.text-card', {}, behindWarning(status, h('div.content', {}, richText(status.content))));
}

// A boost by someone followed (`reblog`) shows the boosted post, under a line
// naming who shared it.
export function postCard(status, options = {}) {
  if (status.reblog) {
    const card = postCard(status.reblog, options);
    card.prepend(h('p.shared-by', {}, 'Shared by ', nameLink(status.account)));
    return card;
  }
  const { full = false, menu = null } = options;
  const { button, likes, like } = likeControls(status);
  const headingId = `post-${status.id}-author`;
  const header = h('header.post-head', {},
    avatarLink(status.account, 32),
    h('div.post-who', { id: headingId }, nameLink(status.account)),
    status.pinned ? h('span.pinned', { title: 'Pinned' }, icon('pin', 'Pinned')) : null,
    menu);
  const actions = h('div.actions', {}, button,
    h('a.icon-button', { href: `${postPath(status)}?comment=1`, 'aria-label': 'Comment' }, icon('comment')));
  const photos = (status.media_attachments || []).length > 0;
  const card = h('article.post', { 'aria-labelledby': headingId, dataset: { id: status.id },
    class: [full && 'full', !photos && 'text-post'].filter(Boolean).join(' ') || null },
    header,
    photos ? carousel(status, { onDoubleTap: like }) : textCard(status),
    ctaLink(status),
    actions,
    likes,
    photos ? caption(status) : null,
    full ? null : firstComments(status),
    h('a.post-time', { href: postPath(status) }, timeEl(status.created_at)));
  return card;
}
