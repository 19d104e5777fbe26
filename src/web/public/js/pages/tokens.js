import { api } from '../api.js';
import { copyField } from '../components/copy-field.js';
import { errorBox, noticeBox, showToast, withBusyButton } from '../components/feedback.js';
import { h, replaceChildren } from '../dom.js';
import { formatDateTime, plural, roleName, t } from '../i18n.js';
import { currentSession, hasRole, rolesUpToMine } from '../session.js';

/**
 * Personal API tokens for scripts: one's own (an admin sees everyone's, with the owner). A new
 * token is shown once, with a Copy button; its role is at most one's own. Revoking asks first.
 */
export function renderTokensPage(main) {
  document.title = t('tokens.title');
  const session = currentSession();
  const isAdmin = hasRole('admin');
  const count = h('p', { class: 'muted' });
  const tableSlot = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  const tableError = h('div');

  const load = async () => {
    try {
      const [tokens, owners] = await Promise.all([
        api.get('/api/tokens'),
        isAdmin ? ownerNames() : undefined,
      ]);
      count.textContent = plural('tokens.count', tokens.length);
      replaceChildren(
        tableSlot,
        tokens.length
          ? tokensTable(tokens, owners, load, tableError)
          : h('p', { class: 'muted' }, t('tokens.empty')),
      );
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
    }
  };

  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('tokens.title')), count),
    h('p', { class: 'lead' }, t('tokens.intro')),
    // Tokens belong to a person: the service key can look and revoke, not create.
    session.user ? createTokenForm(load) : noticeBox(t('tokens.needPerson'), 'info'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'tokens-heading' },
      h('h2', { id: 'tokens-heading' }, t(isAdmin ? 'tokens.allTitle' : 'tokens.mineTitle')),
      tableError,
      tableSlot,
    ),
  );
  void load();
}

/** id → "Name <e-mail>", for an admin's view of everyone's tokens. */
async function ownerNames() {
  const people = await api.get('/api/users').catch(() => []);
  return new Map(people.map((person) => [person.id, `${person.name} <${person.email}>`]));
}

function createTokenForm(onCreated) {
  const roles = rolesUpToMine();
  const name = h('input', {
    id: 'token-name',
    required: true,
    maxlength: 200,
    autocomplete: 'off',
    placeholder: t('tokens.namePlaceholder'),
  });
  const role = h(
    'select',
    { id: 'token-role' },
    roles.map((value) => h('option', { value, selected: value === roles.at(-1) }, roleName(value))),
  );
  const result = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('tokens.create'));
  return h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'new-token-heading',
      onsubmit: async (event) => {
        event.preventDefault();
        const created = await withBusyButton(submit, result, () =>
          api.post('/api/tokens', { name: name.value.trim(), role: role.value }),
        );
        if (!created) return;
        name.value = '';
        result.replaceChildren(
          h(
            'div',
            { class: 'alert alert-warning secret', role: 'status' },
            h('p', {}, h('strong', {}, t('tokens.createdOnce'))),
            copyField('new-token', t('tokens.newToken', { name: created.name }), created.token),
            h('p', { class: 'hint' }, t('tokens.usage')),
          ),
        );
        await onCreated();
      },
    },
    h('h2', { id: 'new-token-heading' }, t('tokens.newTitle')),
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field grow' }, h('label', { for: name.id }, t('tokens.nameLabel')), name),
      h('div', { class: 'field' }, h('label', { for: role.id }, t('tokens.role')), role),
      submit,
    ),
    h('p', { class: 'hint' }, t('tokens.roleHint')),
    result,
  );
}

function tokensTable(tokens, owners, reload, errorSlot) {
  const columns = ['name', 'role', owners && 'owner', 'createdAt', 'lastUsedAt'].filter(Boolean);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((column) => h('th', { scope: 'col' }, t(`tokens.${column}`))),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('common.actions'))),
      ),
    ),
    h(
      'tbody',
      {},
      tokens.map((token) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, token.name),
          h('td', {}, roleName(token.role)),
          owners && h('td', {}, owners.get(token.userId) ?? token.userId),
          h('td', { class: 'nowrap' }, formatDateTime(token.createdAt)),
          h('td', {}, token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t('tokens.neverUsed')),
          h('td', { class: 'actions' }, revokeButton(token, reload, errorSlot)),
        ),
      ),
    ),
  );
}

function revokeButton(token, reload, errorSlot) {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'ghost danger',
      'aria-label': t('tokens.revokeNamed', { name: token.name }),
      onclick: async () => {
        if (!window.confirm(t('tokens.confirmRevoke', { name: token.name }))) return;
        const done = await withBusyButton(button, errorSlot, () =>
          api.delete(`/api/tokens/${token.id}`).then(() => true),
        );
        if (done) {
          showToast(t('tokens.revoked', { name: token.name }));
          await reload();
        }
      },
    },
    t('tokens.revoke'),
  );
  return button;
}
