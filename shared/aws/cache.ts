/**
 * A cache of AWS reads with a time to live: what the API-backed fact classes keep between invocations of a
 * warm container. Every entry has a bound; `clear()` drops them all (a periodic run starts fresh).
 */

/** One cached value: a promise (shared while in flight) and when it stops being trusted. */
class Slot<T> {
  /** Infinite while in flight, so concurrent callers share the request. */
  expiresAt = Number.POSITIVE_INFINITY;
  constructor(readonly value: Promise<T>) {}
}

/**
 * A map of promises whose time to live starts when the value arrives; rejections are not kept, and a read
 * still in flight when the cache is cleared is not kept either.
 *
 * @example
 * const cache = new TtlCache<string>(Date.now);
 * await cache.get("k", () => read(), () => 60_000); // reads; a second get within a minute does not
 */
export class TtlCache<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(private readonly now: () => number) {}

  get(key: string, load: () => Promise<T>, ttlOf: (value: T) => number): Promise<T> {
    const cached = this.slots.get(key);
    if (cached !== undefined && this.now() < cached.expiresAt) return cached.value;
    const slot: Slot<T> = new Slot(
      load().then(
        (value) => {
          slot.expiresAt = this.now() + ttlOf(value);
          return value;
        },
        (error: unknown) => {
          if (this.slots.get(key) === slot) this.slots.delete(key);
          throw error;
        },
      ),
    );
    this.slots.set(key, slot);
    return slot.value;
  }

  set(key: string, value: T, ttl: number): void {
    const slot = new Slot(Promise.resolve(value));
    slot.expiresAt = this.now() + ttl;
    this.slots.set(key, slot);
  }

  /** Drops every entry, kept or in flight. */
  clear(): void {
    this.slots.clear();
  }
}
