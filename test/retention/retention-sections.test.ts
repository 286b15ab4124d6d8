/**
 * The reports' retention section (RetentionSectionsProvider) on the hand-made organisation of
 * support/retention-fixture.ts: teams T-ROOT ⊃ T-A (A1, A2), T-B (A3).
 *
 * Period 2026-10, list day d = 2026-10-31 (the fixture's d). Levels from the signals the
 * fixture gives each customer (at-risk.e2e.test.ts checks every signal at its edge), tiers from
 * the organisation's CLV ranking:
 *  A1 (26 active customers): high — LOW_ALIVE (low_p_alive + frequency_drop; small);
 *     medium — FD_BELOW (major), FD_EDGE90, FD_EDGE454, RC_YES, RC_MIDNIGHT, FC_HALF, UH_CSAT,
 *     UH_NPS (small) → medium major 1, small 7; low 26 − 9 = 17; NOT_WORTH (low, small, six
 *     complaints) is not worth pursuing.
 *  A2 (4: VIP, TWIN1, TWIN2, OWN_MOVED — owned by A2 on d): VIP high key (rising complaints +
 *     unhappy); low 3.
 *  A3 (45 background customers active on d): all low.
 *  T-A = A1 + A2 (30), T-ROOT = T-A (no agents of its own), T-B = A3, organisation 75.
 *  Lost in October: GONE_LAPSED (A1; last order d − 180: active on s0 = 2026-09-30, not on d),
 *  no complaint → reason unknown, controllability unknown.
 *
 * Period 2026-11 (s0 = 2026-10-31, s1 = 2026-11-30): the ten customers lost (all A1's; the
 * same as win-back.e2e.test.ts) with
 *  CH_REC     task closed lost on 2026-11-02: service_encounter, controllable (recorded wins over its pricing complaint)
 *  CH_INF     last complaint pricing, not controllable
 *  CH_LATE    last complaint pricing, not controllable (its task was closed after p1: does not count)
 *  CH_UNKNOWN last complaint pricing, controllable unknown
 *  LOW_ALIVE  last complaint core_service_failure, controllable
 *  FC_HALF, FC_MORE, FC_THREE, STILL_ACTIVE, UH_OLD: no complaint → unknown, unknown
 *  → controllable 2, uncontrollable 2, unknown 6: churn_controllable_share 2 / 4.
 * Win-back tasks: FD_HALF opened 2026-08-20 (window to 2026-11-18, orders in it: confirmed),
 * FD_ONE opened 2026-08-25 (window to 2026-11-23, no order in it: not confirmed), both settled
 * on 2026-12-01; CH_REC and CH_LATE opened 2026-11-02.
 */
import type { Clock } from '../../src/common/clock';
import { KpiEngineService } from '../../src/kpis/kpi-engine.service';
import { subjectKey } from '../../src/kpis/kpi.repository';
import { zeroLost, zeroTiers, type RetentionSectionData, type RiskTally } from '../../src/retention/domain/retention-section';
import type { RiskCounts } from '../../src/retention/domain/risk-list';
import { RetentionSectionsProvider } from '../../src/retention/retention-sections.provider';
import { RETENTION_CLOCK, RetentionService } from '../../src/retention/retention.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { D, retentionFixture } from './support/retention-fixture';

const tiers = (o: Partial<ReturnType<typeof zeroTiers>> = {}) => ({ ...zeroTiers(), ...o });

