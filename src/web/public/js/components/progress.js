import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

/** Parts of a campaign's progress bar: what became of its recipients so far. */
const SEGMENTS = [
  { name: 'delivered', of: (counts) => (counts.delivered ?? 0) + (counts.read ?? 0) },
  { name: 'sent', of: (counts) => (counts.sent ?? 0) + (counts.unknown ?? 0) },
  { name: 'failed', of: (counts) => counts.failed ?? 0 },
  { name: 'skipped', of: (counts) => (counts.skipped ?? 0) + (counts.expired ?? 0) },
];

/** Recipients that left the send queue (sent, delivered, failed, skipped…) out of all of them. */
function processedShare(counts) {
  if (!counts?.total) return 0;
  return SEGMENTS.reduce((sum, segment) => sum + segment.of(counts), 0) / counts.total;
}

/** The progressbar element both bars are: `percent` (0–100) for assistive technology, `segments` drawn. */
function progressBar(percent, label, valueText, segments) {
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': percent,
      'aria-valuetext': valueText,
    },
    segments,
  );
}

export function campaignProgressBar(counts, label) {
  const total = counts?.total ?? 0;
  const percent = Math.round(processedShare(counts) * 100);
  return progressBar(
    percent,
    label,
    t('progress.valueText', { percent, total: formatNumber(total) }),
    total > 0 &&
      SEGMENTS.map((segment) => {
        const value = segment.of(counts);
        return (
          value > 0 &&
          h('span', {
            class: `progress-segment segment-${segment.name}`,
            style: { width: `${(value / total) * 100}%` },
          })
        );
      }),
  );
}

/** A plain bar for one share, e.g. upload progress or quota used. */
export function simpleProgressBar(share, label, valueText) {
  const percent = Math.min(100, Math.max(0, Math.round(share * 100)));
  return progressBar(
    percent,
    label,
    valueText,
    h('span', { class: 'progress-segment segment-sent', style: { width: `${percent}%` } }),
  );
}

export function progressLegend() {
  return h(
    'ul',
    { class: 'legend' },
    SEGMENTS.map((segment) =>
      h(
        'li',
        {},
        h('span', { class: `swatch segment-${segment.name}`, 'aria-hidden': 'true' }),
        t(`legend.${segment.name}`),
      ),
    ),
  );
}
