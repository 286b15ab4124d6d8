import fc from 'fast-check';
import { SCORABLE_KPI_KEYS, PERSPECTIVES, type KpiKey } from '../../../src/kpis/domain/kpi-catalogue';
import {
  DEFAULT_TEMPLATE,
  InvalidTemplateError,
  type ScorecardTemplateDef,
  type TemplateKpi,
} from '../../../src/scorecards/domain/scorecard-template';
import {
  MIN_COVERAGE,
  rag,
  rankWithinTeams,
  scoreKpi,
  scoreScorecard,
  type RankEntry,
  type ScorecardStatus,
} from '../../../src/scorecards/domain/scoring';

const retention = { floor: 80, target: 95 };
const complaints = { floor: 10, target: 2 }; // lower is better

describe('scoreKpi', () => {
  it('scales linearly from floor (0) to target (100)', () => {
    expect(scoreKpi(87.5, retention)).toBe(50); // 100 × (87.5 − 80) / (95 − 80) = 100 × 7.5 / 15
    expect(scoreKpi(95, retention)).toBe(100);
    expect(scoreKpi(80, retention)).toBe(0);
    expect(scoreKpi(92, retention)).toBe(80); // 100 × 12 / 15
  });

  it('clamps at 0 below the floor and at the cap (default 120) above', () => {
    expect(scoreKpi(70, retention)).toBe(0); // raw 100 × −10 / 15 = −66.7
    expect(scoreKpi(100, retention)).toBe(120); // raw 100 × 20 / 15 = 133.3
    expect(scoreKpi(98, retention)).toBeCloseTo(120, 12); // raw 100 × 18 / 15 = 120, just at the cap
    expect(scoreKpi(100, { ...retention, cap: 150 })).toBeCloseTo(133.333333, 5);
    expect(scoreKpi(100, { ...retention, cap: 100 })).toBe(100);
  });

  it('handles lower-is-better KPIs written floor > target', () => {
    expect(scoreKpi(4, complaints)).toBe(75); // 100 × (4 − 10) / (2 − 10) = 100 × −6 / −8
    expect(scoreKpi(2, complaints)).toBe(100);
    expect(scoreKpi(0, complaints)).toBe(120); // raw 100 × −10 / −8 = 125 → cap
    expect(scoreKpi(12, complaints)).toBe(0); // raw 100 × 2 / −8 = −25 → 0
    expect(Object.is(scoreKpi(10, complaints), 0)).toBe(true); // 0 / −8 = −0, reported as +0
  });

  it('is null when the actual is null', () => {
    expect(scoreKpi(null, retention)).toBeNull();
  });

  it('refuses a floor equal to the target and a non-finite actual', () => {
    expect(() => scoreKpi(5, { floor: 5, target: 5 })).toThrow('floor equals target');
    expect(() => scoreKpi(Number.NaN, retention)).toThrow(RangeError);
  });
});

describe('rag', () => {
  it('green from 100, amber from amber_at (default 80), else red', () => {
    expect(rag(120)).toBe('green');
    expect(rag(100)).toBe('green');
    expect(rag(99.999)).toBe('amber');
    expect(rag(80)).toBe('amber');
    expect(rag(79.999)).toBe('red');
    expect(rag(0)).toBe('red');
    expect(rag(null)).toBeNull();
  });

  it('honours a template amber_at', () => {
    expect(rag(60, 60)).toBe('amber');
    expect(rag(59.9, 60)).toBe('red');
    expect(rag(110, 120)).toBe('green'); // green is checked first
    expect(rag(99, 120)).toBe('red'); // amber_at above 100 makes amber impossible
  });
});

