import { showToast } from './feedback.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** A read-only field with a Copy button, for a secret shown once: a personal token, an invitation link. */
export function copyField(id, label, value) {
  const input = h('input', {
    id,
    class: 'mono',
    readonly: true,
    value,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  input.addEventListener('focus', () => input.select());
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        if (await copyText(input)) showToast(t('copy.done'));
      },
    },
    t('copy.button'),
  );
  return h(
    'div',
    { class: 'field copy-field' },
    h('label', { for: id }, label),
    h('div', { class: 'copy-row' }, input, button),
  );
}

/** The clipboard API needs a secure context (https or localhost); elsewhere the old way still works. */
async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    return document.execCommand('copy');
  }
}
