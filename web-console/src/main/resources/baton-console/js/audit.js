// Audit log (#/audit): the coordinator's audit entries, newest first, filtered by the server
// (GET /api/v1/audit?limit=&who=&q=) by user and by text.
import * as api from './api.js';
import {errorBox, field, h, heading, select, setText, table} from './dom.js';
import {fmtDateTime} from './format.js';

export function mount(main, params, ctx) {
  const who = h('input', {id: 'audit-who', 'data-testid': 'audit-who', autocomplete: 'off', placeholder: 'e.g. sre'});
  const q = h('input', {id: 'audit-q', 'data-testid': 'audit-q', type: 'search', autocomplete: 'off', placeholder: 'e.g. abort, f-2026, 403'});
  const limit = select({id: 'audit-limit', 'data-testid': 'audit-limit'}, ['50', '200', '1000'], '200');
  const apply = h('button', {type: 'submit', id: 'audit-apply', 'data-testid': 'audit-apply', class: 'primary'}, 'Apply filters');
  const form = h('form', {id: 'audit-filters', 'data-testid': 'audit-filters', class: 'filters', role: 'search', 'aria-label': 'Filter the audit log'},
    field('User', who), field('Text', q), field('Entries', limit), h('div', {class: 'actions'}, apply));
  const count = h('p', {id: 'audit-count', 'data-testid': 'audit-count', role: 'status', class: 'muted'});
  const errorSlot = h('div', {id: 'audit-error'});
  const t = table({id: 'audit-table', testid: 'audit-table', caption: 'Audit log, newest first',
    columns: ['When', 'Who', 'Method', 'Path', 'Status', 'Outcome', 'Detail']});
  main.append(heading('Audit log'), form, count, errorSlot, t.wrap);

  let inflight = null;
  async function load() {
    if (inflight) inflight.abort();
    const mine = new AbortController();
    inflight = mine;
    ctx.signal.addEventListener('abort', () => mine.abort(), {once: true});
    setText(count, 'Loading…');
    try {
      const entries = await api.get('/audit', {limit: limit.value, who: who.value.trim(), q: q.value.trim()}, mine.signal) || [];
      errorSlot.replaceChildren();
      const frag = document.createDocumentFragment();
      for (const e of entries) {
        frag.append(h('tr', {'data-testid': 'audit-row', 'data-outcome': e.outcome},
          h('th', {scope: 'row'}, h('time', {datetime: e.at, text: fmtDateTime(e.at)})), h('td', {text: e.who}), h('td', {text: e.method}),
          h('td', {class: 'wrap'}, h('code', {text: e.path})), h('td', {class: e.status >= 400 ? 'bad' : '', text: e.status ? String(e.status) : '–'}),
          h('td', {class: e.outcome === 'ok' ? 'ok' : 'bad', text: e.outcome}), h('td', {class: 'wrap', text: e.detail || ''})));
      }
      t.tbody.replaceChildren(frag);
      setText(count, `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${entries.length >= +limit.value ? ` (the newest ${limit.value}; raise the limit for more)` : ''}.`);
    } catch (e) {
      if (api.isAbort(e) || !ctx.alive()) return;
      errorSlot.replaceChildren(errorBox(e, 'audit-error-alert'));
      setText(count, '');
    } finally {
      if (inflight === mine) inflight = null;
    }
  }

  // Typing filters after a short pause; Enter / Apply at once.
  let debounce = null;
  const soon = () => {
    clearTimeout(debounce);
    debounce = setTimeout(load, 400);
  };
  who.addEventListener('input', soon);
  q.addEventListener('input', soon);
  limit.addEventListener('change', load);
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearTimeout(debounce);
    load();
  });
  ctx.onCleanup(() => clearTimeout(debounce));
  load();
}
