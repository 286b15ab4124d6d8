import fc from 'fast-check';
import type { Criterion, FormDefinition } from '../../../src/audits/domain/audit-form';
import type { AnswerValue } from '../../../src/audits/domain/audit-scoring';
import { calibrationReport, meanOf, modalAgreement, pairwiseAgreement, populationSd, summariseAuditors } from '../../../src/audits/domain/calibration';

const crit = (id: string, over: Partial<Criterion> = {}): Criterion => ({ id, label: id, type: 'yes_no', weight: 1, critical: false, allow_na: true, ...over });
// greet (yes_no, w 1), tone (scale, w 1), check (yes_no, w 2, critical)
const FORM: FormDefinition = { name: 'Cal', sections: [{ id: 's', title: 'S', criteria: [crit('greet'), crit('tone', { type: 'scale' }), crit('check', { weight: 2, critical: true })] }] };
const scoring = (auditor: string, greet: AnswerValue, tone: AnswerValue, check: AnswerValue) => ({
  auditor,
  answers: [
    { criterion_id: 'greet', value: greet, note: null },
    { criterion_id: 'tone', value: tone, note: null },
    { criterion_id: 'check', value: check, note: null },
  ],
});

describe('spread statistics', () => {
  it('mean and population standard deviation', () => {
    expect(meanOf([])).toBeNull();
    expect(meanOf([2, 4, 9])).toBe(5);
    expect(populationSd([5])).toBeNull();
    expect(populationSd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2); // the textbook example: mean 5, Σ(x−5)² = 32, /8 = 4
  });

  it('agreement: modal share and pairwise share', () => {
    expect(modalAgreement(['yes'])).toBeNull();
    expect(modalAgreement(['yes', 'yes', 'no'])).toBeCloseTo(2 / 3, 12);
    expect(modalAgreement(['yes', 'no', 'na', 'na'])).toBe(0.5);
    // pairs: 3 yes → 3 pairs agree, 1 no → 0; 4·3/2 = 6 pairs → 3/6
    expect(pairwiseAgreement(['yes', 'yes', 'yes', 'no'])).toBe(0.5);
    expect(pairwiseAgreement(['yes', 'yes'])).toBe(1);
    expect(pairwiseAgreement(['yes', 'no'])).toBe(0);
  });
});

