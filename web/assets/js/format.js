// Number formatting and a small DOM builder (text only: values from the network are never parsed as HTML).

const UNITS = ['', 'k', 'M', 'G', 'T', 'P'];

function scaled(v, base, suffix, digits = 1) {
  if (!Number.isFinite(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < UNITS.length - 1) { x /= base; i++; }
  const s = i === 0 ? String(Math.round(x)) : x.toFixed(digits);
  return `${v < 0 ? '-' : ''}${s} ${UNITS[i]}${suffix}`;
}

export const bits = (v) => scaled(v, 1000, 'bit/s');
export const pps = (v) => scaled(v, 1000, 'pkt/s');
export const bytes = (v) => scaled(v, 1024, 'B').replace(/ ([kMGTP])B$/, ' $1iB');
export const num = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '–');

export function time(epochSeconds) {
  if (!epochSeconds) return '–';
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

export function duration(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// h('td', {class: 'num'}, 'text', node, ...): attributes set as properties or attributes, children as text nodes.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const hostLink = (ip, label) => h('a', { href: `#/hosts/${encodeURIComponent(ip)}` }, label ?? ip);

export function endpoint(ip, port) {
  const label = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  return hostLink(ip, label);
}

export function bar(fraction) {
  const b = h('div', { class: 'bar' });
  b.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return b;
}
