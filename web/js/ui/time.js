// "5m", "3h", "2d", then a date: as Instagram shows times on cards.
import { h } from '../dom.js';

export function relativeTime(iso, now = Date.now()) {
  const then = new Date(iso).getTime();
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d`;
  const d = new Date(then);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return d.toLocaleDateString('en', sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' });
}

export function timeEl(iso) {
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString('en') , text: relativeTime(iso) });
}

export function count(n, one, many) {
  return `${Number(n).toLocaleString('en')} ${n === 1 ? one : many}`;
}
