import { KpiQueryService } from '../../src/kpis/kpi-query.service';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/** Golden fixture test/fixtures/kpi/timezones (README): the same files under two ORG_TIMEZONEs. */
describe.each([
  {
    zone: 'UTC',
    revenue: { value: 130, sample_size: 4 },
    sla: { numerator: 1, denominator: 4 },
    p50: 60,
    fcr: { numerator: 0, denominator: 1 },
    csat: { numerator: 1, denominator: 1 },
  },
  {
    zone: 'Asia/Shanghai',
    revenue: { value: 100, sample_size: 3 },
    sla: { numerator: 2, denominator: 4 },
    p50: 20,
    fcr: { numerator: 1, denominator: 1 },
    csat: { numerator: 0, denominator: 1 },
  },
])('period boundaries in ORG_TIMEZONE=$zone', ({ zone, revenue, sla, p50, fcr, csat }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: zone });
    await importFixture(t.app, 'kpi/timezones');
  });
  afterAll(() => t.close());

  it('orders count by their local date, events by instant in [p0, p1)', async () => {
    const { kpis } = await t.app.get(KpiQueryService).forSubject('2026-10', 'agent', 'A1');
    expect(kpis.revenue).toMatchObject(revenue);
    expect(kpis.first_response_sla_rate).toMatchObject({ ...sla, value: (100 * sla.numerator) / sla.denominator });
    expect(kpis.first_response_minutes_p50.value).toBe(p50);
    expect(kpis.first_contact_resolution).toMatchObject({ ...fcr, value: (100 * fcr.numerator) / fcr.denominator });
    expect(kpis.csat).toMatchObject({ ...csat, value: (100 * csat.numerator) / csat.denominator });
    expect(kpis.training_hours.value).toBe(1);
  });
});
