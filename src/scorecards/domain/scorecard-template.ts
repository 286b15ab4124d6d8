/**
 * Balanced-scorecard templates: their shape, their validation and the default template
 * (shared/spec/kpi-definitions.md, "Balanced scorecard" and the fine print on Scorecards).
 *
 * A template lists KPIs, each with a perspective, a weight w > 0, a `floor` (the value
 * scoring 0), a `target` (the value scoring 100), `amber_at` (a score, default 80) and a
 * `cap` (default 120). Lower-is-better KPIs simply have floor > target.
 */
import {
  isKpiKey,
  isPerspective,
  KPI_CATALOGUE,
  PERSPECTIVES,
  type KpiKey,
  type Perspective,
} from '../../kpis/domain/kpi-catalogue';

/** Score from which a KPI is amber rather than red, unless the template says otherwise. */
export const DEFAULT_AMBER_AT = 80;
/** Highest score a KPI can reach, unless the template says otherwise. */
export const DEFAULT_CAP = 120;

export interface TemplateKpi {
  key: KpiKey;
  perspective: Perspective;
  /** > 0; only relative weights matter. */
  weight: number;
  /** The value scoring 0. */
  floor: number;
  /** The value scoring 100. */
  target: number;
  /** Score from which the KPI is amber; default 80. */
  amber_at?: number;
  /** Highest score; default 120. */
  cap?: number;
}

export interface ScorecardTemplateDef {
  name: string;
  kpis: TemplateKpi[];
}

/** A template KPI with its defaults filled in. */
export type ResolvedTemplateKpi = Required<TemplateKpi>;

/** One problem of a template, naming the field as the API's validation errors do: `kpis[3].floor`. */
export interface TemplateError {
  field: string;
  reason: string;
}

