// Traffic by network (-m, --networks) and by VLAN.

import { get } from './api.js';
import { h, bytes, num, bar } from './format.js';

export function mount(root) {
  const box = h('div');
  root.replaceChildren(h('h2', {}, 'Networks and VLANs'), box);
  async function refresh() {
    const [networks, vlans] = await Promise.all([get('/api/v1/networks'), get('/api/v1/vlans')]);
    const vmax = Math.max(1, ...vlans.map((v) => v.bytes));
    box.replaceChildren(
      h('h2', {}, 'Networks'),
      h('table', { id: 'networks-table' },
        h('thead', {}, h('tr', {}, ['Name', 'CIDR', 'Scope', 'Hosts', 'Sent', 'Received', 'Flows'].map((x, i) => h('th', { class: i > 2 ? 'num' : '' }, x)))),
        h('tbody', {}, networks.length ? networks.map((n) => h('tr', {}, h('td', {}, n.name), h('td', {}, n.cidr), h('td', {}, n.local ? 'local' : 'named'),
          h('td', { class: 'num' }, num(n.hosts)), h('td', { class: 'num' }, bytes(n.bytes_sent)), h('td', { class: 'num' }, bytes(n.bytes_rcvd)), h('td', { class: 'num' }, num(n.flows))))
          : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'no networks (-m, --networks)')))),
      h('h2', {}, 'VLANs'),
      h('table', { id: 'vlans-table' },
        h('thead', {}, h('tr', {}, ['VLAN', 'Bytes', 'Share', 'Packets', 'Flows'].map((x, i) => h('th', { class: i === 1 || i > 2 ? 'num' : '' }, x)))),
        h('tbody', {}, vlans.map((v) => h('tr', {}, h('td', {}, v.vlan === 0 ? '0 (untagged)' : String(v.vlan)),
          h('td', { class: 'num' }, bytes(v.bytes)), h('td', {}, bar(v.bytes / vmax)), h('td', { class: 'num' }, num(v.packets)), h('td', { class: 'num' }, num(v.flows)))))),
    );
  }
  return { refresh };
}
