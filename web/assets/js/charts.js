// Minute charts with several named series (uPlot): applications over time, a host's own traffic.

import { bits } from './format.js';

const PALETTE = ['#1f6feb', '#1a7f37', '#bf3989', '#9a6700', '#8250df', '#cf222e', '#0a7ea4', '#57606a'];

// Aligns named series ({ name, points: [{ t, bps }] }) on the union of their times; a series without a point
// at some minute (it was outside that minute's top) gets a gap there.
export function align(series) {
  const ts = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  // A single minute would stretch the time axis over years: show the half hour up to it.
  if (ts.length === 1) ts.unshift(ts[0] - 1800);
  const at = new Map(ts.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const y = new Array(ts.length).fill(null);
    for (const p of s.points) y[at.get(p.t)] = p.bps;
    return y;
  });
  return [ts, ...ys];
}

// A bits/s chart in `box` for the named series; returns { update(series), destroy(), resize() }. The chart is
// rebuilt when the set of names changes (uPlot's series are fixed at creation).
export function seriesChart(box, height = 240) {
  let plot = null;
  let names = '';
  const width = () => Math.max(300, box.clientWidth - 16);
  function build(series) {
    plot?.destroy();
    const opts = {
      width: width(),
      height,
      scales: { x: { time: true } },
      series: [{}, ...series.map((s, i) => ({
        label: s.name,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        spanGaps: false,
        points: { show: true, size: 4 },
        value: (u, v) => (v == null ? '–' : bits(v)),
      }))],
      axes: [{}, { size: 90, values: (u, vals) => vals.map(bits) }],
      legend: { show: true },
    };
    plot = new uPlot(opts, align(series), box);
  }
  return {
    update(series) {
      const key = series.map((s) => s.name).join('\n');
      if (key !== names || !plot) {
        names = key;
        build(series);
      } else {
        plot.setData(align(series));
      }
      const all = series.flatMap((s) => s.points);
      box.dataset.series = String(series.length);
      box.dataset.points = String(all.length);
      box.dataset.max = String(Math.max(0, ...all.map((p) => p.bps)));
    },
    resize() { plot?.setSize({ width: width(), height }); },
    destroy() { plot?.destroy(); plot = null; },
  };
}
