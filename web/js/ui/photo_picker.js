// The photos of a post being made: up to 20 in the order chosen (↑/↓), each
// with its alt text; upload() sends each new one with a progress bar, waits
// for processing, and resolves to the media ids in order.
import { h, clear, toast } from '../dom.js';
import { put, uploadMedia, waitForMedia } from '../api.js';

export const MAX_PHOTOS = 20;
let pickers = 0;

// headers: sent with every upload (Vantage-Act-As uploads for an organisation).
export function photoPicker({ headers } = {}) {
  const items = [];  // {file, url, alt, mediaId, savedAlt, el}
  const urls = [];
  const id = `photos${++pickers}`;
  const input = h('input.visually-hidden', { type: 'file', id, accept: 'image/jpeg,image/png,image/webp,image/heic,image/avif,image/gif', multiple: true });
  const count = h('span.hint', { text: `Up to ${MAX_PHOTOS} photos.` });
  const picker = h('div.picker', {}, input, h('label.button', { for: id, text: 'Choose photos' }), count);
  const list = h('ol.picked', { 'aria-label': 'Chosen photos' });

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
        h('img', { src: item.url, alt: item.name ? `Photo ${n}: ${item.name}` : `Photo ${n}` }),
        h('div.picked-fields', {}, alt,
          h('div.picked-row', {}, move(-1, `Move photo ${n} earlier`, idx === 0), move(1, `Move photo ${n} later`, idx === items.length - 1), remove, progress, state),
          problem)));
    });
    count.textContent = items.length ? `${items.length} of ${MAX_PHOTOS} photos chosen.` : `Up to ${MAX_PHOTOS} photos.`;
  };

  input.addEventListener('change', () => {
    const room = MAX_PHOTOS - items.length;
    const files = [...input.files];
    if (files.length > room) toast(`A post holds up to ${MAX_PHOTOS} photos; the first ${room} were added.`);
    for (const file of files.slice(0, room)) {
      const url = URL.createObjectURL(file);
      urls.push(url);
      items.push({ file, name: file.name, url, alt: '' });
    }
    input.value = '';
    render();
  });

  // Photos already uploaded (a saved draft's), as MediaAttachments.
  const adopt = (attachments) => {
    for (const m of attachments) {
      const alt = m.description || '';
      items.push({ name: '', url: m.preview_url || m.url, alt, savedAlt: alt, mediaId: m.id, progress: 100, state: 'Ready' });
    }
    render();
  };

  const upload = async () => {
    for (const [idx, item] of items.entries()) {
      if (item.mediaId) {
        // An uploaded photo's alt text changes on its own.
        if (item.savedAlt !== undefined && item.alt !== item.savedAlt) {
          await put(`/api/v1/media/${encodeURIComponent(item.mediaId)}`, { description: item.alt }, { headers });
          item.savedAlt = item.alt;
        }
        continue;
      }
      const { progress, state, problem } = item.el;
      problem.textContent = '';
      item.error = '';
      state.textContent = 'Uploading';
      try {
        let media = await uploadMedia(item.file, item.alt, (f) => {
          item.progress = Math.round(f * 90);
          progress.value = item.progress;
        }, headers);
        state.textContent = 'Processing';
        media = await waitForMedia(media, headers);
        item.mediaId = media.id;
        item.savedAlt = item.alt;
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
    return items.map((i) => i.mediaId);
  };

  return { nodes: [picker, list], items, adopt, upload, cleanup: () => urls.forEach((u) => URL.revokeObjectURL(u)) };
}
