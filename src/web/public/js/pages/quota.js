import { api } from '../api.js';
import { errorBox } from '../components/feedback.js';
import { simpleProgressBar } from '../components/progress.js';
import { h, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

/** The Chat2Desk account's monthly request quota: used, reserved by campaigns, left; the rate limit. */
export function renderQuotaPage(main) {
  document.title = t('quota.title');
  const card = h('section', { class: 'card' }, h('p', { class: 'muted' }, t('common.loading')));
  main.append(h('div', { class: 'page-header' }, h('h1', {}, t('quota.title'))), card);
  api.get('/api/quota').then(
    (quota) => replaceChildren(card, quotaView(quota)),
    (error) => replaceChildren(card, errorBox(error)),
  );
}

function quotaView(quota) {
  const limited = typeof quota.limit === 'number';
  const share = limited && quota.limit > 0 ? quota.used / quota.limit : 0;
  return [
    limited && simpleProgressBar(share, t('quota.usedShare'), t('quota.usedOf', { used: formatNumber(quota.used), limit: formatNumber(quota.limit) })),
    h(
      'dl',
      { class: 'stats' },
      stat('mode', quota.mode ?? '—'),
      stat('limit', limited ? formatNumber(quota.limit) : t('quota.unlimited')),
      stat('used', formatNumber(quota.used)),
      stat('reserved', formatNumber(quota.reserved)),
      stat('left', limited ? formatNumber(quota.left) : t('quota.unlimited')),
      stat('rateLimit', t('quota.perSecond', { rate: formatNumber(quota.rateLimitPerSecond) })),
    ),
  ];
}

function stat(name, value) {
  return h('div', { class: 'stat' }, h('dt', {}, t(`quota.${name}`)), h('dd', {}, value));
}
