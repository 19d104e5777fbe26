import { api } from '../api.js';
import { errorBox } from '../components/feedback.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * A person signs in with e-mail and password; the service key (API_KEY, or the key printed at the
 * first start) stays as a second way in — the only one before the first admin exists. Either is
 * traded for an HttpOnly session cookie (POST /auth/login).
 */
export function renderSignInPage(main, { onSignedIn }) {
  document.title = t('signIn.title');
  const email = h('input', {
    id: 'sign-in-email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'sign-in-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const apiKey = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });

  const personForm = signInForm({
    submitText: t('signIn.submit'),
    wrongText: t('signIn.wrongPassword'),
    body: () => ({ email: email.value.trim(), password: password.value }),
    onRefused: () => password.select(),
    onSignedIn,
    fields: [
      h('label', { for: 'sign-in-email' }, t('signIn.email')),
      email,
      h('label', { for: 'sign-in-password' }, t('signIn.password')),
      password,
    ],
  });
  const keyForm = signInForm({
    submitText: t('signIn.submitKey'),
    wrongText: t('signIn.wrongKey'),
    body: () => ({ apiKey: apiKey.value.trim() }),
    onRefused: () => apiKey.select(),
    onSignedIn,
    fields: [
      h('label', { for: 'api-key' }, t('signIn.apiKey')),
      apiKey,
      h('p', { class: 'hint key-hint' }, t('signIn.keyHint')),
    ],
  });
  const withKey = h('details', { class: 'sign-in-key' }, h('summary', {}, t('signIn.withKey')), keyForm);
  withKey.addEventListener('toggle', () => {
    if (withKey.open) apiKey.focus();
  });

  main.append(
    h(
      'section',
      { class: 'card sign-in', 'aria-labelledby': 'sign-in-heading' },
      h('h1', { id: 'sign-in-heading' }, t('signIn.title')),
      h('p', { class: 'muted' }, t('signIn.hint')),
      personForm,
      withKey,
    ),
  );
  email.focus();
}

function signInForm({ submitText, wrongText, body, onRefused, onSignedIn, fields }) {
  const errorSlot = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, submitText);
  return h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        errorSlot.replaceChildren();
        try {
          onSignedIn(await api.post('/auth/login', body()));
        } catch (error) {
          errorSlot.replaceChildren(errorBox(error.code === 'invalid_credentials' ? wrongText : error));
          onRefused();
        } finally {
          submit.disabled = false;
        }
      },
    },
    fields,
    errorSlot,
    submit,
  );
}
