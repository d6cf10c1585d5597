// /console/:org/schedule: approved drafts waiting for release and scheduled
// ones by time (shown in the viewer's time zone): publish now, schedule or
// reschedule, unschedule. Each names the version shown here: a draft edited
// meanwhile is refused (409 draft_changed) before anything changes, and the
// list is reloaded.
import { h, clear, toast } from '../../dom.js';
import { get, post } from '../../api.js';
import { consoleNav } from '../../ui/console_nav.js';
import { field, errorLine, submitting } from '../../ui/form.js';
import { draftsPath, draftRow, toLocalInput, fromLocalInput, CHANGED } from '../../ui/drafts.js';

// The API's bounds for a release time (docs/api.md): 5 s to a year (366 days) ahead.
const MIN_AHEAD_MS = 5_000;
const MAX_AHEAD_MS = 366 * 86_400_000;

// `notice` is a refused move's message, said again on the reloaded row.
function item(org, draft, reload, notice = '') {
  const error = errorLine();
  error.textContent = notice;
  const path = (action) => draftsPath(org, `/${draft.id}/${action}`);
  const button = (text, cls, work) => {
    const b = h(`button.${cls}`, { type: 'button', text, onclick: () => submitting(b, error, async () => {
      try {
        await work();
      } catch (e) {
        // After a partial change the list is reloaded to show the true state.
        if (e.code === 'draft_changed') return reload({ id: draft.id, message: CHANGED });
        if (!e.reload) throw e;
        return reload({ id: draft.id, message: e.message });
      }
      await reload();
    }) });
    return b;
  };
  const at = h('input', { type: 'datetime-local', value: draft.scheduled_at ? toLocalInput(draft.scheduled_at) : '' });
  const scheduled = draft.state === 'scheduled';
  // A scheduled draft goes back to approved, then gets its new time or is
  // published: two requests. When the second is refused, the draft gets its
  // time back (while that is still ahead), so a refused move never silently
  // cancels its release.
  const moving = async (second) => {
    if (!scheduled) return second();
    try {
      // The version too: a draft changed meanwhile keeps its time.
      await post(path('unschedule'), { version: draft.version });
    } catch (e) {
      e.reload = true;
      throw e;
    }
    try {
      return await second();
    } catch (e) {
      let message = e.message;
      const restored = Date.parse(draft.scheduled_at) - Date.now() >= MIN_AHEAD_MS
        && await post(path('schedule'), { version: draft.version, scheduled_at: draft.scheduled_at }).then(() => true, () => false);
      if (!restored) message += ' It is no longer scheduled: it waits for a time.';
      const failed = new Error(message);
      failed.reload = true;
      throw failed;
    }
  };
  const schedule = button(scheduled ? 'Reschedule' : 'Schedule', 'secondary', async () => {
    const when = fromLocalInput(at.value);
    if (!when) throw new Error('Release at: choose a date and time.');
    const ahead = Date.parse(when) - Date.now();
    if (ahead < MIN_AHEAD_MS || ahead > MAX_AHEAD_MS) {
      throw new Error('Release at: choose a time at least 5 seconds and at most a year from now.');
    }
    await moving(() => post(path('schedule'), { version: draft.version, scheduled_at: when }));
    toast('Scheduled');
  });
  const actions = [button('Publish now', 'primary', async () => {
    await moving(() => post(path('publish'), { version: draft.version }));
    toast('Published');
  })];
  if (scheduled) actions.push(button('Unschedule', 'secondary', async () => {
    await post(path('unschedule'), { version: draft.version });
    toast('Unscheduled: approved, waiting for a time');
  }));
  return draftRow(org, draft,
    h('div.queue-actions', {}, field('Release at', at, 'In your time zone.'), schedule),
    h('div.form-actions', {}, actions), error);
}

export default async function (main, { org }) {
  const membership = await consoleNav(main, org, 'schedule');
  if (!membership) return;
  const scheduledList = h('ul.drafts');
  const approvedList = h('ul.drafts');
  const status = h('p.list-status', { role: 'status' });
  main.append(h('section.console-page', {}, h('h1.page-title', { text: 'Schedule' }), status,
    h('h2.page-title', { text: 'Scheduled' }), scheduledList,
    h('h2.page-title', { text: 'Approved, waiting for a time' }), approvedList));
  const load = async (notice) => {
    try {
      const [scheduled, approved] = await Promise.all(['scheduled', 'approved']
        .map((state) => get(draftsPath(org, `?state=${state}&limit=40`))));
      scheduled.sort((a, b) => Date.parse(a.scheduled_at) - Date.parse(b.scheduled_at));
      clear(scheduledList);
      clear(approvedList);
      const said = (d) => (notice && notice.id === d.id ? notice.message : '');
      scheduled.forEach((d) => scheduledList.append(item(org, d, load, said(d))));
      approved.forEach((d) => approvedList.append(item(org, d, load, said(d))));
      if (!scheduled.length) scheduledList.append(h('li.empty', { text: 'Nothing is scheduled.' }));
      if (!approved.length) approvedList.append(h('li.empty', { text: 'No approved drafts wait for a time.' }));
      // A draft gone from both lists (published, say) has its message said above them.
      status.textContent = notice && ![...scheduled, ...approved].some((d) => d.id === notice.id) ? notice.message : '';
    } catch (e) {
      status.textContent = e.message;
    }
  };
  await load();
}
