/**
 * seedDemoRetention on a generated organisation (the demo's generator): an earlier list's
 * tasks closed with outcomes and settled from the orders, the current list's tasks open,
 * idempotent.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import type { Clock } from '../../src/common/clock';
import { PG_POOL } from '../../src/database/database.module';
import { generateDemoData } from '../../src/demo-data/demo-data.generator';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';
import { seedDemoRetention } from '../../src/retention/retention-demo';
import { RETENTION_CLOCK } from '../../src/retention/retention.service';
import { createTestApp, type TestApp } from '../support/test-app';

describe('seedDemoRetention', () => {
  let t: TestApp;
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-retention-demo-'));

  beforeAll(async () => {
    await generateDemoData({ out: dir, agents: 12, customers: 1200, months: 18, seed: 'retention-demo', endMonth: '2026-10' });
    t = await createTestApp();
    t.app.get<Clock>(RETENTION_CLOCK).now = () => new Date('2026-11-01T05:00:00Z');
    const imports = t.app.get(ImportsService);
    for (const e of IMPORT_ORDER) await imports.importStream(e, createReadStream(path.join(dir, `${e}.csv`)), { source: e });
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds closed and settled tasks of an earlier list and the open tasks of the current one, once', async () => {
    const r = await seedDemoRetention(t.app, { asOf: '2026-10-31', windowDays: 90 });
    expect(r.created).toBe(true);
    expect(r.earlier_as_of).toBe('2026-07-23');
    expect(r.earlier_task_ids.length).toBeGreaterThan(0);
    expect(r.closed_task_ids.length).toBe(Math.min(12, r.earlier_task_ids.length));
    expect(r.settled).toBe(r.earlier_task_ids.length);
    expect(r.listed).toBeGreaterThan(0);
    const pool = t.app.get<Pool>(PG_POOL);
    const s = await pool.query<{ status: string; confirmation: string; n: number }>(
      'select status, confirmation, count(*)::int as n from win_back_tasks group by 1, 2 order by 1, 2',
    );
    const count = (status: string, confirmation: string) => s.rows.find((x) => x.status === status && x.confirmation === confirmation)?.n ?? 0;
    expect(count('closed', 'confirmed') + count('closed', 'not_confirmed')).toBe(r.closed_task_ids.length);
    expect(count('open', 'pending')).toBe(r.open_task_ids.length + r.earlier_task_ids.length - r.closed_task_ids.length - (count('open', 'confirmed') + count('open', 'not_confirmed')));
    // confirmation is the data's: exactly the settled tasks with a completed order in their window
    const check = await pool.query<{ n: number }>(
      `select count(*)::int as n from win_back_tasks t
        where t.confirmation <> 'pending'
          and (t.confirmation = 'confirmed') <> exists (select 1 from orders o where o.customer_id = t.customer_id and o.status = 'completed'
                                                          and o.ordered_on > t.opened_on and o.ordered_on <= t.window_ends_on)`,
    );
    expect(check.rows[0].n).toBe(0);
    expect(r.confirmed).toBe(count('closed', 'confirmed') + count('open', 'confirmed'));
    expect((await seedDemoRetention(t.app, { asOf: '2026-10-31', windowDays: 90 })).created).toBe(false);
  });
});
