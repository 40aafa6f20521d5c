// Interfaces (inputs): counters, rates and frames that made no flow.

import { get } from './api.js';
import { h, bits, bytes, num, pps } from './format.js';
import { sortableTable } from './table.js';

export function mount(root) {
  const table = sortableTable([
    { label: '#', num: true, cell: (i) => i.id },
    { label: 'Name', wrap: true, cell: (i) => i.name },
    { label: 'Packets', num: true, cell: (i) => num(i.packets) },
    { label: 'Bytes', num: true, cell: (i) => bytes(i.bytes) },
    { label: 'Throughput', num: true, cell: (i) => bits(i.bits_per_second) },
    { label: 'Packet rate', num: true, cell: (i) => pps(i.packets_per_second) },
    { label: 'Active flows', num: true, cell: (i) => num(i.flows_active) },
    { label: 'Flows', num: true, cell: (i) => num(i.flows_total) },
    { label: 'Hosts', num: true, cell: (i) => num(i.hosts) },
    {
      label: 'No flow (frames)', num: true,
      cell: (i) => {
        const n = i.rejected.reduce((s, [, c]) => s + c, 0);
        return h('span', { title: i.rejected.map(([r, c]) => `${r}: ${c}`).join('\n') }, num(n));
      },
    },
  ], {}, () => {});
  table.table.id = 'interfaces-table';
  root.replaceChildren(h('h2', {}, 'Interfaces'), table.table);
  return { refresh: async () => table.render(await get('/api/v1/interfaces')) };
}
