import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { withTransaction } from '../../src/audits/audit-db';
import { createHttpApp } from '../../src/http-app';
import { DeliveryRepository } from '../../src/delivery/delivery.repository';
import { DeliveryService } from '../../src/delivery/delivery.service';
import { UsersService } from '../../src/users/users.service';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  fileName,
  insertReports,
  insertRun,
  seedOrganisation,
  sha256,
  startSmtp,
  userId,
  withClient,
  type ReceivedMail,
  type SeededReport,
  type TestSmtp,
} from './delivery-fixtures';

const SNAPSHOT = 101;
const OLD_SNAPSHOT = 100;
const BROKEN_SNAPSHOT = 102;
const FROM_DOMAIN = 'test.yardstick';

describe('delivery of a run over real SMTP (bursting, retries, exactly once)', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let reportsDir: string;
  let reports: SeededReport[];
  let svc: DeliveryService;
  let hrToken: string;
  const email = {
    hr: 'hr@test.yardstick',
    leadN: 'lead.north@test.yardstick',
    narrowed: 'lead.narrowed@test.yardstick',
    leadE: 'lead.empty@test.yardstick',
    agent3: 'agent3@test.yardstick',
    mgr: 'manager@test.yardstick',
    gone: 'gone@test.yardstick',
  };

  const byRun = (runId: number) => smtp.received.filter((m) => m.mail.headers.get('x-yardstick-run') === String(runId));
  const report = (subjectId: string) => reports.find((r) => r.subjectId === subjectId)!;
  const namesOf = (m: ReceivedMail) => m.mail.attachments.map((a) => a.filename).sort();
  const expectedNames = (...subjects: string[]) => subjects.map((s) => fileName(report(s))).sort();

  async function subscribe(token: string, body: Record<string, unknown>): Promise<void> {
    await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${token}`).send(body).expect(201);
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    reportsDir = mkdtempSync(path.join(tmpdir(), 'ys-delivery-reports-'));
    t = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: `Yardstick <reports@${FROM_DOMAIN}>`,
      REPORTS_DIR: reportsDir,
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_RETRY_BASE_MS: '40',
    });
    svc = t.app.get(DeliveryService);
    await seedOrganisation(t.databaseUrl);
    reports = await insertReports(t.databaseUrl, reportsDir, SNAPSHOT);
    // an older snapshot's reports must never be attached to this snapshot's mails
    await insertReports(t.databaseUrl, reportsDir, OLD_SNAPSHOT, { only: ['a1', 'N'] });

    hrToken = await t.login('hr', { email: email.hr });
    const leadN = await t.login('team_lead', { email: email.leadN, teamIds: ['N'] });
    const narrowed = await t.login('team_lead', { email: email.narrowed, teamIds: ['N'] });
    const leadE = await t.login('team_lead', { email: email.leadE, teamIds: ['E'] });
    const agent3 = await t.login('agent', { email: email.agent3, agentId: 'a3' });
    const mgr = await t.login('manager', { email: email.mgr, agentId: 'a2' });
    const gone = await t.login('hr', { email: email.gone });

    await subscribe(hrToken, { scope: 'org' });
    await subscribe(leadN, { scope: 'team', team_id: 'N' });
    await subscribe(narrowed, { scope: 'team', team_id: 'N' });
    await subscribe(leadE, { scope: 'team', team_id: 'E' });
    await subscribe(agent3, { scope: 'self' });
    // overlapping subscriptions: N ⊇ N1 ∋ a2 (the manager's own agent) — each PDF once
    await subscribe(mgr, { scope: 'team', team_id: 'N' });
    await subscribe(mgr, { scope: 'team', team_id: 'N1' });
    await subscribe(mgr, { scope: 'self' });
    await subscribe(gone, { scope: 'org' });

    // after subscribing: the narrowed lead now leads N1 only, and `gone` is deactivated
    await t.app.get(UsersService).save({ email: email.narrowed, password: 'narrowed-password', role: 'team_lead', teamIds: ['N1'] }, { upsert: true });
    await withClient(t.databaseUrl, (c) => c.query('update users set active = false where email = $1', [email.gone]));
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
    rmSync(reportsDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    smtp.reject = () => null;
  });

  it('mails every subscriber once with exactly the PDFs of their scope, within their current access', async () => {
    const runId = await insertRun(t.databaseUrl);
    const summary = await svc.deliverRun(runId, SNAPSHOT);
    expect(summary).toEqual({ total: 5, sent: 5, failed: 0, pending: 0, skipped: 0, failures: [] });

    const mails = byRun(runId);
    expect(mails.map((m) => m.rcptTo.join(',')).sort()).toEqual([email.agent3, email.hr, email.narrowed, email.leadN, email.mgr].sort());
    const to = (addr: string) => mails.find((m) => m.rcptTo[0] === addr)!;

    // org: every agent and team PDF of the snapshot
    expect(namesOf(to(email.hr))).toEqual(expectedNames('N', 'N1', 'S', 'a1', 'a2', 'a3'));
    // team N: N and its descendant N1, and the agents of both
    expect(namesOf(to(email.leadN))).toEqual(expectedNames('N', 'N1', 'a1', 'a2'));
    // subscribed to N but now leads only N1: the subscription is intersected with the access of today
    expect(namesOf(to(email.narrowed))).toEqual(expectedNames('N1', 'a2'));
    // self: the agent's own PDF only
    expect(namesOf(to(email.agent3))).toEqual(expectedNames('a3'));
    // union of team N, team N1 and self (a2), de-duplicated
    expect(namesOf(to(email.mgr))).toEqual(expectedNames('N', 'N1', 'a1', 'a2'));
    expect(to(email.mgr).mail.attachments).toHaveLength(4);

    for (const m of mails) {
      expect(m.mail.subject).toBe('Yardstick scorecards 2026-10 (v1)');
      expect(m.mail.from?.value).toEqual([{ name: 'Yardstick', address: `reports@${FROM_DOMAIN}` }]);
      expect(m.mail.to && !Array.isArray(m.mail.to) ? m.mail.to.text : '').toBe(m.rcptTo[0]);
      expect(m.mail.messageId).toMatch(new RegExp(`^<yardstick\\.run${runId}\\.delivery\\d+@${FROM_DOMAIN.replace('.', '\\.')}>$`));
      for (const a of m.mail.attachments) {
        const r = reports.find((x) => fileName(x) === a.filename)!;
        expect(a.contentType).toBe('application/pdf');
        // the bytes received are the bytes recorded
        expect(sha256(a.content)).toBe(r.sha256);
        expect(Buffer.compare(a.content, r.bytes)).toBe(0);
        expect(m.mail.text).toContain(a.filename);
      }
    }
    expect(to(email.mgr).mail.text).toContain('王小明');
    expect(to(email.mgr).mail.text).toContain('team N; team N1; self');

    // the per-recipient record
    const res = await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${hrToken}`).expect(200);
    expect(res.body.summary).toEqual(summary);
    expect(res.body.deliveries).toHaveLength(5);
    const hrRow = res.body.deliveries.find((d: { email: string }) => d.email === email.hr);
    expect(hrRow).toMatchObject({ status: 'sent', attempts: 1, last_error: null, next_attempt_at: null, message_id: to(email.hr).mail.messageId });
    expect(hrRow.report_ids).toEqual(reports.map((r) => r.id).sort((a, b) => a - b));
    expect(hrRow.history).toEqual([expect.objectContaining({ attempt: 1, ok: true, error: null, destination: expect.stringMatching(/^250/) })]);
    expect(hrRow.sent_at).toEqual(hrRow.history[0].finished_at);
  });

  it('delivering the same run again sends nothing more', async () => {
    const runId = await insertRun(t.databaseUrl);
    await svc.deliverRun(runId, SNAPSHOT);
    expect(byRun(runId)).toHaveLength(5);
    const again = await svc.deliverRun(runId, SNAPSHOT);
    expect(again).toMatchObject({ total: 5, sent: 5 });
    expect(byRun(runId)).toHaveLength(5);
  });

  it('two instances delivering the same run at once send each mail exactly once', async () => {
    const other = await createHttpApp(t.config, t.databaseUrl, { logs: false });
    await other.init();
    try {
      const runId = await insertRun(t.databaseUrl);
      const [a, b] = await Promise.all([svc.deliverRun(runId, SNAPSHOT), other.get(DeliveryService).deliverRun(runId, SNAPSHOT)]);
      expect(a).toEqual(b);
      expect(a).toMatchObject({ total: 5, sent: 5, pending: 0 });
      const mails = byRun(runId);
      expect(mails).toHaveLength(5);
      expect(new Set(mails.map((m) => m.rcptTo[0])).size).toBe(5);
      expect(new Set(mails.map((m) => m.mail.messageId)).size).toBe(5);
      const attempts = await withClient(t.databaseUrl, (c) =>
        c.query<{ n: number }>('select count(*)::int as n from delivery_attempts x join deliveries d on d.id = x.delivery_id where d.run_id = $1', [runId]),
      );
      expect(attempts.rows[0].n).toBe(5);
    } finally {
      await other.close();
    }
  });

  it('after a crash, a second call sends what is still pending and never re-sends what was sent', async () => {
    const runId = await insertRun(t.databaseUrl);
    const repo = t.app.get(DeliveryRepository);
    // the first instance created the deliveries, sent the hr mail, then died
    await withTransaction(repo.pool, async (tx) => {
      await repo.lockRunForCreation(tx, runId);
      await repo.createForRun(tx, runId, SNAPSHOT, new Date());
    });
    const hrId = await userId(t.databaseUrl, email.hr);
    await withClient(t.databaseUrl, (c) =>
      c.query(`update deliveries set status = 'sent', attempts = 1, sent_at = now(), message_id = '<before-crash@x>' where run_id = $1 and user_id = $2`, [runId, hrId]),
    );
    const summary = await svc.deliverRun(runId, SNAPSHOT);
    expect(summary).toMatchObject({ total: 5, sent: 5, pending: 0 });
    expect(byRun(runId).map((m) => m.rcptTo[0]).sort()).toEqual([email.agent3, email.narrowed, email.leadN, email.mgr].sort());
  });

  it('a row held by a sender that dies mid-send is taken over once its connection is gone', async () => {
    const runId = await insertRun(t.databaseUrl);
    const repo = t.app.get(DeliveryRepository);
    await withTransaction(repo.pool, async (tx) => {
      await repo.lockRunForCreation(tx, runId);
      await repo.createForRun(tx, runId, SNAPSHOT, new Date());
    });
    const hrId = await userId(t.databaseUrl, email.hr);
    // another instance claimed the hr delivery and then hangs (its process is about to be killed)
    const dying = new Client({ connectionString: t.databaseUrl });
    dying.on('error', () => undefined); // it will be terminated
    await dying.connect();
    await dying.query('begin');
    await dying.query(`select id from deliveries where run_id = $1 and user_id = $2 for update`, [runId, hrId]);
    const pid = (await dying.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    let finished = false;
    const delivering = svc.deliverRun(runId, SNAPSHOT).finally(() => (finished = true));
    // the other four are sent; hr's row is still locked, so the run is not finished
    for (let i = 0; i < 200 && byRun(runId).length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(byRun(runId)).toHaveLength(4);
    expect(finished).toBe(false);
    await withClient(t.databaseUrl, (c) => c.query('select pg_terminate_backend($1)', [pid]));
    expect(await delivering).toMatchObject({ total: 5, sent: 5, pending: 0 });
    await dying.end().catch(() => undefined);
    expect(byRun(runId).filter((m) => m.rcptTo[0] === email.hr)).toHaveLength(1);
    expect(byRun(runId)).toHaveLength(5);
  });

  it('retries a rejected mail with exponential backoff, and marks a recipient failed for good after the last attempt', async () => {
    // hr: two temporary rejections, then accepted; agent3: always refused
    let hrRejections = 2;
    smtp.reject = (rcpt) => {
      if (rcpt === email.hr && hrRejections > 0) {
        hrRejections -= 1;
        return { code: 451, message: 'try again later' };
      }
      if (rcpt === email.agent3) return { code: 550, message: 'mailbox unavailable' };
      return null;
    };
    const runId = await insertRun(t.databaseUrl);
    const before = smtp.rcptAttempts.get(email.agent3) ?? 0;
    const summary = await svc.deliverRun(runId, SNAPSHOT);
    expect(summary.total).toBe(5);
    expect(summary.sent).toBe(4);
    expect(summary.failed).toBe(1);
    expect(summary.pending).toBe(0);
    expect(summary.failures).toEqual([{ email: email.agent3, error: expect.stringContaining('550') }]);
    expect((smtp.rcptAttempts.get(email.agent3) ?? 0) - before).toBe(3); // MAIL_MAX_ATTEMPTS
    expect(byRun(runId).filter((m) => m.rcptTo[0] === email.hr)).toHaveLength(1);
    expect(byRun(runId).filter((m) => m.rcptTo[0] === email.agent3)).toHaveLength(0);

    const res = await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${hrToken}`).expect(200);
    expect(res.body.summary).toEqual(summary);
    type Row = { email: string; status: string; attempts: number; last_error: string | null; next_attempt_at: string | null; history: { attempt: number; ok: boolean; error: string | null; started_at: string; finished_at: string }[] };
    const rows = res.body.deliveries as Row[];
    const hr = rows.find((d) => d.email === email.hr)!;
    expect(hr.status).toBe('sent');
    expect(hr.attempts).toBe(3);
    expect(hr.history.map((h) => h.ok)).toEqual([false, false, true]);
    expect(hr.history[0].error).toContain('451');
    // backoff: 40 ms after the first failure, 80 ms after the second
    const gap = (i: number) => Date.parse(hr.history[i + 1].started_at) - Date.parse(hr.history[i].finished_at);
    expect(gap(0)).toBeGreaterThanOrEqual(40);
    expect(gap(1)).toBeGreaterThanOrEqual(80);
    const failed = rows.find((d) => d.email === email.agent3)!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(failed.last_error).toContain('550');
    expect(failed.history.map((h) => h.attempt)).toEqual([1, 2, 3]);
    expect(failed.history.every((h) => !h.ok)).toBe(true);
  });

  it('refuses to attach a file whose bytes no longer match the recorded sha256', async () => {
    const [broken] = await insertReports(t.databaseUrl, reportsDir, BROKEN_SNAPSHOT, { only: ['a3'] });
    writeFileSync(path.join(reportsDir, broken.path), Buffer.from('%PDF-1.4 tampered'));
    const runId = await insertRun(t.databaseUrl);
    const summary = await svc.deliverRun(runId, BROKEN_SNAPSHOT);
    // only hr (org) and agent3 (self) have a3 in their scope
    expect(summary).toMatchObject({ total: 2, sent: 0, failed: 2, pending: 0 });
    for (const f of summary.failures) expect(f.error).toContain('does not match its recorded sha256');
    expect(byRun(runId)).toHaveLength(0);
  });

  it('a user who lost access to every report before sending is skipped, not mailed', async () => {
    const runId = await insertRun(t.databaseUrl);
    const repo = t.app.get(DeliveryRepository);
    await withTransaction(repo.pool, async (tx) => {
      await repo.lockRunForCreation(tx, runId);
      await repo.createForRun(tx, runId, SNAPSHOT, new Date());
    });
    // between creation and sending, the north lead's teams move to S only
    await t.app.get(UsersService).save({ email: email.leadN, password: 'lead-north-password', role: 'team_lead', teamIds: ['S'] }, { upsert: true });
    try {
      const summary = await svc.deliverRun(runId, SNAPSHOT);
      expect(summary).toMatchObject({ total: 5, sent: 4, skipped: 1, failed: 0, pending: 0 });
      expect(byRun(runId).map((m) => m.rcptTo[0])).not.toContain(email.leadN);
    } finally {
      await t.app.get(UsersService).save({ email: email.leadN, password: 'lead-north-password', role: 'team_lead', teamIds: ['N'] }, { upsert: true });
    }
  });

  it('GET /runs/{id}/deliveries: hr, manager and admin only; 404 for an unknown run', async () => {
    const lead = await t.login('team_lead', { teamIds: ['N'] });
    const agent = await t.login('agent', { agentId: 'a1' });
    const runId = await insertRun(t.databaseUrl);
    await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${lead}`).expect(403);
    await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${agent}`).expect(403);
    await t.http.get(`/api/v1/runs/${runId}/deliveries`).expect(401);
    const empty = await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${await t.login('manager')}`).expect(200);
    expect(empty.body).toEqual({ run_id: runId, summary: { total: 0, sent: 0, failed: 0, pending: 0, skipped: 0, failures: [] }, deliveries: [] });
    const missing = await t.http.get('/api/v1/runs/999999/deliveries').set('Authorization', `Bearer ${hrToken}`).expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body.detail).toContain('run');
    await t.http.get('/api/v1/runs/abc/deliveries').set('Authorization', `Bearer ${hrToken}`).expect(404);
  });
});
