import { api, onUnauthorized } from './api.js';
import { hideToast, noticeBox, showToast } from './components/feedback.js';
import { h, replaceChildren } from './dom.js';
import { currentLanguage, LANGUAGES, roleName, setLanguage, t } from './i18n.js';
import { renderAcceptPage } from './pages/accept.js';
import { renderAuditPage } from './pages/audit.js';
import { renderCampaignPage } from './pages/campaign.js';
import { renderCampaignsPage } from './pages/campaigns.js';
import { renderFirstAdminPage } from './pages/first-admin.js';
import { renderListPage } from './pages/list.js';
import { renderListsPage } from './pages/lists.js';
import { renderNewCampaignPage } from './pages/new-campaign.js';
import { renderPeoplePage } from './pages/people.js';
import { renderQuotaPage } from './pages/quota.js';
import { renderSignInPage } from './pages/sign-in.js';
import { renderTokensPage } from './pages/tokens.js';
import { currentSession, displayName, hasRole, isFirstStart, isSignedIn, setSession } from './session.js';

/**
 * Hash routes: the server serves one page, so links and reloads work without server routing.
 * `access`: 'signed-out' (the sign-in page), 'anyone' (accepting an invitation), otherwise signed
 * in with at least `role` (viewer when absent).
 */
const ROUTES = [
  { path: /^\/sign-in$/, render: renderSignInPage, access: 'signed-out' },
  { path: /^\/accept$/, render: renderAcceptPage, access: 'anyone' },
  { path: /^\/first-admin$/, render: renderFirstAdminPage, role: 'admin' },
  { path: /^\/lists$/, render: renderListsPage, section: 'lists' },
  { path: /^\/lists\/([^/]+)$/, render: renderListPage, section: 'lists' },
  { path: /^\/campaigns$/, render: renderCampaignsPage, section: 'campaigns' },
  { path: /^\/campaigns\/new$/, render: renderNewCampaignPage, section: 'campaigns', role: 'manager' },
  { path: /^\/campaigns\/([^/]+)$/, render: renderCampaignPage, section: 'campaigns' },
  { path: /^\/quota$/, render: renderQuotaPage, section: 'quota' },
  { path: /^\/people$/, render: renderPeoplePage, section: 'people', role: 'admin' },
  { path: /^\/tokens$/, render: renderTokensPage, section: 'tokens' },
  { path: /^\/audit$/, render: renderAuditPage, section: 'audit' },
];
const HOME = '/campaigns';
/** The top bar's sections; People only for admins. */
const SECTIONS = [
  { name: 'campaigns' },
  { name: 'lists' },
  { name: 'quota' },
  { name: 'people', role: 'admin' },
  { name: 'tokens' },
  { name: 'audit' },
];

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let leaveCurrentPage = () => {};
let pendingToast;

/** Goes to `path` (it may carry a query: `/audit?actorId=…`); `toast` is shown once the page is there. */
function navigate(path, { toast } = {}) {
  pendingToast = toast;
  if (location.hash === `#${path}`) renderRoute();
  else location.hash = path;
}

/** `#/audit?actorId=…` → the path and its query (URLSearchParams). */
function currentLocation() {
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  return { path: decodeURIComponent(path) || HOME, query: new URLSearchParams(search) };
}

function renderRoute() {
  leaveCurrentPage();
  leaveCurrentPage = () => {};
  const { path, query } = currentLocation();
  const route = ROUTES.find((candidate) => candidate.path.test(path));
  if (!route) return navigate(HOME);
  if (route.access === 'signed-out' && isSignedIn()) return navigate(HOME);
  if (route.access === undefined && !isSignedIn()) return navigate('/sign-in');
  renderTopbar(route.section);
  hideToast();
  if (pendingToast) showToast(pendingToast);
  pendingToast = undefined;
  main.replaceChildren();
  if (isFirstStart() && route.render !== renderFirstAdminPage) main.append(firstStartBanner());
  if (route.role && !hasRole(route.role)) {
    renderNotAllowed(route.role);
  } else {
    const params = route.path.exec(path).slice(1);
    leaveCurrentPage =
      route.render(main, { params, query, navigate, onSignedIn, refreshSession }) ?? (() => {});
  }
  main.focus({ preventScroll: true });
}

