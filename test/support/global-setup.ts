import { MikroORM } from '@mikro-orm/postgresql';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres, type EmbeddedServer } from '../../src/database/embedded-postgres';
import { migrateWithLock } from '../../src/database/migrate';
import { ormOptions } from '../../src/database/mikro-orm.options';
import { INFO_FILE, withDatabase, type TestDatabaseInfo } from './test-database';

declare global {
  var __YS_EMBEDDED__: EmbeddedServer | undefined;
}

/**
 * Jest global setup: a real PostgreSQL server — DATABASE_URL's when given, else an
 * embedded one in a temporary folder — and one migrated template database that every
 * test file clones.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl: string;
  let embedded = false;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'ys-jest-pg-'));
    const port = 55000 + (process.pid % 2000);
    const server = await startEmbeddedPostgres(dir, port, { info: () => undefined, warn: (m) => console.warn(m) });
    globalThis.__YS_EMBEDDED__ = server;
    adminUrl = server.adminUrl;
    embedded = true;
  }
  const template = `ys_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${quoteIdent(template)} with (force)`);
  await admin.end();
  const url = await ensureDatabase(adminUrl, template);
  const orm = await MikroORM.init(ormOptions(url));
  try {
    await migrateWithLock(orm, url);
  } finally {
    await orm.close(true);
  }
  const info: TestDatabaseInfo = { adminUrl: withDatabase(adminUrl, new URL(adminUrl).pathname.slice(1) || 'postgres'), template, embedded };
  process.env.YARDSTICK_TEST_DB_INFO = JSON.stringify(info);
  writeFileSync(INFO_FILE, JSON.stringify(info));
}
