import { api } from '../api.js';
import { errorBox, withBusyButton } from '../components/feedback.js';
import { simpleProgressBar } from '../components/progress.js';
import { statsGrid } from '../components/stats.js';
import { h, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

/** The Chat2Desk account: API mode, this month's quota used (service vs local), reservations, rate limit. */
export function renderQuotaPage(main) {
  document.title = t('quota.title');
  const card = h(
    'section',
    { class: 'card', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, t('common.loading')),
  );
  const errorSlot = h('div');
  const refreshButton = h(
    'button',
    { type: 'button', onclick: () => withBusyButton(refreshButton, errorSlot, () => load('?refresh=true')) },
    t('quota.refresh'),
  );
  const load = async (refresh = '') =>
    replaceChildren(card, quotaView(await api.get(`/api/quota${refresh}`)));
  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('quota.title')), refreshButton),
    errorSlot,
    card,
  );
  load().catch((error) => replaceChildren(card, errorBox(error)));
}

function quotaView(quota) {
  const limited = quota.limit !== null;
  const used = Math.max(quota.used.service ?? 0, quota.used.local);
  return [
    h('h2', {}, t('quota.month', { month: quota.month })),
    limited &&
      simpleProgressBar(
        used / Math.max(1, quota.limit),
        t('quota.usedShare'),
        t('quota.usedOf', { used: formatNumber(used), limit: formatNumber(quota.limit) }),
      ),
    limited &&
      h(
        'p',
        { class: 'muted' },
        t('quota.usedOf', { used: formatNumber(used), limit: formatNumber(quota.limit) }),
      ),
    statsGrid([
      { label: t('quota.mode'), value: quota.mode ?? '—' },
      { label: t('quota.limit'), value: limited ? formatNumber(quota.limit) : t('quota.unlimited') },
      {
        label: t('quota.usedService'),
        value: quota.used.service === null ? t('quota.notReported') : formatNumber(quota.used.service),
      },
      { label: t('quota.usedLocal'), value: formatNumber(quota.used.local) },
      { label: t('quota.reservedByCampaigns'), value: formatNumber(quota.reservedByCampaigns) },
      { label: t('quota.reserve'), value: formatNumber(quota.reserve) },
      {
        label: t('quota.available'),
        value: quota.available === null ? t('quota.unlimited') : formatNumber(quota.available),
      },
      {
        label: t('quota.rateLimit'),
        value: t('quota.perSecond', { rate: formatNumber(quota.rateLimitPerSecond) }),
      },
    ]),
  ];
}
