// One device: what it is, its addresses and names, services, the evidence behind the guesses and its change log.

import { get } from './api.js';
import { h, bytes, num, time, hostLink } from './format.js';

const table = (id, heads, rows) => h('table', { id },
  h('thead', {}, h('tr', {}, heads.map((x) => h('th', {}, x)))),
  h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: heads.length, class: 'muted' }, 'nothing to show'))));

export function mount(root, params, id) {
  const title = h('h2', {}, `Device ${id}`);
  const body = h('div');
  const missing = h('p', { class: 'muted', hidden: true }, 'No such device in the inventory.');
  root.replaceChildren(title, missing, body);

  async function refresh() {
    let d;
    try {
      d = await get(`/api/v1/devices/${encodeURIComponent(id)}`);
    } catch (e) {
      missing.hidden = false;
      throw e;
    }
    missing.hidden = true;
    const name = d.names[0]?.name;
    title.textContent = name ? `Device ${name} (${d.id})` : `Device ${d.id}`;
    const facts = [
      ['MAC', d.mac ?? '–'], ['Vendor', d.vendor ?? '–'],
      ['OS', d.os ? `${d.os}${d.os_detail ? ` ${d.os_detail}` : ''} (confidence ${d.os_confidence})` : '–'],
      ['Type', d.device_type ? `${d.device_type} (confidence ${d.type_confidence})` : '–'],
      ['Software', d.software.length ? d.software.join(', ') : '–'],
      ['Traffic', `${bytes(d.bytes_sent)} sent, ${bytes(d.bytes_rcvd)} received, ${num(d.flows)} flows`],
      ['First seen', time(d.first_seen)], ['Last seen', time(d.last_seen)],
    ];
    body.replaceChildren(
      h('dl', { class: 'facts', id: 'device-facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('div', { class: 'grid2' },
        h('section', {}, h('h2', {}, 'Addresses'), table('device-addresses', ['Address', 'First seen', 'Last seen', 'DHCP'],
          d.addresses.map((a) => h('tr', {}, h('td', {}, hostLink(a.ip)), h('td', {}, time(a.first_seen)), h('td', {}, time(a.last_seen)), h('td', {}, a.dhcp ? 'yes' : ''))))),
        h('section', {}, h('h2', {}, 'Names'), table('device-names', ['Name', 'Source', 'Last seen'],
          d.names.map((n) => h('tr', {}, h('td', {}, n.name), h('td', {}, n.source), h('td', {}, time(n.last_seen))))))),
      h('div', { class: 'grid2' },
        h('section', {}, h('h2', {}, 'Services offered'), table('device-offered', ['Protocol', 'Port', 'Application'],
          d.services_offered.map((s) => h('tr', {}, h('td', {}, s.proto), h('td', { class: 'num' }, s.port), h('td', {}, s.app))))),
        h('section', {}, h('h2', {}, 'Applications used'), table('device-used', ['Application', 'Flows'],
          d.services_used.map(([a, n]) => h('tr', {}, h('td', {}, a), h('td', { class: 'num' }, num(n))))))),
      h('h2', {}, 'Evidence'),
      table('device-evidence', ['Source', 'Observed', 'Verdict', 'Confidence', 'Last seen'],
        d.evidence.map((e) => h('tr', {}, h('td', {}, e.source), h('td', { class: 'wrap' }, e.value), h('td', {}, e.verdict || '–'), h('td', { class: 'num' }, e.confidence), h('td', {}, time(e.seen))))),
      h('h2', {}, 'Change log'),
      table('device-changes', ['Time', 'Change', 'Detail', 'Alert'],
        [...d.changes].reverse().map((c) => h('tr', { class: c.alert ? 'alert' : '' }, h('td', {}, time(c.time)), h('td', {}, c.kind), h('td', { class: 'wrap' }, c.detail), h('td', {}, c.alert ? '⚠ alert' : '')))),
    );
  }
  return { refresh };
}