describe('scoreScorecard', () => {
  const template: ScorecardTemplateDef = {
    name: 'Example',
    kpis: [
      { key: 'customer_retention_rate', perspective: 'customer', weight: 10, floor: 80, target: 95 },
      { key: 'csat', perspective: 'customer', weight: 30, floor: 60, target: 90 },
      { key: 'first_contact_resolution', perspective: 'internal_process', weight: 40, floor: 50, target: 80 },
      { key: 'training_hours', perspective: 'learning_growth', weight: 20, floor: 0, target: 8 },
    ],
  };

  it('scores every KPI, perspective and the composite (worked example)', () => {
    const result = scoreScorecard(template, {
      customer_retention_rate: 87.5, // 100 × 7.5 / 15 = 50 → red
      csat: 84, // 100 × 24 / 30 = 80 → amber
      first_contact_resolution: null, // no score
      training_hours: 10, // 100 × 10 / 8 = 125 → 120 → green
      nps: 40, // not in the template: ignored
    });
    expect(result.kpis).toEqual([
      { key: 'customer_retention_rate', perspective: 'customer', weight: 10, value: 87.5, target: 95, floor: 80, score: 50, rag: 'red' },
      { key: 'csat', perspective: 'customer', weight: 30, value: 84, target: 90, floor: 60, score: 80, rag: 'amber' },
      { key: 'first_contact_resolution', perspective: 'internal_process', weight: 40, value: null, target: 80, floor: 50, score: null, rag: null },
      { key: 'training_hours', perspective: 'learning_growth', weight: 20, value: 10, target: 8, floor: 0, score: 120, rag: 'green' },
    ]);
    // customer: (10 × 50 + 30 × 80) / (10 + 30) = 2900 / 40 = 72.5
    // internal_process: no KPI with a score → null; learning_growth: 120; financial: not in the template
    expect(result.perspectives).toEqual({ customer: 72.5, internal_process: null, learning_growth: 120 });
    expect(Object.keys(result.perspectives)).toEqual(['customer', 'internal_process', 'learning_growth']);
    // composite: (500 + 2400 + 20 × 120) / (10 + 30 + 20) = 5300 / 60 = 88.33…
    expect(result.composite_score).toBeCloseTo(5300 / 60, 12);
    // coverage: (10 + 30 + 20) / 100 = 0.6 ≥ 0.5
    expect(result.coverage).toBe(0.6);
    expect(result.status).toBe('ok');
  });

  it('a KPI missing from the values counts as null', () => {
    const result = scoreScorecard(template, { csat: 90 });
    expect(result.kpis.map((k) => k.score)).toEqual([null, 100, null, null]);
    expect(result.coverage).toBe(0.3); // 30 / 100
    expect(result.status).toBe('insufficient_data');
    expect(result.composite_score).toBe(100); // still computed, just not ranked
  });

  it('coverage exactly 0.5 is ok; just below is insufficient data', () => {
    expect(MIN_COVERAGE).toBe(0.5);
    const half: ScorecardTemplateDef = {
      name: 'Half',
      kpis: [
        { key: 'csat', perspective: 'customer', weight: 1, floor: 60, target: 90 },
        { key: 'nps', perspective: 'customer', weight: 1, floor: 0, target: 50 },
      ],
    };
    const ok = scoreScorecard(half, { csat: 75, nps: null }); // 1 / 2 = 0.5
    expect(ok.coverage).toBe(0.5);
    expect(ok.status).toBe('ok');
    expect(ok.composite_score).toBe(50); // 100 × 15 / 30

    const below: ScorecardTemplateDef = {
      name: 'Below',
      kpis: [
        { key: 'csat', perspective: 'customer', weight: 49, floor: 60, target: 90 },
        { key: 'nps', perspective: 'customer', weight: 51, floor: 0, target: 50 },
      ],
    };
    const insufficient = scoreScorecard(below, { csat: 75 }); // 49 / 100 = 0.49
    expect(insufficient.coverage).toBe(0.49);
    expect(insufficient.status).toBe('insufficient_data');
  });

  it('no score at all: composite and perspectives null, coverage 0', () => {
    const result = scoreScorecard(template, {});
    expect(result.composite_score).toBeNull();
    expect(result.coverage).toBe(0);
    expect(result.status).toBe('insufficient_data');
    expect(result.perspectives).toEqual({ customer: null, internal_process: null, learning_growth: null });
  });

  it('scores 0 (not null) for actuals at or below the floor, and counts them in coverage', () => {
    const result = scoreScorecard(template, { customer_retention_rate: 50, csat: 60, first_contact_resolution: 0, training_hours: 0 });
    expect(result.kpis.map((k) => k.score)).toEqual([0, 0, 0, 0]);
    expect(result.composite_score).toBe(0);
    expect(result.coverage).toBe(1);
    expect(result.kpis.every((k) => k.rag === 'red')).toBe(true);
  });

  it('uses each KPI’s amber_at and cap', () => {
    const custom: ScorecardTemplateDef = {
      name: 'Custom',
      kpis: [{ key: 'nps', perspective: 'customer', weight: 1, floor: 0, target: 50, amber_at: 50, cap: 200 }],
    };
    const result = scoreScorecard(custom, { nps: 30 }); // 100 × 30 / 50 = 60 ≥ 50 → amber
    expect(result.kpis[0]).toMatchObject({ score: 60, rag: 'amber' });
    expect(scoreScorecard(custom, { nps: 90 }).kpis[0].score).toBe(180); // 100 × 90 / 50, under the cap 200
  });

  it('the default template on its targets scores 100 everywhere', () => {
    const values = Object.fromEntries(DEFAULT_TEMPLATE.kpis.map((k) => [k.key, k.target])) as Partial<Record<KpiKey, number>>;
    const result = scoreScorecard(DEFAULT_TEMPLATE, values);
    expect(result.composite_score).toBe(100);
    expect(result.coverage).toBe(1);
    expect(result.status).toBe('ok');
    expect(Object.values(result.perspectives)).toEqual([100, 100, 100, 100]);
    expect(result.kpis.every((k) => k.rag === 'green')).toBe(true);
  });

  it('a mean of equal capped scores is exactly the cap', () => {
    const t: ScorecardTemplateDef = {
      name: 'Caps',
      kpis: [
        { key: 'csat', perspective: 'customer', weight: 0.1, floor: 0, target: 1 },
        { key: 'nps', perspective: 'customer', weight: 0.2, floor: 0, target: 1 },
        { key: 'ces_avg', perspective: 'customer', weight: 0.7, floor: 7, target: 6 },
      ],
    };
    const result = scoreScorecard(t, { csat: 50, nps: 50, ces_avg: 1 });
    expect(result.composite_score).toBe(120);
    expect(result.perspectives.customer).toBe(120);
  });

  it('rejects an invalid template', () => {
    expect(() => scoreScorecard({ name: 'Bad', kpis: [{ key: 'csat', perspective: 'customer', weight: 1, floor: 5, target: 5 }] }, {})).toThrow(
      InvalidTemplateError,
    );
  });
});

