import { simpleParser } from 'mailparser';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeliveryService } from '../../src/delivery/delivery.service';
import { MailerService } from '../../src/delivery/mailer.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { fileName, insertReports, insertRun, seedOrganisation, sha256, type SeededReport } from './delivery-fixtures';

describe('delivery without SMTP_URL: .eml files in OUTBOX_DIR', () => {
  let t: TestApp;
  let reportsDir: string;
  let outbox: string;
  let reports: SeededReport[];

  beforeAll(async () => {
    reportsDir = mkdtempSync(path.join(tmpdir(), 'ys-outbox-reports-'));
    outbox = path.join(mkdtempSync(path.join(tmpdir(), 'ys-outbox-')), 'outbox');
    t = await createTestApp({ REPORTS_DIR: reportsDir, OUTBOX_DIR: outbox, MAIL_FROM: 'Yardstick <noreply@outbox.test>' });
    await seedOrganisation(t.databaseUrl);
    reports = await insertReports(t.databaseUrl, reportsDir, 7);
  });

  afterAll(async () => {
    await t.close();
    rmSync(reportsDir, { recursive: true, force: true });
    rmSync(path.dirname(outbox), { recursive: true, force: true });
  });

  it('writes one parseable .eml per recipient with the PDFs attached, once', async () => {
    expect(t.config.smtpUrl).toBeNull();
    expect(t.app.get(MailerService).describe()).toBe(`outbox ${outbox}`);
    const lead = await t.login('team_lead', { email: 'lead@outbox.test', teamIds: ['N1'] });
    const agent = await t.login('agent', { email: 'agent3@outbox.test', agentId: 'a3' });
    await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${lead}`).send({ scope: 'team', team_id: 'N1' }).expect(201);
    await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${agent}`).send({ scope: 'self' }).expect(201);

    const runId = await insertRun(t.databaseUrl);
    const svc = t.app.get(DeliveryService);
    expect(await svc.deliverRun(runId, 7)).toEqual({ total: 2, sent: 2, failed: 0, pending: 0, skipped: 0, failures: [] });
    await svc.deliverRun(runId, 7);

    const files = readdirSync(outbox).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const mails = await Promise.all(files.map(async (f) => simpleParser(readFileSync(path.join(outbox, f)))));
    const to = (addr: string) => mails.find((m) => !Array.isArray(m.to) && m.to?.value[0].address === addr)!;
    const expected = (...ids: string[]) => ids.map((id) => fileName(reports.find((r) => r.subjectId === id)!)).sort();

    const leadMail = to('lead@outbox.test');
    expect(leadMail.subject).toBe('Yardstick scorecards 2026-10 (v1)');
    expect(leadMail.attachments.map((a) => a.filename).sort()).toEqual(expected('N1', 'a2'));
    expect(to('agent3@outbox.test').attachments.map((a) => a.filename)).toEqual(expected('a3'));
    for (const m of mails) {
      for (const a of m.attachments) expect(sha256(a.content)).toBe(reports.find((r) => fileName(r) === a.filename)!.sha256);
    }

    const status = await t.http.get(`/api/v1/runs/${runId}/deliveries`).set('Authorization', `Bearer ${await t.login('admin')}`).expect(200);
    const destinations = status.body.deliveries.map((d: { history: { destination: string }[] }) => d.history[0].destination).sort();
    expect(destinations).toEqual(files.map((f) => path.join(outbox, f)));
  });
});