describe('calibrationReport', () => {
  // ann: yes, 5, yes → points 100, 100, 100; score 100
  // bob: yes, 3, yes → 100, 50, 100;          score 100·(1 + 0.5 + 2)/4 = 87.5
  // cat: no,  1, yes → 0, 0, 100;             score 100·(0 + 0 + 2)/4 = 50
  const r = calibrationReport(FORM, [scoring('ann', 'yes', 5, 'yes'), scoring('bob', 'yes', 3, 'yes'), scoring('cat', 'no', 1, 'yes')]);

  it('per criterion: agreement for yes/no, mean and sd for scales', () => {
    const [greet, tone, check] = r.criteria;
    expect(greet).toMatchObject({ criterion_id: 'greet', scorers: 3, answered: 3, na: 0, counts: { yes: 2, no: 1, na: 0 }, mean: null, sd: null });
    expect(greet.agreement_rate).toBeCloseTo(2 / 3, 12);
    expect(greet.pairwise_agreement).toBeCloseTo(1 / 3, 12); // one agreeing pair of three
    expect(greet.mean_points).toBeCloseTo(200 / 3, 12);
    expect(tone).toMatchObject({ counts: { '1': 1, '2': 0, '3': 1, '4': 0, '5': 1, na: 0 }, mean: 3, agreement_rate: null, pairwise_agreement: null, mean_points: 50 });
    expect(tone.sd).toBeCloseTo(Math.sqrt(8 / 3), 12); // values 5, 3, 1: Σ(v−3)² = 8, /3
    expect(check).toMatchObject({ agreement_rate: 1, pairwise_agreement: 1, mean_points: 100 });
  });

  it('per auditor: signed mean deviation from the group (leniency) and score deviation', () => {
    // group means (points): greet 66.67, tone 50, check 100
    // ann: (33.33 + 50 + 0)/3 = 27.78; bob: (33.33 + 0 + 0)/3 = 11.11; cat: (−66.67 − 50 + 0)/3 = −38.89
    // scores 100, 87.5, 50 → mean 79.1667
    const [ann, bob, cat] = r.auditors;
    expect(ann.criteria_compared).toBe(3);
    expect(ann.mean_deviation).toBeCloseTo(250 / 9, 10);
    expect(bob.mean_deviation).toBeCloseTo(100 / 9, 10);
    expect(cat.mean_deviation).toBeCloseTo(-350 / 9, 10);
    expect(cat.mean_absolute_deviation).toBeCloseTo(350 / 9, 10);
    expect(ann.mean_absolute_deviation).toBeCloseTo(250 / 9, 10);
    expect(ann.score_deviation).toBeCloseTo(100 - 237.5 / 3, 10);
    expect(cat.score_deviation).toBeCloseTo(50 - 237.5 / 3, 10);
    expect(r.score.mean).toBeCloseTo(237.5 / 3, 10);
    expect(r.score).toMatchObject({ min: 50, max: 100 });
  });

  it('N/A is a category for agreement and is left out of deviations and sd', () => {
    const x = calibrationReport(FORM, [scoring('a', 'na', 'na', 'yes'), scoring('b', 'yes', 4, 'yes')]);
    expect(x.criteria[0]).toMatchObject({ agreement_rate: 0.5, pairwise_agreement: 0, answered: 1, na: 1, mean_points: 100 });
    expect(x.criteria[1]).toMatchObject({ mean: 4, sd: null });
    // greet and tone have one non-N/A answer each: nothing to compare; only check compares (both 100)
    expect(x.auditors.map((a) => [a.criteria_compared, a.mean_deviation])).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('an auto-failed scoring scores 0', () => {
    const x = calibrationReport(FORM, [scoring('a', 'yes', 5, 'no'), scoring('b', 'yes', 5, 'yes')]);
    expect(x.auditors[0]).toMatchObject({ score: 0, auto_failed: true, score_deviation: -50 });
  });

  it('a single scorer: nothing to compare', () => {
    const x = calibrationReport(FORM, [scoring('solo', 'yes', 5, 'yes')]);
    expect(x.criteria[0].agreement_rate).toBeNull();
    expect(x.auditors[0]).toMatchObject({ criteria_compared: 0, mean_deviation: null, score_deviation: null });
  });

  it('the deviations of a criterion sum to 0 across the auditors (fast-check)', () => {
    const v = fc.constantFrom<AnswerValue>('yes', 'no', 'na');
    const s = fc.constantFrom<AnswerValue>(1, 2, 3, 4, 5, 'na');
    fc.assert(
      fc.property(fc.array(fc.tuple(v, s, v), { minLength: 2, maxLength: 8 }), (rows) => {
        const rep = calibrationReport(FORM, rows.map(([a, b, c], i) => scoring(`u${i}`, a, b, c)));
        const total = rep.auditors.reduce((acc, a) => acc + (a.mean_deviation ?? 0) * a.criteria_compared, 0);
        expect(Math.abs(total)).toBeLessThan(1e-6);
        for (const c of rep.criteria) {
          if (c.agreement_rate !== null) expect(c.agreement_rate).toBeGreaterThanOrEqual(1 / 3 - 1e-12);
          if (c.sd !== null) expect(c.sd).toBeLessThanOrEqual(2 + 1e-12);
        }
      }),
    );
  });
});

describe('summariseAuditors', () => {
  it('pools every compared criterion across sessions', () => {
    const s1 = calibrationReport(FORM, [scoring('ann', 'yes', 5, 'yes'), scoring('bob', 'no', 1, 'yes')]);
    const s2 = calibrationReport(FORM, [scoring('ann', 'yes', 'na', 'yes'), scoring('bob', 'yes', 'na', 'yes')]);
    // s1: greet ±50, tone ±50, check 0 → ann +100/3 over 3; s2: greet 0, check 0 (tone all N/A) → 0 over 2
    const [ann, bob] = summariseAuditors([s1, s2]);
    expect(ann).toMatchObject({ auditor: 'ann', sessions: 2, criteria_compared: 5 });
    expect(ann.mean_deviation).toBeCloseTo(100 / 5, 10);
    expect(bob.mean_deviation).toBeCloseTo(-100 / 5, 10);
    // score deviations: s1 ann 100 vs bob 50 → ±25; s2 both 100 → 0 → mean 12.5
    expect(ann.mean_score_deviation).toBeCloseTo(12.5, 10);
  });
});
