// Live flows: sorted, filtered and paged by the API.

import { get } from './api.js';
import { h, bits, bytes, num, time, endpoint } from './format.js';
import { sortableTable, pager, filterBox } from './table.js';

const PER_PAGE = 25;

export function mount(root, params) {
  const state = { sort: 'throughput', order: 'desc', page: 1, pages: 1, q: params.get('q') ?? '' };
  const columns = [
    { label: 'Proto', cell: (f) => f.proto },
    { label: 'Client', cell: (f) => endpoint(f.src_ip, f.src_port) },
    { label: 'Server', cell: (f) => endpoint(f.dst_ip, f.dst_port) },
    { label: 'Application', cell: (f) => h('span', { class: 'badge' }, f.app) },
    { label: 'Server name', wrap: true, cell: (f) => f.server_name ?? '' },
    { label: 'Packets', num: true, sort: 'packets', cell: (f) => num(f.packets_c2s + f.packets_s2c) },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (f) => bytes(f.bytes_c2s + f.bytes_s2c) },
    { label: 'Throughput', num: true, sort: 'throughput', cell: (f) => bits(f.throughput_bps) },
    { label: 'First seen', sort: 'first_seen', cell: (f) => time(f.first_seen) },
    { label: 'Last seen', sort: 'last_seen', cell: (f) => time(f.last_seen) },
  ];
  const refreshNow = () => refresh().catch(() => {});
  const table = sortableTable(columns, state, refreshNow, (f) => ({
    dataset: { bytes: f.bytes_c2s + f.bytes_s2c, packets: f.packets_c2s + f.packets_s2c, id: f.id },
  }));
  const pages = pager(state, refreshNow);
  const filter = filterBox('Filter: address, port, application, protocol, server name', state, refreshNow);
  filter.id = 'flow-filter';
  root.replaceChildren(
    h('h2', {}, 'Live flows'),
    h('div', { class: 'toolbar' }, filter),
    table.table,
    pages.el,
  );
  table.table.id = 'flows-table';

  async function refresh() {
    const page = await get('/api/v1/flows', { sort: state.sort, order: state.order, page: state.page, per_page: PER_PAGE, q: state.q });
    table.render(page.items);
    pages.update(page.total, PER_PAGE);
  }
  return { refresh };
}
