import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { KpiKey } from '../kpis/domain/kpi-catalogue';
import type { Rag, ScorecardStatus } from '../scorecards/domain/scoring';
import type { FrozenScorecard, ScorecardSummary, SubjectData, TrendValues } from './domain/report-data';

export interface SnapshotRow {
  id: number;
  period: string;
  version: number;
  definitions_version: number;
  reason: string | null;
  /** ISO 8601 UTC with milliseconds */
  created_at: string;
  org_timezone: string;
  low_sample_min: number | null;
  /** created_at on the organisation's wall clock */
  local_date: string;
  local_time: string;
}

export interface AuditStateRow {
  id: number;
  status: 'final' | 'voided';
  visited_on: string;
  channel: string;
  score: number | null;
  auto_failed: boolean;
  failed_criteria: string[];
  form: string;
  form_version: number;
  /** the form version's sections, for the labels of failed criteria */
  sections: { criteria?: { id: string; label: string }[] }[] | null;
  disputed: boolean;
  /** finalised by the time of the snapshot (a voided draft never counted) */
  was_final: boolean;
}

interface SubjectRowDb {
  subject_type: SubjectData['type'];
  subject_id: string;
  name: string | null;
  team_id: string | null;
  kpis: SubjectData['kpis'];
  scorecard: FrozenScorecard | null;
}

interface SummaryRowDb {
  id: string;
  name: string | null;
  team_id: string | null;
  status: ScorecardStatus;
  composite: number | null;
  coverage: number;
  rank: number | null;
  team_size: number | null;
  perspectives: ScorecardSummary['perspectives'] | null;
  rags: (Rag | null)[] | null;
}

/** A scorecard's headline numbers straight from the frozen JSON (no need to parse every KPI). */
const SUMMARY_COLUMNS = `
  s.subject_id as id, s.name, s.team_id,
  s.scorecard->>'status' as status,
  (s.scorecard->>'composite_score')::float8 as composite,
  (s.scorecard->>'coverage')::float8 as coverage,
  (s.scorecard->>'rank')::int as rank,
  (s.scorecard->>'team_size')::int as team_size,
  s.scorecard->'perspectives' as perspectives,
  (select jsonb_agg(k->'rag' order by i) from jsonb_array_elements(s.scorecard->'kpis') with ordinality as e(k, i)) as rags`;

function subject(r: SubjectRowDb): SubjectData {
  return { type: r.subject_type, id: r.subject_id, name: r.name, teamId: r.team_id, kpis: r.kpis ?? {}, scorecard: r.scorecard };
}

function summary(r: SummaryRowDb): ScorecardSummary {
  return {
    id: r.id,
    name: r.name,
    teamId: r.team_id,
    status: r.status,
    composite: r.composite,
    coverage: r.coverage,
    rank: r.rank,
    teamSize: r.team_size,
    perspectives: r.perspectives ?? {},
    rags: r.rags ?? [],
  };
}

/**
 * Everything a PDF report reads, from one published snapshot (issue 6; snapshots are
 * immutable, so a report rendered again later reads the same rows):
 * - the snapshot and its subjects (period_snapshots, snapshot_subjects);
 * - trends: for each earlier month, the latest version published no later than the
 *   report's snapshot (a month never published by then is a gap);
 * - mystery-shopper audits of the period as they stood when the snapshot was created,
 *   rebuilt from the insert-only audit_log, and the disputes open at that instant
 *   (shared/spec/evaluations.md: "an audit under dispute still counts, marked disputed").
 */
