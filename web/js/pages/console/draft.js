// /console/:org/drafts/new and /console/:org/drafts/:id: an organisation's
// post in the making. Editors change it (photos, alt text, caption, who may
// see it, whether other servers get it, a call-to-action link, a release time
// to ask for), submit it for approval, withdraw or delete it; everyone on it
// sees its state, approvals and a rejection's reason.
import { h, toast } from '../../dom.js';
import { get, post, put, del } from '../../api.js';
import { navigate } from '../../router.js';
import { consoleNav, consolePath, hasRole } from '../../ui/console_nav.js';
import { field, errorLine, submitting } from '../../ui/form.js';
import { photoPicker } from '../../ui/photo_picker.js';
import { captionField, federateField, visibilityField } from '../../ui/post_fields.js';
import { draftsPath, thumbs, stateTag, approvalsLine, localTime, toLocalInput, fromLocalInput, actAs, STAYS_HERE } from '../../ui/drafts.js';

const who = (a) => a.display_name || a.username;

function summary(org, draft) {
  const lines = [h('p', {}, stateTag(draft), ` ${approvalsLine(draft)}`)];
  if (draft.vantage_federate === false) lines.push(h('p', { text: STAYS_HERE }));
  if (draft.state === 'rejected' && draft.rejection_reason) {
    lines.push(h('p.notice', { role: 'note' }, h('strong', { text: `Rejected${draft.rejected_by ? ` by ${who(draft.rejected_by)}` : ''}: ` }),
      draft.rejection_reason));
  }
  if (draft.scheduled_at) {
    lines.push(h('p', { text: `${draft.state === 'scheduled' ? 'Scheduled for' : 'Release asked for'} ${localTime(draft.scheduled_at)}` }));
  }
  if (draft.status_id) {
    lines.push(h('p', {}, h('a', { href: `/p/${draft.status_id}`, text: `Published ${localTime(draft.published_at)}: see the post` })));
  }
  if (draft.author) lines.push(h('p.muted', { text: `Started by ${who(draft.author)}` }));
  return h('div.draft-summary', {}, lines);
}

