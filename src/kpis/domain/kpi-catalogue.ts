/**
 * The catalogue of every KPI Yardstick reports: shared/spec/kpi-definitions.md (portfolio,
 * service, survey, evaluation and growth KPIs) and shared/spec/retention.md (`win_back_rate`,
 * `churn_controllable_share`). The rules themselves live in those documents and in the
 * repositories that compute them; this file holds what every layer needs to present them:
 * label, kind, unit, direction, default balanced-scorecard perspective and display precision.
 */

/** Every KPI key, in the stable order of tables, CSV columns and PDFs. */
export const KPI_KEYS = [
  'customer_retention_rate',
  'churn_rate',
  'repeat_purchase_rate',
  'revenue',
  'gross_margin',
  'active_customers',
  'clv_historic_avg',
  'clv_predicted_avg',
  'at_risk_customers',
  'tickets_resolved',
  'first_contact_resolution',
  'avg_handle_seconds',
  'first_response_minutes_p50',
  'first_response_minutes_p90',
  'complaint_rate',
  'first_response_sla_rate',
  'resolution_sla_rate',
  'complaints_by_category',
  'csat',
  'nps',
  'ces_avg',
  'survey_responses',
  'mystery_shopper_score',
  'feedback_360_score',
  'training_hours',
  'win_back_rate',
  'churn_controllable_share',
] as const;

export type KpiKey = (typeof KPI_KEYS)[number];

/** The four balanced-scorecard perspectives (kpi-definitions.md, "Balanced scorecard"). */
export const PERSPECTIVES = ['financial', 'customer', 'internal_process', 'learning_growth'] as const;
export type Perspective = (typeof PERSPECTIVES)[number];

/** Version of the rules of kpi-definitions.md; every snapshot records it ("Explaining every number"). */
export const DEFINITIONS_VERSION = 1;

/** The complaint categories of shared/spec/data-contract.md (tickets.csv), in contract order. */
export const COMPLAINT_CATEGORIES = [
  'core_service_failure',
  'service_encounter',
  'pricing',
  'inconvenience',
  'failure_response',
  'other',
] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

/**
 * How a value is built, which fixes what its numerator, denominator and sample size mean
 * (kpi-definitions.md, fine print "Numerators, denominators, sample sizes"):
 * - percentage: 100 × numerator / denominator, both counts;
 * - mean: numerator / denominator = sum / count;
 * - sum, count, percentile: no numerator or denominator; sample size = records behind it;
 * - breakdown: counts per category (`complaints_by_category`), not a single number.
 */
export type KpiKind = 'percentage' | 'mean' | 'sum' | 'count' | 'percentile' | 'breakdown';

/** Unit for display; 'nps' is a net score −100…100, 'ces' the 1–7 effort scale, 'score' 0–100 or 1–5. */
export type KpiUnit =
  | '%'
  | 'currency'
  | 'seconds'
  | 'minutes'
  | 'hours'
  | 'customers'
  | 'tickets'
  | 'responses'
  | 'score'
  | 'nps'
  | 'ces'
  | null;

export interface KpiDefinition {
  readonly key: KpiKey;
  /** Short English label for tables and PDFs. */
  readonly label: string;
  readonly kind: KpiKind;
  readonly unit: KpiUnit;
  /** Direction of improvement; null for a breakdown, which has none. */
  readonly higherIsBetter: boolean | null;
  /** Whether a scorecard template may score it (a breakdown cannot be scored). */
  readonly scorable: boolean;
  /** Perspective a template puts it in unless told otherwise. */
  readonly defaultPerspective: Perspective;
  /** One line, for legends and tooltips. */
  readonly definition: string;
  /** What the numerator counts (percentages) or sums (means); null for other kinds. */
  readonly numeratorLabel: string | null;
  /** What the denominator counts; null for kinds without one. */
  readonly denominatorLabel: string | null;
  /** Decimals shown in PDFs and tables (values themselves are never rounded). */
  readonly displayDecimals: number;
}

type Entry = Omit<KpiDefinition, 'key'>;

const ratio = (numeratorLabel: string, denominatorLabel: string) => ({ numeratorLabel, denominatorLabel });
const noRatio = { numeratorLabel: null, denominatorLabel: null } as const;

