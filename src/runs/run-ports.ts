/**
 * What a run needs from the renderer and from delivery, as injection tokens: the run
 * orchestration depends on these shapes, not on how PDFs are drawn or mails are sent.
 */
export const REPORT_RENDERER = Symbol('REPORT_RENDERER');
export const RUN_DELIVERY = Symbol('RUN_DELIVERY');

export interface ReportRenderer {
  renderAgent(snapshotId: number, agentId: string): Promise<Buffer>;
  renderTeam(snapshotId: number, teamId: string): Promise<Buffer>;
}

export interface RunDeliverySummary {
  total: number;
  sent: number;
  failed: number;
  pending: number;
  skipped: number;
  failures: { email: string; error: string | null }[];
}

export interface RunDelivery {
  deliverRun(runId: number, snapshotId: number): Promise<RunDeliverySummary>;
  summary(runId: number): Promise<RunDeliverySummary>;
}
