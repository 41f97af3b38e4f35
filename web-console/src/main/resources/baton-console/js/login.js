// Login page (#/login): user and password to POST /api/v1/session; the server's message on refusal,
// and a countdown after too many attempts (429 retryAfterSeconds).
import * as api from './api.js';
import {field, h, heading} from './dom.js';
import {takeLoginNotice, takeReturnTo} from './shell.js';

export function mount(main, params, ctx) {
  const notice = takeLoginNotice();
  const user = h('input', {id: 'login-user', name: 'user', 'data-testid': 'login-user', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {id: 'login-password', name: 'password', 'data-testid': 'login-password', type: 'password',
    autocomplete: 'current-password', required: true});
  const submit = h('button', {type: 'submit', id: 'login-submit', 'data-testid': 'login-submit', class: 'primary'}, 'Log in');
  // Always present and empty until there is something to say, so the message is announced when it comes.
  const error = h('div', {id: 'login-error', 'data-testid': 'login-error', role: 'alert', class: 'alert-slot'});
  let countdown = null;
  ctx.onCleanup(() => clearInterval(countdown));

  function say(message) {
    error.replaceChildren(message ? h('p', {class: 'alert error', text: message}) : '');
  }

  if (notice && notice.kind === 'error') say(notice.message);

  const form = h('form', {id: 'login-form', 'data-testid': 'login-form', class: 'card narrow', novalidate: true},
    notice && notice.kind !== 'error'
      ? h('p', {class: 'alert info', role: 'status', id: 'login-notice', 'data-testid': 'login-notice', text: notice.message}) : null,
    field('User', user), field('Password', password), error, h('div', {class: 'actions'}, submit));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!user.value.trim() || !password.value) {
      say('Enter your user name and password.');
      (user.value.trim() ? password : user).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Logging in…';
    try {
      await api.login(user.value.trim(), password.value);
      password.value = '';
      location.hash = takeReturnTo();
    } catch (err) {
      if (!ctx.alive()) return;
      password.value = '';
      say(err.message);
      submit.textContent = 'Log in';
      const wait = err.body && err.body.retryAfterSeconds;
      if (err.status === 429 && wait > 0) {
        let left = Math.ceil(wait);
        const tick = () => {
          if (left <= 0) {
            clearInterval(countdown);
            submit.disabled = false;
            submit.textContent = 'Log in';
            return;
          }
          submit.textContent = `Log in (wait ${left} s)`;
          left--;
        };
        tick();
        countdown = setInterval(tick, 1000);
      } else {
        submit.disabled = false;
        password.focus();
      }
    }
  });

  main.append(heading('Log in to Baton'),
    h('p', {class: 'lead', text: 'The console of the coordinator: health, failovers, runbooks and the audit log.'}), form);
  if (!notice || notice.kind !== 'error') user.focus();
}