const ENTRIES: { readonly [K in KpiKey]: Entry } = {
  // --- Portfolio KPIs (customer and financial perspective) ---
  customer_retention_rate: {
    label: 'Customer retention',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Share of the starting portfolio still active at month end',
    ...ratio('customers kept', 'customers at start'),
    displayDecimals: 1,
  },
  churn_rate: {
    label: 'Churn',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Share of the starting portfolio no longer active at month end (100 − retention)',
    ...ratio('customers lost', 'customers at start'),
    displayDecimals: 1,
  },
  repeat_purchase_rate: {
    label: 'Repeat purchase rate',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'financial',
    definition: "Share of the month's buyers who had bought before",
    ...ratio('repeat buyers', 'buyers in month'),
    displayDecimals: 1,
  },
  revenue: {
    label: 'Revenue',
    kind: 'sum',
    unit: 'currency',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'financial',
    definition: "Amount of the month's completed orders of the portfolio",
    ...noRatio,
    displayDecimals: 2,
  },
  gross_margin: {
    label: 'Gross margin',
    kind: 'sum',
    unit: 'currency',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'financial',
    definition: "Gross margin of the month's completed orders of the portfolio",
    ...noRatio,
    displayDecimals: 2,
  },
  active_customers: {
    label: 'Active customers',
    kind: 'count',
    unit: 'customers',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Customers of the portfolio active at month end',
    ...noRatio,
    displayDecimals: 0,
  },
  clv_historic_avg: {
    label: 'Historic CLV (avg)',
    kind: 'mean',
    unit: 'currency',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'financial',
    definition: 'Average lifetime gross margin to date of the active customers',
    ...ratio('lifetime gross margin', 'active customers'),
    displayDecimals: 2,
  },
  clv_predicted_avg: {
    label: 'Predicted CLV (avg)',
    kind: 'mean',
    unit: 'currency',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'financial',
    definition: 'Average predicted, discounted future gross margin of the active customers',
    ...ratio('predicted CLV', 'customers with a model value'),
    displayDecimals: 2,
  },
  at_risk_customers: {
    label: 'At-risk customers',
    kind: 'count',
    unit: 'customers',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Active customers whose probability of being alive is below the risk threshold',
    ...noRatio,
    displayDecimals: 0,
  },

  // --- Service KPIs (internal-process and customer perspective) ---
  tickets_resolved: {
    label: 'Tickets resolved',
    kind: 'count',
    unit: 'tickets',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Tickets resolved in the month',
    ...noRatio,
    displayDecimals: 0,
  },
  first_contact_resolution: {
    label: 'First-contact resolution',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Share of resolved tickets settled in one contact and never reopened',
    ...ratio('resolved at first contact', 'tickets resolved'),
    displayDecimals: 1,
  },
  avg_handle_seconds: {
    label: 'Avg handle time',
    kind: 'mean',
    unit: 'seconds',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Average agent working time per resolved ticket',
    ...ratio('handle seconds', 'tickets with a handle time'),
    displayDecimals: 0,
  },
  first_response_minutes_p50: {
    label: 'First response (median)',
    kind: 'percentile',
    unit: 'minutes',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Median minutes to first response of tickets opened in the month',
    ...noRatio,
    displayDecimals: 1,
  },
  first_response_minutes_p90: {
    label: 'First response (p90)',
    kind: 'percentile',
    unit: 'minutes',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: '90th percentile of minutes to first response of tickets opened in the month',
    ...noRatio,
    displayDecimals: 1,
  },
  complaint_rate: {
    label: 'Complaint rate',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Share of tickets opened in the month that are complaints',
    ...ratio('complaint tickets', 'tickets opened'),
    displayDecimals: 1,
  },
  first_response_sla_rate: {
    label: 'First-response SLA',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Share of tickets opened in the month answered within the first-response SLA',
    ...ratio('answered within SLA', 'tickets opened'),
    displayDecimals: 1,
  },
  resolution_sla_rate: {
    label: 'Resolution SLA',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Share of tickets resolved in the month within the resolution SLA',
    ...ratio('resolved within SLA', 'tickets resolved'),
    displayDecimals: 1,
  },
  complaints_by_category: {
    label: 'Complaints by category',
    kind: 'breakdown',
    unit: 'tickets',
    higherIsBetter: null,
    scorable: false,
    defaultPerspective: 'customer',
    definition: 'Complaint tickets opened in the month per category and per controllability',
    ...noRatio,
    displayDecimals: 0,
  },

  // --- Survey KPIs (customer perspective) ---
  csat: {
    label: 'CSAT',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Share of CSAT answers rating 4 or 5',
    ...ratio('satisfied answers (4–5)', 'CSAT answers'),
    displayDecimals: 1,
  },
  nps: {
    label: 'NPS',
    kind: 'percentage',
    unit: 'nps',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Promoters (9–10) minus detractors (0–6) as a share of NPS answers, −100 to 100',
    ...ratio('promoters − detractors', 'NPS answers'),
    displayDecimals: 0,
  },
  ces_avg: {
    label: 'Customer effort (avg)',
    kind: 'mean',
    unit: 'ces',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Average customer effort score, 1 (easy) to 7 (hard)',
    ...ratio('CES total', 'CES answers'),
    displayDecimals: 2,
  },
  survey_responses: {
    label: 'Survey responses',
    kind: 'count',
    unit: 'responses',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Surveys answered in the month',
    ...noRatio,
    displayDecimals: 0,
  },

  // --- Evaluation and growth KPIs (internal-process and learning & growth perspective) ---
  mystery_shopper_score: {
    label: 'Mystery shopper score',
    kind: 'mean',
    unit: 'score',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Average final score (0–100) of non-voided mystery-shopper audits in the month',
    ...ratio('audit scores total', 'audits'),
    displayDecimals: 1,
  },
  feedback_360_score: {
    label: '360 feedback score',
    kind: 'mean',
    unit: 'score',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'learning_growth',
    definition: "Mean of each rater group's average rating (1–5, self excluded) in the latest closed 360 cycle",
    ...ratio('rater-group means total', 'rater groups'),
    displayDecimals: 2,
  },
  training_hours: {
    label: 'Training hours',
    kind: 'sum',
    unit: 'hours',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'learning_growth',
    definition: 'Hours of training completed in the month',
    ...noRatio,
    displayDecimals: 1,
  },

  // --- Retention KPIs (retention.md) ---
  win_back_rate: {
    label: 'Win-back rate',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: true,
    scorable: true,
    defaultPerspective: 'customer',
    definition: 'Share of win-back tasks whose confirmation window ended in the month with a confirmed order',
    ...ratio('confirmed win-backs', 'tasks with window ended'),
    displayDecimals: 1,
  },
  churn_controllable_share: {
    label: 'Controllable churn share',
    kind: 'percentage',
    unit: '%',
    higherIsBetter: false,
    scorable: true,
    defaultPerspective: 'internal_process',
    definition: 'Share of customers lost in the month with a known reason whose reason was controllable',
    ...ratio('controllable losses', 'losses with a known reason'),
    displayDecimals: 1,
  },
};

