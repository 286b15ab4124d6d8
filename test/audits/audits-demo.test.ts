import { seedDemoAudits } from '../../src/audits/audits-demo';
import type { TestApp } from '../support/test-app';
import { auditApp, bearer } from './audit-helpers';

/** The demo's audits (src/audits/audits-demo.ts) on kpi/basic, October 2026. */
describe('seedDemoAudits', () => {
  let t: TestApp;
  let hr: string;
  beforeAll(async () => {
    t = await auditApp();
    hr = await t.login('hr', { email: 'hr@demo.yardstick' });
    await t.login('auditor', { email: 'auditor@demo.yardstick' });
  });
  afterAll(() => t.close());

  it('refuses to run without the demo auditor', async () => {
    await expect(seedDemoAudits(t.app, { agentIds: ['A1'], period: '2026-10', auditorEmail: 'nobody@demo.yardstick' })).rejects.toThrow(/no auditor user/);
  });

  it('creates forms, audits (one auto-fail, one draft), an open dispute by the demo agent and a calibration session; idempotent', async () => {
    const agentToken = await t.login('agent', { agentId: 'A2', email: 'agent@demo.yardstick' });
    const r = await seedDemoAudits(t.app, { agentIds: ['A1', 'A2', 'A3', 'A4', 'A5'], period: '2026-10' });
    expect(r.created).toBe(true);
    expect(r.form_ids).toHaveLength(2);
    expect(r.audit_ids).toHaveLength(6);
    expect(r.users.map((u) => u.email)).toEqual(['auditor2@demo.yardstick', 'auditor3@demo.yardstick']);

    const get = (url: string, token = hr) => t.http.get(url).set(bearer(token)).expect(200);
    const all = (await get('/api/v1/audits?limit=500')).body.audits as { audit_id: number; agent: { agent_id: string }; status: string; score: number | null; auto_failed: boolean }[];
    expect(all).toHaveLength(6);
    // only agents employed for all of October (A4 was hired on 10-15, A5 left in September)
    expect(new Set(all.map((a) => a.agent.agent_id))).toEqual(new Set(['A1', 'A2', 'A3']));
    expect(all.filter((a) => a.status === 'draft')).toHaveLength(1);
    const autoFail = all.find((a) => a.audit_id === r.auto_fail_audit_id)!;
    expect(autoFail).toMatchObject({ score: 0, auto_failed: true });
    const disputed = all.find((a) => a.audit_id === r.audit_ids[0])!;
    expect(disputed).toMatchObject({ status: 'disputed', agent: { agent_id: 'A2' } });
    // the demo agent sees the dispute
    const mine = (await get('/api/v1/disputes', agentToken)).body.disputes;
    expect(mine).toEqual([expect.objectContaining({ dispute_id: r.open_dispute_id, status: 'open', agent_id: 'A2' })]);
    const form2 = (await get(`/api/v1/audit-forms/${r.form_ids[1]}`)).body;
    expect(form2).toMatchObject({ name: 'Store visit', version: 2 });
    const report = (await get(`/api/v1/calibration-sessions/${r.calibration_session_id}/report`)).body;
    expect(report).toMatchObject({ scorers: 3, session: { status: 'closed', created_by: 'hr@demo.yardstick' } });
    const lenient = report.auditors.find((a: { auditor: string }) => a.auditor === 'auditor3@demo.yardstick');
    expect(lenient.mean_deviation).toBeGreaterThan(0);
    const org = (await get('/api/v1/org/kpis?period=2026-10')).body.kpis.mystery_shopper_score;
    expect(org.denominator).toBe(5);
    expect(org.value).not.toBeNull();

    const again = await seedDemoAudits(t.app, { agentIds: ['A1', 'A2', 'A3'], period: '2026-10' });
    expect(again).toMatchObject({ created: false, audit_ids: r.audit_ids });
    expect((await get('/api/v1/audits?limit=500')).body.audits).toHaveLength(6);
  });
});