@Injectable()
export class ReportDataRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async snapshot(id: number): Promise<SnapshotRow | null> {
    const r = await this.pool.query<SnapshotRow>(
      `select p.id, p.period, p.version, p.definitions_version, p.reason,
              to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
              z.tz as org_timezone,
              (p.settings->>'lowSampleMin')::int as low_sample_min,
              to_char(p.created_at at time zone z.tz, 'YYYY-MM-DD') as local_date,
              to_char(p.created_at at time zone z.tz, 'HH24:MI') as local_time
         from period_snapshots p
        cross join lateral (select coalesce(p.settings->>'orgTimezone', 'UTC') as tz) z
        where p.id = $1`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  /**
   * The snapshot of each of `periods` a report of snapshot `asOf` shows in its trend: the
   * latest version created no later than `asOf` was (period → snapshot id).
   */
  async trendSnapshots(asOf: number, periods: string[]): Promise<Map<string, number>> {
    const r = await this.pool.query<{ period: string; id: number }>(
      `select distinct on (p.period) p.period, p.id
         from period_snapshots p
        where p.period = any($2::text[])
          and p.created_at <= (select created_at from period_snapshots where id = $1)
        order by p.period, p.version desc`,
      [asOf, periods],
    );
    return new Map(r.rows.map((x) => [x.period, x.id]));
  }

  /** Subjects of a snapshot by type and id, with every KPI and the scorecard. */
  async subjects(snapshotId: number, keys: { type: SubjectData['type']; id: string }[]): Promise<SubjectData[]> {
    if (!keys.length) return [];
    const r = await this.pool.query<SubjectRowDb>(
      `select s.subject_type, s.subject_id, s.name, s.team_id, s.kpis, s.scorecard
         from unnest($2::text[], $3::text[]) as k(subject_type, subject_id)
         join snapshot_subjects s on s.snapshot_id = $1 and s.subject_type = k.subject_type and s.subject_id = k.subject_id`,
      [snapshotId, keys.map((k) => k.type), keys.map((k) => k.id)],
    );
    return r.rows.map(subject);
  }

  /** An agent and the team it belonged to in the snapshot, in one round trip. */
  async agentAndTeam(snapshotId: number, agentId: string): Promise<{ agent: SubjectData | null; team: SubjectData | null }> {
    const r = await this.pool.query<SubjectRowDb>(
      `select s.subject_type, s.subject_id, s.name, s.team_id, s.kpis, s.scorecard
         from snapshot_subjects s
        where s.snapshot_id = $1
          and ((s.subject_type = 'agent' and s.subject_id = $2)
            or (s.subject_type = 'team' and s.subject_id = (select a.team_id from snapshot_subjects a
                                                             where a.snapshot_id = $1 and a.subject_type = 'agent' and a.subject_id = $2)))`,
      [snapshotId, agentId],
    );
    const rows = r.rows.map(subject);
    return { agent: rows.find((x) => x.type === 'agent') ?? null, team: rows.find((x) => x.type === 'team') ?? null };
  }

  /**
   * Composite and template-KPI scores of subjects in several snapshots (the trend). Keyed
   * `${snapshotId}:${type}:${id}`; a subject without a scorecard there is absent.
   */
  async trendValues(snapshotIds: number[], keys: { type: SubjectData['type']; id: string }[]): Promise<Map<string, TrendValues>> {
    if (!snapshotIds.length || !keys.length) return new Map();
    const r = await this.pool.query<{ key: string; composite: number | null; scores: Partial<Record<KpiKey, number | null>> | null }>(
      `select s.snapshot_id || ':' || s.subject_type || ':' || s.subject_id as key,
              (s.scorecard->>'composite_score')::float8 as composite,
              (select jsonb_object_agg(k->>'key', k->'score') from jsonb_array_elements(s.scorecard->'kpis') as k) as scores
         from unnest($2::text[], $3::text[]) as x(subject_type, subject_id)
         join snapshot_subjects s on s.snapshot_id = any($1::int[]) and s.subject_type = x.subject_type and s.subject_id = x.subject_id
        where s.scorecard is not null`,
      [snapshotIds, keys.map((k) => k.type), keys.map((k) => k.id)],
    );
    return new Map(r.rows.map((x) => [x.key, { composite: x.composite, scores: x.scores ?? {} }]));
  }

  /** The team and every team below it in the snapshot's own team tree (team rows carry their parent in team_id). */
  async teamTree(snapshotId: number, teamId: string): Promise<{ id: string; parentId: string | null }[]> {
    const r = await this.pool.query<{ id: string; parent_id: string | null }>(
      `with recursive tree as (
         select s.subject_id as id, s.team_id as parent_id, 0 as depth
           from snapshot_subjects s where s.snapshot_id = $1 and s.subject_type = 'team' and s.subject_id = $2
         union all
         select s.subject_id, s.team_id, t.depth + 1
           from snapshot_subjects s join tree t on s.team_id = t.id
          where s.snapshot_id = $1 and s.subject_type = 'team' and t.depth < 100
       )
       select id, parent_id from tree order by depth, id collate "C"`,
      [snapshotId, teamId],
    );
    return r.rows.map((x) => ({ id: x.id, parentId: x.parent_id }));
  }

  /** Scorecard summaries of the agents (with a scorecard) whose team is one of `teamIds`. */
  async agentSummaries(snapshotId: number, teamIds: string[]): Promise<ScorecardSummary[]> {
    const r = await this.pool.query<SummaryRowDb>(
      `select ${SUMMARY_COLUMNS}
         from snapshot_subjects s
        where s.snapshot_id = $1 and s.subject_type = 'agent' and s.team_id = any($2::text[]) and s.scorecard is not null
        order by s.subject_id collate "C"`,
      [snapshotId, teamIds],
    );
    return r.rows.map(summary);
  }

  /** Scorecard summaries of the direct child teams of a team. */
  async childTeamSummaries(snapshotId: number, teamId: string): Promise<ScorecardSummary[]> {
    const r = await this.pool.query<SummaryRowDb>(
      `select ${SUMMARY_COLUMNS}
         from snapshot_subjects s
        where s.snapshot_id = $1 and s.subject_type = 'team' and s.team_id = $2 and s.scorecard is not null
        order by s.name collate "C", s.subject_id collate "C"`,
      [snapshotId, teamId],
    );
    return r.rows.map(summary);
  }

  /**
   * The agent's audits visited in the snapshot's period (in ORG_TIMEZONE), each as it stood
   * at the snapshot's created_at: its latest audit_log state written by then (final or
   * voided; drafts never count), and whether a dispute of it was open at that instant.
   */
  async auditsAsOf(snapshotId: number, agentId: string): Promise<AuditStateRow[]> {
    const r = await this.pool.query<AuditStateRow>(
      `with snap as (
         select p.created_at as at, z.tz,
                ((p.period || '-01')::date::timestamp at time zone z.tz) as p0,
                (((p.period || '-01')::date + interval '1 month')::timestamp at time zone z.tz) as p1
           from period_snapshots p
          cross join lateral (select coalesce(p.settings->>'orgTimezone', 'UTC') as tz) z
          where p.id = $1
       ),
       state as (
         select distinct on (l.audit_id) l.audit_id, l.after
           from audit_log l
           join audits a on a.id = l.audit_id
          cross join snap
          where a.agent_id = $2 and l.entity_type = 'audit' and l.at <= snap.at and l.after is not null
          order by l.audit_id, l.id desc
       )
       select st.audit_id as id,
              st.after->>'status' as status,
              to_char((st.after->>'visited_at')::timestamptz at time zone snap.tz, 'YYYY-MM-DD') as visited_on,
              st.after->>'channel' as channel,
              (st.after->>'score')::float8 as score,
              coalesce((st.after->>'auto_failed')::boolean, false) as auto_failed,
              coalesce(st.after->'failed_criteria', '[]'::jsonb) as failed_criteria,
              v.name as form, v.version as form_version,
              v.definition->'sections' as sections,
              exists (select 1 from audit_disputes d
                       where d.audit_id = st.audit_id and d.created_at <= snap.at
                         and (d.resolved_at is null or d.resolved_at > snap.at)) as disputed,
              exists (select 1 from audit_log f
                       where f.audit_id = st.audit_id and f.entity_type = 'audit' and f.action = 'finalize' and f.at <= snap.at) as was_final
         from state st
        cross join snap
         join audit_form_versions v on v.id = (st.after->>'form_version_id')::int
        where st.after->>'agent_id' = $2
          and st.after->>'status' in ('final', 'voided')
          and (st.after->>'visited_at')::timestamptz >= snap.p0
          and (st.after->>'visited_at')::timestamptz < snap.p1
        order by (st.after->>'visited_at')::timestamptz, st.audit_id`,
      [snapshotId, agentId],
    );
    return r.rows;
  }
}
