import { api } from '../api.js';
import { errorBox } from '../components/feedback.js';
import { passwordFields } from '../components/password-fields.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { isSignedIn } from '../session.js';

/**
 * `#/accept?token=…`, the link an admin hands to an invited person: they choose a password
 * (POST /auth/accept) and are signed in with it. Open to anyone: the token is the credential.
 */
export function renderAcceptPage(main, { query, onSignedIn }) {
  document.title = t('accept.title');
  const token = query.get('token') ?? '';
  const password = passwordFields('accept-password');
  const errorSlot = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('accept.submit'));
  const form = h(
    'form',
    {
      class: 'card sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        errorSlot.replaceChildren();
        const problem = password.problem();
        if (problem) return errorSlot.replaceChildren(errorBox(problem));
        submit.disabled = true;
        try {
          const person = await api.post('/auth/accept', { token, password: password.value() });
          // Whoever was signed in on this browser steps aside for the person who just joined.
          if (isSignedIn()) await api.post('/auth/logout');
          const session = await api.post('/auth/login', { email: person.email, password: password.value() });
          onSignedIn(session, { toast: t('accept.done', { name: person.name }) });
        } catch (error) {
          errorSlot.replaceChildren(errorBox(error));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', {}, t('accept.title')),
    h('p', { class: 'muted' }, t('accept.hint')),
    token ? [password.element, errorSlot, submit] : errorBox(t('accept.noToken')),
  );
  main.append(form);
  if (token) password.focus();
}
