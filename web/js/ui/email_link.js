// The pages e-mails link to (/reset_password?token=..., /confirm_email?token=...;
// docs/account-security.md, "E-mail"): the token, read once and taken out of
// the address bar, and the card each page draws.
import { h } from '../dom.js';

// The link's token. It leaves the URL at once (history, a shared screen, a
// screenshot) and stays in this history entry's state, so a reload of the
// page still has it; forgetLinkToken() drops it once it is spent.
export function linkToken(query) {
  const token = query.get('token');
  if (token) history.replaceState({ token }, '', location.pathname);
  return token || history.state?.token || '';
}

export function forgetLinkToken() {
  history.replaceState(null, '', location.pathname);
}

// A card.auth in place of the page: its heading takes focus when asked,
// so that a screen reader reads where the page now stands.
export function card(main, title, nodes, focus = true) {
  const heading = h('h1', { tabindex: -1, text: title });
  main.replaceChildren(h('section.card.auth.email-link', {}, heading, ...nodes));
  if (focus) heading.focus();
}

// What a page opened without a token says.
export const missingToken = 'Open this page from the link in the e-mail we sent you: this address is missing its token.';

// What the page says of a link that no longer works (422 invalid_token).
export const spentLink = 'It has been used already, it is too old, or a newer link replaced it.';
