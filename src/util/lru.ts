/** util/lru.ts - bounded LRU map and set with optional TTL and byte budget (gossipsub SimpleTimeCache, bcoin LRU): memory stays bounded whatever peers send. Imports nothing; any subsystem may use it. */

/** Byte budget of an {@link LruMap} whose values vary in size (a count bound alone lets large values take any amount of memory). */
export interface LruByteBudget<V> {
  /** Most bytes of values held (as measured by `sizeOf`); the oldest entries go first past it. */
  maxBytes: number;
  /** Size of one value in bytes (an estimate is fine: it is what the budget counts). */
  sizeOf: (value: V) => number;
}

/** What a timed or byte-counted {@link LruMap} keeps per key. */
interface Slot<V> {
  value: V;
  expires: number;
  bytes: number;
}

/** A Map bounded by entry count and optionally by bytes; the least recently set entry goes first. Entries may expire. */
export class LruMap<K, V> {
  /**
   * Values by key. Without a TTL and a byte budget ({@link plain}) the value itself is stored: no
   * wrapper object per entry and no clock read per call (the peer's known-inventory set, the
   * public-key cache: several lookups per ingested message). Otherwise a {@link Slot}.
   */
  private readonly map = new Map<K, unknown>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly budget: LruByteBudget<V> | null;
  /** No TTL and no byte budget: values are stored bare. */
  private readonly plain: boolean;
  private heldBytes = 0;
  /** Long-lived iterator at the oldest entry (see set). */
  private evictIter: IterableIterator<K> | null = null;

  constructor(max: number, ttlMs = Infinity, now: () => number = Date.now, budget: LruByteBudget<V> | null = null) {
    if (!(max >= 1)) throw new RangeError('LruMap max must be >= 1');
    if (budget && !(budget.maxBytes >= 1)) throw new RangeError('LruMap maxBytes must be >= 1');
    this.max = max;
    this.ttlMs = ttlMs;
    this.now = now;
    this.budget = budget;
    this.plain = ttlMs === Infinity && budget === null;
  }

  get size(): number {
    return this.map.size;
  }

  /** Bytes of the values held, by the budget's `sizeOf` (0 without a byte budget). */
  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * Insert or refresh; evicts the oldest entries while over the count or byte bound. A value larger
   * than the whole byte budget is not kept (any older entry under the key is dropped): returns false.
   */
  set(key: K, value: V): boolean {
    this.delete(key);
    if (this.plain) this.map.set(key, value);
    else {
      const bytes = this.budget ? this.budget.sizeOf(value) : 0;
      if (this.budget && bytes > this.budget.maxBytes) return false;
      // No clock read without a TTL: such an entry never expires.
      const slot: Slot<V> = { value, expires: this.ttlMs === Infinity ? Infinity : this.now() + this.ttlMs, bytes };
      this.map.set(key, slot);
      this.heldBytes += bytes;
    }
    const maxBytes = this.budget?.maxBytes ?? Infinity;
    while (this.map.size > this.max || this.heldBytes > maxBytes) {
      // Not `this.map.keys().next()`: a fresh iterator walks every deleted slot at the front of V8's
      // hash table, O(deletions since the last rehash) per call, which made a full cache ~200x slower.
      // A long-lived iterator passes each deleted slot once; entries re-set since move behind it.
      let oldest = this.evictIter?.next();
      if (!oldest || oldest.done) {
        this.evictIter = this.map.keys();
        oldest = this.evictIter.next();
      }
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return true;
  }

  /** Value if present and not expired. */
  get(key: K): V | undefined {
    if (this.plain) return this.map.get(key) as V | undefined;
    const e = this.map.get(key) as Slot<V> | undefined;
    if (e === undefined) return undefined;
    if (e.expires !== Infinity && e.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: K): boolean {
    if (this.plain) return this.map.delete(key);
    const e = this.map.get(key) as Slot<V> | undefined;
    if (e === undefined) return false;
    this.heldBytes -= e.bytes;
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.heldBytes = 0;
    this.evictIter = null;
  }

  /** The unexpired entries, oldest first (operator listings; O(n)). */
  *entries(): IterableIterator<[K, V]> {
    if (this.plain) {
      for (const [k, v] of this.map) yield [k, v as V];
      return;
    }
    const t = this.now();
    for (const [k, e] of this.map as Map<K, Slot<V>>) if (e.expires > t) yield [k, e.value];
  }
}

/** A bounded set on top of {@link LruMap}. */
export class LruSet<K> {
  private readonly m: LruMap<K, true>;
  constructor(max: number, ttlMs = Infinity, now: () => number = Date.now) {
    this.m = new LruMap(max, ttlMs, now);
  }
  get size(): number {
    return this.m.size;
  }
  add(key: K): void {
    this.m.set(key, true);
  }
  has(key: K): boolean {
    return this.m.has(key);
  }
  delete(key: K): boolean {
    return this.m.delete(key);
  }
  clear(): void {
    this.m.clear();
  }
}