describe('retention section of the reports (frozen per snapshot)', () => {
  let t: TestApp;
  let manager: string;
  let october: Map<string, RetentionSectionData>;
  const clock = (iso: string) => {
    t.app.get<Clock>(RETENTION_CLOCK).now = () => new Date(iso);
  };
  const post = async (url: string, body: object, status: number) =>
    (await t.http.post(url).set('authorization', `Bearer ${manager}`).send(body).expect(status)).body;

  beforeAll(async () => {
    t = await createTestApp();
    clock('2026-11-02T09:00:00Z');
    await retentionFixture().importInto(t.app);
    manager = await t.login('manager');
    october = await t.app.get(RetentionSectionsProvider).compute({ period: '2026-10' });
  }, 60_000);
  afterAll(() => t.close());

  it('a row for every agent, every team and the organisation, as of the period’s last day', () => {
    expect([...october.keys()].sort()).toEqual(['agent:A1', 'agent:A2', 'agent:A3', 'org:', 'team:T-A', 'team:T-B', 'team:T-ROOT']);
    for (const d of october.values()) expect(d).toMatchObject({ as_of: D, period: '2026-10', no_tiers_reason: null });
  });

  it('customers at risk by level × tier, hand-checked per agent and rolled up by the current team', () => {
    const risk = (k: string) => october.get(k)!.risk;
    expect(risk('agent:A1')).toEqual({
      customers: 26,
      at_risk: { high: tiers({ small: 1 }), medium: tiers({ major: 1, small: 7 }) },
      low: 17,
      not_worth_pursuing: { high: 0, medium: 0, low: 1 },
    });
    expect(risk('agent:A2')).toEqual({ customers: 4, at_risk: { high: tiers({ key: 1 }), medium: tiers() }, low: 3, not_worth_pursuing: { high: 0, medium: 0, low: 0 } });
    expect(risk('agent:A3')).toEqual({ customers: 45, at_risk: { high: tiers(), medium: tiers() }, low: 45, not_worth_pursuing: { high: 0, medium: 0, low: 0 } });
    const teamA: RiskTally = {
      customers: 30,
      at_risk: { high: tiers({ key: 1, small: 1 }), medium: tiers({ major: 1, small: 7 }) },
      low: 20,
      not_worth_pursuing: { high: 0, medium: 0, low: 1 },
    };
    expect(risk('team:T-A')).toEqual(teamA);
    expect(risk('team:T-ROOT')).toEqual(teamA);
    expect(risk('team:T-B')).toEqual(risk('agent:A3'));
    expect(risk('org:')).toEqual({ ...teamA, customers: 75, low: 65 });
  });

  it('equals the tallies of each subject’s own list (loaded and scored on its own)', async () => {
    const svc = t.app.get(RetentionService);
    const asSection = (c: RiskCounts) => ({
      customers: c.customers,
      high: c.by_level.high,
      medium: c.by_level.medium,
      low: c.by_level.low,
      not_worth: c.not_worth_pursuing,
      tiers: Object.fromEntries(Object.entries(c.by_tier).map(([tier, l]) => [tier, { high: l!.high, medium: l!.medium }])),
    });
    const fromSection = (r: RiskTally) => ({
      customers: r.customers,
      high: Object.values(r.at_risk.high).reduce((a, b) => a + b, 0),
      medium: Object.values(r.at_risk.medium).reduce((a, b) => a + b, 0),
      low: r.low,
      not_worth: r.not_worth_pursuing.high + r.not_worth_pursuing.medium + r.not_worth_pursuing.low,
      tiers: Object.fromEntries((['key', 'major', 'ordinary', 'small'] as const).map((tier) => [tier, { high: r.at_risk.high[tier], medium: r.at_risk.medium[tier] }])),
    });
    for (const [type, id] of [
      ['agent', 'A1'],
      ['agent', 'A2'],
      ['agent', 'A3'],
      ['team', 'T-A'],
      ['team', 'T-ROOT'],
      ['team', 'T-B'],
    ] as const) {
      const { list } = await svc.subjectList(D, { type, id });
      expect([id, fromSection(october.get(`${type}:${id}`)!.risk)]).toEqual([id, asSection(list.tally())]);
    }
  });

  it('lost customers: only for teams and the organisation, by reason and controllability', () => {
    for (const a of ['A1', 'A2', 'A3']) expect(october.get(`agent:${a}`)!.lost).toBeNull();
    const one = zeroLost();
    one.customers = 1;
    one.by_reason.unknown.unknown = 1; // GONE_LAPSED
    expect(october.get('team:T-A')!.lost).toEqual(one);
    expect(october.get('team:T-ROOT')!.lost).toEqual(one);
    expect(october.get('org:')!.lost).toEqual(one);
    expect(october.get('team:T-B')!.lost).toEqual(zeroLost());
  });

  it('November: the recorded reason wins, else the last complaint’s; consistent with churn_controllable_share; win-back tasks', async () => {
    // two tasks in August, settled by the daily pass after their windows ended in November
    clock('2026-08-20T09:00:00Z');
    await post('/api/v1/win-back-tasks', { customer_id: 'FD_HALF' }, 201);
    clock('2026-08-25T09:00:00Z');
    await post('/api/v1/win-back-tasks', { customer_id: 'FD_ONE' }, 201);
    clock('2026-11-02T09:00:00Z');
    const rec = await post('/api/v1/win-back-tasks', { customer_id: 'CH_REC' }, 201);
    const late = await post('/api/v1/win-back-tasks', { customer_id: 'CH_LATE' }, 201);
    await post(`/api/v1/win-back-tasks/${rec.id}/close`, { outcome: 'lost', churn_reason: 'service_encounter', controllable: true }, 200);
    clock('2026-12-05T10:00:00Z'); // after p1 of November: does not count for November
    await post(`/api/v1/win-back-tasks/${late.id}/close`, { outcome: 'lost', churn_reason: 'inconvenience', controllable: true }, 200);
    expect(await t.app.get(RetentionService).confirmDue('2026-12-01')).toEqual({ settled: 2 });

    const november = await t.app.get(RetentionSectionsProvider).compute({ period: '2026-11' });
    const lost = zeroLost();
    lost.customers = 10;
    lost.by_reason.service_encounter.controllable = 1; // CH_REC
    lost.by_reason.pricing.uncontrollable = 2; // CH_INF, CH_LATE
    lost.by_reason.pricing.unknown = 1; // CH_UNKNOWN
    lost.by_reason.core_service_failure.controllable = 1; // LOW_ALIVE
    lost.by_reason.unknown.unknown = 5; // FC_HALF, FC_MORE, FC_THREE, STILL_ACTIVE, UH_OLD
    for (const k of ['team:T-A', 'team:T-ROOT', 'org:']) expect([k, november.get(k)!.lost]).toEqual([k, lost]);
    expect(november.get('team:T-B')!.lost).toEqual(zeroLost());
    expect(november.get('agent:A1')!.lost).toBeNull();

    // the same rule as the KPI: 2 controllable of 4 with a known controllability
    const churn = (await t.app.get(KpiEngineService).compute('2026-11')).subjects.get(subjectKey('team', 'T-A'))!.measures.churn_controllable_share;
    expect(churn).toMatchObject({ numerator: 2, denominator: 4 });

    // opened in November: CH_REC, CH_LATE; windows ended in November: FD_HALF confirmed, FD_ONE not
    const winBack = { opened: 2, window_ended: 2, confirmed: 1 };
    for (const k of ['agent:A1', 'team:T-A', 'team:T-ROOT', 'org:']) expect([k, november.get(k)!.win_back]).toEqual([k, winBack]);
    for (const k of ['agent:A2', 'agent:A3', 'team:T-B']) expect([k, november.get(k)!.win_back]).toEqual([k, { opened: 0, window_ended: 0, confirmed: 0 }]);
    const august = await t.app.get(RetentionSectionsProvider).compute({ period: '2026-08' });
    expect(august.get('agent:A1')!.win_back).toEqual({ opened: 2, window_ended: 0, confirmed: 0 });
  });
});
