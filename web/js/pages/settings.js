// Settings: the profile, the password, hidden words, the sessions, and signing out.
import { h, clear, toast } from '../dom.js';
import { get, patch, post, put, del, request } from '../api.js';
import { navigate } from '../router.js';
import { session, signOut, loadSession, requireSignIn } from '../session.js';
import { renderNav } from '../ui/nav.js';
import { field, errorLine, submitting } from '../ui/form.js';
import { relativeTime } from '../ui/time.js';
import { avatar } from '../ui/account.js';

// The picture: chosen, previewed, then sent as update_credentials' `avatar`.
function avatarForm() {
  const me = () => session.account;
  const current = h('span');
  const file = h('input', { type: 'file', name: 'avatar', accept: 'image/jpeg,image/png,image/webp,image/heic,image/gif' });
  const remove = h('button.secondary', { type: 'button', text: 'Remove picture' });
  const error = errorLine();
  let preview = '';
  const show = () => {
    current.replaceChildren(preview
      ? h('img.avatar', { src: preview, alt: 'New profile picture (preview)', width: 72, height: 72 })
      : avatar(me(), 72));
    remove.hidden = me().avatar.endsWith('/missing.png');
  };
  const form = h('form.card', {}, h('h2', { text: 'Profile picture' }),
    h('div.avatar-edit', {}, current, field('Choose a picture', file, 'JPEG, PNG, WebP, HEIC or GIF; cropped to a square.')),
    error, h('div.avatar-edit', {}, h('button.primary', { type: 'submit', text: 'Upload picture' }), remove));
  file.onchange = () => {
    if (preview) URL.revokeObjectURL(preview);
    preview = file.files[0] ? URL.createObjectURL(file.files[0]) : '';
    error.textContent = '';
    show();
  };
  const done = async (message) => {
    if (preview) URL.revokeObjectURL(preview);
    preview = '';
    file.value = '';
    await loadSession();
    show();
    toast(message);
  };
  form.onsubmit = (e) => submitting(form, error, async () => {
    e.preventDefault();
    if (!file.files[0]) throw new Error('Choose a picture first.');
    const body = new FormData();
    body.append('avatar', file.files[0]);
    await request('PATCH', '/api/v1/accounts/update_credentials', { form: body });
    await done('Picture saved');
  });
  remove.onclick = () => submitting(form, error, async () => {
    await del('/api/v1/profile/avatar');
    await done('Picture removed');
  });
  show();
  return form;
}

// Up to four profile fields (a website, say): name and value.
function fieldInputs() {
  const saved = session.account.source?.fields || [];
  const input = (i, k, hint) => h('input', { name: `fields_attributes[${i}][${k}]`, maxlength: 255, value: saved[i]?.[k] || '', placeholder: i ? '' : hint });
  const rows = [0, 1, 2, 3].map((i) => ({ name: input(i, 'name', 'Website'), value: input(i, 'value', 'https://') }));
  const nodes = rows.map((r, i) => h('div.field-pair', {}, field(`Label ${i + 1}`, r.name), field(`Content ${i + 1}`, r.value)));
  return { nodes, values: () => rows.map((r) => ({ name: r.name.value, value: r.value.value })) };
}

function profileForm() {
  const me = session.account;
  const name = h('input', { name: 'display_name', maxlength: 30, value: me.display_name });
  const bio = h('textarea', { name: 'note', rows: 3, maxlength: 500, value: me.source?.note || '' });
  const locked = h('input', { type: 'checkbox', name: 'locked', checked: Boolean(me.locked) });
  const fields = fieldInputs();
  const error = errorLine();
  const form = h('form.card', {}, h('h2', { text: 'Profile' }),
    field('Name', name), field('Bio', bio), ...fields.nodes,
    h('label.check', {}, locked, 'Private account: approve who follows you'),
    error, h('button.primary', { type: 'submit', text: 'Save profile' }));
  form.onsubmit = (e) => submitting(form, error, async () => {
    e.preventDefault();
    await patch('/api/v1/accounts/update_credentials', {
      display_name: name.value, note: bio.value, locked: locked.checked, fields_attributes: fields.values(),
    });
    await loadSession();
    toast('Profile saved');
  });
  return form;
}

function passwordForm() {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const error = errorLine();
  const form = h('form.card', {}, h('h2', { text: 'Password' }),
    field('Current password', current), field('New password', next, 'At least 12 characters. Every other session is signed out.'),
    error, h('button.primary', { type: 'submit', text: 'Change password' }));
  form.onsubmit = (e) => submitting(form, error, async () => {
    e.preventDefault();
    await post('/api/vantage/v1/password', { current_password: current.value, new_password: next.value });
    current.value = next.value = '';
    toast('Password changed');
  });
  return form;
}

// Comments under your posts with one of these words are held for your review.
function hiddenWords() {
  const url = '/api/vantage/v1/hidden_words';
  const words = h('textarea', { rows: 4 });
  const std = h('input', { type: 'checkbox' });
  const list = h('p.hint');
  const error = errorLine();
  const show = (w) => {
    words.value = w.words.join('\n');
    std.checked = w.use_default;
    list.textContent = `Default: ${w.default_words.join(', ')}`;
  };
  const form = h('form.card', { onsubmit: (e) => submitting(form, error, async () => {
    e.preventDefault();
    show(await put(url, { words: words.value.split('\n').filter((w) => w.trim()), use_default: std.checked }));
    toast('Saved');
  }) }, h('h2', { text: 'Hidden words' }), field('Hold comments with these, one a line', words),
  h('label.check', {}, std, 'And the default list'), list, error, h('button.primary', { type: 'submit', text: 'Save' }));
  get(url).then(show, (x) => { error.textContent = x.message; });
  return form;
}

function sessionsCard() {
  const list = h('ul.sessions');
  const card = h('section.card', {}, h('h2', { text: 'Where you are signed in' }), list);
  const load = async () => {
    const sessions = await get('/api/vantage/v1/sessions');
    clear(list);
    for (const s of sessions) {
      const what = s.kind === 'session' ? (s.user_agent || 'A browser') : (s.app || 'An app');
      const revoke = s.current ? h('span.muted', { text: 'This browser' })
        : h('button.secondary', { type: 'button', text: 'Sign out', 'aria-label': `Sign out ${what}, last used ${relativeTime(s.last_used_at)}`,
          onclick: async () => {
            await del(`/api/vantage/v1/sessions/${s.id}`);
            toast('Signed out there');
            load();
          } });
      list.append(h('li.session', {}, h('div', {}, h('strong', { text: what.slice(0, 80) }),
        h('div.muted', { text: `${s.ip || ''} · last used ${relativeTime(s.last_used_at)}` })), revoke));
    }
  };
  load().catch((e) => list.append(h('li', { text: e.message })));
  return card;
}

export default async function (main) {
  document.title = 'Settings · Vantage';
  if (!requireSignIn()) return;
  const out = h('button.secondary', { type: 'button', text: 'Sign out', onclick: async () => {
    await signOut();
    renderNav(location.pathname);
    navigate('/', { replace: true });
  } });
  main.append(h('div.narrow', {}, h('h1.page-title', { text: 'Settings' }),
    avatarForm(), profileForm(), passwordForm(), hiddenWords(), sessionsCard(),
    h('section.card', {}, h('h2', { text: 'Account' }), h('p', { text: `Signed in as @${session.account.username}.` }), out)));
}
