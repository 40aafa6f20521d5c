// The flow history: pick a range (last 5 min … 30 days, or custom), see its traffic chart (drag across it to zoom
// into a narrower range), the flows of the range and its top hosts, applications, conversations and ports;
// download the flows as CSV or JSON. Ranges end at the newest stored flow, so a replayed capture's history shows.

import { get } from './api.js';
import { h, bits, bytes, num, time, endpoint } from './format.js';
import { sortableTable, pager, filterBox } from './table.js';

const PER_PAGE = 25;
const PRESETS = [
  ['5m', 300], ['15m', 900], ['1h', 3600], ['6h', 21600], ['24h', 86400], ['7d', 604800], ['30d', 2592000],
];
const TOPS = [
  ['hosts', 'Top hosts'], ['applications', 'Top applications'], ['conversations', 'Top conversations'], ['ports', 'Top ports'],
];

const toInput = (s) => new Date(s * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
const fromInput = (v) => Math.floor(new Date(v).getTime() / 1000);

export function mount(root, params) {
  const state = { sort: 'bytes', order: 'desc', page: 1, pages: 1, q: params.get('q') ?? '', from: 0, to: 0, preset: params.get('range') ?? '1h' };
  let newest = 0;
  let dirty = true;
  let loading = false;

  const select = h('select', { id: 'history-range', 'aria-label': 'Time range' },
    ...PRESETS.map(([k]) => h('option', { value: k }, `last ${k}`)), h('option', { value: 'custom' }, 'custom'));
  select.value = state.preset;
  const fromEl = h('input', { type: 'datetime-local', id: 'history-from', 'aria-label': 'From' });
  const toEl = h('input', { type: 'datetime-local', id: 'history-to', 'aria-label': 'To' });
  const apply = h('button', { type: 'button', id: 'history-apply' }, 'Apply');
  const rangeText = h('span', { id: 'history-range-text', class: 'muted' });
  const csv = h('a', { id: 'history-csv', class: 'button', download: 'xntop-flows.csv' }, 'Download CSV');
  const json = h('a', { id: 'history-json', class: 'button', download: 'xntop-flows.jsonl' }, 'Download JSON');
  const summary = h('p', { id: 'history-summary', class: 'muted' });
  const chartBox = h('div', { id: 'history-chart', class: 'chart' });
  const refreshNow = () => { dirty = true; refresh().catch(() => {}); };
  select.addEventListener('change', () => { state.preset = select.value; if (state.preset !== 'custom') setPreset(); });
  apply.addEventListener('click', () => {
    const f = fromInput(fromEl.value);
    const t = fromInput(toEl.value);
    if (Number.isFinite(f) && Number.isFinite(t) && f < t) { state.preset = 'custom'; select.value = 'custom'; setRange(f, t); }
  });

  const columns = [
    { label: 'Proto', cell: (f) => f.proto },
    { label: 'Client', cell: (f) => endpoint(f.src_ip, f.src_port) },
    { label: 'Server', cell: (f) => endpoint(f.dst_ip, f.dst_port) },
    { label: 'Application', cell: (f) => h('span', { class: 'badge' }, f.app) },
    { label: 'Server name', wrap: true, cell: (f) => f.server_name ?? '' },
    { label: 'Packets', num: true, sort: 'packets', cell: (f) => num(f.packets_c2s + f.packets_s2c) },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (f) => bytes(f.bytes_c2s + f.bytes_s2c) },
    { label: 'First seen', sort: 'first_seen', cell: (f) => time(f.first_seen) },
    { label: 'Last seen', sort: 'last_seen', cell: (f) => time(f.last_seen) },
    { label: 'End', cell: (f) => f.end_reason },
  ];
  const table = sortableTable(columns, state, refreshNow, (f) => ({ dataset: { bytes: f.bytes_c2s + f.bytes_s2c } }));
  table.table.id = 'history-flows';
  const pages = pager(state, refreshNow);
  const filter = filterBox('Filter: any text of the record (address, name, application, JA4, …)', state, refreshNow);
  filter.id = 'history-filter';

  const tops = TOPS.map(([by, title]) => {
    const tbody = h('tbody');
    const tbl = h('table', { id: `history-top-${by}` },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, title), h('th', { class: 'num', scope: 'col' }, 'Bytes'),
        h('th', { class: 'num', scope: 'col' }, 'Flows'))), tbody);
    return { by, tbody, el: h('div', { class: 'panel' }, tbl) };
  });

  let plot = null;
  function drawChart(points, step) {
    const xs = points.map((p) => p.t);
    const ys = points.map((p) => p.bps);
    chartBox.dataset.points = String(points.length);
    chartBox.dataset.step = String(step);
    chartBox.dataset.from = String(state.from);
    chartBox.dataset.to = String(state.to);
    plot?.destroy();
    const width = Math.max(300, chartBox.clientWidth - 16);
    plot = new uPlot({
      width,
      height: 220,
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
      series: [{}, { label: 'traffic', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.15)', width: 1.5, value: (u, v) => (v == null ? '–' : bits(v)) }],
      axes: [{}, { size: 90, values: (u, vals) => vals.map(bits) }],
      hooks: {
        // Dragging across the chart narrows the range to the selection.
        setSelect: [(u) => {
          if (u.select.width < 2) return;
          const a = Math.floor(u.posToVal(u.select.left, 'x'));
          const b = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
          u.setSelect({ left: 0, width: 0 }, false);
          if (b - a >= 60) { state.preset = 'custom'; select.value = 'custom'; setRange(a, b); }
        }],
      },
    }, [xs, ys], chartBox);
  }

  function setRange(from, to) {
    state.from = from;
    state.to = to;
    state.page = 1;
    fromEl.value = toInput(from);
    toEl.value = toInput(to);
    rangeText.textContent = `${time(from)} – ${time(to)}`;
    refreshNow();
  }
  function setPreset() {
    const span = (PRESETS.find(([k]) => k === state.preset) ?? PRESETS[2])[1];
    const end = (newest || Math.floor(Date.now() / 1000)) + 1;
    setRange(end - span, end);
  }

  root.replaceChildren(
    h('h2', {}, 'History'),
    h('div', { class: 'toolbar' }, select, fromEl, toEl, apply, rangeText),
    summary,
    chartBox,
    h('p', { class: 'muted' }, 'Drag across the chart to zoom into a range.'),
    h('div', { class: 'grid2' }, ...tops.map((t) => t.el)),
    h('h3', {}, 'Flows'),
    h('div', { class: 'toolbar' }, filter, csv, json),
    table.table,
    pages.el,
  );

  function flowParams() {
    return { from: state.from, to: state.to, q: state.q, sort: state.sort, order: state.order };
  }

  async function refresh() {
    if (!dirty || loading) return;
    loading = true;
    try {
      if (!state.from) {
        const b = await get('/api/v1/historical/bounds');
        newest = b.newest;
        if (state.preset === 'custom') state.preset = '1h';
        select.value = state.preset;
        const span = (PRESETS.find(([k]) => k === state.preset) ?? PRESETS[2])[1];
        const end = (newest || Math.floor(Date.now() / 1000)) + 1;
        state.from = end - span;
        state.to = end;
        fromEl.value = toInput(state.from);
        toEl.value = toInput(state.to);
        rangeText.textContent = `${time(state.from)} – ${time(state.to)}`;
      }
      dirty = false;
      const base = new URLSearchParams(Object.entries(flowParams()).filter(([, v]) => v !== '' && v != null));
      csv.href = `/api/v1/historical/flows?${base}&format=csv`;
      json.href = `/api/v1/historical/flows?${base}&format=json`;
      const [series, page, ...topLists] = await Promise.all([
        get('/api/v1/historical/timeseries', { from: state.from, to: state.to }),
        get('/api/v1/historical/flows', { ...flowParams(), page: state.page, per_page: PER_PAGE }),
        ...tops.map((t) => get('/api/v1/historical/top', { from: state.from, to: state.to, by: t.by, n: 10 })),
      ]);
      drawChart(series.points, series.step);
      table.render(page.items);
      pages.update(page.total, PER_PAGE);
      summary.textContent = `${num(page.total)} flows, ${bytes(page.bytes)}, ${num(page.packets)} packets in the range`;
      summary.dataset.total = String(page.total);
      topLists.forEach((list, i) => {
        const rows = list.items.map((it) => h('tr', {}, h('td', { class: 'wrap' }, it.key), h('td', { class: 'num' }, bytes(it.bytes)), h('td', { class: 'num' }, num(it.flows))));
        if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'nothing to show')));
        tops[i].tbody.replaceChildren(...rows);
      });
    } finally {
      loading = false;
    }
  }
  return { refresh, unmount() { plot?.destroy(); } };
}
