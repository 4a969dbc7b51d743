/** protocol/canonical.ts - RFC 8785 (JCS) canonical JSON and the signing bytes of every signed object. Imports nothing outside protocol. */
import canonicalizeJcs from 'canonicalize';
import { sha256Hex } from './hash.ts';

/** Fields never covered by an entity signature: the hop limit changes in transit and PoW can be raised later. */
export const UNSIGNED_FIELDS = ['pow', 'cTTL'] as const;

/**
 * A copy of `value` with every object's keys inserted in RFC 8785 order (UTF-16 code units, which
 * is what the default sort compares). An own "__proto__" member is defined, not assigned, so it
 * stays a key.
 */
function sortedKeys(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new RangeError('value is nested too deeply to canonicalize');
  if (Array.isArray(value)) return value.map((v) => sortedKeys(v, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN; // not JSON data: the library decides
  const keys = Object.keys(value);
  // Integer-like keys always iterate first in a JS object (and come first in Object.keys),
  // whatever the insertion order: such an object cannot be written in canonical order by JSON.stringify.
  if (keys.length > 0 && INDEX_LIKE.test(keys[0] as string)) throw NOT_PLAIN;
  keys.sort();
  const rec = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = sortedKeys(rec[k], depth + 1);
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** Thrown inside {@link sortedKeys} when only the library can decide. */
const NOT_PLAIN = new Error('not plain JSON data');
/** A key JS objects may order as an array index (a superset of them: a false alarm only costs speed). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]{0,9})$/;
/** Deepest nesting canonicalized (entities are far shallower; the schema limits them). */
const MAX_DEPTH = 256;
/** A `\udXXX` escape of a surrogate in JSON.stringify output: a lone surrogate (or a literal backslash-u text). */
const SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/**
 * RFC 8785 canonical JSON text of a JSON value. Throws on values JSON cannot represent.
 * With keys in canonical order, JSON.stringify already writes RFC 8785 (its number and string
 * forms are the ones RFC 8785 adopted from ECMAScript); the `canonicalize` package is used for
 * anything that path cannot decide (lone surrogates, non-finite numbers, toJSON objects).
 */
export function canonicalize(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(sortedKeys(value));
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  }
  // "null" may stand for NaN, Infinity or undefined, which RFC 8785 refuses or maps differently: let the library decide.
  if (typeof text === 'string' && !SURROGATE_ESCAPE.test(text) && !text.includes('null')) return text;
  const exact = canonicalizeJcs(value);
  if (typeof exact !== 'string') throw new TypeError('value has no JSON representation');
  return exact;
}

/** Canonical text of `obj` without the top-level members named in `drop` (nested objects stay whole). */
export function canonicalWithout(obj: object, drop: readonly string[], memo: HashMemo | null = null): string {
  const members = memberTexts(obj, memo);
  if (!members) return canonicalize(omitTopLevel(obj, drop));
  return joinMembers(members, (k) => !drop.includes(k));
}

/** Canonical text of just the top-level members of `obj` named in `pick` (those present). */
export function canonicalPick(obj: object, pick: readonly string[], memo: HashMemo | null = null): string {
  const members = memberTexts(obj, memo);
  if (members) return joinMembers(members, (k) => pick.includes(k));
  const out: Record<string, unknown> = {};
  const rec = obj as Record<string, unknown>;
  for (const k of pick) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) Object.defineProperty(out, k, { value: rec[k], enumerable: true, writable: true, configurable: true });
  }
  return canonicalize(out);
}

/** One top-level member of an object: its key and its canonical `"key":value` text. */
interface Member {
  key: string;
  text: string;
}

/**
 * The canonical `"key":value` text of every top-level member of `obj`, in canonical key order, or
 * null when only the whole-object path can decide (a toJSON object, a key with a lone surrogate).
 * Each text of a message is a subset of these joined (version hash: all but `cTTL`; signing text:
 * all but the signature, `pow` and `cTTL`; report id: two of them), so with one `memo` an
 * object's members are canonicalized once for all of them.
 */
function memberTexts(obj: object, memo: HashMemo | null): Member[] | null {
  if (!memo) return computeMembers(obj);
  const hit = memo.get(obj, MEMBERS_KEY);
  if (hit !== undefined) return hit as Member[] | null;
  const members = computeMembers(obj);
  memo.set(obj, MEMBERS_KEY, members);
  return members;
}

function computeMembers(obj: object): Member[] | null {
  if (Array.isArray(obj) || typeof (obj as { toJSON?: unknown }).toJSON === 'function') return null;
  const rec = obj as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  const out: Member[] = [];
  for (const key of keys) {
    const v = rec[key];
    // JSON (and RFC 8785) leave such members out of an object.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    const keyText = JSON.stringify(key);
    if (SURROGATE_ESCAPE.test(keyText)) return null;
    out.push({ key, text: `${keyText}:${valueText(v)}` });
  }
  return out;
}

/** {@link canonicalize} of a member value, without its detour through a sorted copy for the common leaves (hex strings, counters). */
function valueText(v: unknown): string {
  if (typeof v === 'string') {
    const t = JSON.stringify(v);
    if (!SURROGATE_ESCAPE.test(t)) return t;
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    return JSON.stringify(v);
  }
  return canonicalize(v);
}

/**
 * `JSON.stringify(obj).length` from the member texts already canonicalized for `obj` with `memo`
 * (a version hash joins them), or null when the memo holds none for it. The same number: each
 * member's text is JSON.stringify of its key and value with object keys sorted, which changes the
 * order of characters, never their count, and the whole is `{`, the texts joined by `,`, `}`.
 */
