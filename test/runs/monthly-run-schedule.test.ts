/** The monthly cron's settings: time zone, custom expression, disabled per instance. */
import { SchedulerRegistry } from '@nestjs/schedule';
import { MONTHLY_RUN_JOB, MonthlyRunJob } from '../../src/runs/monthly-run.job';
import { CLOCK } from '../../src/periods/periods.service';
import { createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

describe('monthly run schedule', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('fires at 06:00 on the 1st in ORG_TIMEZONE (Asia/Shanghai: 22:00 UTC the day before)', async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'Asia/Shanghai' });
    t.app.get(MonthlyRunJob).schedule();
    const next = t.app.get(SchedulerRegistry).getCronJob(MONTHLY_RUN_JOB).nextDate();
    const local = next.setZone('Asia/Shanghai');
    expect([local.day, local.hour, local.minute]).toEqual([1, 6, 0]);
    expect(next.toUTC().hour).toBe(22);
  });

  it('takes MONTHLY_RUN_CRON and is absent with SCHEDULE_ENABLED=false', async () => {
    t = await createTestApp({ MONTHLY_RUN_CRON: '15 7 2 * *' });
    t.app.get(MonthlyRunJob).schedule();
    const next = t.app.get(SchedulerRegistry).getCronJob(MONTHLY_RUN_JOB).nextDate().toUTC();
    expect([next.day, next.hour, next.minute]).toEqual([2, 7, 15]);
    await t.close();
    t = await createTestApp({ SCHEDULE_ENABLED: 'false' });
    t.app.get(MonthlyRunJob).schedule();
    expect(t.app.get(SchedulerRegistry).doesExist('cron', MONTHLY_RUN_JOB)).toBe(false);
  });

  it('runs the month that ended before today in ORG_TIMEZONE', async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'Asia/Shanghai' });
    const job = t.app.get(MonthlyRunJob);
    const clock = t.app.get<{ now(): Date }>(CLOCK, { strict: false });
    const now = jest.spyOn(clock, 'now');
    now.mockReturnValue(new Date('2026-10-31T16:30:00Z')); // 2026-11-01 00:30 in Shanghai
    expect(job.periodToRun()).toBe('2026-10');
    now.mockReturnValue(new Date('2026-10-31T15:30:00Z')); // 2026-10-31 23:30 in Shanghai
    expect(job.periodToRun()).toBe('2026-09');
    now.mockRestore();
  });
});
