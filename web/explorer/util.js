// web/explorer/util.js - the explorer's DOM, fetch and formatting helpers. Network text goes in through textContent only (never innerHTML): it can hold markup.

/** Oracle and capability keys (PROTOCOL 7: `PubKey`). */
export const PUBKEY_RE = /^0[23][0-9a-f]{64}$/;
/** Announcement and report ids (PROTOCOL 7: `Hash`). */
export const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * A new element. `opts`: `text` (set as text), `cls`, `attrs` (plain attributes; never `style`
 * or event handlers: the CSP refuses inline styles and scripts), `kids` (nodes or strings, strings as text).
 */
export function el(tag, opts = {}, kids = []) {
  const e = document.createElement(tag);
  if (opts.text !== undefined && opts.text !== null) e.textContent = String(opts.text);
  if (opts.cls) e.className = opts.cls;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  for (const k of kids) if (k !== null && k !== undefined) e.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return e;
}

/** An SVG element with attributes (presentation attributes only: no inline style). */
export function svg(tag, attrs = {}, kids = []) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const k of kids) e.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return e;
}

/** A link inside the explorer (`#/oracle/<key>`, `#/event/<id>`); `text` is shown as text. */
export function link(hash, text, cls) {
  return el('a', { text, cls, attrs: { href: hash } });
}

/** The explorer URL of an oracle, or null when `pubkey` is not a key (network text never becomes a URL). */
export const oracleHref = (pubkey) => (PUBKEY_RE.test(String(pubkey)) ? `#/oracle/${pubkey}` : null);
/** The explorer URL of an event (announcement id). */
export const eventHref = (id) => (HASH_RE.test(String(id)) ? `#/event/${id}` : null);

/** A key shown in full (it wraps at phone width), linked to its oracle page when it is one. */
export function keyLink(pubkey) {
  const href = oracleHref(pubkey);
  return href ? link(href, pubkey, 'mono key') : el('code', { text: pubkey, cls: 'key' });
}

/** "02abcd…ef12" from a long hex id. */
export function shortId(id, head = 10, tail = 6) {
  const s = String(id);
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

/** A definition list from [term, value] pairs; a value may be a Node or text. */
export function facts(pairs, cls = 'facts') {
  const dl = el('dl', { cls });
  for (const [term, value] of pairs) {
    if (value === undefined) continue;
    const dd = el('dd');
    dd.append(value instanceof Node ? value : document.createTextNode(String(value)));
    dl.append(el('div', {}, [el('dt', { text: term }), dd]));
  }
  return dl;
}

/** A tag chip (the tag is network text: shown as text). */
export const tagChip = (t) => el('span', { text: t, cls: 'tag' });

/** The standing badge of a listing entry (PROTOCOL 10.4). */
export function standingBadge(s) {
  if (!s) return el('span', { text: 'standing unknown', cls: 'badge' });
  if (s.conflicted) return el('span', { text: `conflicted: ${s.proofs} proof${s.proofs === 1 ? '' : 's'}`, cls: 'badge badge-bad' });
  const parts = ['no proofs'];
  if (s.openClaims) parts.push(`${s.openClaims} open claim${s.openClaims === 1 ? '' : 's'}`);
  if (s.answeredClaims) parts.push(`${s.answeredClaims} answered`);
  return el('span', { text: parts.join(' · '), cls: s.openClaims ? 'badge badge-warn' : 'badge badge-ok' });
}

/** An error a page shows: the node's `{error:{code,message}}` when it sent one. */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message} (HTTP ${status})`);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

/** GET a JSON document of this node's REST API; throws ApiFailure on a non-2xx answer. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiFailure(res.status, body?.error?.code ?? 'http-error', body?.error?.message ?? res.statusText);
  return body;
}

/** A query string from the members that are set. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** 93784 -> "1d 2h 3m 4s". */
export function duration(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${h}h ${m}m ${s}s`;
  if (h) return `${h}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** "2026-12-04 23:50 UTC" of epoch seconds. */
export function utc(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return Number.isNaN(d.getTime()) ? String(epochSeconds) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A section card with a heading. */
export function card(title, kids = [], id) {
  return el('section', { cls: 'card', attrs: { id } }, [el('h2', { text: title }), ...kids]);
}

/** A muted line of text. */
export const note = (text) => el('p', { text, cls: 'muted small' });
