import fc from 'fast-check';
import type { Criterion, FormDefinition } from '../../../src/audits/domain/audit-form';
import {
  answerPoints,
  failsCritical,
  InvalidAnswersError,
  NOTHING_APPLICABLE,
  scoreAudit,
  validateAnswers,
  type Answer,
  type AnswerValue,
} from '../../../src/audits/domain/audit-scoring';
import { DEFAULT_FORM } from '../../../src/audits/domain/default-form';

const crit = (id: string, over: Partial<Criterion> = {}): Criterion => ({ id, label: `Label ${id}`, type: 'yes_no', weight: 1, critical: false, allow_na: false, ...over });
const form = (...criteria: Criterion[]): FormDefinition => ({ name: 'F', sections: [{ id: 's1', title: 'S1', criteria }] });
const ans = (criterion_id: string, value: AnswerValue, note: string | null = null): Answer => ({ criterion_id, value, note });

describe('answer points', () => {
  it('yes_no: yes = 1, no = 0; N/A has no points', () => {
    expect(answerPoints('yes_no', 'yes')).toBe(1);
    expect(answerPoints('yes_no', 'no')).toBe(0);
    expect(answerPoints('yes_no', 'na')).toBeNull();
  });

  it('scale: v scores (v − 1) / 4', () => {
    expect([1, 2, 3, 4, 5].map((v) => answerPoints('scale', v as AnswerValue))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(answerPoints('scale', 'na')).toBeNull();
  });

  it('refuses values outside the type', () => {
    expect(() => answerPoints('yes_no', 3 as AnswerValue)).toThrow(RangeError);
    expect(() => answerPoints('scale', 'yes')).toThrow(RangeError);
    expect(() => answerPoints('scale', 6 as AnswerValue)).toThrow(RangeError);
    expect(() => answerPoints('scale', 2.5 as AnswerValue)).toThrow(RangeError);
  });

  it('a critical criterion fails on "no" or 1, never on other values or N/A', () => {
    const yn = crit('a', { critical: true, allow_na: true });
    const sc = crit('b', { type: 'scale', critical: true, allow_na: true });
    expect(failsCritical(yn, 'no')).toBe(true);
    expect(failsCritical(yn, 'yes')).toBe(false);
    expect(failsCritical(yn, 'na')).toBe(false);
    expect(failsCritical(sc, 1)).toBe(true);
    expect([2, 3, 4, 5].some((v) => failsCritical(sc, v as AnswerValue))).toBe(false);
    expect(failsCritical(sc, 'na')).toBe(false);
    expect(failsCritical(crit('c'), 'no')).toBe(false);
  });
});

describe('scoreAudit', () => {
  it('weights: 100 × Σ w·s / Σ w', () => {
    // w 2, 1, 3; s 1, 0.75 (scale 4), 0  →  100 × (2 + 0.75 + 0) / 6 = 45.8333…
    const f = form(crit('a', { weight: 2 }), crit('b', { type: 'scale', weight: 1 }), crit('c', { weight: 3 }));
    const r = scoreAudit(f, [ans('a', 'yes'), ans('b', 4), ans('c', 'no')]);
    expect(r.score).toBeCloseTo(275 / 6, 12);
    expect(r).toMatchObject({ auto_failed: false, failed_criteria: [], applicable_weight: 6, earned_weight: 2.75 });
    expect(r.criteria.map((c) => c.points)).toEqual([1, 0.75, 0]);
  });

  it('all yes / all 5 scores exactly 100; all no / all 1 scores exactly 0', () => {
    const f = form(crit('a', { weight: 0.1 }), crit('b', { type: 'scale', weight: 0.2 }), crit('c', { weight: 0.7 }));
    expect(scoreAudit(f, [ans('a', 'yes'), ans('b', 5), ans('c', 'yes')]).score).toBe(100);
    expect(scoreAudit(f, [ans('a', 'no'), ans('b', 1), ans('c', 'no')]).score).toBe(0);
  });

  it('N/A criteria drop out of the weighting (re-weighting)', () => {
    // a (w 2) yes, b (w 1) N/A, c (w 1) no → 100 × 2 / 3, not 100 × 2 / 4
    const f = form(crit('a', { weight: 2 }), crit('b', { allow_na: true }), crit('c'));
    const r = scoreAudit(f, [ans('a', 'yes'), ans('b', 'na'), ans('c', 'no')]);
    expect(r.score).toBeCloseTo(200 / 3, 12);
    expect(r.applicable_weight).toBe(3);
    expect(r.criteria[1]).toMatchObject({ criterion_id: 'b', points: null, applicable: false });
  });

  it('critical "no" auto-fails to 0 and names the failed criterion; the score before auto-fail is kept', () => {
    const f = form(crit('a', { weight: 3 }), crit('id_check', { critical: true }), crit('c'));
    const r = scoreAudit(f, [ans('a', 'yes'), ans('id_check', 'no'), ans('c', 'yes')]);
    expect(r).toMatchObject({ score: 0, auto_failed: true, failed_criteria: ['id_check'] });
    expect(r.score_before_auto_fail).toBeCloseTo(80, 12); // (3 + 0 + 1) / 5
    expect(r.criteria.find((c) => c.criterion_id === 'id_check')!.failed_critical).toBe(true);
  });

  it('critical scale answered 1 auto-fails; every failed critical criterion is listed in form order', () => {
    const f = {
      name: 'F',
      sections: [
        { id: 's1', title: 'S1', criteria: [crit('x', { type: 'scale', critical: true }), crit('y')] },
        { id: 's2', title: 'S2', criteria: [crit('z', { critical: true })] },
      ],
    } satisfies FormDefinition;
    const r = scoreAudit(f, [ans('z', 'no'), ans('y', 'yes'), ans('x', 1)]);
    expect(r).toMatchObject({ score: 0, auto_failed: true, failed_criteria: ['x', 'z'] });
  });

  it('a critical criterion answered N/A (where allowed) does not fail', () => {
    const f = form(crit('a'), crit('crit', { critical: true, allow_na: true }));
    expect(scoreAudit(f, [ans('a', 'yes'), ans('crit', 'na')])).toMatchObject({ score: 100, auto_failed: false, failed_criteria: [] });
  });

  it('critical answered 2 on a scale or yes does not fail', () => {
    const f = form(crit('a', { type: 'scale', critical: true }), crit('b', { critical: true }));
    expect(scoreAudit(f, [ans('a', 2), ans('b', 'yes')])).toMatchObject({ score: 62.5, auto_failed: false }); // (0.25 + 1) / 2
  });

  it('all N/A: no score (null, never 0 or 100), by the stated rule', () => {
    const f = form(crit('a', { allow_na: true }), crit('b', { type: 'scale', allow_na: true, weight: 5 }));
    const r = scoreAudit(f, [ans('a', 'na'), ans('b', 'na')]);
    expect(r).toMatchObject({ score: null, auto_failed: false, applicable_weight: 0, earned_weight: 0, score_before_auto_fail: null });
    expect(NOTHING_APPLICABLE).toMatch(/every criterion is N\/A/);
  });

  it('throws InvalidAnswersError for answers validateAnswers rejects', () => {
    expect(() => scoreAudit(form(crit('a'), crit('b')), [ans('a', 'yes')])).toThrow(InvalidAnswersError);
  });

  it('the README example: Σ w = 22 − 2 − 1 (two N/A) = 19; Σ w·s = 2+1+2.25+2+4+3+1+2+0 = 17.25 → 1725/19', () => {
    const values: Record<string, AnswerValue> = {
      greeting: 'yes', introduction: 'yes', listening: 4, questions: 5, identity_check: 'na',
      accurate_information: 'yes', solution: 5, next_steps: 'yes', courtesy: 5, hold_etiquette: 'na', closing: 'no',
    };
    expect(scoreAudit(DEFAULT_FORM, Object.entries(values).map(([k, v]) => ans(k, v))).score).toBe(1725 / 19);
  });

  it('the default form is valid and scores as worked out by hand', () => {
    // all yes / 5 except listening 3 (w 3, s 0.5) and next_steps, hold_etiquette N/A (w 1 each, dropped):
    // Σ w = 2+1+3+2+2+4+3+2+1 = 20; Σ w·s = 20 − 3·0.5 = 18.5 → 92.5
    const values: Record<string, AnswerValue> = {
      greeting: 'yes', introduction: 'yes', listening: 3, questions: 5, identity_check: 'yes',
      accurate_information: 'yes', solution: 5, next_steps: 'na', courtesy: 5, hold_etiquette: 'na', closing: 'yes',
    };
    const r = scoreAudit(DEFAULT_FORM, Object.entries(values).map(([k, v]) => ans(k, v)));
    expect(r.applicable_weight).toBe(20);
    expect(r.score).toBeCloseTo(92.5, 12);
  });
});

describe('validateAnswers: every criterion exactly once, values of its type, N/A only where allowed', () => {
  const f = form(crit('a'), crit('b', { type: 'scale', allow_na: true }), crit('c', { critical: true }));

  it('accepts a complete set in any order and returns it in form order with notes normalised', () => {
    const { answers, errors } = validateAnswers(f, [
      { criterion_id: 'c', value: 'yes' },
      { criterion_id: 'a', value: 'no', note: 'no greeting at all' },
      { criterion_id: 'b', value: 'na', note: '   ' },
    ]);
    expect(errors).toEqual([]);
    expect(answers).toEqual([ans('a', 'no', 'no greeting at all'), ans('b', 'na'), ans('c', 'yes')]);
  });

  it('names a missing criterion', () => {
    const { answers, errors } = validateAnswers(f, [{ criterion_id: 'a', value: 'yes' }, { criterion_id: 'b', value: 3 }]);
    expect(answers).toBeNull();
    expect(errors).toEqual([{ field: 'answers', value: 'c', reason: 'criterion "c" (section "s1": "Label c") is not answered; give "yes" or "no"' }]);
  });

  it('names a criterion answered twice', () => {
    const { errors } = validateAnswers(f, [ans('a', 'yes'), ans('b', 2), ans('c', 'yes'), ans('a', 'no')]);
    expect(errors).toEqual([{ field: 'answers[3].criterion_id', value: 'a', reason: 'criterion "a" is answered twice (answers[0] and answers[3]); answer each criterion once' }]);
  });

  it('names an unknown criterion', () => {
    const { errors } = validateAnswers(f, [ans('a', 'yes'), ans('b', 2), ans('c', 'yes'), ans('zz', 'yes')]);
    expect(errors).toEqual([{ field: 'answers[3].criterion_id', value: 'zz', reason: 'unknown criterion "zz": not in this form version' }]);
  });

  it.each([
    ['a', 'maybe', 'criterion "a": a yes_no criterion takes "yes" or "no", got "maybe"'],
    ['a', true, 'criterion "a": a yes_no criterion takes "yes" or "no", got true'],
    ['a', 1, 'criterion "a": a yes_no criterion takes "yes" or "no", got 1'],
    ['b', 0, 'criterion "b": a scale criterion takes an integer from 1 to 5, or "na", got 0'],
    ['b', 6, 'criterion "b": a scale criterion takes an integer from 1 to 5, or "na", got 6'],
    ['b', 2.5, 'criterion "b": a scale criterion takes an integer from 1 to 5, or "na", got 2.5'],
    ['b', '3', 'criterion "b": a scale criterion takes an integer from 1 to 5, or "na", got "3"'],
    ['b', null, 'criterion "b": a scale criterion takes an integer from 1 to 5, or "na", got null'],
    ['a', 'na', 'criterion "a": N/A is not allowed for this criterion; give "yes" or "no"'],
    ['c', 'na', 'criterion "c": N/A is not allowed for this criterion; give "yes" or "no"'],
  ])('criterion %s value %p is rejected, naming the answer and criterion', (id, value, reason) => {
    const raw = [
      { criterion_id: 'a', value: 'yes' },
      { criterion_id: 'b', value: 3 },
      { criterion_id: 'c', value: 'yes' },
    ].map((x) => (x.criterion_id === id ? { ...x, value } : x));
    const i = raw.findIndex((x) => x.criterion_id === id);
    expect(validateAnswers(f, raw).errors).toEqual([{ field: `answers[${i}].value`, value, reason }]);
  });

  it('an answer with the value missing is named', () => {
    expect(validateAnswers(f, [{ criterion_id: 'a' }, ans('b', 3), ans('c', 'yes')]).errors).toEqual([
      { field: 'answers[0].value', value: undefined, reason: 'criterion "a": a yes_no criterion takes "yes" or "no", got nothing' },
    ]);
  });

  it('rejects non-lists, non-objects, missing ids, unknown fields and long notes', () => {
    expect(validateAnswers(f, { a: 'yes' }).errors[0]).toMatchObject({ field: 'answers' });
    const { errors } = validateAnswers(f, ['yes', { value: 'yes' }, { criterion_id: 'a', value: 'yes', extra: 1 }, { criterion_id: 'b', value: 3, note: 'x'.repeat(2001) }, ans('c', 'yes')]);
    expect(errors.map((e) => e.field)).toEqual(['answers[0]', 'answers[1].criterion_id', 'answers[2].extra', 'answers[3].note']);
  });

  it('lists every problem at once', () => {
    const { errors } = validateAnswers(f, [ans('a', 'na'), ans('a', 'yes'), ans('q', 'yes')]);
    expect(errors.map((e) => e.field)).toEqual(['answers[0].value', 'answers[1].criterion_id', 'answers[2].criterion_id', 'answers', 'answers']);
  });
});

describe('invariants (fast-check)', () => {
  const criterionArb = fc.record({
    type: fc.constantFrom<'yes_no' | 'scale'>('yes_no', 'scale'),
    weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
    critical: fc.boolean(),
    allow_na: fc.boolean(),
  });
  const formAndAnswers = fc.array(criterionArb, { minLength: 1, maxLength: 12 }).chain((cs) => {
    const def = form(...cs.map((c, i) => crit(`c${i}`, c)));
    const valueArbs = cs.map((c) => {
      const vals: AnswerValue[] = c.type === 'yes_no' ? ['yes', 'no'] : [1, 2, 3, 4, 5];
      return fc.constantFrom<AnswerValue>(...(c.allow_na ? [...vals, 'na' as const] : vals));
    });
    return fc.tuple(fc.constant(def), fc.tuple(...valueArbs));
  });

  it('the score is null or within 0…100; 0 on auto-fail; null exactly when nothing is applicable', () => {
    fc.assert(
      fc.property(formAndAnswers, ([def, values]) => {
        const r = scoreAudit(def, values.map((v, i) => ans(`c${i}`, v)));
        const crits = def.sections[0].criteria;
        const anyFail = values.some((v, i) => crits[i].critical && (v === 'no' || v === 1));
        const allNa = values.every((v) => v === 'na');
        if (anyFail) expect(r.score).toBe(0);
        else if (allNa) expect(r.score).toBeNull();
        else {
          expect(r.score).not.toBeNull();
          expect(r.score!).toBeGreaterThanOrEqual(0);
          expect(r.score!).toBeLessThanOrEqual(100 + 1e-9);
        }
        expect(r.auto_failed).toBe(anyFail);
      }),
    );
  });

  it('answer order does not matter, and scaling every weight leaves the score unchanged', () => {
    fc.assert(
      fc.property(formAndAnswers, fc.double({ min: 0.1, max: 10, noNaN: true }), ([def, values], k) => {
        const answers = values.map((v, i) => ans(`c${i}`, v));
        const base = scoreAudit(def, answers);
        const reversed = scoreAudit(def, [...answers].reverse());
        expect(reversed.score).toBe(base.score);
        const scaled = { ...def, sections: [{ ...def.sections[0], criteria: def.sections[0].criteria.map((c) => ({ ...c, weight: c.weight * k })) }] };
        const s = scoreAudit(scaled, answers).score;
        if (base.score === null) expect(s).toBeNull();
        else expect(s!).toBeCloseTo(base.score, 8);
      }),
    );
  });

  it('turning one non-critical answer from no to yes never lowers the score', () => {
    fc.assert(
      fc.property(formAndAnswers, ([def, values]) => {
        const crits = def.sections[0].criteria;
        const i = values.findIndex((v, j) => v === 'no' && !crits[j].critical);
        if (i < 0) return;
        const before = scoreAudit(def, values.map((v, j) => ans(`c${j}`, v))).score;
        const after = scoreAudit(def, values.map((v, j) => ans(`c${j}`, j === i ? 'yes' : v))).score;
        if (before !== null && after !== null) expect(after).toBeGreaterThanOrEqual(before - 1e-9);
      }),
    );
  });
});
