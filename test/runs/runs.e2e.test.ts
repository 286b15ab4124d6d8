/**
 * The monthly run in one process over real HTTP, on the golden fixture kpi/basic (2026-10):
 * POST /periods/{p}/runs → GET /runs/{id} → reports listed and downloaded under the scope rule,
 * every download recorded; a second request while running returns the same run; a finished
 * period is a no-op unless forced (then a new snapshot version and new PDFs, old ones kept);
 * the monthly cron and its settings.
 */
import { SchedulerRegistry } from '@nestjs/schedule';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JobQueueService } from '../../src/jobs/job-queue.service';
import { MONTHLY_RUN_JOB, MonthlyRunJob } from '../../src/runs/monthly-run.job';
import { startSmtp, type TestSmtp } from '../delivery/delivery-fixtures';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { query, waitFor } from './run-support';

jest.setTimeout(120_000);

const PERIOD = '2026-10';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let t: TestApp;
let smtp: TestSmtp;
let reportsDir: string;
let hr: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

interface RunBody {
  run_id: number;
  status: string;
  progress: { done: number; total: number };
  snapshot_version: number | null;
  error: string | null;
  deliveries: { total: number; sent: number; failed: number } | null;
}

async function finished(runId: number): Promise<RunBody> {
  return waitFor(`run ${runId}`, async () => {
    const res = await t.http.get(`/api/v1/runs/${runId}`).set(auth(hr)).expect(200);
    const body = res.body as RunBody;
    return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
  }, 90_000, 200);
}

beforeAll(async () => {
  smtp = await startSmtp();
  reportsDir = mkdtempSync(path.join(tmpdir(), 'ys-run-e2e-'));
  t = await createTestApp({ REPORTS_DIR: reportsDir, SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '50' });
  await importFixture(t.app, 'kpi/basic');
  await t.app.get(JobQueueService).startWorkers();
  hr = await t.login('hr', { email: 'hr.e2e@test.yardstick' });
  await t.http.post('/api/v1/subscriptions').set(auth(hr)).send({ scope: 'org' }).expect(201);
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  rmSync(reportsDir, { recursive: true, force: true });
});

describe('POST /periods/{period}/runs and GET /runs/{id}', () => {
  let runId: number;

  it('starts the run (202), returns the same run to a second request, and finishes it', async () => {
    const first = await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(hr)).send({}).expect(202);
    const second = await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(hr)).send({}).expect(202);
    expect(first.body).toMatchObject({ created: true, status: 'queued' });
    runId = (first.body as { run_id: number }).run_id;
    expect(second.body).toMatchObject({ run_id: runId, created: false });

    const done = await finished(runId);
    // A1, A2, A3, A4 have scorecards in 2026-10 (A5 left in September); teams T-E1, T-EAST, T-ROOT, T-W1
    expect(done).toMatchObject({ status: 'succeeded', snapshot_version: 1, error: null, progress: { done: 8, total: 8 } });
    expect(done.deliveries).toMatchObject({ total: 1, sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.mail.attachments.map((a) => a.filename).sort()).toEqual([
      '2026-10_agent_A1_v1.pdf', '2026-10_agent_A2_v1.pdf', '2026-10_agent_A3_v1.pdf', '2026-10_agent_A4_v1.pdf',
      '2026-10_team_T-E1_v1.pdf', '2026-10_team_T-EAST_v1.pdf', '2026-10_team_T-ROOT_v1.pdf', '2026-10_team_T-W1_v1.pdf',
    ]);
  });

  it('writes each PDF under reports/YYYY-MM/{agents,teams} and records its sha256', async () => {
    const rows = await query<{ path: string; sha256: string; bytes: number }>(t.databaseUrl, 'select path, sha256, bytes from reports order by path');
    expect(rows.map((r) => r.path)).toEqual([
      '2026-10/agents/A1-v1.pdf', '2026-10/agents/A2-v1.pdf', '2026-10/agents/A3-v1.pdf', '2026-10/agents/A4-v1.pdf',
      '2026-10/teams/T-E1-v1.pdf', '2026-10/teams/T-EAST-v1.pdf', '2026-10/teams/T-ROOT-v1.pdf', '2026-10/teams/T-W1-v1.pdf',
    ]);
    for (const r of rows) {
      const bytes = readFileSync(path.join(reportsDir, r.path));
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(sha(bytes)).toBe(r.sha256);
      expect(bytes.length).toBe(r.bytes);
    }
  });

  it('does not run a finished period again unless forced; forced → version 2, new PDFs, old ones kept', async () => {
    const again = await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(hr)).send({}).expect(202);
    expect(again.body).toMatchObject({ run_id: runId, created: false, status: 'succeeded' });

    const forced = await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(hr)).send({ force: true }).expect(202);
    const forcedId = (forced.body as { run_id: number }).run_id;
    expect(forcedId).not.toBe(runId);
    const done = await finished(forcedId);
    expect(done).toMatchObject({ status: 'succeeded', snapshot_version: 2, progress: { done: 8, total: 8 } });
    const versions = await query<{ version: number; reason: string }>(t.databaseUrl, 'select version, reason from period_snapshots where period = $1 order by version', [PERIOD]);
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]!.reason).toMatch(/^forced rerun \(run \d+ by hr\.e2e@test\.yardstick\)$/);
    const counts = await query<{ version: number; n: number }>(t.databaseUrl, 'select snapshot_version as version, count(*)::int as n from reports group by 1 order by 1');
    expect(counts).toEqual([{ version: 1, n: 8 }, { version: 2, n: 8 }]);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.mail.attachments.every((a) => a.filename!.endsWith('_v2.pdf'))).toBe(true);
  });

  it('answers 404 for an unknown run, 403 to roles that may not start or read runs, 422 for a month not ended or a bad body', async () => {
    await t.http.get('/api/v1/runs/999999').set(auth(hr)).expect(404);
    const lead = await t.login('team_lead', { teamIds: ['T-E1'] });
    const agent = await t.login('agent', { agentId: 'A1' });
    await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(lead)).send({}).expect(403);
    await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(agent)).send({}).expect(403);
    await t.http.get(`/api/v1/runs/${runId}`).set(auth(agent)).expect(403);
    await t.http.post(`/api/v1/periods/${PERIOD}/runs`).send({}).expect(401);
    const res = await t.http.post('/api/v1/periods/2099-01/runs').set(auth(hr)).send({}).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    await t.http.post(`/api/v1/periods/${PERIOD}/runs`).set(auth(hr)).send({ force: 'yes' }).expect(422);
  });
});

