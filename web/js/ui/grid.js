// The 3-column grid of posts on profiles, explore, hashtag and search pages.
import { h, icon, plainText, sameOrigin } from '../dom.js';
import { postPath } from './post_card.js';
import { mediaKind } from './carousel.js';

function thumbUrl(media) {
  const variants = media.vantage && media.vantage.variants;
  const thumb = variants && variants.find((v) => v.variant === 'thumb' && v.format === 'jpeg');
  return thumb ? thumb.url : media.preview_url || media.url;
}

// The first photo, or the words of a post without one (other servers' text
// posts, or one whose photo is unavailable here).
function tileBody(status) {
  const media = status.media_attachments[0];
  const who = status.account.display_name || status.account.username;
  const words = () => h('span.tile-text', { text: plainText(status.content).slice(0, 140) || (media ? 'Image unavailable' : `Post by ${who}`) });
  const src = media && mediaKind(media) === 'photo' && thumbUrl(media);
  if (!src || !sameOrigin(src)) return words();
  const img = h('img', { src, alt: media.description || `Post by ${who}`, loading: 'lazy', decoding: 'async' });
  img.addEventListener('error', () => img.replaceWith(words()), { once: true });
  return img;
}

export function gridTile(item) {
  const status = item.reblog || item;
  const tile = h('a.tile', { href: postPath(status) }, tileBody(status));
  if (item.pinned) tile.append(h('span.tile-mark', {}, icon('pin', 'Pinned')));
  else if (status.media_attachments.length > 1) tile.append(h('span.tile-mark.multi', { role: 'img', 'aria-label': `${status.media_attachments.length} photos`, text: '▣' }));
  return tile;
}

export const gridContainer = () => h('div.grid');
