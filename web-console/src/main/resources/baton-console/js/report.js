// Report (#/failovers/<id>): a failover's summary, its steps as a Gantt chart (ECharts) with the same steps
// in a table beside it, the write pause of every shard, the traffic changes and verification checkouts, and
// what the agents' checkout probes saw from 30 s before to 30 s after it (uPlot: success and latency per DC).
import * as api from './api.js';
import {loadECharts, loadUPlot, onResize, PALETTE} from './charts.js';
import {badge, errorBox, fill, h, heading, section, setText, table} from './dom.js';
import {fmtDateTime, fmtMs, parseInstant} from './format.js';

const MARGIN_MS = 30_000;
const STATE_COLORS = {DONE: '#2e7d32', RUNNING: '#1f5fbf', WAITING: '#8d6e00', FAILED: '#c62828', ROLLED_BACK: '#7b1fa2', SKIPPED: '#757575', PENDING: '#9e9e9e'};

export async function mount(main, [id], ctx) {
  const summary = h('div', {id: 'report-summary', 'data-testid': 'report-summary'}, h('p', {text: 'Loading the report…'}));
  // role=img: ECharts' aria option labels the container, which needs a role to carry a label.
  const gantt = h('div', {id: 'report-gantt', 'data-testid': 'report-gantt', class: 'chart gantt', role: 'img', 'aria-label': 'Gantt chart of the steps'});
  const ganttNote = h('p', {class: 'muted', id: 'report-gantt-note'});
  const stepsSlot = h('div', {id: 'report-steps-slot'});
  const shardsSlot = h('div', {id: 'report-shards-slot'});
  const trafficSlot = h('div', {id: 'report-traffic'});
  const checkouts = h('div', {id: 'report-checkouts', 'data-testid': 'report-checkouts'}, h('p', {class: 'muted', text: 'Loading the checkout probes…'}));
  main.append(heading(`Failover report ${id}`), summary,
    section('Timeline', 'report-timeline', gantt, ganttNote, stepsSlot),
    section('Write pause per shard', 'report-shards-section', shardsSlot),
    section('Checkouts during the failover', 'report-checkouts-section', checkouts),
    section('Traffic changes and verification', 'report-traffic-section', trafficSlot));

  let report;
  let failover = null;
  try {
    [report, failover] = await Promise.all([api.get(`/failovers/${encodeURIComponent(id)}/report`, null, ctx.signal),
      api.get(`/failovers/${encodeURIComponent(id)}`, null, ctx.signal).catch(() => null)]);
  } catch (e) {
    if (ctx.alive() && !api.isAbort(e)) summary.replaceChildren(errorBox(e, 'report-error'));
    return;
  }
  if (!ctx.alive()) return;
  const created = parseInstant(report.created);
  const end = parseInstant(report.finished) ?? Date.now();

  renderSummary(summary, report, failover);
  stepsSlot.append(stepsTable(report, created));
  shardsSlot.append(shardsTable(report));
  trafficSlot.append(trafficView(report));
  drawGantt(gantt, ganttNote, report, created, end, ctx);
  loadCheckouts(checkouts, created, end, report, ctx);
}

function renderSummary(el, r, f) {
  const switched = r.shards.filter(s => s.state === 'SWITCHED').length;
  const pauses = r.shards.map(s => s.writePauseMs).filter(p => p !== null && p !== undefined);
  const items = [
    ['State', badge(r.state)],
    ['From → to', `${r.from} → ${r.to}`],
    ['Runbook', r.runbook ? [r.runbook, r.runbookSha256 ? [' ', h('code', {class: 'sha', text: `sha256 ${r.runbookSha256}`})] : null] : 'none recorded'],
    ['Requested by', f ? `${f.requestedBy} (coordinator ${f.coordinator})` : '–'],
    ['Reason given', f ? f.request.reason : '–'],
    ['Started', fmtDateTime(r.created)],
    ['Finished', r.finished ? fmtDateTime(r.finished) : 'still running'],
    ['Took', r.wallMs === null || r.wallMs === undefined ? 'still running' : fmtMs(r.wallMs)],
    ['Shards switched', `${switched} of ${r.shards.length}`],
    ['Worst write pause', pauses.length ? fmtMs(Math.max(...pauses)) : '–'],
    ['Verification', r.verified === null || r.verified === undefined ? 'not verified' : r.verified ? 'every checkout went through' : 'FAILED'],
  ];
  if (r.reason) items.push(['Why it ended so', r.reason]);
  fill(el,
    r.state === 'RUNNING' ? h('p', {class: 'alert info'}, 'Still running: ', h('a', {href: `#/live/${encodeURIComponent(r.id)}`, id: 'report-live-link'}, 'follow it live'), '.') : null,
    h('dl', {class: 'summary', 'data-state': r.state}, items.map(([k, v]) => [h('dt', {text: k}), h('dd', null, v)])));
}

