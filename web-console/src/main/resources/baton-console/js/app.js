// Entry point: finds the session (GET /api/v1/session), wires the nav and logout, and routes #/... to the pages.
import * as api from './api.js';
import {createRouter} from './router.js';
import {goToLogin, rememberReturn, setLoginNotice, updateShell} from './shell.js';
import {errorBox, h, heading} from './dom.js';
import * as login from './login.js';
import * as overview from './overview.js';
import * as evacuate from './evacuate.js';
import * as live from './live.js';
import * as history from './history.js';
import * as report from './report.js';
import * as runbooks from './runbooks.js';
import * as audit from './audit.js';

// name: which nav link is current on the page.
const routes = [
  {name: 'login', pattern: /^\/login$/, mount: login.mount, public: true},
  {name: 'overview', pattern: /^\/(?:overview)?$/, mount: overview.mount},
  {name: 'evacuate', pattern: /^\/evacuate$/, mount: evacuate.mount},
  {name: 'live', pattern: /^\/live(?:\/([^/]+))?$/, mount: live.mount},
  {name: 'history', pattern: /^\/history$/, mount: history.mount},
  {name: 'history', pattern: /^\/failovers\/([^/]+)$/, mount: report.mount},
  {name: 'runbooks', pattern: /^\/runbooks$/, mount: runbooks.mountList},
  {name: 'runbooks', pattern: /^\/runbooks\/([^/]+)$/, mount: runbooks.mountDetail},
  {name: 'audit', pattern: /^\/audit$/, mount: audit.mount},
];

const notFound = {
  name: '',
  mount(main, [path]) {
    main.append(heading('Page not found'), h('p', null, `No page at #${path}. `, h('a', {href: '#/overview'}, 'Go to the overview')));
  },
};

const main = document.getElementById('main');

function guard(path, route) {
  if (!api.currentSession() && !(route && route.public)) {
    rememberReturn(location.hash);
    return '#/login';
  }
  if (api.currentSession() && route && route.name === 'login') return '#/overview';
  return null;
}

function afterMount(route) {
  updateShell(route.name);
  const h1 = main.querySelector('h1');
  document.title = h1 ? `${h1.textContent} · Baton` : 'Baton console';
  // A page that focused a field itself (the login form) keeps it.
  if (h1 && !main.contains(document.activeElement)) {
    if (!h1.hasAttribute('tabindex')) h1.tabIndex = -1;
    h1.focus({preventScroll: true});
  }
}

api.setUnauthorizedHandler(err => {
  updateShell('');
  goToLogin(err.message || 'Your session expired; log in again.');
});

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api.logout();
  } catch (e) {
    // The session is gone here either way; the server's word on it is still worth showing.
    goToLogin(`Logged out here, but the coordinator answered: ${e.message}`);
    updateShell('');
    return;
  }
  updateShell('');
  goToLogin('You are logged out.', 'info');
});

async function boot() {
  let result;
  try {
    result = await api.loadSession();
  } catch (e) {
    main.replaceChildren(heading('Baton console'), errorBox(e, 'boot-error'),
      h('button', {type: 'button', id: 'boot-retry', onclick: boot}, 'Try again'));
    return;
  }
  const router = createRouter({routes, container: main, guard, fallback: notFound, afterMount});
  // The guard then sends the user to #/login, which shows it.
  if (!result.session && result.error && result.error.code === 'session_expired') setLoginNotice(result.error.message);
  router.resolve();
}

boot();
