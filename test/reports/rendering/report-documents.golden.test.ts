import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAgentReportView } from '../../../src/reports/domain/agent-report.view';
import { footer, type ReportDocument } from '../../../src/reports/domain/report-document';
import { reportDocument } from '../../../src/reports/domain/report-documents';
import { buildTeamReportView } from '../../../src/reports/domain/team-report.view';
import { agentData, teamData } from './report-samples';

/**
 * Golden snapshots of the pure document definitions (layout, texts, styles, chart
 * specifications) of the hand-made sample (./report-samples.ts). A change of layout shows
 * as a diff here; when it is intended, regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** The definition as JSON: the footer function evaluated for page 1 of 3, other functions (table layouts) left out. */
function serialise(doc: ReportDocument): string {
  const { footer: f, ...rest } = doc.definition;
  const meta = typeof f === 'function' ? f(1, 3, { width: 595.28, height: 841.89, orientation: 'portrait' }) : f;
  return `${JSON.stringify({ definition: { ...rest, footer: meta }, charts: doc.charts }, null, 1)}\n`;
}

function golden(name: string, actual: string): void {
  const file = path.join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing; run the test with UPDATE_GOLDEN=1, review and commit it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('document definitions (golden)', () => {
  it('agent scorecard', () => {
    golden('agent-report.document.json', serialise(reportDocument(buildAgentReportView(agentData()))));
  });

  it('team scorecard', () => {
    golden('team-report.document.json', serialise(reportDocument(buildTeamReportView(teamData()))));
  });

  it('is a pure function of the view model: equal views, equal documents', () => {
    const a = serialise(reportDocument(buildAgentReportView(agentData())));
    expect(serialise(reportDocument(buildAgentReportView(agentData())))).toBe(a);
    expect(a).toContain('"creationDate": "2026-11-01T06:00:05.250Z"');
    expect(a).toContain('"producer": "Yardstick"');
  });

  it('page numbers in the footer', () => {
    const v = buildAgentReportView(agentData());
    expect(JSON.stringify(footer(v.meta, 2, 3))).toContain('page 2 of 3');
  });
});
