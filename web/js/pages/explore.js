// Explore: the public posts most liked in the last two days, as a grid.
import { h } from '../dom.js';
import { request } from '../api.js';
import { gridTile, gridContainer } from '../ui/grid.js';

const PAGE = 30;

export default function (main) {
  document.title = 'Explore · Vantage';
  main.append(h('h1.page-title', { text: 'Explore' }));
  const grid = gridContainer();
  const more = h('button.more', { type: 'button', text: 'Load more' });
  const status = h('p.list-status', { role: 'status' });
  main.append(grid, status, more);
  let offset = 0;
  // The explore list pages by offset, not by Link.
  const load = async () => {
    more.disabled = true;
    try {
      const { data } = await request('GET', `/api/vantage/v1/explore?limit=${PAGE}&offset=${offset}`);
      data.forEach((s) => grid.append(gridTile(s)));
      offset += data.length;
      more.hidden = data.length < PAGE || offset >= 400;
      if (!offset) status.textContent = 'Nothing to explore yet.';
    } catch (e) {
      status.textContent = e.message;
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', load);
  load();
}