function stepsTable(r, created) {
  const t = table({id: 'report-steps', testid: 'report-steps', caption: 'Steps (the same as the chart above)',
    columns: ['Step', 'State', 'Started', 'Took', 'Changes', 'Error']});
  for (const s of r.timeline) {
    const start = parseInstant(s.startedAt);
    t.tbody.append(h('tr', {'data-testid': 'report-step-row', 'data-step': s.name, 'data-state': s.state.toLowerCase()},
      h('th', {scope: 'row', text: s.name}), h('td', null, badge(s.state)),
      h('td', {text: start === null ? '–' : `+${Math.round(start - created)} ms`}), h('td', {text: fmtMs(s.durationMs)}),
      h('td', {class: 'wrap'}, s.changes.length ? h('ul', {class: 'changes'}, s.changes.map(c => h('li', {text: c}))) : ''),
      h('td', {class: s.error ? 'wrap bad' : 'wrap', text: s.error || ''})));
  }
  return t.wrap;
}

function shardsTable(r) {
  const t = table({id: 'report-shards', testid: 'report-shards', caption: 'Write pause per shard',
    columns: ['Shard', 'State', 'Write pause', {label: 'Pause (bar)', class: 'bar-col'}, 'Wall', 'Engine steps', 'Reason']});
  const max = Math.max(1, ...r.shards.map(s => s.writePauseMs || 0));
  for (const s of r.shards) {
    const bar = h('div', {class: 'bar pause'});
    bar.style.width = `${((s.writePauseMs || 0) / max * 100).toFixed(1)}%`;
    t.tbody.append(h('tr', {'data-testid': 'report-shard-row', 'data-shard': s.shard, 'data-state': s.state.toLowerCase()},
      h('th', {scope: 'row', text: s.shard}), h('td', {class: s.state === 'SWITCHED' ? 'ok' : 'bad', text: s.state.toLowerCase().replace('_', ' ')}),
      h('td', {'data-testid': 'write-pause', text: fmtMs(s.writePauseMs)}),
      h('td', {class: 'bar-col'}, h('div', {class: 'track', 'aria-hidden': 'true'}, bar)),
      h('td', {text: fmtMs(s.wallMs)}),
      h('td', null, s.steps.length ? h('details', null, h('summary', {text: `${s.steps.length} step${s.steps.length === 1 ? '' : 's'}`}),
        h('ul', {class: 'changes'}, s.steps.map(x => h('li', {text: `${x.name}${x.durationMs === null || x.durationMs === undefined ? '' : ` ${fmtMs(x.durationMs)}`}`})))) : '–'),
      h('td', {class: 'wrap', text: s.reason || ''})));
  }
  if (!r.shards.length) return h('p', {class: 'muted', text: 'No shard was part of this failover.'});
  return t.wrap;
}

function trafficView(r) {
  const parts = [];
  if (r.changeLines && r.changeLines.length) {
    parts.push(h('ul', {id: 'report-changes', 'data-testid': 'report-changes'}, r.changeLines.map(c => h('li', null,
      h('strong', {text: c.step}), `: ${c.text}`, c.made === 'FAILED' ? ' (attempted by a step that failed; it may not have taken)'
        : r.state === 'ROLLED_BACK' ? ' (rolled back)' : ''))));
  } else parts.push(h('p', {class: 'muted', text: 'No DNS, load-balancer or Consul change was recorded.'}));
  if (r.verifications && r.verifications.length) {
    const t = table({id: 'report-verifications', caption: 'Verification checkouts', columns: ['Idempotency key', 'DC', 'Result', 'Shard / order', 'Latency', 'Error']});
    for (const v of r.verifications) {
      t.tbody.append(h('tr', null, h('th', {scope: 'row', text: v.idempotencyKey}), h('td', {text: v.dc}),
        h('td', {class: v.ok ? 'ok' : 'bad', text: v.ok ? `ok (HTTP ${v.status})` : `failed (HTTP ${v.status || 'no reply'})`}),
        h('td', {text: v.shard ? `${v.shard} #${v.orderId}` : '–'}), h('td', {text: `${v.latencyMs} ms`}), h('td', {class: 'wrap', text: v.error || ''})));
    }
    parts.push(t.wrap);
  }
  return h('div', null, parts);
}

