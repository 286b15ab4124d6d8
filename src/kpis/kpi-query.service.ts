import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemException } from '../common/problem-details';
import { previousPeriod, yearAgoPeriod, type Period } from '../periods/domain/period';
import { SnapshotsRepository, type LatestVersion, type SnapshotHeader } from '../periods/snapshots.repository';
import { DEFINITIONS_VERSION, KPI_KEYS, type KpiKey } from './domain/kpi-catalogue';
import { trendValue, withTrend, type KpiValue } from './domain/kpi-value';
import { KpiEngineService, type PeriodResult, type Subject } from './kpi-engine.service';
import { subjectKey, type SubjectKey, type SubjectType } from './kpi.repository';

export type KpiMap = Record<KpiKey, KpiValue>;

export interface SubjectKpis {
  subject: { type: SubjectType; id: string | null; name: string | null };
  period: Period;
  status: 'live' | 'published';
  version: number | null;
  definitions_version: number;
  kpis: KpiMap;
}

export interface LivePeriod {
  period: Period;
  dataVersion: number;
  subjects: Map<SubjectKey, { subject: Subject; kpis: KpiMap }>;
}

type Values = Map<string, Record<string, number | null>>;

/** Bytes of serialized published subjects kept in memory (≈ 4 × one 2,000-agent snapshot). */
const PUBLISHED_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * A least-recently-used map of strings bounded by their total length. Used only for values
 * that can never change under their key.
 */
export class StringLru {
  private readonly map = new Map<string, string>();
  private size = 0;

  constructor(private readonly maxChars: number) {}

  get(key: string): string | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: string): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.size -= old.length;
      this.map.delete(key);
    }
    if (value.length > this.maxChars) return;
    this.map.set(key, value);
    this.size += value.length;
    while (this.size > this.maxChars) {
      const [k, v] = this.map.entries().next().value as [string, string];
      this.map.delete(k);
      this.size -= v.length;
    }
  }

  get entries(): number {
    return this.map.size;
  }
}

/**
 * KPI values as users read them: a published period from its latest snapshot (frozen,
 * versioned), any other period live, with trends against the previous period and the same
 * month a year earlier (each taken from its own snapshot when published, else live).
 */
@Injectable()
export class KpiQueryService {
  private readonly liveCache = new Map<string, Promise<LivePeriod>>();
  /**
   * Serialized SubjectKpis of published subjects by (snapshot id, type, id). Snapshot rows are
   * insert-only (a trigger refuses updates and deletes), so an entry is never stale; which
   * snapshot is the latest is read on every request.
   */
  private readonly published = new StringLru(PUBLISHED_CACHE_BYTES / 2);

