/**
 * The predictive models end to end on the CDNOW sample: the CSV files of the data contract go
 * through the real importer, PostgreSQL summarises the orders, the service fits, and the API
 * answers over real HTTP — reproducing the published estimates (kpi-definitions.md,
 * "Predictive customer value", acceptance) and, per customer, the pure functions computed
 * here independently from the raw file.
 */
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ImportsService } from '../../src/imports/imports.service';
import { CustomerValueRepository } from '../../src/predictive/customer-value.repository';
import { expectedPurchases, pAlive } from '../../src/predictive/domain/bgnbd';
import { discountedClv } from '../../src/predictive/domain/clv';
import { summarizeCustomer } from '../../src/predictive/domain/customer-summary';
import { expectedAverageValue } from '../../src/predictive/domain/gamma-gamma';
import { createTestApp, type TestApp } from '../support/test-app';
import { writeCdnowCsv, type CdnowData } from './support/cdnow-csv';

const E = '1997-09-30';
const MODEL = `/api/v1/models/customer-value?as_of=${E}`;

interface ModelBody {
  as_of: string;
  status: string;
  reason: string | null;
  customers: number;
  repeat_customers: number;
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number; converged: boolean } | null;
  gamma_gamma: { p: number; q: number; gamma: number; log_likelihood: number; customers: number } | null;
  data_version: number;
  fitted_at: string;
}

const within = (value: number, published: number, tolerance = 0.005) =>
  expect({ value, published, ok: Math.abs(value - published) / Math.abs(published) <= tolerance }).toEqual({ value, published, ok: true });
const close = (a: number | null, b: number, rel = 1e-9) =>
  expect({ a, b, ok: a !== null && Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)) }).toEqual({ a, b, ok: true });

