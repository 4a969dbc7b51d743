// web/js/dom.js - DOM and formatting helpers. Every piece of text goes in through textContent (el/setText), never innerHTML: network text can hold markup.

/** querySelector shorthand. */
export const $ = (sel, root = document) => root.querySelector(sel);

/** A new element with optional text (as text) and class. */
export function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

/** Set an element's text. */
export function setText(sel, text) {
  const e = typeof sel === 'string' ? $(sel) : sel;
  if (e) e.textContent = String(text);
}

/** A table row of text cells; a cell may be a Node or `{text, cls}`. */
export function row(cells) {
  const tr = el('tr');
  for (const c of cells) {
    if (c instanceof Node) {
      const td = el('td');
      td.append(c);
      tr.append(td);
    } else if (c && typeof c === 'object') {
      tr.append(el('td', c.text, c.cls));
    } else {
      tr.append(el('td', c));
    }
  }
  return tr;
}

/** "02abcd…ef12" from a long hex id. */
export function shortId(id, head = 10, tail = 4) {
  const s = String(id);
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

/** `s` cut to `n` characters with an ellipsis. */
export function clip(s, n) {
  const t = String(s);
  return t.length <= n ? t : `${t.slice(0, n)}…`;
}

/** 93784 s -> "1d 2h 3m". */
export function duration(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** 1536 -> "1.5 KiB". */
export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n) || 0;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** "14:03:07" local time of an ISO string. */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
}

/** 0.4567 -> "45.7 %", or "—" when there is nothing to divide. */
export function percent(part, whole) {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '—';
}
