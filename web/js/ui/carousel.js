// A post's photos: one, or a carousel that scrolls with the finger (CSS
// scroll snapping), the arrows, the arrow keys, and shows dots. Each photo
// sits on its blurhash until it has loaded.
import { h, icon, sameOrigin } from '../dom.js';
import { blurhashCanvas } from './blurhash.js';

// Instagram's frame: the first photo's shape, between 4:5 and 1.91:1.
function frameAspect(media) {
  const original = media.meta?.small || media.meta?.original;
  const aspect = original?.width && original.height ? original.width / original.height : 1;
  return Math.min(1.91, Math.max(0.8, aspect));
}

// What an attachment can show here: its photo; a link to the server it came
// from, for a video or sound (Vantage shows photos only); or "Image
// unavailable" for a photo this server could not fetch or that failed the
// media pipeline. A picture is never loaded from another server.
export function mediaKind(media) {
  if (media.type && media.type !== 'image') return /^https?:\/\//i.test(media.remote_url || '') ? 'elsewhere' : 'unavailable';
  if (!media.url || media.vantage?.state === 'failed' || !sameOrigin(media.url)) return 'unavailable';
  return 'photo';
}

// The grey box in a photo's place: what it says, then the alt text.
const placeholder = (media, ...body) => h('div.unavailable', {}, ...body,
  media.description ? h('span.unavailable-alt', { text: media.description }) : null);
const unavailable = (media) => placeholder(media, h('strong', { text: 'Image unavailable' }));

function slideBody(media, index, alt, frame) {
  const kind = mediaKind(media);
  if (kind === 'elsewhere') {
    return [placeholder(media, h('a', { href: media.remote_url, rel: 'noopener noreferrer', target: '_blank', text: 'View on the original server' }))];
  }
  if (kind === 'unavailable') return [unavailable(media)];
  const img = h('img.photo', {
    alt, src: media.url, loading: index === 0 ? 'eager' : 'lazy', decoding: 'async', draggable: 'false',
  });
  const shown = () => frame.classList.add('loaded');
  if (img.complete && img.naturalWidth) shown();
  else img.addEventListener('load', shown, { once: true });
  img.addEventListener('error', () => frame.replaceChildren(unavailable(media)), { once: true });
  return [blurhashCanvas(media.blurhash, frameAspect(media)), img];
}

function slide(media, index, total, author) {
  const alt = media.description || `Photo ${index + 1} of ${total} by ${author}`;
  const frame = h('div.slide', { role: 'group', 'aria-roledescription': 'slide', 'aria-label': `${index + 1} of ${total}` });
  frame.append(...slideBody(media, index, alt, frame));
  return frame;
}

// onDoubleTap: liking by double-tap (mouse double-click or two quick taps).
export function carousel(status, { onDoubleTap } = {}) {
  const media = status.media_attachments || [];
  const author = status.account.display_name || status.account.username;
  const track = h('div.track');
  media.forEach((m, idx) => track.append(slide(m, idx, media.length, author)));
  const root = h('div.carousel', {}, track);
  root.style.setProperty('--aspect', String(frameAspect(media[0] || {})));

  if (onDoubleTap) {
    const heart = h('div.burst', { 'aria-hidden': 'true' }, icon('heart'));
    root.append(heart);
    const fire = () => {
      onDoubleTap();
      heart.classList.remove('go');
      void heart.offsetWidth;  // restart the animation
      heart.classList.add('go');
    };
    track.addEventListener('dblclick', (e) => {
      e.preventDefault();
      fire();
    });
    let lastTap = 0;
    track.addEventListener('pointerup', (e) => {
      if (e.pointerType !== 'touch') return;
      const now = e.timeStamp;
      if (now - lastTap < 300) {
        lastTap = 0;
        fire();
      } else {
        lastTap = now;
      }
    });
  }
  if (media.length < 2) {
    root.classList.add('single');
    return root;
  }

  root.setAttribute('role', 'region');
  root.setAttribute('aria-roledescription', 'carousel');
  root.setAttribute('aria-label', `${media.length} photos`);
  // The scrolling track takes the focus (keyboard users scroll it too).
  track.tabIndex = 0;
  track.setAttribute('aria-label', 'Photos: arrow keys move between them');
  const prev = h('button.arrow.prev', { type: 'button', 'aria-label': 'Previous photo' }, icon('left'));
  const next = h('button.arrow.next', { type: 'button', 'aria-label': 'Next photo' }, icon('right'));
  const dots = h('div.dots', { 'aria-hidden': 'true' }, media.map(() => h('span.dot')));
  const counter = h('span.visually-hidden', { 'aria-live': 'polite' });
  root.append(prev, next, dots, counter);

  let index = 0;
  const show = (i, smooth = true) => {
    index = Math.max(0, Math.min(media.length - 1, i));
    track.scrollTo({ left: index * track.clientWidth, behavior: smooth ? 'smooth' : 'auto' });
    update();
  };
  const update = () => {
    prev.hidden = index === 0;
    next.hidden = index === media.length - 1;
    [...dots.children].forEach((d, i) => d.classList.toggle('on', i === index));
    counter.textContent = `Photo ${index + 1} of ${media.length}`;
    root.dataset.index = String(index);
  };
  prev.addEventListener('click', () => show(index - 1));
  next.addEventListener('click', () => show(index + 1));
  root.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft') show(index - 1);
    else if (e.key === 'ArrowRight') show(index + 1);
    else return;
    e.preventDefault();
  });
  // Swipes scroll the track itself; the dots follow where it settles.
  let settle = 0;
  track.addEventListener('scroll', () => {
    clearTimeout(settle);
    settle = setTimeout(() => {
      const i = Math.round(track.scrollLeft / Math.max(1, track.clientWidth));
      if (i !== index) {
        index = i;
        update();
      }
    }, 80);
  }, { passive: true });
  update();
  return root;
}
