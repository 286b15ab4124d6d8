import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDemoData } from '../../src/demo-data/demo-data.generator';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';
import { KpiEngineService, periodWindow } from '../../src/kpis/kpi-engine.service';
import { KpiRepository } from '../../src/kpis/kpi.repository';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The engine computes a period and its trend periods in one pass over the orders
 * (KpiRepository.aggregatePeriods, customerStatesSql's slices): every aggregate must equal the
 * one of the period computed alone, for any set and order of periods.
 */
describe('KPI engine: several periods in one pass', () => {
  let t: TestApp;
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-multi-'));

  beforeAll(async () => {
    await generateDemoData({ out: dir, agents: 30, customers: 2500, months: 14, seed: 'multi-period', endMonth: '2026-09' });
    t = await createTestApp();
    const imports = t.app.get(ImportsService);
    for (const e of IMPORT_ORDER) await imports.importStream(e, createReadStream(path.join(dir, `${e}.csv`)), { source: e });
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('equals each period computed alone (P, P−1, P−12 given in any order, with a duplicate)', async () => {
    const repo = t.app.get(KpiRepository);
    const settings = t.app.get(KpiEngineService).settings();
    const periods = ['2026-08', '2025-09', '2026-09', '2026-08'];
    const together = await repo.aggregatePeriods(periods.map(periodWindow), settings);
    expect(together).toHaveLength(4);
    for (const [i, p] of periods.entries()) {
      const alone = await repo.aggregatePeriod(periodWindow(p), settings);
      expect(together[i]).toEqual(alone);
      // not a vacuous comparison: the period has customers, buyers and revenue
      const org = alone.portfolio.get('org:')!;
      expect(org.start_customers).toBeGreaterThan(100);
      expect(org.buyers).toBeGreaterThan(10);
      expect(Number(org.clv_historic_sum)).toBeGreaterThan(0);
    }
    // different periods give different figures (the slices are not all the same)
    expect(together[0].portfolio.get('org:')).not.toEqual(together[2].portfolio.get('org:'));
    expect(together[1].portfolio.get('org:')!.clv_historic_sum).not.toEqual(together[2].portfolio.get('org:')!.clv_historic_sum);
  });
});
