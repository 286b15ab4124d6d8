/**
 * Short-lived caches for the hottest read path (GET /agents/{id}/kpis of a published month):
 * which version of a month is the latest, and each agent's current team (the scope rule).
 * Both change only when data is imported or a month is published.
 *
 * - A write in this process (an import, a publication) is noticed at once: `noticeWrite()`
 *   moves the process-wide write generation on, and a cached value loaded under an older
 *   generation is not used again.
 * - A write by another process (another instance, the CLI) is seen within HOT_READ_TTL_MS:
 *   no value is used longer than that after it was read from the database.
 *
 * A reader may therefore get the previous published version for up to a second after another
 * instance published a new one; the answer names its version, and that version stays
 * readable, so nothing changes silently.
 */
export const HOT_READ_TTL_MS = 1000;

let generation = 0;

/** Called after a write that the hot read caches depend on has committed. */
export function noticeWrite(): void {
  generation++;
}

interface Entry<V> {
  value: Promise<V>;
  at: number;
  generation: number;
}

/**
 * Values by key, each loaded at most once per HOT_READ_TTL_MS and write generation; concurrent
 * requests for a key share one load. A failed load is not kept.
 */
export class HotReadCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly load: (key: K) => Promise<V>,
    private readonly ttlMs = HOT_READ_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: K): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation && t - hit.at < this.ttlMs) return hit.value;
    const entry: Entry<V> = { value: this.load(key), at: t, generation };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > 1024) this.prune(t);
    return entry.value;
  }

  private prune(t: number): void {
    for (const [k, e] of this.entries) if (e.generation !== generation || t - e.at >= this.ttlMs) this.entries.delete(k);
  }
}
