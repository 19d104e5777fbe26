import { h, svg } from '../dom.js';
import { formatNumber, formatTime, t } from '../i18n.js';

const SERIES = ['sent', 'delivered', 'failed'];
const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 26, left: 44 };
const MAX_BAR_WIDTH = 14;
const TIME_LABELS = 6;

/** Sent / delivered / failed per minute as grouped bars in inline SVG (no chart library). */
export function timelineChart(timeline) {
  if (!timeline.length) return h('p', { class: 'muted' }, t('report.noTimeline'));
  const maxValue = Math.max(1, ...timeline.flatMap((minute) => SERIES.map((name) => minute[name])));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / timeline.length;
  const barWidth = Math.min(MAX_BAR_WIDTH, (slot * 0.8) / SERIES.length);
  const y = (value) => MARGIN.top + plotHeight - (value / maxValue) * plotHeight;
  const totals = Object.fromEntries(
    SERIES.map((name) => [name, timeline.reduce((sum, minute) => sum + minute[name], 0)]),
  );
  const labelEvery = Math.ceil(timeline.length / TIME_LABELS);

  const chart = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': t('report.chartSummary', {
        sent: formatNumber(totals.sent),
        delivered: formatNumber(totals.delivered),
        failed: formatNumber(totals.failed),
      }),
    },
    [0, Math.round(maxValue / 2), maxValue].map((value) => gridLine(y(value), value, plotWidth)),
    timeline.map((minute, index) => {
      const center = MARGIN.left + slot * (index + 0.5);
      const groupLeft = center - (barWidth * SERIES.length) / 2;
      return svg(
        'g',
        {},
        SERIES.map((name, seriesIndex) =>
          svg(
            'rect',
            {
              class: `bar series-${name}`,
              x: groupLeft + seriesIndex * barWidth,
              y: y(minute[name]),
              width: Math.max(1, barWidth - 1),
              height: Math.max(0, MARGIN.top + plotHeight - y(minute[name])),
            },
            svg(
              'title',
              {},
              `${formatTime(minute.minute)} · ${t(`legend.${name}`)}: ${formatNumber(minute[name])}`,
            ),
          ),
        ),
        index % labelEvery === 0 && axisLabel(center, HEIGHT - 8, formatTime(minute.minute), 'middle'),
      );
    }),
  );
  return h(
    'figure',
    { class: 'chart-figure' },
    chart,
    h(
      'figcaption',
      { class: 'legend' },
      SERIES.map((name) =>
        h(
          'span',
          {},
          h('span', { class: `swatch series-${name}`, 'aria-hidden': 'true' }),
          `${t(`legend.${name}`)}: ${formatNumber(totals[name])}`,
        ),
      ),
    ),
  );
}

function gridLine(atY, value, plotWidth) {
  return [
    svg('line', { class: 'chart-grid', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: atY, y2: atY }),
    axisLabel(MARGIN.left - 6, atY + 4, formatNumber(value), 'end'),
  ];
}

function axisLabel(atX, atY, text, anchor) {
  return svg('text', { class: 'chart-label', x: atX, y: atY, 'text-anchor': anchor }, text);
}
