import { api, query } from '../api.js';
import { campaignActions, LIVE_STATES, stateBadge } from '../components/campaign-state.js';
import { errorBox, noticeBox, showToast, withBusyButton } from '../components/feedback.js';
import { campaignProgressBar, progressLegend } from '../components/progress.js';
import { templateText } from '../components/template-text.js';
import { timelineChart } from '../components/timeline-chart.js';
import { h, poll, replaceChildren } from '../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../i18n.js';

const REFRESH_MS = 2000;
const PREVIEW_SIZE = 5;
const COUNT_NAMES = ['total', 'pending', 'waiting', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped', 'expired'];

/**
 * One campaign: state and actions, live progress, and before launch the preview, missing variables
 * and quota forecast; once it has run, the report (chart, failure reasons, CSV export).
 */
export function renderCampaignPage(main, { params: [campaignId] }) {
  const base = `/api/campaigns/${campaignId}`;
  const header = h('div', { class: 'page-header' });
  const actionsBar = h('div', { class: 'card actions-bar' });
  const progress = h('section', { class: 'card', 'aria-labelledby': 'progress-heading' });
  const launchChecks = h('div');
  const report = h('div');
  main.append(header, actionsBar, progress, launchChecks, report);

  let stop = () => {};
  let shownLaunchChecksFor;

  const refresh = async () => {
    let campaign;
    try {
      campaign = await api.get(base);
    } catch (error) {
      replaceChildren(header, h('a', { href: '#/campaigns', class: 'back' }, `← ${t('campaigns.title')}`), errorBox(error));
      stop();
      return;
    }
    document.title = campaign.name;
    renderHeader(header, campaign);
    renderActions(actionsBar, campaign, base, () => restart());
    renderProgress(progress, campaign);
    if (['draft', 'scheduled'].includes(campaign.state)) {
      if (shownLaunchChecksFor !== campaign.state) void renderLaunchChecks(launchChecks, base);
      shownLaunchChecksFor = campaign.state;
    } else launchChecks.replaceChildren();
    if (campaign.state !== 'draft') await renderReport(report, base);
    if (!LIVE_STATES.includes(campaign.state)) stop();
  };
  const restart = () => {
    stop();
    stop = poll(refresh, REFRESH_MS);
  };
  restart();
  return () => stop();
}

function renderHeader(header, campaign) {
  replaceChildren(
    header,
    h('a', { href: '#/campaigns', class: 'back' }, `← ${t('campaigns.title')}`),
    h('h1', {}, campaign.name, ' ', stateBadge(campaign)),
    h(
      'p',
      { class: 'muted meta' },
      [
        t(`transport.${campaign.transport}`),
        t('campaign.channel', { id: campaign.channelId }),
        campaign.scheduledAt && t('campaign.scheduledFor', { at: formatDateTime(campaign.scheduledAt), timezone: campaign.timezone }),
        campaign.cron && t('campaign.repeats', { cron: campaign.cron }),
        campaign.sendWindow && t('campaign.window', campaign.sendWindow),
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
}

function renderActions(bar, campaign, base, onDone) {
  const errorSlot = h('div', { class: 'actions-error' });
  const buttons = campaignActions(campaign).map((action) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: action.name === 'start' ? 'primary' : action.name === 'cancel' ? 'danger' : undefined,
        disabled: !action.allowed,
        'data-action': action.name,
        onclick: async () => {
          if (action.confirm && !confirm(t(`action.${action.name}.confirm`, { name: campaign.name }))) return;
          const done = await withBusyButton(button, errorSlot, () => api.post(`${base}/${action.name}`).then(() => true));
          if (done) {
            showToast(t(`action.${action.name}.done`, { name: campaign.name }));
            onDone();
          }
        },
      },
      t(`action.${action.name}`),
    );
    return button;
  });
  replaceChildren(bar, h('div', { class: 'button-row', role: 'group', 'aria-label': t('campaign.actions') }, buttons), errorSlot);
}

function renderProgress(section, campaign) {
  const counts = campaign.counts ?? {};
  replaceChildren(
    section,
    h('h2', { id: 'progress-heading' }, t('campaign.progress')),
    campaignProgressBar(counts, t('campaign.progress')),
    progressLegend(),
    h('dl', { class: 'stats' }, COUNT_NAMES.map((name) => h('div', { class: `stat stat-${name}` }, h('dt', {}, t(`count.${name}`)), h('dd', { 'data-count': name }, formatNumber(counts[name] ?? 0))))),
  );
}

async function renderLaunchChecks(slot, base) {
  const [preview, forecast] = await Promise.allSettled([api.get(`${base}/preview${query({ limit: PREVIEW_SIZE })}`), api.get(`${base}/forecast`)]);
  replaceChildren(
    slot,
    h('section', { class: 'card', 'aria-labelledby': 'preview-heading' }, h('h2', { id: 'preview-heading' }, t('campaign.preview')), preview.status === 'fulfilled' ? previewView(preview.value) : errorBox(preview.reason)),
    h('section', { class: 'card', 'aria-labelledby': 'forecast-heading' }, h('h2', { id: 'forecast-heading' }, t('campaign.forecast')), forecast.status === 'fulfilled' ? forecastView(forecast.value) : errorBox(forecast.reason)),
  );
}

function previewView(preview) {
  const missing = preview.missingVariables;
  return [
    missing?.count > 0 &&
      noticeBox(
        t('preview.missing', { count: formatNumber(missing.count), variables: (missing.variables ?? []).join(', '), examples: (missing.examples ?? []).map((example) => `+${example.phone}`).join(', ') }),
        'warning',
      ),
    preview.template && templateText(preview.template),
    h(
      'ul',
      { class: 'preview-list' },
      (preview.recipients ?? []).map((recipient) =>
        h(
          'li',
          {},
          h('div', { class: 'preview-recipient' }, h('span', { class: 'mono' }, `+${recipient.phone}`), recipient.name && ` · ${recipient.name}`),
          recipient.text ? h('p', { class: 'message-text' }, recipient.text) : h('p', { class: 'alert alert-warning' }, t('preview.skipped', { variables: (recipient.missing ?? []).join(', ') })),
        ),
      ),
    ),
  ];
}

function forecastView(forecast) {
  const requests = forecast.requests ?? {};
  return [
    forecast.fits === false
      ? noticeBox(t('forecast.exceeds', { needed: formatNumber(forecast.total), left: formatNumber(forecast.quotaLeft) }), 'warning')
      : noticeBox(t('forecast.fits', { needed: formatNumber(forecast.total), left: formatNumber(forecast.quotaLeft) }), 'success'),
    keyValueTable(requests, (kind) => t(`requests.${kind}`)),
  ];
}

async function renderReport(slot, base) {
  let report;
  try {
    report = await api.get(`${base}/report`);
  } catch (error) {
    replaceChildren(slot, h('section', { class: 'card' }, h('h2', {}, t('report.title')), errorBox(error)));
    return;
  }
  replaceChildren(
    slot,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'report-heading' },
      h(
        'div',
        { class: 'section-header' },
        h('h2', { id: 'report-heading' }, t('report.title')),
        h('a', { class: 'button', href: `${base}/recipients.csv`, download: '' }, t('report.exportCsv')),
      ),
      h(
        'dl',
        { class: 'stats' },
        stat('deliveryRate', formatPercent(report.deliveryRate)),
        stat('readRate', formatPercent(report.readRate)),
        stat('startedAt', formatDateTime(report.startedAt)),
        stat('finishedAt', formatDateTime(report.finishedAt)),
      ),
      h('h3', {}, t('report.timeline')),
      timelineChart(report.timeline),
      h('h3', {}, t('report.failureReasons')),
      report.failureReasons?.length ? failureReasonsTable(report.failureReasons) : h('p', { class: 'muted' }, t('report.noFailures')),
      h('h3', {}, t('report.apiRequests')),
      keyValueTable(report.apiRequests ?? {}, (kind) => t(`requests.${kind}`)),
    ),
  );
}

function stat(name, value) {
  return h('div', { class: 'stat' }, h('dt', {}, t(`report.${name}`)), h('dd', {}, value));
}

function failureReasonsTable(reasons) {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('report.reason')), h('th', { scope: 'col', class: 'num' }, t('report.recipients')))),
    h('tbody', {}, reasons.map((reason) => h('tr', {}, h('td', {}, reason.reason), h('td', { class: 'num' }, formatNumber(reason.count))))),
  );
}

function keyValueTable(values, describe) {
  return h(
    'table',
    { class: 'compact' },
    h('tbody', {}, Object.entries(values).map(([key, value]) => h('tr', {}, h('th', { scope: 'row' }, describe(key)), h('td', { class: 'num' }, formatNumber(value))))),
  );
}
