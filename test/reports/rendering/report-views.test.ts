import { buildAgentReportView } from '../../../src/reports/domain/agent-report.view';
import { formatKpiDelta, formatKpiValue, formatNumber, formatRatioPart, formatShare, periodLabel, shortPeriodLabel } from '../../../src/reports/domain/report-format';
import { buildTeamReportView, histogram } from '../../../src/reports/domain/team-report.view';
import { agentData, agentScorecard, agentSubject, teamData } from './report-samples';

describe('report formatting', () => {
  it('rounds half away from zero on the decimal form, groups thousands, never prints -0', () => {
    expect(formatNumber(82.25, 1)).toBe('82.3');
    expect(formatNumber(1.005, 2)).toBe('1.01'); // toFixed would give 1.00
    expect(formatNumber(12345.675, 2)).toBe('12,345.68');
    expect(formatNumber(-12.5, 0)).toBe('-13');
    expect(formatNumber(450.5, 0)).toBe('451');
    expect(formatNumber(-0.04, 1)).toBe('0.0');
    expect(formatNumber(-0, 0)).toBe('0');
    expect(formatNumber(1234567, 0)).toBe('1,234,567');
    expect(formatNumber(100 / 3, 1)).toBe('33.3');
    expect(() => formatNumber(Number.NaN, 1)).toThrow(RangeError);
  });

  it('KPI values with their catalogue decimals and units; changes signed, percentages in points', () => {
    expect(formatKpiValue('customer_retention_rate', 90)).toBe('90.0%');
    expect(formatKpiValue('revenue', 12345.675)).toBe('12,345.68');
    expect(formatKpiValue('avg_handle_seconds', 450.5)).toBe('451 s');
    expect(formatKpiValue('first_response_minutes_p50', 82.5)).toBe('82.5 min');
    expect(formatKpiValue('training_hours', 2.5)).toBe('2.5 h');
    expect(formatKpiValue('nps', -12.5)).toBe('-13');
    expect(formatKpiValue('ces_avg', 2.125)).toBe('2.13');
    expect(formatKpiValue('feedback_360_score', 4.125)).toBe('4.13');
    expect(formatKpiValue('active_customers', 18)).toBe('18');
    expect(formatKpiValue('csat', null)).toBe('–');
    expect(formatKpiDelta('customer_retention_rate', 5)).toBe('+5.0 pp');
    expect(formatKpiDelta('csat', 0)).toBe('±0.0 pp');
    expect(formatKpiDelta('avg_handle_seconds', -29.5)).toBe('-30 s');
    expect(formatKpiDelta('first_contact_resolution', 2.25)).toBe('+2.3 pp');
    expect(formatKpiDelta('nps', null)).toBe('–');
    expect(formatRatioPart('avg_handle_seconds', 'numerator', 18020)).toBe('18,020');
    expect(formatRatioPart('mystery_shopper_score', 'numerator', 168.5)).toBe('168.5');
    expect(formatRatioPart('mystery_shopper_score', 'denominator', 2)).toBe('2');
    expect(formatShare(6 / 7)).toBe('86%');
    expect(periodLabel('2026-10')).toBe('October 2026');
    expect(shortPeriodLabel('2025-11')).toBe('Nov 25');
  });
});

