/** protocol/canonical.ts - RFC 8785 (JCS) canonical JSON and the signing bytes of every signed object. Imports nothing outside protocol. */
import canonicalizeJcs from 'canonicalize';
import { sha256Hex } from './hash.ts';

// The lone-surrogate check every admission runs lives in its own module; re-exported for its callers.
export { findIllFormedString } from './well-formed.ts';

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
  sortKeys(keys);
  const rec = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = sortedKeys(rec[k], depth + 1);
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** Key lists up to this long are sorted by {@link sortKeys}' insertion sort; longer ones by the built-in sort. */
const INSERTION_SORT_MAX = 24;

/**
 * Sort distinct strings in place in the default sort order (UTF-16 code units: what `<` compares),
 * the same order as `keys.sort()`. Entity objects have a handful of keys, and V8's built-in sort
 * allocates its work arrays and state on every call (~250 B per call, ~10 calls per admitted
 * entity: issue #21); an insertion sort of a short list allocates nothing.
 */
export function sortKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < n; i++) {
    const x = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > x) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = x;
  }
  return keys;
}

/** Thrown inside {@link sortedKeys} when only the library can decide. */
const NOT_PLAIN = new Error('not plain JSON data');
/** A key JS objects may order as an array index (a superset of them: a false alarm only costs speed). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]{0,9})$/;
/** Deepest nesting canonicalized (entities are far shallower; the schema limits them). */
const MAX_DEPTH = 256;
/** A character JSON.stringify writes escaped (quote, backslash, below U+0020) or any UTF-16 surrogate (paired ones are left to JSON.stringify too). */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what it looks for
const NEEDS_ESCAPE_OR_SURROGATE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** A `\udXXX` escape of a surrogate in JSON.stringify output: a lone surrogate (or a literal backslash-u text). */
const SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/**
 * RFC 8785 canonical JSON text of a JSON value. Throws on values JSON cannot represent.
 * With keys in canonical order, JSON.stringify already writes RFC 8785 (its number and string
 * forms are the ones RFC 8785 adopted from ECMAScript); the `canonicalize` package is used for
 * anything that path cannot decide (lone surrogates, non-finite numbers, toJSON objects).
 */
/** JSON (and RFC 8785) leave a member with such a value out of an object. */
function omittedMember(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

export function canonicalize(value: unknown): string {
  const direct = writeCanonical(value, 0);
  if (direct !== null) return direct;
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

/**
 * RFC 8785 text of plain JSON data written directly (keys sorted in place, no sorted copy to
 * stringify), or null when only the slower paths of {@link canonicalize} can decide: a value JSON
 * cannot represent or writes as `null` (non-finite numbers, undefined, functions in arrays), a
 * string or key with a surrogate that JSON.stringify escapes, an object that is not a plain object
 * or array (toJSON, class instances, boxed primitives). Entities are plain JSON.parse output, so
 * admission takes this path; the property tests pin it against the `canonicalize` package.
 */
function writeCanonical(v: unknown, depth: number): string | null {
  switch (typeof v) {
    case 'string': {
      if (!NEEDS_ESCAPE_OR_SURROGATE.test(v)) return '"' + v + '"';
      const t = JSON.stringify(v);
      return SURROGATE_ESCAPE.test(t) ? null : t;
    }
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : null;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return null;
  }
  if (v === null) return 'null';
  if (depth > MAX_DEPTH) throw new RangeError('value is nested too deeply to canonicalize');
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const t = writeCanonical(v[i], depth + 1);
      if (t === null) return null;
      s += i === 0 ? t : ',' + t;
    }
    return s + ']';
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return null;
  const rec = v as Record<string, unknown>;
  const keys = sortKeys(Object.keys(v));
  let s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const x = rec[key];
    if (omittedMember(x)) continue;
    const prefix = keyPrefix(key);
    if (prefix === null) return null;
    const t = writeCanonical(x, depth + 1);
    if (t === null) return null;
    s += first ? prefix + t : ',' + prefix + t;
    first = false;
  }
  return s + '}';
}

/** Canonical text of `obj` without the top-level members named in `drop` (nested objects stay whole). */
export function canonicalWithout(obj: object, drop: readonly string[], memo: HashMemo | null = null): string {
  const members = memberTexts(obj, memo);
  if (!members) return canonicalize(omitTopLevel(obj, drop));
  return joinMembers(members, drop, false);
}

/** Canonical text of just the top-level members of `obj` named in `pick` (those present). */
export function canonicalPick(obj: object, pick: readonly string[], memo: HashMemo | null = null): string {
  const members = memberTexts(obj, memo);
  if (members) return joinMembers(members, pick, true);
  const out: Record<string, unknown> = {};
  const rec = obj as Record<string, unknown>;
  for (const k of pick) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) Object.defineProperty(out, k, { value: rec[k], enumerable: true, writable: true, configurable: true });
  }
  return canonicalize(out);
}

/** The top-level members of an object: `keys[i]` and its canonical `"key":value` text `texts[i]`, in canonical key order (two arrays, no object per member). */
interface Members {
  keys: string[];
  texts: string[];
}

