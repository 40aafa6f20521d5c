// Who talks to whom: the network × network matrix as a heat map, and the top host conversations.

import { get } from './api.js';
import { h, bytes, num, hostLink } from './format.js';

export function mount(root) {
  const box = h('div');
  root.replaceChildren(h('h2', {}, 'Traffic matrix'), h('p', { class: 'muted' }, 'Bytes sent by the hosts of each row\'s network to those of each column\'s (-m and --networks; "remote" is every other address).'), box);
  async function refresh() {
    const m = await get('/api/v1/matrix');
    const max = Math.max(1, ...m.bytes.flat());
    const heat = h('table', { id: 'matrix-heat', class: 'heat' },
      h('thead', {}, h('tr', {}, h('th', {}, 'from \\ to'), m.labels.map((l) => h('th', {}, l)))),
      h('tbody', {}, m.labels.map((from, i) => h('tr', {}, h('th', {}, from), m.bytes[i].map((v, j) => {
        const td = h('td', { class: 'num', title: `${from} → ${m.labels[j]}: ${v} bytes`, dataset: { bytes: String(v) } }, v ? bytes(v) : '');
        // Log scale so small flows still show; alpha 0 (none) to .85 (the largest cell).
        const a = v ? 0.1 + 0.75 * Math.log1p(v) / Math.log1p(max) : 0;
        td.style.background = `rgba(31, 111, 235, ${a.toFixed(3)})`;
        if (a > 0.5) td.style.color = '#fff';
        return td;
      })))));
    const conv = h('table', { id: 'matrix-conversations' },
      h('thead', {}, h('tr', {}, ['Host A', 'Host B', 'A → B', 'B → A', 'Packets', 'Flows'].map((x, i) => h('th', { class: i > 1 ? 'num' : '' }, x)))),
      h('tbody', {}, m.conversations.map((c) => h('tr', {},
        h('td', {}, hostLink(c.a)), h('td', {}, hostLink(c.b)),
        h('td', { class: 'num' }, bytes(c.bytes_a_to_b)), h('td', { class: 'num' }, bytes(c.bytes_b_to_a)),
        h('td', { class: 'num' }, num(c.packets)), h('td', { class: 'num' }, num(c.flows))))));
    box.replaceChildren(heat, h('h2', {}, 'Top conversations'), conv);
  }
  return { refresh };
}
