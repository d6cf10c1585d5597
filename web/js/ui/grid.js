// The 3-column grid of posts on profiles, explore and hashtag pages.
import { h, icon } from '../dom.js';
import { postPath } from './post_card.js';

function thumbUrl(media) {
  const variants = media.vantage && media.vantage.variants;
  const thumb = variants && variants.find((v) => v.variant === 'thumb' && v.format === 'jpeg');
  return thumb ? thumb.url : media.preview_url || media.url;
}

export function gridTile(status) {
  const media = status.media_attachments[0];
  const alt = (media && media.description) || `Post by ${status.account.display_name || status.account.username}`;
  const tile = h('a.tile', { href: postPath(status) },
    media ? h('img', { src: thumbUrl(media), alt, loading: 'lazy', decoding: 'async' }) : null);
  if (status.pinned) tile.append(h('span.tile-mark', {}, icon('pin', 'Pinned')));
  else if (status.media_attachments.length > 1) tile.append(h('span.tile-mark.multi', { role: 'img', 'aria-label': `${status.media_attachments.length} photos`, text: '▣' }));
  return tile;
}

export const gridContainer = () => h('div.grid');
