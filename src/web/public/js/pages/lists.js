import { api } from '../api.js';
import { errorBox, showToast, withBusyButton } from '../components/feedback.js';
import { h, replaceChildren } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import { hasRole } from '../session.js';

/** Contact lists: create one, open one to import and browse, delete one (creating and deleting: managers and up). */
export function renderListsPage(main, { navigate }) {
  document.title = t('lists.title');
  const canChange = hasRole('manager');
  const tableSlot = h('div', { class: 'card' }, h('p', { class: 'muted' }, t('common.loading')));
  const nameInput = h('input', { id: 'new-list-name', name: 'name', required: true, maxlength: 200 });
  const createButton = h('button', { type: 'submit', class: 'primary' }, t('lists.create'));
  const createError = h('div');

  const load = async () => {
    try {
      const lists = await api.get('/api/lists');
      replaceChildren(
        tableSlot,
        lists.length ? listsTable(lists, load, canChange) : h('p', { class: 'muted' }, t('lists.empty')),
      );
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
    }
  };

  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('lists.title'))),
    canChange &&
      h(
        'form',
        {
          class: 'card inline-form',
          onsubmit: async (event) => {
            event.preventDefault();
            const list = await withBusyButton(createButton, createError, () =>
              api.post('/api/lists', { name: nameInput.value.trim() }),
            );
            if (list) navigate(`/lists/${list.id}`);
          },
        },
        h(
          'div',
          { class: 'field grow' },
          h('label', { for: 'new-list-name' }, t('lists.newName')),
          nameInput,
        ),
        createButton,
        createError,
      ),
    tableSlot,
  );
  void load();
}

function listsTable(lists, reload, canChange) {
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, t('lists.title')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('lists.name')),
        h('th', { scope: 'col', class: 'num' }, t('lists.contacts')),
        h('th', { scope: 'col', class: 'num' }, t('lists.optedOut')),
        h('th', { scope: 'col' }, t('common.created')),
        canChange && h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('common.actions'))),
      ),
    ),
    h(
      'tbody',
      {},
      lists.map((list) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/lists/${list.id}` }, list.name)),
          h('td', { class: 'num' }, formatNumber(list.contacts)),
          h('td', { class: 'num' }, formatNumber(list.optedOut)),
          h('td', {}, formatDateTime(list.createdAt)),
          canChange && h('td', { class: 'actions' }, deleteButton(list, reload)),
        ),
      ),
    ),
  );
}

function deleteButton(list, reload) {
  const errorSlot = h('span');
  const button = h(
    'button',
    {
      type: 'button',
      class: 'ghost danger',
      'aria-label': t('lists.deleteNamed', { name: list.name }),
      onclick: async () => {
        if (!window.confirm(t('lists.confirmDelete', { name: list.name }))) return;
        const done = await withBusyButton(button, errorSlot, () =>
          api.delete(`/api/lists/${list.id}`).then(() => true),
        );
        if (done) {
          showToast(t('lists.deleted', { name: list.name }));
          await reload();
        }
      },
    },
    t('common.delete'),
  );
  return [button, errorSlot];
}