/** Every KPI's definition by key. */
export const KPI_CATALOGUE: Readonly<Record<KpiKey, KpiDefinition>> = Object.freeze(
  Object.fromEntries(KPI_KEYS.map((key) => [key, Object.freeze({ key, ...ENTRIES[key] })])) as Record<
    KpiKey,
    KpiDefinition
  >,
);

/** The KPIs a scorecard template may use, in catalogue order (every key but `complaints_by_category`). */
export const SCORABLE_KPI_KEYS: readonly KpiKey[] = KPI_KEYS.filter((key) => KPI_CATALOGUE[key].scorable);

const KPI_KEY_SET: ReadonlySet<string> = new Set(KPI_KEYS);
const PERSPECTIVE_SET: ReadonlySet<string> = new Set(PERSPECTIVES);
const COMPLAINT_CATEGORY_SET: ReadonlySet<string> = new Set(COMPLAINT_CATEGORIES);

export function isKpiKey(s: unknown): s is KpiKey {
  return typeof s === 'string' && KPI_KEY_SET.has(s);
}

export function isPerspective(s: unknown): s is Perspective {
  return typeof s === 'string' && PERSPECTIVE_SET.has(s);
}

export function isComplaintCategory(s: unknown): s is ComplaintCategory {
  return typeof s === 'string' && COMPLAINT_CATEGORY_SET.has(s);
}