/**
 * The canonical `"key":value` text of every top-level member of `obj`, in canonical key order, or
 * null when only the whole-object path can decide (a toJSON object, a key with a lone surrogate).
 * Each text of a message is a subset of these joined (version hash: all but `cTTL`; signing text:
 * all but the signature, `pow` and `cTTL`; report id: two of them), so with one `memo` an
 * object's members are canonicalized once for all of them.
 */
function memberTexts(obj: object, memo: HashMemo | null): Members | null {
  if (!memo) return computeMembers(obj);
  const hit = memo.get(obj, MEMBERS_KEY);
  if (hit !== undefined) return hit as Members | null;
  const members = computeMembers(obj);
  memo.set(obj, MEMBERS_KEY, members);
  return members;
}

function computeMembers(obj: object): Members | null {
  if (Array.isArray(obj) || typeof (obj as { toJSON?: unknown }).toJSON === 'function') return null;
  const rec = obj as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj));
  const texts = new Array<string>(keys.length);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = rec[key];
    if (omittedMember(v)) continue;
    const prefix = keyPrefix(key);
    if (prefix === null) return null;
    keys[n] = key;
    texts[n++] = prefix + valueText(v);
  }
  if (n < keys.length) keys.length = texts.length = n;
  return { keys, texts };
}

/** Keys longer than this are not kept in {@link KEY_PREFIXES}. */
const KEY_PREFIX_MAX_CHARS = 64;
/** Most keys {@link KEY_PREFIXES} keeps (entities use a few dozen field names; the rest are computed each time). */
const KEY_PREFIX_MAX_KEYS = 512;
/** `"key":` of the member names seen, so an entity's member texts need no JSON.stringify of each key (bounded by count and length). */
const KEY_PREFIXES = new Map<string, string>();

/** `JSON.stringify(key) + ':'`, or null when the key holds a lone surrogate (only the whole-object path decides those). */
function keyPrefix(key: string): string | null {
  const hit = KEY_PREFIXES.get(key);
  if (hit !== undefined) return hit;
  const keyText = JSON.stringify(key);
  if (SURROGATE_ESCAPE.test(keyText)) return null;
  const prefix = keyText + ':';
  if (key.length <= KEY_PREFIX_MAX_CHARS && KEY_PREFIXES.size < KEY_PREFIX_MAX_KEYS) KEY_PREFIXES.set(key, prefix);
  return prefix;
}

/** {@link canonicalize} of a member value, without its detour through a sorted copy for the common leaves (hex strings, counters). */
function valueText(v: unknown): string {
  if (typeof v === 'string') {
    // Nothing JSON.stringify would escape (a quote, a backslash, a control character) and no surrogate
    // at all: its text is the string in quotes (two rope nodes instead of a copy of the string).
    if (!NEEDS_ESCAPE_OR_SURROGATE.test(v)) return '"' + v + '"';
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
  const members = memo?.get(obj, MEMBERS_KEY) as Members | null | undefined;
  if (!members) return null;
  const texts = members.texts;
  let n = texts.length === 0 ? 2 : texts.length + 1;
  for (let i = 0; i < texts.length; i++) n += (texts[i] as string).length;
  return n;
}

/** `{` + the texts of the members named in `names` (`pick`) or not named there (not `pick`), comma-separated, + `}`. */
function joinMembers(members: Members, names: readonly string[], pick: boolean): string {
  const { keys, texts } = members;
  let s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    if (names.includes(keys[i] as string) !== pick) continue;
    s += first ? (texts[i] as string) : ',' + (texts[i] as string);
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

/** Per signature field: the members its signature does not cover, and its signing hash's memo key. */
interface SigningField {
  readonly unsigned: readonly string[];
  readonly memoKey: string;
}
/** {@link SigningField}s of the signature fields seen (a few names, all from the code, never from input). */
const SIGNING_FIELDS = new Map<string, SigningField>();

function signingField(signatureField: string): SigningField {
  let f = SIGNING_FIELDS.get(signatureField);
  if (f) return f;
  f = { unsigned: unsignedMembers(signatureField), memoKey: `sign:${signatureField}` };
  if (SIGNING_FIELDS.size < 64) SIGNING_FIELDS.set(signatureField, f);
  return f;
}

/** The top-level members a signature in `signatureField` does not cover. */
function unsignedMembers(signatureField: string): string[] {
  return [signatureField, ...UNSIGNED_FIELDS];
}

/** Canonical text of the signed part of `obj`. */
export function signingText(obj: object, signatureField: string, memo: HashMemo | null = null): string {
  return canonicalWithout(obj, signingField(signatureField).unsigned, memo);
}

/** SHA-256 (hex) of the canonical signed part: the 32-byte message an ECDSA signature covers. */
export function signingHash(obj: object, signatureField: string, memo: HashMemo | null = null): string {
  const f = signingField(signatureField);
  if (!memo) return sha256Hex(canonicalWithout(obj, f.unsigned, null));
  const hit = memo.get(obj, f.memoKey);
  if (hit !== undefined) return hit as string;
  const hash = sha256Hex(canonicalWithout(obj, f.unsigned, memo));
  memo.set(obj, f.memoKey, hash);
  return hash;
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
