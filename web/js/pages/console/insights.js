// /console/:org/insights: the organisation's followers by hour, and the likes
// and comments of its recent posts, read as the organisation (any role).
import { h } from '../../dom.js';
import { get } from '../../api.js';
import { consoleNav, consolePath } from '../../ui/console_nav.js';
import { stepChart } from '../../ui/chart.js';

const RANGES = { 24: 'Last day', 168: 'Last week', 720: 'Last 30 days' };
const HOUR = 3600e3;
const series = (hours, key) => hours.map((r) => [Date.parse(r.hour), r[key]]);

export default async function (main, { org, query }) {
  const membership = await consoleNav(main, org, 'insights');
  if (!membership) return;
  const hours = RANGES[query.get('hours')] ? Number(query.get('hours')) : 168;
  const headers = { 'Vantage-Act-As': org };
  const to = Date.now();
  const from = Math.floor(to / HOUR) * HOUR - (hours - 1) * HOUR;
  const ranges = h('ul.chips', { 'aria-label': 'Period' }, ...Object.entries(RANGES).map(([n, label]) => h('li', {},
    h('a.chip', { href: consolePath(org, `/insights?hours=${n}`), 'aria-current': Number(n) === hours ? 'true' : null, text: label }))));
  const followers = h('section.card', {}, h('h2', { text: 'Followers' }));
  const posts = h('section', {}, h('h2.pad', { text: 'Recent posts' }));
  main.append(h('section.console-page', {}, h('div.console-bar', {}, h('h1', { text: 'Insights' })), ranges, followers, posts));

  try {
    const data = await get(`/api/vantage/v1/insights/followers?hours=${hours}`, { headers });
    const points = series(data.hours, 'followers_count');
    followers.append(h('p', { text: `${data.followers_count.toLocaleString('en')} followers now.` }),
      stepChart({ title: 'Followers by hour', series: [{ label: 'Followers', points: points.length ? points : [[from, data.followers_count]] }], from, to }));
  } catch (e) {
    followers.append(h('p.form-error', { text: e.message }));
  }

  const statuses = await get(`/api/v1/accounts/${encodeURIComponent(org)}/statuses?exclude_replies=true&limit=5`, { headers }).catch(() => []);
  if (!statuses.length) posts.append(h('p.empty', { text: 'No posts yet.' }));
  for (const s of statuses) {
    const card = h('section.card', {}, h('h3', {}, h('a', { href: `/@${membership.account.username}/${s.id}`,
      text: new DOMParser().parseFromString(s.content, 'text/html').body.textContent.trim().slice(0, 60) || 'Photo post' })));
    posts.append(card);
    get(`/api/vantage/v1/insights/statuses/${s.id}?hours=${hours}`, { headers }).then((d) => {
      const count = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
      card.append(h('p', { text: `${count(d.favourites_count, 'like', 'likes')}, ${count(d.replies_count, 'comment', 'comments')}.` }),
        stepChart({ title: 'Likes and comments by hour', from, to, series: [
          { label: 'Likes', points: series(d.hours, 'favourites_count') },
          { label: 'Comments', points: series(d.hours, 'replies_count') }] }));
    }, (e) => card.append(h('p.form-error', { text: e.message })));
  }
}
