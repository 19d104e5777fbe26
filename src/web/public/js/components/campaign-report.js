import { api } from '../api.js';
import { errorBox } from './feedback.js';
import { keyValueTable, statsGrid } from './stats.js';
import { timelineChart } from './timeline-chart.js';
import { h } from '../dom.js';
import { formatDateTime, formatNumber, formatPercent, t } from '../i18n.js';
import { hasRole } from '../session.js';

/**
 * The campaign's report (GET …/report): rates, per-minute chart, failure reasons, requests, and
 * for managers and up the recipients' CSV export (phone numbers). `update()` re-renders only when the report changed, so links keep focus while it runs.
 */
export function campaignReport(base) {
  const element = h('div');
  let shown;
  const update = async () => {
    try {
      const report = await api.get(`${base}/report`);
      const fingerprint = JSON.stringify({ ...report, durationSeconds: undefined });
      if (fingerprint !== shown) element.replaceChildren(reportView(base, report));
      shown = fingerprint;
    } catch (error) {
      element.replaceChildren(
        h('section', { class: 'card' }, h('h2', {}, t('report.title')), errorBox(error)),
      );
      shown = undefined;
    }
  };
  return { element, update };
}

function reportView(base, report) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'report-heading' },
    h(
      'div',
      { class: 'section-header' },
      h('h2', { id: 'report-heading' }, t('report.title')),
      hasRole('manager') &&
        h('a', { class: 'button', href: `${base}/recipients.csv`, download: '' }, t('report.exportCsv')),
    ),
    statsGrid([
      { label: t('report.deliveryRate'), value: formatPercent(report.deliveryRate) },
      { label: t('report.readRate'), value: formatPercent(report.readRate) },
      { label: t('report.optedOutAfterSend'), value: formatNumber(report.optedOutAfterSend) },
      { label: t('report.startedAt'), value: formatDateTime(report.startedAt), compact: true },
      { label: t('report.finishedAt'), value: formatDateTime(report.finishedAt), compact: true },
      // Only a finished campaign's duration is final; a running one would be stale between changes.
      {
        label: t('report.duration'),
        value: report.finishedAt ? formatDuration(report.durationSeconds) : t('report.inProgress'),
      },
    ]),
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
  );
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

function formatDuration(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes > 0
    ? t('duration.minutes', { minutes: formatNumber(minutes), seconds: seconds % 60 })
    : t('duration.seconds', { seconds });
}
