// The page frame around every page: the nav (active link, who is logged in), the way to the login
// page with a notice, and how buttons a role may not use are shown (disabled, with the reason beside them).
import {allows, currentSession} from './api.js';
import {h, setText} from './dom.js';

let loginNotice = null;
let returnTo = null;

/** To the login page, showing why (an expired session, a logout); the page asked for comes back after login. */
export function goToLogin(message, kind = 'error') {
  // Several calls may fail with 401 at once: the first one says why.
  if (location.hash.startsWith('#/login')) return;
  setLoginNotice(message, kind);
  if (location.hash) returnTo = location.hash;
  location.hash = '#/login';
}

export function setLoginNotice(message, kind = 'error') {
  loginNotice = message ? {message, kind} : null;
}

export function takeLoginNotice() {
  const n = loginNotice;
  loginNotice = null;
  return n;
}

export function takeReturnTo() {
  const r = returnTo;
  returnTo = null;
  return r && r !== '#/login' ? r : '#/overview';
}

/** Shows or hides the nav and the user box, and marks the current page's link. */
export function updateShell(routeName) {
  const s = currentSession();
  document.getElementById('main-nav').hidden = !s;
  document.getElementById('userbox').hidden = !s;
  setText(document.getElementById('session-user'), s ? s.user : '');
  setText(document.getElementById('session-role'), s ? s.role : '');
  for (const a of document.querySelectorAll('#main-nav a[data-route]')) {
    if (a.dataset.route === routeName) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

const plural = role => role.charAt(0).toUpperCase() + role.slice(1) + 's';

/**
 * Disables `button` when the user's role is below `needed`, and returns the visible explanation to put
 * beside it (also its title and aria-describedby); null when allowed.
 * what: e.g. 'start a failover' -> "Viewers cannot start a failover: your role is viewer; operator needed".
 */
export function guardButton(button, needed, what, testid) {
  if (allows(needed)) return null;
  const role = (currentSession() && currentSession().role) || 'viewer';
  const text = `${plural(role)} cannot ${what}: your role is ${role}; ${needed} needed.`;
  const id = (button.id || testid || 'action') + '-why';
  button.disabled = true;
  button.title = text;
  button.setAttribute('aria-describedby', id);
  button.dataset.roleBlocked = 'true';
  return h('p', {class: 'why', id, 'data-testid': `why-${testid || button.id}`, text});
}

/** The page to come back to after login, when the guard sent the user to it. */
export function rememberReturn(hash) {
  if (hash && !hash.startsWith('#/login')) returnTo = hash;
}
