import type { TestApp } from '../support/test-app';
import { auditApp, bearer, defaultFormId, makeAudit } from './audit-helpers';

/**
 * Golden: mystery_shopper_score on kpi/basic (ORG_TIMEZONE=UTC, period 2026-10), scored with
 * the seeded default form. Its weights: greeting 2, introduction 1, listening 3 (scale),
 * questions 2 (scale), identity_check 2 (critical, N/A allowed), accurate_information 4
 * (critical), solution 3 (scale), next_steps 1 (N/A allowed), courtesy 2 (scale),
 * hold_etiquette 1 (N/A allowed), closing 1 — Σ w = 22.
 *
 * G1 (A1, 2026-10-05): all yes / 5 except listening 3 (s 0.5); next_steps and hold_etiquette N/A.
 *    Σ w = 22 − 1 − 1 = 20; Σ w·s = 20 − 3·0.5 = 18.5 → 100 × 18.5 / 20 = 92.5
 * G2 (A1, 2026-10-20): greeting no (0), introduction yes, listening 4 (0.75), questions 2 (0.25),
 *    identity_check N/A, accurate yes, solution 5, next_steps yes, courtesy 3 (0.5),
 *    hold N/A, closing no (0).
 *    Σ w = 22 − 2 − 1 = 19; Σ w·s = 0 + 1 + 2.25 + 0.5 + 4 + 3 + 1 + 1 + 0 = 12.75 → 1275 / 19 = 67.105263…
 * G3 (A3, 2026-10-12): accurate_information no → auto-fail, score 0 (before auto-fail 18/22 = 81.8…)
 * G4 (A4, 2026-10-31T23:59:59Z): all yes / 5 → 100 (A4 was hired 2026-10-15)
 * G5 (A2, 2026-11-01T00:00:00Z): all yes → 100, but in November (P is half-open)
 * G6 (A2, 2026-10-08): a draft → never counts
 * G7 (A1, 2026-10-09): final, then voided → never counts
 *
 * October:
 *   A1 {G1, G2}: (92.5 + 1275/19) / 2; numerator 92.5 + 1275/19 = 3032.5/19 = 159.6052…, denominator 2
 *   A2: no counted audit → null (numerator 0, denominator 0); A3 {G3}: 0 / 1 = 0; A4 {G4}: 100; A5: null
 *   T-E1 (A1, A2) = A1; T-EAST (+ A3): (92.5 + 1275/19 + 0) / 3; T-W1 (A4, A5): 100
 *   T-ROOT = org {G1, G2, G3, G4}: (92.5 + 1275/19 + 0 + 100) / 4
 * November: A2 {G5} 100.
 */