  constructor(
    private readonly engine: KpiEngineService,
    private readonly snapshots: SnapshotsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The KPIs of one subject for a period (published snapshot or live). */
  async forSubject(period: Period, type: SubjectType, id: string | null, version?: number): Promise<SubjectKpis> {
    if (version === undefined) {
      // hot path: the latest published version and the subject's values in one round trip
      const hit = await this.snapshots.latestSubjectKpis(period, type, id);
      if (hit) {
        if (!hit.kpis) throw notInSnapshot(period, type, id, { version: hit.version } as SnapshotHeader);
        return {
          subject: { type, id, name: hit.name },
          period,
          status: 'published',
          version: hit.version,
          definitions_version: hit.definitions_version,
          kpis: hit.kpis as KpiMap,
        };
      }
    }
    const snap = await this.snapshotFor(period, version);
    if (snap) {
      const row = await this.snapshots.subject(snap.id, type, id);
      if (!row) throw notInSnapshot(period, type, id, snap);
      return {
        subject: { type, id, name: row.name },
        period,
        status: 'published',
        version: snap.version,
        definitions_version: snap.definitions_version,
        kpis: row.kpis as KpiMap,
      };
    }
    const live = await this.live(period);
    const hit = live.subjects.get(subjectKey(type, id));
    if (!hit) throw new ProblemException(404, 'Not Found', `${type} ${JSON.stringify(id)} does not exist`);
    return { subject: { type, id, name: hit.subject.name }, period, status: 'live', version: null, definitions_version: DEFINITIONS_VERSION, kpis: hit.kpis };
  }

  /**
   * The hot read path's latest published version of a period (null while live), as read at
   * most a second ago and never before this process's last import or publication
   * (hot-read-cache.ts).
   */
  latestRecent(period: Period): Promise<LatestVersion | null> {
    return this.snapshots.latestRecent(period);
  }

  /**
   * forSubject's answer for a published version, serialized (the same JSON, byte for byte):
   * kept in memory by snapshot id, so a repeated read costs no query and no serialization.
   * 404 when the subject is not part of the snapshot.
   */
  async publishedJson(period: Period, type: SubjectType, id: string | null, latest: LatestVersion): Promise<string> {
    const key = `${latest.snapshot_id}\u0000${type}\u0000${id ?? ''}`;
    const hit = this.published.get(key);
    if (hit !== undefined) return hit;
    const row = await this.snapshots.subjectKpis(latest.snapshot_id, type, id);
    if (!row) throw notInSnapshot(period, type, id, { version: latest.version } as SnapshotHeader);
    const body: SubjectKpis = {
      subject: { type, id, name: row.name },
      period,
      status: 'published',
      version: latest.version,
      definitions_version: latest.definitions_version,
      kpis: row.kpis as KpiMap,
    };
    const json = JSON.stringify(body);
    this.published.set(key, json);
    return json;
  }

  /** The snapshot to read: the given version (404 when missing) or the latest, null when live. */
  async snapshotFor(period: Period, version?: number): Promise<SnapshotHeader | null> {
    if (version === undefined) return this.snapshots.latest(period);
    const snap = await this.snapshots.byVersion(period, version);
    if (!snap) throw new ProblemException(404, 'Not Found', `period ${period} has no published version ${version}`);
    return snap;
  }

  /** The KPIs of the agents whose current team is one of `teamIds` (the team lead's review table). */
  async forAgentsOfTeams(period: Period, teamIds: readonly string[], version?: number): Promise<{ status: 'live' | 'published'; version: number | null; agents: { agent_id: string; name: string | null; team_id: string | null; kpis: KpiMap }[] }> {
    const teams = new Set(teamIds);
    const snap = await this.snapshotFor(period, version);
    if (snap) {
      const rows = await this.snapshots.agentsOfTeams(snap.id, [...teams]);
      return { status: 'published', version: snap.version, agents: rows.map((r) => ({ agent_id: r.subject_id, name: r.name, team_id: r.team_id, kpis: r.kpis as KpiMap })) };
    }
    const live = await this.live(period);
    const agents = [...live.subjects.values()]
      .filter(({ subject }) => subject.type === 'agent' && subject.teamId !== null && teams.has(subject.teamId))
      .map(({ subject, kpis }) => ({ agent_id: subject.id!, name: subject.name, team_id: subject.teamId, kpis }))
      .sort((a, b) => (a.agent_id < b.agent_id ? -1 : a.agent_id > b.agent_id ? 1 : 0));
    return { status: 'live', version: null, agents };
  }

  /** Every subject's KPIs of a live (unpublished) period, with trends. */
  async live(period: Period): Promise<LivePeriod> {
    const [dataVersion, prevSnap, yearSnap] = await Promise.all([
      this.engine.dataVersion(),
      this.snapshots.latest(previousPeriod(period)),
      this.snapshots.latest(yearAgoPeriod(period)),
    ]);
    const key = `${period}@${dataVersion}@${prevSnap?.id ?? 0}@${yearSnap?.id ?? 0}`;
    let hit = this.liveCache.get(key);
    if (!hit) {
      hit = this.buildLive(period, prevSnap, yearSnap);
      this.liveCache.set(key, hit);
      hit.catch(() => this.liveCache.delete(key));
      while (this.liveCache.size > 6) this.liveCache.delete(this.liveCache.keys().next().value as string);
    }
    return hit;
  }

  private async buildLive(period: Period, prevSnap: SnapshotHeader | null, yearSnap: SnapshotHeader | null): Promise<LivePeriod> {
    // the period and its unpublished trend periods are computed together (one pass over the orders)
    const livePeriods = [period, ...(prevSnap ? [] : [previousPeriod(period)]), ...(yearSnap ? [] : [yearAgoPeriod(period)])];
    const computed = this.engine.computeMany(livePeriods);
    computed.catch(() => undefined);
    const [current, previous, yearAgo] = await Promise.all([
      computed.then((r) => r[0]),
      this.valuesOf(previousPeriod(period), prevSnap, () => computed.then((r) => r[livePeriods.indexOf(previousPeriod(period))])),
      this.valuesOf(yearAgoPeriod(period), yearSnap, () => computed.then((r) => r[livePeriods.indexOf(yearAgoPeriod(period))])),
    ]);
    const min = this.config.lowSampleMin;
    const subjects: LivePeriod['subjects'] = new Map();
    for (const [key, { subject, measures }] of current.subjects) {
      const prev = previous.get(key);
      const ya = yearAgo.get(key);
      const kpis = {} as KpiMap;
      for (const k of KPI_KEYS) kpis[k] = withTrend(measures[k], prev?.[k] ?? null, ya?.[k] ?? null, min);
      subjects.set(key, { subject, kpis });
    }
    return { period, dataVersion: current.dataVersion, subjects };
  }

  /** The plain values of a period (its snapshot's when published, else live), for trends. */
  private async valuesOf(period: Period, snap: SnapshotHeader | null, live: () => Promise<PeriodResult>): Promise<Values> {
    if (snap) return this.snapshots.values(snap.id);
    const r = await live();
    const out: Values = new Map();
    for (const [key, { measures }] of r.subjects) {
      const vals: Record<string, number | null> = {};
      for (const k of KPI_KEYS) vals[k] = trendValue(measures[k]);
      out.set(key, vals);
    }
    return out;
  }
}

function notInSnapshot(period: string, type: string, id: string | null, snap: SnapshotHeader): ProblemException {
  return new ProblemException(
    404,
    'Not Found',
    `${type} ${JSON.stringify(id)} is not part of published period ${period} (version ${snap.version}); it may have been imported after publication`,
  );
}
