import { api } from '../api.js';
import { LIVE_STATES, stateBadge } from '../components/campaign-state.js';
import { errorBox } from '../components/feedback.js';
import { campaignProgressBar, progressLegend } from '../components/progress.js';
import { h, poll, replaceChildren } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import { hasRole } from '../session.js';

const REFRESH_MS = 2000;

/** All campaigns with live progress; refreshes while any of them is still moving. New: managers and up. */
export function renderCampaignsPage(main) {
  document.title = t('campaigns.title');
  const tableSlot = h('div', { class: 'card' }, h('p', { class: 'muted' }, t('common.loading')));
  main.append(
    h(
      'div',
      { class: 'page-header' },
      h('h1', {}, t('campaigns.title')),
      hasRole('manager') && h('a', { class: 'button primary', href: '#/campaigns/new' }, t('campaigns.new')),
    ),
    tableSlot,
  );
  let stop = () => {};
  stop = poll(async () => {
    try {
      const campaigns = (await api.get('/api/campaigns?limit=200')).items;
      replaceChildren(
        tableSlot,
        campaigns.length
          ? [campaignsTable(campaigns), progressLegend()]
          : h('p', { class: 'muted' }, t('campaigns.empty')),
      );
      if (!campaigns.some((campaign) => LIVE_STATES.includes(campaign.state))) stop();
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
      stop();
    }
  }, REFRESH_MS);
  return () => stop();
}

function campaignsTable(campaigns) {
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, t('campaigns.title')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['name', 'state', 'progress', 'sent', 'scheduledAt'].map((column) =>
          h('th', { scope: 'col', class: column === 'sent' ? 'num' : undefined }, t(`campaigns.${column}`)),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      campaigns.map((campaign) =>
        h(
          'tr',
          { 'data-campaign-id': campaign.id },
          h('td', {}, h('a', { href: `#/campaigns/${campaign.id}` }, campaign.name)),
          h('td', {}, stateBadge(campaign)),
          h(
            'td',
            { class: 'progress-cell' },
            campaignProgressBar(campaign.counts, t('campaigns.progressOf', { name: campaign.name })),
          ),
          h(
            'td',
            { class: 'num' },
            campaign.counts
              ? `${formatNumber(sentSoFar(campaign.counts))} / ${formatNumber(campaign.counts.total)}`
              : '—',
          ),
          h('td', {}, formatDateTime(campaign.scheduledAt)),
        ),
      ),
    ),
  );
}

function sentSoFar(counts) {
  return (counts.sent ?? 0) + (counts.delivered ?? 0) + (counts.read ?? 0);
}
