// Dashboard: throughput and packet-rate charts, counters, top hosts and applications.

import { get } from './api.js';
import { h, bits, pps, bytes, num, duration, hostLink, bar } from './format.js';

function card(label) {
  const value = h('div', { class: 'value' }, '–');
  return { el: h('div', { class: 'card' }, h('div', { class: 'label' }, label), value), value };
}

function chart(container, label, color, fmt) {
  const opts = {
    width: Math.max(300, container.clientWidth - 16),
    height: 220,
    scales: { x: { time: true } },
    series: [{}, { label, stroke: color, fill: `${color}33`, width: 1.5, value: (u, v) => (v == null ? '–' : fmt(v)) }],
    axes: [{}, { size: 90, values: (u, vals) => vals.map(fmt) }],
    legend: { show: true },
  };
  const plot = new uPlot(opts, [[], []], container);
  return plot;
}

export function mount(root) {
  const cards = {
    bps: card('Throughput'),
    pps: card('Packet rate'),
    flows: card('Active flows'),
    hosts: card('Hosts'),
    drops: card('Drops'),
    uptime: card('Uptime'),
  };
  const bpsBox = h('div', { class: 'chart', dataset: { chart: 'bps', points: '0', max: '0' } });
  const ppsBox = h('div', { class: 'chart', dataset: { chart: 'pps', points: '0', max: '0' } });
  const local = h('tbody');
  const remote = h('tbody');
  const apps = h('tbody');
  const hostTable = (body) => h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Host'), h('th', { class: 'num' }, 'Bytes'), h('th', {}, ''))), body);
  root.replaceChildren(
    h('div', { class: 'cards' }, Object.values(cards).map((c) => c.el)),
    h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Throughput (bits/s)'), bpsBox),
      h('section', {}, h('h2', {}, 'Packets/s'), ppsBox)),
    h('div', { class: 'grid3' },
      h('section', { id: 'top-local' }, h('h2', {}, 'Top local hosts'), hostTable(local)),
      h('section', { id: 'top-remote' }, h('h2', {}, 'Top remote hosts'), hostTable(remote)),
      h('section', { id: 'top-apps' }, h('h2', {}, 'Top applications'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Application'), h('th', { class: 'num' }, 'Bytes'), h('th', {}, ''))), apps))),
  );
  const bpsChart = chart(bpsBox, 'bits/s', '#1f6feb', bits);
  const ppsChart = chart(ppsBox, 'packets/s', '#1a7f37', pps);
  const onResize = () => {
    bpsChart.setSize({ width: Math.max(300, bpsBox.clientWidth - 16), height: 220 });
    ppsChart.setSize({ width: Math.max(300, ppsBox.clientWidth - 16), height: 220 });
  };
  window.addEventListener('resize', onResize);

  function hostRows(body, page) {
    const items = page.items;
    const max = Math.max(1, ...items.map((x) => x.bytes_sent + x.bytes_rcvd));
    const rows = items.map((x) => h('tr', {},
      h('td', {}, hostLink(x.ip, x.name ? `${x.name} (${x.ip})` : x.ip)),
      h('td', { class: 'num' }, bytes(x.bytes_sent + x.bytes_rcvd)),
      h('td', { class: 'bar-cell' }, bar((x.bytes_sent + x.bytes_rcvd) / max))));
    if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'none')));
    body.replaceChildren(...rows);
  }

  function showSummary(summary) {
    cards.bps.value.textContent = bits(summary.bits_per_second);
    cards.pps.value.textContent = pps(summary.packets_per_second);
    cards.flows.value.textContent = num(summary.flows_active);
    cards.hosts.value.textContent = num(summary.hosts);
    const d = summary.drops;
    cards.drops.value.textContent = num(d.reports_dropped + d.records_dropped + d.flows_evicted + d.hosts_evicted);
    cards.drops.el.title = `worker reports ${d.reports_dropped}, flow records ${d.records_dropped}, flows evicted ${d.flows_evicted}, hosts evicted ${d.hosts_evicted}`;
    cards.uptime.value.textContent = duration(summary.uptime_s);
  }

  // The counters come pushed from /api/v1/events (Server-Sent Events) when the browser and the server manage it;
  // until the first event, and whenever the stream is down, they are polled with the rest.
  let live = false;
  let events = null;
  if (typeof EventSource === 'function') {
    events = new EventSource('/api/v1/events');
    events.addEventListener('summary', (e) => {
      live = true;
      root.dataset.live = 'true';
      try { showSummary(JSON.parse(e.data)); } catch { /* a bad event: the next one will do */ }
    });
    events.onerror = () => {
      live = false;
      root.dataset.live = 'false';
      // A closed stream (e.g. a 401) is not retried by the browser: polling takes over for good.
      if (events?.readyState === EventSource.CLOSED) events = null;
    };
  }

  async function refresh() {
    const [summary, series, top, rem, applications] = await Promise.all([
      live ? null : get('/api/v1/summary'),
      get('/api/v1/timeseries', { resolution: 'second' }),
      get('/api/v1/hosts', { local: true, per_page: 8, sort: 'bytes' }),
      get('/api/v1/hosts', { local: false, per_page: 8, sort: 'bytes' }),
      get('/api/v1/applications'),
    ]);
    if (summary) showSummary(summary);

    // uPlot wants ascending x: keep the points after the last step back in time (a replay loop restarts).
    let pts = series;
    for (let i = pts.length - 1; i > 0; i--) if (pts[i].t <= pts[i - 1].t) { pts = pts.slice(i); break; }
    const t = pts.map((p) => p.t);
    bpsChart.setData([t, pts.map((p) => p.bps)]);
    ppsChart.setData([t, pts.map((p) => p.pps)]);
    bpsBox.dataset.points = String(pts.length);
    bpsBox.dataset.max = String(Math.max(0, ...pts.map((p) => p.bps)));
    ppsBox.dataset.points = String(pts.length);
    ppsBox.dataset.max = String(Math.max(0, ...pts.map((p) => p.pps)));

    hostRows(local, top);
    hostRows(remote, rem);
    const topApps = [...applications].sort((a, b) => b.bytes - a.bytes).slice(0, 8);
    const max = Math.max(1, ...topApps.map((a) => a.bytes));
    const rows = topApps.map((a) => h('tr', {},
      h('td', {}, h('a', { href: `#/flows?q=${encodeURIComponent(a.name)}` }, a.name)),
      h('td', { class: 'num' }, bytes(a.bytes)),
      h('td', { class: 'bar-cell' }, bar(a.bytes / max))));
    if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'none')));
    apps.replaceChildren(...rows);
  }

  return {
    refresh,
    unmount() {
      events?.close();
      window.removeEventListener('resize', onResize);
      bpsChart.destroy();
      ppsChart.destroy();
    },
  };
}
