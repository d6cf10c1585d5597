// A new post: up to 20 photos in the order chosen, alt text for each, a
// caption with hashtag hints, who may see it, whether other servers get it;
// then each photo goes up with a progress bar, waits for processing, and the
// post is made.
import { h } from '../dom.js';
import { post } from '../api.js';
import { navigate } from '../router.js';
import { requireSignIn } from '../session.js';
import { errorLine, field } from '../ui/form.js';
import { postPath } from '../ui/post_card.js';
import { photoPicker } from '../ui/photo_picker.js';
import { captionField, federateField, visibilityField } from '../ui/post_fields.js';

export default function (main) {
  document.title = 'New post · Vantage';
  if (!requireSignIn()) return;
  // One key for this post: a retry after a lost answer cannot post twice.
  // (getRandomValues, not randomUUID: that one needs HTTPS.)
  const idempotencyKey = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const photos = photoPicker();
  const caption = captionField();
  const visibility = visibilityField();
  const federate = federateField();
  // A recruitment link (vantage_cta): the API checks it and names what is wrong.
  const ctaLabel = h('input', { name: 'cta_label', maxlength: 30, placeholder: 'Apply now' });
  const ctaUrl = h('input', { type: 'url', name: 'cta_url', placeholder: 'https://' });
  const cta = h('fieldset.cta-fields', {}, h('legend', { text: 'Link button (optional)' }),
    field('Button label', ctaLabel), field('Button link', ctaUrl, 'An https address; its domain is shown beside the label.'));
  const error = errorLine();
  const share = h('button.primary', { type: 'submit', text: 'Share' });
  const form = h('form.card.compose', {},
    h('h1', { text: 'New post' }),
    photos.nodes, caption.nodes, visibility.node, federate.node, cta,
    error, share);
  main.append(form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!photos.items.length) {
      error.textContent = 'Choose at least one photo.';
      return;
    }
    share.disabled = true;
    try {
      const ids = await photos.upload();
      const created = await post('/api/v1/statuses', {
        status: caption.input.value,
        media_ids: ids,
        visibility: visibility.input.value,
        vantage_federate: federate.input.checked,
        ...(ctaUrl.value.trim() || ctaLabel.value.trim()
          ? { vantage_cta: { url: ctaUrl.value.trim(), label: ctaLabel.value.trim() } } : {}),
      }, { headers: { 'Idempotency-Key': idempotencyKey } });
      navigate(postPath(created));
    } catch (err) {
      error.textContent = err.message;
    } finally {
      share.disabled = false;
    }
  });

  return photos.cleanup;
}
