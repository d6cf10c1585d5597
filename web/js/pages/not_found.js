import { h } from '../dom.js';

export function renderNotFound(main, message = 'This page is not here.') {
  document.title = 'Not found · Vantage';
  main.append(h('section.empty', {}, h('h1', { text: 'Not found' }), h('p', { text: message }),
    h('p', {}, h('a', { href: '/', text: 'Go home' }))));
}

export default function (main) {
  renderNotFound(main);
}
