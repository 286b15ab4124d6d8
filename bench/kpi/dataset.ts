/**
 * The benchmark's data set: the demo-data generator's eight CSV files, topped up with extra
 * orders, tickets and surveys (./top-up.ts) so that the volumes approach the issue's
 * (≈ 10 M orders, 5 M tickets, 1 M surveys). Cached under os.tmpdir() in a folder keyed by
 * the options and the generators' source, so that a rerun skips generation.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_FILES, generateDemoData, type DemoFileName } from '../../src/demo-data/demo-data.generator';
import { topUp, type TopUpOptions } from './top-up';

export interface DatasetOptions {
  agents: number;
  customers: number;
  months: number;
  seed: string;
  /** the last month of the data (YYYY-MM) */
  endMonth: string;
  /** null: the generator's volumes as they are */
  topUp: TopUpOptions | null;
}

export interface Dataset {
  dir: string;
  /** a digest of the options and the generators' source: equal keys mean equal files */
  key: string;
  /** file name → data rows */
  rows: Record<DemoFileName, number>;
  /** rows the generator wrote, before the top-up */
  generatedRows: Record<DemoFileName, number>;
  bytes: Record<DemoFileName, number>;
  /** seconds spent producing it in this run (0 when it came from the cache) */
  generateSeconds: number;
  topUpSeconds: number;
  cached: boolean;
}

const MANIFEST = 'manifest.json';
const SOURCES = ['src/demo-data/demo-data.generator.ts', 'src/demo-data/random.ts', 'src/demo-data/names.ts', 'bench/kpi/top-up.ts'];

export function datasetKey(opts: DatasetOptions): string {
  const root = path.resolve(__dirname, '../..');
  const h = createHash('sha256').update(JSON.stringify(opts));
  for (const file of SOURCES) h.update(readFileSync(path.join(root, file)));
  return h.digest('hex').slice(0, 16);
}

/** The cached data set for `opts`, generated first when missing (or when `fresh`). */
export async function ensureDataset(opts: DatasetOptions, fresh: boolean, log: (line: string) => void): Promise<Dataset> {
  const key = datasetKey(opts);
  const dir = path.join(os.tmpdir(), `yardstick-bench-kpi-${opts.agents}a-${opts.customers}c-${opts.months}m-${key}`);
  const manifestPath = path.join(dir, MANIFEST);
  if (!fresh && existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Omit<Dataset, 'dir' | 'cached'>;
    return { ...m, dir, cached: true, generateSeconds: 0, topUpSeconds: 0 };
  }

  const partial = `${dir}.partial`;
  rmSync(dir, { recursive: true, force: true });
  rmSync(partial, { recursive: true, force: true });
  const base = path.join(partial, 'generated');
  mkdirSync(base, { recursive: true });

  let t = performance.now();
  let lastLog = t;
  const generated = await generateDemoData({
    out: base,
    agents: opts.agents,
    customers: opts.customers,
    months: opts.months,
    seed: opts.seed,
    endMonth: opts.endMonth,
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - lastLog > 5000) {
        lastLog = now;
        log(`  generating… ${Math.round((100 * done) / total)}% of customers`);
      }
    },
  });
  const generateSeconds = (performance.now() - t) / 1000;
  const generatedRows = generated.files as Record<DemoFileName, number>;

  t = performance.now();
  const rows = { ...generatedRows };
  if (opts.topUp) {
    const added = await topUp(base, partial, generatedRows, { ...opts.topUp, seed: opts.seed, endMonth: opts.endMonth, months: opts.months });
    for (const [file, n] of Object.entries(added)) rows[file as DemoFileName] = n;
  }
  // Files the top-up did not rewrite move up as they are.
  for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) {
    if (!existsSync(path.join(partial, file))) renameSync(path.join(base, file), path.join(partial, file));
  }
  rmSync(base, { recursive: true, force: true });
  const topUpSeconds = (performance.now() - t) / 1000;

  const bytes = {} as Record<DemoFileName, number>;
  for (const file of Object.keys(DEMO_FILES) as DemoFileName[]) {
    bytes[file] = statSync(path.join(partial, file)).size;
  }
  const manifest = { key, rows, generatedRows, bytes, generateSeconds, topUpSeconds };
  writeFileSync(path.join(partial, MANIFEST), JSON.stringify(manifest, null, 2));
  renameSync(partial, dir);
  return { ...manifest, dir, cached: false };
}
