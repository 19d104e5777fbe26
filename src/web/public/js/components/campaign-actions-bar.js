import { api } from '../api.js';
import { CAMPAIGN_ACTIONS, isActionAllowed } from './campaign-state.js';
import { showToast, withBusyButton } from './feedback.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * Schedule, start, pause, resume, cancel, retry failed — each enabled only when the state allows it.
 * Built once and updated on every refresh, so focus, the schedule time and the allowPartial choice
 * survive polling.
 */
export function campaignActionsBar(base, onDone) {
  const errorSlot = h('div', { class: 'actions-error' });
  const scheduleAt = h('input', { type: 'datetime-local', id: 'schedule-at' });
  const scheduleLabel = h('label', { for: 'schedule-at' });
  const allowPartial = h('input', { type: 'checkbox', id: 'allow-partial' });
  const launchOptions = h(
    'div',
    { class: 'launch-options' },
    h('div', { class: 'field' }, scheduleLabel, scheduleAt),
    h('label', { class: 'checkbox', for: 'allow-partial' }, allowPartial, t('campaign.allowPartial')),
  );
  let campaign;

  const bodyFor = (action) => ({
    ...(action.name === 'schedule' && scheduleAt.value ? { scheduledAt: scheduleAt.value } : {}),
    ...(action.usesQuota && allowPartial.checked ? { allowPartial: true } : {}),
  });
  const buttons = CAMPAIGN_ACTIONS.map((action) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: action.name === 'start' ? 'primary' : action.name === 'cancel' ? 'danger' : undefined,
        onclick: async () => {
          if (action.confirm && !window.confirm(t(`action.${action.name}.confirm`, { name: campaign.name })))
            return;
          const done = await withBusyButton(button, errorSlot, () =>
            api.post(`${base}/${action.name}`, bodyFor(action)).then(() => true),
          );
          if (done) {
            showToast(t(`action.${action.name}.done`, { name: campaign.name }));
            onDone();
          }
          update(campaign);
        },
      },
      t(`action.${action.name}`),
    );
    return button;
  });

  const update = (next) => {
    if (!campaign && next.scheduledAt) scheduleAt.value = wallTime(next.scheduledAt, next.timezone);
    campaign = next;
    CAMPAIGN_ACTIONS.forEach((action, index) => {
      if (buttons[index].getAttribute('aria-busy') !== 'true')
        buttons[index].disabled = !isActionAllowed(action, campaign);
    });
    scheduleLabel.textContent = t('campaign.scheduleAt', { timezone: campaign.timezone });
    launchOptions.hidden = !['draft', 'scheduled'].includes(campaign.state);
  };

  const element = h(
    'div',
    { class: 'card actions-bar' },
    h('div', { class: 'button-row', role: 'group', 'aria-label': t('campaign.actions') }, buttons),
    launchOptions,
    errorSlot,
  );
  return { element, update };
}

/** `2026-12-01T10:00` as a clock in `timezone` shows the instant; the API reads it back in that zone. */
function wallTime(instant, timezone) {
  return new Date(instant)
    .toLocaleString('sv-SE', { timeZone: timezone, hour12: false })
    .slice(0, 16)
    .replace(' ', 'T');
}
