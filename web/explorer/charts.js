// web/explorer/charts.js - two small hand-drawn SVG charts (bars by category, events over time). No charting library: the page loads nothing from outside the node (CSP 'self', no CDN), and these two charts take ~90 lines where a library would add 45-200 KiB (uPlot, Chart.js).
import { el, svg, utc } from './util.js';

/** viewBox width: about a phone card wide, so chart text stays legible when scaled down to 390 px (and not huge at the desktop max-width). */
const W = 420;

/**
 * Horizontal bars, one per row `{label, value, cls}`; `cls` picks the colour in explorer.css.
 * Drawn in a viewBox, so it scales to the card's width (phone included).
 */
export function barChart(title, rows) {
  const rowH = 26;
  const labelW = 140;
  const h = rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const root = svg('svg', { viewBox: `0 0 ${W} ${h}`, class: 'chart', role: 'img', 'aria-label': title });
  root.append(svg('title', {}, [title]));
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.round(((W - labelW - 36) * r.value) / max);
    root.append(svg('text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, [r.label]));
    root.append(svg('rect', { x: labelW, y: y + 3, width: Math.max(w, r.value > 0 ? 2 : 0), height: rowH - 8, class: `bar ${r.cls ?? ''}`, 'data-label': r.label, 'data-value': r.value }));
    root.append(svg('text', { x: labelW + w + 6, y: y + 17, class: 'chart-value' }, [String(r.value)]));
  });
  return root;
}

/** Bucket width in seconds for a span: the smallest of hour/6 h/day/week/30 days giving at most `maxBuckets`. */
function bucketSeconds(spanSeconds, maxBuckets) {
  for (const s of [3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400]) if (spanSeconds / s <= maxBuckets) return s;
  return Math.ceil(spanSeconds / maxBuckets);
}

/**
 * Events over time: `items` `{epoch, attested}` (seconds) counted per time bucket as stacked bars
 * (attested below, not attested above), with a line at `nowEpoch`. Maturity is the only time the
 * API gives for announcements, so that is the axis.
 */
export function timelineChart(title, items, nowEpoch) {
  const h = 180;
  const left = 34;
  const top = 20;
  const bottom = 28;
  const root = svg('svg', { viewBox: `0 0 ${W} ${h}`, class: 'chart', role: 'img', 'aria-label': title });
  root.append(svg('title', {}, [title]));
  if (items.length === 0) return root;
  let lo = Math.min(nowEpoch, ...items.map((i) => i.epoch));
  let hi = Math.max(nowEpoch, ...items.map((i) => i.epoch));
  const step = bucketSeconds(Math.max(hi - lo, 3600), 24);
  lo = Math.floor(lo / step) * step;
  hi = (Math.floor(hi / step) + 1) * step;
  const n = Math.max(1, Math.round((hi - lo) / step));
  const buckets = Array.from({ length: n }, () => ({ attested: 0, open: 0 }));
  for (const it of items) {
    const b = buckets[Math.min(n - 1, Math.floor((it.epoch - lo) / step))];
    if (it.attested) b.attested++;
    else b.open++;
  }
  const max = Math.max(1, ...buckets.map((b) => b.attested + b.open));
  const plotW = W - left - 8;
  const plotH = h - bottom - top;
  const bw = plotW / n;
  const yOf = (v) => top + plotH - (plotH * v) / max;
  // Axis and the count scale.
  root.append(svg('line', { x1: left, y1: top + plotH, x2: W - 8, y2: top + plotH, class: 'axis' }));
  root.append(svg('text', { x: left - 4, y: top + 8, 'text-anchor': 'end', class: 'chart-value' }, [String(max)]));
  root.append(svg('text', { x: left - 4, y: top + plotH, 'text-anchor': 'end', class: 'chart-value' }, ['0']));
  buckets.forEach((b, i) => {
    const x = left + i * bw + 1;
    const width = Math.max(1, bw - 2);
    if (b.attested) root.append(svg('rect', { x, y: yOf(b.attested), width, height: top + plotH - yOf(b.attested), class: 'bar bar-attested', 'data-count': b.attested }));
    if (b.open) root.append(svg('rect', { x, y: yOf(b.attested + b.open), width, height: yOf(b.attested) - yOf(b.attested + b.open), class: 'bar bar-open', 'data-count': b.open }));
  });
  // First and last bucket dates, and "now".
  root.append(svg('text', { x: left, y: h - 8, class: 'chart-label' }, [utc(lo).slice(0, 10)]));
  root.append(svg('text', { x: W - 8, y: h - 8, 'text-anchor': 'end', class: 'chart-label' }, [utc(hi).slice(0, 10)]));
  const nx = left + (plotW * (nowEpoch - lo)) / (hi - lo);
  // "now" above the plot, clear of the date labels below it.
  root.append(svg('line', { x1: nx, y1: top - 4, x2: nx, y2: top + plotH, class: 'now-line' }));
  root.append(svg('text', { x: Math.min(Math.max(nx, left + 14), W - 22), y: top - 7, 'text-anchor': 'middle', class: 'chart-label now-label' }, ['now']));
  return root;
}

/** A legend (HTML, so it stays readable at phone width): [cls, label] pairs as coloured squares. */
export function legend(entries) {
  return el('p', { cls: 'legend small' }, entries.flatMap(([cls, label]) => [el('span', { cls: `swatch ${cls}`, attrs: { 'aria-hidden': 'true' } }), el('span', { text: label, cls: 'legend-label' })]));
}
