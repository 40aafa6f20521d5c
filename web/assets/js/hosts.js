// Hosts: sorted, filtered and paged by the API.

import { get } from './api.js';
import { h, bytes, num, time, hostLink } from './format.js';
import { sortableTable, pager, filterBox } from './table.js';

const PER_PAGE = 25;

export function mount(root) {
  const state = { sort: 'bytes', order: 'desc', page: 1, pages: 1, q: '', local: '' };
  const columns = [
    { label: 'Address', sort: 'ip', firstOrder: 'asc', cell: (x) => hostLink(x.ip) },
    { label: 'Name', wrap: true, cell: (x) => x.name ?? '' },
    { label: 'MAC', cell: (x) => x.mac ?? '' },
    { label: 'Local', cell: (x) => (x.local ? 'local' : 'remote') },
    { label: 'Sent', num: true, cell: (x) => bytes(x.bytes_sent) },
    { label: 'Received', num: true, cell: (x) => bytes(x.bytes_rcvd) },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (x) => bytes(x.bytes_sent + x.bytes_rcvd) },
    { label: 'Packets', num: true, sort: 'packets', cell: (x) => num(x.packets_sent + x.packets_rcvd) },
    { label: 'Flows', num: true, sort: 'flows', cell: (x) => num(x.flows_as_client + x.flows_as_server) },
    { label: 'Active flows', num: true, sort: 'active_flows', cell: (x) => num(x.active_flows) },
    { label: 'Last seen', sort: 'last_seen', cell: (x) => time(x.last_seen) },
  ];
  const refreshNow = () => refresh().catch(() => {});
  const table = sortableTable(columns, state, refreshNow, (x) => ({ dataset: { ip: x.ip } }));
  table.table.id = 'hosts-table';
  const pages = pager(state, refreshNow);
  const filter = filterBox('Filter: address or name', state, refreshNow);
  const scope = h('select', {},
    h('option', { value: '' }, 'all hosts'),
    h('option', { value: 'true' }, 'local'),
    h('option', { value: 'false' }, 'remote'));
  scope.addEventListener('change', () => { state.local = scope.value; state.page = 1; refreshNow(); });
  root.replaceChildren(h('h2', {}, 'Hosts'), h('div', { class: 'toolbar' }, filter, scope), table.table, pages.el);

  async function refresh() {
    const page = await get('/api/v1/hosts', { sort: state.sort, order: state.order, page: state.page, per_page: PER_PAGE, q: state.q, local: state.local });
    table.render(page.items);
    pages.update(page.total, PER_PAGE);
  }
  return { refresh };
}