describe('GET /reports and /reports/{id}/pdf', () => {
  it('lists reports under the scope rule', async () => {
    const all = await t.http.get(`/api/v1/reports?period=${PERIOD}`).set(auth(hr)).expect(200);
    expect((all.body as { reports: unknown[]; total: number }).total).toBe(16);
    const lead = await t.login('team_lead', { teamIds: ['T-EAST'] });
    const mine = await t.http.get(`/api/v1/reports?period=${PERIOD}&page_size=100`).set(auth(lead)).expect(200);
    const keys = (mine.body as { reports: { subject_type: string; subject_id: string; version: number }[] }).reports
      .filter((r) => r.version === 2)
      .map((r) => `${r.subject_type}:${r.subject_id}`)
      .sort();
    // T-EAST and its child T-E1, and the agents currently in them (A1, A2 in T-E1; A3 in T-EAST)
    expect(keys).toEqual(['agent:A1', 'agent:A2', 'agent:A3', 'team:T-E1', 'team:T-EAST']);
    const agent = await t.login('agent', { agentId: 'A2' });
    const own = await t.http.get('/api/v1/reports').set(auth(agent)).expect(200);
    expect((own.body as { reports: { subject_id: string }[] }).reports.map((r) => r.subject_id)).toEqual(['A2', 'A2']);
    const auditor = await t.login('auditor');
    await t.http.get('/api/v1/reports').set(auth(auditor)).expect(403);
    await t.http.get('/api/v1/reports?period=2026-13').set(auth(hr)).expect(422);
  });

  it('serves the PDF with its recorded sha256, 403 outside the scope, and records every download', async () => {
    const list = await t.http.get(`/api/v1/reports?period=${PERIOD}&subject_type=agent&subject_id=A2`).set(auth(hr)).expect(200);
    const report = (list.body as { reports: { report_id: number; sha256: string; version: number }[] }).reports.find((r) => r.version === 2)!;
    const agent = await t.login('agent', { agentId: 'A2', email: 'a2.e2e@test.yardstick' });
    const res = await t.http
      .get(`/api/v1/reports/${report.report_id}/pdf`)
      .set(auth(agent))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(sha(res.body as Buffer)).toBe(report.sha256);
    const other = await t.login('agent', { agentId: 'A1' });
    await t.http.get(`/api/v1/reports/${report.report_id}/pdf`).set(auth(other)).expect(403);
    await t.http.get('/api/v1/reports/999999/pdf').set(auth(hr)).expect(404);
    const downloads = await t.http.get(`/api/v1/reports/${report.report_id}/downloads`).set(auth(hr)).expect(200);
    expect(downloads.body).toEqual([expect.objectContaining({ user_email: 'a2.e2e@test.yardstick', role: 'agent' })]);
  });
});

describe('the monthly cron', () => {
  it('is registered with MONTHLY_RUN_CRON in ORG_TIMEZONE and starts the month just ended (a no-op once it succeeded)', async () => {
    const job = t.app.get(MonthlyRunJob);
    job.schedule();
    const cron = t.app.get(SchedulerRegistry).getCronJob(MONTHLY_RUN_JOB);
    // default "0 6 1 * *" in UTC (ORG_TIMEZONE default): the next 1st of a month, 06:00
    const next = cron.nextDate().toUTC();
    expect(next.day).toBe(1);
    expect(next.hour).toBe(6);
    expect(next.minute).toBe(0);
    const before = await query<{ n: number }>(t.databaseUrl, 'select count(*)::int as n from runs');
    const id = await job.fire();
    expect(id).not.toBeNull();
    const after = await query<{ n: number }>(t.databaseUrl, 'select count(*)::int as n from runs');
    expect(after[0]!.n).toBe(before[0]!.n); // the month just ended already succeeded (forced run above)
  });
});
