// Follow, Following, Requested: one button that follows, unfollows, or
// withdraws a request, showing the relationship the server answers.
import { h } from '../dom.js';
import { post } from '../api.js';
import { navigate } from '../router.js';
import { signedIn } from '../session.js';

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
    } finally {
      button.disabled = false;
      render();
    }
  });
  render();
  return button;
}
