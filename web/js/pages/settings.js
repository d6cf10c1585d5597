// Settings: the profile, the password, the e-mail address, two-factor
// authentication, hidden words, the archive of one's data, importing
// follows, the sessions, and signing out.
import { h, clear, toast } from '../dom.js';
import { get, patch, post, put, del, request } from '../api.js';
import { navigate } from '../router.js';
import { session, signOut, loadSession, requireSignIn } from '../session.js';
import { renderNav } from '../ui/nav.js';
import { field, errorLine, submitting, waitError } from '../ui/form.js';
import { relativeTime } from '../ui/time.js';
import { avatar } from '../ui/account.js';
import { passkeysSupported, createPasskey, usePasskey } from '../webauthn.js';

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

// The e-mail address (docs/account-security.md, "E-mail"): a new one, with
// the password, gets a link; the address changes once it is followed. This
// page is always the person's own (it never acts as an organisation, which
// has no address). The credential account shows the current address when it
// carries one (`source.email`, or `email`).
function emailCard() {
  const title = h('h2', { id: 'email-title', text: 'E-mail address' });
  const current = session.account.source?.email || session.account.email;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const pending = h('p.email-pending', { role: 'status' });
  const error = errorLine();
  const form = h('form', {},
    field('New e-mail address', email, 'We send a link there; the address changes once you follow it.'),
    field('Password', password), error, h('button.primary', { type: 'submit', text: 'Change address' }));
  form.onsubmit = (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      const address = email.value.trim();
      pending.textContent = '';
      await post('/api/vantage/v1/email', { email: address, password: password.value });
      email.value = password.value = '';
      pending.textContent = `Follow the link we sent to ${address} to finish the change.`;
    }, { email, password });
  };
  return h('section.card.email-section', { id: 'email', tabindex: -1, 'aria-labelledby': title.id }, title,
    h('p', {}, current ? ['Your address is ', h('strong', { text: current }), '. '] : null,
      'Password reset links and notices about your account go to your address.'),
    form, pending);
}

// The server's QR code, an SVG document, as an image: inside an <img> it can
// run nothing and load nothing. A viewBox is added when it has none, so that
// it scales to the size drawn.
function qrImage(svg) {
  const doc = new DOMParser().parseFromString(svg || '', 'image/svg+xml');
  const root = doc.documentElement;
  if (root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) {
    return h('p.muted', { text: 'The QR code cannot be shown here: type the key below into the app instead.' });
  }
  const size = (name) => /^\s*[\d.]+\s*(px)?\s*$/.test(root.getAttribute(name) || '') && parseFloat(root.getAttribute(name));
  if (!root.hasAttribute('viewBox') && size('width') && size('height')) {
    root.setAttribute('viewBox', `0 0 ${size('width')} ${size('height')}`);
  }
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(doc))}`;
  return h('img.qr', { src, alt: 'QR code to scan with your authenticator app', width: 200, height: 200 });
}

// When a passkey was added or last used: a date, or how long ago today.
function whenText(iso) {
  const then = new Date(iso);
  const s = Math.max(0, Math.round((Date.now() - then.getTime()) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} ${Math.floor(s / 60) === 1 ? 'minute' : 'minutes'} ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} ${Math.floor(s / 3600) === 1 ? 'hour' : 'hours'} ago`;
  return `on ${then.toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' })}`;
}
const timeText = (iso) => h('time', { datetime: iso, title: new Date(iso).toLocaleString('en'), text: whenText(iso) });

