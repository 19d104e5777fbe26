import { api } from '../api.js';
import { errorBox, withBusyButton } from '../components/feedback.js';
import { simpleProgressBar } from '../components/progress.js';
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
    h(
      'dl',
      { class: 'stats' },
      stat('mode', quota.mode ?? '—'),
      stat('limit', limited ? formatNumber(quota.limit) : t('quota.unlimited')),
      stat(
        'usedService',
        quota.used.service === null ? t('quota.notReported') : formatNumber(quota.used.service),
      ),
      stat('usedLocal', formatNumber(quota.used.local)),
      stat('reservedByCampaigns', formatNumber(quota.reservedByCampaigns)),
      stat('reserve', formatNumber(quota.reserve)),
      stat('available', quota.available === null ? t('quota.unlimited') : formatNumber(quota.available)),
      stat('rateLimit', t('quota.perSecond', { rate: formatNumber(quota.rateLimitPerSecond) })),
    ),
  ];
}

function stat(name, value) {
  return h('div', { class: 'stat' }, h('dt', {}, t(`quota.${name}`)), h('dd', {}, value));
}
