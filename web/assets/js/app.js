// The single page: hash routes, one view at a time, refreshed every second without reloading.

import { session, logout } from './api.js';
import * as dashboard from './dashboard.js';
import * as flows from './flows.js';
import * as hosts from './hosts.js';
import * as host from './host.js';
import * as applications from './applications.js';
import * as interfaces from './interfaces.js';
import * as history from './history.js';
import * as devices from './devices.js';
import * as device from './device.js';
import * as geo from './geo.js';
import * as matrix from './matrix.js';
import * as networks from './networks.js';

const REFRESH_MS = 1000;
const viewEl = document.getElementById('view');
const statusEl = document.getElementById('status');
let current = null;
let busy = false;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query ?? '');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'hosts' && parts[1]) return { name: 'hosts', view: host, params, arg: decodeURIComponent(parts[1]) };
  if (parts[0] === 'devices' && parts[1]) return { name: 'devices', view: device, params, arg: decodeURIComponent(parts[1]) };
  const views = { flows, hosts, applications, interfaces, devices, geo, matrix, networks, vlans: networks, history };
  const name = parts[0] && views[parts[0]] ? parts[0] : 'dashboard';
  return { name, view: views[name] ?? dashboard, params };
}

async function refresh() {
  if (!current || busy) return;
  busy = true;
  try {
    await current.refresh();
    statusEl.textContent = `updated ${new Date().toLocaleTimeString()}`;
    statusEl.classList.remove('error');
  } catch (e) {
    statusEl.textContent = String(e.message ?? e);
    statusEl.classList.add('error');
  } finally {
    busy = false;
  }
}

function show() {
  current?.unmount?.();
  const r = route();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.route === r.name);
  viewEl.replaceChildren();
  viewEl.dataset.view = r.name;
  current = r.view.mount(viewEl, r.params, r.arg);
  busy = false;
  refresh();
}

async function start() {
  try {
    const s = await session();
    if (s.login) {
      document.getElementById('user').textContent = s.user;
      const b = document.getElementById('logout');
      b.hidden = false;
      b.addEventListener('click', () => logout());
    }
  } catch {
    return; // redirected to the login page
  }
  window.addEventListener('hashchange', show);
  show();
  setInterval(refresh, REFRESH_MS);
}

start();
