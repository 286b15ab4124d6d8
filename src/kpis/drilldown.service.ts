import { Injectable } from '@nestjs/common';
import { ProblemException, notFound } from '../common/problem-details';
import type { Period } from '../periods/domain/period';
import { SnapshotsRepository } from '../periods/snapshots.repository';
import { KPI_KEYS, isKpiKey, type KpiKey } from './domain/kpi-catalogue';
import type { DrilldownPageDto } from './drilldown.dto';
import { DrilldownRepository, isDrilldownKey, type DrilldownKey, type DrilldownRows, type PeriodInstants } from './drilldown.repository';
import { KpiEngineService, periodWindow } from './kpi-engine.service';
import type { KpiSettings, PeriodWindow, SubjectType } from './kpi.repository';

export const DRILLDOWN_DEFAULT_LIMIT = 100;
export const DRILLDOWN_MAX_LIMIT = 1000;

const LIVE = 'Records are the current data (for a published period the snapshot holds the numbers).';

/** The rule of each key in one line: which records, and which count in the numerator. */
const RULES: Record<DrilldownKey, (s: KpiSettings) => string> = {
  customer_retention_rate: () =>
    'S = customers active on s0 and owned by the subject on s0 (organisation: every customer); in_numerator = still active on s1 (kept); value = 100 × kept / |S|.',
  churn_rate: () =>
    'S = customers active on s0 and owned by the subject on s0 (organisation: every customer); in_numerator = not active on s1 (lost); value = 100 × lost / |S|.',
  repeat_purchase_rate: () =>
    'B = customers owned by the subject on s1 with a completed order dated in P (activity not required); in_numerator = a completed order dated before p0, of any age; value = 100 × repeat / |B|.',
  revenue: () => 'Completed orders dated (local date) in P of the customers owned by the subject on s1; value = Σ amount.',
  gross_margin: (s) =>
    `Completed orders dated (local date) in P of the customers owned by the subject on s1; value = Σ effective_gross_margin (gross_margin, else amount × ${s.defaultMarginRate}, exact).`,
  active_customers: (s) =>
    `Customers active on s1 (inactivity: ${s.inactivityDays === 0 ? 'disabled' : `${s.inactivityDays} days`}) and owned by the subject on s1; value = count.`,
  clv_historic_avg: () =>
    'Customers active on s1 and owned by the subject on s1; value = mean gross_margin_before_p1 (gross margin of completed orders dated before p1, 0 without orders).',
  churn_controllable_share: () =>
    'Customers of S lost in P whose inferred reason is known (complaint_controllable of their last complaint ticket opened before p1); in_numerator = controllable; value = 100 × controllable / listed.',
  tickets_resolved: () => 'Res = the subject’s tickets with resolved_at in P (team: the ticket’s team_id, else its agent’s current team); value = count.',
  first_contact_resolution: () => 'Res = the subject’s tickets with resolved_at in P; in_numerator = contact_count = 1 and not reopened.',
  avg_handle_seconds: () => 'Tickets of Res with a handle_seconds; value = mean handle_seconds.',
  resolution_sla_rate: (s) => `Res = the subject’s tickets with resolved_at in P; in_numerator = resolved_at − opened_at ≤ ${s.slaResolutionHours} h (inclusive).`,
  complaint_rate: () => 'Op = the subject’s tickets with opened_at in P (team: the ticket’s team_id, else its agent’s current team); in_numerator = is_complaint.',
  first_response_sla_rate: (s) =>
    `Op = the subject’s tickets with opened_at in P; in_numerator = first response within ${s.slaFirstResponseMinutes} min of opened_at (inclusive; never answered misses).`,
  first_response_minutes_p50: () => 'Tickets of Op with a first response; value = percentile_cont(0.5) of first_response_minutes.',
  first_response_minutes_p90: () => 'Tickets of Op with a first response; value = percentile_cont(0.9) of first_response_minutes.',
  complaints_by_category: () => 'Complaint tickets of Op (is_complaint); value = counts per complaint_category and per complaint_controllable (true / false / unknown).',
  csat: () => 'Surveys of the subject responded in P with a csat (team: the linked ticket’s team, else the rated agent’s); in_numerator = csat ≥ 4.',
  nps: () =>
    'Surveys of the subject responded in P with an nps; in_numerator = true for a promoter (9–10), false for a detractor (0–6), null for a passive; value = 100 × (promoters − detractors) / listed.',
  ces_avg: () => 'Surveys of the subject responded in P with a ces; value = mean ces (lower is better).',
  survey_responses: () => 'Surveys of the subject responded in P (team: the linked ticket’s team, else the rated agent’s); value = count.',
  training_hours: () => 'Training completed (local date) in P by the subject’s agents (team: the agent’s current team); value = Σ hours.',
};

/** Why a key without a record set has no records (yet). */
const LATER: Record<Exclude<KpiKey, DrilldownKey>, string> = {
  clv_predicted_avg: 'the predictive customer-value models',
  at_risk_customers: 'the predictive customer-value models',
  mystery_shopper_score: 'mystery-shopper audits (evaluations)',
  feedback_360_score: '360 feedback (evaluations)',
  win_back_rate: 'churn early warning and win-back tasks',
};

