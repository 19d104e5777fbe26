import { api, ApiError, query, uploadForm } from '../api.js';
import { errorBox, noticeBox } from '../components/feedback.js';
import { simpleProgressBar } from '../components/progress.js';
import { debounce, h, poll, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

const PAGE_SIZE = 50;
const IMPORT_POLL_MS = 1000;
const RESULT_COUNTS = ['rows', 'imported', 'updated', 'duplicates', 'invalid'];

/** One list: import a CSV into it (upload progress, then the job's counts) and browse its contacts. */
export function renderListPage(main, { params: [listId] }) {
  const title = h('h1', {}, t('list.title'));
  const contacts = contactsBrowser(listId);
  const importer = importPanel(listId, contacts.reload);
  main.append(
    h(
      'div',
      { class: 'page-header' },
      h('a', { href: '#/lists', class: 'back' }, `← ${t('lists.title')}`),
      title,
    ),
    importer.element,
    contacts.element,
  );
  api.get(`/api/lists/${listId}`).then(
    (list) => {
      title.textContent = list.name;
      document.title = list.name;
    },
    (error) => title.after(errorBox(error)),
  );
  return () => importer.stop();
}

function importPanel(listId, onImported) {
  const fileInput = h('input', {
    id: 'import-file',
    name: 'file',
    type: 'file',
    accept: '.csv,.txt,text/csv',
    required: true,
  });
  const countryInput = h('input', {
    id: 'import-country',
    name: 'defaultCountry',
    value: 'RU',
    maxlength: 2,
    pattern: '[A-Za-z]{2}',
    size: 3,
    autocomplete: 'off',
  });
  const modeSelect = h(
    'select',
    { id: 'import-mode', name: 'mode' },
    ['update', 'skip'].map((mode) => h('option', { value: mode }, t(`import.mode.${mode}`))),
  );
  const phoneColumnInput = h('input', {
    id: 'import-phone-column',
    name: 'phoneColumn',
    autocomplete: 'off',
  });
  const nameColumnInput = h('input', { id: 'import-name-column', name: 'nameColumn', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('import.upload'));
  const status = h('div', { class: 'import-status', 'aria-live': 'polite' });
  let stopPolling = () => {};

  const showJob = (job) => {
    if (job.status === 'completed') {
      replaceChildren(status, importResult(job));
      submit.disabled = false;
      onImported();
      return true;
    }
    if (job.status === 'failed') {
      replaceChildren(
        status,
        errorBox(new ApiError(200, t('import.failed', { error: job.error ?? '' }))),
        job.invalid > 0 && importResult(job),
      );
      submit.disabled = false;
      return true;
    }
    const { rows = 0, bytesRead = 0, totalBytes = 0 } = job.progress ?? {};
    const share = totalBytes > 0 ? bytesRead / totalBytes : 0;
    replaceChildren(
      status,
      h(
        'p',
        {},
        t(`import.status.${job.status}`, { rows: formatNumber(rows), percent: Math.round(share * 100) }),
      ),
      simpleProgressBar(
        share,
        t('import.processing'),
        t('import.processedShare', { percent: Math.round(share * 100) }),
      ),
    );
    return false;
  };

  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (event) => {
        event.preventDefault();
        const file = fileInput.files[0];
        if (!file) return;
        stopPolling();
        submit.disabled = true;
        // Fields before the file: the server reads the multipart stream in order.
        const formData = new FormData();
        formData.append('defaultCountry', countryInput.value.trim().toUpperCase());
        formData.append('mode', modeSelect.value);
        for (const input of [phoneColumnInput, nameColumnInput]) {
          if (input.value.trim()) formData.append(input.name, input.value.trim());
        }
        formData.append('file', file);
        const bar = h('div');
        const label = h('p', {}, t('import.uploading', { name: file.name, percent: 0 }));
        replaceChildren(status, label, bar);
        try {
          const job = await uploadForm(`/api/lists/${listId}/imports`, formData, (share) => {
            const percent = Math.round(share * 100);
            label.textContent = t('import.uploading', { name: file.name, percent });
            replaceChildren(bar, simpleProgressBar(share, t('import.uploadProgress'), `${percent} %`));
          });
          stopPolling = poll(async () => {
            if (showJob(await api.get(`/api/imports/${job.id}`))) stopPolling();
          }, IMPORT_POLL_MS);
        } catch (error) {
          replaceChildren(status, errorBox(error));
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, t('import.title')),
    h('p', { class: 'muted' }, t('import.hint')),
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field grow' }, h('label', { for: 'import-file' }, t('import.file')), fileInput),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'import-country' }, t('import.defaultCountry')),
        countryInput,
      ),
      h('div', { class: 'field' }, h('label', { for: 'import-mode' }, t('import.mode')), modeSelect),
      submit,
    ),
    h(
      'details',
      {},
      h('summary', {}, t('import.columns')),
      h('p', { class: 'hint' }, t('import.columnsHint')),
      h(
        'div',
        { class: 'form-row' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'import-phone-column' }, t('import.phoneColumn')),
          phoneColumnInput,
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'import-name-column' }, t('import.nameColumn')),
          nameColumnInput,
        ),
      ),
    ),
    status,
  );
  return { element: form, stop: () => stopPolling() };
}

function importResult(job) {
  return h(
    'div',
    { class: 'import-result' },
    job.status === 'completed' && noticeBox(t('import.done'), 'success'),
    h(
      'dl',
      { class: 'stats' },
      RESULT_COUNTS.map((name) =>
        h(
          'div',
          { class: `stat stat-${name}` },
          h('dt', {}, t(`import.count.${name}`)),
          h('dd', {}, formatNumber(job[name] ?? 0)),
        ),
      ),
    ),
    job.invalid > 0 &&
      h(
        'a',
        { class: 'button', href: `/api/imports/${job.id}/rejected.csv`, download: `rejected-${job.id}.csv` },
        t('import.downloadRejected', { count: formatNumber(job.invalid) }),
      ),
  );
}

function contactsBrowser(listId) {
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