// Two-factor authentication (docs/account-security.md): whether it is on;
// turning on the authenticator app (the password, then the QR code and key,
// then a code from the app); the passkeys (listed, added with the password
// and the browser's prompt, renamed, removed with the password); the ten
// recovery codes, shown once; new recovery codes and turning the app off,
// each with the password and a code.
function twoFactorCard() {
  const base = '/api/vantage/v1/second_factors';
  const title = h('h2', { id: 'two-factor-title', text: 'Two-factor authentication' });
  const body = h('div', {}, h('p.muted', { text: 'Loading…' }));
  // /settings#two-factor opens here (the console's link, when an
  // organisation requires its staff to use a second factor).
  const card = h('section.card.two-factor', { id: 'two-factor', tabindex: -1, 'aria-labelledby': title.id }, title, body);
  const show = (...nodes) => body.replaceChildren(...nodes);
  // The last state read: the forms word themselves by it.
  let current = { totp: false, recovery_codes_remaining: 0, passkeys: [] };
  const passwordInput = () => h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const codeInput = (numeric) => h('input', {
    name: 'code', autocomplete: 'one-time-code', inputmode: numeric ? 'numeric' : 'text', autocapitalize: 'none',
    spellcheck: 'false', required: true, maxlength: 32,
  });
  const cancel = (focus = true) => h('button.secondary', { type: 'button', text: 'Cancel', onclick: () => refresh(focus) });
  // A form's work: a 429 says how long to wait; the API's `field` puts its
  // sentence under that input.
  const handle = (form, error, inputs, work) => {
    form.onsubmit = (e) => {
      e.preventDefault();
      submitting(form, error, () => work().catch((x) => { throw waitError(x); }), inputs);
    };
    return form;
  };

  // `focus`: true for the section's first action, 'passkeys' for the
  // passkeys' own, {passkey: id} for that passkey's Rename.
  const status = (state, focus) => {
    current = { ...state, passkeys: state.passkeys || [] };
    const { totp, passkeys } = current;
    const any = totp || passkeys.length > 0;
    const asks = totp && passkeys.length ? 'a code from your authenticator app or a passkey'
      : totp ? 'a code from your authenticator app' : 'a passkey';
    const nodes = [];
    let first;
    if (!any) {
      first = h('button.primary', { type: 'button', text: 'Turn on two-factor authentication', onclick: start });
      nodes.push(h('p.two-factor-state', {}, h('strong', { text: 'Off. ' }),
        'Add a code from an authenticator app on your phone, or a passkey, to your password when you sign in, '
        + 'so that a stolen password alone cannot open your account.'), first);
    } else {
      const left = state.recovery_codes_remaining;
      nodes.push(h('p.two-factor-state', {}, h('strong', { text: 'On. ' }), `Signing in asks for ${asks} after your password.`),
        h('p', { class: left > 2 ? 'muted' : 'danger',
          text: left ? `${left} recovery ${left === 1 ? 'code' : 'codes'} left.${left > 2 ? '' : ' Make new ones before you run out.'}`
            : 'No recovery codes left: make new ones.' }));
      first = h('button.secondary', { type: 'button', text: 'New recovery codes', onclick: () => confirmWith('renew') });
      const actions = h('div.form-actions', {}, first);
      if (totp) {
        actions.append(h('button.secondary', { type: 'button', text: passkeys.length ? 'Turn off the authenticator app' : 'Turn off',
          onclick: () => confirmWith('off') }));
      } else {
        actions.append(h('button.secondary', { type: 'button', text: 'Add an authenticator app', onclick: start }));
      }
      nodes.push(actions);
    }
    const part = passkeysPart(passkeys, focus);
    show(...nodes, part.node);
    if (focus === true) first.focus();
    else if (focus) part.focus();
  };
  const refresh = (focus = false) => get(base).then((state) => status(state, focus),
    (e) => show(h('p.form-error', { role: 'alert', text: e.message })));

  // 1. The password, which starts a pending enrolment.
  function start() {
    const password = passwordInput();
    const error = errorLine();
    show(handle(h('form', {},
      h('p', { text: 'Type your password to begin.' }),
      field('Password', password), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit', text: 'Continue' }), cancel())),
    error, { password }, async () => scan(await post(`${base}/totp`, { password: password.value }))));
    password.focus();
  }

  // 2. The QR code and the key, then a code from the app confirms.
  function scan(enrolment) {
    const secret = h('input.secret', { readonly: true, value: enrolment.secret, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
    const code = codeInput(true);
    const error = errorLine();
    show(handle(h('form', {},
      h('p', { text: 'Scan this QR code with your authenticator app.' }),
      qrImage(enrolment.qr_svg),
      field('Setup key', secret, 'Cannot scan? Type this key into the app instead.'),
      field('Code from your authenticator app', code), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit', text: 'Turn on' }), cancel())),
    error, { code }, async () => {
      const { recovery_codes: codes } = await post(`${base}/totp/confirm`, { code: code.value.replace(/\s+/g, '') });
      // With a passkey already, the recovery codes stay as they were.
      if (codes.length) recoveryCodes(codes, 'Two-factor authentication is on.');
      else {
        toast('Your authenticator app is on. Your recovery codes stay as they were.');
        await refresh(true);
      }
    }));
    code.focus();
  }

  // 3. The recovery codes, shown this once. `focus` goes on to status().
  function recoveryCodes(codes, lead, { passkey = false, focus = true } = {}) {
    const file = URL.createObjectURL(new Blob([`Vantage recovery codes for @${session.account.username}\n\n${codes.join('\n')}\n`], { type: 'text/plain' }));
    const heading = h('p.two-factor-state', { tabindex: -1 }, h('strong', { text: lead }));
    show(heading,
      h('p', { text: passkey
        ? 'Keep these recovery codes somewhere safe, such as a password manager. '
          + 'Each one works once, in place of your passkey, if you lose it. They are not shown again.'
        : 'Keep these recovery codes somewhere safe, such as a password manager. '
          + 'Each one works once, in place of a code from your app, if you lose your phone. They are not shown again.' }),
      h('ol.recovery-codes', { 'aria-label': 'Recovery codes' }, codes.map((c) => h('li', { text: c }))),
      h('div.form-actions', {},
        h('a.button', { href: file, download: 'vantage-recovery-codes.txt', text: 'Download codes' }),
        h('button.primary', { type: 'button', text: 'I have saved them', onclick: () => {
          URL.revokeObjectURL(file);
          refresh(focus);
        } })));
    heading.focus();
  }

  // New recovery codes, or turning the app off: the password and the second
  // factor, a code or (where the browser can) one of the account's passkeys.
  function confirmWith(kind) {
    const password = passwordInput();
    const code = codeInput(false);
    const error = errorLine();
    const renew = kind === 'renew';
    const others = current.passkeys.length > 0;
    const act = async (json) => {
      if (renew) {
        recoveryCodes((await post(`${base}/recovery_codes`, json)).recovery_codes, 'New recovery codes. The old ones no longer work.',
          { passkey: !current.totp });
      } else {
        await del(`${base}/totp`, { json });
        toast(others ? 'The authenticator app is off' : 'Two-factor authentication is off');
        await refresh(true);
      }
    };
    // The passkey instead of the code: a challenge of the server's, answered by the browser.
    const withPasskey = others && passkeysSupported() ? h('button.secondary', { type: 'button', text: 'Use a passkey instead' }) : null;
    if (withPasskey) {
      const answer = async () => {
        const { challenge_token: token, webauthn } = await post(`${base}/webauthn/challenge`, {});
        const credential = await usePasskey(webauthn);
        await act({ password: password.value, challenge_token: token, credential });
      };
      withPasskey.onclick = () => submitting(withPasskey, error, () => answer().catch((x) => { throw waitError(x); }), { password });
    }
    show(handle(h('form', {},
      h('p', { text: renew ? 'New recovery codes replace the old ones, which stop working.'
        : others ? 'Turning it off removes the authenticator app: signing in will ask for a passkey after your password.'
          : 'Turning it off removes the authenticator app and your recovery codes: signing in will ask for your password only.' }),
      field('Password', password),
      field(current.totp ? 'Code from your authenticator app or a recovery code' : 'Recovery code', code), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit',
        text: renew ? 'Make new recovery codes' : others ? 'Turn off the authenticator app' : 'Turn off two-factor authentication' }),
      withPasskey, cancel())),
    error, { password, code }, () => act({ password: password.value, code: code.value.replace(/\s+/g, '') })));
    password.focus();
  }

  // Passkeys: the list, with Rename and Remove, and "Add a passkey" (not
  // offered where the browser has no WebAuthn). Returns {node, focus()}.
  function passkeysPart(passkeys, focus) {
    const heading = h('h3', { id: 'passkeys-title', text: 'Passkeys', tabindex: -1 });
    const supported = passkeysSupported();
    const add = supported ? h('button.secondary', { type: 'button', text: 'Add a passkey', onclick: addPasskey }) : null;
    let renameFocus = null;
    const rows = passkeys.map((p) => {
      const rename = h('button.secondary.small', { type: 'button', text: 'Rename', 'aria-label': `Rename ${p.name}`, onclick: () => renamePasskey(p) });
      if (focus && focus.passkey === p.id) renameFocus = rename;
      return h('li.passkey', {},
        h('div.passkey-about', {}, h('strong.passkey-name', { text: p.name }),
          h('div.muted', {}, 'Added ', timeText(p.created_at), ' · ',
            p.last_used_at ? ['Last used ', timeText(p.last_used_at)] : 'Not used yet')),
        h('div.passkey-actions', {}, rename,
          h('button.secondary.small', { type: 'button', text: 'Remove', 'aria-label': `Remove ${p.name}`, onclick: () => removePasskey(p) })));
    });
    const node = h('section.passkeys', { 'aria-labelledby': heading.id }, heading,
      h('p', { text: 'A passkey lives on this device, your phone or a security key. Instead of a code, signing in '
        + 'then asks you to unlock it or touch it: a fingerprint, your face, or the device’s PIN.' }),
      rows.length ? h('ul.passkey-list', { 'aria-labelledby': heading.id }, rows) : h('p.muted', { text: 'No passkeys yet.' }),
      supported ? add : h('p.muted', { text: 'This browser cannot make passkeys here (it offers no WebAuthn on this page), '
        + 'so there is no button to add one. Open your settings in a browser that supports passkeys to add one.' }));
    return { node, focus: () => (renameFocus || add || heading).focus() };
  }

  // A name and the password; then the browser's prompt makes the passkey.
  function addPasskey() {
    const name = h('input', { name: 'name', maxlength: 50, required: true, autocomplete: 'off' });
    const password = passwordInput();
    const error = errorLine();
    const form = h('form', {},
      h('h3', { text: 'Add a passkey' }),
      field('Name', name, 'So that you can tell your passkeys apart, such as “Laptop” or “Security key”.'),
      field('Password', password), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit', text: 'Add passkey' }), cancel('passkeys')));
    form.onsubmit = (e) => {
      e.preventDefault();
      submitting(form, error, async () => {
        const label = name.value.trim();
        if (!label) {
          const x = new Error('Give the passkey a name.');
          x.field = 'name';
          throw x;
        }
        const { publicKey } = await post(`${base}/webauthn/options`, { password: password.value });
        const credential = await createPasskey(publicKey);
        const answer = await post(`${base}/webauthn`, { name: label, credential });
        const codes = answer.recovery_codes || [];
        if (codes.length) {
          recoveryCodes(codes, `Your passkey “${answer.passkey.name}” is added. Two-factor authentication is on.`,
            { passkey: true, focus: 'passkeys' });
        } else {
          toast(`Passkey “${answer.passkey.name}” added`);
          await refresh({ passkey: answer.passkey.id });
        }
      }, { name, password });
    };
    show(form);
    name.focus();
  }

  function renamePasskey(passkey) {
    const name = h('input', { name: 'name', maxlength: 50, required: true, autocomplete: 'off', value: passkey.name });
    const error = errorLine();
    show(handle(h('form', {},
      h('h3', { text: `Rename “${passkey.name}”` }),
      field('Name', name), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit', text: 'Save name' }), cancel({ passkey: passkey.id }))),
    error, { name }, async () => {
      await patch(`${base}/webauthn/${passkey.id}`, { name: name.value.trim() });
      toast('Passkey renamed');
      await refresh({ passkey: passkey.id });
    }));
    name.focus();
    name.select();
  }

  function removePasskey(passkey) {
    const password = passwordInput();
    const error = errorLine();
    const last = !current.totp && current.passkeys.length === 1;
    show(handle(h('form', {},
      h('h3', { text: `Remove “${passkey.name}”` }),
      h('p', { text: last
        ? 'It is your only second factor: removing it turns two-factor authentication off and deletes your recovery codes. '
          + 'Signing in will ask for your password only.'
        : 'Signing in will no longer take this passkey.' }),
      field('Password', password), error,
      h('div.form-actions', {}, h('button.primary', { type: 'submit', text: 'Remove passkey' }), cancel({ passkey: passkey.id }))),
    error, { password }, async () => {
      await del(`${base}/webauthn/${passkey.id}`, { json: { password: password.value } });
      toast(last ? 'Passkey removed: two-factor authentication is off' : 'Passkey removed');
      await refresh('passkeys');
    }));
    password.focus();
  }

  refresh();
  return card;
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

// The sessions and tokens, each with Sign out, and "Sign out everywhere
// else": every other one ends at once (this browser stays signed in).
function sessionsCard() {
  const title = h('h2', { id: 'sessions-title', text: 'Where you are signed in' });
  const list = h('ul.sessions', { 'aria-labelledby': title.id });
  const error = errorLine();
  const others = h('button.secondary', { type: 'button', text: 'Sign out everywhere else' });
  const card = h('section.card.sessions-section', { 'aria-labelledby': title.id }, title, list, error, others);
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
  others.onclick = () => submitting(others, error, async () => {
    const answer = await del('/api/vantage/v1/sessions');
    const n = Number(answer?.ended) || 0;
    toast(`Signed out of ${n} other ${n === 1 ? 'session' : 'sessions'}`);
    await load();
  });
  load().catch((e) => list.append(h('li', { text: e.message })));
  return card;
}

// "1.2 MB", "36 KB": an archive's size.
function sizeText(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}
const dateText = (iso) => new Date(iso).toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' });

// A 429 export_too_soon: when the next archive may be asked for, from its
// Retry-After (the server's own sentence when it gave none).
function tooSoon(e) {
  if (e.retryAfter === null || e.retryAfter === undefined) return e;
  const when = new Date(Date.now() + e.retryAfter * 1000).toLocaleString('en',
    { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return new Error(`You can ask for one archive a day. Ask again after ${when}.`);
}

// Taking one's data along (docs/account-security.md, "Data rights"): an
// archive is asked for (one a day) and built in the background; the list
// shows each one being prepared, failed, or ready to download until it
// expires. While one is being prepared, the list is read again every 3
// seconds, as long as the card is on the page. /settings#export (the
// export_ready notification's link) opens here.
function exportCard() {
  const title = h('h2', { id: 'export-title', text: 'Your archive' });
  const listTitle = h('h3', { id: 'exports-title', text: 'Archives you asked for' });
  const list = h('ul.exports', { 'aria-labelledby': listTitle.id }, h('li.muted', { text: 'Loading…' }));
  const ask = h('button.primary', { type: 'button', text: 'Request an archive' });
  const error = errorLine();
  const note = h('p.export-note', { role: 'status' });
  const card = h('section.card.export-section', { id: 'export', tabindex: -1, 'aria-labelledby': title.id }, title,
    h('p', { text: 'Download an archive of your posts, comments, photos, likes, bookmarks and the accounts you follow, '
      + 'in the format Mastodon uses, to keep or to take to another server. It is ready in a few minutes. '
      + 'You can ask for one a day, and each can be downloaded for 7 days.' }),
    error, ask, note, listTitle, list);
  let timer = 0;
  let shown = '';
  let pending = new Set();

  const row = (x) => {
    const name = h('strong.export-name', { id: `export-${x.id}-name`, text: `Archive of ${dateText(x.requested_at)}` });
    let state;
    if (x.state === 'ready' && x.url) {
      const url = new URL(x.url, location.href);
      state = [h('a.button.secondary', { href: url.pathname + url.search, download: '',
        text: `Download (${sizeText(x.size_bytes)})`, 'aria-describedby': name.id }),
      x.expires_at ? h('span.muted', { text: `until ${dateText(x.expires_at)}` }) : null];
    } else if (x.state === 'failed') {
      state = h('span.danger', { text: 'Could not be made; ask again' });
    } else {
      state = h('span.muted', { text: 'Being prepared…' });
    }
    return h('li.export', { dataset: { state: x.state } }, name, h('div.export-state', {}, state));
  };

  const show = (exports) => {
    const now = JSON.stringify(exports);
    if (now === shown) return;
    shown = now;
    // One that was being prepared and now is done: said once.
    const done = exports.find((x) => x.state !== 'pending' && pending.has(x.id));
    if (done) note.textContent = done.state === 'ready' ? 'Your archive is ready to download.' : 'Your archive could not be made; ask again.';
    pending = new Set(exports.filter((x) => x.state === 'pending').map((x) => x.id));
    list.replaceChildren(...(exports.length ? exports.map(row) : [h('li.muted', { text: 'No archives yet.' })]));
  };

  // Reads the list; again in 3 seconds while one is being prepared and the
  // card is still on the page (a read that fails then is tried again).
  const load = async () => {
    clearTimeout(timer);
    try {
      show(await get('/api/vantage/v1/exports'));
    } catch (e) {
      if (!shown) list.replaceChildren(h('li', { text: e.message }));
    }
    if (pending.size && card.isConnected) timer = setTimeout(() => card.isConnected && load(), 3000);
  };

  ask.onclick = () => submitting(ask, error, async () => {
    note.textContent = '';
    const asked = await post('/api/vantage/v1/export', {}).catch((x) => {
      throw x?.code === 'export_too_soon' ? tooSoon(x) : waitError(x);
    });
    // Said ready when it is, even if the first read already finds it so.
    pending.add(asked.id);
    note.textContent = 'We are preparing your archive. It shows below when it is ready, and your notifications say so too.';
    await load();
  });
  load();
  return card;
}

// What each reason of an import's problem means, in plain words.
const importReasons = {
  not_found: 'no such account',
  invalid: 'not an account address',
  self: 'that is you',
  unavailable: 'its server did not answer',
};

// Importing the accounts followed elsewhere (docs/account-security.md, "Data
// rights"): a following_accounts.csv from Mastodon or Pixelfed, or a list of
// addresses one a line, sent as `data` with `type=following`; the answer
// says how many were followed and lists those that could not be, and why.
function importCard() {
  const title = h('h2', { id: 'import-title', text: 'Import the accounts you follow' });
  const file = h('input', { type: 'file', name: 'data', accept: '.csv,text/csv,text/plain' });
  const error = errorLine();
  const result = h('div.import-result', { role: 'status' });
  const form = h('form', {},
    field('Following list', file, 'The following_accounts.csv that Mastodon or Pixelfed export, or one address a line.'),
    error, h('button.primary', { type: 'submit', text: 'Import' }));
  file.onchange = () => {
    error.textContent = '';
    result.replaceChildren();
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      result.replaceChildren();
      if (!file.files[0]) {
        const x = new Error('Choose a file first.');
        x.field = 'data';
        throw x;
      }
      const body = new FormData();
      body.append('type', 'following');
      body.append('data', file.files[0]);
      // A refused file (422) is said under the file input.
      const { data } = await request('POST', '/api/vantage/v1/import', { form: body }).catch((x) => {
        if (x.status === 422 && !x.field) x.field = 'data';
        throw x;
      });
      const n = Number(data?.followed) || 0;
      const problems = data?.problems || [];
      const nodes = [h('p', {}, h('strong', { text: `Followed ${n} ${n === 1 ? 'account' : 'accounts'}.` }))];
      if (problems.length) {
        nodes.push(h('p', { id: 'import-problems-title', text: problems.length === 1
          ? 'This one could not be followed:' : `These ${problems.length} could not be followed:` }),
        h('ul.import-problems', { 'aria-labelledby': 'import-problems-title' }, problems.map((p) => h('li', {},
          h('span.import-address', { text: p.address || '(empty line)' }), ': ', importReasons[p.reason] || 'refused'))));
      }
      file.value = '';
      result.replaceChildren(...nodes);
    }, { data: file });
  };
  return h('section.card.import-section', { id: 'import', tabindex: -1, 'aria-labelledby': title.id }, title,
    h('p', { text: 'Moving from another server? Upload the list of accounts you followed there and follow them all here. '
      + 'Importing the same list again changes nothing.' }),
    form, result);
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
    avatarForm(), profileForm(), passwordForm(), emailCard(), twoFactorCard(), hiddenWords(), exportCard(), importCard(), sessionsCard(),
    h('section.card', {}, h('h2', { text: 'Account' }), h('p', { text: `Signed in as @${session.account.username}.` }), out)));
}