/** What a drill-down source gets to produce one page (for capabilities that add their own KPIs). */
export interface DrilldownSourceQuery {
  subject: { type: SubjectType; id: string | null };
  period: Period;
  window: PeriodWindow;
  instants: PeriodInstants;
  settings: KpiSettings;
  after: string | null;
  limit: number;
}

/** A later capability's drill-down for one of its KPIs (same paging contract: by id collate "C"). */
export interface DrilldownSource {
  rule(settings: KpiSettings): string;
  page(q: DrilldownSourceQuery): Promise<DrilldownRows>;
}

export interface DrilldownRequest {
  subject: { type: SubjectType; id: string | null };
  key: string;
  period: Period;
  limit?: number;
  cursor?: string;
}

/**
 * The records behind a KPI value (shared/spec/api.md, drill-down). Always the live data:
 * for a published period the numbers come from its snapshot, the records from the current
 * data, and the response says so.
 */
@Injectable()
export class DrilldownService {
  private readonly sources = new Map<KpiKey, DrilldownSource>();

  constructor(
    private readonly repo: DrilldownRepository,
    private readonly engine: KpiEngineService,
    private readonly snapshots: SnapshotsRepository,
  ) {}

  /** Lets a later capability serve the records of one of its KPIs. */
  registerSource(key: KpiKey, source: DrilldownSource): void {
    this.sources.set(key, source);
  }

  async records(req: DrilldownRequest): Promise<DrilldownPageDto> {
    if (!isKpiKey(req.key)) {
      throw new ProblemException(404, 'Not Found', `unknown KPI key ${JSON.stringify(req.key)}; valid keys: ${KPI_KEYS.join(', ')}`, {
        valid_keys: [...KPI_KEYS],
      });
    }
    const key: KpiKey = req.key;
    const after = req.cursor === undefined ? null : decodeCursor(req.cursor);
    const limit = req.limit ?? DRILLDOWN_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > DRILLDOWN_MAX_LIMIT) {
      throw new ProblemException(422, 'Unprocessable Content', `limit must be an integer from 1 to ${DRILLDOWN_MAX_LIMIT}`, {
        errors: [{ field: 'limit', value: req.limit, reason: `an integer from 1 to ${DRILLDOWN_MAX_LIMIT}` }],
      });
    }
    let window: PeriodWindow;
    try {
      window = periodWindow(req.period);
    } catch (e) {
      throw new ProblemException(422, 'Unprocessable Content', (e as Error).message, { errors: [{ field: 'period', value: req.period, reason: (e as Error).message }] });
    }
    const { type, id } = req.subject;
    const name = await this.repo.subjectName(type, id);
    if (name === undefined) throw notFound(type, id ?? '');
    const settings = this.engine.settings();
    const [instants, snapshot] = await Promise.all([this.repo.instants(window, settings.orgTimezone), this.snapshots.latest(req.period)]);

    const notes: string[] = [];
    let rule: string;
    let rows: DrilldownRows;
    const source = this.sources.get(key);
    if (source) {
      rule = source.rule(settings);
      rows = await source.page({ subject: req.subject, period: req.period, window, instants, settings, after, limit });
      if (rows.note) notes.push(rows.note);
    } else if (isDrilldownKey(key)) {
      rule = RULES[key](settings);
      rows = await this.repo.page({ key, subject: req.subject, window, settings, after, limit }, instants);
    } else {
      rule = `No records yet: ${key} is computed from ${LATER[key]}.`;
      rows = { total: 0, records: [], more: false };
      notes.push(`${key} has no records here yet: its data arrives with a later capability (${LATER[key]}).`);
    }
    if (snapshot) {
      notes.push(
        `Period ${req.period} is published (version ${snapshot.version}): its figures come from that snapshot; ` +
          'these records are the current data and differ from it if data changed after publication.',
      );
    }
    const last = rows.records.at(-1);
    return {
      subject: { type, id, name },
      period: req.period,
      key,
      rule: `${rule} ${LIVE}`,
      window: { p0: instants.p0Iso, p1: instants.p1Iso, s0: window.s0, s1: window.s1 },
      total: rows.total,
      records: rows.records,
      next_cursor: rows.more && last ? encodeCursor(last.id) : null,
      published_version: snapshot?.version ?? null,
      note: notes.length ? notes.join(' ') : null,
    };
  }
}

/** The opaque cursor: base64url of the last record id of the page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The id in a cursor; 422 for anything this endpoint did not produce. */
export function decodeCursor(cursor: string): string {
  const bad = () =>
    new ProblemException(422, 'Unprocessable Content', 'cursor is not a cursor returned by this endpoint', {
      errors: [{ field: 'cursor', value: cursor, reason: 'not a cursor returned by this endpoint (pass next_cursor unchanged)' }],
    });
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw bad();
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // canonical encodings of well-formed UTF-8 only; ids are 1–64 characters without NUL
  if (id.length === 0 || [...id].length > 64 || id.includes('\u0000') || encodeCursor(id) !== cursor) throw bad();
  return id;
}
