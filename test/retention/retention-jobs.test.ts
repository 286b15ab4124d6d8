/**
 * The retention schedule through the job queue (issue 7, "Weekly job"): the weekly cron
 * enqueues the refresh as of yesterday once per day (an `exclusive` queue keyed by the day,
 * whichever instance fires), the job opens the tasks and mails each agent a digest; a late
 * duplicate opens nothing and mails nothing; the daily pass settles tasks whose window ended.
 * Hand-made organisation of support/retention-fixture.ts (list day 2026-10-31).
 */
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Pool } from 'pg';
import type { Clock } from '../../src/common/clock';
import { PG_POOL } from '../../src/database/database.module';
import { JobQueueService } from '../../src/jobs/job-queue.service';
import { DAILY_CONFIRM_JOB, RetentionJobs, WEEKLY_RISK_JOB } from '../../src/retention/retention.jobs';
import { RETENTION_CLOCK } from '../../src/retention/retention.service';
import { waitFor } from '../runs/run-support';
import { startSmtp, type TestSmtp } from '../delivery/delivery-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { D, retentionFixture } from './support/retention-fixture';

jest.setTimeout(120_000);

describe('retention jobs', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let pool: Pool;
  let jobs: RetentionJobs;
  const setNow = (iso: string) => {
    t.app.get<Clock>(RETENTION_CLOCK).now = () => new Date(iso);
  };
  const tasks = async () => (await pool.query<{ n: number }>('select count(*)::int as n from win_back_tasks')).rows[0]!.n;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, ORG_TIMEZONE: 'Asia/Shanghai' });
    await retentionFixture().importInto(t.app);
    pool = t.app.get<Pool>(PG_POOL);
    jobs = t.app.get(RetentionJobs);
    await t.login('agent', { agentId: 'A1', email: 'a1.jobs@example.com' });
    await t.login('agent', { agentId: 'A2', email: 'a2.jobs@example.com' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('schedules the weekly refresh and the daily confirmation in ORG_TIMEZONE', () => {
    jobs.schedule();
    const registry = t.app.get(SchedulerRegistry);
    const weekly = registry.getCronJob(WEEKLY_RISK_JOB).nextDate().setZone('Asia/Shanghai');
    expect([weekly.weekday, weekly.hour, weekly.minute]).toEqual([1, 5, 0]); // default "0 5 * * 1": Mondays 05:00
    const daily = registry.getCronJob(DAILY_CONFIRM_JOB).nextDate().setZone('Asia/Shanghai');
    expect([daily.hour, daily.minute]).toEqual([5, 30]);
  });

  it('enqueues one weekly job per day whichever instance fires; it opens the tasks and sends the digests once', async () => {
    // 2026-11-01 01:00 in Shanghai (still 2026-10-31 in UTC): the list is as of 2026-10-31
    setNow('2026-10-31T17:00:00Z');
    const first = await jobs.fireWeekly();
    const second = await jobs.fireWeekly(); // another instance's cron at the same time
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    const queued = await pool.query<{ data: { asOf: string } }>(`select data from pgboss.job where name = 'yardstick-risk-weekly'`);
    expect(queued.rows.map((r) => r.data.asOf)).toEqual([D]);

    await t.app.get(JobQueueService).startWorkers();
    const opened = await waitFor('the weekly job to open tasks', async () => ((await tasks()) > 0 ? tasks() : undefined), 60_000, 200);
    await waitFor('the digests', async () => (smtp.received.length > 0 ? true : undefined), 30_000, 100);
    const opening = await pool.query<{ opened_on: string; n: number }>('select opened_on, count(*)::int as n from win_back_tasks group by 1');
    expect(opening.rows).toEqual([{ opened_on: '2026-11-01', n: opened }]);
    const digestsBefore = smtp.received.length;
    expect(smtp.received.every((m) => /new win-back task/.test(m.mail.subject ?? ''))).toBe(true);

    // a late duplicate after the first finished: nothing new, no second digest
    await waitFor('the first job to complete', async () => {
      const r = await pool.query(`select 1 from pgboss.job where name = 'yardstick-risk-weekly' and state = 'completed'`);
      return r.rowCount ? true : undefined;
    }, 30_000, 100);
    expect(await jobs.fireWeekly()).not.toBeNull();
    await waitFor('the duplicate to complete', async () => {
      const r = await pool.query(`select count(*)::int as n from pgboss.job where name = 'yardstick-risk-weekly' and state = 'completed'`);
      return r.rows[0].n === 2 ? true : undefined;
    }, 30_000, 100);
    expect(await tasks()).toBe(opened);
    expect(smtp.received).toHaveLength(digestsBefore);
  });

  it('the daily pass settles the tasks whose window ended, once', async () => {
    // every task opened on 2026-11-01 (local): window (2026-11-01, 2027-01-30]; 2027-02-01 settles them
    setNow('2027-02-01T01:00:00Z');
    expect(await jobs.fireDaily()).not.toBeNull();
    await waitFor('the settlement', async () => {
      const r = await pool.query<{ n: number }>(`select count(*)::int as n from win_back_tasks where confirmation = 'pending'`);
      return r.rows[0]!.n === 0 ? true : undefined;
    }, 30_000, 200);
    const r = await pool.query<{ s: string }>(`select distinct confirmation as s from win_back_tasks`);
    expect(r.rows.map((x) => x.s).every((s) => s === 'confirmed' || s === 'not_confirmed')).toBe(true);
  });
});