describe('agent report view model', () => {
  const v = buildAgentReportView(agentData());

  it('header, summary and marks', () => {
    expect(v.header.subject).toBe('王小明');
    expect(v.header.lines).toEqual([
      { label: 'Agent', value: '王小明 (A7)' },
      { label: 'Team', value: '华东一组 (T-E1)' },
      { label: 'Period', value: 'October 2026 (2026-10)' },
      { label: 'Template', value: 'Golden (version 3)' },
      { label: 'Snapshot', value: 'version 2, published 2026-11-01 14:00 Asia/Shanghai' },
    ]);
    // composite (2·66.67 + 91.67 + 2·107.5 + 31.25) / 6 = 78.47; coverage 6/7
    expect(v.summary).toEqual([
      { label: 'Composite score', value: '78.5', rag: 'red' },
      { label: 'Rank in team', value: '2 of 3', rag: null },
      { label: 'Coverage', value: '86%', rag: null },
      { label: 'Team composite', value: '88.1', rag: 'amber' },
    ]);
    expect(v.marks.map((m) => m.text)).toEqual(['DISPUTED']);
    expect(v.meta).toMatchObject({ createdAt: '2026-11-01T06:00:05.250Z', definitionsVersion: 1, lowSampleMin: '10' });
  });

  it('KPI table grouped by perspective in template order, then every other KPI; one footnote each', () => {
    expect(v.kpiGroups.map((g) => [g.title, g.rows.map((r) => r.key)])).toEqual([
      ['Customer', ['customer_retention_rate', 'csat']],
      ['Internal process', ['first_contact_resolution', 'complaint_rate']],
      ['Learning & growth', ['training_hours']],
      [
        'Other KPIs (not scored)',
        [
          'churn_rate', 'repeat_purchase_rate', 'revenue', 'gross_margin', 'active_customers', 'clv_historic_avg', 'clv_predicted_avg',
          'at_risk_customers', 'tickets_resolved', 'avg_handle_seconds', 'first_response_minutes_p50', 'first_response_minutes_p90',
          'first_response_sla_rate', 'resolution_sla_rate', 'complaints_by_category', 'nps', 'ces_avg', 'survey_responses',
          'mystery_shopper_score', 'feedback_360_score', 'win_back_rate', 'churn_controllable_share',
        ],
      ],
    ]);
    const rows = v.kpiGroups.flatMap((g) => g.rows);
    expect(rows.map((r) => r.note)).toEqual(rows.map((_, i) => i + 1));
    expect(v.footnotes).toHaveLength(27);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.customer_retention_rate).toEqual({
      key: 'customer_retention_rate', label: 'Customer retention', note: 1, value: '90.0%', weight: '2', target: '95.0%', score: '66.7', rag: 'red',
      deltaPrevious: '+5.0 pp', deltaYearAgo: '-2.5 pp', sample: '20', lowSample: false,
    });
    expect(byKey.first_contact_resolution).toMatchObject({ value: '82.3%', score: '107.5', rag: 'green', deltaPrevious: '+2.3 pp' });
    expect(byKey.complaint_rate).toMatchObject({ value: '–', score: '–', rag: null, lowSample: true, sample: '0' });
    expect(byKey.avg_handle_seconds).toMatchObject({ value: '451 s', deltaPrevious: '-30 s', weight: '', target: '', score: '' });
    expect(byKey.revenue.value).toBe('12,345.68');
    expect(byKey.complaints_by_category).toMatchObject({ value: '3 complaints', deltaPrevious: '–' });
    expect(byKey.csat.deltaPrevious).toBe('±0.0 pp');
    expect(v.footnotes[0]).toEqual({
      n: 1,
      key: 'customer_retention_rate',
      text: 'Customer retention: Share of the starting portfolio still active at month end. Customers kept 18 / customers at start 20. Floor 80.0%, target 95.0%.',
    });
    expect(v.footnotes.find((f) => f.key === 'mystery_shopper_score')!.text).toBe(
      'Mystery shopper score: Average final score (0–100) of non-voided mystery-shopper audits in the month. Audit scores total 168.5 / audits 2. Low sample (2 < 10).',
    );
    expect(v.footnotes.find((f) => f.key === 'complaints_by_category')!.text).toContain('By category: core service failure 2, service encounter 1.');
  });

  it('charts: composite and key KPIs over 12 months (gaps stay gaps), radar against the team, complaints', () => {
    expect(v.charts.trend.labels[0]).toBe('Nov 25');
    expect(v.charts.trend.series.map((s) => [s.label, s.emphasis])).toEqual([
      ['Composite 王小明', 'primary'],
      ['Composite team 华东一组', 'comparison'],
      ['Customer retention', undefined],
      ['First-contact resolution', undefined],
      ['CSAT', undefined],
    ]);
    expect(v.charts.trend.series[0].values.slice(0, 3)).toEqual([null, null, 61.2]);
    expect(v.charts.radar.labels).toEqual(['Customer', 'Internal process', 'Learning & growth']);
    expect(v.charts.radar.series[1].values).toEqual([95, 101.25, 40]);
    expect(v.charts.complaints).toMatchObject({ title: 'Complaints by category (3)', values: [2, 1, 0, 0, 0, 0] });
  });

  it('evaluations: audits with the disputed one marked, 360 group means only', () => {
    // mean (92.5 + 0) / 2 = 46.25
    expect(v.audits.summary).toBe('2 audits, mean score 46.3, 1 auto-fail, 1 disputed');
    expect(v.audits.rows[1]).toMatchObject({ status: 'DISPUTED', disputed: true, score: '0.0' });
    expect(v.audits.note).toBe('1 voided audit does not count.');
    expect(v.feedback!.rows).toEqual([
      { group: 'Self', raters: '1', mean: '4.50', shown: 'shown' },
      { group: 'Manager', raters: '1', mean: '4.00', shown: 'shown' },
      { group: 'Peers', raters: '4', mean: '4.25', shown: 'shown' },
      { group: 'Direct reports', raters: '–', mean: '–', shown: 'folded into others' },
      { group: 'Customers', raters: '–', mean: '–', shown: 'folded into others' },
      { group: 'Others (folded)', raters: '3', mean: '3.88', shown: 'shown' },
    ]);
    expect(v.feedback!.score).toBe('4.04');
  });

  it('insufficient data: marked, not ranked; no audits, no 360', () => {
    const w = buildAgentReportView(
      agentData({ agent: agentSubject({ scorecard: agentScorecard({ status: 'insufficient_data', coverage: 0.4, rank: null }) }), audits: [], voidedAudits: 0, feedback: null }),
    );
    expect(w.marks.map((m) => m.text)).toEqual(['INSUFFICIENT DATA']);
    expect(w.marks[0].detail).toContain('Only 40%');
    expect(w.summary[1].value).toBe('not ranked (insufficient data)');
    expect(w.audits).toEqual({ summary: 'No mystery-shopper audits in October 2026.', rows: [], note: null });
    expect(w.feedback).toBeNull();
  });
});

