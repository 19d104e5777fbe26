import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';

/** A grid of labelled figures: [{ label, value, name?, compact? }]. `name` styles it (stat-failed…). */
export function statsGrid(entries) {
  return h(
    'dl',
    { class: 'stats' },
    entries.map(({ label, value, name, compact }) =>
      h(
        'div',
        { class: ['stat', name && `stat-${name}`, compact && 'stat-compact'].filter(Boolean).join(' ') },
        h('dt', {}, label),
        h('dd', {}, value),
      ),
    ),
  );
}

/** A two-column table of [label, number] rows, e.g. API requests by kind. */
export function keyValueTable(rows) {
  return h(
    'table',
    { class: 'compact' },
    h(
      'tbody',
      {},
      rows.map(([label, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, formatNumber(value))),
      ),
    ),
  );
}
