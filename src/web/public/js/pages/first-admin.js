import { api } from '../api.js';
import { errorBox, noticeBox } from '../components/feedback.js';
import { passwordFields } from '../components/password-fields.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { displayName, isFirstStart } from '../session.js';

/**
 * The first start: signed in with the service key and nobody created yet. Creates the first admin
 * (POST /api/users), then signs in as that person, so from now on people use e-mail and password.
 */
export function renderFirstAdminPage(main, { navigate, onSignedIn }) {
  if (!isFirstStart()) return navigate('/people');
  document.title = t('firstStart.title');
  const name = h('input', { id: 'first-admin-name', required: true, maxlength: 200, autocomplete: 'name' });
  const email = h('input', {
    id: 'first-admin-email',
    type: 'email',
    required: true,
    maxlength: 254,
    autocomplete: 'username',
    spellcheck: 'false',
  });
  const password = passwordFields('first-admin-password');
  const errorSlot = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('firstStart.submit'));

  const form = h(
    'form',
    {
      class: 'card narrow-form',
      onsubmit: async (event) => {
        event.preventDefault();
        errorSlot.replaceChildren();
        const problem = password.problem();
        if (problem) return errorSlot.replaceChildren(errorBox(problem));
        submit.disabled = true;
        try {
          const credentials = { email: email.value.trim(), password: password.value() };
          await api.post('/api/users', { ...credentials, name: name.value.trim(), role: 'admin' });
          // The service key's session ends; the new admin's begins.
          await api.post('/auth/logout');
          const session = await api.post('/auth/login', credentials);
          onSignedIn(session, { toast: t('firstStart.done', { name: displayName(session.user.name) }) });
        } catch (error) {
          errorSlot.replaceChildren(errorBox(error));
        } finally {
          submit.disabled = false;
        }
      },
    },
    noticeBox(t('firstStart.explain')),
    h('div', { class: 'field' }, h('label', { for: name.id }, t('people.name')), name),
    h('div', { class: 'field' }, h('label', { for: email.id }, t('people.email')), email),
    password.element,
    errorSlot,
    h(
      'div',
      { class: 'form-actions' },
      h('a', { class: 'button ghost', href: '#/campaigns' }, t('firstStart.later')),
      submit,
    ),
  );
  main.append(h('div', { class: 'page-header' }, h('h1', {}, t('firstStart.title'))), form);
  name.focus();
}
