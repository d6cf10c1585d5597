// Pieces of the console's draft lists: the state, the photos, the times.
import { h } from '../dom.js';
import { relativeTime } from './time.js';
import { consolePath } from './console_nav.js';

export const STATES = {
  draft: 'Draft',
  submitted: 'Awaiting approval',
  approved: 'Approved',
  scheduled: 'Scheduled',
  published: 'Published',
  rejected: 'Rejected',
};

export const draftsPath = (orgId, rest = '') => `/api/vantage/v1/organisations/${encodeURIComponent(orgId)}/drafts${rest}`;

// "Tue 3 Dec, 14:05" in the viewer's own time zone.
export function localTime(iso) {
  return new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function stateTag(draft) {
  return h(`span.state-tag.state-${draft.state}`, { text: STATES[draft.state] || draft.state });
}

export function approvalsLine(draft) {
  const names = draft.approvals.map((a) => a.account.display_name || a.account.username);
  return `${draft.approvals.length} of ${draft.approvals_required} approval${draft.approvals_required === 1 ? '' : 's'}`
    + (names.length ? ` (${names.join(', ')})` : '');
}

// The photos in order, small, with their alt text.
export function thumbs(draft) {
  return h('ul.thumbs', { 'aria-label': `${draft.media_attachments.length} photos` },
    draft.media_attachments.map((m, idx) => h('li', {},
      h('img', { src: m.preview_url || m.url, alt: m.description || `Photo ${idx + 1}, no alt text`, loading: 'lazy' }))));
}

// Said on a draft that other servers will not get (vantage_federate false).
export const STAYS_HERE = 'Stays on this server: other servers will not get a copy.';

// Said on a draft that changed while it was on the screen (409 draft_changed:
// decisions name the version they were made on).
export const CHANGED = 'This draft changed while you were reading it. Here it is as it is now: read it again before you decide.';

// A row of a list: first photo, caption, state and times, linking to the draft.
export function draftRow(orgId, draft, ...extra) {
  const first = draft.media_attachments[0];
  const caption = (draft.status || '').split('\n')[0].slice(0, 120) || 'No caption';
  const when = draft.state === 'scheduled' && draft.scheduled_at ? `for ${localTime(draft.scheduled_at)}`
    : `updated ${relativeTime(draft.updated_at)}`;
  const by = draft.author ? ` · by ${draft.author.display_name || draft.author.username}` : '';
  return h('li.draft-row', { dataset: { id: draft.id } },
    first ? h('img.draft-thumb', { src: first.preview_url || first.url, alt: '', loading: 'lazy' }) : h('span.draft-thumb'),
    h('div.draft-info', {},
      h('a.draft-link', { href: consolePath(orgId, `/drafts/${draft.id}`), text: caption }),
      h('p.muted', {}, stateTag(draft), ` ${draft.media_attachments.length} photo${draft.media_attachments.length === 1 ? '' : 's'} · ${when}${by}`),
      ...extra));
}

// <input type=datetime-local> speaks local wall time without a zone; the API
// speaks UTC ISO 8601.
export function toLocalInput(iso) {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
export function fromLocalInput(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// The staff endpoints of drafts take the person's own credentials; uploads
// and alt text are made as the organisation.
export const actAs = (orgId) => ({ 'Vantage-Act-As': orgId });
