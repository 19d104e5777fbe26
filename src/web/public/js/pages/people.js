import { api } from '../api.js';
import { copyField } from '../components/copy-field.js';
import { errorBox, showToast, withBusyButton } from '../components/feedback.js';
import { MIN_PASSWORD_LENGTH } from '../components/password-fields.js';
import { h, replaceChildren } from '../dom.js';
import { formatDate, plural, roleName, t } from '../i18n.js';
import { currentSession, isFirstStart, ROLES } from '../session.js';

/** How long an invitation holds (INVITE_TTL_MS in src/auth/users.service.ts). */
const INVITE_DAYS = 7;

/**
 * People (admins only): who may sign in and with which role. Add a person with a password or an
 * invitation link (shown once), change a role, disable or enable, delete; each person's actions
 * are one click away in the audit log.
 */
export function renderPeoplePage(main, { refreshSession }) {
  document.title = t('people.title');
  const count = h('p', { class: 'muted' });
  const tableSlot = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  const tableError = h('div');

  const load = async () => {
    try {
      const people = await api.get('/api/users');
      count.textContent = plural('people.count', people.length);
      replaceChildren(
        tableSlot,
        people.length ? peopleTable(people, load, tableError) : h('p', { class: 'muted' }, t('people.empty')),
      );
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
    }
  };
  const onAdded = async () => {
    if (isFirstStart()) await refreshSession();
    await load();
  };

  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('people.title')), count),
    addPersonForm(onAdded),
    h(
      'div',
      { class: 'card' },
      h(
        'ul',
        { class: 'hint roles-hint' },
        ROLES.map((role) => h('li', {}, t(`role.${role}.hint`))),
      ),
      tableError,
      tableSlot,
    ),
  );
  void load();
}

function addPersonForm(onAdded) {
  const name = h('input', { id: 'person-name', required: true, maxlength: 200, autocomplete: 'off' });
  const email = h('input', {
    id: 'person-email',
    type: 'email',
    required: true,
    maxlength: 254,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const role = h(
    'select',
    { id: 'person-role' },
    ROLES.map((value) => h('option', { value, selected: value === 'manager' }, roleName(value))),
  );
  const withPassword = h('input', { type: 'radio', name: 'person-access', value: 'password', checked: true });
  const withInvite = h('input', { type: 'radio', name: 'person-access', value: 'invite' });
  const password = h('input', {
    id: 'person-password',
    type: 'password',
    autocomplete: 'new-password',
    'aria-describedby': 'person-password-hint',
  });
  const passwordField = h(
    'div',
    { class: 'field grow' },
    h('label', { for: password.id }, t('people.password')),
    password,
    h(
      'p',
      { class: 'hint', id: 'person-password-hint' },
      t('people.passwordHint', { min: MIN_PASSWORD_LENGTH }),
    ),
  );
  const result = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('people.add'));
  const showAccess = () => {
    passwordField.hidden = withInvite.checked;
    password.required = withPassword.checked;
  };
  [withPassword, withInvite].forEach((radio) => radio.addEventListener('change', showAccess));
  showAccess();

  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'add-person-heading',
      onsubmit: async (event) => {
        event.preventDefault();
        result.replaceChildren();
        if (withPassword.checked && password.value.length < MIN_PASSWORD_LENGTH)
          return result.replaceChildren(errorBox(t('password.tooShort', { min: MIN_PASSWORD_LENGTH })));
        const created = await withBusyButton(submit, result, () =>
          api.post('/api/users', {
            name: name.value.trim(),
            email: email.value.trim(),
            role: role.value,
            ...(withPassword.checked ? { password: password.value } : {}),
          }),
        );
        if (!created) return;
        // The access choice stays: several invitations in a row are common.
        for (const input of [name, email, password]) input.value = '';
        if (created.inviteToken) result.replaceChildren(invitation(created));
        else showToast(t('people.added', { name: created.name }));
        await onAdded();
      },
    },
    h('h2', { id: 'add-person-heading' }, t('people.addTitle')),
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field grow' }, h('label', { for: name.id }, t('people.name')), name),
      h('div', { class: 'field grow' }, h('label', { for: email.id }, t('people.email')), email),
      h('div', { class: 'field' }, h('label', { for: role.id }, t('people.role')), role),
    ),
    h(
      'fieldset',
      { class: 'plain' },
      h('legend', {}, t('people.access')),
      h(
        'div',
        { class: 'radio-row' },
        h('label', {}, withPassword, t('people.access.password')),
        h('label', {}, withInvite, t('people.access.invite')),
      ),
    ),
    h('div', { class: 'form-row' }, passwordField, submit),
    result,
  );
}

