// A new post: up to 20 photos in the order chosen, alt text for each, a
// caption with hashtag hints, who may see it; then each photo goes up with
// a progress bar, waits for processing, and the post is made.
import { h, clear, toast } from '../dom.js';
import { get, post, uploadMedia, waitForMedia } from '../api.js';
import { navigate } from '../router.js';
import { signedIn } from '../session.js';
import { field, errorLine } from '../ui/form.js';
import { postPath } from '../ui/post_card.js';

const MAX_PHOTOS = 20;

export default function (main) {
  document.title = 'New post · Vantage';
  if (!signedIn()) {
    navigate('/sign_in', { replace: true });
    return;
  }
  const items = [];  // {file, url, alt, mediaId, el}
  // One key for this post: a retry after a lost answer cannot post twice.
  // (getRandomValues, not randomUUID: that one needs HTTPS.)
  const idempotencyKey = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const urls = [];

  const input = h('input.visually-hidden', { type: 'file', id: 'photos', accept: 'image/jpeg,image/png,image/webp,image/heic,image/avif,image/gif', multiple: true });
  const picker = h('div.picker', {}, input, h('label.button', { for: 'photos', text: 'Choose photos' }),
    h('span.hint', { id: 'photo-count', text: `Up to ${MAX_PHOTOS} photos.` }));
  const list = h('ol.picked', { 'aria-label': 'Chosen photos' });
  const caption = h('textarea', { rows: 4, maxlength: 2200, name: 'caption' });
  const hints = h('ul.hints', { 'aria-label': 'Hashtag suggestions' });
  const visibility = h('select', { name: 'visibility' },
    h('option', { value: 'public', text: 'Everyone' }),
    h('option', { value: 'unlisted', text: 'Everyone, but not in public lists' }),
    h('option', { value: 'private', text: 'Followers only' }));
  const error = errorLine();
  const share = h('button.primary', { type: 'submit', text: 'Share' });
  const form = h('form.card.compose', {},
    h('h1', { text: 'New post' }),
    picker, list,
    field('Caption', caption, 'Add #hashtags and @mentions.'), hints,
    field('Who can see this', visibility),
    error, share);
  main.append(form);

  const render = () => {
    clear(list);
    items.forEach((item, idx) => {
      const n = idx + 1;
      const alt = h('input', { type: 'text', maxlength: 1500, value: item.alt, 'aria-label': `Alt text for photo ${n}`, placeholder: 'Describe this photo for people who cannot see it' });
      alt.addEventListener('input', () => { item.alt = alt.value; });
      const move = (delta, label, disabled) => {
        const b = h('button.secondary.small', { type: 'button', text: delta < 0 ? '↑' : '↓', 'aria-label': label, disabled });
        b.addEventListener('click', () => {
          const [moved] = items.splice(idx, 1);
          items.splice(idx + delta, 0, moved);
          render();
          // Keep the focus on the photo that moved.
          const to = idx + delta + 1;
          const again = list.querySelector(`button[aria-label="Move photo ${to} ${delta < 0 ? 'earlier' : 'later'}"]:not(:disabled)`)
            || list.querySelector(`input[aria-label="Alt text for photo ${to}"]`);
          if (again) again.focus();
        });
        return b;
      };
      const remove = h('button.secondary.small', { type: 'button', text: '✕', 'aria-label': `Remove photo ${n}` });
      remove.addEventListener('click', () => {
        items.splice(idx, 1);
        render();
      });
      const progress = h('progress', { max: 100, value: item.progress || 0, 'aria-label': `Photo ${n} upload` });
      const state = h('span.state', { text: item.state || '' });
      const problem = h('p.form-error', { role: 'alert', text: item.error || '' });
      item.el = { progress, state, problem };
      list.append(h('li.picked-item', {},
        h('img', { src: item.url, alt: `Photo ${n}: ${item.file.name}` }),
        h('div.picked-fields', {}, alt,
          h('div.picked-row', {}, move(-1, `Move photo ${n} earlier`, idx === 0), move(1, `Move photo ${n} later`, idx === items.length - 1), remove, progress, state),
          problem)));
    });
    document.getElementById('photo-count').textContent = items.length
      ? `${items.length} of ${MAX_PHOTOS} photos chosen.` : `Up to ${MAX_PHOTOS} photos.`;
  };

  input.addEventListener('change', () => {
    const room = MAX_PHOTOS - items.length;
    const files = [...input.files];
    if (files.length > room) toast(`A post holds up to ${MAX_PHOTOS} photos; the first ${room} were added.`);
    for (const file of files.slice(0, room)) {
      const url = URL.createObjectURL(file);
      urls.push(url);
      items.push({ file, url, alt: '' });
    }
    input.value = '';
    render();
  });

  // Hashtag hints: the tag being typed, completed from tags already used here.
  let hintTimer = 0;
  caption.addEventListener('input', () => {
    clearTimeout(hintTimer);
    const before = caption.value.slice(0, caption.selectionStart);
    const m = /(?:^|\s)#([\p{L}\p{N}_]{1,30})$/u.exec(before);
    if (!m) {
      clear(hints);
      return;
    }
    hintTimer = setTimeout(async () => {
      const found = await get(`/api/v2/search?type=hashtags&limit=5&q=${encodeURIComponent(m[1])}`).catch(() => null);
      clear(hints);
      for (const tag of (found && found.hashtags) || []) {
        const b = h('button.hint-tag', { type: 'button', text: `#${tag.name}` });
        b.addEventListener('click', () => {
          const start = caption.selectionStart - m[1].length;
          caption.value = `${caption.value.slice(0, start)}${tag.name} ${caption.value.slice(caption.selectionStart)}`;
          clear(hints);
          caption.focus();
        });
        hints.append(h('li', {}, b));
      }
    }, 150);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!items.length) {
      error.textContent = 'Choose at least one photo.';
      return;
    }
    share.disabled = true;
    try {
      for (const [idx, item] of items.entries()) {
        if (item.mediaId) continue;
        const { progress, state, problem } = item.el;
        problem.textContent = '';
        item.error = '';
        state.textContent = 'Uploading';
        try {
          let media = await uploadMedia(item.file, item.alt, (f) => {
            item.progress = Math.round(f * 90);
            progress.value = item.progress;
          });
          state.textContent = 'Processing';
          media = await waitForMedia(media);
          item.mediaId = media.id;
          item.progress = 100;
          progress.value = 100;
          item.state = 'Ready';
          state.textContent = 'Ready';
        } catch (err) {
          item.error = `Photo ${idx + 1} was not accepted: ${err.message}`;
          item.state = 'Rejected';
          state.textContent = 'Rejected';
          problem.textContent = item.error;
          throw new Error(`${item.error} Remove it or choose another photo.`);
        }
      }
      const created = await post('/api/v1/statuses', {
        status: caption.value,
        media_ids: items.map((i) => i.mediaId),
        visibility: visibility.value,
      }, { headers: { 'Idempotency-Key': idempotencyKey } });
      navigate(postPath(created));
    } catch (err) {
      error.textContent = err.message;
    } finally {
      share.disabled = false;
    }
  });

  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
