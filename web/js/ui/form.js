// Labelled form fields and the error line under a form.
import { h } from '../dom.js';

let fieldId = 0;

export function field(label, input, hint) {
  const id = input.id || `f${++fieldId}`;
  input.id = id;
  const hintEl = hint ? h('p.hint', { id: `${id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div.field', {}, h('label', { for: id, text: label }), input, hintEl);
}

export function errorLine() {
  return h('p.form-error', { role: 'alert' });
}

// Disables the button (a form's: its submit button) while `work` runs; an
// error's message (the server's sentence) goes into `errorEl`, or, when the
// API names a field (`field`) that is one of `fields` ({name: input}), under
// that input, which is marked invalid and focused.
export async function submitting(el, errorEl, work, fields = {}) {
  const button = el.tagName === 'BUTTON' ? el : el.querySelector('button[type=submit]');
  errorEl.textContent = '';
  for (const input of Object.values(fields)) markInvalid(input, '');
  if (button) button.disabled = true;
  try {
    await work();
  } catch (e) {
    const input = e.field && fields[e.field];
    if (input) {
      markInvalid(input, e.message);
      input.focus();
    } else {
      errorEl.textContent = e.message;
    }
  } finally {
    if (button) button.disabled = false;
  }
}

// The sentence under an input of field(); '' clears it.
function markInvalid(input, message) {
  const id = `${input.id}-error`;
  let line = document.getElementById(id);
  if (!line && !message) return;
  if (!line) {
    line = h('p.form-error.field-error', { id, role: 'alert' });
    input.parentElement.append(line);
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  }
  line.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

// Forms that take codes: a 429 (too many wrong codes) says how long to wait,
// from its Retry-After. Any other error is returned as it is.
export function waitError(e) {
  if (e?.status !== 429) return e;
  const seconds = e.retryAfter;
  const wait = seconds === null || seconds === undefined ? 'a few minutes'
    : `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  return new Error(`Too many tries. Wait ${wait}, then try again.`);
}
