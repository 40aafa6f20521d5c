// Traffic by country and by autonomous system (--geoip, --asn): tables and bar charts of the largest.

import { get } from './api.js';
import { h, bytes, num, bar } from './format.js';

const TOP = 10;

function barChart(id, items, label) {
  const max = Math.max(1, ...items.map((x) => x.bytes_sent + x.bytes_rcvd));
  return h('div', { class: 'barchart', id },
    items.slice(0, TOP).map((x) => h('div', { class: 'barrow' },
      h('span', { class: 'barlabel' }, label(x)),
      h('span', { class: 'bartrack' }, bar((x.bytes_sent + x.bytes_rcvd) / max)),
      h('span', { class: 'barvalue' }, bytes(x.bytes_sent + x.bytes_rcvd)))));
}

function totalsTable(id, first, rows) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, [...first.map((f) => h('th', {}, f[0])), ...['Hosts', 'Sent', 'Received', 'Flows'].map((x) => h('th', { class: 'num' }, x))])),
    h('tbody', {}, rows.length ? rows.map((x) => h('tr', {},
      ...first.map((f) => h('td', {}, f[1](x))),
      h('td', { class: 'num' }, num(x.hosts)), h('td', { class: 'num' }, bytes(x.bytes_sent)),
      h('td', { class: 'num' }, bytes(x.bytes_rcvd)), h('td', { class: 'num' }, num(x.flows))))
      : h('tr', {}, h('td', { colspan: first.length + 4, class: 'muted' }, 'nothing to show (start xntop with --geoip and --asn)'))));
}

export function mount(root) {
  const box = h('div');
  root.replaceChildren(h('h2', {}, 'Countries and autonomous systems'), box);
  async function refresh() {
    const [countries, asns] = await Promise.all([get('/api/v1/countries'), get('/api/v1/asns')]);
    box.replaceChildren(
      h('div', { class: 'grid2' },
        h('section', {}, h('h2', {}, 'Countries'), barChart('countries-chart', countries, (c) => c.country)),
        h('section', {}, h('h2', {}, 'Autonomous systems'), barChart('asns-chart', asns, (a) => `AS${a.asn} ${a.as_org ?? ''}`))),
      h('h2', {}, 'By country'), totalsTable('countries-table', [['Country', (c) => c.country]], countries),
      h('h2', {}, 'By AS'), totalsTable('asns-table', [['AS', (a) => `AS${a.asn}`], ['Organisation', (a) => a.as_org ?? '']], asns),
    );
  }
  return { refresh };
}
