/**
 * A small least-recently-used cache of promises: concurrent requests for one key share one
 * computation, a rejected computation is forgotten (the next request tries again), and the
 * oldest entries go once more than `size` are held.
 */
export class PromiseLru<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('cache size must be a whole number ≥ 1');
  }

  /** The cached (or in-flight) value, marked as recently used; undefined when absent. */
  peek(key: string): Promise<T> | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** The cached value, or `compute()`'s (started once, shared by every caller meanwhile). */
  get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.peek(key);
    if (hit) return hit;
    const p = compute();
    this.entries.set(key, p);
    p.catch(() => {
      if (this.entries.get(key) === p) this.entries.delete(key);
    });
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    return p;
  }

  /** Drops every entry for which `stale(key)` holds. */
  drop(stale: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (stale(key)) this.entries.delete(key);
  }

  get keys(): string[] {
    return [...this.entries.keys()];
  }
}
