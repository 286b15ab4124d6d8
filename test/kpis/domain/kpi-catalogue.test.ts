import {
  COMPLAINT_CATEGORIES,
  DEFINITIONS_VERSION,
  isComplaintCategory,
  isKpiKey,
  isPerspective,
  KPI_CATALOGUE,
  KPI_KEYS,
  PERSPECTIVES,
  SCORABLE_KPI_KEYS,
  type KpiKey,
  type KpiKind,
} from '../../../src/kpis/domain/kpi-catalogue';

describe('KPI catalogue', () => {
  it('lists every KPI of kpi-definitions.md and retention.md, in the stable order', () => {
    expect(KPI_KEYS).toEqual([
      // portfolio
      'customer_retention_rate',
      'churn_rate',
      'repeat_purchase_rate',
      'revenue',
      'gross_margin',
      'active_customers',
      'clv_historic_avg',
      'clv_predicted_avg',
      'at_risk_customers',
      // service
      'tickets_resolved',
      'first_contact_resolution',
      'avg_handle_seconds',
      'first_response_minutes_p50',
      'first_response_minutes_p90',
      'complaint_rate',
      'first_response_sla_rate',
      'resolution_sla_rate',
      'complaints_by_category',
      // surveys
      'csat',
      'nps',
      'ces_avg',
      'survey_responses',
      // evaluation and growth
      'mystery_shopper_score',
      'feedback_360_score',
      'training_hours',
      // retention.md
      'win_back_rate',
      'churn_controllable_share',
    ]);
    expect(new Set(KPI_KEYS).size).toBe(27);
  });

  it('has exactly one definition per key, carrying its own key', () => {
    expect(Object.keys(KPI_CATALOGUE)).toEqual([...KPI_KEYS]);
    for (const key of KPI_KEYS) expect(KPI_CATALOGUE[key].key).toBe(key);
  });

  it('gives each KPI the kind its rule has', () => {
    const kinds: Record<KpiKind, KpiKey[]> = {
      percentage: [
        'customer_retention_rate',
        'churn_rate',
        'repeat_purchase_rate',
        'first_contact_resolution',
        'complaint_rate',
        'first_response_sla_rate',
        'resolution_sla_rate',
        'csat',
        'nps',
        'win_back_rate',
        'churn_controllable_share',
      ],
      mean: ['clv_historic_avg', 'clv_predicted_avg', 'avg_handle_seconds', 'ces_avg', 'mystery_shopper_score', 'feedback_360_score'],
      // "Sums and counts … are 0, not null": revenue, gross_margin, training_hours are sums …
      sum: ['revenue', 'gross_margin', 'training_hours'],
      // … and active_customers, tickets_resolved, survey_responses, at_risk_customers counts.
      count: ['active_customers', 'at_risk_customers', 'tickets_resolved', 'survey_responses'],
      percentile: ['first_response_minutes_p50', 'first_response_minutes_p90'],
      breakdown: ['complaints_by_category'],
    };
    for (const [kind, keys] of Object.entries(kinds)) {
      for (const key of keys) expect({ key, kind: KPI_CATALOGUE[key].kind }).toEqual({ key, kind });
    }
    expect(Object.values(kinds).flat().sort()).toEqual([...KPI_KEYS].sort());
  });

  it('has numerator and denominator labels exactly for ratios and means (api.md: "where the KPI is a ratio or mean")', () => {
    for (const d of Object.values(KPI_CATALOGUE)) {
      const ratio = d.kind === 'percentage' || d.kind === 'mean';
      expect({ key: d.key, hasNumerator: d.numeratorLabel !== null, hasDenominator: d.denominatorLabel !== null }).toEqual({
        key: d.key,
        hasNumerator: ratio,
        hasDenominator: ratio,
      });
    }
    expect(KPI_CATALOGUE.customer_retention_rate).toMatchObject({ numeratorLabel: 'customers kept', denominatorLabel: 'customers at start' });
    expect(KPI_CATALOGUE.churn_rate).toMatchObject({ numeratorLabel: 'customers lost', denominatorLabel: 'customers at start' });
  });

  it('marks lower-is-better KPIs, and only them', () => {
    const lowerIsBetter = KPI_KEYS.filter((k) => KPI_CATALOGUE[k].higherIsBetter === false);
    expect(lowerIsBetter).toEqual([
      'churn_rate',
      'at_risk_customers',
      'avg_handle_seconds',
      'first_response_minutes_p50',
      'first_response_minutes_p90',
      'complaint_rate',
      'ces_avg', // "mean ces (lower is better)"
      'churn_controllable_share',
    ]);
  });

  it('only the breakdown has no direction and cannot be scored', () => {
    for (const d of Object.values(KPI_CATALOGUE)) {
      const isBreakdown = d.kind === 'breakdown';
      expect(d.higherIsBetter === null).toBe(isBreakdown);
      expect(d.scorable).toBe(!isBreakdown);
    }
    expect(SCORABLE_KPI_KEYS).toEqual(KPI_KEYS.filter((k) => k !== 'complaints_by_category'));
  });

  it('units fit the kind', () => {
    for (const d of Object.values(KPI_CATALOGUE)) {
      if (d.kind === 'percentage') expect(['%', 'nps']).toContain(d.unit);
    }
    expect(KPI_CATALOGUE.nps.unit).toBe('nps');
    expect(KPI_CATALOGUE.ces_avg.unit).toBe('ces');
    expect(KPI_CATALOGUE.revenue.unit).toBe('currency');
    expect(KPI_CATALOGUE.avg_handle_seconds.unit).toBe('seconds');
    expect(KPI_CATALOGUE.first_response_minutes_p90.unit).toBe('minutes');
    expect(KPI_CATALOGUE.training_hours.unit).toBe('hours');
  });

  it('every entry is presentable: short label, one-line definition, sane decimals, a perspective', () => {
    for (const d of Object.values(KPI_CATALOGUE)) {
      expect(d.label.length).toBeGreaterThan(0);
      expect(d.label.length).toBeLessThanOrEqual(28);
      expect(d.definition.length).toBeGreaterThan(10);
      expect(d.definition).not.toMatch(/\n/);
      expect(Number.isInteger(d.displayDecimals) && d.displayDecimals >= 0 && d.displayDecimals <= 3).toBe(true);
      expect(PERSPECTIVES).toContain(d.defaultPerspective);
    }
    expect(new Set(Object.values(KPI_CATALOGUE).map((d) => d.label)).size).toBe(KPI_KEYS.length);
  });

  it('every perspective has KPIs by default', () => {
    const used = new Set(Object.values(KPI_CATALOGUE).map((d) => d.defaultPerspective));
    expect([...used].sort()).toEqual([...PERSPECTIVES].sort());
    expect(KPI_CATALOGUE.training_hours.defaultPerspective).toBe('learning_growth');
    expect(KPI_CATALOGUE.revenue.defaultPerspective).toBe('financial');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(KPI_CATALOGUE)).toBe(true);
    expect(Object.isFrozen(KPI_CATALOGUE.csat)).toBe(true);
  });

  it('constants', () => {
    expect(PERSPECTIVES).toEqual(['financial', 'customer', 'internal_process', 'learning_growth']);
    expect(DEFINITIONS_VERSION).toBe(1);
    expect(COMPLAINT_CATEGORIES).toEqual([
      'core_service_failure',
      'service_encounter',
      'pricing',
      'inconvenience',
      'failure_response',
      'other',
    ]);
  });

  it('type guards', () => {
    expect(isKpiKey('csat')).toBe(true);
    expect(isKpiKey('CSAT')).toBe(false);
    expect(isKpiKey('toString')).toBe(false);
    expect(isKpiKey(3)).toBe(false);
    expect(isPerspective('learning_growth')).toBe(true);
    expect(isPerspective('learning')).toBe(false);
    expect(isComplaintCategory('pricing')).toBe(true);
    expect(isComplaintCategory('Pricing')).toBe(false);
    expect(isComplaintCategory(null)).toBe(false);
  });
});