export default async function (main, { org, id }) {
  const membership = await consoleNav(main, org, 'drafts');
  if (!membership) return;
  const isNew = id === 'new';
  let draft = null;
  if (!isNew) {
    try {
      draft = await get(draftsPath(org, `/${encodeURIComponent(id)}`));
    } catch (e) {
      main.append(h('p.empty', { text: e.message }));
      return;
    }
  }
  document.title = `${isNew ? 'New draft' : 'Draft'} · ${who(membership.account)} · Vantage`;
  const editor = hasRole(membership.roles, 'editor');
  const editable = editor && (!draft || draft.state !== 'published');
  const page = h('section.console-page.narrow', {}, h('h1.page-title', { text: isNew ? 'New draft' : 'Draft' }));
  main.append(page);
  if (draft) page.append(h('div.pad', {}, summary(org, draft)));
  if (!editable) {
    if (draft) page.append(h('div.pad', {}, thumbs(draft), h('p.queue-caption', { text: draft.status || 'No caption' })));
    return;
  }

  const headers = actAs(org);
  const photos = photoPicker({ headers });
  if (draft) photos.adopt(draft.media_attachments);
  const caption = captionField(draft ? draft.status : '');
  const visibility = visibilityField(draft ? draft.visibility : 'public');
  const federate = federateField(draft ? draft.vantage_federate !== false : true);
  const ctaUrl = h('input', { type: 'url', name: 'cta_url', placeholder: 'https://', value: draft && draft.vantage_cta ? draft.vantage_cta.url : '' });
  const ctaLabel = h('input', { type: 'text', name: 'cta_label', maxlength: 30, value: draft && draft.vantage_cta ? draft.vantage_cta.label : '' });
  // A release that failed leaves the draft submitted with its past time,
  // which the API refuses back: the field starts empty then, and saving clears it.
  const asked = draft && draft.scheduled_at;
  const passed = asked && Date.parse(asked) <= Date.now();
  const releaseAt = h('input', { type: 'datetime-local', name: 'scheduled_at', value: asked && !passed ? toLocalInput(asked) : '' });
  const error = errorLine();
  const save = h('button.secondary', { type: 'submit', value: 'save', text: 'Save draft' });
  const canSubmit = !draft || draft.state === 'draft' || draft.state === 'rejected';
  const submit = canSubmit ? h('button.primary', { type: 'submit', value: 'submit', text: 'Save and submit for approval' }) : null;
  const form = h('form.card.compose', {},
    photos.nodes, caption.nodes, visibility.node, federate.node,
    h('fieldset.cta-fields', {}, h('legend', { text: 'Call-to-action link (optional)' }),
      field('Link', ctaUrl, 'An https address; its domain is shown beside the label.'), field('Label', ctaLabel)),
    field('Release at (optional)', releaseAt, passed ? 'The requested time has passed: choose a new one, or none. In your time zone.'
      : 'The time to ask the approver for, in your time zone.'),
    draft && draft.state !== 'draft' && draft.state !== 'rejected'
      ? h('p.hint', { text: 'Saving sends it back for approval: its approvals are cleared.' }) : null,
    error, h('div.form-actions', {}, save, submit));
  page.append(form);

  const actions = h('div.form-actions.pad');
  const act = (label, run, cls = 'secondary') => {
    const b = h(`button.${cls}`, { type: 'button', text: label, onclick: () => submitting(b, error, run) });
    actions.append(b);
  };
  const transition = (name, done) => async () => {
    await post(draftsPath(org, `/${draft.id}/${name}`), {});
    toast(done);
    navigate(location.pathname, { replace: true });
  };
  if (draft && draft.state === 'submitted') act('Withdraw from approval', transition('withdraw', 'Withdrawn: it is a draft again'));
  if (draft) {
    act('Delete draft', async () => {
      const yes = h('button.primary.danger-fill', { type: 'button', text: 'Delete' });
      const no = h('button.secondary', { type: 'button', text: 'Cancel' });
      const box = h('div.confirm', { role: 'alertdialog', 'aria-label': 'Delete this draft?' },
        h('p', { text: 'Delete this draft? Its photos stay with the organisation as unused uploads.' }), yes, ' ', no);
      actions.after(box);
      no.addEventListener('click', () => box.remove());
      yes.addEventListener('click', async () => {
        await del(draftsPath(org, `/${draft.id}`));
        toast('Draft deleted');
        navigate(consolePath(org), { replace: true });
      });
      yes.focus();
    }, 'secondary.danger');
  }
  page.append(actions);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const andSubmit = e.submitter && e.submitter.value === 'submit';
    error.textContent = '';
    if (!photos.items.length) {
      error.textContent = 'Choose at least one photo.';
      return;
    }
    for (const b of form.querySelectorAll('button[type=submit]')) b.disabled = true;
    try {
      const body = {
        status: caption.input.value,
        media_ids: await photos.upload(),
        visibility: visibility.input.value,
        vantage_federate: federate.input.checked,
        vantage_cta: ctaUrl.value.trim() || ctaLabel.value.trim() ? { url: ctaUrl.value.trim(), label: ctaLabel.value.trim() } : null,
        scheduled_at: releaseAt.value ? fromLocalInput(releaseAt.value) : null,
      };
      if (draft) {
        body.sensitive = draft.sensitive;
        body.spoiler_text = draft.spoiler_text;
        if (draft.language) body.language = draft.language;
      } else {
        for (const key of ['vantage_cta', 'scheduled_at']) if (body[key] === null) delete body[key];
      }
      const saved = draft ? await put(draftsPath(org, `/${draft.id}`), body) : await post(draftsPath(org), body);
      let note = 'Draft saved';
      if (andSubmit) {
        // Saved either way: a refused submission is said on the saved draft.
        note = await post(draftsPath(org, `/${saved.id}/submit`), {})
          .then(() => 'Submitted for approval', (err) => `Saved, not submitted: ${err.message}`);
      }
      toast(note);
      navigate(consolePath(org, `/drafts/${saved.id}`), { replace: true });
    } catch (err) {
      error.textContent = err.message;
    } finally {
      for (const b of form.querySelectorAll('button[type=submit]')) b.disabled = false;
    }
  });
  return photos.cleanup;
}
