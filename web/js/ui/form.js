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
// error's message (the server's sentence) goes into `errorEl`.
export async function submitting(el, errorEl, work) {
  const button = el.tagName === 'BUTTON' ? el : el.querySelector('button[type=submit]');
  errorEl.textContent = '';
  if (button) button.disabled = true;
  try {
    await work();
  } catch (e) {
    errorEl.textContent = e.message;
  } finally {
    if (button) button.disabled = false;
  }
}
