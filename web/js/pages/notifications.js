// Notifications: follows, follow requests, likes, boosts, comments and mentions,
// and the archive of one's data being ready;
// above them, the invitations to an organisation's staff waiting for an
// answer (given on /invitations).
import { h, plainText } from '../dom.js';
import { get } from '../api.js';
import { session, requireSignIn } from '../session.js';
import { avatarLink, nameLink } from '../ui/account.js';
import { pagedList } from '../ui/paged.js';
import { postPath } from '../ui/post_card.js';
import { timeEl } from '../ui/time.js';
import { roleList } from '../ui/console_nav.js';

const WHAT = {
  follow: 'started following you.',
  follow_request: 'asked to follow you.',
  favourite: 'liked your post.',
  reblog: 'boosted your post.',
  mention: 'commented:',
};

function thumb(status) {
  const media = status && status.media_attachments && status.media_attachments[0];
  if (!media) return null;
  return h('a.note-thumb', { href: postPath(status) }, h('img', { src: media.preview_url || media.url, alt: media.description || 'Your post', loading: 'lazy' }));
}

function notification(n) {
  if (n.type === 'export_ready') {
    return h('li.note', { dataset: { type: n.type } },
      avatarLink(n.account, 40),
      h('p.note-text', {}, 'The archive of your data is ready. ',
        h('a', { href: '/settings#export', text: 'Download it' }), ' ', timeEl(n.created_at)));
  }
  const text = [nameLink(n.account), ' ', WHAT[n.type] || n.type];
  if (n.type === 'mention' && n.status) {
    text.push(' ', h('a.comment-link', { href: `/p/${n.status.in_reply_to_id || n.status.id}`, text: plainText(n.status.content) || 'View' }));
  }
  if (n.type === 'follow_request') text.push(' ', h('a', { href: '/follow_requests', text: 'Review requests' }));
  return h('li.note', { dataset: { type: n.type } },
    avatarLink(n.account, 40),
    h('p.note-text', {}, ...text, ' ', timeEl(n.created_at)),
    n.type === 'favourite' || n.type === 'reblog' ? thumb(n.status) : null);
}

function invitation({ organisation: org, roles }) {
  return h('li.note', { dataset: { type: 'invitation' } },
    avatarLink(org, 40),
    h('p.note-text', {}, nameLink(org), ` invited you to join its staff as ${roleList(roles)}. `,
      h('a', { href: '/invitations', text: 'Accept or decline' })));
}

export default function (main) {
  document.title = 'Notifications · Vantage';
  if (!requireSignIn()) return;
  main.append(h('h1.page-title', { text: 'Notifications' }));
  if (session.account.locked) main.append(h('p.pad', {}, h('a', { href: '/follow_requests', text: 'Follow requests' })));
  const invitations = h('ul.notes', { 'aria-label': 'Invitations' });
  main.append(invitations);
  get('/api/vantage/v1/organisations/invitations').then((pending) => invitations.append(...pending.map(invitation)), () => {});
  const list = pagedList('/api/v1/notifications', notification, {
    container: h('ul.notes'), empty: h('p', { text: 'Nothing yet. Likes, comments and follows show here.' }),
  });
  main.append(list.root);
  return list.stop;
}
