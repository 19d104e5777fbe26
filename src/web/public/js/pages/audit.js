import { api, query } from '../api.js';
import { errorBox } from '../components/feedback.js';
import { h, replaceChildren } from '../dom.js';
import { formatDateTime, formatNumber, hasText, plural, roleName, t } from '../i18n.js';
import { currentSession, hasRole } from '../session.js';

const PAGE_SIZE = 50;

/**
 * The audit log, newest first: when (local time), who, what, on which object. `#/audit?actorId=…`
 * shows one person's actions (directly or with their tokens); admins pick the person from a list,
 * others can narrow it to their own. Paged, 50 at a time.
 */
export function renderAuditPage(main, { query: search, navigate }) {
  document.title = t('audit.title');
  const actorId = search.get('actorId') ?? '';
  const total = h('p', { class: 'muted' });
  const tableSlot = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('common.loading')));
  const pager = h('div', { class: 'pager' });
  const filter = personFilter(actorId, (next) => navigate(next ? `/audit?actorId=${next}` : '/audit'));
  const names = currentNames();
  let offset = 0;

  const load = async () => {
    try {
      const page = await api.get(`/api/audit${query({ actorId, limit: PAGE_SIZE, offset })}`);
      total.textContent = plural('audit.count', page.total);
      replaceChildren(
        tableSlot,
        page.items.length
          ? eventsTable(page.items, await names)
          : h('p', { class: 'muted' }, t('audit.empty')),
      );
      renderPager(page.total, page.items.length);
    } catch (error) {
      replaceChildren(tableSlot, errorBox(error));
    }
  };

  const renderPager = (count, shown) => {
    const go = (next) => {
      offset = next;
      void load();
    };
    replaceChildren(
      pager,
      h(
        'span',
        {},
        count === 0
          ? ''
          : t('contacts.range', {
              from: formatNumber(offset + 1),
              to: formatNumber(offset + shown),
              total: formatNumber(count),
            }),
      ),
      h(
        'button',
        { type: 'button', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE_SIZE)) },
        `← ${t('contacts.previous')}`,
      ),
      h(
        'button',
        { type: 'button', disabled: offset + shown >= count, onclick: () => go(offset + PAGE_SIZE) },
        `${t('contacts.next')} →`,
      ),
    );
  };

  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('audit.title')), total),
    h('div', { class: 'card' }, h('div', { class: 'section-header' }, filter), tableSlot, pager),
  );
  void load();
}

/**
 * "Who": everyone, or one person. Admins choose among all people (GET /api/users); anyone else
 * among everyone and themselves. A person from the URL who is not in the list still shows.
 */
function personFilter(actorId, onChange) {
  const me = currentSession()?.user;
  const select = h('select', { id: 'audit-actor', onchange: () => onChange(select.value) });
  const fill = (people) => {
    const options = [{ value: '', label: t('audit.everyone') }, ...people];
    if (actorId && !options.some((option) => option.value === actorId))
      options.push({ value: actorId, label: t('audit.onePerson') });
    replaceChildren(
      select,
      options.map(({ value, label }) => h('option', { value, selected: value === actorId }, label)),
    );
  };
  fill(me ? [{ value: me.id, label: t('audit.onlyMine') }] : []);
  if (hasRole('admin'))
    api.get('/api/users').then(
      (people) =>
        fill(people.map((person) => ({ value: person.id, label: `${person.name} <${person.email}>` }))),
      () => undefined,
    );
  return h('div', { class: 'field inline-field' }, h('label', { for: select.id }, t('audit.who')), select);
}

/**
 * Names by entity type and id, so events that carry only an id still read well: campaigns and
 * lists as they are now, and for admins the people.
 */