/** Thrown when a template that should have been validated on save is not valid. */
export class InvalidTemplateError extends Error {
  constructor(readonly errors: TemplateError[]) {
    super(`Invalid scorecard template: ${errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
    this.name = 'InvalidTemplateError';
  }
}

/** Fills in `amber_at` (80) and `cap` (120) where the template leaves them out. */
export function resolveTemplateKpi(k: TemplateKpi): ResolvedTemplateKpi {
  return { ...k, amber_at: k.amber_at ?? DEFAULT_AMBER_AT, cap: k.cap ?? DEFAULT_CAP };
}

/**
 * Every problem of a template, empty when it is valid:
 * - `name` non-empty; at least one KPI;
 * - each key a scorable catalogue key (not `complaints_by_category`), listed once;
 * - a valid perspective; weight finite and > 0;
 * - floor and target finite and different ("a template with floor = target for a KPI is
 *   rejected"); cap finite and > 0; amber_at finite within (0, cap].
 * The function is defensive about runtime types: a template read from JSON may carry
 * anything in these fields.
 */
export function validateTemplate(def: ScorecardTemplateDef): TemplateError[] {
  const errors: TemplateError[] = [];
  if (typeof def.name !== 'string' || def.name.trim() === '') {
    errors.push({ field: 'name', reason: 'must be a non-empty name' });
  }
  if (!Array.isArray(def.kpis) || def.kpis.length === 0) {
    errors.push({ field: 'kpis', reason: 'must list at least one KPI' });
    return errors;
  }
  const firstIndexOfKey = new Map<string, number>();
  def.kpis.forEach((k, i) => {
    errors.push(...validateTemplateKpi(k, `kpis[${i}]`));
    if (isKpiKey(k.key)) {
      const first = firstIndexOfKey.get(k.key);
      if (first === undefined) firstIndexOfKey.set(k.key, i);
      else errors.push({ field: `kpis[${i}].key`, reason: `${k.key} is already listed at kpis[${first}]; each KPI may appear once` });
    }
  });
  return errors;
}

/** The problems of one template KPI; `at` is its path, e.g. `kpis[3]`. */
function validateTemplateKpi(k: TemplateKpi, at: string): TemplateError[] {
  const errors: TemplateError[] = [];
  const add = (field: string, reason: string) => errors.push({ field: `${at}.${field}`, reason });

  if (!isKpiKey(k.key)) add('key', `unknown KPI key ${JSON.stringify(k.key)}`);
  else if (!KPI_CATALOGUE[k.key].scorable) add('key', `${k.key} is a breakdown, not a single number, and cannot be scored`);

  if (!isPerspective(k.perspective)) add('perspective', `must be one of ${PERSPECTIVES.join(', ')}`);

  if (!isFiniteNumber(k.weight) || k.weight <= 0) add('weight', 'must be a number > 0');

  const floorOk = isFiniteNumber(k.floor);
  const targetOk = isFiniteNumber(k.target);
  if (!floorOk) add('floor', 'must be a number');
  if (!targetOk) add('target', 'must be a number');
  if (floorOk && targetOk && k.floor === k.target) {
    add('floor', `equals target (${k.target}); floor scores 0 and target 100, so they must differ`);
  }

  const cap = k.cap ?? DEFAULT_CAP;
  const capOk = isFiniteNumber(cap) && cap > 0;
  if (!capOk) add('cap', 'must be a number > 0');

  if (k.amber_at !== undefined) {
    if (!isFiniteNumber(k.amber_at) || k.amber_at <= 0) add('amber_at', 'must be a number > 0');
    else if (capOk && k.amber_at > cap) add('amber_at', `must not exceed cap (${cap})`);
  } else if (capOk && DEFAULT_AMBER_AT > cap) {
    add('amber_at', `the default ${DEFAULT_AMBER_AT} exceeds cap (${cap}); give amber_at ≤ cap`);
  }
  return errors;
}

/** Throws an InvalidTemplateError listing every problem unless the template is valid. */
export function assertValidTemplate(def: ScorecardTemplateDef): void {
  const errors = validateTemplate(def);
  if (errors.length > 0) throw new InvalidTemplateError(errors);
}

function isFiniteNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/**
 * The template used until HR defines one: every perspective, weights summing to 100,
 * floors and targets typical of a contact centre. Size-dependent KPIs (revenue, gross
 * margin, counts) are left out because one template scores agents and teams alike;
 * the CLV averages are per customer but in currency units, so their floors and targets
 * must be tuned to the organisation's currency and market. `training_hours` is per month.
 */
export const DEFAULT_TEMPLATE: ScorecardTemplateDef = deepFreeze<ScorecardTemplateDef>({
  name: 'Default balanced scorecard',
  kpis: [
    // Financial (20)
    { key: 'clv_predicted_avg', perspective: 'financial', weight: 8, floor: 20, target: 80 },
    { key: 'clv_historic_avg', perspective: 'financial', weight: 4, floor: 50, target: 250 },
    { key: 'repeat_purchase_rate', perspective: 'financial', weight: 8, floor: 20, target: 50 },
    // Customer (35)
    { key: 'customer_retention_rate', perspective: 'customer', weight: 10, floor: 80, target: 95 },
    { key: 'csat', perspective: 'customer', weight: 7, floor: 60, target: 90 },
    { key: 'nps', perspective: 'customer', weight: 6, floor: 0, target: 50 },
    { key: 'ces_avg', perspective: 'customer', weight: 4, floor: 5, target: 2 },
    { key: 'complaint_rate', perspective: 'customer', weight: 4, floor: 10, target: 2 },
    { key: 'win_back_rate', perspective: 'customer', weight: 4, floor: 10, target: 40 },
    // Internal process (33)
    { key: 'first_contact_resolution', perspective: 'internal_process', weight: 8, floor: 50, target: 80 },
    { key: 'first_response_sla_rate', perspective: 'internal_process', weight: 6, floor: 70, target: 95 },
    { key: 'resolution_sla_rate', perspective: 'internal_process', weight: 6, floor: 70, target: 95 },
    { key: 'mystery_shopper_score', perspective: 'internal_process', weight: 8, floor: 60, target: 90 },
    { key: 'churn_controllable_share', perspective: 'internal_process', weight: 5, floor: 60, target: 20 },
    // Learning & growth (12)
    { key: 'training_hours', perspective: 'learning_growth', weight: 6, floor: 0, target: 8 },
    { key: 'feedback_360_score', perspective: 'learning_growth', weight: 6, floor: 2.5, target: 4.5 },
  ],
});

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}
