/** util/lru.ts - bounded LRU map and set with optional TTL and byte budget (gossipsub SimpleTimeCache, bcoin LRU): memory stays bounded whatever peers send. Imports nothing; any subsystem may use it. */

/** Byte budget of an {@link LruMap} whose values vary in size (a count bound alone lets large values take any amount of memory). */
export interface LruByteBudget<V> {
  /** Most bytes of values held (as measured by `sizeOf`); the oldest entries go first past it. */
  maxBytes: number;
  /** Size of one value in bytes (an estimate is fine: it is what the budget counts). */
  sizeOf: (value: V) => number;
}

/** A Map bounded by entry count and optionally by bytes; the least recently set entry goes first. Entries may expire. */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; expires: number; bytes: number }>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly budget: LruByteBudget<V> | null;
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
    const bytes = this.budget ? this.budget.sizeOf(value) : 0;
    if (this.budget && bytes > this.budget.maxBytes) return false;
    this.map.set(key, { value, expires: this.now() + this.ttlMs, bytes });
    this.heldBytes += bytes;
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
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (!e) return false;
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
    const t = this.now();
    for (const [k, e] of this.map) if (e.expires > t) yield [k, e.value];
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
