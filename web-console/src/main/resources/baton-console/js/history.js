// History (#/history): the newest failovers (GET /api/v1/failovers, up to HISTORY_LIMIT) in a table, filtered in the page by text
// (id, from, to, state, user, runbook, reason) and by state; each links to its report (and live view while running).
import * as api from './api.js';
import {badge, errorBox, field, h, heading, select, setText, table} from './dom.js';
import {fmtDateTime, fmtMs, parseInstant} from './format.js';

const STATES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK'];
// Each failover listed costs the coordinator ZooKeeper reads; older ones stay reachable by their report's address.
const HISTORY_LIMIT = 1000;

export function mount(main, params, ctx) {
  const text = h('input', {id: 'history-filter', 'data-testid': 'history-filter', type: 'search', autocomplete: 'off',
    placeholder: 'e.g. east, sre, f-2026'});
  const state = select({id: 'history-state', 'data-testid': 'history-state'}, [['', 'Any state'], ...STATES.map(s => [s, s.toLowerCase().replace('_', ' ')])], '');
  const refresh = h('button', {type: 'button', id: 'history-refresh', 'data-testid': 'history-refresh'}, 'Refresh');
  const count = h('p', {id: 'history-count', 'data-testid': 'history-count', role: 'status', class: 'muted'});
  const errorSlot = h('div', {id: 'history-error'});
  const t = table({id: 'history-table', testid: 'history-table', caption: 'Failovers, newest first',
    columns: ['Failover', 'State', 'From', 'To', 'Runbook', 'Requested by', 'Started', 'Took', 'Reason given', 'Outcome']});

  const filters = h('form', {class: 'filters', id: 'history-filters', role: 'search', 'aria-label': 'Filter failovers'},
    field('Filter by id, DC, state, user, runbook or reason', text), field('State', state), h('div', {class: 'actions'}, refresh));
  filters.addEventListener('submit', e => e.preventDefault());
  main.append(heading('Failover history'), filters, count, errorSlot, t.wrap);

  let rows = []; // [{tr, haystack, state}]

  function apply() {
    const q = text.value.trim().toLowerCase();
    const s = state.value;
    let shown = 0;
    for (const r of rows) {
      const visible = (!s || r.state === s) && (!q || q.split(/\s+/).every(w => r.haystack.includes(w)));
      if (r.tr.hidden === visible) r.tr.hidden = !visible;
      if (visible) shown++;
    }
    setText(count, !rows.length ? 'No failover has run yet.' : `${shown} of ${rows.length} failovers shown`
      + (rows.length >= HISTORY_LIMIT ? ` (only the newest ${HISTORY_LIMIT} are listed).` : '.'));
  }

  async function load() {
    setText(count, 'Loading…');
    try {
      const list = await api.get('/failovers', {limit: HISTORY_LIMIT}, ctx.signal) || [];
      if (!ctx.alive()) return;
      errorSlot.replaceChildren();
      list.sort((a, b) => (parseInstant(b.created) || 0) - (parseInstant(a.created) || 0));
      t.tbody.replaceChildren();
      rows = list.map(f => {
        const rb = (f.runbook && f.runbook.runbook) || f.request.runbook || 'default';
        const took = f.finished ? parseInstant(f.finished) - parseInstant(f.created) : null;
        const report = h('a', {href: `#/failovers/${encodeURIComponent(f.id)}`, 'data-testid': 'history-report-link'}, f.id);
        const tr = h('tr', {'data-testid': 'history-row', 'data-id': f.id, 'data-state': f.state},
          h('th', {scope: 'row'}, report, f.state === 'RUNNING'
            ? [' ', h('a', {href: `#/live/${encodeURIComponent(f.id)}`, 'data-testid': 'history-live-link', 'aria-label': `Follow ${f.id} live`}, '(live)')] : null),
          h('td', null, badge(f.state)), h('td', {text: f.request.from}), h('td', {text: f.request.to}), h('td', {text: rb}),
          h('td', {text: f.requestedBy}), h('td', {text: fmtDateTime(f.created)}), h('td', {text: took === null ? 'running' : fmtMs(took)}),
          h('td', {class: 'wrap', text: f.request.reason}), h('td', {class: 'wrap', text: f.reason || ''}));
        t.tbody.append(tr);
        const haystack = [f.id, f.request.from, f.request.to, f.state, f.state.replace('_', ' '), f.requestedBy, rb, f.request.reason, f.reason]
          .join(' ').toLowerCase();
        return {tr, haystack, state: f.state};
      });
      apply();
    } catch (e) {
      if (ctx.alive() && !api.isAbort(e)) {
        errorSlot.replaceChildren(errorBox(e, 'history-error-alert'));
        setText(count, '');
      }
    }
  }

  text.addEventListener('input', apply);
  state.addEventListener('change', apply);
  refresh.addEventListener('click', load);
  load();
}
