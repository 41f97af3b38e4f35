// Evacuate (#/evacuate): choose from / to / runbook / reason, preview the full plan (dry run), then type the
// source DC's name to confirm before "Start evacuation" enables; starting goes to the live view.
import * as api from './api.js';
import {errorBox, field, h, heading, section, setOptions, showError} from './dom.js';
import {renderPlan} from './plan.js';
import {guardButton} from './shell.js';

export function mount(main, params, ctx) {
  const from = h('select', {id: 'evac-from', name: 'from', 'data-testid': 'evac-from', required: true});
  const to = h('select', {id: 'evac-to', name: 'to', 'data-testid': 'evac-to', required: true});
  const runbook = h('select', {id: 'evac-runbook', name: 'runbook', 'data-testid': 'evac-runbook'});
  const shard = h('select', {id: 'evac-shard', name: 'shard', 'data-testid': 'evac-shard'});
  const shardField = field('Shard (this runbook moves one)', shard);
  shardField.hidden = true;
  const reason = h('input', {id: 'evac-reason', name: 'reason', 'data-testid': 'evac-reason', required: true, autocomplete: 'off',
    placeholder: 'e.g. planned maintenance of east'});
  const force = h('input', {id: 'evac-force', name: 'force', type: 'checkbox', 'data-testid': 'evac-force'});
  const preview = h('button', {type: 'submit', id: 'evac-preview', 'data-testid': 'evac-preview', class: 'primary'}, 'Preview plan');
  const previewWhy = guardButton(preview, 'viewer', 'preview a plan', 'evac-preview');
  const forceWhy = api.allows('admin') ? null
    : h('p', {class: 'why', id: 'evac-force-why', 'data-testid': 'why-evac-force', text: 'Only an admin may force a failover into a DC that is not HEALTHY.'});
  if (forceWhy) {
    force.disabled = true;
    force.setAttribute('aria-describedby', forceWhy.id);
  }
  const formError = h('div', {id: 'evac-error', 'data-testid': 'evac-error'});
  const form = h('form', {id: 'evac-form', 'data-testid': 'evac-form', class: 'card', novalidate: true},
    h('div', {class: 'grid-2'}, field('From (the DC to evacuate)', from), field('To (the DC that takes over)', to)),
    field('Runbook', runbook), shardField,
    field('Reason (required; goes into the failover and the audit log)', reason),
    h('div', {class: 'field check'}, force, h('label', {for: 'evac-force', text: 'Force: run even though the target DC is not HEALTHY'}), forceWhy),
    formError, h('div', {class: 'actions'}, preview, previewWhy));

  const planSlot = h('div', {id: 'plan-slot', 'data-testid': 'plan-slot', 'aria-live': 'polite'},
    h('p', {class: 'muted', text: 'Preview the plan to see every server, DNS record and HAProxy backend each step touches.'}));
  const confirmInput = h('input', {id: 'evac-confirm', name: 'confirm', 'data-testid': 'evac-confirm', autocomplete: 'off', spellcheck: 'false'});
  const confirmLabel = h('label', {for: 'evac-confirm', id: 'evac-confirm-label'});
  const start = h('button', {type: 'button', id: 'evac-start', 'data-testid': 'evac-start', class: 'danger', disabled: true}, 'Start evacuation');
  const startWhy = guardButton(start, 'operator', 'start a failover', 'evac-start');
  const startHint = h('p', {id: 'evac-start-hint', class: 'hint'});
  start.setAttribute('aria-describedby', [startWhy ? startWhy.id : null, 'evac-start-hint'].filter(Boolean).join(' '));
  const startError = h('div', {id: 'evac-start-error', 'data-testid': 'evac-start-error'});
  const confirmBox = h('div', {id: 'evac-confirm-box', class: 'card confirm', 'data-testid': 'evac-confirm-box', hidden: true},
    h('div', {class: 'field'}, confirmLabel, confirmInput), h('div', {class: 'actions'}, start, startWhy), startHint, startError);

  main.append(heading('Evacuate a datacenter'),
    h('p', {class: 'lead', text: 'Nothing changes until the plan has been previewed and confirmed.'}),
    form, section('Plan', 'plan-section', planSlot), confirmBox);

  let topo = null;
  let catalog = [];
  let previewed = null; // the request the plan shown was made for

  function request(dryRun) {
    const r = {from: from.value, to: to.value, reason: reason.value.trim(), dryRun, force: force.checked};
    if (runbook.value) r.runbook = runbook.value;
    if (!shardField.hidden && shard.value) r.shards = [shard.value];
    return r;
  }

  const sameRequest = (a, b) => JSON.stringify({...a, dryRun: 0}) === JSON.stringify({...b, dryRun: 0});

  /** Any change after a preview hides its plan: what is confirmed is always what was shown. */
  function invalidate() {
    if (previewed && !sameRequest(previewed, request(true))) {
      previewed = null;
      planSlot.replaceChildren(h('p', {class: 'muted', text: 'The request changed: preview the plan again.'}));
      confirmBox.hidden = true;
      confirmInput.value = '';
    }
    syncStart();
  }

  function syncStart() {
    const dc = previewed ? previewed.from : from.value;
    confirmLabel.textContent = `Type ${dc} to confirm`;
    const typed = confirmInput.value.trim() === dc;
    const needsAdmin = previewed && previewed.force;
    start.disabled = !previewed || !typed || !api.allows(needsAdmin ? 'admin' : 'operator');
    startHint.textContent = !previewed ? 'Preview the plan first.'
      : !typed ? `Type the name of the DC being evacuated, ${dc}, to enable Start.`
        : needsAdmin && !api.allows('admin') ? 'Only an admin may force a failover.' : 'Starting runs the plan above.';
  }

  function fillSelects() {
    const dcs = topo.topology.datacenters.map(d => d.name);
    setOptions(from, dcs);
    setOptions(to, dcs);
    setOptions(shard, topo.topology.shards.map(s => s.name));
    setOptions(runbook, [['', 'Default (planned-evacuation, or fail-back into a drained DC)'],
      ...catalog.map(r => [r.name, `${r.name} (${r.scope}, ${r.source})${r.description ? ': ' + r.description : ''}`])]);
  }

  async function load() {
    try {
      const [tv, rbs, health] = await Promise.all([api.get('/topology', null, ctx.signal), api.get('/runbooks', null, ctx.signal),
        api.get('/health', null, ctx.signal).catch(() => null)]);
      topo = tv;
      catalog = rbs || [];
      fillSelects();
      // Defaults: from the DC holding most primaries, to a HEALTHY other one.
      if (health) {
        const dcOf = new Map(health.shards.flatMap(s => s.servers.map(sv => [sv.serverId, sv.dc])));
        const count = new Map();
        for (const s of health.shards) if (s.writable.length === 1) count.set(dcOf.get(s.writable[0]), (count.get(dcOf.get(s.writable[0])) || 0) + 1);
        const busiest = [...count.entries()].sort((a, b) => b[1] - a[1])[0];
        if (busiest) from.value = busiest[0];
        const healthy = health.datacenters.find(d => d.dc !== from.value && d.verdict === 'HEALTHY');
        if (healthy) to.value = healthy.dc;
      }
      if (to.value === from.value) {
        const other = [...to.options].find(o => o.value !== from.value);
        if (other) to.value = other.value;
      }
      onRunbook();
      syncStart();
    } catch (e) {
      if (ctx.alive() && !api.isAbort(e)) showError(formError, e, 'evac-error-alert');
    }
  }

  function onRunbook() {
    const r = catalog.find(x => x.name === runbook.value);
    shardField.hidden = !(r && r.scope === 'shard');
  }

  form.addEventListener('change', e => {
    if (e.target === runbook) onRunbook();
    invalidate();
  });
  form.addEventListener('input', invalidate);
  confirmInput.addEventListener('input', syncStart);

  form.addEventListener('submit', async e => {
    e.preventDefault();
    showError(formError, null);
    const r = request(true);
    const missing = !r.from ? from : !r.to ? to : !r.reason ? reason : null;
    if (missing) {
      showError(formError, {message: missing === reason ? 'A reason is required.' : 'Choose both DCs.'}, 'evac-error-alert');
      missing.focus();
      return;
    }
    if (r.from === r.to) {
      showError(formError, {message: 'From and to must be different DCs.'}, 'evac-error-alert');
      to.focus();
      return;
    }
    preview.disabled = true;
    preview.textContent = 'Previewing…';
    planSlot.replaceChildren(h('p', {class: 'muted', text: 'Computing the plan (reading every server)…'}));
    try {
      const {data} = await api.post('/failovers', r, ctx.signal);
      if (!ctx.alive()) return;
      if (!sameRequest(r, request(true))) return; // changed while it ran: invalidate() already said so
      previewed = r;
      planSlot.replaceChildren(renderPlan(data));
      confirmBox.hidden = false;
      confirmInput.value = '';
      showError(startError, null);
      syncStart();
    } catch (err) {
      if (!ctx.alive() || api.isAbort(err)) return;
      planSlot.replaceChildren();
      showError(formError, err, 'evac-error-alert');
    } finally {
      if (ctx.alive()) {
        preview.disabled = !api.allows('viewer');
        preview.textContent = 'Preview plan';
      }
    }
  });

  start.addEventListener('click', async () => {
    if (start.disabled || !previewed) return;
    start.disabled = true;
    start.textContent = 'Starting…';
    showError(startError, null);
    try {
      const {data, headers} = await api.post('/failovers', {...previewed, dryRun: false}, ctx.signal);
      const id = (data && data.id) || (headers.get('Location') || '').split('/').pop();
      location.hash = `#/live/${encodeURIComponent(id)}`;
    } catch (err) {
      if (!ctx.alive() || api.isAbort(err)) return;
      startError.replaceChildren(errorBox(err, 'evac-start-error-alert'));
      start.textContent = 'Start evacuation';
      syncStart();
    }
  });

  load();
}