async function currentNames() {
  const [campaigns, lists, people] = await Promise.all([
    api.get('/api/campaigns?limit=500').then(
      (page) => page.items,
      () => [],
    ),
    api.get('/api/lists').catch(() => []),
    hasRole('admin') ? api.get('/api/users').catch(() => []) : [],
  ]);
  return {
    campaign: new Map(campaigns.map((campaign) => [campaign.id, campaign.name])),
    list: new Map(lists.map((list) => [String(list.id), list.name])),
    user: new Map(people.map((person) => [person.id, `${person.name} <${person.email}>`])),
    token: new Map(),
  };
}

/** Adds what the page's own events named (a token's name when created, a person's e-mail). */
function withNamesFrom(events, names) {
  const all = Object.fromEntries(Object.entries(names).map(([type, known]) => [type, new Map(known)]));
  for (const { entityType, entityId, details } of events) {
    const name = entityType === 'user' ? details?.email : details?.name;
    if (entityId && name && all[entityType] && !all[entityType].has(entityId))
      all[entityType].set(entityId, name);
  }
  return all;
}

function eventsTable(events, knownNames) {
  const names = withNamesFrom(events, knownNames);
  return h(
    'table',
    { class: 'audit-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['at', 'who', 'what', 'object'].map((column) => h('th', { scope: 'col' }, t(`audit.${column}`))),
      ),
    ),
    h(
      'tbody',
      {},
      events.map((event) =>
        h(
          'tr',
          {},
          h(
            'td',
            { class: 'nowrap' },
            h('time', { datetime: event.at }, formatDateTime(event.at, { seconds: true })),
          ),
          h('td', {}, actorText(event)),
          h('td', { title: event.action }, actionText(event.action), changeSummary(event)),
          h('td', {}, objectOf(event, names)),
        ),
      ),
    ),
  );
}

/** The person or token by name; the service key, the command line and the service itself by kind. */
function actorText(event) {
  if (event.actor === 'token') {
    const match = /^token «(.+)» of (.+)$/.exec(event.actorName ?? '');
    if (match) return t('audit.actor.tokenOf', { name: match[1], owner: match[2] });
  }
  if (event.actor === 'user' && event.actorName) return event.actorName;
  return hasText(`audit.actor.${event.actor}`) ? t(`audit.actor.${event.actor}`) : (event.actorName ?? '—');
}

/** What a change to a person changed: the new role, access back on, a new name. */
function changeSummary(event) {
  const changes = event.action === 'user.updated' ? event.details?.changes : undefined;
  if (!changes) return undefined;
  const parts = [
    changes.role && t('audit.change.role', { role: roleName(changes.role) }),
    changes.disabled === false && t('audit.change.enabled'),
    changes.name && t('audit.change.name', { name: changes.name }),
  ].filter(Boolean);
  return parts.length ? h('span', { class: 'muted' }, ` · ${parts.join(', ')}`) : undefined;
}

function actionText(action) {
  return hasText(`audit.action.${action}`) ? t(`audit.action.${action}`) : action;
}

/** The object, linked where the dashboard has a page for it, by name where one is known. */
function objectOf(event, names) {
  const { entityType: type, entityId: id, details = {} } = event;
  const kind = hasText(`audit.entity.${type}`) ? t(`audit.entity.${type}`) : type;
  if (id === null) return kind;
  const name = names[type]?.get(id) ?? details.name;
  const named = () => (name ? t('audit.quoted', { name }) : shortId(id));
  if (type === 'campaign') return [kind, ' ', h('a', { href: `#/campaigns/${id}` }, named())];
  if (type === 'list') return [kind, ' ', h('a', { href: `#/lists/${id}` }, named())];
  if (type === 'import' && details.listId)
    return [kind, ' ', h('a', { href: `#/lists/${details.listId}` }, details.fileName ?? shortId(id))];
  if (type === 'user') return [kind, ' ', name ?? shortId(id)];
  if (type === 'phone') return [kind, ' ', h('span', { class: 'mono' }, `+${id}`)];
  return [kind, ' ', named()];
}

/** A UUID's first part (the whole one on hover); other ids as they are. */
function shortId(id) {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id)
    ? h('span', { class: 'mono', title: id }, id.slice(0, 8))
    : `#${id}`;
}
