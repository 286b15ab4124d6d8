import path from 'node:path';
import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { CsvImporter, type ImportEntity } from '../../src/imports/csv-importer';
import { ENTITY_SPECS } from '../../src/imports/import-entities';
import { createTestDatabase } from '../support/test-database';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');
export const VALID = path.join(FIXTURES, 'valid');

/** Every table an import writes. */
export const IMPORT_TABLES = ['teams', 'agents', 'customers', 'assignments', 'orders', 'tickets', 'surveys', 'training', 'import_batches'];

export interface TestDb {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: 4 });
  // DROP DATABASE … WITH (FORCE) may reach a connection that pool.end() is still closing.
  pool.on('error', () => undefined);
  return {
    url: db.url,
    pool,
    drop: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

export function importer(pool: Pool, orgTimezone = 'Asia/Shanghai', maxBytes = 50 * 1024 * 1024): CsvImporter {
  return new CsvImporter(pool, { orgTimezone, maxBytes });
}

export async function rowCounts(pool: Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of IMPORT_TABLES) out[t] = Number((await pool.query(`select count(*) as n from ${t}`)).rows[0].n);
  return out;
}

export async function truncateAll(pool: Pool): Promise<void> {
  await pool.query(`truncate ${IMPORT_TABLES.join(', ')} restart identity`);
}

export async function importValid(imp: CsvImporter, entities: readonly ImportEntity[]): Promise<void> {
  for (const e of entities) await imp.importFile(e, path.join(VALID, ENTITY_SPECS[e].fileName));
}

/** A stream of the given text (or bytes), cut into chunks of `chunkSize` bytes. */
export function streamOf(content: string | Buffer, chunkSize = 64 * 1024): Readable {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  function* chunks() {
    for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
  }
  return Readable.from(chunks());
}