async function drawGantt(el, note, r, created, end, ctx) {
  const steps = r.timeline.filter(s => s.startedAt);
  if (!steps.length) {
    el.hidden = true;
    setText(note, 'No step has started: nothing to chart.');
    return;
  }
  let echarts;
  try {
    echarts = await loadECharts();
  } catch (e) {
    el.hidden = true;
    setText(note, `No chart: ${e.message}. The table below has every step.`);
    return;
  }
  if (!ctx.alive()) return;
  el.style.height = `${60 + steps.length * 34}px`;
  const offsets = steps.map(s => Math.max(0, parseInstant(s.startedAt) - created));
  const durations = steps.map(s => s.durationMs ?? Math.max(0, (parseInstant(s.finishedAt) ?? end) - parseInstant(s.startedAt)));
  const chart = echarts.init(el, null, {renderer: 'canvas'});
  chart.setOption({
    animation: false,
    aria: {enabled: true, label: {description: `Gantt chart of the ${steps.length} steps of failover ${r.id}; the table below lists the same.`}},
    grid: {left: 10, right: 90, top: 10, bottom: 40, containLabel: true},
    xAxis: {type: 'value', min: 0, max: Math.max(end - created, ...offsets.map((o, i) => o + durations[i])), name: 'ms since it started',
      nameLocation: 'middle', nameGap: 26, axisLabel: {color: '#333'}},
    yAxis: {type: 'category', inverse: true, data: steps.map(s => s.name), axisLabel: {color: '#222'}},
    // richText: the default HTML tooltip writes style attributes, which the CSP blocks.
    tooltip: {trigger: 'item', renderMode: 'richText',
      formatter: p => `${p.name}: ${steps[p.dataIndex].state.toLowerCase()}, from +${Math.round(offsets[p.dataIndex])} ms, took ${fmtMs(durations[p.dataIndex])}`},
    series: [
      {type: 'bar', stack: 'steps', silent: true, itemStyle: {color: 'rgba(0,0,0,0)'}, data: offsets, tooltip: {show: false}},
      {type: 'bar', stack: 'steps', barMaxWidth: 22,
        data: steps.map((s, i) => ({value: durations[i], itemStyle: {color: STATE_COLORS[s.state] || '#555'}})),
        label: {show: true, position: 'right', color: '#222', formatter: p => fmtMs(durations[p.dataIndex])}},
    ],
  });
  onResize(el, () => chart.resize(), ctx.signal);
  ctx.onCleanup(() => chart.dispose());
  setText(note, 'Colours: green done, blue running, yellow waiting, red failed, purple rolled back, grey skipped. The table below has the same steps.');
}