describe('mystery_shopper_score (golden, kpi/basic, 2026-10, UTC)', () => {
  let t: TestApp;
  let hr: string;
  const ids: Record<string, number> = {};
  const G2 = 1275 / 19;
  const A1_SUM = 92.5 + G2;

  beforeAll(async () => {
    t = await auditApp();
    hr = await t.login('hr');
    const auditor = await t.login('auditor');
    const manager = await t.login('manager');
    const formId = await defaultFormId(t, auditor);
    const g1 = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-05T10:00:00Z', values: { listening: 3, next_steps: 'na', hold_etiquette: 'na' } });
    const g2 = await makeAudit(t, auditor, formId, {
      agent: 'A1',
      visited: '2026-10-20T15:00:00Z',
      channel: 'chat',
      values: { greeting: 'no', listening: 4, questions: 2, identity_check: 'na', courtesy: 3, hold_etiquette: 'na', closing: 'no' },
    });
    const g3 = await makeAudit(t, auditor, formId, { agent: 'A3', visited: '2026-10-12T09:00:00Z', values: { accurate_information: 'no' } });
    const g4 = await makeAudit(t, auditor, formId, { agent: 'A4', visited: '2026-10-31T23:59:59Z' });
    const g5 = await makeAudit(t, auditor, formId, { agent: 'A2', visited: '2026-11-01T00:00:00Z' });
    await makeAudit(t, auditor, formId, { agent: 'A2', visited: '2026-10-08T09:00:00Z', finalize: false });
    const g7 = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-09T09:00:00Z' });
    await t.http.post(`/api/v1/audits/${g7.audit_id}/void`).set(bearer(manager)).send({ reason: 'test visit' }).expect(200);
    Object.assign(ids, { g1: g1.audit_id, g2: g2.audit_id, g3: g3.audit_id, g4: g4.audit_id, g5: g5.audit_id });
    expect([g1.score, g3.score, g4.score, g5.score]).toEqual([92.5, 0, 100, 100]);
    expect(g2.score).toBeCloseTo(G2, 12);
    expect(g3).toMatchObject({ auto_failed: true, failed_criteria: [{ criterion_id: 'accurate_information' }] });
    expect(g3.score_before_auto_fail).toBeCloseTo((100 * 18) / 22, 12);
  });
  afterAll(() => t.close());

  type Kpi = { value: number | null; numerator: number | null; denominator: number | null; sample_size: number; low_sample: boolean };
  const kpi = async (url: string, period = '2026-10'): Promise<Kpi> =>
    (await t.http.get(`${url}?period=${period}`).set(bearer(hr)).expect(200)).body.kpis.mystery_shopper_score as Kpi;
  const mean = (k: Kpi, sum: number, n: number) => {
    expect(k.denominator).toBe(n);
    expect(k.sample_size).toBe(n);
    expect(k.numerator!).toBeCloseTo(sum, 9);
    if (n === 0) expect(k.value).toBeNull();
    else expect(k.value!).toBeCloseTo(sum / n, 9);
    expect(k.low_sample).toBe(true);
  };

  it('agents: mean final score of their non-voided audits visited in P', async () => {
    mean(await kpi('/api/v1/agents/A1/kpis'), A1_SUM, 2);
    mean(await kpi('/api/v1/agents/A2/kpis'), 0, 0);
    mean(await kpi('/api/v1/agents/A3/kpis'), 0, 1);
    expect((await kpi('/api/v1/agents/A3/kpis')).value).toBe(0);
    mean(await kpi('/api/v1/agents/A4/kpis'), 100, 1);
    mean(await kpi('/api/v1/agents/A5/kpis'), 0, 0);
    mean(await kpi('/api/v1/agents/A2/kpis', '2026-11'), 100, 1);
  });

  it('teams through the agent’s current team, descendants included; the organisation', async () => {
    mean(await kpi('/api/v1/teams/T-E1/kpis'), A1_SUM, 2);
    mean(await kpi('/api/v1/teams/T-EAST/kpis'), A1_SUM, 3);
    mean(await kpi('/api/v1/teams/T-W1/kpis'), 100, 1);
    mean(await kpi('/api/v1/teams/T-ROOT/kpis'), A1_SUM + 100, 4);
    mean(await kpi('/api/v1/org/kpis'), A1_SUM + 100, 4);
  });

  it('the drill-down lists exactly the counted audits (id, agent, visited_at, score, status; in_numerator null)', async () => {
    const page = async (url: string) => (await t.http.get(`${url}/mystery_shopper_score/records?period=2026-10`).set(bearer(hr)).expect(200)).body;
    const a1 = await page('/api/v1/agents/A1/kpis');
    expect(a1.total).toBe(2);
    expect(a1.note).toBeNull();
    expect(a1.rule).toMatch(/visited_at in P/);
    expect(a1.records.map((r: { id: string }) => r.id)).toEqual([String(ids.g1), String(ids.g2)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const r1 = a1.records.find((r: { id: string }) => r.id === String(ids.g1));
    expect(r1).toEqual({
      id: String(ids.g1),
      in_numerator: null,
      fields: { agent_id: 'A1', team_id: 'T-E1', visited_at: '2026-10-05T10:00:00.000Z', score: 92.5, status: 'final', disputed: false, auto_failed: false, channel: 'phone', form_id: expect.any(Number), form_version: 1 },
    });
    const sum = a1.records.reduce((s: number, r: { fields: { score: number } }) => s + r.fields.score, 0);
    expect(sum).toBeCloseTo(A1_SUM, 9);
    const east = await page('/api/v1/teams/T-EAST/kpis');
    expect(east.records.map((r: { fields: { agent_id: string } }) => r.fields.agent_id).sort()).toEqual(['A1', 'A1', 'A3']);
    expect(east.records.find((r: { id: string }) => r.id === String(ids.g3)).fields).toMatchObject({ score: 0, auto_failed: true, team_id: 'T-EAST' });
    const org = await page('/api/v1/org/kpis');
    expect(org.total).toBe(4);
    // keyset paging
    const first = (await t.http.get('/api/v1/org/kpis/mystery_shopper_score/records?period=2026-10&limit=3').set(bearer(hr)).expect(200)).body;
    expect(first.records).toHaveLength(3);
    const rest = (await t.http.get(`/api/v1/org/kpis/mystery_shopper_score/records?period=2026-10&limit=3&cursor=${first.next_cursor}`).set(bearer(hr)).expect(200)).body;
    expect([...first.records, ...rest.records].map((r: { id: string }) => r.id)).toEqual(org.records.map((r: { id: string }) => r.id));
    expect(rest.next_cursor).toBeNull();
  });

  it('the default scorecard template scores it (floor 60, target 90)', async () => {
    const a4 = (await t.http.get('/api/v1/agents/A4/scorecards/2026-10').set(bearer(hr)).expect(200)).body;
    const k4 = a4.kpis.find((k: { key: string }) => k.key === 'mystery_shopper_score');
    // 100 × (100 − 60) / (90 − 60) = 133.3 → cap 120
    expect(k4).toMatchObject({ perspective: 'internal_process', value: 100, score: 120, rag: 'green' });
    const a1 = (await t.http.get('/api/v1/agents/A1/scorecards/2026-10').set(bearer(hr)).expect(200)).body;
    const k1 = a1.kpis.find((k: { key: string }) => k.key === 'mystery_shopper_score');
    expect(k1.score).toBeCloseTo((100 * (A1_SUM / 2 - 60)) / 30, 9);
  });

  it('a change to an audit shows at once (the audit log is part of the data version)', async () => {
    const manager = await t.login('manager');
    await t.http.post(`/api/v1/audits/${ids.g4}/void`).set(bearer(manager)).send({ reason: 'recording lost' }).expect(200);
    mean(await kpi('/api/v1/agents/A4/kpis'), 0, 0);
    mean(await kpi('/api/v1/org/kpis'), A1_SUM, 3);
  });
});
