import { Command } from 'commander';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { registerImportCommand } from '../../src/cli/import.command';
import { loadConfig } from '../../src/config/app-config';
import { FIXTURES, openTestDb, rowCounts, truncateAll, VALID, type TestDb } from './import-helpers';

/** Runs `import …` through commander with the real command; captures stdout and stderr. */
async function cli(db: TestDb, args: string[]): Promise<{ out: string; err: string; error: Error | null }> {
  const program = new Command().exitOverride();
  registerImportCommand(program, {
    openPool: async () => {
      const pool = new Pool({ connectionString: db.url });
      pool.on('error', () => undefined);
      return { pool, config: loadConfig({ ORG_TIMEZONE: 'Asia/Shanghai' }), close: () => pool.end() };
    },
  });
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    await program.parseAsync(['node', 'yardstick', 'import', ...args]);
    return { out, err, error: null };
  } catch (e) {
    return { out, err, error: e as Error };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

describe('npm run cli -- import', () => {
  let db: TestDb;
  let tmp: string;
  beforeAll(async () => {
    db = await openTestDb();
    tmp = mkdtempSync(path.join(tmpdir(), 'ys-import-cli-'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await db.drop();
  });
  beforeEach(async () => {
    await truncateAll(db.pool);
  });

  it('imports a folder in the contract order and prints {files: [...]} with --json', async () => {
    const r = await cli(db, [VALID, '--json']);
    expect(r.error).toBeNull();
    const doc = JSON.parse(r.out) as { files: { entity: string; file: string; rows: number; inserted: number; seconds: number }[] };
    expect(doc.files.map((f) => [f.entity, path.basename(f.file), f.rows, f.inserted])).toEqual([
      ['teams', 'teams.csv', 4, 4],
      ['agents', 'agents.csv', 4, 4],
      ['customers', 'customers.csv', 4, 4],
      ['assignments', 'assignments.csv', 4, 4],
      ['orders', 'orders.csv', 7, 7],
      ['tickets', 'tickets.csv', 5, 5],
      ['surveys', 'surveys.csv', 3, 3],
      ['training', 'training.csv', 4, 4],
    ]);
    expect(doc.files.every((f) => typeof f.seconds === 'number')).toBe(true);
    expect(r.err).toBe(''); // no progress bar: stderr is not a terminal
    const batches = await db.pool.query(`select source, imported_by from import_batches order by id limit 1`);
    expect(batches.rows).toEqual([{ source: path.join(VALID, 'teams.csv'), imported_by: `cli:${userInfo().username}` }]);
  });

  it('prints a summary table; a second run reports every row unchanged', async () => {
    await cli(db, [VALID]);
    const r = await cli(db, [VALID]);
    expect(r.error).toBeNull();
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^entity\s+rows\s+inserted\s+updated\s+unchanged\s+seconds$/);
    expect(lines).toHaveLength(9);
    expect(lines[5]).toMatch(/^orders\s+7\s+0\s+0\s+7\s+\d+\.\d\d$/);
  });

  it('stops at the first failing file, prints its first 20 errors and the total, and fails with a one-line reason', async () => {
    const dir = mkdtempSync(path.join(tmp, 'folder-'));
    for (const f of ['teams.csv', 'agents.csv', 'customers.csv', 'tickets.csv']) copyFileSync(path.join(VALID, f), path.join(dir, f));
    copyFileSync(path.join(FIXTURES, 'invalid', 'orders-fields', 'orders.csv'), path.join(dir, 'orders.csv'));
    const r = await cli(db, [dir]);
    expect(r.error?.message).toBe('orders.csv: 24 errors, nothing imported from this file (the 3 file(s) before it were imported)');
    const errLines = r.err.trimEnd().split('\n');
    expect(errLines[0]).toBe('orders.csv: 24 errors:');
    expect(errLines[1]).toBe('  line 2, column amount, value "12.345": money must have at most 2 decimal places');
    expect(errLines[11]).toBe('  line 11, column customer_id: is required');
    expect(errLines[14]).toBe('  line 14, column order_id, value "X1": the same id appears twice in the file (lines 2 and 14)');
    expect(errLines).toHaveLength(22);
    expect(errLines[21]).toBe('  … and 4 more (24 in total)');
    expect(r.out).toMatch(/^entity/); // the summary of the files that were imported
    expect(await rowCounts(db.pool)).toMatchObject({ teams: 4, agents: 4, customers: 4, orders: 0, tickets: 0, import_batches: 3 });
  });

  it('with --json a failure prints {error, errors: [...]}', async () => {
    const dir = mkdtempSync(path.join(tmp, 'folder-'));
    copyFileSync(path.join(FIXTURES, 'invalid', 'teams-cycles', 'teams.csv'), path.join(dir, 'teams.csv'));
    const r = await cli(db, [dir, '--json']);
    expect(r.error?.message).toBe('teams.csv: 5 errors, nothing imported from this file');
    const doc = JSON.parse(r.out);
    expect(doc.error).toBe(r.error?.message);
    expect(doc.total_errors).toBe(5);
    expect(doc.errors[0]).toEqual({ line: 2, column: 'parent_team_id', value: 'B', reason: 'team hierarchy cycle: A → B → A' });
    expect(doc.files).toEqual([]);
  });

  it('imports a single file whose name says its entity, or any file with --entity', async () => {
    expect((await cli(db, [path.join(VALID, 'teams.csv'), '--json'])).error).toBeNull();
    const odd = path.join(tmp, 'export-2026-11.csv');
    copyFileSync(path.join(VALID, 'agents.csv'), odd);
    const r = await cli(db, [odd, '--entity', 'agents', '--json']);
    expect(r.error).toBeNull();
    expect(JSON.parse(r.out).files[0]).toMatchObject({ entity: 'agents', rows: 4, inserted: 4 });
  });

  it('refuses what it cannot import', async () => {
    const odd = path.join(tmp, 'export.csv');
    copyFileSync(path.join(VALID, 'teams.csv'), odd);
    expect((await cli(db, [odd])).error?.message).toBe(
      `${odd}: cannot tell which entity this file holds; name it teams.csv, agents.csv, … or pass --entity`,
    );
    expect((await cli(db, [VALID, '--entity', 'teams'])).error?.message).toBe('--entity applies to a single file, not to a folder');
    expect((await cli(db, [odd, '--entity', 'sales'])).error?.message).toMatch(/^--entity sales: unknown entity/);
    expect((await cli(db, [path.join(tmp, 'missing')])).error?.message).toMatch(/no such file or folder$/);
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    expect((await cli(db, [empty])).error?.message).toMatch(/no file of the data contract found/);
  });
});
