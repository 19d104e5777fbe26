import { api, onUnauthorized } from './api.js';
import { hideToast } from './components/feedback.js';
import { h, replaceChildren } from './dom.js';
import { currentLanguage, LANGUAGES, setLanguage, t } from './i18n.js';
import { renderCampaignPage } from './pages/campaign.js';
import { renderCampaignsPage } from './pages/campaigns.js';
import { renderListPage } from './pages/list.js';
import { renderListsPage } from './pages/lists.js';
import { renderNewCampaignPage } from './pages/new-campaign.js';
import { renderQuotaPage } from './pages/quota.js';
import { renderSignInPage } from './pages/sign-in.js';

/** Hash routes: the server serves one page, so links and reloads work without server routing. */
const ROUTES = [
  { path: /^\/sign-in$/, render: renderSignInPage, isPublic: true },
  { path: /^\/lists$/, render: renderListsPage, section: 'lists' },
  { path: /^\/lists\/([^/]+)$/, render: renderListPage, section: 'lists' },
  { path: /^\/campaigns$/, render: renderCampaignsPage, section: 'campaigns' },
  { path: /^\/campaigns\/new$/, render: renderNewCampaignPage, section: 'campaigns' },
  { path: /^\/campaigns\/([^/]+)$/, render: renderCampaignPage, section: 'campaigns' },
  { path: /^\/quota$/, render: renderQuotaPage, section: 'quota' },
];
const HOME = '/campaigns';
const SECTIONS = ['campaigns', 'lists', 'quota'];

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let signedIn = false;
let leaveCurrentPage = () => {};

function navigate(path) {
  if (location.hash === `#${path}`) renderRoute();
  else location.hash = path;
}

function currentPath() {
  return decodeURIComponent(location.hash.replace(/^#/, '')) || HOME;
}

function renderRoute() {
  leaveCurrentPage();
  leaveCurrentPage = () => {};
  const path = currentPath();
  const route = ROUTES.find((candidate) => candidate.path.test(path));
  if (!route) return navigate(HOME);
  if (!route.isPublic && !signedIn) return navigate('/sign-in');
  if (route.isPublic && signedIn) return navigate(HOME);
  renderTopbar(route.section);
  hideToast();
  main.replaceChildren();
  const params = route.path.exec(path).slice(1);
  leaveCurrentPage = route.render(main, { params, navigate, onSignedIn }) ?? (() => {});
  main.focus({ preventScroll: true });
}

function onSignedIn() {
  signedIn = true;
  navigate(HOME);
}

async function signOut() {
  await api.post('/auth/logout').catch(() => undefined);
  signedIn = false;
  navigate('/sign-in');
}

function renderTopbar(activeSection) {
  document.querySelector('.skip-link').textContent = t('nav.skip');
  const otherLanguage = LANGUAGES.find((language) => language !== currentLanguage());
  replaceChildren(
    topbar,
    h(
      'a',
      { class: 'brand', href: `#${HOME}` },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✉'),
      t('app.title'),
    ),
    signedIn &&
      h(
        'nav',
        { 'aria-label': t('nav.label') },
        SECTIONS.map((section) =>
          h(
            'a',
            { href: `#/${section}`, 'aria-current': section === activeSection ? 'page' : undefined },
            t(`nav.${section}`),
          ),
        ),
      ),
    h(
      'div',
      { class: 'topbar-tools' },
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
      signedIn && h('button', { type: 'button', class: 'ghost', onclick: signOut }, t('nav.signOut')),
    ),
  );
}

async function start() {
  onUnauthorized(() => {
    if (!signedIn) return;
    signedIn = false;
    navigate('/sign-in');
  });
  signedIn = await api.get('/auth/session').then(
    () => true,
    () => false,
  );
  window.addEventListener('hashchange', renderRoute);
  renderRoute();
}

void start();