describe('team report view model', () => {
  const v = buildTeamReportView(teamData());

  it('ranking: ranked members by rank, then the unranked; RAG cells', () => {
    expect(v.ranking.map((r) => [r.rank, r.name, r.composite.text, r.composite.rag, r.status])).toEqual([
      ['1', 'Ana Silva', '101.5', 'green', 'ok'],
      ['2', '王小明', '78.5', 'red', 'ok'],
      ['–', 'Li Wei 李伟', '40.0', 'red', 'insufficient data'],
    ]);
    expect(v.perspectiveColumns).toEqual(['Customer', 'Internal process', 'Learning & growth']);
    expect(v.ranking[1].perspectives.map((p) => p.rag)).toEqual(['red', 'amber', 'red']);
  });

  it('sub-teams with their agents; summary against the organisation', () => {
    expect(v.subTeams).toEqual([
      {
        name: '华东一组 A',
        id: 'T-E1A',
        composite: { text: '120.0', rag: 'green' }, // 119.995 rounds half up
        perspectives: [{ text: '120.0', rag: 'green' }, { text: '130.0', rag: 'green' }, { text: '50.0', rag: 'red' }],
        coverage: '100%',
        agents: '2',
      },
    ]);
    expect(v.summary.map((s) => s.value)).toEqual(['88.1', '100%', '3 (2 ranked)', '5', '90.0']);
    expect(v.header.lines[1]).toEqual({ label: 'Parent team', value: 'East 华东 (T-EAST)' });
  });

  it('distributions: composite histogram in bins of 10 (the cap in the last), RAG counts per template KPI', () => {
    // 78.47 → 70–80, 101.5 → 100–110, 40 → 40–50, 119.99 and 120 → 110–120
    expect(v.charts.histogram.values).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 2]);
    expect(v.charts.histogram.labels[11]).toBe('110–120');
    expect(histogram([0, 9.999, 10, 125], 'x').values.slice(0, 2)).toEqual([2, 1]);
    expect(v.charts.ragCounts.labels).toEqual(['Customer retention', 'CSAT', 'First-contact resolution', 'Complaint rate', 'Training hours']);
    // rags: A7, A10, A11 [g, a, r, –, g]; A8 [g, g, g, g, a]; A9 [–, –, r, –, –]
    const counts = Object.fromEntries(v.charts.ragCounts.stacks.map((s) => [s.label, s.values]));
    expect(counts).toEqual({
      green: [4, 1, 1, 1, 3],
      amber: [0, 3, 0, 0, 1],
      red: [0, 0, 4, 0, 0],
      'no value': [1, 1, 0, 4, 1],
    });
    // every agent is counted once per KPI
    for (let i = 0; i < 5; i++) expect(v.charts.ragCounts.stacks.reduce((s, x) => s + x.values[i], 0)).toBe(5);
  });
});