/** After a sign-in: the first start goes straight to creating the first admin. */
function onSignedIn(session, { toast } = {}) {
  setSession(session);
  navigate(isFirstStart() ? '/first-admin' : HOME, { toast });
}

/** Reads the session again (e.g. once the first person exists) and redraws the top bar. */
async function refreshSession() {
  setSession(await api.get('/auth/session').catch(() => undefined));
  if (!isFirstStart()) main.querySelector('.first-start')?.remove();
}

async function signOut() {
  await api.post('/auth/logout').catch(() => undefined);
  setSession(undefined);
  navigate('/sign-in');
}

function firstStartBanner() {
  return h(
    'section',
    { class: 'alert alert-info first-start', 'aria-labelledby': 'first-start-heading' },
    h('h2', { id: 'first-start-heading' }, t('firstStart.bannerTitle')),
    h('p', {}, t('firstStart.bannerText')),
    h('a', { class: 'button primary', href: '#/first-admin' }, t('firstStart.create')),
  );
}

function renderNotAllowed(required) {
  document.title = t('notAllowed.title');
  main.append(
    h('div', { class: 'page-header' }, h('h1', {}, t('notAllowed.title'))),
    noticeBox(
      t('notAllowed.text', { required: roleName(required), role: roleName(currentSession().role) }),
      'warning',
    ),
    h('a', { href: `#${HOME}` }, `← ${t('campaigns.title')}`),
  );
}

function renderTopbar(activeSection) {
  document.querySelector('.skip-link').textContent = t('nav.skip');
  const otherLanguage = LANGUAGES.find((language) => language !== currentLanguage());
  const session = currentSession();
  replaceChildren(
    topbar,
    h(
      'a',
      { class: 'brand', href: `#${HOME}` },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✉'),
      h('span', { class: 'brand-name' }, t('app.title')),
    ),
    session &&
      h(
        'nav',
        { 'aria-label': t('nav.label') },
        SECTIONS.filter((section) => !section.role || hasRole(section.role)).map(({ name }) =>
          h(
            'a',
            { href: `#/${name}`, 'aria-current': name === activeSection ? 'page' : undefined },
            t(`nav.${name}`),
          ),
        ),
      ),
    h(
      'div',
      { class: 'topbar-tools' },
      session && whoIsSignedIn(session),
      h(
        'button',
        {
          type: 'button',
          class: 'ghost',
          lang: otherLanguage,
          'aria-label': t('language.switch'),
          onclick: () => {
            setLanguage(otherLanguage);
            renderRoute();
          },
        },
        t(`language.${otherLanguage}`),
      ),
      session && h('button', { type: 'button', class: 'ghost', onclick: signOut }, t('nav.signOut')),
    ),
  );
}

/** "Anna Petrova · Manager" (or the service key), linking to one's own tokens. */
function whoIsSignedIn(session) {
  return h(
    'a',
    {
      class: 'who',
      href: '#/tokens',
      title: `${session.user?.name ?? t('who.serviceKey')} · ${t('who.tokens')}`,
    },
    h('span', { class: 'visually-hidden' }, t('who.signedInAs')),
    h('span', { class: 'who-name' }, session.user ? displayName(session.user.name) : t('who.serviceKey')),
    h('span', { class: `badge role-badge role-${session.role}` }, roleName(session.role)),
  );
}

async function start() {
  onUnauthorized(() => {
    if (!isSignedIn()) return;
    setSession(undefined);
    navigate('/sign-in');
  });
  await refreshSession();
  window.addEventListener('hashchange', renderRoute);
  renderRoute();
}

void start();
