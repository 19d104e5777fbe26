import { api } from '../api.js';
import { contactsBrowser } from '../components/contacts-browser.js';
import { errorBox } from '../components/feedback.js';
import { importPanel } from '../components/import-panel.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { hasRole } from '../session.js';

/**
 * One list: import a CSV into it (upload progress, then the job's counts; managers and up) and
 * browse its contacts.
 */
export function renderListPage(main, { params: [listId] }) {
  const title = h('h1', {}, t('list.title'));
  const contacts = contactsBrowser(listId);
  const importer = hasRole('manager') ? importPanel(listId, contacts.reload) : undefined;
  main.append(
    ...[
      h(
        'div',
        { class: 'page-header' },
        h('a', { href: '#/lists', class: 'back' }, `← ${t('lists.title')}`),
        title,
      ),
      importer?.element,
      contacts.element,
    ].filter(Boolean),
  );
  api.get(`/api/lists/${listId}`).then(
    (list) => {
      title.textContent = list.name;
      document.title = list.name;
    },
    (error) => title.after(errorBox(error)),
  );
  return () => importer?.stop();
}
