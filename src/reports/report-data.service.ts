import { Injectable } from '@nestjs/common';
import { ProblemException } from '../common/problem-details';
import { buildResults } from '../feedback/domain/feedback-results';
import { FeedbackRepository } from '../feedback/feedback.repository';
import { FeedbackService } from '../feedback/feedback.service';
import { addMonths, lastDay } from '../periods/domain/period';
import type { AgentReportData, AuditData, FeedbackData, SnapshotInfo, SnapshotSections, SubjectData, TeamReportData, TrendSeries } from './domain/report-data';
import { ReportDataRepository, type AuditStateRow, type SnapshotRow } from './report-data.repository';
import { ReportSectionsService } from './report-sections.service';

/** Months of a trend, the report's own month last. */
export const TREND_MONTHS = 12;

interface SnapshotContext {
  info: SnapshotInfo;
  /** the trend's months, oldest first */
  periods: string[];
  /** month → the snapshot shown for it (absent: never published by then) */
  trendIds: Map<string, number>;
}

/** Snapshots kept in memory (their rows never change; a run renders one snapshot's subjects). */
const CONTEXT_CACHE = 16;

function snapshotInfo(r: SnapshotRow): SnapshotInfo {
  return {
    id: r.id,
    period: r.period,
    version: r.version,
    createdAt: r.created_at,
    createdLocal: { date: r.local_date, time: r.local_time, zone: r.org_timezone },
    reason: r.reason,
    definitionsVersion: r.definitions_version,
    orgTimezone: r.org_timezone,
    lowSampleMin: r.low_sample_min,
  };
}

function notFound(detail: string): ProblemException {
  return new ProblemException(404, 'Not Found', detail);
}

/**
 * Loads what an agent or team report shows from one published snapshot (issue 6): frozen
 * KPI values and scorecards, 12-month trends from the snapshots published by then, the
 * period's mystery-shopper audits and disputes as they stood when the snapshot was created,
 * and the 360 results of the latest cycle closed by then — group-level, through the
 * anonymity folding of src/feedback/domain, never a rater's answers; and the sections other
 * capabilities computed once for the snapshot (ReportSectionsService: computed on first use
 * when the run has not already). Re-rendering later reads the same data.
 */
@Injectable()
export class ReportDataService {
  private readonly contexts = new Map<number, Promise<SnapshotContext>>();

  constructor(
    private readonly repo: ReportDataRepository,
    private readonly feedbackRepo: FeedbackRepository,
    private readonly feedback: FeedbackService,
    private readonly sections: ReportSectionsService,
  ) {}

  /** The snapshot with its trend months; 404 when it does not exist. */
  private context(snapshotId: number): Promise<SnapshotContext> {
    let hit = this.contexts.get(snapshotId);
    if (!hit) {
      hit = this.loadContext(snapshotId);
      this.contexts.set(snapshotId, hit);
      hit.catch(() => this.contexts.delete(snapshotId));
      while (this.contexts.size > CONTEXT_CACHE) this.contexts.delete(this.contexts.keys().next().value as number);
    }
    return hit;
  }

  private async loadContext(snapshotId: number): Promise<SnapshotContext> {
    if (!Number.isSafeInteger(snapshotId) || snapshotId < 1) throw notFound(`snapshot ${snapshotId} does not exist`);
    const row = await this.repo.snapshot(snapshotId);
    if (!row) throw notFound(`snapshot ${snapshotId} does not exist`);
    const periods = Array.from({ length: TREND_MONTHS }, (_, i) => addMonths(row.period, i - (TREND_MONTHS - 1)));
    const earlier = await this.repo.trendSnapshots(snapshotId, periods.slice(0, -1));
    // the report's own month is the report's snapshot, whatever was published later
    const trendIds = new Map(earlier);
    trendIds.set(row.period, snapshotId);
    return { info: snapshotInfo(row), periods, trendIds };
  }

  private async trends(ctx: SnapshotContext, keys: { type: SubjectData['type']; id: string }[]): Promise<TrendSeries[]> {
    const values = await this.repo.trendValues([...new Set(ctx.trendIds.values())], keys);
    return keys.map((k) => ({
      periods: ctx.periods,
      values: ctx.periods.map((p) => {
        const id = ctx.trendIds.get(p);
        return id === undefined ? null : (values.get(`${id}:${k.type}:${k.id}`) ?? null);
      }),
    }));
  }

