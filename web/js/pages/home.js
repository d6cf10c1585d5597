// Home: the accounts you follow, newest first; signed out, the newest public
// posts under an invitation to join.
import { h } from '../dom.js';
import { signedIn } from '../session.js';
import { postCard } from '../ui/post_card.js';
import { pagedList } from '../ui/paged.js';

export default function (main) {
  document.title = 'Vantage';
  const mine = signedIn();
  if (!mine) {
    main.append(h('section.welcome', {},
      h('h1', { text: 'Photos from the people and places you follow' }),
      h('p', {}, h('a.button.primary', { href: '/sign_up', text: 'Sign up' }), ' ', h('a.button', { href: '/sign_in', text: 'Sign in' }))));
  } else {
    main.append(h('h1.visually-hidden', { text: 'Home' }));
  }
  const empty = h('div.empty', {}, h('p', { text: 'Nothing here yet. Follow people to see their photos.' }),
    h('a.button', { href: '/explore', text: 'Explore' }));
  const list = pagedList(mine ? '/api/v1/timelines/home' : '/api/v1/timelines/public', (s) => postCard(s), {
    empty,
    onFirst: () => performance.mark('vantage:first-post'),
  });
  main.append(list.root);
  return list.stop;
}
