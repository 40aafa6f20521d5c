// The asset inventory: devices with vendor, OS, type, names and services; filters and a CSV export.

import { get } from './api.js';
import { h, bytes, num, time } from './format.js';
import { sortableTable, sortLocal, pager, filterBox } from './table.js';

const PER_PAGE = 50;

export const deviceLink = (id, label) => h('a', { href: `#/devices/${encodeURIComponent(id)}` }, label ?? id);

const names = (d) => [...new Set(d.names.map((n) => n.name))].join(', ');
const addresses = (d) => d.addresses.map((a) => a.ip).join(', ');
const services = (d) => d.services_offered.map((s) => `${s.proto}/${s.port} ${s.app}`).join(', ');
const os = (d) => [d.os, d.os_detail].filter(Boolean).join(' ');

// One CSV field: quoted, inner quotes doubled; a leading formula character is neutralised for spreadsheets.
function csvField(v) {
  let s = String(v ?? '');
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function toCsv(list) {
  const cols = [
    ['id', (d) => d.id], ['mac', (d) => d.mac], ['vendor', (d) => d.vendor], ['os', os], ['os_confidence', (d) => d.os_confidence],
    ['type', (d) => d.device_type], ['names', names], ['addresses', addresses], ['services_offered', services],
    ['software', (d) => d.software.join(', ')], ['first_seen', (d) => time(d.first_seen)], ['last_seen', (d) => time(d.last_seen)],
    ['bytes_sent', (d) => d.bytes_sent], ['bytes_rcvd', (d) => d.bytes_rcvd], ['flows', (d) => d.flows],
  ];
  const lines = [cols.map(([k]) => k).join(',')];
  for (const d of list) lines.push(cols.map(([, f]) => csvField(f(d))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function mount(root) {
  const state = { sort: 'last_seen', order: 'desc', page: 1, pages: 1, q: '', os: '', type: '' };
  const keys = {
    id: (d) => d.id, vendor: (d) => d.vendor ?? '', os: (d) => d.os ?? '', type: (d) => d.device_type ?? '',
    first_seen: (d) => d.first_seen, last_seen: (d) => d.last_seen, bytes: (d) => d.bytes_sent + d.bytes_rcvd,
  };
  let last = [];
  const table = sortableTable([
    { label: 'Device', sort: 'id', firstOrder: 'asc', cell: (d) => deviceLink(d.id) },
    { label: 'Vendor', sort: 'vendor', firstOrder: 'asc', wrap: true, cell: (d) => d.vendor ?? '' },
    { label: 'OS', sort: 'os', firstOrder: 'asc', cell: (d) => os(d) },
    { label: 'Type', sort: 'type', firstOrder: 'asc', cell: (d) => d.device_type ?? '' },
    { label: 'Names', wrap: true, cell: names },
    { label: 'Addresses', wrap: true, cell: addresses },
    { label: 'Services', wrap: true, cell: services },
    { label: 'Bytes', num: true, sort: 'bytes', cell: (d) => bytes(d.bytes_sent + d.bytes_rcvd) },
    { label: 'First seen', sort: 'first_seen', cell: (d) => time(d.first_seen) },
    { label: 'Last seen', sort: 'last_seen', cell: (d) => time(d.last_seen) },
  ], state, () => render(), (d) => ({ dataset: { id: d.id } }));
  table.table.id = 'devices-table';
  const pages = pager(state, () => render());
  const refreshNow = () => refresh().catch(() => {});
  const filter = filterBox('Filter: MAC, address, name, vendor, OS', state, refreshNow);
  const select = (key, label, values) => {
    const s = h('select', { 'aria-label': label }, h('option', { value: '' }, `any ${label}`), values.map((v) => h('option', { value: v }, v)));
    s.addEventListener('change', () => { state[key] = s.value; state.page = 1; refreshNow(); });
    return s;
  };
  const osSel = select('os', 'OS', ['Linux', 'Windows', 'macOS', 'iOS', 'Android', 'ChromeOS', 'FreeBSD', 'OpenBSD']);
  const typeSel = select('type', 'type', ['computer', 'phone', 'tablet', 'printer', 'embedded', 'single-board computer', 'network device', 'virtual machine', 'media player', 'IoT']);
  const csv = h('button', { type: 'button', id: 'devices-csv' }, 'Export CSV');
  csv.addEventListener('click', () => {
    const a = h('a', { href: URL.createObjectURL(new Blob([toCsv(last)], { type: 'text/csv' })), download: 'devices.csv' });
    a.click();
    URL.revokeObjectURL(a.href);
  });
  const stats = h('p', { class: 'muted', id: 'devices-stats' });
  root.replaceChildren(h('h2', {}, 'Devices'), h('div', { class: 'toolbar' }, filter, osSel, typeSel, csv), stats, table.table, pages.el);

  function render() {
    const sorted = sortLocal(last, keys[state.sort], state.order);
    pages.update(sorted.length, PER_PAGE);
    table.render(sorted.slice((state.page - 1) * PER_PAGE, state.page * PER_PAGE));
  }
  async function refresh() {
    const page = await get('/api/v1/devices', { q: state.q, os: state.os, type: state.type, per_page: 1000 });
    last = page.items;
    const s = page.stats;
    stats.textContent = `${num(page.total)} devices (${num(s.devices)} in the inventory, ${num(s.evicted)} evicted, ${num(s.restored)} restored at start)`;
    render();
  }
  return { refresh };
}
