// Renders a dry run's answer in full (POST /api/v1/failovers with dryRun): the runbook's plan step by step,
// with every server, DNS record and HAProxy backend each step touches, the rollback steps, the live check of
// every shard's fence and candidate, the traffic preview and the target's health. Used by Evacuate and Runbooks.
import {badge, h, table} from './dom.js';
import {addr, fmtDuration} from './format.js';

const server = s => s ? `${s.id} (${s.dc}, ${addr(s.address || s.endpoint)})` : '–';
const record = r => r ? `${r.name} A ${r.ip} (TTL ${r.ttl} s)` : '(none)';

/** Every problem that would refuse the real failover (FailoverPlan.allProblems). */
export function planProblems(dryRun) {
  const p = dryRun.plan;
  if (!p) return [];
  return [...(p.problems || []), ...(p.shards || []).flatMap(s => (s.problems || []).map(x => `${s.shard}: ${x}`))];
}

export function renderPlan(dryRun, {id = 'plan', testid = 'plan'} = {}) {
  const rp = dryRun.runbookPlan || {};
  const problems = planProblems(dryRun);
  const th = dryRun.targetHealth;
  return h('div', {id, 'data-testid': testid, class: 'plan', 'data-runbook': dryRun.runbook || ''},
    h('p', {class: 'plan-summary'}, 'Runbook ', h('strong', {text: dryRun.runbook || rp.runbook || '?'}),
      rp.request ? ` from ${rp.request.from} to ${rp.request.to}` : '',
      `: ${(rp.steps || []).length} steps, shards ${(rp.shards || []).join(', ') || 'none'}.`),
    problems.length ? h('div', {class: 'alert warning', 'data-testid': 'plan-problems'},
      h('p', {text: 'Starting it now would be refused (not_ready): '}), h('ul', null, problems.map(x => h('li', {text: x})))) : null,
    th ? h('p', {'data-testid': 'plan-target-health'}, `Target ${th.dc} is `, badge(th.verdict),
      th.verdict !== 'HEALTHY' ? ` (${(th.reasons || []).join('; ')}): starting is refused (target_unhealthy) unless an admin forces it.` : '.') : null,
    h('h3', {text: 'Steps, in order'}),
    h('ol', {class: 'plan-steps', 'data-testid': 'plan-steps'}, (rp.steps || []).map(s => h('li', null, stepView(s)))),
    rp.rollback && rp.rollback.length ? [h('h3', {text: 'Rollback steps (run only to undo)'}),
      h('ul', {class: 'plan-steps', 'data-testid': 'plan-rollback'}, rp.rollback.map(s => h('li', null, stepView(s))))] : null,
    dryRun.plan ? liveCheck(dryRun.plan) : null,
    dryRun.runbookText ? h('details', null, h('summary', {text: 'The plan as text (baton runbook plan)'}),
      h('pre', {class: 'code', 'data-testid': 'plan-text', text: dryRun.runbookText})) : null);
}

function stepView(s) {
  const a = s.action || {};
  const meta = [
    ['Timeout', fmtDuration(s.timeout)],
    ['Retries', s.retry ? `${s.retry.attempts}${s.retry.attempts ? `, backoff ${fmtDuration(s.retry.backoff)} ×${s.retry.multiplier}` : ''}` : '0'],
    ['On failure', String(s.onFailure || '').toLowerCase()],
    ['Undone by', s.undo || '–'],
  ];
  return h('section', {class: 'plan-step', 'data-testid': 'plan-step', 'data-step': s.id, 'data-kind': s.kind},
    h('h4', null, `${s.id} `, h('span', {class: 'muted', text: `(${s.kind})`}),
      s.pointOfNoReturn ? [' ', badge('point of no return', 'ponr')] : null),
    s.description ? h('p', {text: s.description}) : null,
    h('dl', {class: 'meta'}, meta.map(([k, v]) => [h('dt', {text: k}), h('dd', {text: v})])),
    actionView(a));
}

function list(items) {
  return h('ul', null, items.map(i => h('li', null, i)));
}

