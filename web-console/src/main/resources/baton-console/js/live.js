// Live failover (#/live/<id>, or #/live for the one running now): the failover's steps on a timeline as they
// run, the write pause of each shard as it switches, Approve at an approval gate, Abort (with an inline
// confirmation) while possible, and the report link once finished. Follows /api/v1/events: each event only
// updates the per-step / per-shard Maps; the DOM is written once per animation frame, and the event log is
// capped, so a burst of events (one every 10 ms for minutes) neither freezes the page nor grows its memory.
import * as api from './api.js';
import {badge, errorBox, field, h, heading, section, setAttr, setBadge, setClass, setText, showError, table} from './dom.js';
import {followEvents} from './events.js';
import {fmtDateTime, fmtMs, fmtTime, parseInstant} from './format.js';
import {guardButton} from './shell.js';

const LOG_LINES = 500;
const REFETCH_MS = 1000;
const STEP_RANK = {PENDING: 0, RUNNING: 1, WAITING: 2, DONE: 3, SKIPPED: 3, FAILED: 4, ROLLED_BACK: 4};
const SHARD_RANK = {PENDING: 0, RUNNING: 1};
const shardRank = s => SHARD_RANK[s] ?? 2;
// Events after which the stored failover has news the events do not carry (exact durations, write pauses, errors).
const REFETCH_ON = new Set(['failover.step.finished', 'failover.step.failed', 'failover.shard', 'failover.finished', 'failover.approval-needed',
  'failover.approved', 'failover.rollback', 'failover.rollback-failed', 'failover.aborting', 'failover.takeover', 'failover.takeover.finished',
  'failover.abandoned', 'failover.leadership-lost', 'failover.takeover-failed']);

