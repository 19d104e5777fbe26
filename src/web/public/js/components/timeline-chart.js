import { h, svg } from '../dom.js';
import { formatNumber, formatTime, t } from '../i18n.js';

const SERIES = ['sent', 'delivered', 'failed'];
const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 16, bottom: 28, left: 44 };

/** Sent / delivered / failed per minute as an inline SVG line chart (no chart library). */
export function timelineChart(timeline) {
  if (!timeline?.length) return h('p', { class: 'muted' }, t('report.noTimeline'));
  const points = timeline.map((entry) => ({ ...entry, at: new Date(entry.minute).getTime() }));
  const first = points[0].at;
  const last = points[points.length - 1].at;
  const maxValue = Math.max(1, ...points.flatMap((point) => SERIES.map((name) => point[name] ?? 0)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (at) =>
    MARGIN.left + (last === first ? plotWidth / 2 : ((at - first) / (last - first)) * plotWidth);
  const y = (value) => MARGIN.top + plotHeight - (value / maxValue) * plotHeight;
  const totals = Object.fromEntries(
    SERIES.map((name) => [name, points.reduce((sum, point) => sum + (point[name] ?? 0), 0)]),
  );

  const chart = svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': t('report.chartSummary', mapValues(totals, formatNumber)),
    },
    gridLine(y(0), 0, plotWidth),
    gridLine(y(maxValue), maxValue, plotWidth),
    gridLine(y(maxValue / 2), Math.round(maxValue / 2), plotWidth),
    axisLabel(x(first), HEIGHT - 8, formatTime(first), first === last ? 'middle' : 'start'),
    last !== first && axisLabel(x(last), HEIGHT - 8, formatTime(last), 'end'),
    SERIES.map((name) => seriesPath(name, points, x, y)),
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

function seriesPath(name, points, x, y) {
  const coordinates = points.map((point) => `${x(point.at).toFixed(1)},${y(point[name] ?? 0).toFixed(1)}`);
  return svg(
    'g',
    { class: `series series-${name}` },
    svg('polyline', { points: coordinates.join(' '), fill: 'none' }),
    points.map((point) =>
      svg(
        'circle',
        { cx: x(point.at), cy: y(point[name] ?? 0), r: 3 },
        svg(
          'title',
          {},
          `${formatTime(point.at)} · ${t(`legend.${name}`)}: ${formatNumber(point[name] ?? 0)}`,
        ),
      ),
    ),
  );
}

function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
}
