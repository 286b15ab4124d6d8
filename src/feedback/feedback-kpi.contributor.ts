import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ExtraMeasures } from '../kpis/domain/kpi-measures';
import type { KpiMeasure } from '../kpis/domain/kpi-value';
import type { DrilldownRecordRow, DrilldownRows } from '../kpis/drilldown.repository';
import { DrilldownService, type DrilldownSourceQuery } from '../kpis/drilldown.service';
import { KpiEngineService, type KpiContributor } from '../kpis/kpi-engine.service';
import { subjectKey, type PeriodWindow, type SubjectKey } from '../kpis/kpi.repository';
import type { Period } from '../periods/domain/period';
import { buildResults, codePointCompare, meanOfAgentScores, type AgentScore, type ScoreResult } from './domain/feedback-results';
import { FeedbackRepository, type ClosedCyclePair } from './feedback.repository';
import { FeedbackService } from './feedback.service';

interface AgentCycleScore {
  cycle: ClosedCyclePair;
  score: ScoreResult;
}

/** A KPI measure from a feedback_360_score: a mean (Σ / count) with the raters as sample. */
function measureOf(s: { value: number | null; numerator: number; denominator: number; sample_size: number } | undefined): KpiMeasure {
  if (!s) return { value: null, numerator: 0, denominator: 0, sample_size: 0 };
  return { value: s.value, numerator: s.numerator, denominator: s.denominator, sample_size: s.sample_size };
}

/**
 * `feedback_360_score` (shared/spec/kpi-definitions.md) for every subject of a period, and
 * its drill-down.
 *
 * - Agent: the latest 360 cycle the agent is a subject of that closed on or before s1 (and
 *   is closed today); the mean, over the rater groups other than self whose results are
 *   shown (./domain/feedback-results.ts), of the group's mean rating. Numerator Σ group
 *   means, denominator the groups, sample size the raters behind them. No cycle, or no group
 *   shown: null (numerator and denominator 0).
 * - Team (descendants included) and organisation: the mean of the agents' scores over the
 *   agents whose *current* team is in the subtree ("evaluations count for the agent and for
 *   the agent's current team") and who have a score. Numerator Σ agent scores, denominator
 *   the agents, sample size Σ their raters. Built from the agents' already-anonymous scores
 *   — pooling raters across agents would let groups hidden for each agent pass the
 *   threshold together, so it is not done.
 *
 * The drill-down lists aggregates only: for an agent the counted rater groups (mean and
 * number of raters), for a team or the organisation the counted agents (score, groups,
 * raters) — never a response.
 */
@Injectable()
export class FeedbackKpiContributor implements KpiContributor, OnModuleInit {
  readonly name = 'feedback_360';

  constructor(
    private readonly repo: FeedbackRepository,
    private readonly feedback: FeedbackService,
    private readonly engine: KpiEngineService,
    private readonly drilldown: DrilldownService,
  ) {}

  onModuleInit(): void {
    this.engine.registerVersionTable('feedback_changes');
    this.engine.registerContributor(this);
    this.drilldown.registerSource('feedback_360_score', {
      rule: () =>
        `Agent: the latest 360 cycle closed on or before s1; records = the rater groups other than self whose results are shown ` +
        `(anonymous groups need ≥ ${this.feedback.minRaters} raters, FEEDBACK_MIN_RATERS; smaller ones fold into "others"; manager as it is), ` +
        `each with its mean rating (1–5) and number of raters; value = mean of the groups' means. Team / organisation: records = the ` +
        `agents (current team in the subtree) with a score; value = mean of their scores. Aggregates only, never a response.`,
      page: (q) => this.page(q),
    });
  }

  /** Each agent's feedback_360_score for a period ending on s1 (agents without a closed cycle are absent). */
  async agentScores(s1: string, agentIds: string[] | null = null): Promise<Map<string, AgentCycleScore>> {
    const pairs = await this.repo.latestClosedCycles(s1, this.feedback.today(), agentIds);
    const data = await this.repo.aggregates(pairs.map((p) => ({ cycleId: p.cycle_id, agentId: p.agent_id })));
    const out = new Map<string, AgentCycleScore>();
    for (const p of pairs) {
      const d = data.get(`${p.cycle_id}:${p.agent_id}`)!;
      out.set(p.agent_id, { cycle: p, score: buildResults(d, this.feedback.minRaters).feedback_360_score });
    }
    return out;
  }

  async contribute(_period: Period, window: PeriodWindow): Promise<Map<SubjectKey, ExtraMeasures>> {
    const [scores, { agents, teamAgents }] = await Promise.all([this.agentScores(window.s1), this.repo.agentsAndTeams()]);
    const asAgentScore = (id: string): AgentScore => {
      const s = scores.get(id)?.score;
      return { agentId: id, value: s?.value ?? null, sampleSize: s?.sample_size ?? 0 };
    };
    const out = new Map<SubjectKey, ExtraMeasures>();
    for (const a of agents) out.set(subjectKey('agent', a.agent_id), { feedback_360_score: measureOf(scores.get(a.agent_id)?.score) });
    for (const [team, ids] of teamAgents) out.set(subjectKey('team', team), { feedback_360_score: measureOf(meanOfAgentScores(ids.map(asAgentScore))) });
    out.set(subjectKey('org', null), { feedback_360_score: measureOf(meanOfAgentScores(agents.map((a) => asAgentScore(a.agent_id)))) });
    return out;
  }

  private async page(q: DrilldownSourceQuery): Promise<DrilldownRows> {
    let records: DrilldownRecordRow[];
    if (q.subject.type === 'agent') {
      const s = (await this.agentScores(q.window.s1, [q.subject.id!])).get(q.subject.id!);
      records = s
        ? s.score.groups.map((g) => ({
            id: g.group,
            in_numerator: null,
            fields: { cycle_id: s.cycle.cycle_id, cycle_name: s.cycle.cycle_name, closes_on: s.cycle.closes_on, group: g.group, raters: g.count, mean: g.mean },
          }))
        : [];
    } else {
      const { agents, teamAgents } = await this.repo.agentsAndTeams();
      const ids = q.subject.type === 'team' ? (teamAgents.get(q.subject.id!) ?? []) : agents.map((a) => a.agent_id);
      const teamOf = new Map(agents.map((a) => [a.agent_id, a.team_id]));
      const scores = await this.agentScores(q.window.s1, ids);
      const counted = meanOfAgentScores(ids.map((id) => ({ agentId: id, value: scores.get(id)?.score.value ?? null, sampleSize: scores.get(id)?.score.sample_size ?? 0 })));
      records = counted.agents.map((a) => {
        const s = scores.get(a.agentId)!;
        return {
          id: a.agentId,
          in_numerator: null,
          fields: {
            agent_id: a.agentId,
            team_id: teamOf.get(a.agentId) ?? null,
            cycle_id: s.cycle.cycle_id,
            cycle_name: s.cycle.cycle_name,
            closes_on: s.cycle.closes_on,
            groups: s.score.denominator,
            raters: s.score.sample_size,
            mean: s.score.value,
          },
        };
      });
    }
    records.sort((a, b) => codePointCompare(a.id, b.id));
    const after = q.after;
    const rest = after === null ? records : records.filter((r) => codePointCompare(r.id, after) > 0);
    return { total: records.length, records: rest.slice(0, q.limit), more: rest.length > q.limit };
  }
}
