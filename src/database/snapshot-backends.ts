import type { Pool, PoolClient } from 'pg';

/** A share of a table's keys, [lo, hi) (null: unbounded), read by one backend. */
export interface KeyRange {
  lo: string | null;
  hi: string | null;
}

/** One backend of a shared snapshot, with its key range as SQL over a column (undefined: every key). */
export interface SnapshotBackend {
  client: PoolClient;
  range(column: string): string | undefined;
}

/**
 * Where to split `table`'s `column` between `parts` backends: the equal-frequency points of the
 * histogram PostgreSQL keeps for it. None (one backend) for a table under `minRows` rows unless
 * `forced`, or without statistics; `forced === 1` means one backend.
 */
export async function histogramSplitPoints(c: PoolClient, table: string, column: string, minRows: number, forced?: number): Promise<string[]> {
  if (forced === 1) return [];
  const r = await c.query<{ rows: number; bounds: string[] | null }>(
    `select coalesce((select reltuples from pg_class where oid = $1::text::regclass), 0)::float8 as rows,
            (select histogram_bounds::text::text[] from pg_stats
              where schemaname = current_schema() and tablename = $1::text and attname = $2::text) as bounds`,
    [table, column],
  );
  const { rows, bounds } = r.rows[0]!;
  if (!bounds || bounds.length < 3) return [];
  if (!forced && rows < minRows) return [];
  const k = Math.max(2, forced ?? 2);
  const out: string[] = [];
  for (let i = 1; i < k; i++) {
    const b = bounds[Math.floor((i * (bounds.length - 1)) / k)]!;
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/** The ranges between split points: (−∞, b1), [b1, b2), …, [bn, ∞). */
export function keyRanges(bounds: string[]): KeyRange[] {
  const out: KeyRange[] = [];
  let lo: string | null = null;
  for (const b of bounds) {
    out.push({ lo, hi: b });
    lo = b;
  }
  out.push({ lo, hi: null });
  return out;
}

/**
 * Runs `work` on several backends that read one repeatable-read snapshot (exported by the first
 * and imported by the others), one per key range from `split`; every backend gets `setup` (e.g.
 * `set local work_mem = …`). All commit together, or roll back on any error; all are released.
 */
export async function inSharedSnapshot<T>(
  pool: Pool,
  split: (first: PoolClient) => Promise<string[]>,
  setup: string,
  work: (first: PoolClient, backends: SnapshotBackend[]) => Promise<T>,
): Promise<T> {
  const first = await pool.connect();
  const clients: PoolClient[] = [first];
  let open = false;
  try {
    await first.query('begin isolation level repeatable read read only');
    open = true;
    const bounds = await split(first);
    if (bounds.length > 0) {
      const snapshot = (await first.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0]!.s;
      for (let i = 0; i < bounds.length; i++) {
        const c = await pool.connect();
        clients.push(c);
        await c.query('begin isolation level repeatable read read only');
        await c.query(`set transaction snapshot ${c.escapeLiteral(snapshot)}`);
      }
    }
    for (const c of clients) await c.query(setup);
    const backends = keyRanges(bounds).map((range, i): SnapshotBackend => {
      const client = clients[i]!;
      return {
        client,
        range: (col) =>
          [range.lo === null ? null : `${col} >= ${client.escapeLiteral(range.lo)}`, range.hi === null ? null : `${col} < ${client.escapeLiteral(range.hi)}`]
            .filter((x) => x !== null)
            .join(' and ') || undefined,
      };
    });
    const out = await work(first, backends);
    for (const c of clients) await c.query('commit');
    open = false;
    return out;
  } catch (err) {
    if (open) for (const c of clients) await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    for (const c of clients) c.release();
  }
}