function condition(c) {
  switch (c.condition) {
    case 'DcHealthy': return `DC ${c.dc} is HEALTHY`;
    case 'DcDown': return `DC ${c.dc} is DOWN`;
    case 'MaxLag': return `every candidate at most ${fmtDuration(c.max)} behind`;
    case 'PrimariesIn': return `DC ${c.dc} holds at least one of the shards' primaries`;
    case 'CheckoutOk': return `a synthetic checkout succeeds in ${c.dc}`;
    case 'Window': return `now is ${(c.days || []).join(', ')} between ${c.from} and ${c.to} (${c.zone})`;
    default: return `${c.condition}: ${JSON.stringify(c)}`;
  }
}

function flipLine(f) {
  return `${f.dc} HAProxy ${addr(f.runtime)}: ${f.backend}/${f.server} (frontend ${addr(f.frontend)}) → ${server(f.target)}`;
}

function actionView(a) {
  switch (a.type) {
    case 'Check':
      return h('div', null, h('p', {text: 'Checks:'}), list((a.conditions || []).map(condition)),
        a.catchUpWait && a.catchUpWait !== 'PT0S' ? h('p', {text: `Candidates still catching up are waited for up to ${fmtDuration(a.catchUpWait)}.`}) : null);
    case 'Approve':
      return h('p', null, `Waits for the approval of a user with role ${a.role} or above: “${a.prompt}”`);
    case 'PointRecord':
      return h('p', {'data-testid': 'plan-dns'}, `DNS: ${a.record.name} in zone ${a.record.zone} (TTL ${a.record.ttl} s) → ${a.address} (${a.dc}), `
        + `via ${a.via === 'RFC2136' ? 'RFC 2136 updates' : 'the PowerDNS API'} of ${dnsServer(a.record.server)}.`);
    case 'RestoreRecord':
      return h('p', {'data-testid': 'plan-dns'}, `DNS: ${a.record.name} in zone ${a.record.zone} back to the address the undone step found, `
        + `via ${a.via === 'RFC2136' ? 'RFC 2136 updates' : 'the PowerDNS API'} of ${dnsServer(a.record.server)}.`);
    case 'SetWeights': {
      const t = table({caption: `HAProxy checkout weights (${String(a.action).toLowerCase()} ${a.from} → ${a.to})`, className: 'plan-weights',
        columns: ['HAProxy of', 'Runtime API', 'Backend', 'Weights after']});
      for (const w of a.haproxies || []) {
        const after = Object.entries(w.after || {});
        t.tbody.append(h('tr', {'data-testid': 'plan-haproxy'}, h('th', {scope: 'row', text: w.dc}), h('td', {text: addr(w.runtime)}),
          h('td', {text: w.backend}), h('td', {text: after.length ? after.map(([k, v]) => `${k}=${v}`).join(', ') : 'as recorded before (restore)'})));
      }
      return t.wrap;
    }
    case 'SwitchShards':
      return h('div', null, h('p', {text: `Shards from ${a.from} to ${a.to}, each within ${fmtDuration(a.perShardTimeout)}; `
        + `${(a.groups || []).length} group(s), one after the other, the shards of a group in parallel.`}),
      (a.groups || []).map((g, i) => moves(`Group ${i + 1}`, g.map(m => [m.shard, server(m.fence), server(m.candidate), m.flips]))));
    case 'FlipWriters':
      return moves('Emergency promotions (old primaries not asked)', (a.shards || []).map(m => [m.shard, '(not fenced: its DC is down)', server(m.target), m.flips]));
    case 'ConsulKv':
      return h('p', {text: `Consul key ${a.key} := “${a.value}”`});
    case 'ConsulTags':
      return h('p', {text: `Consul catalog: ${a.service} in ${a.dc} tagged [${(a.tags || []).join(', ')}]`});
    case 'ConsulRestore':
      return h('p', {text: 'Consul: what the undone step recorded goes back.'});
    case 'Call':
      return h('p', {text: `HTTP ${a.method} ${a.url}${a.body ? ` with body ${a.body}` : ''}`});
    case 'Wait':
      return h('p', {text: `Waits until ${condition(a.condition || {})}, checking every ${fmtDuration(a.interval)}`});
    case 'Checkout':
      return h('p', {text: `One synthetic checkout per shard (${(a.shards || []).join(', ')}) at ${a.dc}'s app ${addr(a.app)}`});
    case 'Message':
      return h('p', {text: `Message${a.channels && a.channels.length ? ` to ${a.channels.join(', ')}` : ''}: “${a.text}”`});
    default:
      return h('pre', {class: 'code', text: JSON.stringify(a, null, 2)});
  }
}