async function loadCheckouts(el, created, end, r, ctx) {
  const from = new Date(created - MARGIN_MS).toISOString();
  const to = new Date(end + MARGIN_MS).toISOString();
  let samples;
  try {
    samples = ((await api.get('/checkouts', {from, to}, ctx.signal)) || {}).samples || [];
  } catch (e) {
    if (ctx.alive() && !api.isAbort(e)) el.replaceChildren(errorBox(e, 'checkouts-error'));
    return;
  }
  if (!ctx.alive()) return;
  const windowNote = h('p', {class: 'muted', text: `Agents' checkout probes from ${fmtDateTime(from)} to ${fmtDateTime(to)} (30 s either side); dashed lines mark the failover's start and end.`});
  if (!samples.length) {
    el.replaceChildren(windowNote, h('p', {'data-testid': 'checkouts-empty', text: 'No checkout probe was recorded in this window.'}));
    return;
  }
  const dcs = [...new Set(samples.map(s => s.dc))].sort();
  const successPlot = h('div', {id: 'checkout-success-plot', 'data-testid': 'checkout-success-plot', class: 'chart'});
  const latencyPlot = h('div', {id: 'checkout-latency-plot', 'data-testid': 'checkout-latency-plot', class: 'chart'});
  const plotNote = h('p', {class: 'muted'});
  el.replaceChildren(windowNote, h('h3', {text: 'Checkout success (% of probes per interval)'}), successPlot,
    h('h3', {text: 'Checkout latency (mean ms per interval)'}), latencyPlot, plotNote, checkoutSummary(samples, dcs));

  // Buckets of at least a second, at most ~300 of them over the window.
  const t0 = created - MARGIN_MS;
  const span = end + MARGIN_MS - t0;
  const bucket = Math.max(1000, Math.ceil(span / 300 / 1000) * 1000);
  const n = Math.ceil(span / bucket) + 1;
  const xs = Array.from({length: n}, (_, i) => (t0 + i * bucket) / 1000);
  const acc = new Map(dcs.map(d => [d, {ok: new Array(n).fill(0), all: new Array(n).fill(0), lat: new Array(n).fill(0), latN: new Array(n).fill(0)}]));
  for (const s of samples) {
    const t = parseInstant(s.at);
    if (t === null) continue;
    const i = Math.min(n - 1, Math.max(0, Math.floor((t - t0) / bucket)));
    const a = acc.get(s.dc);
    a.all[i]++;
    if (s.ok) a.ok[i]++;
    if (typeof s.latencyMs === 'number') {
      a.lat[i] += s.latencyMs;
      a.latN[i]++;
    }
  }
  const success = [xs, ...dcs.map(d => acc.get(d).all.map((c, i) => c ? acc.get(d).ok[i] / c * 100 : null))];
  const latency = [xs, ...dcs.map(d => acc.get(d).latN.map((c, i) => c ? acc.get(d).lat[i] / c : null))];

  let UPlot;
  try {
    UPlot = await loadUPlot();
  } catch (e) {
    setText(plotNote, `No plots: ${e.message}. The table below summarises the probes.`);
    return;
  }
  if (!ctx.alive()) return;
  const marks = [created / 1000, (parseInstant(r.finished) ?? end) / 1000];
  const series = dcs.map((d, i) => ({label: d, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false, points: {show: true, size: 4}}));
  const opts = (yLabel, range) => ({
    width: Math.max(successPlot.clientWidth, 280), height: 200,
    tzDate: ts => UPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'), // UTC, as every time on the page
    scales: {x: {time: true}, y: range ? {range} : {}},
    series: [{}, ...series],
    axes: [{}, {label: yLabel, size: 56}],
    plugins: [markerPlugin(marks)],
  });
  const plots = [new UPlot(opts('% ok', [0, 100]), success, successPlot), new UPlot(opts('ms'), latency, latencyPlot)];
  onResize(successPlot, w => plots.forEach(p => p.setSize({width: w, height: 200})), ctx.signal);
  ctx.onCleanup(() => plots.forEach(p => p.destroy()));
  setText(plotNote, `Each point is ${bucket / 1000} s of probes. The table below has the same per DC.`);
}

/** Dashed vertical lines at the given x values (seconds): the failover's start and end. */
function markerPlugin(xs) {
  return {
    hooks: {
      draw: [u => {
        const c = u.ctx;
        c.save();
        c.strokeStyle = '#444';
        c.lineWidth = Math.max(1, devicePixelRatio);
        c.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        for (const x of xs) {
          const px = Math.round(u.valToPos(x, 'x', true));
          c.beginPath();
          c.moveTo(px, u.bbox.top);
          c.lineTo(px, u.bbox.top + u.bbox.height);
          c.stroke();
        }
        c.restore();
      }],
    },
  };
}

function checkoutSummary(samples, dcs) {
  const t = table({id: 'checkout-summary', testid: 'checkout-summary', caption: 'Checkout probes per DC in the window',
    columns: ['DC', 'Probes', 'Failed', 'Success', 'Median latency', 'Max latency', 'First failure']});
  for (const dc of dcs) {
    const mine = samples.filter(s => s.dc === dc);
    const failed = mine.filter(s => !s.ok);
    const lat = mine.map(s => s.latencyMs).filter(x => typeof x === 'number').sort((a, b) => a - b);
    t.tbody.append(h('tr', {'data-dc': dc}, h('th', {scope: 'row', text: dc}), h('td', {text: String(mine.length)}),
      h('td', {class: failed.length ? 'bad' : 'ok', text: String(failed.length)}),
      h('td', {text: `${(100 * (mine.length - failed.length) / mine.length).toFixed(1)} %`}),
      h('td', {text: lat.length ? fmtMs(lat[Math.floor(lat.length / 2)]) : '–'}), h('td', {text: lat.length ? fmtMs(lat[lat.length - 1]) : '–'}),
      h('td', {class: 'wrap', text: failed.length ? `${fmtDateTime(failed[0].at)} ${failed[0].agent}: ${failed[0].error || 'failed'}` : '–'})));
  }
  return t.wrap;
}