describe('predictive customer value on CDNOW, through SQL and HTTP', () => {
  let t: TestApp;
  let cdnow: CdnowData;
  let hr: string;
  let fit: ModelBody;

  beforeAll(async () => {
    cdnow = writeCdnowCsv();
    t = await createTestApp();
    const imports = t.app.get(ImportsService);
    for (const entity of ['customers', 'orders'] as const) {
      await imports.importStream(entity, createReadStream(path.join(cdnow.dir, `${entity}.csv`)), { source: `cdnow/${entity}.csv` });
    }
    hr = await t.login('hr');
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(cdnow.dir, { recursive: true, force: true });
  });

  it('reproduces the published BG/NBD and Gamma-Gamma estimates within 0.5% (e = 1997-09-30)', async () => {
    const res = await t.http.get(MODEL).set('authorization', `Bearer ${hr}`).expect(200);
    fit = res.body as ModelBody;
    expect(fit).toMatchObject({ as_of: E, status: 'fitted', reason: null, customers: 2357, repeat_customers: 946 });
    const bg = fit.bgnbd!;
    within(bg.r, 0.243);
    within(bg.alpha, 4.414);
    within(bg.a, 0.793);
    within(bg.b, 2.426);
    within(bg.log_likelihood, -9582.4);
    expect(bg.converged).toBe(true);
    const gg = fit.gamma_gamma!;
    within(gg.p, 6.25);
    within(gg.q, 3.74);
    within(gg.gamma, 15.44);
    expect(gg.customers).toBe(946);
  });

  it('serves a second request from the cache, and fits again after an import', async () => {
    const repo = t.app.get(CustomerValueRepository);
    const load = jest.spyOn(repo, 'load');
    try {
      const again = (await t.http.get(MODEL).set('authorization', `Bearer ${hr}`).expect(200)).body as ModelBody;
      expect(again).toEqual(fit);
      expect(load).not.toHaveBeenCalled();

      // a new order after e: the data (version) changes, the fit is computed again — and, the
      // order being after the calibration end, to the same estimates
      const file = path.join(cdnow.dir, 'late-order.csv');
      writeFileSync(file, 'order_id,customer_id,ordered_at,amount\nlate-1,0001,1998-07-01,12.50\n');
      await t.app.get(ImportsService).importStream('orders', createReadStream(file), { source: 'late-order.csv' });
      const refit = (await t.http.get(MODEL).set('authorization', `Bearer ${hr}`).expect(200)).body as ModelBody;
      expect(load).toHaveBeenCalledTimes(1);
      expect(refit.data_version).toBeGreaterThan(fit.data_version);
      expect(refit.fitted_at).not.toBe(fit.fitted_at);
      expect(refit.bgnbd).toEqual(fit.bgnbd);
      expect(refit.gamma_gamma).toEqual(fit.gamma_gamma);

      // concurrent requests for a new calibration day share one computation
      const other = '/api/v1/models/customer-value?as_of=1997-12-31';
      const [a, b] = await Promise.all([t.http.get(other).set('authorization', `Bearer ${hr}`), t.http.get(other).set('authorization', `Bearer ${hr}`)]);
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      load.mockRestore();
    }
  });

  it('answers per customer exactly what the pure functions give on the raw file', async () => {
    const params = { r: fit.bgnbd!.r, alpha: fit.bgnbd!.alpha, a: fit.bgnbd!.a, b: fit.bgnbd!.b };
    const gg = { p: fit.gamma_gamma!.p, q: fit.gamma_gamma!.q, gamma: fit.gamma_gamma!.gamma };
    // a customer with one purchase day by e (x = 0)
    const single = [...cdnow.orders.keys()].find((id) => summarizeCustomer(cdnow.orders.get(id)!, E)!.x === 0)!;
    // 0001: three purchase days by e; 0456 and 1548: two orders on one day
    for (const id of ['0001', single, '0456', '1548', '2357']) {
      const res = await t.http.get(`/api/v1/customers/${id}/value?as_of=${E}`).set('authorization', `Bearer ${hr}`).expect(200);
      const s = summarizeCustomer(cdnow.orders.get(id)!, E)!;
      const margin = 0.3; // no gross margins in the file: amount × DEFAULT_MARGIN_RATE / amount
      const em = expectedAverageValue(gg, s.x, s.mx);
      const body = res.body;
      expect(body).toMatchObject({ customer_id: id, as_of: E, status: 'ok', reason: null, x: s.x, first_purchase_on: s.firstDate, last_purchase_on: s.lastDate });
      close(body.t_x, s.tx, 0);
      close(body.T, s.T, 0);
      close(body.m_x, s.mx);
      close(body.margin_rate, margin);
      close(body.p_alive, pAlive(params, s.x, s.tx, s.T));
      close(body.expected_purchases.weeks_13, expectedPurchases(params, 13, s.x, s.tx, s.T));
      close(body.expected_purchases.weeks_26, expectedPurchases(params, 26, s.x, s.tx, s.T));
      close(body.expected_purchases.weeks_52, expectedPurchases(params, 52, s.x, s.tx, s.T));
      close(body.expected_avg_value, em);
      close(body.clv, discountedClv({ bgnbd: params, gg }, { x: s.x, tx: s.tx, T: s.T, mx: s.mx, marginRate: margin }, { horizonMonths: 12, annualDiscountRate: 0.1 }));
    }
    const x0 = (await t.http.get(`/api/v1/customers/${single}/value?as_of=${E}`).set('authorization', `Bearer ${hr}`)).body;
    expect(x0.x).toBe(0);
    expect(x0.p_alive).toBe(1);
  });

  it('gives nulls with the reason where there is nothing to predict from', async () => {
    // 0227's completed amounts sum to 0: P(alive) and expected purchases, but no margin rate, no CLV
    const zero = (await t.http.get(`/api/v1/customers/0227/value?as_of=${E}`).set('authorization', `Bearer ${hr}`).expect(200)).body;
    expect(zero).toMatchObject({ status: 'no_model_value', margin_rate: null, clv: null });
    expect(zero.reason).toMatch(/sum to 0/);
    expect(zero.p_alive).toBeGreaterThan(0);

    // before any order: no fit (0 repeat customers), and each customer has no history
    const early = (await t.http.get('/api/v1/models/customer-value?as_of=1996-12-31').set('authorization', `Bearer ${hr}`).expect(200)).body as ModelBody;
    expect(early).toMatchObject({ status: 'insufficient_data', customers: 0, repeat_customers: 0, bgnbd: null, gamma_gamma: null });
    expect(early.reason).toMatch(/^fewer than 50 repeat customers \(0\) as of 1996-12-31/);
    const none = (await t.http.get('/api/v1/customers/0001/value?as_of=1996-12-31').set('authorization', `Bearer ${hr}`).expect(200)).body;
    expect(none).toMatchObject({ status: 'no_orders', x: null, t_x: null, T: null, p_alive: null, expected_avg_value: null, clv: null });
    expect(none.expected_purchases).toEqual({ weeks_13: null, weeks_26: null, weeks_52: null });
    expect(none.reason).toMatch(/no completed order dated on or before 1996-12-31/);

    // a few weeks in: customers, but fewer than 50 with a repeat purchase day
    const sparse = (await t.http.get('/api/v1/models/customer-value?as_of=1997-01-10').set('authorization', `Bearer ${hr}`).expect(200)).body as ModelBody;
    expect(sparse.status).toBe('insufficient_data');
    expect(sparse.customers).toBeGreaterThan(0);
    expect(sparse.repeat_customers).toBeLessThan(50);
    expect(sparse.reason).toBe(
      `fewer than 50 repeat customers (${sparse.repeat_customers}) as of 1997-01-10: the models are fitted only when at least 50 customers have a purchase day after their first`,
    );
    const summaryOnly = (await t.http.get('/api/v1/customers/0001/value?as_of=1997-01-10').set('authorization', `Bearer ${hr}`).expect(200)).body;
    expect(summaryOnly).toMatchObject({ status: 'model_unavailable', x: 0, p_alive: null, clv: null, reason: sparse.reason });
  });

  it('validates as_of (422 naming the field) and knows its customers (404)', async () => {
    for (const q of ['', '?as_of=1997-02-30', '?as_of=1997-9-30', '?as_of=yesterday']) {
      const res = await t.http.get(`/api/v1/models/customer-value${q}`).set('authorization', `Bearer ${hr}`).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['as_of']);
      await t.http.get(`/api/v1/customers/0001/value${q}`).set('authorization', `Bearer ${hr}`).expect(422);
    }
    await t.http.get(`/api/v1/customers/nobody/value?as_of=${E}`).set('authorization', `Bearer ${hr}`).expect(404);
    await t.http.get(MODEL).expect(401);
  });

  it('lets hr, managers and admins read the models; nobody else', async () => {
    for (const role of ['manager', 'admin'] as const) {
      await t.http.get(MODEL).set('authorization', `Bearer ${await t.login(role)}`).expect(200);
    }
    // (agents: see customer-value-kpis.e2e.test.ts, which has an organisation)
    for (const role of ['team_lead', 'auditor'] as const) {
      await t.http.get(MODEL).set('authorization', `Bearer ${await t.login(role)}`).expect(403);
    }
    // CDNOW customers have no owner: a team lead or an agent sees none of them; an auditor no customer at all
    const lead = await t.login('team_lead', { teamIds: [] });
    await t.http.get(`/api/v1/customers/0001/value?as_of=${E}`).set('authorization', `Bearer ${lead}`).expect(403);
    await t.http.get(`/api/v1/customers/0001/value?as_of=${E}`).set('authorization', `Bearer ${await t.login('auditor')}`).expect(403);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const model = doc.paths['/api/v1/models/customer-value'].get;
    expect(model.parameters.map((p: { name: string }) => p.name)).toContain('as_of');
    expect(model.responses['200'].content['application/json'].schema.$ref).toMatch(/CustomerValueModelDto/);
    const customer = doc.paths['/api/v1/customers/{customer_id}/value'].get;
    expect(customer.responses['200'].content['application/json'].schema.$ref).toMatch(/CustomerValueDto/);
    const schema = doc.components.schemas.CustomerValueDto;
    for (const f of ['customer_id', 'x', 't_x', 'T', 'p_alive', 'expected_purchases', 'expected_avg_value', 'clv']) expect(schema.properties).toHaveProperty(f);
    expect(Object.keys(doc.components.schemas.CustomerValueModelDto.properties)).toEqual(
      expect.arrayContaining(['as_of', 'customers', 'repeat_customers', 'bgnbd', 'gamma_gamma']),
    );
  });
});
