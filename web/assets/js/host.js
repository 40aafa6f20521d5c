// One host: its counters, applications and live flows.

import { get } from './api.js';
import { h, bits, bytes, num, time, endpoint, bar } from './format.js';
import { sortableTable, sortLocal } from './table.js';
import { seriesChart } from './charts.js';

export function mount(root, params, ip) {
  const title = h('h2', {}, `Host ${ip}`);
  const facts = h('dl', { class: 'facts', id: 'host-facts' });
  const apps = h('tbody');
  const state = { sort: 'bytes', order: 'desc' };
  const keys = {
    bytes: (f) => f.bytes_c2s + f.bytes_s2c,
    packets: (f) => f.packets_c2s + f.packets_s2c,
    throughput: (f) => f.throughput_bps,
    last_seen: (f) => f.last_seen,
  };
  let last = null;
  const flows = sortableTable([
    { label: 'Proto', cell: (f) => f.proto },
    { label: 'Client', cell: (f) => endpoint(f.src_ip, f.src_port) },
    { label: 'Server', cell: (f) => endpoint(f.dst_ip, f.dst_port) },
    { label: 'Application', cell: (f) => h('span', { class: 'badge' }, f.app) },
    { label: 'Server name', wrap: true, cell: (f) => f.server_name ?? '' },
    { label: 'Packets', num: true, sort: 'packets', cell: (f) => num(f.packets_c2s + f.packets_s2c) },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (f) => bytes(f.bytes_c2s + f.bytes_s2c) },
    { label: 'Throughput', num: true, sort: 'throughput', cell: (f) => bits(f.throughput_bps) },
    { label: 'Last seen', sort: 'last_seen', cell: (f) => time(f.last_seen) },
  ], state, () => last && renderFlows(last));
  const missing = h('p', { class: 'muted', hidden: true }, 'This host is not in the current view (idle hosts are purged).');
  const chartBox = h('div', { class: 'chart', dataset: { chart: 'host-minute', series: '0', points: '0', max: '0' } });
  const chartSection = h('section', { hidden: true },
    h('h2', {}, 'Traffic over time (bits/s, 1 min points, minutes among the top hosts)'), chartBox);
  root.replaceChildren(
    title, missing, facts, chartSection,
    h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Applications'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Application'), h('th', { class: 'num' }, 'Bytes'), h('th', {}, ''))), apps))),
    h('h2', {}, 'Live flows'), flows.table,
  );

  const chart = seriesChart(chartBox, 200);
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);

  function renderFlows(list) {
    flows.render(sortLocal(list, keys[state.sort], state.order).slice(0, 200));
  }

  async function refresh() {
    let data;
    try {
      data = await get(`/api/v1/hosts/${encodeURIComponent(ip)}`);
    } catch (e) {
      missing.hidden = false;
      throw e;
    }
    missing.hidden = true;
    const x = data.host;
    title.textContent = x.name ? `Host ${x.name} (${x.ip})` : `Host ${x.ip}`;
    const rows = [
      ['Address', x.ip], ['Name', x.name ?? '–'], ['MAC', x.mac ?? '–'], ['Network', x.local ? 'local' : 'remote'],
      ['Sent', `${bytes(x.bytes_sent)} in ${num(x.packets_sent)} packets`],
      ['Received', `${bytes(x.bytes_rcvd)} in ${num(x.packets_rcvd)} packets`],
      ['Flows', `${num(x.flows_as_client)} as client, ${num(x.flows_as_server)} as server, ${num(x.active_flows)} active`],
      ['Server ports', x.server_ports.length ? x.server_ports.join(', ') : '–'],
      ['First seen', time(x.first_seen)], ['Last seen', time(x.last_seen)],
    ];
    facts.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const list = [...x.applications].sort((a, b) => b[1] - a[1]);
    const max = Math.max(1, ...list.map((a) => a[1]));
    apps.replaceChildren(...list.map(([name, b]) => h('tr', {}, h('td', {}, name), h('td', { class: 'num' }, bytes(b)), h('td', {}, bar(b / max)))));
    last = data.flows;
    renderFlows(last);
    const wasHidden = chartSection.hidden;
    chartSection.hidden = data.minute.length === 0;
    if (!chartSection.hidden) {
      chart.update([{ name: x.ip, points: data.minute }]);
      if (wasHidden) chart.resize();
    }
  }
  return {
    refresh,
    unmount() {
      window.removeEventListener('resize', onResize);
      chart.destroy();
    },
  };
}
