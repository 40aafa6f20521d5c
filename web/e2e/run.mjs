// Browser test of xntop's web UI: starts xntop on the demo capture (pcaps/demo.pcap rewritten to public addresses
// by tcprewrite, with the GeoLite2 City file of PyPI's maxminddb-geolite2 and a test ASN file) and the device
// capture (pcaps/devices), both replayed in a loop, drives Debian's headless Chromium with playwright-core, and
// checks login, the live dashboard, the flows table (sorting, filter), the host page, the other views, the device
// inventory and a device page, countries and ASes, the matrix, networks and VLANs, and logout. Screenshots go to
// $E2E_OUT (default web/e2e/out).
//
//   XNTOP=target/debug/xntop node web/e2e/run.mjs
//
// Environment: XNTOP (the binary; default target/{release,debug}/xntop under the repo or $CARGO_TARGET_DIR),
// CHROMIUM (default /usr/bin/chromium), E2E_OUT.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const out = process.env.E2E_OUT ?? join(here, 'out');
const password = 'e2e-Passw0rd-' + Math.random().toString(36).slice(2);
const TIMEOUT = 30_000;

function findBinary() {
  if (process.env.XNTOP) return process.env.XNTOP;
  const targets = [process.env.CARGO_TARGET_DIR, join(repo, 'target')].filter(Boolean);
  for (const t of targets) for (const p of ['release', 'debug']) if (existsSync(join(t, p, 'xntop'))) return join(t, p, 'xntop');
  throw new Error('xntop binary not found: build it or set XNTOP');
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
  console.log(`ok - ${msg}`);
}

async function waitForServer(base, proc) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`xntop exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${base}/login`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await sleep(200);
  }
  throw new Error('xntop never answered on /login');
}

function sorted(values, order) {
  for (let i = 1; i < values.length; i++) {
    if (order === 'desc' ? values[i - 1] < values[i] : values[i - 1] > values[i]) return false;
  }
  return true;
}

// The inputs and enrichment files: demo.pcap with public addresses (as engine/engine/tests/common/geo.rs makes it),
// the GeoLite2 City file, the test ASN file, and the device capture.
function inputs(dir) {
  const pub = join(dir, 'public.pcap');
  const pnat = '10.77.0.1/32:81.2.69.142/32,10.77.0.2/32:89.160.20.112/32,[fd77::1/128]:[2001:218::1/128],[fd77::2/128]:[2001:4860:4860::8888/128]';
  execFileSync('tcprewrite', [`--pnat=${pnat}`, '--fixcsum', '-i', join(repo, 'pcaps/demo.pcap'), '-o', pub], { stdio: 'ignore' });
  const asn = join(dir, 'asn.mmdb');
  execFileSync('python3', [join(repo, 'engine/engine/tests/data/make_asn_mmdb.py'), asn]);
  const geo = execFileSync('python3', ['-c', 'import os, _maxminddb_geolite2 as m; print(os.path.dirname(m.__file__))']).toString().trim();
  // One input: the device capture shifted (editcap) to start with the demo and merged into it (mergecap), so the
  // replay's packet clock keeps both sets of hosts alive.
  const devices = join(repo, 'pcaps/devices/devices.pcap');
  const start = (f) => Number(execFileSync('capinfos', ['-a', '-S', '-T', '-r', f]).toString().trim().split('\t')[1]);
  const shifted = join(dir, 'devices.pcap');
  execFileSync('editcap', ['-t', String(start(pub) - start(devices)), devices, shifted]);
  const merged = join(dir, 'merged.pcap');
  execFileSync('mergecap', ['-F', 'pcap', '-w', merged, pub, shifted]);
  return ['-i', merged, '--geoip', join(geo, 'GeoLite2-City.mmdb'), '--asn', asn, '-m', '81.2.69.0/24,10.78.0.0/24'];
}