function dnsServer(s) {
  if (!s) return 'the DNS server';
  return `${addr(s.address)}${s.api ? ` (API ${s.api})` : ''}${s.tsig ? ` (TSIG key ${s.tsig.name}, ${s.tsig.algorithm})` : ''}`;
}

function moves(caption, rows) {
  const t = table({caption, className: 'plan-moves', columns: ['Shard', 'Fenced (made read-only)', 'Promoted', 'Writers repointed']});
  for (const [shard, fence, candidate, flips] of rows) {
    t.tbody.append(h('tr', {'data-testid': 'plan-shard', 'data-shard': shard}, h('th', {scope: 'row', text: shard}), h('td', {text: fence}),
      h('td', {text: candidate}), h('td', {class: 'wrap'}, list((flips || []).map(flipLine)))));
  }
  return t.wrap;
}

/** What the servers and the traffic look like now (FailoverPlan): each shard's live fence and candidate, DNS and LB before → after. */
function liveCheck(p) {
  const t = table({id: 'plan-live-shards', caption: 'Each shard as its servers say now', className: 'plan-live',
    columns: ['Shard', 'Primary now (fenced)', 'Candidate', 'HAProxy writers flipped', 'Problems']});
  for (const s of p.shards || []) {
    t.tbody.append(h('tr', {'data-testid': 'plan-live-shard', 'data-shard': s.shard}, h('th', {scope: 'row', text: s.shard}),
      h('td', {text: server(s.fence)}), h('td', {text: server(s.candidate)}),
      h('td', {class: 'wrap'}, list((s.frontends || []).map(f => `${f.dc} HAProxy ${addr(f.haproxyRuntime)}: ${f.backend}/${f.server} `
        + `(frontend ${addr(f.frontend)}) → ${addr(f.newTarget)}`))),
      h('td', {class: s.problems && s.problems.length ? 'bad' : 'ok',
        text: s.problems && s.problems.length ? s.problems.join('; ') + (s.catchingUp ? ' (catching up)' : '') : 'none'})));
  }
  const tr = p.traffic || {};
  const parts = [h('h3', {text: 'Live check'}), t.wrap, h('h3', {text: 'Traffic preview'})];
  parts.push(h('p', {'data-testid': 'plan-traffic-dns'}, tr.dns ? `DNS ${tr.dns.name} (zone ${tr.dns.zone}): ${record(tr.dns.before)} → ${record(tr.dns.after)}`
    : 'DNS: could not be read (see problems).'));
  parts.push(h('p', {text: `Load balancers: ${tr.lb ? String(tr.lb).toLowerCase() : 'the runbook has no load-balancer step'}.`}));
  if (tr.weights) {
    const w = table({id: 'plan-traffic-weights', caption: 'HAProxy checkout weights, now → after', columns: ['HAProxy of', 'Backend / server', 'Now', 'After']});
    for (const x of tr.weights.weights || []) {
      w.tbody.append(h('tr', {class: x.before !== x.after ? 'changed' : ''}, h('th', {scope: 'row', text: x.haproxy}),
        h('td', {text: `${x.backend}/${x.server}`}), h('td', {text: String(x.before)}), h('td', {text: String(x.after)})));
    }
    parts.push(w.wrap);
    if (tr.weights.unreachable && tr.weights.unreachable.length) parts.push(h('p', {class: 'warn-text', text: `Unreachable HAProxies, left as they are: ${tr.weights.unreachable.join(', ')}`}));
  }
  if (tr.problems && tr.problems.length) {
    parts.push(h('div', {class: 'alert warning'}, h('p', {text: 'Parts of the traffic preview are missing (these do not refuse the failover; its step meets them and rolls back):'}),
      list(tr.problems)));
  }
  return h('section', {class: 'plan-live-check', 'aria-label': 'Live check and traffic preview'}, parts);
}
