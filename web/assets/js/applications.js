// Applications (nDPI-style names) with their traffic, sorted locally.

import { get } from './api.js';
import { h, bytes, num, bar } from './format.js';
import { sortableTable, sortLocal } from './table.js';
import { seriesChart } from './charts.js';

// Applications drawn over time: the ones with the most bytes in the last 24 hours.
const CHART_APPS = 8;

export function mount(root) {
  const state = { sort: 'bytes', order: 'desc' };
  const keys = { name: (a) => a.name.toLowerCase(), category: (a) => a.category, bytes: (a) => a.bytes, packets: (a) => a.packets, flows: (a) => a.flows };
  let last = [];
  let total = 1;
  const table = sortableTable([
    { label: 'Application', sort: 'name', firstOrder: 'asc', cell: (a) => h('a', { href: `#/flows?q=${encodeURIComponent(a.name)}` }, a.name) },
    { label: 'Category', sort: 'category', firstOrder: 'asc', cell: (a) => a.category },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (a) => bytes(a.bytes) },
    { label: 'Share', cell: (a) => bar(a.bytes / total) },
    { label: 'Packets', num: true, sort: 'packets', cell: (a) => num(a.packets) },
    { label: 'Flows', num: true, sort: 'flows', cell: (a) => num(a.flows) },
  ], state, () => render());
  table.table.id = 'apps-table';
  const chartBox = h('div', { class: 'chart', dataset: { chart: 'apps', series: '0', points: '0', max: '0' } });
  root.replaceChildren(
    h('h2', {}, 'Applications'), table.table,
    h('h2', {}, 'Applications over time (bits/s, 1 min points)'), chartBox);
  const chart = seriesChart(chartBox);
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);
  function render() {
    total = Math.max(1, last.reduce((s, a) => s + a.bytes, 0));
    table.render(sortLocal(last, keys[state.sort], state.order));
  }
  async function refresh() {
    const [apps, series] = await Promise.all([
      get('/api/v1/applications'),
      get('/api/v1/timeseries', { series: 'applications' }),
    ]);
    last = apps;
    render();
    chart.update(series.slice(0, CHART_APPS));
  }
  return {
    refresh,
    unmount() {
      window.removeEventListener('resize', onResize);
      chart.destroy();
    },
  };
}
