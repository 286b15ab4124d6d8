import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { localDate } from '../common/clock';
import { ProblemException } from '../common/problem-details';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PG_POOL } from '../database/database.module';
import { PERIOD_INSTANTS_SQL } from '../kpis/kpi.repository';
import { firstDay, nextPeriod, periodOfDate, type Period } from '../periods/domain/period';
import { PeriodsService } from '../periods/periods.service';
import { SnapshotsRepository } from '../periods/snapshots.repository';
import type { RepublishedDto } from './audit.dto';

/**
 * Audits and periods: the period (calendar month in ORG_TIMEZONE) a visit belongs to, and
 * re-publishing a published period when a change to an audit moves its numbers
 * (kpi-definitions.md versioning: a re-publish with a reason makes snapshot version n+1).
 */
@Injectable()
export class AuditPeriodsService {
  constructor(
    private readonly periods: PeriodsService,
    private readonly snapshots: SnapshotsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  /** The period of an instant: the calendar month of its local date in ORG_TIMEZONE. */
  periodOf(instant: Date): Period {
    return periodOfDate(localDate(instant, this.config.orgTimezone));
  }

  /** The local date of an instant in ORG_TIMEZONE. */
  localDateOf(instant: Date): string {
    return localDate(instant, this.config.orgTimezone);
  }

  /** p0 and p1 of a period (as PostgreSQL prints timestamptz), for filters on visited_at. */
  async instants(period: Period): Promise<{ p0: string; p1: string }> {
    const r = await this.pool.query<{ p0: string; p1: string }>(PERIOD_INSTANTS_SQL, [firstDay(period), firstDay(nextPeriod(period)), this.config.orgTimezone]);
    return r.rows[0];
  }

  /**
   * When the visit's period is published, publishes it again (version n+1) with `reason`;
   * null when the period is not published. A publish racing this one is retried once.
   */
  async republishIfPublished(visitedAt: Date, reason: string, by: string | null): Promise<RepublishedDto | null> {
    const period = this.periodOf(visitedAt);
    for (let attempt = 0; ; attempt += 1) {
      if (!(await this.snapshots.latest(period))) return null;
      try {
        const header = await this.periods.publish(period, { reason, by });
        return { period, version: header.version, reason };
      } catch (err) {
        if (attempt === 0 && err instanceof ProblemException && err.status === 409) continue;
        throw err;
      }
    }
  }
}
