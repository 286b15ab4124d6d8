import { Injectable } from '@nestjs/common';
import { ProblemException } from '../common/problem-details';
import { KPI_CATALOGUE, type KpiKey, type Perspective } from '../kpis/domain/kpi-catalogue';
import { KpiQueryService, type LivePeriod } from '../kpis/kpi-query.service';
import { subjectKey, type SubjectKey, type SubjectType } from '../kpis/kpi.repository';
import { firstDay, lastDay, type Period } from '../periods/domain/period';
import { SnapshotsRepository } from '../periods/snapshots.repository';
import { rankWithinTeams, scoreScorecard, type Rag, type ScorecardStatus } from './domain/scoring';
import { TemplatesService, type TemplateVersionView } from './templates.service';

export interface ScorecardKpiView {
  key: KpiKey;
  label: string;
  perspective: Perspective;
  weight: number;
  value: number | null;
  floor: number;
  target: number;
  score: number | null;
  rag: Rag | null;
  low_sample: boolean;
}

export interface ScorecardView {
  subject: { type: SubjectType; id: string | null; name: string | null };
  period: Period;
  period_status: 'live' | 'published';
  /** snapshot version; null while the period is live */
  version: number | null;
  template: { template_id: number; version_id: number; name: string; version: number };
  status: ScorecardStatus;
  composite_score: number | null;
  coverage: number;
  rank: number | null;
  team_size: number | null;
  perspectives: Partial<Record<Perspective, number | null>>;
  kpis: ScorecardKpiView[];
  /** team scorecards: the direct members with a scorecard */
  agents?: { agent_id: string; name: string | null; composite_score: number | null; rank: number | null; status: ScorecardStatus }[];
}

/** Whether an agent gets a scorecard for P: hired_on ≤ s1 and (left_on is null or left_on ≥ P's first day). */
export function hasScorecard(period: Period, hiredOn: string | null, leftOn: string | null): boolean {
  return hiredOn !== null && hiredOn <= lastDay(period) && (leftOn === null || leftOn >= firstDay(period));
}

/**
 * Balanced scorecards (kpi-definitions.md, "Balanced scorecard"): scores every agent and
 * team of a period with a template version, ranks agents within their current team.
 */
@Injectable()
export class ScorecardsService {
  constructor(
    private readonly kpis: KpiQueryService,
    private readonly templates: TemplatesService,
    private readonly snapshots: SnapshotsRepository,
  ) {}


  /** The scorecard of an agent or team: frozen when the period is published, else live. */
  async forSubject(period: Period, type: 'agent' | 'team', id: string, version?: number): Promise<ScorecardView> {
    const snap = await this.kpis.snapshotFor(period, version);
    if (snap) {
      const row = await this.snapshots.subject(snap.id, type, id);
      if (!row?.scorecard) throw noScorecard(period, type, id);
      return row.scorecard as unknown as ScorecardView;
    }
    const live = await this.kpis.live(period);
    const all = this.build(live, await this.templates.current(), { status: 'live', version: null });
    const hit = all.get(subjectKey(type, id));
    if (!hit) {
      if (!live.subjects.has(subjectKey(type, id))) throw new ProblemException(404, 'Not Found', `${type} ${JSON.stringify(id)} does not exist`);
      throw noScorecard(period, type, id);
    }
    return hit;
  }

  /** Scorecards of every agent (with one) and every team of a period. */
  build(live: LivePeriod, template: TemplateVersionView, at: { status: 'live' | 'published'; version: number | null }): Map<SubjectKey, ScorecardView> {
    const def = { name: template.name, kpis: template.kpis };
    const tpl = { template_id: template.template_id, version_id: template.version_id, name: template.name, version: template.version };
    const out = new Map<SubjectKey, ScorecardView>();
    const agentsByTeam = new Map<string, ScorecardView[]>();
    for (const [key, { subject, kpis }] of live.subjects) {
      if (subject.type === 'org') continue;
      if (subject.type === 'agent' && !hasScorecard(live.period, subject.hiredOn, subject.leftOn)) continue;
      const values: Partial<Record<KpiKey, number | null>> = {};
      for (const k of template.kpis) {
        const v = kpis[k.key].value;
        values[k.key] = typeof v === 'number' ? v : null;
      }
      const score = scoreScorecard(def, values);
      const view: ScorecardView = {
        subject: { type: subject.type, id: subject.id, name: subject.name },
        period: live.period,
        period_status: at.status,
        version: at.version,
        template: tpl,
        status: score.status,
        composite_score: score.composite_score,
        coverage: score.coverage,
        rank: null,
        team_size: null,
        perspectives: score.perspectives,
        kpis: score.kpis.map((k) => ({
          key: k.key,
          label: KPI_CATALOGUE[k.key].label,
          perspective: k.perspective,
          weight: k.weight,
          value: k.value,
          floor: k.floor,
          target: k.target,
          score: k.score,
          rag: k.rag,
          low_sample: kpis[k.key].low_sample,
        })),
      };
      out.set(key, view);
      if (subject.type === 'agent' && subject.teamId) {
        const list = agentsByTeam.get(subject.teamId) ?? [];
        list.push(view);
        agentsByTeam.set(subject.teamId, list);
      }
    }
    // rank among the direct members of the agent's current team (ties share a rank: 1, 2, 2, 4)
    const ranks = rankWithinTeams(
      [...agentsByTeam.entries()].flatMap(([teamId, views]) =>
        views.map((v) => ({ subjectId: v.subject.id!, teamId, composite: v.composite_score, status: v.status })),
      ),
    );
    for (const [teamId, views] of agentsByTeam) {
      for (const v of views) {
        const r = ranks.get(v.subject.id!)!;
        v.rank = r.rank;
        v.team_size = r.team_size;
      }
      const team = out.get(subjectKey('team', teamId));
      if (team) {
        team.agents = views
          .map((v) => ({ agent_id: v.subject.id!, name: v.subject.name, composite_score: v.composite_score, rank: v.rank, status: v.status }))
          .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.agent_id.localeCompare(b.agent_id));
      }
    }
    for (const v of out.values()) if (v.subject.type === 'team' && !v.agents) v.agents = [];
    return out;
  }
}

function noScorecard(period: string, type: string, id: string): ProblemException {
  return new ProblemException(
    404,
    'Not Found',
    type === 'agent'
      ? `agent ${JSON.stringify(id)} has no scorecard for ${period} (not employed in that period: hired_on after it or left_on before it)`
      : `team ${JSON.stringify(id)} has no scorecard for ${period}`,
  );
}
