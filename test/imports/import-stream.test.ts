import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CsvImporter,
  entityForFileName,
  ImportTooLargeError,
  ImportValidationError,
} from '../../src/imports/csv-importer';
import { importer, importValid, openTestDb, rowCounts, streamOf, truncateAll, type TestDb } from './import-helpers';

/** customers.csv with `n` rows; every 1000th name holds a quoted newline (one extra line each). */
function customersCsv(n: number, last?: string): { csv: string; lastLine: number } {
  const lines = ['customer_id,name,segment,acquired_on'];
  let physical = 1;
  for (let i = 1; i <= n; i++) {
    physical++;
    if (i === n && last !== undefined) {
      lines.push(last);
    } else if (i % 1000 === 0) {
      lines.push(`C${i},"Name ${i}\nsecond line",smb,2025-01-01`);
      physical++;
    } else {
      lines.push(`C${i},Name ${i},smb,2025-01-01`);
    }
  }
  return { csv: lines.join('\n') + '\n', lastLine: physical };
}

async function indexDefs(db: TestDb, table: string): Promise<string[]> {
  const { rows } = await db.pool.query(`select indexdef from pg_indexes where tablename = $1 order by indexname`, [table]);
  return rows.map((r) => r.indexdef as string);
}

describe('CSV import: streams, size limits, large files, concurrency', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await truncateAll(db.pool);
  });

  it('knows the contract file names', () => {
    expect(entityForFileName('teams.csv')).toBe('teams');
    expect(entityForFileName('/data/crm/Orders.CSV')).toBe('orders');
    expect(entityForFileName('training.csv')).toBe('training');
    expect(entityForFileName('orders.txt')).toBeNull();
    expect(entityForFileName('README.md')).toBeNull();
  });

  it('a bad row at the end of a 50,000-row file: nothing written, the right line named (embedded newlines counted)', async () => {
    const imp = importer(db.pool);
    const bad = customersCsv(50_000, 'C50000,Last,smb,2025-02-30');
    expect(bad.lastLine).toBe(1 + 50_000 + 49); // 49 names with a newline before the last row
    const err = await imp.importStream('customers', streamOf(bad.csv, 8192), { source: 'big.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportValidationError);
    expect((err as ImportValidationError).errors).toEqual([
      { line: 50_050, column: 'acquired_on', value: '2025-02-30', reason: 'is not a real calendar date' },
    ]);
    expect((await rowCounts(db.pool)).customers).toBe(0);
    expect((await rowCounts(db.pool)).import_batches).toBe(0);
  });

  it('a large load into an empty table rebuilds its indexes exactly as they were', async () => {
    const before = await indexDefs(db, 'customers');
    const good = customersCsv(50_000);
    const s = await importer(db.pool).importStream('customers', streamOf(good.csv), { source: 'big.csv' });
    expect(s).toEqual({ entity: 'customers', rows: 50_000, inserted: 50_000, updated: 0, unchanged: 0 });
    expect(await indexDefs(db, 'customers')).toEqual(before);
    const plan = await db.pool.query(`explain select * from customers where owner_agent_id = 'A1'`);
    expect(JSON.stringify(plan.rows)).toContain('customers_owner_agent_id_index');
    expect((await db.pool.query(`select name from customers where customer_id = 'C3000'`)).rows).toEqual([{ name: 'Name 3000\nsecond line' }]);
  });

  it('imports a file read in chunks whose records (quoted newlines, any script) cross the chunk boundaries', async () => {
    const name = (i: number) => (i % 7 ? `Näme ${i}, 中文\nline "two"` : `Name ${i}`);
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const lines = ['customer_id,name,segment,acquired_on'];
    for (let i = 1; i <= 40_000; i++) lines.push(i % 7 ? `C${i},${quote(name(i))},smb,2025-01-01` : `C${i},${name(i)},,2025-01-01`);
    const text = lines.join('\r\n') + '\r\n';
    const dir = mkdtempSync(path.join(tmpdir(), 'ys-import-'));
    const file = path.join(dir, 'customers.csv');
    writeFileSync(file, text);
    try {
      expect(Buffer.byteLength(text)).toBeGreaterThan(8 * 256 * 1024);
      const s = await importer(db.pool).importFile('customers', file);
      expect(s).toEqual({ entity: 'customers', rows: 40_000, inserted: 40_000, updated: 0, unchanged: 0 });
      const { rows } = await db.pool.query(`select customer_id, name, segment from customers where customer_id in ('C1', 'C7', 'C39999') order by 1`);
      expect(rows).toEqual([
        { customer_id: 'C1', name: name(1), segment: 'smb' },
        { customer_id: 'C39999', name: name(39999), segment: 'smb' },
        { customer_id: 'C7', name: name(7), segment: null },
      ]);
      const all = await db.pool.query(`select customer_id, name from customers`);
      expect(all.rows.every((r) => r.name === name(Number(r.customer_id.slice(1))))).toBe(true);
      const batch = await db.pool.query(`select sha256 from import_batches`);
      expect(batch.rows[0].sha256).toBe(createHash('sha256').update(text).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a duplicate id in a large load into an empty table is reported with both lines', async () => {
    const { csv } = customersCsv(50_000, 'C7,Again,smb,2025-01-01');
    const err = (await importer(db.pool).importStream('customers', streamOf(csv), { source: 'big.csv' }).catch((e: unknown) => e)) as ImportValidationError;
    expect(err).toBeInstanceOf(ImportValidationError);
    expect(err.errors).toEqual([
      { line: 50_050, column: 'customer_id', value: 'C7', reason: 'the same id appears twice in the file (lines 8 and 50050)' },
    ]);
    expect(await indexDefs(db, 'customers')).toHaveLength(2);
    expect((await rowCounts(db.pool)).customers).toBe(0);
  });

  it('reports the first 1,000 errors in line order and counts them all', async () => {
    const lines = ['customer_id,acquired_on'];
    for (let i = 1; i <= 1500; i++) lines.push(i % 2 ? `C${i},2025-01-01` : `C${i},someday`);
    lines.push('C9999,2025-01-01,extra');
    const err = (await importer(db.pool).importStream('customers', streamOf(lines.join('\n')), { source: 'x' }).catch((e: unknown) => e)) as ImportValidationError;
    expect(err.totalErrors).toBe(751);
    expect(err.errors).toHaveLength(751);
    const many = ['customer_id,acquired_on', ...Array.from({ length: 1200 }, (_, i) => `C${i},x`), 'C,2025-01-01,extra'];
    const err2 = (await importer(db.pool).importStream('customers', streamOf(many.join('\n')), { source: 'x' }).catch((e: unknown) => e)) as ImportValidationError;
    expect(err2.totalErrors).toBe(1201);
    expect(err2.errors).toHaveLength(1000);
    expect(err2.errors[0]).toEqual({ line: 2, column: 'acquired_on', value: 'x', reason: 'must be a date YYYY-MM-DD' });
    expect(err2.errors[999].line).toBe(1001);
    expect(err2.errors.map((e) => e.line)).toEqual([...err2.errors.map((e) => e.line)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('stops reading at IMPORT_MAX_BYTES: ImportTooLargeError, nothing written, connection usable', async () => {
    const small = new CsvImporter(db.pool, { orgTimezone: 'UTC', maxBytes: 1000 });
    const { csv } = customersCsv(200);
    const err = await small.importStream('customers', streamOf(csv, 300), { source: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportTooLargeError);
    expect((err as ImportTooLargeError).limitBytes).toBe(1000);
    expect((err as Error).message).toBe('file is larger than the import limit of 1000 bytes (IMPORT_MAX_BYTES)');
    expect(await rowCounts(db.pool)).toMatchObject({ customers: 0, import_batches: 0 });
    // exactly at the limit is fine
    const fits = 'customer_id,acquired_on\nC1,2025-01-01\n';
    const exact = new CsvImporter(db.pool, { orgTimezone: 'UTC', maxBytes: Buffer.byteLength(fits) });
    expect(await exact.importStream('customers', streamOf(fits), { source: 'x' })).toMatchObject({ inserted: 1 });
  });

  it('a stream that fails half-way rejects with its error and writes nothing', async () => {
    const { csv } = customersCsv(5000);
    async function* broken() {
      yield Buffer.from(csv.slice(0, 20_000));
      throw new Error('connection reset by peer');
    }
    await expect(importer(db.pool).importStream('customers', Readable.from(broken()), { source: 'x' })).rejects.toThrow('connection reset by peer');
    expect(await rowCounts(db.pool)).toMatchObject({ customers: 0, import_batches: 0 });
    await expect(importer(db.pool).importStream('customers', streamOf(csv), { source: 'x' })).resolves.toMatchObject({ inserted: 5000 });
  });

  it('reports progress in bytes', async () => {
    const { csv } = customersCsv(3000);
    const seen: number[] = [];
    await importer(db.pool).importStream('customers', streamOf(csv, 10_000), { source: 'x', onProgress: (b) => seen.push(b) });
    expect(seen.at(-1)).toBe(Buffer.byteLength(csv));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length).toBeGreaterThan(5);
  });

  it('a header-only file imports nothing and is still recorded', async () => {
    const s = await importer(db.pool).importStream('teams', streamOf('team_id,name\n'), { source: 'empty.csv', importedBy: 'u1' });
    expect(s).toEqual({ entity: 'teams', rows: 0, inserted: 0, updated: 0, unchanged: 0 });
    const { rows } = await db.pool.query('select entity, source, rows, imported_by from import_batches');
    expect(rows).toEqual([{ entity: 'teams', source: 'empty.csv', rows: 0, imported_by: 'u1' }]);
  });

  it('serialises concurrent imports of one entity: the same file twice at once inserts once', async () => {
    const imp = importer(db.pool);
    await importValid(imp, ['teams', 'agents']);
    const { csv } = customersCsv(2000);
    const [a, b] = await Promise.all([
      imp.importStream('customers', streamOf(csv, 4096), { source: 'a' }),
      imp.importStream('customers', streamOf(csv, 4096), { source: 'b' }),
    ]);
    expect([a.inserted + b.inserted, a.unchanged + b.unchanged, a.updated + b.updated]).toEqual([2000, 2000, 0]);
    expect((await rowCounts(db.pool)).customers).toBe(2000);
  });

  it('rejects an ORG_TIMEZONE PostgreSQL does not know, writing nothing', async () => {
    const imp = new CsvImporter(db.pool, { orgTimezone: 'Mars/Olympus_Mons', maxBytes: 1e6 });
    await expect(imp.importStream('teams', streamOf('team_id,name\nT1,A\n'), { source: 'x' })).rejects.toThrow(
      'ORG_TIMEZONE "Mars/Olympus_Mons" is not a time zone PostgreSQL knows',
    );
    expect((await rowCounts(db.pool)).teams).toBe(0);
  });
});
