import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { buildAgentReportView, type AgentReportView } from './domain/agent-report.view';
import { buildTeamReportView, type TeamReportView } from './domain/team-report.view';
import { RenderPool } from './rendering/render-pool';
import { ReportDataService } from './report-data.service';

/** The render pool of the process (ReportsRenderingModule sizes it from RENDER_CONCURRENCY). */
export const RENDER_POOL = Symbol('RENDER_POOL');

/**
 * PDF scorecards of a published snapshot (issue 6, items 1–3): data → view model (this
 * thread) → document definition → PDF (a render worker). Deterministic: the same snapshot
 * and subject give the same bytes, now and later.
 */
@Injectable()
export class ReportRenderService implements OnModuleDestroy {
  constructor(
    private readonly data: ReportDataService,
    @Inject(RENDER_POOL) private readonly pool: RenderPool,
  ) {}

  /** The agent scorecard PDF. ProblemException(404) when the snapshot, the agent or its scorecard is missing. */
  async renderAgent(snapshotId: number, agentId: string): Promise<Buffer> {
    return this.pool.render(await this.agentView(snapshotId, agentId));
  }

  /** The team scorecard PDF. ProblemException(404) when the snapshot or the team is missing. */
  async renderTeam(snapshotId: number, teamId: string): Promise<Buffer> {
    return this.pool.render(await this.teamView(snapshotId, teamId));
  }

  /** The agent scorecard's view model (what the PDF shows, formatted). */
  async agentView(snapshotId: number, agentId: string): Promise<AgentReportView> {
    return buildAgentReportView(await this.data.agent(snapshotId, agentId));
  }

  async teamView(snapshotId: number, teamId: string): Promise<TeamReportView> {
    return buildTeamReportView(await this.data.team(snapshotId, teamId));
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