export function memoJsonLength(obj: object, memo: HashMemo | null): number | null {
  const members = memo?.get(obj, MEMBERS_KEY) as Member[] | null | undefined;
  if (!members) return null;
  let n = members.length === 0 ? 2 : members.length + 1;
  for (const m of members) n += m.text.length;
  return n;
}

/** `{` + the texts of the members `keep` accepts, comma-separated, + `}`. */
function joinMembers(members: readonly Member[], keep: (key: string) => boolean): string {
  let s = '{';
  let first = true;
  for (const m of members) {
    if (!keep(m.key)) continue;
    s += first ? m.text : ',' + m.text;
    first = false;
  }
  return s + '}';
}

/**
 * A shallow copy of `obj` without the top-level members named in `drop` (nested objects stay whole).
 * Members are defined, not assigned, so an own "__proto__" member stays a key instead of setting the prototype.
 */
export function omitTopLevel(obj: object, drop: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (drop.includes(k)) continue;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The object that gets signed: a shallow copy without `signatureField`, `pow` and `cTTL` (nested objects stay whole). */
export function signedPart(obj: object, signatureField: string): Record<string, unknown> {
  return omitTopLevel(obj, unsignedMembers(signatureField));
}

/** The top-level members a signature in `signatureField` does not cover. */
function unsignedMembers(signatureField: string): string[] {
  return [signatureField, ...UNSIGNED_FIELDS];
}

/** Canonical text of the signed part of `obj`. */
export function signingText(obj: object, signatureField: string, memo: HashMemo | null = null): string {
  return canonicalWithout(obj, unsignedMembers(signatureField), memo);
}

/** SHA-256 (hex) of the canonical signed part: the 32-byte message an ECDSA signature covers. */
export function signingHash(obj: object, signatureField: string, memo: HashMemo | null = null): string {
  return memoHash(memo, obj, `sign:${signatureField}`, () => sha256Hex(signingText(obj, signatureField, memo)));
}

/**
 * Texts and hashes computed of the objects of one admission, so that preparing it (schema,
 * version, signature work) and admitting it later canonicalize each object once. Only valid while
 * those objects do not change: the intake holds its payloads privately in between. Passed
 * explicitly (as `memo`, or inside a protocol/scope.ts CheckScope) to every function that uses it.
 */
export class HashMemo {
  /**
   * Flat list of (object, key, value) triples. One admission remembers a handful (version hash,
   * signing hash, member texts, a report id, fact hashes): a linear scan by identity beats a map of
   * maps and allocates one array instead of two to four Maps per message. Past MEMO_LINEAR_MAX
   * entries (an object with many signed parts) the rest go to a map, so a lookup stays O(1).
   */
  private readonly slots: unknown[] = [];
  private more: Map<object, Map<string, unknown>> | null = null;

  /** The value remembered under (`obj`, `key`), or undefined. */
  get(obj: object, key: string): unknown {
    const s = this.slots;
    for (let i = 0; i < s.length; i += 3) if (s[i] === obj && s[i + 1] === key) return s[i + 2];
    return this.more?.get(obj)?.get(key);
  }

  /** Remember `value` under (`obj`, `key`) (callers look up first: a key is set once). */
  set(obj: object, key: string, value: unknown): void {
    if (this.slots.length < 3 * MEMO_LINEAR_MAX) {
      this.slots.push(obj, key, value);
      return;
    }
    this.more ??= new Map();
    let m = this.more.get(obj);
    if (!m) this.more.set(obj, (m = new Map()));
    m.set(key, value);
  }
}

/** Entries a {@link HashMemo} keeps in its linear list before it uses a map. */
const MEMO_LINEAR_MAX = 16;

/** Memo key of an object's canonical member texts (a `\0` keeps it apart from every hash key). */
const MEMBERS_KEY = '\0members';

/** `compute()`, remembered in `memo` under (`obj`, `key`); computed every time without a memo. */
export function memoHash(memo: HashMemo | null, obj: object, key: string, compute: () => string): string {
  if (!memo) return compute();
  const hit = memo.get(obj, key);
  if (hit !== undefined) return hit as string;
  const value = compute();
  memo.set(obj, key, value);
  return value;
}

/** True when two JSON values have the same canonical form. */
export function canonicalEqual(a: unknown, b: unknown, memo: HashMemo | null = null): boolean {
  return a === b || canonicalText(a, memo) === canonicalText(b, memo);
}

/** {@link canonicalize}, remembered per object in `memo`. */
function canonicalText(value: unknown, memo: HashMemo | null): string {
  return value !== null && typeof value === 'object' ? memoHash(memo, value, 'text', () => canonicalize(value)) : canonicalize(value);
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** Does any string or key in `value` hold a lone surrogate? (The allocation-free walk every admission runs; the path is built only on a hit.) */
function hasIllFormedString(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasIllFormedString(value[i])) return true;
    return false;
  }
  if (value !== null && typeof value === 'object') {
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      if (LONE_SURROGATE.test(k) || hasIllFormedString((value as Record<string, unknown>)[k])) return true;
    }
  }
  return false;
}

/**
 * Path of the first string (or object key) holding a lone UTF-16 surrogate, or null. JSON can
 * carry them ("\ud800") but they have no UTF-8 form, so RFC 8785 cannot canonicalize them:
 * such input is refused before any hashing.
 */
export function findIllFormedString(value: unknown, path = ''): string | null {
  return hasIllFormedString(value) ? illFormedPath(value, path) : null;
}

function illFormedPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(root)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = illFormedPath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) return `${path}.${k.replace(LONE_SURROGATE, '?')}`;
      const p = illFormedPath(v, `${path}.${k}`);
      if (p) return p;
    }
  }
  return null;
}
