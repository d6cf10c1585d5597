// /console/:org/schedule: approved drafts waiting for release and scheduled
// ones by time (shown in the viewer's time zone): publish now, schedule or
// reschedule, unschedule.
import { h, clear, toast } from '../../dom.js';
import { get, post } from '../../api.js';
import { consoleNav } from '../../ui/console_nav.js';
import { field, errorLine } from '../../ui/form.js';
import { draftsPath, draftRow, toLocalInput, fromLocalInput } from '../../ui/drafts.js';

function item(org, draft, reload) {
  const error = errorLine();
  const path = (action) => draftsPath(org, `/${draft.id}/${action}`);
  const button = (text, cls, work) => {
    const b = h(`button.${cls}`, { type: 'button', text });
    b.addEventListener('click', async () => {
      error.textContent = '';
      b.disabled = true;
      try {
        await work();
        reload();
      } catch (e) {
        error.textContent = e.message;
        b.disabled = false;
      }
    });
    return b;
  };
  const at = h('input', { type: 'datetime-local', value: draft.scheduled_at ? toLocalInput(draft.scheduled_at) : '' });
  const scheduled = draft.state === 'scheduled';
  const schedule = button(scheduled ? 'Reschedule' : 'Schedule', 'secondary', async () => {
    const when = fromLocalInput(at.value);
    if (!when) throw new Error('Choose a date and time.');
    // A scheduled draft goes back to approved, then gets its new time.
    if (scheduled) await post(path('unschedule'), {});
    await post(path('schedule'), { scheduled_at: when });
    toast('Scheduled');
  });
  const actions = [button('Publish now', 'primary', async () => {
    if (scheduled) await post(path('unschedule'), {});
    await post(path('publish'), {});
    toast('Published');
  })];
  if (scheduled) actions.push(button('Unschedule', 'secondary', async () => {
    await post(path('unschedule'), {});
    toast('Unscheduled: approved, waiting for a time');
  }));
  return draftRow(org, draft,
    h('div.queue-actions', {}, field('Release at', at, 'In your time zone.'), schedule),
    h('div.form-actions', {}, actions), error);
}

export default async function (main, { org }) {
  const membership = await consoleNav(main, org, 'schedule');
  if (!membership) return;
  document.title = `Schedule · ${membership.account.display_name || membership.account.username} · Vantage`;
  const scheduledList = h('ul.drafts');
  const approvedList = h('ul.drafts');
  const status = h('p.list-status', { role: 'status' });
  main.append(h('section.console-page', {}, h('h1.page-title', { text: 'Schedule' }), status,
    h('h2.page-title', { text: 'Scheduled' }), scheduledList,
    h('h2.page-title', { text: 'Approved, waiting for a time' }), approvedList));
  const load = async () => {
    try {
      const [scheduled, approved] = await Promise.all(['scheduled', 'approved']
        .map((state) => get(draftsPath(org, `?state=${state}&limit=40`))));
      scheduled.sort((a, b) => Date.parse(a.scheduled_at) - Date.parse(b.scheduled_at));
      clear(scheduledList);
      clear(approvedList);
      scheduled.forEach((d) => scheduledList.append(item(org, d, load)));
      approved.forEach((d) => approvedList.append(item(org, d, load)));
      if (!scheduled.length) scheduledList.append(h('li.empty', { text: 'Nothing is scheduled.' }));
      if (!approved.length) approvedList.append(h('li.empty', { text: 'No approved drafts wait for a time.' }));
      status.textContent = '';
    } catch (e) {
      status.textContent = e.message;
    }
  };
  await load();
}
