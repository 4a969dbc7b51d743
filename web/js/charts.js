// web/js/charts.js - small hand-drawn SVG line charts for the 24 h history. Written by hand on purpose: the page loads nothing from outside the node (CSP 'self'), and a few polylines with gaps do not justify a 100+ KiB charting package to pin, serve and audit. Numbers only reach the SVG; labels go in as text.
import { el } from './dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const W = 1440;
const H = 100;

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Polyline point lists of `values`, split where a value is null (the node was not running). */
function segments(values, max) {
  const out = [];
  let cur = [];
  const n = values.length;
  const dx = n > 1 ? W / (n - 1) : 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (cur.length) out.push(cur);
      cur = [];
      return;
    }
    const x = n > 1 ? i * dx : W / 2;
    const y = H - (max > 0 ? (v / max) * (H - 2) : 0) - 1;
    cur.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (cur.length) out.push(cur);
  return out;
}

/** Last non-null value of a series. */
export function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i];
  return null;
}

/**
 * Draw a line chart into `box`: `series` is [{name, values, cls}], all of one length (one value per
 * minute, null = gap); `format` renders a value for the axis and the legend; `from`/`to` label the
 * time axis. The chart is replaced whole on each call (cheap: at most a few thousand points).
 */
export function lineChart(box, { title, series, format, from, to }) {
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  const label = svgEl('title', {});
  label.textContent = title;
  svg.append(label);
  // Light guides at half and full scale.
  for (const y of [1, H / 2]) svg.append(svgEl('line', { x1: 0, x2: W, y1: y, y2: y, class: 'guide' }));
  for (const s of series) {
    for (const pts of segments(s.values, max)) {
      // A lone minute (between gaps) is a zero-length line with round caps: a dot whose size does not
      // stretch with the chart (a circle would, under preserveAspectRatio none).
      if (pts.length === 1) svg.append(svgEl('polyline', { points: `${pts[0]} ${pts[0]}`, class: `line dot ${s.cls}` }));
      else svg.append(svgEl('polyline', { points: pts.join(' '), class: `line ${s.cls}` }));
    }
  }
  const head = el('div', null, 'chart-head');
  head.append(el('span', title, 'chart-title'));
  const legend = el('span', null, 'legend');
  for (const s of series) {
    const item = el('span', null, 'legend-item');
    item.append(el('span', '', `swatch ${s.cls}`), el('span', `${s.name} ${format(lastValue(s.values))}`));
    legend.append(item);
  }
  head.append(legend);
  const plot = el('div', null, 'plot');
  plot.append(svg, el('span', `max ${format(max)}`, 'y-max'));
  const axis = el('p', null, 'muted small chart-axis');
  axis.append(el('span', from), el('span', to));
  box.replaceChildren(head, plot, axis);
}
