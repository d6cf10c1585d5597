// A step chart in SVG: counts that hold until the next change (followers by
// hour, likes and comments by hour). Accessible as an image with a summary,
// and as a table for screen readers.
import { h } from '../dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600, H = 220, LEFT = 44, RIGHT = 12, TOP = 12, BOTTOM = 28;
const HOUR = 3600e3;

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// 1, 2, 5 x 10^n at or above `max`.
function roundUp(max) {
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
}

const hourLabel = (t, days) => new Date(t).toLocaleString(undefined, days
  ? { day: 'numeric', month: 'short' } : { hour: '2-digit', minute: '2-digit' });
const fullTime = (t) => new Date(t).toLocaleString(undefined,
  { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

// series: [{label, points: [[ms, count], ...] oldest first}]; from, to: ms.
// A series is drawn from its first point to `to`, holding each count until
// the next.
export function stepChart({ title, series, from, to }) {
  const top = roundUp(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const x = (t) => LEFT + ((Math.max(t, from) - from) / (to - from)) * (W - LEFT - RIGHT);
  const y = (v) => TOP + (1 - v / top) * (H - TOP - BOTTOM);

  const summary = series.map((s) => {
    if (!s.points.length) return `${s.label}: no changes`;
    const values = s.points.map((p) => p[1]);
    return `${s.label}: ${values[0]} to ${values[values.length - 1]}, highest ${Math.max(...values)}`;
  }).join('; ');
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}, ${fullTime(from)} to ${fullTime(to)}. ${summary}.` });

  for (const v of [0, top / 2, top]) {
    chart.append(svg('line', { class: 'chart-grid', x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v) }),
      svg('text', { x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  // Hour ticks: the smallest step that leaves at most six labels.
  const step = [1, 2, 3, 6, 12, 24, 48, 168, 720].find((n) => (to - from) / (n * HOUR) <= 6) || 720;
  const days = step >= 24;
  const first = Math.ceil(from / (step * HOUR)) * step * HOUR;
  for (let t = first; t <= to; t += step * HOUR) {
    chart.append(svg('line', { class: 'chart-axis', x1: x(t), x2: x(t), y1: H - BOTTOM, y2: H - BOTTOM + 4 }),
      svg('text', { x: x(t), y: H - 8, 'text-anchor': x(t) > W - RIGHT - 30 ? 'end' : 'middle' }, hourLabel(t, days)));
  }
  chart.append(svg('line', { class: 'chart-axis', x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }),
    svg('line', { class: 'chart-axis', x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM }));
  series.forEach((s, i) => {
    if (!s.points.length) return;
    let d = `M${x(s.points[0][0])} ${y(s.points[0][1])}`;
    for (const [t, v] of s.points.slice(1)) d += `H${x(t)}V${y(v)}`;
    d += `H${x(to)}`;
    chart.append(svg('path', { class: `chart-line chart-line-${i}`, d }));
    // A dot per change, so a change near the end still shows.
    for (const [t, v] of s.points) chart.append(svg('circle', { class: `chart-dot chart-line-${i}`, cx: x(t), cy: y(v), r: 3 }));
  });

  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const table = h('table.visually-hidden', {},
    h('caption', { text: title }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Hour' }), ...series.map((s) => h('th', { scope: 'col', text: s.label })))),
    h('tbody', {}, ...times.map((t) => h('tr', {}, h('th', { scope: 'row', text: fullTime(t) }),
      ...series.map((s) => {
        const at = s.points.filter((p) => p[0] <= t).pop();
        return h('td', { text: at ? String(at[1]) : '' });
      })))));
  const legend = series.length > 1
    ? h('ul.chart-legend', { 'aria-hidden': 'true' }, ...series.map((s, i) => h(`li.chart-key-${i}`, { text: s.label })))
    : null;
  return h('figure.chart', {}, chart, legend, table);
}
