/**
 * One entry for every report kind: a view model in, its document out. The render worker
 * receives view models (plain, cloneable data) and calls this; tests call it directly.
 */
import { agentReportDocument } from './agent-report.document';
import type { AgentReportView } from './agent-report.view';
import type { ReportDocument } from './report-document';
import { teamReportDocument } from './team-report.document';
import type { TeamReportView } from './team-report.view';

export type ReportView = AgentReportView | TeamReportView;

export function reportDocument(view: ReportView): ReportDocument {
  switch (view.kind) {
    case 'agent':
      return agentReportDocument(view);
    case 'team':
      return teamReportDocument(view);
  }
}
