// /confirm_email?token=...: the link of a "Confirm your address" e-mail, at
// sign-up or for a change of address. Nothing is posted until the button is
// pressed: a mail client's preview or a scanner fetching the link spends
// nothing (docs/account-security.md, "E-mail"). Without a token, it sends a
// new link to the address typed in.
import { h } from '../dom.js';
import { post } from '../api.js';
import { signedIn } from '../session.js';
import { errorLine, field, submitting, waitError } from '../ui/form.js';
import { linkToken, forgetLinkToken, card, spentLink, missingToken } from '../ui/email_link.js';

// A spent link, signed in: a change of address is asked for again in the
// settings; a sign-up confirmation can be sent again from here.
function signedInWayOn() {
  const sent = h('p', { role: 'status' });
  const error = errorLine();
  const button = h('button.secondary', { type: 'button', text: 'Send a new link' });
  button.onclick = () => submitting(button, error, async () => {
    sent.textContent = '';
    await post('/api/v1/emails/confirmations', {});
    sent.textContent = 'A new link is on its way to your address.';
  });
  return [
    h('p', {}, 'Changing your address? Ask again in your ', h('a', { href: '/settings#email', text: 'settings' }), '.'),
    h('p', { text: 'Confirming the address you signed up with? We can send you a new link.' }),
    button, sent, error];
}

// A new confirmation link for whoever cannot sign in until their address is
// confirmed: the answer is the same whatever the address.
function resendForm() {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const sent = h('p', { role: 'status' });
  const error = errorLine();
  const form = h('form', {}, field('Your e-mail address', email), error,
    h('button.secondary', { type: 'submit', text: 'Send a new link' }));
  form.onsubmit = (e) => {
    e.preventDefault();
    submitting(form, error, async () => {
      sent.textContent = '';
      const address = email.value.trim();
      try {
        await post('/auth/email/confirmation', { email: address });
      } catch (x) {
        throw waitError(x);
      }
      sent.textContent = `If ${address} awaits confirmation, a new link is on its way there.`;
    }, { email });
  };
  return [h('p', { text: 'Lost the message, or the link is too old? We can send a new one.' }), form, sent];
}

export default function (main, { query }) {
  document.title = 'Confirm your e-mail address · Vantage';
  const token = linkToken(query);
  const onward = () => (signedIn() ? h('a.button.primary', { href: '/', text: 'Go to Vantage' })
    : h('a.button.primary', { href: '/sign_in', text: 'Sign in' }));
  if (!token) {
    card(main, 'Confirm your e-mail address', [h('p', { text: missingToken }), ...resendForm()], false);
    return;
  }
  const error = errorLine();
  const confirm = h('button.primary', { type: 'button', text: 'Confirm my address' });
  confirm.onclick = () => submitting(confirm, error, async () => {
    try {
      await post('/auth/email/confirm', { token });
    } catch (x) {
      if (x.code !== 'invalid_token') throw x;
      forgetLinkToken();
      card(main, 'This link does not work', [h('p', { text: spentLink }), ...(signedIn() ? signedInWayOn() : [
        h('p', { text: 'Changing your address? Sign in and ask again in your settings.' }), ...resendForm(), onward()])]);
      return;
    }
    forgetLinkToken();
    card(main, 'Your address is confirmed', [
      h('p', { text: 'Thank you. Password reset links and notices about your account go to this address.' }), onward()]);
  });
  card(main, 'Confirm your e-mail address', [
    h('p', { text: 'Confirm that this address is yours and belongs to your Vantage account.' }),
    error, confirm], false);
  confirm.focus();
}