async function main() {
  mkdirSync(out, { recursive: true });
  const bin = findBinary();
  const data = mkdtempSync(join(tmpdir(), 'xntop-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  // History first: one pass over the demo capture writes its flows into the data directory's history, which the
  // server below serves (and adds to) on the History page.
  await new Promise((ok, fail) => {
    const once = spawn(bin, ['--shutdown-when-done', '-w', '0', '-d', data, '-F', `jsonl:${join(data, 'once.jsonl')}`], { stdio: 'ignore' });
    once.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`history pass exited with ${code}`))));
  });
  const proc = spawn(bin, ['--replay-loop', '-w', `127.0.0.1:${port}`, '-d', data, '--admin-password', password, ...inputs(data)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr.on('data', (d) => { log += d; });
  console.log(`# ${bin} on ${base}, data dir ${data}`);

  let browser;
  let page;
  const problems = [];
  try {
    await waitForServer(base, proc);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(TIMEOUT);
    page.on('console', (m) => { if (m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text())) problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

    // Not logged in: the UI sends us to the login page; a wrong password is refused there.
    await page.goto(`${base}/`);
    check(new URL(page.url()).pathname === '/login', 'the UI redirects to /login without a session');
    await page.fill('input[name=password]', 'wrong password');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST'), page.click('button[type=submit]')]);
    check(refused.status() === 401, 'a wrong password gets 401');
    check(await page.isVisible('.error'), 'the login page shows the error');
    await page.screenshot({ path: join(out, 'login.png') });

    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'xntop_session');
    check(session && session.httpOnly && session.sameSite === 'Strict', 'login sets an HttpOnly SameSite=Strict session cookie');

    // Dashboard: the charts fill with non-zero data from the live replay, and update without a reload.
    await page.evaluate(() => { window.e2eMarker = 'still-here'; });
    await page.waitForFunction(() => {
      const c = document.querySelector('.chart[data-chart=bps]');
      return c && Number(c.dataset.max) > 0 && Number(c.dataset.points) >= 3 && c.querySelector('canvas');
    });
    check(true, 'the throughput chart shows non-zero bits/s');
    await page.waitForFunction(() => Number(document.querySelector('.chart[data-chart=pps]')?.dataset.max) > 0);
    check(true, 'the packet-rate chart shows non-zero packets/s');
    await page.waitForFunction(() => document.querySelectorAll('#top-apps tbody tr td a').length > 0);
    check(true, 'top applications are listed');
    await page.waitForFunction(() => document.querySelectorAll('#top-local tbody tr td a').length > 0);
    check(true, 'top local hosts are listed');
    const points = await page.$eval('.chart[data-chart=bps]', (c) => Number(c.dataset.points));
    await page.waitForFunction((n) => Number(document.querySelector('.chart[data-chart=bps]').dataset.points) > n, points);
    check(await page.evaluate(() => window.e2eMarker === 'still-here'), 'the dashboard updates without reloading the page');
    await page.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });

    // Flows: rows appear; clicking "Bytes" sorts by bytes (descending, then ascending on a second click).
    await page.click('#nav a[data-route=flows]');
    await page.waitForFunction(() => document.querySelectorAll('#flows-table tbody tr[data-bytes]').length > 0);
    check(true, 'the flows table has rows');
    for (const order of ['desc', 'asc']) {
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/flows?') && r.url().includes(`sort=bytes&order=${order}`)),
        page.click('#flows-table th[data-sort=bytes]'),
      ]);
      check(resp.status() === 200, `the table asks the API for sort=bytes&order=${order}`);
      await page.waitForFunction((o) => {
        const th = document.querySelector('#flows-table th[data-sort=bytes]');
        const v = [...document.querySelectorAll('#flows-table tbody tr[data-bytes]')].map((tr) => Number(tr.dataset.bytes));
        const okOrder = v.every((x, i) => i === 0 || (o === 'desc' ? v[i - 1] >= x : v[i - 1] <= x));
        return th.getAttribute('aria-sort') === (o === 'desc' ? 'descending' : 'ascending') && v.length > 0 && okOrder;
      }, order);
      const values = await page.$$eval('#flows-table tbody tr[data-bytes]', (trs) => trs.map((tr) => Number(tr.dataset.bytes)));
      check(values.length > 1 && sorted(values, order), `flows sorted by bytes ${order}: ${values.slice(0, 5).join(', ')}…`);
    }
    await page.screenshot({ path: join(out, 'flows.png'), fullPage: true });

    // The filter box narrows the table to flows of one address.
    const ip = await page.$eval('#flows-table tbody tr[data-bytes] td:nth-child(3) a', (a) => a.getAttribute('href').split('/').pop());
    const server = decodeURIComponent(ip);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/flows?') && r.url().includes(`q=${encodeURIComponent(server)}`)),
      page.fill('#flow-filter', server),
    ]);
    await page.waitForFunction((s) => {
      const rows = [...document.querySelectorAll('#flows-table tbody tr[data-bytes]')];
      return rows.length > 0 && rows.every((tr) => tr.textContent.includes(s));
    }, server);
    check(true, `the filter box keeps only flows of ${server}`);

    // Host page.
    await page.click('#flows-table tbody tr[data-bytes] td:nth-child(2) a');
    await page.waitForFunction(() => document.querySelectorAll('#host-facts dt').length > 0);
    const title = await page.textContent('h2');
    check(/^Host /.test(title), `the host page opens: ${title}`);
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 0);
    await page.screenshot({ path: join(out, 'host.png'), fullPage: true });
    // With -m a local host shows the MAC its frames carried, a remote one none (it would be the router's).
    const fact = (k) => page.$$eval('#host-facts dt', (dts, k) => dts.find((d) => d.textContent === k)?.nextElementSibling?.textContent, k);
    const [mac, network] = [await fact('MAC'), await fact('Network')];
    check(network === 'local' ? /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac ?? '') : mac === '–',
      `the host page shows a ${network} host's MAC as ${mac}`);

    // The other views.
    for (const [route, table] of [['hosts', '#hosts-table'], ['applications', '#apps-table'], ['interfaces', '#interfaces-table']]) {
      await page.click(`#nav a[data-route=${route}]`);
      await page.waitForFunction((t) => document.querySelectorAll(`${t} tbody tr td a, ${t} tbody tr td.num`).length > 0, table);
      check(true, `the ${route} view lists rows`);
      if (route === 'hosts') {
        await page.waitForFunction(() => [...document.querySelectorAll('#hosts-table tbody td')].some((td) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(td.textContent)));
        check(true, 'the hosts table shows MACs');
        await page.waitForFunction(() => [...document.querySelectorAll('#hosts-table tbody td')].some((td) => /\.xnt\.test$/.test(td.textContent)));
        check(true, 'the hosts table shows names learned by DPI');
      }
      if (route === 'applications') {
        await page.waitForFunction(() => Number(document.querySelector('.chart[data-chart=apps]')?.dataset.series) > 0
          && Number(document.querySelector('.chart[data-chart=apps]')?.dataset.max) > 0);
        const n = await page.$eval('.chart[data-chart=apps]', (c) => c.dataset.series);
        check(true, `the applications-over-time chart draws ${n} applications`);
      }
      await page.screenshot({ path: join(out, `${route}.png`), fullPage: true });
    }

    // History: a range loads (chart, top lists, flows), dragging across the chart zooms into a narrower range,
    // and the CSV download holds the range's flows.
    await page.click('#nav a[data-route=history]');
    await page.waitForFunction(() => Number(document.querySelector('#history-summary')?.dataset.total) > 0
      && Number(document.querySelector('#history-chart')?.dataset.points) > 0
      && document.querySelector('#history-chart canvas')
      && document.querySelectorAll('#history-flows tbody tr[data-bytes]').length > 0
      && [...document.querySelectorAll('#history-top-hosts tbody td')].some((td) => /\d+\.\d+\.\d+\.\d+|:/.test(td.textContent))
      && document.querySelectorAll('#history-top-applications tbody tr td.num').length > 0);
    const total = await page.$eval('#history-summary', (e) => Number(e.dataset.total));
    check(true, `the history page loads a range: chart, top hosts and applications, ${total} flows`);
    await page.screenshot({ path: join(out, 'history.png'), fullPage: true });
    const before = await page.$eval('#history-chart', (c) => ({ from: Number(c.dataset.from), to: Number(c.dataset.to) }));
    const box = await page.$eval('#history-chart .u-over', (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
    const [zoomed] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/historical/timeseries?') && !r.url().includes(`from=${before.from}&`)),
      (async () => {
        await page.mouse.move(box.x + box.w * 0.2, box.y + box.h / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.w * 0.5, box.y + box.h / 2, { steps: 8 });
        await page.mouse.move(box.x + box.w * 0.8, box.y + box.h / 2, { steps: 8 });
        await page.mouse.up();
      })(),
    ]);
    check(zoomed.status() === 200, 'dragging across the chart asks for the narrower range');
    await page.waitForFunction((b) => {
      const c = document.querySelector('#history-chart');
      return Number(c.dataset.from) > b.from && Number(c.dataset.to) < b.to && c.querySelector('canvas');
    }, before);
    const after = await page.$eval('#history-chart', (c) => ({ from: Number(c.dataset.from), to: Number(c.dataset.to) }));
    check(await page.$eval('#history-range', (s) => s.value) === 'custom', `the zoom narrowed ${before.to - before.from} s to ${after.to - after.from} s`);
    // Back to a range with flows, then the download.
    await page.selectOption('#history-range', '1h');
    await page.waitForFunction(() => document.querySelectorAll('#history-flows tbody tr[data-bytes]').length > 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#history-csv')]);
    const csvPath = join(out, 'history.csv');
    await download.saveAs(csvPath);
    const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8').trim().split('\n');
    // The looping server keeps adding flows to the range, so the download holds at least what the page showed
    // and at most what the API counts right after it; every row lies in the range.
    const shown = await page.$eval('#history-summary', (e) => Number(e.dataset.total));
    const href = await page.$eval('#history-csv', (a) => a.href);
    const range = Object.fromEntries(new URL(href).searchParams);
    const now = await page.evaluate(async (r) => (await (await fetch(`/api/v1/historical/flows?from=${r.from}&to=${r.to}&per_page=1`)).json()).total, range);
    const rows = csv.slice(1).map((l) => l.split(','));
    check(csv[0].startsWith('first_seen,last_seen,proto,src_ip') && rows.length >= shown && rows.length <= now && shown > 0,
      `the CSV download holds the range's flows (${rows.length}; page showed ${shown}, API now ${now})`);
    check(rows.every((r) => Number(r[0]) < Number(range.to) && Number(r[1]) >= Number(range.from)),
      'every downloaded flow lies in the range');
    // The device inventory: the recorded devices with vendor, OS and names; a device page with evidence and change log.
    await page.click('#nav a[data-route=devices]');
    await page.waitForFunction(() => document.querySelector('#devices-table tbody tr[data-id="b8:27:eb:5a:01:02"]'));
    const piRow = await page.$eval('#devices-table tbody tr[data-id="b8:27:eb:5a:01:02"]', (tr) => tr.textContent);
    check(/Raspberry Pi/.test(piRow) && /Linux/.test(piRow) && /kitchen-pi/.test(piRow), `the inventory lists the Pi: ${piRow.slice(0, 120)}`);
    const [devDownload] = await Promise.all([page.waitForEvent('download'), page.click('#devices-csv')]);
    const devCsv = await (await devDownload.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
    check(devCsv.startsWith('id,mac,vendor,os') && devCsv.includes('"kitchen-pi"'), `the CSV export holds the devices (${devCsv.split('\r\n').length - 2} rows)`);
    await page.selectOption('select[aria-label=type]', 'printer');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#devices-table tbody tr[data-id]')];
      return rows.length > 0 && rows.every((tr) => tr.textContent.includes('printer'));
    });
    check(true, 'the type filter keeps only printers');
    await page.screenshot({ path: join(out, 'devices.png'), fullPage: true });
    await page.goto(`${base}/#/devices/f0%3Ad5%3Abf%3A4c%3A03%3A04`);
    await page.waitForFunction(() => document.querySelectorAll('#device-evidence tbody tr').length > 1
      && document.querySelectorAll('#device-changes tbody tr').length > 0);
    const evidence = await page.textContent('#device-evidence');
    check(/tcp_syn/.test(evidence) && /dhcp_fingerprint/.test(evidence) && /user_agent/.test(evidence),
      'the device page shows the SYN, DHCP and User-Agent evidence');
    check(/work-laptop/.test(await page.textContent('#device-names')), 'the device page shows its DHCP name');
    await page.screenshot({ path: join(out, 'device.png'), fullPage: true });

    // Countries and ASes, the matrix, networks and VLANs.
    await page.click('#nav a[data-route=geo]');
    await page.waitForFunction(() => document.querySelectorAll('#countries-table tbody tr td.num').length > 0
      && document.querySelectorAll('#countries-chart .bar').length > 0 && document.querySelectorAll('#asns-table tbody tr td.num').length > 0);
    const countries = await page.$$eval('#countries-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    check(['GB', 'SE', 'US', 'JP'].every((c) => countries.includes(c)), `the countries table lists ${countries.join(', ')}`);
    await page.screenshot({ path: join(out, 'geo.png'), fullPage: true });
    await page.click('#nav a[data-route=matrix]');
    await page.waitForFunction(() => [...document.querySelectorAll('#matrix-heat td')].some((td) => Number(td.dataset.bytes) > 0)
      && document.querySelectorAll('#matrix-conversations tbody tr').length > 0);
    const cells = await page.$$eval('#matrix-heat td', (tds) => tds.filter((t) => Number(t.dataset.bytes) > 0).length);
    check(cells >= 2, `the matrix heat map has ${cells} non-empty cells`);
    await page.screenshot({ path: join(out, 'matrix.png'), fullPage: true });
    await page.click('#nav a[data-route=networks]');
    await page.waitForFunction(() => document.querySelectorAll('#networks-table tbody tr td.num').length > 0
      && document.querySelectorAll('#vlans-table tbody tr td.num').length > 0);
    check(true, 'the networks and VLANs tables list rows');
    await page.screenshot({ path: join(out, 'networks.png'), fullPage: true });

    // Logout: back to the login page, and the API refuses the old cookie.
    await Promise.all([page.waitForURL(`${base}/login`), page.click('#logout')]);
    const status = await page.evaluate(async () => (await fetch('/api/v1/interfaces')).status);
    check(status === 401, 'after logout the API answers 401');

    check(problems.length === 0, `no console errors or CSP violations${problems.length ? ': ' + problems.join(' | ') : ''}`);
    console.log(`# screenshots in ${out}`);
  } catch (e) {
    if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(`FAIL: ${e.stack ?? e}`);
    if (problems.length) console.error(`browser problems:\n${problems.join('\n')}`);
    console.error(`xntop stderr:\n${log.slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
    proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(10_000)]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