/** The invitation link, shown once: the token is stored hashed and cannot be shown again. */
function invitation(person) {
  const link = `${location.origin}${location.pathname}#/accept?token=${encodeURIComponent(person.inviteToken)}`;
  return h(
    'div',
    { class: 'alert alert-warning secret', role: 'status' },
    h('p', {}, t('people.inviteCreated', { name: person.name, email: person.email })),
    h('p', {}, t('people.inviteOnce', { days: plural('common.days', INVITE_DAYS) })),
    copyField('invite-link', t('people.inviteLink'), link),
  );
}

function peopleTable(people, reload, errorSlot) {
  const me = currentSession()?.user?.id;
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['name', 'email', 'role', 'state', 'createdAt'].map((column) =>
          h('th', { scope: 'col' }, t(`people.${column}`)),
        ),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('common.actions'))),
      ),
    ),
    h(
      'tbody',
      {},
      people.map((person) => {
        const isMe = person.id === me;
        return h(
          'tr',
          { 'data-person-id': person.id },
          h(
            'th',
            { scope: 'row' },
            person.name,
            isMe && h('span', { class: 'muted' }, ` (${t('people.you')})`),
            h(
              'a',
              {
                class: 'person-activity',
                href: `#/audit?actorId=${person.id}`,
                'aria-label': t('people.activityOf', { name: person.name }),
              },
              t('people.activity'),
            ),
          ),
          h('td', {}, person.email),
          h('td', {}, isMe ? roleName(person.role) : roleSelect(person, reload, errorSlot)),
          h('td', {}, stateBadge(person)),
          h('td', {}, formatDate(person.createdAt)),
          h(
            'td',
            { class: 'actions' },
            !isMe && [disableButton(person, reload, errorSlot), deleteButton(person, reload, errorSlot)],
          ),
        );
      }),
    ),
  );
}

function stateBadge(person) {
  const state = person.disabled ? 'disabled' : person.hasPassword ? 'active' : 'invited';
  return h('span', { class: `badge badge-person-${state}` }, t(`people.state.${state}`));
}

/** A role change applies at once (the person's sessions end); on a refusal the select goes back. */
function roleSelect(person, reload, errorSlot) {
  const select = h(
    'select',
    {
      'aria-label': t('people.roleOf', { name: person.name }),
      onchange: async () => {
        errorSlot.replaceChildren();
        select.disabled = true;
        try {
          await api.patch(`/api/users/${person.id}`, { role: select.value });
          showToast(t('people.roleChanged', { name: person.name, role: roleName(select.value) }));
          await reload();
        } catch (error) {
          select.value = person.role;
          errorSlot.replaceChildren(errorBox(error));
        } finally {
          select.disabled = false;
        }
      },
    },
    ROLES.map((value) => h('option', { value, selected: value === person.role }, roleName(value))),
  );
  return select;
}

function disableButton(person, reload, errorSlot) {
  const disable = !person.disabled;
  const button = h(
    'button',
    {
      type: 'button',
      class: disable ? 'ghost danger' : 'ghost',
      'aria-label': t(disable ? 'people.disableNamed' : 'people.enableNamed', { name: person.name }),
      onclick: async () => {
        if (disable && !window.confirm(t('people.confirmDisable', { name: person.name }))) return;
        const done = await withBusyButton(button, errorSlot, () =>
          api.patch(`/api/users/${person.id}`, { disabled: disable }).then(() => true),
        );
        if (done) {
          showToast(t(disable ? 'people.disabled' : 'people.enabled', { name: person.name }));
          await reload();
        }
      },
    },
    t(disable ? 'people.disable' : 'people.enable'),
  );
  return button;
}

function deleteButton(person, reload, errorSlot) {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'ghost danger',
      'aria-label': t('people.deleteNamed', { name: person.name }),
      onclick: async () => {
        if (!window.confirm(t('people.confirmDelete', { name: person.name }))) return;
        const done = await withBusyButton(button, errorSlot, () =>
          api.delete(`/api/users/${person.id}`).then(() => true),
        );
        if (done) {
          showToast(t('people.deleted', { name: person.name }));
          await reload();
        }
      },
    },
    t('common.delete'),
  );
  return button;
}
