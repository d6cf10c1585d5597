// Settings: the profile, the password, the sessions, and signing out.
import { h, clear, toast } from '../dom.js';
import { get, patch, post, del, request } from '../api.js';
import { navigate } from '../router.js';
import { session, signedIn, signOut, loadSession } from '../session.js';
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
  file.addEventListener('change', () => {
    if (preview) URL.revokeObjectURL(preview);
    preview = file.files[0] ? URL.createObjectURL(file.files[0]) : '';
    error.textContent = '';
    show();
  });
  const done = async (message) => {
    if (preview) URL.revokeObjectURL(preview);
    preview = '';
    file.value = '';
    await loadSession();
    show();
    toast(message);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      if (!file.files[0]) throw new Error('Choose a picture first.');
      const body = new FormData();
      body.append('avatar', file.files[0]);
      await request('PATCH', '/api/v1/accounts/update_credentials', { form: body });
      await done('Picture saved');
    });
  });
  remove.addEventListener('click', () => submitting(form, error, async () => {
    await del('/api/v1/profile/avatar');
    await done('Picture removed');
  }));
  show();
  return form;
}

// Up to four profile fields (a website, say): name and value.
function fieldInputs() {
  const saved = (session.account.source && session.account.source.fields) || [];
  const rows = [0, 1, 2, 3].map((i) => {
    const f = saved[i] || {};
    return {
      name: h('input', { name: `fields_attributes[${i}][name]`, maxlength: 255, value: f.name || '', placeholder: i ? '' : 'Website' }),
      value: h('input', { name: `fields_attributes[${i}][value]`, maxlength: 255, value: f.value || '', placeholder: i ? '' : 'https://' }),
    };
  });
  const nodes = rows.map((r, i) => h('div.field-pair', {}, field(`Label ${i + 1}`, r.name), field(`Content ${i + 1}`, r.value)));
  return { nodes, values: () => rows.map((r) => ({ name: r.name.value, value: r.value.value })) };
}

function profileForm() {
  const me = session.account;
  const name = h('input', { name: 'display_name', maxlength: 30, value: me.display_name });
  const bio = h('textarea', { name: 'note', rows: 3, maxlength: 500, value: (me.source && me.source.note) || '' });
  const locked = h('input', { type: 'checkbox', name: 'locked', id: 'locked', checked: Boolean(me.locked) });
  const fields = fieldInputs();
  const error = errorLine();
  const form = h('form.card', {}, h('h2', { text: 'Profile' }),
    field('Name', name), field('Bio', bio), ...fields.nodes,
    h('div.check', {}, locked, h('label', { for: 'locked', text: 'Private account: approve who follows you' })),
    error, h('button.primary', { type: 'submit', text: 'Save profile' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      await patch('/api/v1/accounts/update_credentials', {
        display_name: name.value, note: bio.value, locked: locked.checked, fields_attributes: fields.values(),
      });
      await loadSession();
      toast('Profile saved');
    });
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
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      await post('/api/vantage/v1/password', { current_password: current.value, new_password: next.value });
      current.value = next.value = '';
      toast('Password changed');
    });
  });
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
        : h('button.secondary', { type: 'button', text: 'Sign out', 'aria-label': `Sign out ${what}, last used ${relativeTime(s.last_used_at)}` });
      if (!s.current) {
        revoke.addEventListener('click', async () => {
          await del(`/api/vantage/v1/sessions/${s.id}`);
          toast('Signed out there');
          load();
        });
      }
      list.append(h('li.session', {}, h('div', {}, h('strong', { text: what.slice(0, 80) }),
        h('div.muted', { text: `${s.ip || ''} · last used ${relativeTime(s.last_used_at)}` })), revoke));
    }
  };
  load().catch((e) => list.append(h('li', { text: e.message })));
  return card;
}

export default async function (main) {
  document.title = 'Settings · Vantage';
  if (!signedIn()) {
    navigate('/sign_in', { replace: true });
    return;
  }
  const out = h('button.secondary', { type: 'button', text: 'Sign out' });
  out.addEventListener('click', async () => {
    await signOut();
    renderNav(location.pathname);
    navigate('/', { replace: true });
  });
  main.append(h('div.narrow', {}, h('h1.page-title', { text: 'Settings' }),
    avatarForm(), profileForm(), passwordForm(), sessionsCard(),
    h('section.card', {}, h('h2', { text: 'Account' }), h('p', { text: `Signed in as @${session.account.username}.` }), out)));
}
