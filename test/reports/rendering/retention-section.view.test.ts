import { buildAgentReportView } from '../../../src/reports/domain/agent-report.view';
import { reportDocument } from '../../../src/reports/domain/report-documents';
import { AT_RISK_TITLE, CHURN_REASONS_TITLE, atRiskSection, churnReasonsSection } from '../../../src/reports/domain/retention-section.view';
import { CONTROLLABILITY_COLOURS } from '../../../src/reports/domain/report-theme';
import { buildTeamReportView } from '../../../src/reports/domain/team-report.view';
import { zeroLost } from '../../../src/retention/domain/retention-section';
import { agentData, agentRetention, teamData, teamRetention } from './report-samples';

/** The retention sections from the hand-made frozen data of ./report-samples.ts (numbers worked out there). */
describe('retention sections of the scorecards (pure)', () => {
  it('agent: customers at risk, level × tier with totals, not worth pursuing, win-back tasks', () => {
    const v = buildAgentReportView(agentData());
    expect(v.extraSections).toHaveLength(1);
    const s = v.extraSections[0];
    expect(s.title).toBe(AT_RISK_TITLE);
    expect(s.lines).toEqual([
      'As of 2026-10-31, the last day of October 2026: 13 of 40 active customers owned by the agent at risk (6 high, 7 medium).',
      'Not worth pursuing (small tier, many complaints in the last year): 1 of the customers at risk, 3 in all.',
      'Win-back tasks: 3 opened in October 2026; 1 of 2 whose confirmation window ended in October 2026 confirmed by an order.',
    ]);
    expect(s.table!.header).toEqual(['Risk', 'Key', 'Major', 'Ordinary', 'Small', 'Total']);
    expect(s.table!.rows).toEqual([
      ['High', '1', '2', '0', '3', '6'],
      ['Medium', '0', '1', '4', '2', '7'],
      ['At risk', '1', '3', '4', '5', '13'],
    ]);
    expect(s.stackedChart).toBeUndefined();
  });

  it('team: the same table for the subtree, then churn reasons coloured by controllability', () => {
    const v = buildTeamReportView(teamData());
    expect(v.extraSections.map((s) => s.title)).toEqual([AT_RISK_TITLE, CHURN_REASONS_TITLE]);
    const [risk, churn] = v.extraSections;
    expect(risk.lines[0]).toBe("As of 2026-10-31, the last day of October 2026: 24 of 120 active customers owned by the team's agents (sub-teams included) at risk (10 high, 14 medium).");
    expect(risk.table!.rows[2]).toEqual(['At risk', '3', '5', '7', '9', '24']);
    expect(churn.lines).toEqual([
      "Customers lost in October 2026: active on 2026-09-30, not on 2026-10-31. Reason: the one recorded on the win-back task closed as lost, else the last complaint's.",
      '7 customers lost: 3 controllable, 2 uncontrollable, 2 unknown.',
    ]);
    // only the reasons that occur, in contract order, unknown last
    expect(churn.table!.rows).toEqual([
      ['core service failure', '2', '0', '0', '2'],
      ['service encounter', '1', '0', '0', '1'],
      ['pricing', '0', '2', '1', '3'],
      ['unknown', '0', '0', '1', '1'],
    ]);
    // the chart: every reason, one stack per controllability
    expect(churn.stackedChart).toEqual({
      title: 'Customers lost in October 2026 by churn reason (7)',
      labels: ['core service failure', 'service encounter', 'pricing', 'inconvenience', 'failure response', 'other', 'unknown'],
      stacks: [
        { label: 'Controllable', colour: CONTROLLABILITY_COLOURS.controllable, values: [2, 1, 0, 0, 0, 0, 0] },
        { label: 'Uncontrollable', colour: CONTROLLABILITY_COLOURS.uncontrollable, values: [0, 0, 2, 0, 0, 0, 0] },
        { label: 'Unknown', colour: CONTROLLABILITY_COLOURS.unknown, values: [0, 0, 1, 0, 0, 0, 1] },
      ],
    });
    // the document: the table with the stacked bars beside it, the chart's spec travels with it
    const doc = reportDocument(v);
    const spec = doc.charts.find((c) => c.id === 'extra1_stacked')!;
    expect(spec.config.type).toBe('bar');
    expect(spec.config.options!.indexAxis).toBe('y');
    expect(JSON.stringify(doc.definition.content)).toContain('"image":"extra1_stacked"');
  });

  it('no tiers (the models could not be fitted): says why and counts the levels only', () => {
    const d = agentRetention({
      no_tiers_reason: 'only 3 repeat customers; at least 50 are needed.',
      risk: {
        customers: 5,
        at_risk: { high: { key: 0, major: 0, ordinary: 0, small: 0, none: 1 }, medium: { key: 0, major: 0, ordinary: 0, small: 0, none: 2 } },
        low: 2,
        not_worth_pursuing: { high: 0, medium: 0, low: 0 },
      },
    });
    const s = atRiskSection(d, 'owned by the agent');
    expect(s.lines).toEqual([
      'As of 2026-10-31, the last day of October 2026: 3 of 5 active customers owned by the agent at risk (1 high, 2 medium).',
      'No tiers: only 3 repeat customers; at least 50 are needed.',
      'Win-back tasks: 3 opened in October 2026; 1 of 2 whose confirmation window ended in October 2026 confirmed by an order.',
    ]);
    expect(s.table).toEqual({
      header: ['Risk', 'No tier', 'Total'],
      align: ['left', 'right', 'right'],
      rows: [
        ['High', '1', '1'],
        ['Medium', '2', '2'],
        ['At risk', '3', '3'],
      ],
    });
  });

  it('no customer lost: a line, no chart; agents have no churn section; nothing without frozen data', () => {
    const none = churnReasonsSection(teamRetention({ lost: zeroLost() }))!;
    expect(none.lines[1]).toBe('No customer was lost in October 2026.');
    expect(none.stackedChart).toBeUndefined();
    expect(churnReasonsSection(agentRetention())).toBeNull();
    expect(buildAgentReportView(agentData({ sections: {} })).extraSections).toEqual([]);
    // the organisation row of a section with nothing for it is stored as JSON null
    expect(buildTeamReportView(teamData({ sections: { retention: null } })).extraSections).toEqual([]);
    // sections passed by the caller come after the frozen ones
    const extra = { title: 'Other', lines: ['x'] };
    expect(buildAgentReportView(agentData(), [extra]).extraSections.map((s) => s.title)).toEqual([AT_RISK_TITLE, 'Other']);
  });
});
