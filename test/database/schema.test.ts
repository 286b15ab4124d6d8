import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../src/database/mikro-orm.options';
import { migrateWithLock } from '../../src/database/migrate';
import { createTestDatabase } from '../support/test-database';

describe('migrations', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(ormOptions(db.url));
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('the committed migrations produce exactly the schema the entities describe', async () => {
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('nothing is pending after migrating, and migrating again is a no-op', async () => {
    expect(await orm.migrator.getPending()).toEqual([]);
    expect(await migrateWithLock(orm, db.url)).toEqual([]);
  });

  it('several instances migrating at once apply each migration once', async () => {
    const fresh = await createTestDatabase();
    const orms = await Promise.all([1, 2, 3].map(() => MikroORM.init(ormOptions(fresh.url))));
    try {
      const conn = orms[0].em.getConnection();
      await conn.execute('drop schema public cascade');
      await conn.execute('create schema public');
      const results = await Promise.all(orms.map((o) => migrateWithLock(o, fresh.url)));
      const all = results.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeGreaterThan(0);
      const rows = await conn.execute<{ n: string }[]>('select count(*) as n from mikro_orm_migrations');
      expect(Number(rows[0].n)).toBe(all.length);
    } finally {
      await Promise.all(orms.map((o) => o.close(true)));
      await fresh.drop();
    }
  });
});
