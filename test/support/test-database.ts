import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { quoteIdent } from '../../src/database/embedded-postgres';

/** What the jest global setup prepared: a server and a migrated template database. */
export interface TestDatabaseInfo {
  adminUrl: string;
  template: string;
  embedded: boolean;
}

export const INFO_FILE = `${require('node:os').tmpdir()}/yardstick-jest-${process.ppid}.json`;

export function testDatabaseInfo(): TestDatabaseInfo {
  const raw = process.env.YARDSTICK_TEST_DB_INFO;
  if (raw) return JSON.parse(raw) as TestDatabaseInfo;
  return JSON.parse(readFileSync(INFO_FILE, 'utf8')) as TestDatabaseInfo;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh database for one test file, cloned from the migrated template
 * (CREATE DATABASE … TEMPLATE …). Drop it with the returned function.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const info = testDatabaseInfo();
  const name = `${info.template.replace('ys_template_', 'ys_test_')}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: info.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${quoteIdent(name)} template ${quoteIdent(info.template)}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(info.adminUrl, name),
    name,
    drop: async () => {
      const c = new Client({ connectionString: info.adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
