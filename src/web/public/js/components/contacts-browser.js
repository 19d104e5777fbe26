import { api, query } from '../api.js';
import { errorBox } from './feedback.js';
import { debounce, h, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

const PAGE_SIZE = 50;

/** A list's contacts: search by phone or name, paged. */
export function contactsBrowser(listId) {
  const searchInput = h('input', {
    id: 'contact-search',
    type: 'search',
    autocomplete: 'off',
    placeholder: t('contacts.searchPlaceholder'),
  });
  const tableSlot = h('div', { 'aria-live': 'polite' });
  const pager = h('div', { class: 'pager' });
  let offset = 0;

  const load = async () => {
    try {
      const page = await api.get(
        `/api/lists/${listId}/contacts${query({ search: searchInput.value.trim(), limit: PAGE_SIZE, offset })}`,
      );
      const contacts = page.items;
      replaceChildren(
        tableSlot,
        contacts.length
          ? contactsTable(contacts)
          : h('p', { class: 'muted' }, t(searchInput.value ? 'contacts.noMatch' : 'contacts.empty')),
      );
      renderPager(page.total, contacts.length);
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
    }
  };

  const renderPager = (total, shown) => {
    const go = (nextOffset) => {
      offset = nextOffset;
      void load();
    };
    replaceChildren(
      pager,
      h(
        'span',
        {},
        total === 0
          ? ''
          : t('contacts.range', {
              from: formatNumber(offset + 1),
              to: formatNumber(offset + shown),
              total: formatNumber(total),
            }),
      ),
      h(
        'button',
        { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE_SIZE)) },
        `← ${t('contacts.previous')}`,
      ),
      h(
        'button',
        { type: 'button', disabled: offset + shown >= total, onclick: () => go(offset + PAGE_SIZE) },
        `${t('contacts.next')} →`,
      ),
    );
  };

  const searchAgain = debounce(() => {
    offset = 0;
    void load();
  }, 300);
  searchInput.addEventListener('input', searchAgain);
  void load();

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'contacts-heading' },
    h(
      'div',
      { class: 'section-header' },
      h('h2', { id: 'contacts-heading' }, t('contacts.title')),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'contact-search', class: 'visually-hidden' }, t('contacts.search')),
        searchInput,
      ),
    ),
    tableSlot,
    pager,
  );
  return { element, reload: () => void load() };
}

function contactsTable(contacts) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['phone', 'name', 'attributes', 'status'].map((column) =>
          h('th', { scope: 'col' }, t(`contacts.${column}`)),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      contacts.map((contact) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, `+${contact.phone}`),
          h('td', {}, contact.name ?? ''),
          h(
            'td',
            {},
            h(
              'div',
              { class: 'attributes' },
              Object.entries(contact.attributes).map(([key, value]) =>
                h('span', { class: 'tag' }, `${key}: ${value}`),
              ),
            ),
          ),
          h(
            'td',
            {},
            contact.optedOut ? h('span', { class: 'badge badge-failed' }, t('contacts.optedOut')) : '',
          ),
        ),
      ),
    ),
  );
}
