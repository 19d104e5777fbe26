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
const COUNT_NAMES = [
  'total',
  'pending',
  'waiting',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
  'skipped',
  'expired',
];

/**
 * One campaign: state and actions, live progress, and before launch the preview, missing variables
 * and quota forecast; once it has run, the report (chart, failure reasons, CSV export).
 */
export function renderCampaignPage(main, { params: [campaignId] }) {
  const base = `/api/campaigns/${campaignId}`;
  const header = h('div', { class: 'page-header' });
  const progress = h('section', { class: 'card', 'aria-labelledby': 'progress-heading' });
  const launchChecks = h('div');
  const report = h('div');
  const actions = campaignActionsBar(base, () => restart());
  main.append(header, actions.element, progress, launchChecks, report);

  let stop = () => {};
  let shownLaunchChecksFor;

  const refresh = async () => {
    let campaign;
    try {
      campaign = await api.get(base);
    } catch (error) {
      replaceChildren(
        header,
        h('a', { href: '#/campaigns', class: 'back' }, `← ${t('campaigns.title')}`),
        errorBox(error),
      );
      stop();
      return;
    }
    document.title = campaign.name;
    renderHeader(header, campaign);
    actions.update(campaign);
    // A draft has no recipients yet: they are taken from the list when a run starts.
    progress.hidden = campaign.state === 'draft';
    renderProgress(progress, campaign);
    if (['draft', 'scheduled'].includes(campaign.state)) {
      if (shownLaunchChecksFor !== campaign.state) void renderLaunchChecks(launchChecks, base, campaign);
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
        campaign.scheduledAt &&
          t('campaign.scheduledFor', {
            at: formatDateTime(campaign.scheduledAt),
            timezone: campaign.timezone,
          }),
        campaign.cron && t('campaign.repeats', { cron: campaign.cron }),
        campaign.sendWindow && t('campaign.window', campaign.sendWindow),
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
}

/** Built once and updated on every refresh, so focus and the allowPartial choice survive polling. */
function campaignActionsBar(base, onDone) {
  const errorSlot = h('div', { class: 'actions-error' });
  const allowPartial = h('input', { type: 'checkbox', id: 'allow-partial' });
  const partialOption = h(
    'label',
    { class: 'checkbox', for: 'allow-partial' },
    allowPartial,
    t('campaign.allowPartial'),
  );
  let campaign;
  const buttons = campaignActions({ state: 'draft' }).map((action) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: action.name === 'start' ? 'primary' : action.name === 'cancel' ? 'danger' : undefined,
        'data-action': action.name,
        onclick: async () => {
          if (action.confirm && !window.confirm(t(`action.${action.name}.confirm`, { name: campaign.name })))
            return;
          const body = action.usesQuota && allowPartial.checked ? { allowPartial: true } : {};
          const done = await withBusyButton(button, errorSlot, () =>
            api.post(`${base}/${action.name}`, body).then(() => true),
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
    campaign = next;
    campaignActions(campaign).forEach((action, index) => {
      if (buttons[index].getAttribute('aria-busy') !== 'true') buttons[index].disabled = !action.allowed;
    });
    partialOption.hidden = !['draft', 'scheduled'].includes(campaign.state);
  };
  const element = h(
    'div',
    { class: 'card actions-bar' },
    h(
      'div',
      { class: 'button-row', role: 'group', 'aria-label': t('campaign.actions') },
      buttons,
      partialOption,
    ),
    errorSlot,
  );
  return { element, update };
}

function renderProgress(section, campaign) {
  const counts = campaign.counts ?? {};
  replaceChildren(
    section,
    h('h2', { id: 'progress-heading' }, t('campaign.progress')),
    campaignProgressBar(counts, t('campaign.progress')),
    progressLegend(),
    h(
      'dl',
      { class: 'stats' },
      COUNT_NAMES.map((name) =>
        h(
          'div',
          { class: `stat stat-${name}` },
          h('dt', {}, t(`count.${name}`)),
          h('dd', { 'data-count': name }, formatNumber(counts[name] ?? 0)),
        ),
      ),
    ),
  );
}

async function renderLaunchChecks(slot, base, campaign) {
  const [preview, forecast] = await Promise.allSettled([
    api.get(`${base}/preview${query({ limit: PREVIEW_SIZE })}`),
    api.get(`${base}/forecast`),
  ]);
  replaceChildren(
    slot,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'preview-heading' },
      h('h2', { id: 'preview-heading' }, t('campaign.preview')),
      campaign.text && templateText(campaign.text),
      preview.status === 'fulfilled' ? previewView(preview.value) : errorBox(preview.reason),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'forecast-heading' },
      h('h2', { id: 'forecast-heading' }, t('campaign.forecast')),
      forecast.status === 'fulfilled' ? forecastView(forecast.value) : errorBox(forecast.reason),
    ),
  );
}

function previewView(preview) {
  const missing = preview.missingVariables;
  return [
    missing.count > 0 &&
      h(
        'div',
        { class: 'alert alert-warning', role: 'status' },
        h('p', {}, t('preview.missing', { count: formatNumber(missing.count) })),
        h(
          'ul',
          {},
          missing.examples.map((example) =>
            h(
              'li',
              {},
              h('span', { class: 'mono' }, `+${example.phone}`),
              example.name && ` ${example.name}`,
              ` — ${example.skipReason}`,
            ),
          ),
        ),
      ),
    preview.items.length === 0 && h('p', { class: 'muted' }, t('preview.noRecipients')),
    h(
      'ul',
      { class: 'preview-list' },
      preview.items.map((item) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'preview-recipient' },
            h('span', { class: 'mono' }, `+${item.phone}`),
            item.name && ` · ${item.name}`,
          ),
          item.text
            ? h('p', { class: 'message-text' }, item.text)
            : h('p', { class: 'alert alert-warning' }, t('preview.skipped', { reason: item.skipReason })),
        ),
      ),
    ),
  ];
}

