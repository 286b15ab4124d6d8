/**
 * clv_predicted_avg and at_risk_customers on a generated organisation (src/demo-data: a team
 * hierarchy, reassignments, churn, inactivity, refunds, recorded and default margins), over
 * real HTTP: every value is recomputed here independently — the subject's active customers
 * from the KPI engine's own `active_customers` drill-down, each customer's summary and margin
 * rate from the raw orders with the pure code, the CLV with the pure discountedClv and the
 * fitted parameters of the model endpoint.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { PG_POOL } from '../../src/database/database.module';
import { generateDemoData } from '../../src/demo-data/demo-data.generator';
import { IMPORT_ORDER } from '../../src/imports/import-entities';
import { ImportsService } from '../../src/imports/imports.service';
import { pAlive, type BgnbdParams } from '../../src/predictive/domain/bgnbd';
import { discountedClv } from '../../src/predictive/domain/clv';
import { summarizeCustomer, type CompletedOrder } from '../../src/predictive/domain/customer-summary';
import { expectedAverageValue, type GammaGammaParams } from '../../src/predictive/domain/gamma-gamma';
import { addMonths, lastDay } from '../../src/periods/domain/period';
import { createTestApp, type TestApp } from '../support/test-app';

const PERIOD = '2026-06';
const S1 = lastDay(PERIOD);

interface Kpi {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  sample_size: number;
}
interface Rec {
  id: string;
  in_numerator: boolean | null;
  fields: Record<string, unknown>;
}
interface Page {
  total: number;
  records: Rec[];
  next_cursor: string | null;
  rule: string;
  note: string | null;
}

describe('predictive KPIs on a generated organisation', () => {
  let t: TestApp;
  let hr: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'ys-clv-kpi-'));
  /** customer → its completed orders (local dates) and money */
  const customers = new Map<string, { orders: CompletedOrder[]; amount: number; margin: number }>();
  let models: { bgnbd: BgnbdParams; gg: GammaGammaParams };
  let teams: { team_id: string; parent_team_id: string | null }[];
  let agents: { agent_id: string; team_id: string }[];

  const get = async (url: string, token = hr, status = 200) => (await t.http.get(url).set('authorization', `Bearer ${token}`).expect(status)).body;
  const subjectUrl = (s: string) => (s === 'org' ? '/api/v1/org' : s.startsWith('T:') ? `/api/v1/teams/${s.slice(2)}` : `/api/v1/agents/${s.slice(2)}`);
  const allRecords = async (s: string, key: string, period = PERIOD): Promise<Page & { all: Rec[] }> => {
    const all: Rec[] = [];
    let cursor: string | null = null;
    let first: Page | null = null;
    do {
      const page: Page = await get(`${subjectUrl(s)}/kpis/${key}/records?period=${period}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      first ??= page;
      all.push(...page.records);
      cursor = page.next_cursor;
    } while (cursor);
    return { ...first!, all };
  };

  beforeAll(async () => {
    await generateDemoData({ out: dir, agents: 20, customers: 1500, months: 6, seed: 'predictive-kpis', endMonth: PERIOD });
    t = await createTestApp();
    const imports = t.app.get(ImportsService);
    for (const e of IMPORT_ORDER) await imports.importStream(e, createReadStream(path.join(dir, `${e}.csv`)), { source: e });
    hr = await t.login('hr');
    const pool = t.app.get<Pool>(PG_POOL);
    const raw = await pool.query<{ customer_id: string; ordered_on: string; amount: string; gross_margin: string | null }>(
      `select customer_id, ordered_on, amount, gross_margin from orders where status = 'completed'`,
    );
    for (const o of raw.rows) {
      const c = customers.get(o.customer_id) ?? { orders: [], amount: 0, margin: 0 };
      c.orders.push({ date: o.ordered_on, amount: Number(o.amount) });
      customers.set(o.customer_id, c);
    }
    teams = (await pool.query('select team_id, parent_team_id from teams')).rows;
    agents = (await pool.query('select agent_id, team_id from agents order by agent_id')).rows;
    const body = await get(`/api/v1/models/customer-value?as_of=${S1}`);
    expect(body.status).toBe('fitted');
    models = { bgnbd: body.bgnbd, gg: { p: body.gamma_gamma.p, q: body.gamma_gamma.q, gamma: body.gamma_gamma.gamma } };
  }, 180_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Margin rate of a customer as of e from the raw orders (default margin 0.3), NaN when Σ amount = 0. */
  const marginRate = async (ids: string[], e: string): Promise<Map<string, number>> => {
    const r = await t.app
      .get<Pool>(PG_POOL)
      .query<{ customer_id: string; amount: string; gross_margin: string | null }>(
        `select customer_id, amount, gross_margin from orders where status = 'completed' and ordered_on <= $1 and customer_id = any($2)`,
        [e, ids],
      );
    const sums = new Map<string, [number, number]>();
    for (const o of r.rows) {
      const s = sums.get(o.customer_id) ?? [0, 0];
      s[0] += Number(o.amount);
      s[1] += o.gross_margin === null ? Number(o.amount) * 0.3 : Number(o.gross_margin);
      sums.set(o.customer_id, s);
    }
    return new Map([...sums].map(([id, [a, m]]) => [id, a > 0 ? m / a : Number.NaN]));
  };

  /** The expected KPIs of a subject, from the engine's active customers and the pure models. */
  const expectedCache = new Map<string, ReturnType<typeof computeExpected>>();
  const expected = (subject: string) => {
    if (!expectedCache.has(subject)) expectedCache.set(subject, computeExpected(subject));
    return expectedCache.get(subject)!;
  };
  const computeExpected = async (subject: string) => {
    const active = await allRecords(subject, 'active_customers');
    const withOrders = active.all.map((r) => r.id).filter((id) => customers.get(id)?.orders.some((o) => o.date <= S1));
    const margins = await marginRate(withOrders, S1);
    let sum = 0;
    let n = 0;
    let risk = 0;
    const clvOf = new Map<string, number>();
    for (const id of withOrders) {
      const s = summarizeCustomer(customers.get(id)!.orders, S1)!;
      if (pAlive(models.bgnbd, s.x, s.tx, s.T) < 0.5) risk++;
      const m = margins.get(id)!;
      if (!Number.isFinite(m) || !Number.isFinite(expectedAverageValue(models.gg, s.x, s.mx))) continue;
      const clv = discountedClv(models, { x: s.x, tx: s.tx, T: s.T, mx: s.mx, marginRate: m }, { horizonMonths: 12, annualDiscountRate: 0.1 });
      clvOf.set(id, clv);
      sum += clv;
      n++;
    }
    return { active: active.all.length, withOrders, sum, n, risk, clvOf };
  };

  const subjects = () => {
    const top = teams.find((x) => x.parent_team_id === null)!.team_id;
    const leaf = teams.find((x) => !teams.some((y) => y.parent_team_id === x.team_id))!.team_id;
    return ['org', `T:${top}`, `T:${leaf}`, `A:${agents[0].agent_id}`, `A:${agents[agents.length - 1].agent_id}`];
  };

  it('are the mean predictive CLV and the at-risk count of each subject’s active customers, computed independently', async () => {
    for (const subject of subjects()) {
      const kpis = (await get(`${subjectUrl(subject)}/kpis?period=${PERIOD}`)).kpis as Record<string, Kpi>;
      const exp = await expected(subject);
      const clv = kpis.clv_predicted_avg;
      const ctx = { subject };
      expect({ ctx, denominator: clv.denominator, sample: clv.sample_size }).toEqual({ ctx, denominator: exp.n, sample: exp.n });
      if (exp.n > 0) {
        expect({ ctx, ok: Math.abs(clv.value! - exp.sum / exp.n) <= 1e-9 * Math.abs(exp.sum / exp.n) }).toEqual({ ctx, ok: true });
        expect({ ctx, ok: Math.abs(clv.numerator! - exp.sum) <= 1e-9 * Math.abs(exp.sum) }).toEqual({ ctx, ok: true });
      } else {
        expect(clv.value).toBeNull();
      }
      expect({ ctx, ...kpis.at_risk_customers }).toMatchObject({ ctx, value: exp.risk, numerator: null, denominator: null, sample_size: exp.withOrders.length });
      if (subject === 'org') {
        expect(exp.n).toBeGreaterThan(300);
        expect(exp.risk).toBeGreaterThan(0);
        expect(exp.withOrders.length).toBeLessThan(exp.active); // active customers without orders are left out
      }
    }
  });

  it('list, in the drill-down, exactly the customers behind each value', async () => {
    for (const subject of subjects().slice(0, 3)) {
      const exp = await expected(subject);
      const clv = await allRecords(subject, 'clv_predicted_avg');
      expect(clv.total).toBe(exp.n);
      expect(clv.all.map((r) => r.id).sort()).toEqual([...exp.clvOf.keys()].sort());
      for (const r of clv.all) {
        const want = exp.clvOf.get(r.id)!;
        expect({ id: r.id, ok: Math.abs((r.fields.clv as number) - want) <= 1e-9 * Math.max(1, Math.abs(want)) }).toEqual({ id: r.id, ok: true });
        expect(r.in_numerator).toBeNull();
      }
      expect(clv.rule).toMatch(/model value/);
      const risk = await allRecords(subject, 'at_risk_customers');
      expect(risk.total).toBe(exp.withOrders.length);
      expect(risk.all.map((r) => r.id).sort()).toEqual([...exp.withOrders].sort());
      expect(risk.all.filter((r) => r.in_numerator).length).toBe(exp.risk);
      for (const r of risk.all) expect(r.in_numerator).toBe((r.fields.p_alive as number) < 0.5);
      // ids ascend (collate "C") across pages
      const ids = risk.all.map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    }
  });

  it('add up: a team’s counts are those of the agents in its subtree', async () => {
    const live = (await get(`/api/v1/org/kpis?period=${PERIOD}`)).kpis as Record<string, Kpi>;
    const children = new Map<string, string[]>();
    for (const x of teams) if (x.parent_team_id) children.set(x.parent_team_id, [...(children.get(x.parent_team_id) ?? []), x.team_id]);
    const subtree = (id: string): string[] => [id, ...(children.get(id) ?? []).flatMap(subtree)];
    const agentKpis = new Map<string, Record<string, Kpi>>();
    for (const a of agents) agentKpis.set(a.agent_id, (await get(`/api/v1/agents/${a.agent_id}/kpis?period=${PERIOD}`)).kpis);
    let ownedRisk = 0;
    for (const team of teams) {
      const members = new Set(subtree(team.team_id));
      const mine = agents.filter((a) => members.has(a.team_id)).map((a) => agentKpis.get(a.agent_id)!);
      const k = (await get(`/api/v1/teams/${team.team_id}/kpis?period=${PERIOD}`)).kpis as Record<string, Kpi>;
      expect(mine.reduce((s, a) => s + a.at_risk_customers.value!, 0)).toBe(k.at_risk_customers.value);
      expect(mine.reduce((s, a) => s + a.at_risk_customers.sample_size, 0)).toBe(k.at_risk_customers.sample_size);
      expect(mine.reduce((s, a) => s + a.clv_predicted_avg.denominator!, 0)).toBe(k.clv_predicted_avg.denominator);
      const num = mine.reduce((s, a) => s + a.clv_predicted_avg.numerator!, 0);
      expect(Math.abs(num - k.clv_predicted_avg.numerator!)).toBeLessThanOrEqual(1e-9 * Math.abs(num));
      if (team.parent_team_id === null) ownedRisk += k.at_risk_customers.value!;
    }
    // the organisation also counts customers without an owner
    expect(live.at_risk_customers.value).toBeGreaterThanOrEqual(ownedRisk);
  });

  it('are null, with the model endpoint’s reason, where fewer than 50 customers have a repeat purchase', async () => {
    // walk back from the span's start to the last month whose calibration end has < 50 repeat customers
    let period = addMonths(PERIOD, -6);
    let model = await get(`/api/v1/models/customer-value?as_of=${lastDay(period)}`);
    while (model.status === 'fitted') {
      period = addMonths(period, -1);
      model = await get(`/api/v1/models/customer-value?as_of=${lastDay(period)}`);
    }
    expect(model.repeat_customers).toBeGreaterThan(0);
    expect(model.repeat_customers).toBeLessThan(50);
    expect(model.reason).toMatch(new RegExp(`^fewer than 50 repeat customers \\(${model.repeat_customers}\\) as of ${lastDay(period)}`));
    for (const subject of ['org', `A:${agents[0].agent_id}`]) {
      const kpis = (await get(`${subjectUrl(subject)}/kpis?period=${period}`)).kpis as Record<string, Kpi & { previous: number | null }>;
      for (const key of ['clv_predicted_avg', 'at_risk_customers']) {
        expect(kpis[key]).toMatchObject({ value: null, numerator: null, denominator: null, sample_size: 0 });
      }
      const page: Page = await get(`${subjectUrl(subject)}/kpis/clv_predicted_avg/records?period=${period}`);
      expect(page.total).toBe(0);
      expect(page.rule).toMatch(/fewer than 50 repeat customers/);
      expect(page.note).toContain(`clv_predicted_avg is null for ${period}: ${model.reason}`);
    }
    // the next month fits: its `previous` is null while its value is not
    const next = addMonths(period, 1);
    if ((await get(`/api/v1/models/customer-value?as_of=${lastDay(next)}`)).status === 'fitted') {
      const k = (await get(`/api/v1/org/kpis?period=${next}`)).kpis.clv_predicted_avg;
      expect(k.value).not.toBeNull();
      expect(k.previous).toBeNull();
    }
  });

  it('show a customer’s value to hr, to the team lead of its owner’s team and to its owner only', async () => {
    const active = await allRecords('org', 'active_customers');
    const owned = active.all.filter((r) => r.fields.owner_s1 && customers.get(r.id)?.orders.some((o) => o.date <= S1));
    const c1 = owned[0];
    const c2 = owned.find((r) => r.fields.owner_s1_team_id !== c1.fields.owner_s1_team_id)!;
    const url = (c: Rec) => `/api/v1/customers/${c.id}/value?as_of=${S1}`;
    expect((await get(url(c1))).status).toBe('ok');

    const lead = await t.login('team_lead', { teamIds: [c1.fields.owner_s1_team_id as string] });
    expect((await get(url(c1), lead)).customer_id).toBe(c1.id);
    await get(url(c2), lead, 403);

    const agent = await t.login('agent', { agentId: c1.fields.owner_s1 as string });
    expect((await get(url(c1), agent)).customer_id).toBe(c1.id);
    await get(url(c2), agent, 403);
    await get(`/api/v1/models/customer-value?as_of=${S1}`, agent, 403);

    await get(url(c1), await t.login('auditor'), 403);
  });
});
