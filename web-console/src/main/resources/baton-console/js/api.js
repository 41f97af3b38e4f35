// The coordinator's API under /api/v1: the session (cookie + CSRF token), JSON calls, errors as ApiError.
// The session cookie is HttpOnly: this module only ever sees the CSRF token the session endpoints return.

const BASE = '/api/v1';
const ROLES = ['viewer', 'operator', 'admin'];

let session = null;
let onUnauthorized = () => {};

/** Every error the API returns is {code, message, ...}; a network failure gets code 'network'. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || `http_${status}`;
  }
}

export function isAbort(err) {
  return err && err.name === 'AbortError';
}

/** Called with the ApiError of any 401 outside the login form: the app goes to #/login showing its message. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export function currentSession() {
  return session;
}

export function clearSession() {
  session = null;
}

export function roleRank(role) {
  const i = ROLES.indexOf(String(role || '').toLowerCase());
  return i < 0 ? 0 : i;
}

/** Whether the logged-in user's role includes `needed` (viewer < operator < admin). */
export function allows(needed) {
  return !!session && roleRank(session.role) >= roleRank(needed);
}

function url(path, params) {
  const u = new URL(BASE + path, location.origin);
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
    }
  }
  return u.pathname + u.search;
}

async function call(method, path, {body, params, signal, auth = true, retried = false, background = false} = {}) {
  const headers = {Accept: 'application/json'};
  // A poll is not the user's doing: the coordinator does not let it keep an idle session alive.
  if (background) headers['X-Baton-Background'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session && session.csrfToken) headers['X-CSRF-Token'] = session.csrfToken;
  let res;
  try {
    res = await fetch(url(path, params), {
      method, headers, signal, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, {code: 'network', message: `Cannot reach the coordinator: ${e.message}`});
  }
  if (res.status === 204) return {status: 204, data: null, headers: res.headers};
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = res.ok ? text : {code: `http_${res.status}`, message: text.slice(0, 500)};
    }
  }
  if (res.ok) return {status: res.status, data, headers: res.headers};
  const err = new ApiError(res.status, data && typeof data === 'object' ? data : {message: res.statusText});
  // A stale token (the coordinator restarted, or another tab logged in again): fetch it anew, then retry once.
  if (res.status === 403 && err.code === 'csrf' && auth && !retried) {
    if (await refreshSession(signal)) return call(method, path, {body, params, signal, auth, retried: true, background});
  }
  if (res.status === 401 && auth) {
    session = null;
    onUnauthorized(err);
  }
  throw err;
}

export async function get(path, params, signal) {
  return (await call('GET', path, {params, signal})).data;
}

/** A GET made by a timer, not by the user (see `background` in call). */
export async function poll(path, params, signal) {
  return (await call('GET', path, {params, signal, background: true})).data;
}

export async function post(path, body, signal) {
  return call('POST', path, {body: body ?? {}, signal});
}

/** GET /session: the session of the cookie, or null (with the 401's ApiError) when there is none. */
export async function loadSession(signal) {
  try {
    session = (await call('GET', '/session', {signal, auth: false})).data;
    return {session, error: null};
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session = null;
      return {session: null, error: e};
    }
    throw e;
  }
}

async function refreshSession(signal) {
  try {
    const {session: s} = await loadSession(signal);
    return !!s;
  } catch {
    return false;
  }
}

/** POST /session; throws the ApiError (401 message, 429 retryAfterSeconds) for the login form to show. */
export async function login(user, password) {
  session = (await call('POST', '/session', {body: {user, password}, auth: false})).data;
  return session;
}

export async function logout() {
  try {
    await call('DELETE', '/session', {auth: false});
  } finally {
    session = null;
  }
}

/** GET /session with the 401 handling of any call: used after an event stream was refused. */
export async function checkSession(signal) {
  session = (await call('GET', '/session', {signal})).data;
  return session;
}
