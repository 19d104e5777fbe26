import { api } from '../api.js';
import { errorBox } from '../components/feedback.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** Trades the API key for an HttpOnly session cookie (POST /auth/login). */
export function renderSignInPage(main, { onSignedIn }) {
  document.title = t('signIn.title');
  const keyInput = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
  });
  const errorSlot = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('signIn.submit'));
  const form = h(
    'form',
    {
      class: 'card sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        errorSlot.replaceChildren();
        try {
          await api.post('/auth/login', { apiKey: keyInput.value.trim() });
          onSignedIn();
        } catch (error) {
          errorSlot.replaceChildren(errorBox(error));
          keyInput.select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', {}, t('signIn.title')),
    h('p', { class: 'muted' }, t('signIn.hint')),
    h('label', { for: 'api-key' }, t('signIn.apiKey')),
    keyInput,
    errorSlot,
    submit,
  );
  main.append(form);
  keyInput.focus();
}