  async agent(snapshotId: number, agentId: string): Promise<AgentReportData> {
    const ctx = await this.context(snapshotId);
    const { agent, team } = await this.repo.agentAndTeam(snapshotId, agentId);
    if (!agent) throw notFound(`agent ${JSON.stringify(agentId)} is not part of snapshot ${snapshotId} (${ctx.info.period} version ${ctx.info.version})`);
    if (!agent.scorecard) {
      throw notFound(`agent ${JSON.stringify(agentId)} has no scorecard in snapshot ${snapshotId} (${ctx.info.period}): not employed in that period`);
    }
    const keys = [{ type: 'agent' as const, id: agentId }, ...(team ? [{ type: 'team' as const, id: team.id }] : [])];
    const [trends, audits, feedback, sections] = await Promise.all([
      this.trends(ctx, keys),
      this.repo.auditsAsOf(snapshotId, agentId),
      this.feedbackOf(ctx.info, agentId),
      this.sectionsOf(snapshotId, 'agent', agentId),
    ]);
    const counted = audits.filter((a) => a.status === 'final' && a.score !== null);
    return {
      snapshot: ctx.info,
      agent: agent as AgentReportData['agent'],
      team,
      trend: { agent: trends[0], team: team ? trends[1] : null },
      audits: counted.map(auditData),
      voidedAudits: audits.filter((a) => a.status === 'voided' && a.was_final).length,
      feedback,
      sections,
    };
  }

  async team(snapshotId: number, teamId: string): Promise<TeamReportData> {
    const ctx = await this.context(snapshotId);
    const [team] = await this.repo.subjects(snapshotId, [{ type: 'team', id: teamId }]);
    if (!team) throw notFound(`team ${JSON.stringify(teamId)} is not part of snapshot ${snapshotId} (${ctx.info.period} version ${ctx.info.version})`);
    if (!team.scorecard) throw notFound(`team ${JSON.stringify(teamId)} has no scorecard in snapshot ${snapshotId} (${ctx.info.period})`);
    const [related, tree, subTeams, trends, sections] = await Promise.all([
      this.repo.subjects(snapshotId, [{ type: 'org', id: '' }, ...(team.teamId ? [{ type: 'team' as const, id: team.teamId }] : [])]),
      this.repo.teamTree(snapshotId, teamId),
      this.repo.childTeamSummaries(snapshotId, teamId),
      this.trends(ctx, [
        { type: 'team', id: teamId },
        { type: 'org', id: '' },
      ]),
      this.sectionsOf(snapshotId, 'team', teamId),
    ]);
    const subtreeAgents = await this.repo.agentSummaries(snapshotId, tree.map((t) => t.id));
    return {
      snapshot: ctx.info,
      team: team as TeamReportData['team'],
      parent: related.find((s) => s.type === 'team') ?? null,
      org: related.find((s) => s.type === 'org') ?? null,
      members: subtreeAgents.filter((a) => a.teamId === teamId),
      subtreeAgents,
      subTeams,
      teamTree: tree,
      trend: { team: trends[0], org: trends[1].values.some((v) => v !== null) ? trends[1] : null },
      sections,
    };
  }

  /** The subject's frozen sections, computing the snapshot's missing ones first. */
  private async sectionsOf(snapshotId: number, type: 'agent' | 'team', id: string): Promise<SnapshotSections> {
    await this.sections.ensure(snapshotId);
    return Object.fromEntries(await this.sections.subjectSections(snapshotId, type, id));
  }

  /**
   * The 360 results of the latest cycle the agent is a subject of that closed on or before
   * the period's last day and was closed on the day the snapshot was created (the cycle
   * feedback_360_score used) — group means with anonymity applied.
   */
  private async feedbackOf(s: SnapshotInfo, agentId: string): Promise<FeedbackData | null> {
    const [cycle] = await this.feedbackRepo.latestClosedCycles(lastDay(s.period), s.createdLocal.date, [agentId]);
    if (!cycle) return null;
    const data = (await this.feedbackRepo.aggregates([{ cycleId: cycle.cycle_id, agentId }])).get(`${cycle.cycle_id}:${agentId}`);
    if (!data) return null;
    const minRaters = this.feedback.minRaters;
    const results = buildResults(data, minRaters);
    return {
      cycleName: cycle.cycle_name,
      closesOn: cycle.closes_on,
      minRaters,
      groups: results.groups,
      others: results.others,
      overall: results.overall,
      score: results.feedback_360_score,
    };
  }
}

function auditData(a: AuditStateRow): AuditData {
  const labels = new Map<string, string>();
  for (const section of a.sections ?? []) for (const c of section.criteria ?? []) labels.set(c.id, c.label);
  return {
    id: a.id,
    visitedOn: a.visited_on,
    channel: a.channel,
    form: a.form,
    formVersion: a.form_version,
    score: a.score as number,
    autoFailed: a.auto_failed,
    failedCriteria: a.failed_criteria.map((id) => labels.get(id) ?? id),
    disputed: a.disputed,
  };
}
