// Client-side routes. The server answers index.html for each of them
// (src/api/web_app.cc, IsAppRoute), so every URL here is also a real link.
import { clear } from './dom.js';

const routes = [];
let current = null;  // {cleanup}
let renderHook = () => {};

// route('/@:name/:id', () => import('./pages/post.js'))
export function route(pattern, load) {
  const names = [];
  const source = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
  routes.push({ re: new RegExp(`^${source}/?$`), names, load });
}

export function onRender(hook) {
  renderHook = hook;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    const params = {};
    r.names.forEach((name, idx) => {
      params[name] = decodeURIComponent(m[idx + 1]);
    });
    return { load: r.load, params };
  }
  return null;
}

export async function render() {
  if (current && current.cleanup) current.cleanup();
  current = null;
  const main = document.getElementById('main');
  const found = match(location.pathname);
  renderHook(location.pathname);
  clear(main);
  const token = {};
  current = token;
  if (!found) {
    const { renderNotFound } = await import('./pages/not_found.js');
    renderNotFound(main);
    return;
  }
  const page = await found.load();
  if (current !== token) return;  // navigated again meanwhile
  const params = { ...found.params, query: new URLSearchParams(location.search) };
  token.cleanup = await page.default(main, params);
  // A link to a part of a page (/settings#two-factor) opens there.
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) {
    target.scrollIntoView();
    if (target.hasAttribute('tabindex')) target.focus({ preventScroll: true });
  } else {
    window.scrollTo(0, 0);
  }
}

// Same-origin links to app routes navigate in place.
export function interceptLinks() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !match(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', render);
}
