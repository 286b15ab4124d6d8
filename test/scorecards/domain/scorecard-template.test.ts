import { KPI_CATALOGUE, PERSPECTIVES } from '../../../src/kpis/domain/kpi-catalogue';
import {
  assertValidTemplate,
  DEFAULT_AMBER_AT,
  DEFAULT_CAP,
  DEFAULT_TEMPLATE,
  InvalidTemplateError,
  resolveTemplateKpi,
  validateTemplate,
  type ScorecardTemplateDef,
  type TemplateKpi,
} from '../../../src/scorecards/domain/scorecard-template';

const csat: TemplateKpi = { key: 'csat', perspective: 'customer', weight: 10, floor: 60, target: 90 };
const fcr: TemplateKpi = { key: 'first_contact_resolution', perspective: 'internal_process', weight: 5, floor: 50, target: 80 };

/** A template KPI as it may arrive from JSON, with fields of any type. */
function loose(fields: Record<string, unknown>): TemplateKpi {
  return { ...csat, ...fields } as unknown as TemplateKpi;
}

function errorsOf(...kpis: TemplateKpi[]) {
  return validateTemplate({ name: 'T', kpis });
}

describe('validateTemplate', () => {
  it('accepts a valid template', () => {
    expect(errorsOf(csat, fcr)).toEqual([]);
    expect(errorsOf({ ...csat, amber_at: 90, cap: 150 })).toEqual([]);
  });

  it('accepts lower-is-better KPIs written floor > target', () => {
    expect(errorsOf({ key: 'complaint_rate', perspective: 'customer', weight: 1, floor: 10, target: 2 })).toEqual([]);
  });

  it('requires a name and at least one KPI', () => {
    expect(validateTemplate({ name: '', kpis: [csat] })).toEqual([{ field: 'name', reason: 'must be a non-empty name' }]);
    expect(validateTemplate({ name: '   ', kpis: [csat] })).toEqual([{ field: 'name', reason: 'must be a non-empty name' }]);
    expect(validateTemplate({ name: 'T', kpis: [] })).toEqual([{ field: 'kpis', reason: 'must list at least one KPI' }]);
    expect(validateTemplate({ name: 'T' } as unknown as ScorecardTemplateDef)).toEqual([
      { field: 'kpis', reason: 'must list at least one KPI' },
    ]);
  });

  it('rejects a floor equal to the target, naming the field', () => {
    expect(errorsOf(csat, { ...fcr, floor: 80, target: 80 })).toEqual([
      { field: 'kpis[1].floor', reason: 'equals target (80); floor scores 0 and target 100, so they must differ' },
    ]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('rejects weight %p', (weight) => {
    expect(errorsOf(loose({ weight }))).toEqual([{ field: 'kpis[0].weight', reason: 'must be a number > 0' }]);
  });

  it('rejects non-numeric floors and targets', () => {
    expect(errorsOf(loose({ floor: Number.NaN, target: null }))).toEqual([
      { field: 'kpis[0].floor', reason: 'must be a number' },
      { field: 'kpis[0].target', reason: 'must be a number' },
    ]);
  });

  it('rejects unknown and unscorable keys', () => {
    expect(errorsOf(loose({ key: 'happiness' }))).toEqual([{ field: 'kpis[0].key', reason: 'unknown KPI key "happiness"' }]);
    expect(errorsOf(loose({ key: 'complaints_by_category' }))).toEqual([
      { field: 'kpis[0].key', reason: 'complaints_by_category is a breakdown, not a single number, and cannot be scored' },
    ]);
  });

  it('rejects the same key twice, pointing at the first', () => {
    expect(errorsOf(csat, fcr, { ...csat, perspective: 'financial' })).toEqual([
      { field: 'kpis[2].key', reason: 'csat is already listed at kpis[0]; each KPI may appear once' },
    ]);
  });

  it('rejects an unknown perspective', () => {
    expect(errorsOf(loose({ perspective: 'growth' }))).toEqual([
      { field: 'kpis[0].perspective', reason: 'must be one of financial, customer, internal_process, learning_growth' },
    ]);
  });

  it('cap must be > 0', () => {
    expect(errorsOf({ ...csat, cap: 0 })).toEqual([{ field: 'kpis[0].cap', reason: 'must be a number > 0' }]);
    expect(errorsOf({ ...csat, cap: -5, amber_at: 10 })).toEqual([{ field: 'kpis[0].cap', reason: 'must be a number > 0' }]);
  });

  it('amber_at must lie within (0, cap]', () => {
    expect(errorsOf({ ...csat, amber_at: 0 })).toEqual([{ field: 'kpis[0].amber_at', reason: 'must be a number > 0' }]);
    expect(errorsOf({ ...csat, amber_at: -1 })).toEqual([{ field: 'kpis[0].amber_at', reason: 'must be a number > 0' }]);
    expect(errorsOf({ ...csat, amber_at: 120.5 })).toEqual([{ field: 'kpis[0].amber_at', reason: 'must not exceed cap (120)' }]);
    expect(errorsOf({ ...csat, amber_at: 120 })).toEqual([]); // = default cap
    expect(errorsOf({ ...csat, amber_at: 100, cap: 100 })).toEqual([]);
    expect(errorsOf({ ...csat, amber_at: 0.01 })).toEqual([]);
  });

  it('a cap below the default amber_at needs an explicit amber_at', () => {
    expect(errorsOf({ ...csat, cap: 50 })).toEqual([
      { field: 'kpis[0].amber_at', reason: 'the default 80 exceeds cap (50); give amber_at ≤ cap' },
    ]);
    expect(errorsOf({ ...csat, cap: 50, amber_at: 40 })).toEqual([]);
  });

  it('reports every problem at once, each with its field', () => {
    const errors = validateTemplate({
      name: '',
      kpis: [csat, fcr, loose({ key: 'nps', weight: 0, floor: 5, target: 5 }), { ...fcr, amber_at: 200 }],
    });
    expect(errors.map((e) => e.field)).toEqual(['name', 'kpis[2].weight', 'kpis[2].floor', 'kpis[3].amber_at', 'kpis[3].key']);
  });
});

describe('assertValidTemplate', () => {
  it('throws an InvalidTemplateError carrying the errors', () => {
    expect(() => assertValidTemplate({ name: 'T', kpis: [{ ...csat, floor: 1, target: 1 }] })).toThrow(InvalidTemplateError);
    try {
      assertValidTemplate({ name: '', kpis: [csat] });
      throw new Error('expected a throw');
    } catch (e) {
      expect((e as InvalidTemplateError).errors).toEqual([{ field: 'name', reason: 'must be a non-empty name' }]);
      expect((e as Error).message).toBe('Invalid scorecard template: name: must be a non-empty name');
    }
  });

  it('passes a valid template', () => {
    expect(() => assertValidTemplate({ name: 'T', kpis: [csat] })).not.toThrow();
  });
});

describe('resolveTemplateKpi', () => {
  it('fills amber_at 80 and cap 120 by default, keeps given ones', () => {
    expect(DEFAULT_AMBER_AT).toBe(80);
    expect(DEFAULT_CAP).toBe(120);
    expect(resolveTemplateKpi(csat)).toEqual({ ...csat, amber_at: 80, cap: 120 });
    expect(resolveTemplateKpi({ ...csat, amber_at: 70, cap: 150 })).toEqual({ ...csat, amber_at: 70, cap: 150 });
  });
});

describe('DEFAULT_TEMPLATE', () => {
  it('is valid', () => {
    expect(validateTemplate(DEFAULT_TEMPLATE)).toEqual([]);
  });

  it('covers all four perspectives with weights summing to 100', () => {
    expect(new Set(DEFAULT_TEMPLATE.kpis.map((k) => k.perspective))).toEqual(new Set(PERSPECTIVES));
    expect(DEFAULT_TEMPLATE.kpis.reduce((a, k) => a + k.weight, 0)).toBe(100);
  });

  it('points every KPI the way the catalogue says is better (floor < target ⇔ higher is better)', () => {
    for (const k of DEFAULT_TEMPLATE.kpis) {
      expect({ key: k.key, higherIsBetter: k.target > k.floor }).toEqual({ key: k.key, higherIsBetter: KPI_CATALOGUE[k.key].higherIsBetter });
    }
  });

  it('leaves out size-dependent sums and counts, except per-agent training hours', () => {
    const kinds = DEFAULT_TEMPLATE.kpis.filter((k) => k.key !== 'training_hours').map((k) => KPI_CATALOGUE[k.key].kind);
    expect(kinds).not.toContain('sum');
    expect(kinds).not.toContain('count');
  });

  it('has the floors and targets of the brief', () => {
    const byKey = new Map(DEFAULT_TEMPLATE.kpis.map((k) => [k.key, [k.floor, k.target]]));
    expect(byKey.get('customer_retention_rate')).toEqual([80, 95]);
    expect(byKey.get('complaint_rate')).toEqual([10, 2]);
    expect(byKey.get('ces_avg')).toEqual([5, 2]);
    expect(byKey.get('churn_controllable_share')).toEqual([60, 20]);
    expect(byKey.get('feedback_360_score')).toEqual([2.5, 4.5]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_TEMPLATE)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TEMPLATE.kpis)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TEMPLATE.kpis[0])).toBe(true);
  });
});
