// Building the page. User text only ever enters the DOM as text nodes or
// attribute values; the one exception, the server's sanitised `content`
// HTML, goes through richText(), which rebuilds it from an allow-list.

// h('a.card', {href, onclick, attrs}, child, 'text', ...) -> element.
export function h(spec, props = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.className += (el.className ? ' ' : '') + value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Server-rendered captions and bios: <p>, <br>, <a>, <span> and nothing else;
// only http(s) links survive, and links to this site become app links.
export function richText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  const out = document.createDocumentFragment();
  copy(doc.body, out);
  return out;
}

// The words of server HTML alone, for labels and short excerpts.
export function plainText(html) {
  return new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html').body.textContent.trim();
}

function copy(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.textContent));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = node.tagName.toLowerCase();
    if (tag === 'br') {
      to.append(document.createElement('br'));
    } else if (tag === 'p' || tag === 'span') {
      const el = document.createElement(tag);
      copy(node, el);
      to.append(el);
    } else if (tag === 'a') {
      const el = linkFor(node.getAttribute('href') || '');
      if (node.classList.contains('hashtag')) el.className = 'hashtag';
      else if (node.classList.contains('mention')) el.className = 'mention';
      copy(node, el);
      to.append(el);
    } else {
      copy(node, to);
    }
  }
}

function linkFor(href) {
  const el = document.createElement('a');
  let url;
  try {
    url = new URL(href, location.href);
  } catch {
    return el;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return el;
  if (url.origin === location.origin) {
    el.href = url.pathname + url.search;
  } else {
    el.href = url.href;
    el.rel = 'nofollow noopener noreferrer';
    el.target = '_blank';
  }
  return el;
}

// Whether `url` (absolute or relative) is on this server. Pictures are only
// ever loaded from here: a reader's browser never contacts another server.
export function sameOrigin(url) {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

let toastTimer = 0;
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 3500);
}

// Inline SVG icons, built as DOM nodes (no markup strings).
const ICONS = {
  home: 'M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z',
  search: 'M10.5 3a7.5 7.5 0 1 1 0 15 7.5 7.5 0 0 1 0-15zm0 2a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM16 17.4l1.4-1.4 4.3 4.3-1.4 1.4z',
  explore: 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm4 4-2.5 5.5L8 16l2.5-5.5z',
  plus: 'M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm0 2v14h14V5zm6 3h2v3h3v2h-3v3h-2v-3H8v-2h3z',
  heart: 'M12 20.5 4.3 13A5 5 0 0 1 12 6.6 5 5 0 0 1 19.7 13z',
  comment: 'M12 3c5 0 9 3.6 9 8s-4 8-9 8c-1.2 0-2.3-.2-3.3-.5L4 20l1.2-3.6C3.8 15 3 13.1 3 11c0-4.4 4-8 9-8zm0 2c-3.9 0-7 2.7-7 6 0 1.6.7 3 1.9 4.1l.4.4-.5 1.6 2.1-.7.4.1c.9.3 1.8.5 2.7.5 3.9 0 7-2.7 7-6s-3.1-6-7-6z',
  user: 'M12 3a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 11c4.4 0 8 2.2 8 5v2H4v-2c0-2.8 3.6-5 8-5z',
  bell: 'M12 3a6 6 0 0 1 6 6v4l2 3v1H4v-1l2-3V9a6 6 0 0 1 6-6zm-2 16h4a2 2 0 0 1-4 0z',
  gear: 'M12 8.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zM10.5 2h3l.5 2.6 1.8.8 2.2-1.5 2.1 2.1-1.5 2.2.8 1.8 2.6.5v3l-2.6.5-.8 1.8 1.5 2.2-2.1 2.1-2.2-1.5-1.8.8-.5 2.6h-3l-.5-2.6-1.8-.8-2.2 1.5-2.1-2.1 1.5-2.2-.8-1.8L2 13.5v-3l2.6-.5.8-1.8-1.5-2.2 2.1-2.1 2.2 1.5 1.8-.8z',
  check: 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1.2 13.6 6-6-1.4-1.4-4.6 4.6-2.2-2.2-1.4 1.4z',
  left: 'M15.4 4.6 8 12l7.4 7.4-1.4 1.4L5.2 12 14 3.2z',
  right: 'M8.6 4.6 16 12l-7.4 7.4 1.4 1.4 8.8-8.8L10 3.2z',
  pin: 'M14 2l8 8-2 1-3-1-4 4 1 5-2 2-4-4-5 5-1-1 5-5-4-4 2-2 5 1 4-4-1-3z',
  desk: 'M9 3h6a2 2 0 0 1 2 2v2h3a1 1 0 0 1 1 1v11a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a1 1 0 0 1 1-1h3V5a2 2 0 0 1 2-2zm0 2v2h6V5zM5 9v10h14V9z',
};

export function icon(name, label) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
