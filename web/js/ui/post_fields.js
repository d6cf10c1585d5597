// The caption (with hints for the hashtag being typed, completed from tags
// already used here), who may see a post and whether other servers get it:
// the fields of a new post and of an organisation's draft.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { field } from './form.js';

export function captionField(value = '') {
  const caption = h('textarea', { rows: 4, maxlength: 2200, name: 'caption', value });
  const hints = h('ul.hints', { 'aria-label': 'Hashtag suggestions' });
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
  return { input: caption, nodes: [field('Caption', caption, 'Add #hashtags and @mentions.'), hints] };
}

export function visibilityField(value = 'public') {
  const select = h('select', { name: 'visibility' },
    h('option', { value: 'public', text: 'Everyone' }),
    h('option', { value: 'unlisted', text: 'Everyone, but not in public lists' }),
    h('option', { value: 'private', text: 'Followers only' }));
  select.value = value;
  return { input: select, node: field('Who can see this', select) };
}

// Whether the post goes to other servers too (vantage_federate), said plainly:
// a copy sent cannot be taken back.
export function federateField(checked = true) {
  const box = h('input', { type: 'checkbox', name: 'vantage_federate', checked, 'aria-describedby': 'federate-hint' });
  return { input: box, node: h('div.field', {}, h('label.check', {}, box, 'Share beyond this server'),
    h('p.hint', { id: 'federate-hint', text: 'Other servers in the fediverse get a copy. A copy sent cannot be recalled: deleting the post only asks them to delete it too.' })) };
}
