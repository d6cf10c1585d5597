// /console/:org/queue: drafts submitted for approval, with their photos and
// caption; an approver approves (at once, or for a date and time) or
// rejects with a reason. Nobody approves a draft they wrote or edited.
// Each decision names the version shown here: a draft edited meanwhile is
// refused (409 draft_changed), and the list is reloaded with it as it is now.
import { h, clear, toast } from '../../dom.js';
import { get, post } from '../../api.js';
import { session } from '../../session.js';
import { consoleNav } from '../../ui/console_nav.js';
import { field, errorLine, submitting } from '../../ui/form.js';
import { draftsPath, draftRow, thumbs, approvalsLine, toLocalInput, fromLocalInput, CHANGED, STAYS_HERE } from '../../ui/drafts.js';

// `notice`: why the row was reloaded, said on it.
function item(org, draft, reload, notice = '') {
  const error = errorLine();
  error.textContent = notice;
  const mine = draft.author && draft.author.id === session.account.id;
  const approved = draft.approvals.some((a) => a.account.id === session.account.id);
  // The row's link shows the caption's first line; a longer one is shown whole.
  const text = draft.status || '';
  const parts = [thumbs(draft), text.length > 120 || text.includes('\n') ? h('p.queue-caption', { text }) : null];
  if (draft.vantage_cta) parts.push(h('p.muted', { text: `Link: ${draft.vantage_cta.label} (${draft.vantage_cta.domain})` }));
  if (draft.vantage_federate === false) parts.push(h('p.muted', { text: STAYS_HERE }));
  parts.push(h('p.muted', { text: approvalsLine(draft) }));
  const run = (button, work) => {
    button.onclick = () => submitting(button, error, async () => {
      try {
        await work();
      } catch (e) {
        if (e.code !== 'draft_changed') throw e;
        return reload({ id: draft.id, message: CHANGED });
      }
      await reload();
    });
  };
  if (mine) {
    parts.push(h('p.notice', { text: 'You wrote this draft: someone else must approve it.' }));
  } else if (approved) {
    parts.push(h('p.notice', { text: 'You approved it; it waits for more approvals.' }));
  } else {
    // A requested time that has passed (a failed release) is not offered back: the API refuses it.
    const passed = draft.scheduled_at && Date.parse(draft.scheduled_at) <= Date.now();
    const at = h('input', { type: 'datetime-local', value: draft.scheduled_at && !passed ? toLocalInput(draft.scheduled_at) : '' });
    const approve = h('button.primary', { type: 'button', text: 'Approve' });
    run(approve, async () => {
      const body = { version: draft.version };
      if (at.value) {
        body.scheduled_at = fromLocalInput(at.value);
        if (!body.scheduled_at) throw new Error('Choose a valid date and time, or none.');
      }
      await post(draftsPath(org, `/${draft.id}/approve`), body);
      toast(at.value ? 'Approved for its time' : 'Approved');
    });
    const reason = h('textarea', { rows: 2, maxlength: 500 });
    const reject = h('button.secondary.danger', { type: 'button', text: 'Reject' });
    run(reject, async () => {
      if (!reason.value.trim()) throw new Error('Say why it is rejected: the editor reads the reason.');
      await post(draftsPath(org, `/${draft.id}/reject`), { version: draft.version, reason: reason.value.trim() });
      toast('Rejected');
    });
    parts.push(h('div.queue-actions', {},
      field('Release at (optional)', at, `${passed ? 'The requested time has passed. ' : ''}`
        + 'In your time zone. Empty: approved now, released from the Schedule.'), approve),
    h('div.queue-actions', {}, field('Reason for rejecting', reason), reject));
  }
  parts.push(error);
  return draftRow(org, draft, ...parts);
}

export default async function (main, { org }) {
  const membership = await consoleNav(main, org, 'queue');
  if (!membership) return;
  const list = h('ul.drafts');
  const status = h('p.list-status', { role: 'status' });
  main.append(h('section.console-page.queue', {}, h('h1.page-title', { text: 'Approval queue' }), status, list));
  const load = async (notice) => {
    try {
      const drafts = await get(draftsPath(org, '?state=submitted&limit=40'));
      clear(list);
      const said = (d) => (notice && notice.id === d.id ? notice.message : '');
      drafts.forEach((d) => list.append(item(org, d, load, said(d))));
      // A changed draft may have left the queue (withdrawn, say): said above it.
      const gone = notice && !drafts.some((d) => d.id === notice.id);
      status.textContent = gone ? 'A draft changed while you were reading it and no longer waits for approval.'
        : drafts.length ? '' : 'Nothing waits for approval.';
    } catch (e) {
      status.textContent = e.message;
    }
  };
  await load();
}
