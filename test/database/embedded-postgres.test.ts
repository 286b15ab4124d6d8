import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { openDatabase } from '../../src/database/open-database';

/**
 * The path a fresh machine takes: no DATABASE_URL, so Yardstick starts its own embedded
 * PostgreSQL, creates its database, migrates it, and stops it cleanly on close.
 */
describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-embedded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, migrates, answers queries, stops, and starts again on the same data', async () => {
    const port = 57000 + (process.pid % 1000);
    const config = loadConfig({ YARDSTICK_DATA_DIR: dir, EMBEDDED_PG_PORT: String(port) });
    expect(config.databaseUrl).toBeNull();
    const log = { info: () => undefined, warn: () => undefined };

    const first = await openDatabase(config, log);
    const conn = first.orm.em.getConnection();
    const tables = await conn.execute<{ n: string }[]>(
      "select count(*) as n from information_schema.tables where table_schema = 'public' and table_name in ('orders','tickets','users')",
    );
    expect(Number(tables[0].n)).toBe(3);
    expect(first.runtime.url).toContain(`:${port}/yardstick`);
    await conn.execute("insert into teams (team_id, name) values ('T1', '华东客服一组')");
    await first.close();

    const second = await openDatabase(config, log);
    const rows = await second.orm.em.getConnection().execute<{ name: string }[]>("select name from teams where team_id = 'T1'");
    expect(rows).toEqual([{ name: '华东客服一组' }]);
    await second.close();
  });
});
