import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ImportValidationError, type ImportEntity, type ImportRowError } from '../../src/imports/csv-importer';
import { ENTITY_SPECS } from '../../src/imports/import-entities';
import { FIXTURES, importer, importValid, openTestDb, rowCounts, truncateAll, type TestDb } from './import-helpers';

/**
 * Each folder under test/fixtures/import/invalid holds one broken file (named after its
 * entity) and expected.json: the valid files to import first (`setup`), and exactly the
 * errors the import must report — line, column, value, reason — in order.
 */
interface Expected {
  entity: ImportEntity;
  setup: ImportEntity[];
  errors: ImportRowError[];
  totalErrors: number;
}

const INVALID = path.join(FIXTURES, 'invalid');
const cases = readdirSync(INVALID, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('CSV import of invalid files (test/fixtures/import/invalid)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has the cases the contract needs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  it.each(cases)('%s: reports exactly the expected errors and writes nothing', async (name) => {
    const expected = JSON.parse(readFileSync(path.join(INVALID, name, 'expected.json'), 'utf8')) as Expected;
    await truncateAll(db.pool);
    const imp = importer(db.pool, 'Asia/Shanghai');
    await importValid(imp, expected.setup);
    const before = await rowCounts(db.pool);

    const file = path.join(INVALID, name, ENTITY_SPECS[expected.entity].fileName);
    const err = await imp.importFile(expected.entity, file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImportValidationError);
    const v = err as ImportValidationError;
    expect(v.entity).toBe(expected.entity);
    expect(v.errors).toEqual(expected.errors);
    expect(v.totalErrors).toBe(expected.totalErrors);
    expect(await rowCounts(db.pool)).toEqual(before);
  });

  it('a failed import leaves the connection usable and the data untouched (valid rows of the bad file too)', async () => {
    await truncateAll(db.pool);
    const imp = importer(db.pool);
    await importValid(imp, ['teams', 'agents', 'customers', 'orders']);
    const before = (await db.pool.query('select order_id, amount::text from orders order by 1')).rows;
    await expect(imp.importFile('orders', path.join(INVALID, 'orders-fields', 'orders.csv'))).rejects.toThrow(ImportValidationError);
    expect((await db.pool.query('select order_id, amount::text from orders order by 1')).rows).toEqual(before);
    // every pooled connection still works
    await Promise.all([1, 2, 3, 4].map(() => db.pool.query('select 1')));
  });

  it('the error message names the first problem the way the CLI prints it', async () => {
    await truncateAll(db.pool);
    const imp = importer(db.pool);
    await importValid(imp, ['teams', 'agents', 'customers']);
    const err = (await imp.importFile('orders', path.join(INVALID, 'orders-fields', 'orders.csv')).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      'orders: 24 invalid rows — nothing was imported; first: line 2, column amount, value "12.345": money must have at most 2 decimal places',
    );
  });
});
