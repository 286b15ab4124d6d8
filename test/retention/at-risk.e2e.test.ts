/**
 * The early-warning list over real HTTP on the hand-made organisation of
 * support/retention-fixture.ts (d = 2026-10-31): every signal rule at its edges (exactly 90
 * days, exactly half, the ≥ 4 contact floor, local midnight), the risk level, owners from the
 * ownership history, activity, tiers against an independent ranking, not_worth_pursuing,
 * P(alive) and CLV against the predictive API, paging, filters and CSV.
 */
import type { Clock } from '../../src/common/clock';
import { riskLevel, type FiredSignals } from '../../src/retention/domain/risk-signals';
import { RETENTION_CLOCK, RetentionService } from '../../src/retention/retention.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { D, EDGE_EXPECTATIONS, retentionFixture } from './support/retention-fixture';

interface Entry {
  customer_id: string;
  name: string | null;
  owner_agent_id: string | null;
  owner_team_id: string | null;
  level: string;
  tier: string | null;
  not_worth_pursuing: boolean;
  p_alive: number | null;
  clv: number | null;
  last_purchase_on: string | null;
  signals: FiredSignals;
  open_task_id: number | null;
}

describe('at-risk customers (HTTP)', () => {
  let t: TestApp;
  let hr: string;
  const all = new Map<string, Entry>();

  const get = async (url: string, token = hr, status = 200) => (await t.http.get(url).set('authorization', `Bearer ${token}`).expect(status)).body;
  const everyLevel = async (base: string): Promise<Entry[]> => {
    const out: Entry[] = [];
    for (const level of ['high', 'medium', 'low']) out.push(...(await get(`${base}?as_of=${D}&level=${level}&page_size=500`)).customers);
    return out;
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get<Clock>(RETENTION_CLOCK).now = () => new Date('2026-11-02T09:00:00Z');
    await retentionFixture().importInto(t.app);
    hr = await t.login('hr');
    for (const a of ['A1', 'A2', 'A3']) for (const e of await everyLevel(`/api/v1/agents/${a}/at-risk-customers`)) all.set(e.customer_id, e);
  }, 60_000);
  afterAll(() => t.close());

  it('fits the models and cuts tiers over the organisation', async () => {
    const body = await get(`/api/v1/agents/A1/at-risk-customers?as_of=${D}`);
    expect(body.model).toEqual({ status: 'fitted', reason: null });
    expect(body.subject).toEqual({ type: 'agent', id: 'A1', name: 'Agent A1' });
    expect(body.tiers.active_customers).toBe(all.size);
    // the list fits the models from its own pass over the orders: exactly the predictive service's fit
    const ours = await t.app.get(RetentionService).summary(D);
    const theirs = await get(`/api/v1/models/customer-value?as_of=${D}`);
    expect(ours.model.bgnbd).toMatchObject({ r: theirs.bgnbd.r, alpha: theirs.bgnbd.alpha, a: theirs.bgnbd.a, b: theirs.bgnbd.b });
    expect(ours.model.gg).toMatchObject({ p: theirs.gamma_gamma.p, q: theirs.gamma_gamma.q, gamma: theirs.gamma_gamma.gamma });
  });

  it.each(Object.entries(EDGE_EXPECTATIONS))('%s: the signal rule at its edge', (id, expected) => {
    const e = all.get(id)!;
    expect(e).toBeDefined();
    for (const [signal, fires] of Object.entries(expected)) expect([signal, !!e.signals[signal as keyof FiredSignals]]).toEqual([signal, fires]);
  });

  it('carries the numbers of each signal', () => {
    expect(all.get('FD_BELOW')!.signals.frequency_drop).toEqual({ recent_days: 8, earlier_days: 73, expected: 18 });
    expect(all.get('FD_EDGE90')!.signals.frequency_drop).toEqual({ recent_days: 0, earlier_days: 2, expected: 180 / 365 });
    expect(all.get('FD_EDGE454')!.signals.frequency_drop).toEqual({ recent_days: 0, earlier_days: 2, expected: 180 / 365 });
    expect(all.get('RC_YES')!.signals.rising_complaints).toEqual({ recent: 2, earlier: 1 });
    expect(all.get('RC_MIDNIGHT')!.signals.rising_complaints).toEqual({ recent: 2, earlier: 1 });
    expect(all.get('FC_HALF')!.signals.falling_contact).toEqual({ recent: 2, earlier: 4, recent_tickets: 1, recent_surveys: 1, earlier_tickets: 3, earlier_surveys: 1 });
    expect(all.get('UH_CSAT')!.signals.unhappy).toEqual({ surveys: 1, min_csat: 2, min_nps: 8 });
    expect(all.get('UH_NPS')!.signals.unhappy).toEqual({ surveys: 2, min_csat: 5, min_nps: 3 });
    const vip = all.get('VIP')!;
    expect(vip.signals.rising_complaints).toEqual({ recent: 2, earlier: 0 });
    expect(vip.signals.unhappy).toEqual({ surveys: 1, min_csat: 1, min_nps: 2 });
  });

  it('risk level: high with low_p_alive or ≥ 2 signals, medium with one, else low', () => {
    for (const e of all.values()) expect([e.customer_id, e.level]).toEqual([e.customer_id, riskLevel(e.signals)]);
    expect(all.get('VIP')!.level).toBe('high');
    expect(all.get('RC_YES')!.level).toBe(all.get('RC_YES')!.signals.low_p_alive ? 'high' : 'medium');
    expect(all.get('UH_OK')!.level).toBe('low');
  });

  it('low_p_alive: P(alive) from the predictive models as of d, below RISK_P_ALIVE', async () => {
    for (const id of ['B01', 'B05', 'FD_BELOW', 'FD_EDGE90', 'VIP', 'TWIN1', 'NOT_WORTH', 'LOW_ALIVE']) {
      const e = all.get(id)!;
      const v = await get(`/api/v1/customers/${id}/value?as_of=${D}`);
      expect(e.p_alive).toBeCloseTo(v.p_alive, 12);
      expect(e.clv).toBeCloseTo(v.clv, 9);
      expect(!!e.signals.low_p_alive).toBe(v.p_alive < 0.5);
    }
    // customers without orders have no P(alive) and never fire
    expect(all.get('RC_YES')!.p_alive).toBeNull();
    expect(all.get('RC_YES')!.signals.low_p_alive).toBeUndefined();
    // a frequent buyer silent for 170 days: P(alive) far below the threshold, so high risk on its own
    const low = all.get('LOW_ALIVE')!;
    expect(low.p_alive).toBeLessThan(0.5);
    expect(low.signals.low_p_alive).toEqual({ p_alive: low.p_alive, threshold: 0.5 });
    expect(low.level).toBe('high');
    for (const e of all.values()) expect([e.customer_id, !!e.signals.low_p_alive]).toEqual([e.customer_id, e.p_alive !== null && e.p_alive < 0.5]);
  });

  it('lists exactly the customers active on d, with their owner on d', () => {
    expect(all.has('GONE_CHURNED')).toBe(false);
    expect(all.has('GONE_LAPSED')).toBe(false);
    expect(all.has('STILL_ACTIVE')).toBe(true);
    expect(all.has('B04')).toBe(false); // stopped buying 220 days before d
    expect(all.get('OWN_MOVED')!.owner_agent_id).toBe('A2');
    expect(all.get('OWN_MOVED')!.owner_team_id).toBe('T-A');
    expect(all.get('FD_HALF')!.owner_agent_id).toBe('A1');
  });

  it('tiers: competition rank of CLV among the active customers, cumulative limits, ties take the higher tier', async () => {
    const list = [...all.values()];
    const n = list.length;
    const limits = { key: Math.floor((n * 5) / 100), major: Math.floor((n * 20) / 100), ordinary: Math.floor((n * 50) / 100) };
    for (const e of list) {
      if (e.clv === null) {
        expect([e.customer_id, e.tier]).toEqual([e.customer_id, 'small']);
        continue;
      }
      const rank = 1 + list.filter((o) => o.clv !== null && o.clv > e.clv!).length;
      const tier = rank <= limits.key ? 'key' : rank <= limits.major ? 'major' : rank <= limits.ordinary ? 'ordinary' : 'small';
      expect([e.customer_id, e.tier]).toEqual([e.customer_id, tier]);
    }
    expect(all.get('VIP')!.tier).toBe('key');
    expect(all.get('TWIN1')!.clv).toBe(all.get('TWIN2')!.clv);
    expect(all.get('TWIN1')!.tier).toBe(all.get('TWIN2')!.tier);
    const body = await get(`/api/v1/agents/A2/at-risk-customers?as_of=${D}`);
    expect(body.tiers.rank_limits).toEqual(limits);
  });

  it('not_worth_pursuing: a small customer with ≥ 6 complaint tickets in the last 365 days', () => {
    expect(all.get('NOT_WORTH')!.tier).toBe('small');
    expect(all.get('NOT_WORTH')!.not_worth_pursuing).toBe(true);
    for (const e of all.values()) if (e.customer_id !== 'NOT_WORTH') expect([e.customer_id, e.not_worth_pursuing]).toEqual([e.customer_id, false]);
  });

  it('team lists include descendant teams; the default list is high and medium, ordered by level, tier, CLV', async () => {
    const root = await get(`/api/v1/teams/T-ROOT/at-risk-customers?as_of=${D}&page_size=500`);
    const expected = [...all.values()].filter((e) => ['A1', 'A2'].includes(e.owner_agent_id!) && e.level !== 'low');
    expect(root.total).toBe(expected.length);
    expect(new Set(root.customers.map((c: Entry) => c.customer_id))).toEqual(new Set(expected.map((e) => e.customer_id)));
    const order = { high: 0, medium: 1, low: 2 } as Record<string, number>;
    for (let i = 1; i < root.customers.length; i++) expect(order[root.customers[i - 1].level]).toBeLessThanOrEqual(order[root.customers[i].level]);
    expect(root.counts.customers).toBe([...all.values()].filter((e) => ['A1', 'A2'].includes(e.owner_agent_id!)).length);
    const vip = root.customers.find((c: Entry) => c.customer_id === 'VIP');
    expect(vip.name).toBe('Very Important');
    // paging
    const p2 = await get(`/api/v1/teams/T-ROOT/at-risk-customers?as_of=${D}&page=2&page_size=3`);
    expect(p2.customers.map((c: Entry) => c.customer_id)).toEqual(root.customers.slice(3, 6).map((c: Entry) => c.customer_id));
    const key = await get(`/api/v1/teams/T-ROOT/at-risk-customers?as_of=${D}&tier=key`);
    expect(key.customers.every((c: Entry) => c.tier === 'key')).toBe(true);
  });

  it('CSV with Accept: text/csv', async () => {
    const res = await t.http.get(`/api/v1/agents/A1/at-risk-customers?as_of=${D}`).set('authorization', `Bearer ${hr}`).set('accept', 'text/csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 11)).toEqual(['customer_id', 'name', 'owner_agent_id', 'owner_team_id', 'level', 'tier', 'not_worth_pursuing', 'p_alive', 'clv', 'last_purchase_on', 'signals']);
    const json = await get(`/api/v1/agents/A1/at-risk-customers?as_of=${D}&page_size=500`);
    expect(lines.length - 1).toBe(json.total);
    const below = lines.find((l) => l.startsWith('FD_BELOW,'))!.split(',');
    expect(below.slice(11, 14)).toEqual(['8', '73', '18']);
  });

  it('bad input: problem details naming the field', async () => {
    const bad = async (q: string, field: string) => {
      const body = await get(`/api/v1/agents/A1/at-risk-customers?${q}`, hr, 422);
      expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad('as_of=2026-13-01', 'as_of');
    await bad('as_of=2026-11-03', 'as_of'); // after today (clock: 2026-11-02)
    await bad('level=urgent', 'level');
    await bad('tier=gold', 'tier');
    await bad('page=0', 'page');
    await bad('page_size=501', 'page_size');
    await get('/api/v1/agents/NOPE/at-risk-customers', hr, 404);
    await get('/api/v1/teams/NOPE/at-risk-customers', hr, 404);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/agents/{agent_id}/at-risk-customers',
        '/api/v1/teams/{team_id}/at-risk-customers',
        '/api/v1/win-back-tasks',
        '/api/v1/win-back-tasks/{task_id}',
        '/api/v1/win-back-tasks/{task_id}/contacts',
        '/api/v1/win-back-tasks/{task_id}/close',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('AtRiskListDto');
    expect(doc.components.schemas).toHaveProperty('WinBackTaskDto');
  });

  it('as_of defaults to yesterday', async () => {
    const body = await get('/api/v1/agents/A1/at-risk-customers');
    expect(body.as_of).toBe('2026-11-01');
  });
});