export function mount(main, [id], ctx) {
  if (!id) return findRunning(main, ctx);

  // ---- static frame -------------------------------------------------------------------------------------
  const state = badge('loading', 'unknown');
  state.id = 'live-state';
  state.dataset.testid = 'live-state';
  const route = h('span', {id: 'live-route'});
  const meta = h('span', {id: 'live-meta', class: 'muted'});
  const elapsed = h('span', {id: 'live-elapsed', 'data-testid': 'live-elapsed'});
  const connection = h('span', {id: 'live-connection', 'data-testid': 'live-connection', role: 'status', class: 'muted', text: 'connecting to the event stream…'});
  const loadError = h('div', {id: 'live-error'});
  const finished = h('div', {id: 'live-finished', 'data-testid': 'live-finished', class: 'card', hidden: true});

  const timeline = h('ol', {id: 'live-timeline', 'data-testid': 'live-timeline', class: 'timeline'});
  const shardTable = table({id: 'live-shards', testid: 'live-shards', caption: 'Write pause per shard',
    columns: ['Shard', 'State', 'Write pause', {label: 'Pause (bar)', class: 'bar-col'}, 'Last step']});
  const shardNote = h('p', {class: 'muted', id: 'live-shards-note', text: 'Shards appear once their switchover starts.'});
  const log = h('ol', {id: 'event-log', 'data-testid': 'event-log', class: 'event-log', reversed: true});
  const logCount = h('p', {id: 'event-count', 'data-testid': 'event-count', class: 'muted', text: 'No events yet.'});

  // Approval gate
  const approvePrompt = h('p', {id: 'approve-prompt', 'data-testid': 'approve-prompt'});
  const approveComment = h('input', {id: 'approve-comment', 'data-testid': 'approve-comment', autocomplete: 'off'});
  const approveButton = h('button', {type: 'button', id: 'approve-button', 'data-testid': 'approve-button', class: 'primary'}, 'Approve');
  const approveWhy = h('p', {class: 'why', id: 'approve-why', 'data-testid': 'why-approve-button', hidden: true});
  const approveError = h('div', {id: 'approve-error'});
  const approvePanel = h('section', {id: 'approve-panel', 'data-testid': 'approve-panel', class: 'card attention', hidden: true,
    'aria-labelledby': 'approve-heading'},
  h('h2', {id: 'approve-heading', text: 'Waiting for approval'}), approvePrompt,
  field('Comment (optional, goes into the timeline and the audit log)', approveComment),
  h('div', {class: 'actions'}, approveButton), approveWhy, approveError);

  // Abort, confirmed inline (no window.confirm: it blocks the page and browser tests)
  const abortButton = h('button', {type: 'button', id: 'abort-button', 'data-testid': 'abort-button', class: 'danger'}, 'Abort…');
  const abortWhy = guardButton(abortButton, 'operator', 'abort a failover', 'abort-button')
    || h('p', {class: 'why', id: 'abort-button-why', 'data-testid': 'why-abort-button', hidden: true});
  abortButton.setAttribute('aria-describedby', abortWhy.id);
  const abortReason = h('input', {id: 'abort-reason', 'data-testid': 'abort-reason', autocomplete: 'off'});
  const abortConfirm = h('button', {type: 'button', id: 'abort-confirm', 'data-testid': 'abort-confirm', class: 'danger'}, 'Confirm abort');
  const abortCancel = h('button', {type: 'button', id: 'abort-cancel', 'data-testid': 'abort-cancel'}, 'Keep it running');
  const abortBox = h('div', {id: 'abort-confirm-box', 'data-testid': 'abort-confirm-box', class: 'confirm', hidden: true},
    h('p', {text: 'The failover stops before its next step and undoes what it changed.'}),
    field('Reason for the abort', abortReason), h('div', {class: 'actions'}, abortConfirm, abortCancel));
  const abortError = h('div', {id: 'abort-error'});
  const abortStatus = h('p', {id: 'abort-status', 'data-testid': 'abort-status', role: 'status'});
  const abortPanel = h('section', {id: 'abort-panel', 'data-testid': 'abort-panel', class: 'card', 'aria-labelledby': 'abort-heading'},
    h('h2', {id: 'abort-heading', text: 'Abort'}), h('div', {class: 'actions'}, abortButton), abortWhy, abortBox, abortStatus, abortError);

  main.append(heading(`Failover ${id}`),
    h('p', {class: 'live-summary'}, state, ' ', route, ' ', meta),
    h('p', null, 'Elapsed: ', elapsed, ' · ', connection),
    loadError, finished, approvePanel,
    section('Timeline', 'live-timeline-section', h('p', {class: 'muted', text: 'Each bar spans the step’s run, on the failover’s time so far.'}), timeline),
    abortPanel,
    section('Shards', 'live-shards-section', shardNote, shardTable.wrap),
    section('Events', 'live-events', logCount, h('div', {class: 'log-wrap', role: 'region', 'aria-label': 'Event log, newest first', tabindex: '0'}, log)));

  // ---- state (events write here; the DOM is written from it once per frame) ---------------------------
  let failover = null;
  let created = null;
  let finishedAt = null;
  let overall = 'RUNNING';
  let aborting = null;
  let approvalText = '';
  const steps = new Map();   // name -> {name, state, startedAt, finishedAt, durationMs, error, changes, meta, row, dirty}
  const shards = new Map();  // shard -> {state, writePauseMs, lastStep, row, dirty}
  let pendingLog = [];
  let events = 0;
  let frame = 0;
  let panelsDirty = true;

  function step(name) {
    let s = steps.get(name);
    if (!s) {
      s = {name, state: 'PENDING', startedAt: null, finishedAt: null, durationMs: null, error: '', changes: [], meta: {}, row: null, dirty: true};
      steps.set(name, s);
    }
    return s;
  }

  function shard(name) {
    let s = shards.get(name);
    if (!s) {
      s = {state: 'PENDING', writePauseMs: null, lastStep: '', row: null, dirty: true};
      shards.set(name, s);
    }
    return s;
  }

  function setStepState(s, next) {
    if ((STEP_RANK[next] ?? 0) >= (STEP_RANK[s.state] ?? 0)) s.state = next;
    s.dirty = true;
  }

  // ---- events ---------------------------------------------------------------------------------------------
  function onEvent(e) {
    if (e.failoverId !== id) return;
    events++;
    pendingLog.push(`${fmtTime(e.at)}  ${e.type}${e.shard ? ' ' + e.shard : ''}${e.step ? ' ' + e.step : ''}  ${e.message}`);
    if (pendingLog.length > 2 * LOG_LINES) pendingLog = pendingLog.slice(-LOG_LINES);
    const at = parseInstant(e.at);
    switch (e.type) {
      case 'failover.step.started': {
        const s = step(e.step);
        setStepState(s, 'RUNNING');
        s.startedAt ??= at;
        break;
      }
      case 'failover.step.finished': {
        const s = step(e.step);
        setStepState(s, 'DONE');
        s.finishedAt = at;
        const m = / in ([\d.]+) ms/.exec(e.message);
        if (m) s.durationMs = +m[1];
        break;
      }
      case 'failover.step.failed': {
        const s = step(e.step);
        setStepState(s, 'FAILED');
        s.finishedAt = at;
        s.error = e.message.replace(/^.*? FAILED(?: in [\d.]+ ms)?: /, '');
        break;
      }
      case 'failover.approval-needed':
        setStepState(step(e.step), 'WAITING');
        approvalText = e.message;
        panelsDirty = true;
        break;
      case 'failover.approved':
        approvalText = '';
        panelsDirty = true;
        break;
      case 'failover.rollback': {
        const s = step(e.step);
        if (s.state !== 'FAILED') setStepState(s, 'ROLLED_BACK');
        break;
      }
      case 'failover.aborting':
        aborting = e.message;
        panelsDirty = true;
        break;
      case 'failover.step': {
        const s = shard(e.shard);
        if (shardRank(s.state) < 1) s.state = 'RUNNING';
        s.lastStep = e.step;
        s.dirty = true;
        break;
      }
      case 'failover.shard': {
        const s = shard(e.shard);
        const outcome = /^\S+ ([A-Z_]+)/.exec(e.message);
        if (outcome && shardRank(outcome[1]) >= shardRank(s.state)) s.state = outcome[1];
        const pause = /write pause (\d+(?:\.\d+)?) ms/.exec(e.message);
        if (pause) s.writePauseMs = +pause[1];
        s.dirty = true;
        break;
      }
      case 'failover.finished':
        overall = (/^failover \S+ (SUCCEEDED|FAILED|ROLLED_BACK)\b/.exec(e.message) || [])[1] || overall;
        finishedAt ??= at;
        panelsDirty = true;
        break;
      default:
        break;
    }
    if (REFETCH_ON.has(e.type)) scheduleRefetch(e.type === 'failover.finished' ? 0 : REFETCH_MS);
    scheduleFrame();
  }

  function scheduleFrame() {
    if (!frame && failover) frame = requestAnimationFrame(flush);
  }

  // ---- the stored failover: authoritative, merged so that nothing moves backwards ---------------------
  let lastFetch = 0;
  let fetchTimer = null;
  let fetching = false;
  let fetchAgain = false;

  function scheduleRefetch(minGap) {
    if (fetchTimer) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetchTimer = setTimeout(fetchFailover, Math.max(0, lastFetch + minGap - Date.now()));
  }

  async function fetchFailover() {
    fetchTimer = null;
    fetching = true;
    lastFetch = Date.now();
    try {
      merge(await api.get(`/failovers/${encodeURIComponent(id)}`, null, ctx.signal));
      showError(loadError, null);
    } catch (e) {
      if (!ctx.alive() || api.isAbort(e)) return;
      showError(loadError, e, 'live-error-alert');
      if (!failover) setBadge(state, 'unknown');
    } finally {
      fetching = false;
    }
    if (fetchAgain && ctx.alive()) {
      fetchAgain = false;
      scheduleRefetch(REFETCH_MS);
    }
  }

  function merge(f) {
    const first = !failover;
    failover = f;
    created = parseInstant(f.created);
    if (f.finished) finishedAt = parseInstant(f.finished);
    // A snapshot read before the finished event arrived must not bring a finished failover back to RUNNING.
    if (f.state !== 'RUNNING' || overall === 'RUNNING') overall = f.state;
    const planned = new Map(((f.runbook && f.runbook.steps) || []).map(s => [s.id, s]));
    for (const t of f.timeline) {
      const s = step(t.name);
      s.meta = planned.get(t.name) || s.meta;
      if ((STEP_RANK[t.state] ?? 0) >= (STEP_RANK[s.state] ?? 0)) {
        s.state = t.state;
        s.startedAt = parseInstant(t.startedAt) ?? s.startedAt;
        s.finishedAt = parseInstant(t.finishedAt) ?? s.finishedAt;
        s.durationMs = t.durationMs ?? s.durationMs;
        s.error = t.error || s.error;
        s.changes = t.changes;
        if (t.state === 'WAITING' && t.changes.length) approvalText = t.changes[0];
      }
      s.dirty = true;
    }
    for (const p of f.shards) {
      const s = shard(p.shard);
      if (shardRank(p.state) >= shardRank(s.state)) s.state = p.state;
      s.writePauseMs = p.writePauseMs ?? s.writePauseMs;
      if (p.steps.length) s.lastStep = p.steps[p.steps.length - 1].name;
      s.reason = p.reason;
      s.dirty = true;
    }
    if (first) buildHeader();
    panelsDirty = true;
    scheduleFrame();
  }

  function buildHeader() {
    const f = failover;
    setText(route, `${f.request.from} → ${f.request.to}`);
    setText(meta, `runbook ${(f.runbook && f.runbook.runbook) || f.request.runbook || 'default'}, requested by ${f.requestedBy} at `
      + `${fmtDateTime(f.created)} on coordinator ${f.coordinator}: “${f.request.reason}”`);
    // Rows in the runbook's order; steps only events named come after.
    for (const t of f.timeline) stepRow(step(t.name));
  }

  // ---- DOM, once per frame -------------------------------------------------------------------------------
  function stepRow(s) {
    if (s.row) return s.row;
    const r = {
      li: h('li', {'data-testid': 'step-row', 'data-step': s.name, 'data-state': '', class: 'step'}),
      state: h('span', {class: 'step-state', 'data-testid': 'step-state'}),
      took: h('span', {class: 'step-took', 'data-testid': 'step-duration'}),
      bar: h('div', {class: 'bar'}),
      detail: h('div', {class: 'step-detail'}),
      detailKey: '',
    };
    const m = s.meta || {};
    r.li.append(h('div', {class: 'step-head'}, h('span', {class: 'step-name', text: s.name}),
      m.kind ? h('span', {class: 'muted', text: ` ${m.kind}`}) : null,
      m.pointOfNoReturn ? [' ', badge('point of no return', 'ponr')] : null, ' ', r.state, ' ', r.took),
    h('div', {class: 'track', 'aria-hidden': 'true'}, r.bar), r.detail);
    timeline.append(r.li);
    s.row = r;
    return r;
  }

  function now() {
    return finishedAt ?? Date.now();
  }

  function drawStep(s) {
    const r = stepRow(s);
    setAttr(r.li, 'data-state', s.state.toLowerCase());
    setText(r.state, s.state === 'WAITING' ? 'waiting for approval' : s.state.toLowerCase().replace('_', ' '));
    setClass(r.state, `step-state state-${s.state.toLowerCase()}`);
    drawBar(s);
    const key = s.error + '\u0000' + s.changes.join('\u0000');
    if (key !== r.detailKey) {
      r.detailKey = key;
      r.detail.replaceChildren(s.error ? h('p', {class: 'bad', 'data-testid': 'step-error', text: `Error: ${s.error}`}) : '',
        s.changes.length ? h('ul', {class: 'changes'}, s.changes.map(c => h('li', {text: c}))) : '');
    }
  }

  function drawBar(s) {
    const r = s.row;
    if (!r) return;
    const end = s.finishedAt ?? (s.state === 'RUNNING' || s.state === 'WAITING' ? Date.now() : null);
    const took = s.durationMs ?? (s.startedAt !== null && end !== null ? end - s.startedAt : null);
    setText(r.took, s.startedAt === null ? '' : s.state === 'RUNNING' || s.state === 'WAITING' ? `${fmtMs(took)} so far` : fmtMs(took));
    const span = Math.max(now() - created, 1);
    if (s.startedAt === null || created === null) {
      r.bar.hidden = true;
      return;
    }
    r.bar.hidden = false;
    const left = Math.min(100, Math.max(0, (s.startedAt - created) / span * 100));
    r.bar.style.left = `${left.toFixed(2)}%`;
    r.bar.style.width = `${Math.max(0.5, Math.min(100 - left, (took ?? 0) / span * 100)).toFixed(2)}%`;
    setClass(r.bar, `bar state-${s.state.toLowerCase()}`);
  }

  function drawShards() {
    const maxPause = Math.max(1, ...[...shards.values()].map(s => s.writePauseMs || 0));
    for (const [name, s] of shards) {
      if (!s.row) {
        const bar = h('div', {class: 'bar pause'});
        s.row = {tr: h('tr', {'data-testid': 'live-shard-row', 'data-shard': name}, h('th', {scope: 'row', text: name}),
          h('td'), h('td', {'data-testid': 'write-pause'}), h('td', {class: 'bar-col'}, h('div', {class: 'track', 'aria-hidden': 'true'}, bar)), h('td')), bar};
        shardTable.tbody.append(s.row.tr);
        shardNote.hidden = true;
      }
      const c = s.row.tr.cells;
      setAttr(s.row.tr, 'data-state', s.state.toLowerCase());
      setText(c[1], s.state.toLowerCase().replace('_', ' ') + (s.reason ? `: ${s.reason}` : ''));
      setClass(c[1], s.state === 'SWITCHED' ? 'ok' : shardRank(s.state) >= 2 ? 'bad' : '');
      setText(c[2], s.writePauseMs === null ? '–' : fmtMs(s.writePauseMs));
      s.row.bar.style.width = `${((s.writePauseMs || 0) / maxPause * 100).toFixed(1)}%`;
      setText(c[4], s.lastStep);
      s.dirty = false;
    }
  }

  function drawPanels() {
    const done = overall !== 'RUNNING';
    setBadge(state, overall);
    setAttr(state, 'data-state', overall);
    // Abort: while running and before the first point-of-no-return step starts.
    const ponr = [...steps.values()].find(s => s.meta.pointOfNoReturn && s.state !== 'PENDING' && s.state !== 'SKIPPED');
    const cannot = done ? 'The failover has finished: there is nothing to abort.'
      : ponr ? `Past its point of no return: ${ponr.name} has started, so it can no longer be aborted.`
        : aborting ? `Abort requested: ${aborting}` : '';
    if (abortButton.dataset.roleBlocked !== 'true') {
      abortButton.disabled = !!cannot;
      abortWhy.hidden = !cannot;
      setText(abortWhy, cannot);
      if (cannot) abortBox.hidden = true;
    }
    abortPanel.hidden = done;
    // Approve: while a step waits at a gate.
    const waiting = !done && [...steps.values()].find(s => s.state === 'WAITING');
    approvePanel.hidden = !waiting;
    if (waiting) {
      setAttr(approvePanel, 'data-step', waiting.name);
      setText(approvePrompt, `${waiting.name}: ${approvalText || 'waits for an approval.'}`);
      const role = (waiting.meta.action && waiting.meta.action.role) || 'operator';
      const allowed = api.allows(role === 'admin' ? 'admin' : 'operator');
      approveButton.disabled = !allowed;
      approveWhy.hidden = allowed;
      if (!allowed) {
        const mine = api.currentSession().role;
        setText(approveWhy, `${mine.charAt(0).toUpperCase() + mine.slice(1)}s cannot approve this gate: your role is ${mine}; ${role} needed.`);
        approveButton.title = approveWhy.textContent;
        approveButton.setAttribute('aria-describedby', approveWhy.id);
      } else {
        approveButton.removeAttribute('title');
        approveButton.removeAttribute('aria-describedby');
      }
    }
    // Finished: outcome and the report.
    if (done && finished.hidden) {
      finished.hidden = false;
      finished.replaceChildren(h('h2', {text: 'Finished'}),
        h('p', {'data-testid': 'live-outcome'}, badge(overall), ` at ${fmtDateTime(finishedAt)}${failover && failover.reason ? `: ${failover.reason}` : ''}.`),
        h('p', null, h('a', {href: `#/failovers/${encodeURIComponent(id)}`, id: 'report-link', 'data-testid': 'report-link', class: 'button-link'},
          'Open the report')));
    } else if (done && failover && failover.reason) {
      const outcome = finished.querySelector('[data-testid=live-outcome]');
      if (outcome) setText(outcome.lastChild, ` at ${fmtDateTime(finishedAt)}: ${failover.reason}.`);
    }
    panelsDirty = false;
  }

  function drawLog() {
    if (!pendingLog.length) return;
    const lines = pendingLog.length > LOG_LINES ? pendingLog.slice(-LOG_LINES) : pendingLog;
    pendingLog = [];
    const frag = document.createDocumentFragment();
    for (let i = lines.length - 1; i >= 0; i--) frag.append(h('li', {text: lines[i]}));
    log.prepend(frag);
    while (log.childElementCount > LOG_LINES) log.lastElementChild.remove();
    setText(logCount, `${events} event${events === 1 ? '' : 's'} for this failover; the last ${Math.min(events, LOG_LINES)} below, newest first.`);
  }

  function flush() {
    frame = 0;
    if (!ctx.alive() || !failover) return;
    for (const s of steps.values()) {
      if (s.dirty) {
        drawStep(s);
        s.dirty = false;
        panelsDirty = true; // abort ends at a point of no return; approve at a gate
      }
    }
    if ([...shards.values()].some(s => s.dirty)) drawShards();
    if (panelsDirty) drawPanels();
    drawLog();
  }

  // Bars of running steps grow and the elapsed time moves: once a second, not once per event.
  const ticker = setInterval(() => {
    if (!failover) return;
    setText(elapsed, fmtMs(now() - created));
    if (document.hidden) return;
    for (const s of steps.values()) drawBar(s);
    if (overall !== 'RUNNING' && finishedAt !== null) clearInterval(ticker);
  }, 1000);

  // ---- actions ------------------------------------------------------------------------------------------
  abortButton.addEventListener('click', () => {
    abortBox.hidden = false;
    showError(abortError, null);
    abortReason.focus();
  });
  abortCancel.addEventListener('click', () => {
    abortBox.hidden = true;
    abortButton.focus();
  });
  abortConfirm.addEventListener('click', async () => {
    abortConfirm.disabled = true;
    showError(abortError, null);
    try {
      const {data} = await api.post(`/failovers/${encodeURIComponent(id)}/abort`, {reason: abortReason.value.trim()}, ctx.signal);
      abortBox.hidden = true;
      setText(abortStatus, `Abort accepted: the failover is ${data.state}.`);
      merge(data);
    } catch (e) {
      if (!ctx.alive() || api.isAbort(e)) return;
      abortError.replaceChildren(errorBox(e, 'abort-error-alert'));
    } finally {
      abortConfirm.disabled = false;
    }
  });
  approveButton.addEventListener('click', async () => {
    approveButton.disabled = true;
    showError(approveError, null);
    try {
      const {data} = await api.post(`/failovers/${encodeURIComponent(id)}/approve`, {comment: approveComment.value.trim()}, ctx.signal);
      approveComment.value = '';
      approvalText = '';
      merge(data);
    } catch (e) {
      if (!ctx.alive() || api.isAbort(e)) return;
      approveError.replaceChildren(errorBox(e, 'approve-error-alert'));
    } finally {
      approveButton.disabled = false;
      panelsDirty = true;
      scheduleFrame();
    }
  });

  ctx.onCleanup(() => {
    cancelAnimationFrame(frame);
    clearTimeout(fetchTimer);
    clearInterval(ticker);
  });

  // The stream first, then the failover: nothing between them is missed (events before the load are merged).
  followEvents({
    signal: ctx.signal,
    onEvent,
    onStatus: s => setText(connection, s === 'open' ? 'following live events' : s === 'reconnecting' ? 'event stream lost, reconnecting…' : 'event stream closed, retrying…'),
    onReconnect: () => scheduleRefetch(0),
  });
  fetchFailover();
}

/** #/live without an id: the failover running now, else a pointer to the history. */
async function findRunning(main, ctx) {
  const body = h('div', {id: 'live-none', 'data-testid': 'live-none'}, h('p', {text: 'Looking for a running failover…'}));
  main.append(heading('Live failover'), body);
  try {
    const list = await api.get('/failovers', {limit: 5}, ctx.signal) || [];
    if (!ctx.alive()) return;
    const running = list.find(f => f.state === 'RUNNING');
    if (running) {
      location.replace(`#/live/${encodeURIComponent(running.id)}`);
      return;
    }
    const last = list[0];
    body.replaceChildren(h('p', null, 'No failover is running. ', h('a', {href: '#/evacuate'}, 'Plan an evacuation'), ', or see ',
      h('a', {href: '#/history'}, 'past failovers'), last ? [' (the latest: ', h('a', {href: `#/failovers/${encodeURIComponent(last.id)}`}, last.id), ')'] : null, '.'));
  } catch (e) {
    if (ctx.alive() && !api.isAbort(e)) body.replaceChildren(errorBox(e, 'live-error-alert'));
  }
}