describe('rankWithinTeams', () => {
  const entry = (subjectId: string, composite: number | null, teamId = 't1', status: ScorecardStatus = 'ok'): RankEntry => ({
    subjectId,
    teamId,
    composite,
    status,
  });
  const ranks = (entries: RankEntry[]) => Object.fromEntries([...rankWithinTeams(entries)].map(([id, r]) => [id, r.rank]));

  it('competition ranking: 1, 2, 2, 4', () => {
    expect(ranks([entry('d', 70), entry('b', 80), entry('a', 90), entry('c', 80)])).toEqual({ a: 1, b: 2, c: 2, d: 4 });
  });

  it('ties at the top: 1, 1, 3', () => {
    expect(ranks([entry('a', 90), entry('b', 90), entry('c', 50)])).toEqual({ a: 1, b: 1, c: 3 });
  });

  it('everyone tied shares rank 1', () => {
    expect(ranks([entry('a', 75), entry('b', 75), entry('c', 75)])).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('a team with one member', () => {
    expect(rankWithinTeams([entry('solo', 12)]).get('solo')).toEqual({ rank: 1, team_size: 1 });
  });

  it('insufficient data gets no rank but counts in team_size', () => {
    const result = rankWithinTeams([entry('a', 60), entry('b', 95, 't1', 'insufficient_data'), entry('c', 70)]);
    expect(result.get('b')).toEqual({ rank: null, team_size: 3 });
    expect(result.get('c')).toEqual({ rank: 1, team_size: 3 });
    expect(result.get('a')).toEqual({ rank: 2, team_size: 3 });
  });

  it('a team where nobody is ranked', () => {
    const result = rankWithinTeams([entry('a', null, 't1', 'insufficient_data'), entry('b', 40, 't1', 'insufficient_data')]);
    expect([...result.values()]).toEqual([
      { rank: null, team_size: 2 },
      { rank: null, team_size: 2 },
    ]);
  });

  it('ranks each team on its own', () => {
    const result = rankWithinTeams([entry('a', 50, 'x'), entry('b', 90, 'y'), entry('c', 60, 'x'), entry('d', 10, 'y'), entry('e', 20, 'y')]);
    expect(Object.fromEntries([...result].map(([id, r]) => [id, [r.rank, r.team_size]]))).toEqual({
      a: [2, 2],
      c: [1, 2],
      b: [1, 3],
      e: [2, 3],
      d: [3, 3],
    });
  });

  it('ties are exact equality of doubles, not rounded', () => {
    // 0.1 + 0.2 = 0.30000000000000004 > 0.3
    expect(ranks([entry('a', 0.1 + 0.2), entry('b', 0.3)])).toEqual({ a: 1, b: 2 });
    // composites computed the same way from the same scores tie
    const composite = () => scoreScorecard(DEFAULT_TEMPLATE, { csat: 77.7, nps: 12.3, training_hours: 3 }).composite_score;
    expect(ranks([entry('a', composite()), entry('b', composite())])).toEqual({ a: 1, b: 1 });
  });

  it('an empty list, and a subject listed twice', () => {
    expect(rankWithinTeams([]).size).toBe(0);
    expect(() => rankWithinTeams([entry('a', 1), entry('a', 2, 't2')])).toThrow('listed twice');
    expect(() => rankWithinTeams([entry('a', Number.NaN)])).toThrow('NaN');
  });
});

describe('invariants', () => {
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
  const floorTarget = fc.tuple(finite, finite).filter(([floor, target]) => floor !== target);
  const cap = fc.double({ min: 1, max: 500, noNaN: true });

  it('a KPI score is null or within [0, cap]', () => {
    fc.assert(
      fc.property(fc.option(finite, { nil: null }), floorTarget, fc.option(cap, { nil: undefined }), (actual, [floor, target], c) => {
        const score = scoreKpi(actual, { floor, target, cap: c });
        if (actual === null) expect(score).toBeNull();
        else {
          expect(score).not.toBeNull();
          expect(score!).toBeGreaterThanOrEqual(0);
          expect(score!).toBeLessThanOrEqual(c ?? 120);
        }
      }),
    );
  });

  it('a better actual never scores lower', () => {
    fc.assert(
      fc.property(finite, finite, floorTarget, (x, y, [floor, target]) => {
        const [worse, better] = (target > floor) === x < y ? [x, y] : [y, x];
        expect(scoreKpi(better, { floor, target })!).toBeGreaterThanOrEqual(scoreKpi(worse, { floor, target })!);
      }),
    );
  });

  /** A valid template of distinct scorable KPIs with random perspectives, weights, floors, targets, caps. */
  const templateArb: fc.Arbitrary<ScorecardTemplateDef> = fc
    .uniqueArray(fc.constantFrom(...SCORABLE_KPI_KEYS), { minLength: 1, maxLength: SCORABLE_KPI_KEYS.length })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          fc
            .record({
              perspective: fc.constantFrom(...PERSPECTIVES),
              weight: fc.double({ min: 0.001, max: 1000, noNaN: true }),
              ft: fc.tuple(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.double({ min: -1000, max: 1000, noNaN: true })),
              cap: fc.option(fc.double({ min: 1, max: 300, noNaN: true }), { nil: undefined }),
            })
            .filter(({ ft: [floor, target], cap: c }) => floor !== target && (c === undefined || c >= 80))
            .map(({ perspective, weight, ft: [floor, target], cap: c }): TemplateKpi => ({ key, perspective, weight, floor, target, ...(c === undefined ? {} : { cap: c }) })),
        ),
      ),
    )
    .map((kpis) => ({ name: 'Random', kpis }));

  const valuesArb = fc.dictionary(fc.constantFrom(...SCORABLE_KPI_KEYS), fc.option(fc.double({ min: -2000, max: 2000, noNaN: true }), { nil: null }), {
    maxKeys: SCORABLE_KPI_KEYS.length,
  }) as fc.Arbitrary<Partial<Record<KpiKey, number | null>>>;

  it('composite within [0, max cap], coverage within [0, 1], status and nulls consistent', () => {
    fc.assert(
      fc.property(templateArb, valuesArb, (template, values) => {
        const result = scoreScorecard(template, values);
        const maxCap = Math.max(...template.kpis.map((k) => k.cap ?? 120));
        const anyScore = result.kpis.some((k) => k.score !== null);

        expect(result.coverage).toBeGreaterThanOrEqual(0);
        expect(result.coverage).toBeLessThanOrEqual(1);
        expect(result.status).toBe(result.coverage < 0.5 ? 'insufficient_data' : 'ok');
        expect(result.composite_score === null).toBe(!anyScore);
        if (result.composite_score !== null) {
          expect(result.composite_score).toBeGreaterThanOrEqual(0);
          expect(result.composite_score).toBeLessThanOrEqual(maxCap);
        }
        // perspectives: exactly the template's, each null or within [0, max cap]
        expect(new Set(Object.keys(result.perspectives))).toEqual(new Set(template.kpis.map((k) => k.perspective)));
        for (const [perspective, score] of Object.entries(result.perspectives)) {
          const scored = result.kpis.some((k) => k.perspective === perspective && k.score !== null);
          expect(score === null).toBe(!scored);
          if (score !== null && score !== undefined) {
            expect(score).toBeGreaterThanOrEqual(0);
            expect(score).toBeLessThanOrEqual(maxCap);
          }
        }
        // every KPI score within [0, its cap], rag null exactly when score is null
        result.kpis.forEach((k, i) => {
          expect(k.rag === null).toBe(k.score === null);
          if (k.score !== null) expect(k.score).toBeLessThanOrEqual(template.kpis[i].cap ?? 120);
        });
      }),
    );
  });

  it('ranks are a competition ranking within each team', () => {
    const entriesArb = fc.uniqueArray(
      fc.record({
        subjectId: fc.string({ minLength: 1, maxLength: 6 }),
        teamId: fc.constantFrom('t1', 't2', 't3'),
        composite: fc.option(fc.constantFrom(0, 25.5, 50, 80, 99.9, 100, 120), { nil: null }),
        status: fc.constantFrom<ScorecardStatus>('ok', 'ok', 'insufficient_data'),
      }),
      { selector: (e) => e.subjectId, maxLength: 40 },
    );
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const result = rankWithinTeams(entries);
        expect(result.size).toBe(entries.length);
        for (const e of entries) {
          const team = entries.filter((o) => o.teamId === e.teamId);
          const ranked = team.filter((o) => o.status === 'ok' && o.composite !== null);
          const r = result.get(e.subjectId)!;
          expect(r.team_size).toBe(team.length);
          if (e.status !== 'ok' || e.composite === null) expect(r.rank).toBeNull();
          else expect(r.rank).toBe(1 + ranked.filter((o) => o.composite! > e.composite!).length);
        }
        // ranks of a team, sorted, start at 1 and skip after ties: rank i+1 or equal to the previous
        for (const teamId of ['t1', 't2', 't3']) {
          const teamRanks = entries
            .filter((e) => e.teamId === teamId)
            .map((e) => result.get(e.subjectId)!.rank)
            .filter((r): r is number => r !== null)
            .sort((a, b) => a - b);
          teamRanks.forEach((r, i) => expect(r === i + 1 || r === teamRanks[i - 1]).toBe(true));
        }
      }),
    );
  });
});
