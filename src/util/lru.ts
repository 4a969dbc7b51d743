/** util/lru.ts - bounded LRU map and set with optional TTL (gossipsub SimpleTimeCache, bcoin LRU): memory stays bounded whatever peers send. Imports nothing; any subsystem may use it. */

/** A Map bounded by entry count; the least recently set entry goes first. Entries may expire. */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Long-lived iterator at the oldest entry (see set). */
  private evictIter: IterableIterator<K> | null = null;

  constructor(max: number, ttlMs = Infinity, now: () => number = Date.now) {
    if (!(max >= 1)) throw new RangeError('LruMap max must be >= 1');
    this.max = max;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get size(): number {
    return this.map.size;
  }

  /** Insert or refresh; evicts the oldest entry when full. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.map.size > this.max) {
      // Not `this.map.keys().next()`: a fresh iterator walks every deleted slot at the front of V8's
      // hash table, O(deletions since the last rehash) per call, which made a full cache ~200x slower.
      // A long-lived iterator passes each deleted slot once; entries re-set since move behind it.
      let oldest = this.evictIter?.next();
      if (!oldest || oldest.done) {
        this.evictIter = this.map.keys();
        oldest = this.evictIter.next();
      }
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  /** Value if present and not expired. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.evictIter = null;
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
