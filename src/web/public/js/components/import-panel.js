import { api, uploadForm } from '../api.js';
import { errorBox, noticeBox } from './feedback.js';
import { simpleProgressBar } from './progress.js';
import { statsGrid } from './stats.js';
import { h, poll, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

const IMPORT_POLL_MS = 1000;
const RESULT_COUNTS = ['rows', 'imported', 'updated', 'duplicates', 'invalid'];

/** CSV upload with a real progress bar, then the import job polled until it accounts for every row. */
export function importPanel(listId, onImported) {
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
        errorBox(t('import.failed', { error: job.error })),
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
    statsGrid(
      RESULT_COUNTS.map((name) => ({
        label: t(`import.count.${name}`),
        value: formatNumber(job[name]),
        name,
      })),
    ),
    job.invalid > 0 &&
      h(
        'a',
        { class: 'button', href: `/api/imports/${job.id}/rejected.csv`, download: `rejected-${job.id}.csv` },
        t('import.downloadRejected', { count: formatNumber(job.invalid) }),
      ),
  );
}
