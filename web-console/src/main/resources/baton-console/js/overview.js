// Overview (#/overview): every DC's verdict and reasons (which coordinator saw what), which DC takes checkout
// traffic, where each shard's primary is and every replica's lag (polled every 2 s, cells updated in place),
// agents, coordinators (leader marked), and the failover running now.
import * as api from './api.js';
import {loadUPlot, onResize, PALETTE} from './charts.js';
import {badge, errorBox, h, heading, keyedRows, section, setAttr, setBadge, setClass, setText, table} from './dom.js';
import {followEvents} from './events.js';
import {addr, ago, fmtDateTime, parseInstant} from './format.js';

const POLL_MS = 2000;
const LAG_POINTS = 150; // 5 minutes of 2 s polls

export function mount(main, params, ctx) {
  const updated = h('p', {id: 'overview-updated', 'data-testid': 'overview-updated', class: 'muted', text: 'Loading health…'});
  const errorSlot = h('div', {id: 'overview-error'});
  const leaderNote = h('p', {id: 'leader-note', 'data-testid': 'leader-note', class: 'warn-text'});
  const running = h('div', {id: 'running-failover', 'data-testid': 'running-failover', class: 'banner', text: 'Looking for a running failover…'});
  const dcCards = h('div', {id: 'dc-cards', class: 'cards', 'data-testid': 'dc-cards'});
  const traffic = h('div', {id: 'checkout-traffic', 'data-testid': 'checkout-traffic'}, h('p', {text: 'Loading…'}));
  const shardSlot = h('div', {id: 'shard-slot'}, h('p', {text: 'Loading shards…'}));
  const lagChart = h('div', {id: 'lag-chart', class: 'chart', 'data-testid': 'lag-chart'});
  const lagNote = h('p', {class: 'muted', id: 'lag-chart-note'});
  const agents = table({id: 'agent-table', testid: 'agent-table', caption: 'Agents',
    columns: ['Agent', 'DC', 'Status', 'Last sequence', 'Sent', 'Received', 'Transport lag']});
  const coords = table({id: 'coordinator-table', testid: 'coordinator-table', caption: 'Coordinators',
    columns: ['Coordinator', 'DC', 'Role', 'Latest observation', 'Note']});

  main.append(heading('Overview'), updated, leaderNote, errorSlot, running,
    section('Datacenters', 'datacenters', dcCards),
    section('Checkout traffic', 'traffic', traffic),
    section('Shards and replication', 'shards', shardSlot,
      h('h3', {text: 'Worst replica lag per DC, last 5 minutes'}), lagChart, lagNote),
    section('Agents', 'agents', agents.wrap),
    section('Coordinators', 'coordinators', coords.wrap));

  let topo = null;      // TopologyView
  let health = null;    // HealthSnapshot
  let failovers = [];
  const dcViews = new Map();   // dc -> {card, verdict, since, reasons, reasonsKey, primaries, observers}
  let shardGrid = null;        // {key, rows: Map(shard -> {primary, primaryDc, cells: Map(dc -> td), problems})}
  const lag = {xs: [], byDc: new Map()};
  let plot = null;
  let tick = 0;
  let timer = null;
  let polling = false;
  let liveTraffic = null; // GET /traffic: the DNS record and HAProxy weights as they are now

  // ---- loading -------------------------------------------------------------------------------------------
  async function loadTopology() {
    try {
      topo = await api.get('/topology', null, ctx.signal);
      renderCoordinators();
      renderTraffic();
      if (health) renderHealth();
    } catch (e) {
      if (ctx.alive() && !api.isAbort(e)) errorSlot.replaceChildren(errorBox(e, 'overview-error'));
    }
  }

  async function loadFailovers() {
    try {
      // One failover runs at a time and a new one is refused while any is RUNNING: the running one is the newest.
      failovers = await api.get('/failovers', {limit: 5}, ctx.signal) || [];
      renderRunning();
      renderTraffic();
    } catch (e) {
      if (ctx.alive() && !api.isAbort(e)) setText(running, `Cannot list failovers: ${e.message}`);
    }
  }

  async function poll() {
    if (!ctx.alive() || polling) return;
    if (document.hidden) {
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    polling = true;
    try {
      const wantAgents = tick % 2 === 0;
      // The live traffic read costs the coordinator a DNS query and a read of every HAProxy: every 10 s.
      const wantTraffic = tick++ % 5 === 0;
      const [snapshot, agentList, trafficNow] = await Promise.all([api.poll('/health', null, ctx.signal),
        wantAgents ? api.poll('/agents', null, ctx.signal) : null,
        wantTraffic ? api.poll('/traffic', null, ctx.signal) : null]);
      health = snapshot;
      errorSlot.replaceChildren();
      renderHealth();
      if (agentList) renderAgents(agentList);
      if (trafficNow) {
        liveTraffic = trafficNow;
        renderTraffic();
      }
    } catch (e) {
      if (!ctx.alive() || api.isAbort(e)) return;
      errorSlot.replaceChildren(errorBox(e, 'overview-error'));
      setClass(updated, 'muted stale');
    } finally {
      polling = false;
    }
    if (ctx.alive()) timer = setTimeout(poll, POLL_MS);
  }

  // ---- health --------------------------------------------------------------------------------------------
  function dcNames() {
    if (topo) return topo.topology.datacenters.map(d => d.name);
    return health ? health.datacenters.map(d => d.dc) : [];
  }

  function renderHealth() {
    setText(updated, `Health as of ${fmtDateTime(health.at)} (updated every 2 s).`);
    setClass(updated, 'muted');
    const serverDc = new Map();
    for (const s of health.shards) for (const sv of s.servers) serverDc.set(sv.serverId, sv.dc);
    const primariesIn = new Map();
    for (const s of health.shards) {
      if (s.writable.length === 1) {
        const dc = serverDc.get(s.writable[0]);
        primariesIn.set(dc, (primariesIn.get(dc) || 0) + 1);
      }
    }
    for (const d of health.datacenters) renderDc(d, primariesIn.get(d.dc) || 0, health.shards.length);
    renderShards();
    recordLag();
    renderCoordinators();
  }

  function dcView(name) {
    let v = dcViews.get(name);
    if (v) return v;
    const verdict = badge('…', 'unknown');
    verdict.dataset.testid = 'dc-verdict';
    const obs = table({caption: `Who saw ${name}`, columns: ['Coordinator', 'From DC', 'Counts as evidence', 'Fresh', 'Reached', 'Failed connects', 'Observed', 'Age']});
    v = {
      verdict,
      since: h('span'),
      primaries: h('span', {'data-testid': 'dc-primaries'}),
      reasons: h('ul', {class: 'reasons', 'data-testid': 'dc-reasons'}),
      reasonsKey: null,
      observers: obs.tbody,
    };
    v.card = h('article', {class: 'card dc-card', 'data-testid': 'dc-card', 'data-dc': name, id: `dc-${name}`},
      h('h3', null, name, ' ', verdict),
      h('p', null, 'Since ', v.since, '. Primaries here: ', v.primaries, '.'),
      h('h4', {text: 'Reasons'}), v.reasons,
      h('details', null, h('summary', {text: 'Who saw what'}), obs.wrap));
    dcViews.set(name, v);
    dcCards.append(v.card);
    return v;
  }

  function renderDc(d, primaries, shardCount) {
    const v = dcView(d.dc);
    setBadge(v.verdict, d.verdict, d.verdict);
    setAttr(v.card, 'data-verdict', d.verdict);
    setText(v.since, fmtDateTime(d.since));
    setText(v.primaries, `${primaries} of ${shardCount}`);
    // Reasons change rarely: rebuilt only when they do.
    const key = JSON.stringify(d.reasons);
    if (key !== v.reasonsKey) {
      v.reasonsKey = key;
      v.reasons.replaceChildren(...(d.reasons.length ? d.reasons.map(r => h('li', {text: r})) : [h('li', {class: 'muted', text: 'none: healthy'})]));
    }
    keyedRows(v.observers, d.observedBy || [], o => o.coordinator, o => [
      o.coordinator, o.from, o.outside ? 'yes' : 'no (inside this DC)', {text: o.fresh ? 'yes' : 'stale', class: o.fresh ? '' : 'warn'},
      {text: o.reachable ? `yes (${o.targets - o.failures.length}/${o.targets})` : 'no', class: o.reachable ? 'ok' : 'bad'},
      o.failures.length ? o.failures.join('; ') : 'none', fmtDateTime(o.observedAt), ago(o.ageMs)]);
  }

  /** Rows from the topology (known before the first evaluation), else from the health snapshot. */
  function shardList() {
    if (topo) return topo.topology.shards.map(s => ({name: s.name, servers: s.servers.map(sv => ({id: sv.id, dc: sv.dc}))}));
    return health.shards.map(s => ({name: s.shard, servers: s.servers.map(sv => ({id: sv.serverId, dc: sv.dc}))}));
  }

  function buildShardGrid(shards, dcs) {
    const t = table({id: 'shard-table', testid: 'shard-table', caption: 'Shards: primary and replica lag per DC',
      columns: ['Shard', 'Primary', 'Primary DC', ...dcs.map(d => `${d} server`), 'Problems']});
    const rows = new Map();
    for (const s of shards) {
      const cells = new Map();
      const r = {primary: h('td'), primaryDc: h('td'), cells, problems: h('td', {class: 'problems-cell'})};
      const tr = h('tr', {'data-testid': 'shard-row', 'data-shard': s.name}, h('th', {scope: 'row', text: s.name}), r.primary, r.primaryDc);
      for (const dc of dcs) {
        const sv = s.servers.find(x => x.dc === dc);
        const td = h('td', {'data-testid': 'lag-cell', 'data-server': sv ? sv.id : '', 'data-dc': dc, text: sv ? '…' : '–'});
        cells.set(dc, td);
        tr.append(td);
      }
      tr.append(r.problems);
      t.tbody.append(tr);
      rows.set(s.name, r);
    }
    shardSlot.replaceChildren(t.wrap);
    return rows;
  }

  function renderShards() {
    const shards = shardList();
    const dcs = dcNames();
    const key = JSON.stringify([shards.map(s => s.name), dcs]);
    if (!shardGrid || shardGrid.key !== key) shardGrid = {key, rows: buildShardGrid(shards, dcs)};
    const byName = new Map(health.shards.map(s => [s.shard, s]));
    for (const [name, r] of shardGrid.rows) {
      const s = byName.get(name);
      if (!s) {
        setText(r.primary, 'not evaluated yet');
        continue;
      }
      const byDc = new Map(s.servers.map(sv => [sv.dc, sv]));
      setText(r.primary, s.writable.length === 1 ? s.writable[0] : s.writable.length ? `${s.writable.join(', ')} (more than one!)` : 'none writable');
      setClass(r.primary, s.writable.length === 1 ? '' : 'bad');
      const primary = s.servers.find(sv => s.writable.length === 1 && sv.serverId === s.writable[0]);
      setText(r.primaryDc, primary ? primary.dc : '–');
      for (const [dc, td] of r.cells) {
        const sv = byDc.get(dc);
        const [text, cls, state] = serverCell(sv);
        setText(td, text);
        setClass(td, cls);
        setAttr(td, 'data-state', state);
        if (sv) setAttr(td, 'title', sv.error ? `${sv.serverId}: ${sv.error}` : sv.serverId);
      }
      setText(r.problems, s.problems.length ? s.problems.join('; ') : '');
      setClass(r.problems, s.problems.length ? 'problems-cell bad' : 'problems-cell');
    }
  }

  /** [text, class, state] of one server's cell: primary, its lag, or why there is none. */
  function serverCell(sv) {
    if (!sv) return ['–', 'muted', 'absent'];
    if (!sv.reported) return ['no report', 'warn', 'unreported'];
    if (!sv.reachable) return [`unreachable${sv.error ? ': ' + sv.error : ''}`, 'bad', 'unreachable'];
    if (sv.writable) return ['primary (writable)', 'primary', 'primary'];
    if (!sv.replicating) return [`not replicating${sv.error ? ': ' + sv.error : ''}`, 'bad', 'not-replicating'];
    if (sv.lagSeconds === null || sv.lagSeconds === undefined) return ['lag unknown', 'warn', 'lag-unknown'];
    const cls = sv.lagSeconds < 1 ? 'ok' : sv.lagSeconds < 10 ? 'warn' : 'bad';
    return [`${sv.lagSeconds} s behind`, cls, 'replica'];
  }

  // ---- replication lag chart (one small uPlot, not one per replica: 32 plots every 2 s would cost more than they tell)
  function recordLag() {
    const t = parseInstant(health.at);
    if (t === null || t <= 0) return;
    const dcs = dcNames();
    lag.xs.push(t / 1000);
    for (const dc of dcs) {
      if (!lag.byDc.has(dc)) lag.byDc.set(dc, lag.xs.slice(0, -1).map(() => null));
      let worst = null;
      for (const s of health.shards) {
        for (const sv of s.servers) {
          if (sv.dc === dc && !sv.writable && sv.lagSeconds !== null && sv.lagSeconds !== undefined) worst = Math.max(worst ?? 0, sv.lagSeconds);
        }
      }
      lag.byDc.get(dc).push(worst);
    }
    if (lag.xs.length > LAG_POINTS) {
      lag.xs.shift();
      for (const a of lag.byDc.values()) a.shift();
    }
    drawLag(dcs);
  }

  let plotLoading = false;
  async function drawLag(dcs) {
    const data = [lag.xs, ...dcs.map(d => lag.byDc.get(d))];
    if (plot) {
      if (plot.series.length === data.length) plot.setData(data);
      return;
    }
    if (plotLoading) return;
    plotLoading = true;
    try {
      const UPlot = await loadUPlot();
      if (!ctx.alive()) return;
      plot = new UPlot({
        width: Math.max(lagChart.clientWidth, 280), height: 160,
        tzDate: ts => UPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'), // UTC, as every time on the page
        // The last 5 minutes, even while there are only a few points (else one point spans years).
        scales: {x: {time: true, range: (u, min, max) => [max - LAG_POINTS * POLL_MS / 1000, max]},
          y: {range: (u, min, max) => [0, Math.max(1, max)]}},
        series: [{}, ...dcs.map((d, i) => ({label: `${d} (s)`, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false}))],
        axes: [{}, {label: 'seconds behind', size: 50}],
      }, [lag.xs, ...dcs.map(d => lag.byDc.get(d))], lagChart);
      onResize(lagChart, w => plot.setSize({width: w, height: 160}), ctx.signal);
      ctx.onCleanup(() => plot.destroy());
      setText(lagNote, 'The table above has every replica; the plot shows the worst one of each DC.');
    } catch (e) {
      setText(lagNote, `No lag plot: ${e.message}. The table above has every replica's lag.`);
    } finally {
      plotLoading = false;
    }
  }

  // ---- agents, coordinators ----------------------------------------------------------------------------
  function renderAgents(list) {
    keyedRows(agents.tbody, list, a => a.agentId, a => [a.agentId, a.dc,
      {text: a.silent ? 'silent' : 'reporting', class: a.silent ? 'bad' : 'ok'}, String(a.lastSequence),
      fmtDateTime(a.sentAt), fmtDateTime(a.receivedAt), `${a.lagMs} ms`], a => ({'data-testid': 'agent-row', 'data-agent': a.agentId}));
  }

  function renderCoordinators() {
    const byId = new Map();
    const see = (id, dc) => {
      if (!id) return null;
      if (!byId.has(id)) byId.set(id, {id, dc: dc || '', age: null});
      const c = byId.get(id);
      if (dc && !c.dc) c.dc = dc;
      return c;
    };
    if (health) {
      for (const d of health.datacenters) {
        for (const o of d.observedBy || []) {
          const c = see(o.coordinator, o.from);
          c.age = c.age === null ? o.ageMs : Math.min(c.age, o.ageMs);
        }
      }
    }
    if (topo) {
      see(topo.coordinator);
      if (topo.leader) see(topo.leader);
    }
    const leader = topo ? topo.leader : '';
    const list = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
    keyedRows(coords.tbody, list, c => c.id, c => [c.id, c.dc || '–',
      {text: c.id === leader ? 'leader' : 'follower', class: c.id === leader ? 'leader' : ''},
      c.age === null ? '–' : ago(c.age),
      topo && c.id === topo.coordinator ? 'answered this console' : ''],
    c => ({'data-testid': 'coordinator-row', 'data-coordinator': c.id}));
    for (const tr of coords.tbody.rows) setAttr(tr, 'data-leader', tr.dataset.key === leader);
    setText(leaderNote, topo && !leader ? 'No coordinator leads right now: failovers cannot start.' : '');
  }

  // ---- running failover and checkout traffic ------------------------------------------------------------
  function renderRunning() {
    const now = failovers.find(f => f.state === 'RUNNING');
    if (!now) {
      running.replaceChildren(h('p', null, 'No failover is running. ', h('a', {href: '#/evacuate', id: 'overview-evacuate-link'}, 'Plan an evacuation'), '.'));
      setAttr(running, 'data-running', 'false');
      return;
    }
    setAttr(running, 'data-running', 'true');
    running.replaceChildren(h('p', null, badge('RUNNING'), ` Failover ${now.id} from ${now.request.from} to ${now.request.to}, started by `
      + `${now.requestedBy} at ${fmtDateTime(now.created)}. `,
    h('a', {href: `#/live/${encodeURIComponent(now.id)}`, id: 'running-failover-link', 'data-testid': 'running-failover-link'}, 'Follow it live')));
  }

  /** Where checkout goes now, read live by the coordinator (GET /traffic): the DNS record and every HAProxy's weights. */
  function renderTraffic() {
    if (!topo) return;
    const t = topo.topology;
    const parts = [];
    if (!liveTraffic) {
      parts.push(h('p', {'data-testid': 'checkout-dc', 'data-dc': '', text: 'Reading the DNS record and the HAProxy weights…'}));
    } else {
      const v = liveTraffic;
      parts.push(h('p', {'data-testid': 'checkout-dc', 'data-dc': v.dnsDc || ''},
        h('strong', {text: v.dnsDc ? `${v.dnsDc} takes checkout traffic` : 'Checkout DC unknown'}),
        v.dnsAddress ? ` (DNS: ${v.dnsName} → ${v.dnsAddress}, TTL ${v.dnsTtl} s)` : ` (DNS: ${v.dnsError || 'no answer'})`));
      if (v.weights) {
        const wt = table({id: 'checkout-weights', caption: 'HAProxy checkout weights now (0: drained)', columns: ['HAProxy of', 'Server', 'Weight']});
        for (const [haproxy, servers] of Object.entries(v.weights)) {
          for (const [server, weight] of Object.entries(servers)) {
            wt.tbody.append(h('tr', {'data-testid': 'weight-row', 'data-haproxy': haproxy, 'data-server': server},
              h('th', {scope: 'row', text: haproxy}), h('td', {text: server}), h('td', {text: String(weight)})));
          }
        }
        parts.push(wt.wrap);
      } else {
        parts.push(h('p', {class: 'error', text: `HAProxy weights: ${v.weightsError}`}));
      }
    }
    const entries = t.datacenters.map(d => `${d.name}: ${addr(d.checkoutFrontend ? d.checkoutFrontend.endpoint : d.checkoutApp)}`);
    parts.push(h('p', {class: 'muted', text: `Checkout entry points: ${entries.join(', ')}.`}));
    traffic.replaceChildren(...parts);
  }

  // ---- live updates --------------------------------------------------------------------------------------
  let failoverReload = null;
  const reloadFailoversSoon = () => {
    if (failoverReload) return;
    failoverReload = setTimeout(() => {
      failoverReload = null;
      loadFailovers();
    }, 1000);
  };
  followEvents({
    signal: ctx.signal,
    onEvent: e => {
      if (e.type === 'leadership') loadTopology();
      else if (['failover.started', 'failover.finished', 'failover.abandoned', 'failover.takeover.finished'].includes(e.type)) reloadFailoversSoon();
    },
    onReconnect: () => {
      loadTopology();
      loadFailovers();
    },
  });
  // A fallback for missed events; each failover listed costs the coordinator ZooKeeper reads, so not often.
  const slow = setInterval(() => {
    if (!document.hidden) {
      loadTopology();
      loadFailovers();
    }
  }, 60_000);
  const onVisible = () => {
    if (!document.hidden) {
      clearTimeout(timer);
      poll();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  ctx.onCleanup(() => {
    clearTimeout(timer);
    clearTimeout(failoverReload);
    clearInterval(slow);
    document.removeEventListener('visibilitychange', onVisible);
  });

  loadTopology();
  loadFailovers();
  poll();
}
