import type { TestApp } from '../support/test-app';
import { auditApp, bearer, defaultAnswers, defaultFormId, makeAudit, NOW } from './audit-helpers';

/**
 * Disputes on kpi/basic with October 2026 published (clock 2026-11-10): an open dispute still
 * counts, marked disputed; upheld → re-scored (old score kept) or voided, each making a new
 * snapshot version of the published period with the reason; rejected changes nothing.
 */
describe('disputes and their resolution', () => {
  let t: TestApp;
  let hr: string;
  let manager: string;
  let auditor: string;
  let agentA1: string;
  let agentA2: string;
  let lead: string;
  let formId: number;
  let rescored: Record<string, any>;
  let voided: Record<string, any>;
  let rejected: Record<string, any>;

  const post = (url: string, token: string, body: object = {}) => t.http.post(url).set(bearer(token)).send(body);
  const get = (url: string, token: string) => t.http.get(url).set(bearer(token));
  const a1Score = async () => (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body;

  beforeAll(async () => {
    t = await auditApp();
    [hr, manager, auditor, agentA1, agentA2, lead] = await Promise.all([
      t.login('hr'),
      t.login('manager'),
      t.login('auditor'),
      t.login('agent', { agentId: 'A1' }),
      t.login('agent', { agentId: 'A2' }),
      t.login('team_lead', { teamIds: ['T-EAST'] }),
    ]);
    formId = await defaultFormId(t, auditor);
    // A1 in October: 100, 92.5 (listening 3, two N/A — see audit-kpi.golden.test.ts), 0 (auto-fail)
    rescored = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-05T10:00:00Z', values: { accurate_information: 'no' } });
    voided = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-06T10:00:00Z' });
    rejected = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-07T10:00:00Z', values: { listening: 3, next_steps: 'na', hold_etiquette: 'na' } });
    await post('/api/v1/periods/2026-10/publish', hr).expect(201);
  });
  afterAll(() => t.close());

  it('the published period holds the three audits: (0 + 100 + 92.5) / 3', async () => {
    const body = await a1Score();
    expect(body).toMatchObject({ status: 'published', version: 1 });
    expect(body.kpis.mystery_shopper_score).toMatchObject({ numerator: 192.5, denominator: 3 });
    expect(body.kpis.mystery_shopper_score.value).toBeCloseTo(192.5 / 3, 12);
  });

  it('only the audited agent disputes, once, a final audit, with a reason; it still counts, marked disputed', async () => {
    await post(`/api/v1/audits/${rescored.audit_id}/disputes`, agentA2, { reason: 'not me' }).expect(403);
    await post(`/api/v1/audits/${rescored.audit_id}/disputes`, manager, { reason: 'x' }).expect(403);
    await post(`/api/v1/audits/${rescored.audit_id}/disputes`, agentA1, { reason: '' }).expect(422);
    const d = await post(`/api/v1/audits/${rescored.audit_id}/disputes`, agentA1, { reason: 'I gave the right refund policy; see 03:10 in the recording' }).expect(201);
    expect(d.body).toMatchObject({ audit_id: rescored.audit_id, agent_id: 'A1', status: 'open', resolution: null, created_at: NOW.toISOString() });
    rescored.dispute_id = d.body.dispute_id;
    const again = await post(`/api/v1/audits/${rescored.audit_id}/disputes`, agentA1, { reason: 'again' }).expect(409);
    expect(again.body.detail).toMatch(/already disputed/);
    const audit = await get(`/api/v1/audits/${rescored.audit_id}`, agentA1).expect(200);
    expect(audit.body).toMatchObject({ status: 'disputed', disputed: true, score: 0, dispute: { dispute_id: d.body.dispute_id, status: 'open' } });
    // it still counts (live numbers: drill-down)
    const recs = await get('/api/v1/agents/A1/kpis/mystery_shopper_score/records?period=2026-10', hr).expect(200);
    expect(recs.body.total).toBe(3);
    expect(recs.body.records.find((r: { id: string }) => r.id === String(rescored.audit_id)).fields).toMatchObject({ status: 'disputed', disputed: true, score: 0 });
    expect(recs.body.published_version).toBe(1);
    // visible to those who can read the audit
    expect((await get(`/api/v1/audits/${rescored.audit_id}/disputes`, lead).expect(200)).body.disputes).toHaveLength(1);
    expect((await get('/api/v1/disputes?status=open', manager).expect(200)).body.disputes.map((x: { dispute_id: number }) => x.dispute_id)).toEqual([d.body.dispute_id]);
    expect((await get('/api/v1/disputes', agentA2).expect(200)).body.disputes).toEqual([]);
    await get(`/api/v1/disputes/${d.body.dispute_id}`, agentA2).expect(403);
    // a disputed audit cannot be voided directly
    await post(`/api/v1/audits/${rescored.audit_id}/void`, manager, { reason: 'x' }).expect(409);
  });

  it('resolution input is checked', async () => {
    const url = `/api/v1/disputes/${rescored.dispute_id}/resolve`;
    await post(url, agentA1, { outcome: 'rejected', note: 'x' }).expect(403);
    await post(url, auditor, { outcome: 'rejected', note: 'x' }).expect(403);
    expect((await post(url, hr, { outcome: 'upheld', note: 'x' }).expect(422)).body.errors[0].field).toBe('action');
    expect((await post(url, hr, { outcome: 'upheld', action: 'rescore', note: 'x' }).expect(422)).body.errors[0].field).toBe('answers');
    expect((await post(url, hr, { outcome: 'rejected', action: 'void', note: 'x' }).expect(422)).body.errors[0].field).toBe('action');
    await post(url, hr, { outcome: 'upheld', action: 'void' }).expect(422); // a note is required
    const bad = await post(url, hr, { outcome: 'upheld', action: 'rescore', note: 'x', answers: defaultAnswers({ solution: 9 }).slice(1) }).expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['answers[5].value', 'answers']);
    await post('/api/v1/disputes/99999/resolve', hr, { outcome: 'rejected', note: 'x' }).expect(404);
  });

  it('upheld with corrected answers: re-scored, old score kept, the published period gets version 2 with the reason', async () => {
    const res = await post(`/api/v1/disputes/${rescored.dispute_id}/resolve`, manager, {
      outcome: 'upheld',
      action: 'rescore',
      note: 'recording confirms the policy was stated',
      answers: defaultAnswers(),
    }).expect(200);
    expect(res.body.dispute).toMatchObject({ status: 'upheld', resolution: { outcome: 'upheld', action: 'rescore', score_before: 0, score_after: 100, note: 'recording confirms the policy was stated' } });
    expect(res.body.audit).toMatchObject({ status: 'final', disputed: false, score: 100, auto_failed: false, failed_criteria: [] });
    expect(res.body.audit.history.map((h: { action: string; status: string; score: number }) => [h.action, h.status, h.score])).toEqual([
      ['create', 'draft', 0],
      ['finalize', 'final', 0],
      ['dispute', 'disputed', 0],
      ['rescore', 'final', 100],
      ['resolve', 'final', 100],
    ]);
    expect(res.body.republished).toMatchObject({ period: '2026-10', version: 2 });
    expect(res.body.republished.reason).toBe(`dispute ${rescored.dispute_id} upheld: audit ${rescored.audit_id} re-scored 0 → 100 (recording confirms the policy was stated)`);
    const versions = (await get('/api/v1/periods/2026-10', hr).expect(200)).body.versions;
    expect(versions.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
      [1, 'first publication'],
      [2, res.body.republished.reason],
    ]);
    const body = await a1Score();
    expect(body).toMatchObject({ status: 'published', version: 2 });
    expect(body.kpis.mystery_shopper_score).toMatchObject({ numerator: 292.5, denominator: 3 });
    // version 1 still reads the old number
    const v1 = (await get('/api/v1/agents/A1/kpis?period=2026-10&version=1', hr).expect(200)).body;
    expect(v1.kpis.mystery_shopper_score.numerator).toBe(192.5);
    // the log keeps before and after
    const log = (await get(`/api/v1/audits/${rescored.audit_id}/log`, hr).expect(200)).body.entries;
    expect(log.map((e: { entity_type: string; action: string }) => `${e.entity_type}:${e.action}`)).toEqual(['audit:create', 'audit:finalize', 'dispute:dispute', 'audit:rescore', 'dispute:resolve']);
    expect(log[3]).toMatchObject({ before: { score: 0, auto_failed: true }, after: { score: 100, auto_failed: false, dispute_id: rescored.dispute_id } });
    await post(`/api/v1/disputes/${rescored.dispute_id}/resolve`, hr, { outcome: 'rejected', note: 'x' }).expect(409);
    // disputed once: never again, even after resolution
    await post(`/api/v1/audits/${rescored.audit_id}/disputes`, agentA1, { reason: 'again' }).expect(409);
  });

  it('rejected: nothing changes, no new version', async () => {
    const d = await post(`/api/v1/audits/${rejected.audit_id}/disputes`, agentA1, { reason: 'too strict on listening' }).expect(201);
    const res = await post(`/api/v1/disputes/${d.body.dispute_id}/resolve`, hr, { outcome: 'rejected', note: 'score stands' }).expect(200);
    expect(res.body).toMatchObject({ dispute: { status: 'rejected', resolution: { outcome: 'rejected', action: null, score_before: 92.5, score_after: 92.5 } }, audit: { status: 'final', score: 92.5 }, republished: null });
    expect((await a1Score()).version).toBe(2);
  });

  it('upheld with void: the audit stops counting and the period gets version 3', async () => {
    const d = await post(`/api/v1/audits/${voided.audit_id}/disputes`, agentA1, { reason: 'that was my colleague' }).expect(201);
    const res = await post(`/api/v1/disputes/${d.body.dispute_id}/resolve`, hr, { outcome: 'upheld', action: 'void', note: 'wrong agent' }).expect(200);
    expect(res.body.audit).toMatchObject({ status: 'voided', void_reason: `dispute ${d.body.dispute_id} upheld: wrong agent`, score: 100 });
    expect(res.body.dispute.resolution).toMatchObject({ action: 'void', score_before: 100, score_after: null });
    expect(res.body.republished).toMatchObject({ period: '2026-10', version: 3, reason: `dispute ${d.body.dispute_id} upheld: audit ${voided.audit_id} voided (wrong agent)` });
    const body = await a1Score();
    expect(body).toMatchObject({ status: 'published', version: 3 });
    expect(body.kpis.mystery_shopper_score).toMatchObject({ numerator: 192.5, denominator: 2, value: 96.25 });
    // a voided audit cannot be disputed
    const other = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-08T10:00:00Z' });
    await post(`/api/v1/audits/${other.audit_id}/void`, manager, { reason: 'duplicate' }).expect(200);
    await post(`/api/v1/audits/${other.audit_id}/disputes`, agentA1, { reason: 'x' }).expect(409);
  });

  it('voiding a final audit of a published period re-publishes it too; a draft cannot be disputed', async () => {
    const a2 = await makeAudit(t, auditor, formId, { agent: 'A2', visited: '2026-10-09T10:00:00Z' });
    const v = await post(`/api/v1/audits/${a2.audit_id}/void`, hr, { reason: 'entered twice' }).expect(200);
    // version 4 came from voiding `other` above; this void makes version 5
    expect(v.body.republished).toMatchObject({ period: '2026-10', version: 5, reason: `audit ${a2.audit_id} voided: entered twice` });
    const draft = await makeAudit(t, auditor, formId, { agent: 'A1', visited: '2026-10-10T10:00:00Z', finalize: false });
    await post(`/api/v1/audits/${draft.audit_id}/disputes`, agentA1, { reason: 'x' }).expect(403);
  });
});
