// Runbooks (#/runbooks and #/runbooks/<name>): the coordinator's catalog with each file's SHA-256; one runbook's
// YAML as loaded, its steps and rollback steps, and its plan for a chosen from / to (a dry run naming it).
import * as api from './api.js';
import {errorBox, field, fill, h, heading, section, select, showError, table} from './dom.js';
import {fmtDuration} from './format.js';
import {renderPlan} from './plan.js';
import {guardButton} from './shell.js';

export async function mountList(main, params, ctx) {
  const slot = h('div', {id: 'runbook-list-slot'}, h('p', {text: 'Loading the catalog…'}));
  main.append(heading('Runbooks'),
    h('p', {class: 'lead', text: 'What this coordinator runs: the shipped runbooks, then the site’s own. Each SHA-256 ties a runbook to the reviewed file.'}),
    slot);
  try {
    const list = await api.get('/runbooks', null, ctx.signal) || [];
    if (!ctx.alive()) return;
    const t = table({id: 'runbook-list', testid: 'runbook-list', caption: 'Runbook catalog',
      columns: ['Runbook', 'Scope', 'Source', 'Description', 'File', 'SHA-256']});
    for (const r of list) {
      t.tbody.append(h('tr', {'data-testid': 'runbook-row', 'data-runbook': r.name},
        h('th', {scope: 'row'}, h('a', {href: `#/runbooks/${encodeURIComponent(r.name)}`, 'data-testid': 'runbook-link'}, r.name)),
        h('td', {text: r.scope}), h('td', {text: r.source}), h('td', {class: 'wrap', text: r.description || ''}),
        h('td', {class: 'wrap'}, h('code', {text: r.file})), h('td', null, h('code', {class: 'sha', 'data-testid': 'runbook-sha', text: r.sha256}))));
    }
    slot.replaceChildren(list.length ? t.wrap : h('p', {text: 'The catalog is empty.'}));
  } catch (e) {
    if (ctx.alive() && !api.isAbort(e)) slot.replaceChildren(errorBox(e, 'runbooks-error'));
  }
}

function stepsTable(id, caption, steps) {
  const t = table({id, testid: id, caption, columns: ['Step', 'Kind', 'Description', 'Timeout', 'Retries', 'On failure', 'Point of no return', 'Undone by']});
  for (const s of steps) {
    t.tbody.append(h('tr', {'data-testid': 'runbook-step-row', 'data-step': s.id}, h('th', {scope: 'row', text: s.id}), h('td', {text: s.kind}),
      h('td', {class: 'wrap', text: s.description || ''}), h('td', {text: fmtDuration(s.timeout)}), h('td', {text: String(s.retries)}),
      h('td', {text: s.onFailure}), h('td', {text: s.pointOfNoReturn ? 'yes' : 'no'}), h('td', {text: s.undo || '–'})));
  }
  return t.wrap;
}

export async function mountDetail(main, [name], ctx) {
  const body = h('div', {id: 'runbook-detail', 'data-testid': 'runbook-detail'}, h('p', {text: 'Loading…'}));
  main.append(heading(`Runbook ${name}`), h('p', null, h('a', {href: '#/runbooks'}, '← All runbooks')), body);
  let rb;
  let topo;
  try {
    [rb, topo] = await Promise.all([api.get(`/runbooks/${encodeURIComponent(name)}`, null, ctx.signal), api.get('/topology', null, ctx.signal)]);
  } catch (e) {
    if (ctx.alive() && !api.isAbort(e)) body.replaceChildren(errorBox(e, 'runbook-error'));
    return;
  }
  if (!ctx.alive()) return;

  const params = Object.entries(rb.parameters || {});
  const paramsTable = table({id: 'runbook-params', caption: 'Parameters and their defaults', columns: ['Parameter', 'Default']});
  for (const [k, v] of params) paramsTable.tbody.append(h('tr', null, h('th', {scope: 'row', text: k}), h('td', null, h('code', {text: v}))));

  const dcs = topo.topology.datacenters.map(d => d.name);
  const from = select({id: 'rb-plan-from', 'data-testid': 'rb-plan-from'}, dcs, dcs[0]);
  const to = select({id: 'rb-plan-to', 'data-testid': 'rb-plan-to'}, dcs, dcs[1] || dcs[0]);
  const shard = select({id: 'rb-plan-shard', 'data-testid': 'rb-plan-shard'}, topo.topology.shards.map(s => s.name));
  const reason = h('input', {id: 'rb-plan-reason', 'data-testid': 'rb-plan-reason', value: `Preview of ${name} from the console`, required: true});
  const preview = h('button', {type: 'submit', id: 'rb-plan-preview', 'data-testid': 'rb-plan-preview', class: 'primary'}, 'Show plan');
  const why = guardButton(preview, 'viewer', 'preview a plan', 'rb-plan-preview');
  const planError = h('div', {id: 'rb-plan-error'});
  const planSlot = h('div', {id: 'runbook-plan-slot', 'aria-live': 'polite'});
  const form = h('form', {id: 'rb-plan-form', class: 'card', novalidate: true},
    h('div', {class: 'grid-2'}, field('From', from), field('To', to)),
    rb.scope === 'shard' ? field('Shard', shard) : null,
    field('Reason (a dry run needs one too; it changes nothing)', reason),
    h('div', {class: 'actions'}, preview, why), planError);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    showError(planError, null);
    if (!reason.value.trim()) {
      showError(planError, {message: 'A reason is required.'}, 'rb-plan-error-alert');
      reason.focus();
      return;
    }
    const req = {from: from.value, to: to.value, reason: reason.value.trim(), dryRun: true, runbook: name};
    if (rb.scope === 'shard') req.shards = [shard.value];
    preview.disabled = true;
    planSlot.replaceChildren(h('p', {class: 'muted', text: 'Computing the plan…'}));
    try {
      const {data} = await api.post('/failovers', req, ctx.signal);
      planSlot.replaceChildren(renderPlan(data, {id: 'runbook-plan', testid: 'runbook-plan'}));
    } catch (err) {
      if (!ctx.alive() || api.isAbort(err)) return;
      planSlot.replaceChildren();
      showError(planError, err, 'rb-plan-error-alert');
    } finally {
      if (ctx.alive()) preview.disabled = !api.allows('viewer');
    }
  });

  fill(body,
    h('dl', {class: 'summary', id: 'runbook-meta'},
      [['Description', rb.description || '–'], ['Scope', rb.scope], ['Source', rb.source], ['File', h('code', {text: rb.file})],
        ['SHA-256', h('code', {class: 'sha', id: 'runbook-sha', 'data-testid': 'runbook-sha', text: rb.sha256})]]
        .map(([k, v]) => [h('dt', {text: k}), h('dd', null, v)])),
    params.length ? paramsTable.wrap : null,
    section('Steps', 'runbook-steps-section', stepsTable('runbook-steps', 'Forward steps, in order', rb.steps || [])),
    rb.rollback && rb.rollback.length ? section('Rollback steps', 'runbook-rollback-section', stepsTable('runbook-rollback', 'Undo steps', rb.rollback)) : null,
    section('YAML', 'runbook-yaml-section', h('p', {class: 'muted', text: 'As loaded: byte for byte what the SHA-256 names.'}),
      h('pre', {id: 'runbook-yaml', 'data-testid': 'runbook-yaml', class: 'code', tabindex: '0', 'aria-label': `YAML of ${name}`, text: rb.text})),
    section('Plan for a request', 'runbook-plan-section', form, planSlot));
}
