// A list that loads its next page when its end scrolls into view (and by a
// button, for keyboards), following the Link header's rel="next".
import { h } from '../dom.js';
import { requestOnce } from '../api.js';

// renderItem(item) -> Node; returns {root, done: Promise of the first page}.
export function pagedList(firstPath, renderItem, { container = h('div.feed'), empty = null, onFirst } = {}) {
  let nextPath = firstPath;
  let loading = false;
  let seen = 0;
  const more = h('button.more', { type: 'button', text: 'Load more' });
  const status = h('p.list-status', { role: 'status' });
  const root = h('div.paged', {}, container, status, more);
  more.hidden = true;

  const load = async () => {
    if (loading || !nextPath) return;
    loading = true;
    status.textContent = 'Loading…';
    try {
      const { data, link } = await requestOnce(nextPath);
      data.forEach((item, idx) => {
        container.append(renderItem(item));
        if (seen === 0 && idx === 0 && onFirst) onFirst();
      });
      seen += data.length;
      nextPath = data.length ? link.next : null;
      status.textContent = '';
      if (!seen && empty) status.replaceChildren(empty);
    } catch (e) {
      status.textContent = e.message;
    } finally {
      loading = false;
      more.hidden = !nextPath;
    }
  };
  more.addEventListener('click', load);
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) load();
  }, { rootMargin: '800px' });
  observer.observe(more);
  const done = load().then(() => observer.observe(status));
  return { root, done, stop: () => observer.disconnect() };
}
