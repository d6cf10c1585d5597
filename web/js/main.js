// Starts the app: who is signed in, the navigation, then the page.
import { prefetch } from './api.js';
import { loadSession } from './session.js';
import { route, render, interceptLinks, onRender } from './router.js';
import { renderNav } from './ui/nav.js';

route('/', () => import('./pages/home.js'));
route('/sign_in', () => import('./pages/sign_in.js'));
route('/sign_up', () => import('./pages/sign_up.js'));
// The pages e-mails link to, and asking for a new password.
route('/forgot_password', () => import('./pages/forgot_password.js'));
route('/reset_password', () => import('./pages/reset_password.js'));
route('/confirm_email', () => import('./pages/confirm_email.js'));
route('/settings', () => import('./pages/settings.js'));
route('/new', () => import('./pages/compose.js'));
route('/explore', () => import('./pages/explore.js'));
route('/search', () => import('./pages/search.js'));
route('/tags/:tag', () => import('./pages/tag.js'));
route('/notifications', () => import('./pages/notifications.js'));
route('/follow_requests', () => import('./pages/follow_requests.js'));
route('/invitations', () => import('./pages/invitations.js'));
route('/p/:id', () => import('./pages/post.js'));
route('/qa/:id', () => import('./pages/qa.js'));
route('/@:name', () => import('./pages/profile.js'));
route('/@:name/followers', () => import('./pages/people.js'));
route('/@:name/following', () => import('./pages/people.js'));
route('/@:name/:id', () => import('./pages/post.js'));
route('/@:name/:id/likes', () => import('./pages/people.js'));
// The staff console (docs/web.md): tabs by role, drawn by ui/console_nav.js.
route('/console', () => import('./pages/console/index.js'));
route('/console/:org', () => import('./pages/console/drafts.js'));
route('/console/:org/drafts/:id', () => import('./pages/console/draft.js'));
route('/console/:org/queue', () => import('./pages/console/queue.js'));
route('/console/:org/schedule', () => import('./pages/console/schedule.js'));
route('/console/:org/qa', () => import('./pages/console/qa.js'));
route('/console/:org/qa/:id', () => import('./pages/console/qa.js'));
route('/console/:org/insights', () => import('./pages/console/insights.js'));
route('/console/:org/audit', () => import('./pages/console/audit.js'));
route('/console/:org/staff', () => import('./pages/console/staff.js'));

async function start() {
  // The home feed's first page travels with the session check (signed out,
  // it is a 401 and the feed asks for the public timeline instead).
  if (location.pathname === '/') prefetch('/api/v1/timelines/home');
  await loadSession();
  onRender(renderNav);
  interceptLinks();
  await render();
}

start().catch((e) => {
  const main = document.getElementById('main');
  main.textContent = `Vantage could not start: ${e.message}`;
});
