import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { quoteIdent } from '../../src/database/embedded-postgres';
import { INFO_FILE, testDatabaseInfo } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const info = testDatabaseInfo();
  const admin = new Client({ connectionString: info.adminUrl });
  await admin.connect();
  try {
    // Test files drop their own databases; sweep what a crashed file left behind.
    const left = await admin.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1) or datname = $2',
      [info.template.replace('ys_template_', 'ys_test_') + '_', info.template],
    );
    for (const row of left.rows) await admin.query(`drop database if exists ${quoteIdent(row.datname)} with (force)`);
  } finally {
    await admin.end();
  }
  await globalThis.__YS_EMBEDDED__?.stop();
  rmSync(INFO_FILE, { force: true });
}