function forecastView(forecast) {
  const left = forecast.quota.remaining;
  const summary =
    left === null
      ? t('forecast.unlimited', { needed: formatNumber(forecast.total) })
      : t(forecast.fits ? 'forecast.fits' : 'forecast.exceeds', {
          needed: formatNumber(forecast.total),
          left: formatNumber(left),
        });
  return [
    noticeBox(summary, forecast.fits ? 'success' : 'warning'),
    keyValueTable(
      ['recipients', 'knownClients', 'creations', 'lookups', 'sends', 'statusPolls', 'total'].map((name) => [
        t(`forecast.${name}`),
        forecast[name],
      ]),
    ),
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
        stat('optedOutAfterSend', formatNumber(report.optedOutAfterSend)),
        stat('startedAt', formatDateTime(report.startedAt), 'stat-compact'),
        stat('finishedAt', formatDateTime(report.finishedAt), 'stat-compact'),
        stat('duration', formatDuration(report.durationSeconds)),
      ),
      h('h3', {}, t('report.timeline')),
      timelineChart(report.timeline),
      h('h3', {}, t('report.failureReasons')),
      report.failureReasons.length
        ? failureReasonsTable(report.failureReasons)
        : h('p', { class: 'muted' }, t('report.noFailures')),
      h('h3', {}, t('report.apiRequests')),
      keyValueTable([
        ...Object.entries(report.apiRequests.byKind).map(([kind, count]) => [t(`requests.${kind}`), count]),
        [t('report.requestsTotal'), report.apiRequests.total],
        [t('report.requestsForecast'), report.quota.forecast],
      ]),
    ),
  );
}

function stat(name, value, extraClass = '') {
  return h('div', { class: `stat ${extraClass}` }, h('dt', {}, t(`report.${name}`)), h('dd', {}, value));
}

function failureReasonsTable(reasons) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('report.reason')),
        h('th', { scope: 'col' }, t('report.outcome')),
        h('th', { scope: 'col', class: 'num' }, t('report.recipients')),
      ),
    ),
    h(
      'tbody',
      {},
      reasons.map((reason) =>
        h(
          'tr',
          {},
          h('td', {}, reason.reason),
          h('td', {}, t(`count.${reason.state}`)),
          h('td', { class: 'num' }, formatNumber(reason.count)),
        ),
      ),
    ),
  );
}

function keyValueTable(rows) {
  return h(
    'table',
    { class: 'compact' },
    h(
      'tbody',
      {},
      rows.map(([name, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'num' }, formatNumber(value))),
      ),
    ),
  );
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const minutes = Math.floor(seconds / 60);
  return minutes > 0
    ? t('duration.minutes', { minutes: formatNumber(minutes), seconds: seconds % 60 })
    : t('duration.seconds', { seconds });
}
