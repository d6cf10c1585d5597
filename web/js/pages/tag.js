// A hashtag: its public posts, newest first, as a grid.
import { h } from '../dom.js';
import { get } from '../api.js';
import { gridTile, gridContainer } from '../ui/grid.js';
import { pagedList } from '../ui/paged.js';

export default async function (main, { tag }) {
  document.title = `#${tag} · Vantage`;
  const info = await get(`/api/v1/tags/${encodeURIComponent(tag)}`).catch(() => null);
  main.append(h('h1.page-title', { text: `#${info ? info.name : tag}` }));
  const list = pagedList(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`, gridTile,
    { container: gridContainer(), empty: h('p', { text: 'No posts with this tag yet.' }) });
  main.append(list.root);
  return list.stop;
}
