import { KPI_CATALOGUE, KPI_KEYS, type KpiKey } from '../../src/kpis/domain/kpi-catalogue';
import { addDecimalStrings } from '../../src/kpis/kpi.repository';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Drill-down (GET …/kpis/{key}/records) on the golden fixture test/fixtures/kpi/basic
 * (period 2026-10, ORG_TIMEZONE=UTC; its README works out every record by hand), through
 * the real HTTP API. The records must agree with the KPI endpoint for every key and subject.
 */
type Kpi = { value: unknown; numerator: number | null; denominator: number | null; sample_size: number };
type Rec = { id: string; in_numerator: boolean | null; fields: Record<string, unknown> };
type Page = {
  subject: { type: string; id: string | null; name: string | null };
  period: string;
  key: string;
  rule: string;
  window: { p0: string; p1: string; s0: string; s1: string };
  total: number;
  records: Rec[];
  next_cursor: string | null;
  published_version: number | null;
  note: string | null;
};

const PERIOD = '2026-10';
const SUBJECTS = [
  { label: 'A1', kpis: '/api/v1/agents/A1/kpis', records: '/api/v1/agents/A1/kpis' },
  { label: 'A2', kpis: '/api/v1/agents/A2/kpis', records: '/api/v1/agents/A2/kpis' },
  { label: 'A3', kpis: '/api/v1/agents/A3/kpis', records: '/api/v1/agents/A3/kpis' },
  { label: 'T-E1', kpis: '/api/v1/teams/T-E1/kpis', records: '/api/v1/teams/T-E1/kpis' },
  { label: 'T-W1', kpis: '/api/v1/teams/T-W1/kpis', records: '/api/v1/teams/T-W1/kpis' },
  { label: 'T-ROOT', kpis: '/api/v1/teams/T-ROOT/kpis', records: '/api/v1/teams/T-ROOT/kpis' },
  { label: 'org', kpis: '/api/v1/org/kpis', records: '/api/v1/org/kpis' },
];
const NO_SOURCE: KpiKey[] = ['clv_predicted_avg', 'at_risk_customers', 'win_back_rate'];
/** The field a mean averages, or a sum adds up. */
const SUMMED: Partial<Record<KpiKey, string>> = {
  clv_historic_avg: 'gross_margin_before_p1',
  avg_handle_seconds: 'handle_seconds',
  ces_avg: 'ces',
  revenue: 'amount',
  gross_margin: 'effective_gross_margin',
  training_hours: 'hours',
  mystery_shopper_score: 'score',
  feedback_360_score: 'mean',
};
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** percentile_cont(f) of PostgreSQL: linear interpolation between the closest ranks. */
function percentileCont(values: number[], f: number): number | null {
  if (!values.length) return null;
  const a = [...values].sort((x, y) => x - y);
  const pos = f * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

/** Exact decimal sum of strings, or the plain sum of numbers. */
function sumField(records: Rec[], field: string): number {
  const vals = records.map((r) => r.fields[field]);
  if (vals.every((v) => typeof v === 'number')) return (vals as number[]).reduce((a, b) => a + b, 0);
  for (const v of vals) expect(v).toMatch(DECIMAL);
  return Number((vals as string[]).reduce((a, b) => addDecimalStrings(a, b), '0'));
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('KPI drill-down on the golden fixture kpi/basic (UTC)', () => {
  let t: TestApp;
  let hr: string;

  const get = (url: string, token = hr) => t.http.get(url).set('Authorization', `Bearer ${token}`);
  const page = async (url: string, token = hr): Promise<Page> => (await get(url, token).expect(200)).body as Page;
  const recordsUrl = (base: string, key: string, extra = '') => `${base}/${key}/records?period=${PERIOD}${extra}`;
  /** Every record of a key (limit 1000: one page here), checking the page invariants. */
  const all = async (base: string, key: string): Promise<Page> => {
    const p = await page(recordsUrl(base, key, '&limit=1000'));
    expect(p.next_cursor).toBeNull();
    expect(p.records).toHaveLength(p.total);
    const ids = p.records.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort(byteOrder)).toEqual(ids);
    return p;
  };
  const ids = (p: Page) => p.records.map((r) => r.id);
  const marks = (p: Page) => Object.fromEntries(p.records.map((r) => [r.id, r.in_numerator]));

  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'UTC' });
    await importFixture(t.app, 'kpi/basic');
    hr = await t.login('hr');
  });
  afterAll(() => t.close());

  describe.each(SUBJECTS)('agrees with the KPI endpoint for every key: $label', (s) => {
    it('total, numerator and sums match each KPI', async () => {
      const kpis = (await get(`${s.kpis}?period=${PERIOD}`).expect(200)).body.kpis as Record<KpiKey, Kpi>;
      for (const key of KPI_KEYS) {
        const k = kpis[key];
        const p = await all(s.records, key);
        const ctx = `${s.label} ${key}`;
        expect({ ctx, key: p.key, period: p.period }).toEqual({ ctx, key, period: PERIOD });
        expect(p.rule).toMatch(/current data/);
        if (NO_SOURCE.includes(key)) {
          expect({ ctx, total: p.total, sample: k.sample_size }).toEqual({ ctx, total: 0, sample: 0 });
          // no win-back task in this fixture; the predictive models cannot be fitted on this tiny fixture and say why
          if (key === 'win_back_rate') expect(p.note).toBeNull();
          else expect(p.note).toMatch(/fewer than 50 repeat customers/);
          continue;
        }
        const kind = KPI_CATALOGUE[key].kind;
        const yes = p.records.filter((r) => r.in_numerator === true).length;
        const no = p.records.filter((r) => r.in_numerator === false).length;
        switch (kind) {
          case 'percentage':
            expect({ ctx, total: p.total }).toEqual({ ctx, total: k.denominator });
            if (key === 'nps') {
              expect({ ctx, numerator: yes - no }).toEqual({ ctx, numerator: k.numerator });
            } else {
              expect({ ctx, numerator: yes, decided: yes + no }).toEqual({ ctx, numerator: k.numerator, decided: p.total });
            }
            break;
          case 'mean':
            expect({ ctx, total: p.total, sum: sumField(p.records, SUMMED[key]!) }).toEqual({ ctx, total: k.denominator, sum: k.numerator });
            expect(p.records.every((r) => r.in_numerator === null)).toBe(true);
            break;
          case 'sum':
            expect({ ctx, total: p.total, sum: sumField(p.records, SUMMED[key]!) }).toEqual({ ctx, total: k.sample_size, sum: k.value });
            break;
          case 'count':
            expect({ ctx, total: p.total }).toEqual({ ctx, total: k.sample_size });
            expect(k.value).toBe(p.total);
            break;
          case 'percentile': {
            expect({ ctx, total: p.total }).toEqual({ ctx, total: k.sample_size });
            const minutes = p.records.map((r) => r.fields.first_response_minutes as number);
            const v = percentileCont(minutes, key === 'first_response_minutes_p50' ? 0.5 : 0.9);
            if (v === null) expect(k.value).toBeNull();
            else expect(k.value as number).toBeCloseTo(v, 9);
            break;
          }
          case 'breakdown': {
            expect({ ctx, total: p.total }).toEqual({ ctx, total: k.sample_size });
            const value = k.value as { by_category: Record<string, number>; by_controllable: Record<string, number> };
            const byCategory = Object.fromEntries(Object.keys(value.by_category).map((c) => [c, 0]));
            const byControllable: Record<string, number> = { true: 0, false: 0, unknown: 0 };
            for (const r of p.records) {
              expect(r.fields.is_complaint).toBe(true);
              byCategory[r.fields.complaint_category as string] += 1;
              byControllable[r.fields.complaint_controllable === null ? 'unknown' : String(r.fields.complaint_controllable)] += 1;
            }
            expect({ ctx, byCategory, byControllable }).toEqual({ ctx, byCategory: value.by_category, byControllable: value.by_controllable });
            break;
          }
        }
        if (kind !== 'percentage') expect(p.records.every((r) => r.in_numerator === null)).toBe(true);
      }
    });
  });

  describe('exact record lists, from the fixture README', () => {
    it('A1 first_contact_resolution: K2 counts, K3 (two contacts) and K4 (reopened) do not', async () => {
      const p = await all('/api/v1/agents/A1/kpis', 'first_contact_resolution');
      expect(p.subject).toEqual({ type: 'agent', id: 'A1', name: 'Ana Silva' });
      expect(p.window).toEqual({ p0: '2026-10-01T00:00:00.000Z', p1: '2026-11-01T00:00:00.000Z', s0: '2026-09-30', s1: '2026-10-31' });
      expect(p.total).toBe(3);
      expect(p.records).toEqual([
        {
          id: 'K2',
          in_numerator: true,
          fields: {
            customer_id: 'C3', agent_id: 'A1', team_id: 'T-E1',
            opened_at: '2026-10-03T08:00:00.000Z', resolved_at: '2026-10-03T20:00:00.000Z', resolution_hours: 12,
            contact_count: 1, reopened: false, handle_seconds: 600,
          },
        },
        {
          id: 'K3',
          in_numerator: false,
          fields: {
            customer_id: 'C1', agent_id: 'A1', team_id: 'T-E1',
            opened_at: '2026-09-30T23:50:00.000Z', resolved_at: '2026-10-01T02:00:00.000Z', resolution_hours: 7800 / 3600,
            contact_count: 2, reopened: false, handle_seconds: 300,
          },
        },
        {
          id: 'K4',
          in_numerator: false,
          fields: {
            customer_id: 'C2', agent_id: 'A1', team_id: 'T-E1',
            opened_at: '2026-10-10T09:00:00.000Z', resolved_at: '2026-10-12T09:00:00.000Z', resolution_hours: 48,
            contact_count: 1, reopened: true, handle_seconds: null,
          },
        },
      ]);
      expect(marks(await all('/api/v1/agents/A1/kpis', 'resolution_sla_rate'))).toEqual({ K2: true, K3: true, K4: false });
      expect(ids(await all('/api/v1/agents/A1/kpis', 'avg_handle_seconds'))).toEqual(['K2', 'K3']);
    });

    it('retention and churn: S by the owner on s0; the organisation counts every customer', async () => {
      const a1 = await all('/api/v1/agents/A1/kpis', 'customer_retention_rate');
      expect(marks(a1)).toEqual({ C2: true, C3: false });
      expect(a1.records[1].fields).toEqual({
        owner_s0: 'A1', owner_s0_team_id: 'T-E1', owner_s1: 'A1', acquired_on: '2025-01-01', churned_on: '2026-10-10',
        last_order_s0: '2026-08-01', last_order_s1: '2026-08-01', active_s0: true, active_s1: false,
      });
      expect(marks(await all('/api/v1/agents/A1/kpis', 'churn_rate'))).toEqual({ C2: false, C3: true });
      // C4 counts for A2 on s0 although A3 owns it on s1; C6 for A5 (explicit assignment wins over owner_agent_id A4)
      expect(marks(await all('/api/v1/agents/A2/kpis', 'customer_retention_rate'))).toEqual({ C4: true, C8: true });
      const org = await all('/api/v1/org/kpis', 'customer_retention_rate');
      expect(marks(org)).toEqual({ C2: true, C3: false, C4: true, C6: true, C8: true });
      expect(org.records.find((r) => r.id === 'C6')!.fields).toMatchObject({ owner_s0: 'A5', owner_s0_team_id: 'T-W1' });
      expect(org.subject).toEqual({ type: 'org', id: null, name: null });
    });

    it('repeat purchases, revenue and margin: only completed orders, local dates, exact money', async () => {
      const a3 = await all('/api/v1/agents/A3/kpis', 'repeat_purchase_rate');
      expect(a3.records).toEqual([
        {
          id: 'C4',
          in_numerator: false,
          fields: { owner_s1: 'A3', owner_s1_team_id: 'T-EAST', first_order_in_p: '2026-10-20', orders_in_p: 1, last_order_before_p0: null, ordered_before_p0: false },
        },
      ]);
      expect(marks(await all('/api/v1/org/kpis', 'repeat_purchase_rate'))).toEqual({ C1: true, C4: false, C6: false, C7: false, C8: true });
      const a5 = await all('/api/v1/agents/A5/kpis', 'revenue');
      expect(a5.records).toEqual([
        {
          id: 'O9',
          in_numerator: null,
          fields: {
            customer_id: 'C6', owner_s1: 'A5', owner_s1_team_id: 'T-W1', ordered_at: '2026-10-31T22:30:00.000Z', ordered_on: '2026-10-31',
            amount: '40.00', gross_margin: null, effective_gross_margin: '12.000',
          },
        },
      ]);
      // O10 of C7 (no owner) counts for the organisation only; O6 refunded and O7 cancelled nowhere
      expect(ids(await all('/api/v1/org/kpis', 'gross_margin'))).toEqual(['O10', 'O11', 'O2', 'O5', 'O9']);
      expect(ids(await all('/api/v1/teams/T-ROOT/kpis', 'revenue'))).toEqual(['O11', 'O2', 'O5', 'O9']);
    });

    it('active customers and historic CLV; churn reasons from the last complaint before p1', async () => {
      const clv = await all('/api/v1/agents/A1/kpis', 'clv_historic_avg');
      expect(clv.records.map((r) => [r.id, Number(r.fields.gross_margin_before_p1)])).toEqual([
        ['C1', 55],
        ['C2', 80],
      ]);
      expect(ids(await all('/api/v1/teams/T-EAST/kpis', 'active_customers'))).toEqual(['C1', 'C2', 'C4', 'C8']);
      expect(ids(await all('/api/v1/org/kpis', 'active_customers'))).toEqual(['C1', 'C2', 'C4', 'C6', 'C7', 'C8']);
      const share = await all('/api/v1/agents/A1/kpis', 'churn_controllable_share');
      expect(share.records).toEqual([
        {
          id: 'C3',
          in_numerator: true,
          fields: {
            owner_s0: 'A1', owner_s0_team_id: 'T-E1', churned_on: '2026-10-10', last_order_s1: '2026-08-01', active_s0: true, active_s1: false,
            last_complaint_ticket_id: 'K2', last_complaint_opened_at: '2026-10-03T08:00:00.000Z', complaint_controllable: true,
            // retention: no win-back task closed as lost, so the reason is the inferred one
            reason_source: 'inferred', win_back_task_id: null, churn_reason: null, recorded_controllable: null,
          },
        },
      ]);
      expect((await all('/api/v1/agents/A2/kpis', 'churn_controllable_share')).total).toBe(0);
    });

    it('tickets count for their team (K6 for T-W1 although A3 is now in T-EAST); Op and first responses', async () => {
      expect(ids(await all('/api/v1/teams/T-W1/kpis', 'tickets_resolved'))).toEqual(['K6', 'K7']);
      expect(ids(await all('/api/v1/teams/T-EAST/kpis', 'tickets_resolved'))).toEqual(['K2', 'K3', 'K4']);
      const a2 = await all('/api/v1/agents/A2/kpis', 'first_response_sla_rate');
      expect(a2.records).toEqual([
        {
          id: 'K5',
          in_numerator: false,
          fields: {
            customer_id: 'C8', agent_id: 'A2', team_id: 'T-E1', opened_at: '2026-10-31T23:30:00.000Z', first_response_at: null,
            first_response_minutes: null, is_complaint: false, complaint_category: null, complaint_controllable: null,
          },
        },
      ]);
      // K7: exactly 60 minutes meets the SLA (inclusive)
      expect(marks(await all('/api/v1/teams/T-W1/kpis', 'first_response_sla_rate'))).toEqual({ K6: true, K7: true, K8: true });
      const p50 = await all('/api/v1/teams/T-ROOT/kpis', 'first_response_minutes_p50');
      expect(p50.records.map((r) => [r.id, r.fields.first_response_minutes])).toEqual([
        ['K2', 45],
        ['K4', 120],
        ['K6', 5],
        ['K7', 60],
        ['K8', 10],
      ]);
      // K7 has a category but is no complaint
      const complaints = await all('/api/v1/org/kpis', 'complaints_by_category');
      expect(complaints.records.map((r) => [r.id, r.fields.complaint_category, r.fields.complaint_controllable])).toEqual([
        ['K2', 'core_service_failure', true],
        ['K6', 'service_encounter', null],
      ]);
      expect(marks(await all('/api/v1/org/kpis', 'complaint_rate'))).toEqual({ K2: true, K4: false, K5: false, K6: true, K7: false, K8: false });
    });

    it('surveys: responded in P, team through the linked ticket; nps marks promoters and detractors', async () => {
      // S6 rates A3 but is linked to K3, A1's ticket: it counts for T-E1
      const e1 = await all('/api/v1/teams/T-E1/kpis', 'survey_responses');
      expect(ids(e1)).toEqual(['S1', 'S2', 'S6']);
      expect(e1.records[2].fields).toEqual({
        customer_id: 'C1', agent_id: 'A3', ticket_id: 'K3', team_id: 'T-E1', responded_at: '2026-10-02T10:00:00.000Z', csat: null, nps: null, ces: 3,
      });
      expect(marks(await all('/api/v1/org/kpis', 'nps'))).toEqual({ S1: true, S2: false, S3: null, S5: true });
      expect(marks(await all('/api/v1/agents/A1/kpis', 'csat'))).toEqual({ S1: true, S2: false });
      expect(ids(await all('/api/v1/agents/A3/kpis', 'ces_avg'))).toEqual(['S3', 'S6']);
    });

    it('training of the month, for the agent and the agent’s current team', async () => {
      const a1 = await all('/api/v1/agents/A1/kpis', 'training_hours');
      expect(a1.records).toEqual([
        { id: 'TR1', in_numerator: null, fields: { agent_id: 'A1', team_id: 'T-E1', completed_on: '2026-10-01', hours: '2.50', course: 'De-escalation' } },
      ]);
      expect(ids(await all('/api/v1/teams/T-EAST/kpis', 'training_hours'))).toEqual(['TR1', 'TR3']);
    });

    it('win_back_rate without win-back tasks answers an empty page', async () => {
      const p = await page(recordsUrl('/api/v1/agents/A1/kpis', 'win_back_rate'));
      expect(p).toMatchObject({ total: 0, records: [], next_cursor: null, published_version: null, note: null });
      expect(p.rule).toMatch(/confirmation window/);
    });
  });

  describe('pagination', () => {
    it('limit 1 walks every record of every key exactly once, for the organisation and a team', async () => {
      for (const base of ['/api/v1/org/kpis', '/api/v1/teams/T-E1/kpis']) {
        for (const key of KPI_KEYS) {
          const whole = await all(base, key);
          const seen: Rec[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const p: Page = await page(recordsUrl(base, key, `&limit=1${cursor ? `&cursor=${cursor}` : ''}`));
            expect(p.total).toBe(whole.total);
            expect(p.records.length).toBeLessThanOrEqual(1);
            seen.push(...p.records);
            cursor = p.next_cursor;
            pages += 1;
            expect(pages).toBeLessThanOrEqual(whole.total + 1);
          } while (cursor);
          expect({ base, key, seen }).toEqual({ base, key, seen: whole.records });
          expect(pages).toBe(Math.max(whole.total, 1));
        }
      }
    });

    it('pages of 2 end without a cursor when the last page is full; a cursor past the end gives an empty page', async () => {
      const base = '/api/v1/org/kpis';
      const p1 = await page(recordsUrl(base, 'complaint_rate', '&limit=2'));
      expect([ids(p1), p1.total]).toEqual([['K2', 'K4'], 6]);
      const p2 = await page(recordsUrl(base, 'complaint_rate', `&limit=2&cursor=${p1.next_cursor}`));
      expect(ids(p2)).toEqual(['K5', 'K6']);
      const p3 = await page(recordsUrl(base, 'complaint_rate', `&limit=2&cursor=${p2.next_cursor}`));
      expect(ids(p3)).toEqual(['K7', 'K8']);
      expect(p3.next_cursor).toBeNull();
      const past = await page(recordsUrl(base, 'complaint_rate', `&cursor=${Buffer.from('K9').toString('base64url')}`));
      expect(past).toMatchObject({ total: 6, records: [], next_cursor: null });
      // the default page holds up to 100 records
      expect((await page(recordsUrl(base, 'complaint_rate'))).records).toHaveLength(6);
    });

    it('a bad cursor, limit or period is 422 problem details', async () => {
      for (const extra of ['&cursor=***', '&cursor=QR', '&cursor=AA', '&limit=0', '&limit=1001', '&limit=x']) {
        const res = await get(recordsUrl('/api/v1/org/kpis', 'csat', extra)).expect(422);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors?.[0]?.field).toBe(extra.startsWith('&cursor') ? 'cursor' : 'limit');
      }
      await get('/api/v1/org/kpis/csat/records?period=2026-13').expect(422);
      await get('/api/v1/org/kpis/csat/records').expect(422);
    });
  });

  describe('errors and scope', () => {
    it('an unknown key is 404 naming the valid keys; unknown subjects are 404', async () => {
      const res = await get(`/api/v1/agents/A1/kpis/nope/records?period=${PERIOD}`).expect(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toContain('customer_retention_rate');
      expect(res.body.detail).toContain('churn_controllable_share');
      expect(res.body.valid_keys).toEqual([...KPI_KEYS]);
      await get(`/api/v1/org/kpis/nope/records?period=${PERIOD}`).expect(404);
      await get(`/api/v1/agents/NOPE/kpis/csat/records?period=${PERIOD}`).expect(404);
      await get(`/api/v1/teams/NOPE/kpis/csat/records?period=${PERIOD}`).expect(404);
    });

    it('team leads see their teams and those teams’ agents only', async () => {
      const lead = await t.login('team_lead', { teamIds: ['T-W1'] });
      await get(recordsUrl('/api/v1/agents/A1/kpis', 'first_contact_resolution'), lead).expect(403);
      await get(recordsUrl('/api/v1/teams/T-E1/kpis', 'csat'), lead).expect(403);
      await get(recordsUrl('/api/v1/org/kpis', 'csat'), lead).expect(403);
      expect(ids(await page(recordsUrl('/api/v1/agents/A4/kpis', 'complaint_rate'), lead))).toEqual(['K8']);
      expect(ids(await page(recordsUrl('/api/v1/teams/T-W1/kpis', 'tickets_resolved'), lead))).toEqual(['K6', 'K7']);
    });

    it('agents see only their own records; auditors none; no token is 401', async () => {
      const agent = await t.login('agent', { agentId: 'A1' });
      expect(ids(await page(recordsUrl('/api/v1/agents/A1/kpis', 'first_contact_resolution'), agent))).toEqual(['K2', 'K3', 'K4']);
      await get(recordsUrl('/api/v1/agents/A2/kpis', 'first_contact_resolution'), agent).expect(403);
      await get(recordsUrl('/api/v1/teams/T-E1/kpis', 'first_contact_resolution'), agent).expect(403);
      await get(recordsUrl('/api/v1/org/kpis', 'first_contact_resolution'), agent).expect(403);
      const auditor = await t.login('auditor');
      for (const base of ['/api/v1/agents/A1/kpis', '/api/v1/teams/T-E1/kpis', '/api/v1/org/kpis']) {
        await get(recordsUrl(base, 'csat'), auditor).expect(403);
      }
      await t.http.get(recordsUrl('/api/v1/agents/A1/kpis', 'csat')).expect(401);
      for (const role of ['admin', 'manager'] as const) {
        await get(recordsUrl('/api/v1/org/kpis', 'csat'), await t.login(role)).expect(200);
      }
    });
  });

  it('/docs-json describes the three endpoints with the response schema', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    for (const path of ['/api/v1/agents/{agent_id}/kpis/{key}/records', '/api/v1/teams/{team_id}/kpis/{key}/records', '/api/v1/org/kpis/{key}/records']) {
      expect(doc.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/DrilldownPageDto');
    }
    expect(Object.keys(doc.components.schemas.DrilldownPageDto.properties ?? {})).toEqual(
      expect.arrayContaining(['subject', 'period', 'key', 'rule', 'total', 'records', 'next_cursor']),
    );
    expect(Object.keys(doc.components.schemas.DrilldownRecordDto.properties ?? {}).sort()).toEqual(['fields', 'id', 'in_numerator']);
  });

  it('a published period: the records are still the live data, and the page says which version holds the numbers', async () => {
    await t.http.post('/api/v1/periods/2026-09/publish').set('Authorization', `Bearer ${hr}`).send({}).expect(201);
    const p = await page('/api/v1/agents/A1/kpis/tickets_resolved/records?period=2026-09');
    expect(p.published_version).toBe(1);
    expect(p.note).toMatch(/published \(version 1\)/);
    expect(ids(p)).toEqual(['K1']);
    const kpis = (await get('/api/v1/agents/A1/kpis?period=2026-09').expect(200)).body;
    expect(kpis.status).toBe('published');
    expect(kpis.kpis.tickets_resolved.sample_size).toBe(p.total);
  });
});
