// Follow, Following, Requested: one button that follows, unfollows, or
// withdraws a request, showing the relationship the server answers.
import { h, toast } from '../dom.js';
import { get, post } from '../api.js';
import { navigate } from '../router.js';
import { signedIn } from '../session.js';
import { isRemote } from './account.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function followButton(account, relationship, onChange = () => {}) {
  const button = h('button', { type: 'button', class: 'follow' });
  let rel = relationship || { following: false, requested: false };
  const who = account.acct || account.username;
  const render = () => {
    const state = rel.following ? 'Following' : rel.requested ? 'Requested' : (rel.followed_by ? 'Follow back' : 'Follow');
    button.textContent = state;
    button.className = `follow ${rel.following || rel.requested ? 'secondary' : 'primary'}`;
    button.setAttribute('aria-label', rel.following ? `Unfollow ${who}` : rel.requested ? `Withdraw follow request to ${who}` : `Follow ${who}`);
  };
  button.addEventListener('click', async () => {
    if (!signedIn()) {
      navigate('/sign_in');
      return;
    }
    button.disabled = true;
    try {
      const undo = rel.following || rel.requested;
      rel = await post(`/api/v1/accounts/${account.id}/${undo ? 'unfollow' : 'follow'}`, {});
      onChange(rel);
      if (rel.requested && isRemote(account)) awaitAnswer();
    } catch (e) {
      toast(e.message);
    } finally {
      button.disabled = false;
      render();
    }
  });
  // Another server accepts a follow on its own time (most at once): while the
  // button is on the page, ask a few times whether Requested became Following.
  const awaitAnswer = async () => {
    const asked = rel;
    for (const wait of [1000, 3000, 8000]) {
      await sleep(wait);
      if (!button.isConnected || rel !== asked) return;
      const [now] = await get(`/api/v1/accounts/relationships?id[]=${account.id}`).catch(() => []);
      if (rel !== asked || button.disabled || !now) return;
      if (!now.requested) {
        rel = now;
        render();
        onChange(rel);
        return;
      }
    }
  };
  render();
  return button;
}
