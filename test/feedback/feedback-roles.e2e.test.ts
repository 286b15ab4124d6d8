import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { as, person, responseBody, setClock } from './feedback-support';

/**
 * Every 360 endpoint with every role, in and out of scope (fixture kpi/basic: A1, A2 in
 * T-E1; A4 in T-W1). The cycle has one subject, A1: self = ana (A1), peer = li (A2),
 * manager = the team lead of T-E1. Callers:
 *   admin, hr, manager        oversee everything
 *   lead_in                   team lead of T-E1 (A1's team) and A1's manager-rater
 *   lead_out                  team lead of T-W1
 *   auditor                   takes no part in 360 feedback
 *   subject                   ana, agent A1 (and her own self-rater)
 *   rater                     li, agent A2, a peer of A1
 *   outsider                  dana, agent A4, not involved
 *   anonymous                 no token
 */
type Caller = 'admin' | 'hr' | 'manager' | 'lead_in' | 'lead_out' | 'auditor' | 'subject' | 'rater' | 'outsider' | 'anonymous';
const CALLERS: Caller[] = ['admin', 'hr', 'manager', 'lead_in', 'lead_out', 'auditor', 'subject', 'rater', 'outsider', 'anonymous'];

describe('360 feedback: every endpoint × every role', () => {
  let t: TestApp;
  const tokens = {} as Record<Caller, string | null>;
  let cycleId: number;
  let q: number[];
  const walk = async (label: string, call: (c: Caller) => Promise<{ status: number }>, expected: Record<Caller, number>) => {
    const got = {} as Record<Caller, number>;
    for (const c of CALLERS) got[c] = (await call(c)).status;
    expect({ label, got }).toEqual({ label, got: expected });
  };
  const all = (status: number, except: Partial<Record<Caller, number>> = {}) =>
    Object.fromEntries(CALLERS.map((c) => [c, except[c] ?? status])) as Record<Caller, number>;
  const req = (c: Caller) => as(t, tokens[c]);

  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'UTC' });
    await importFixture(t.app, 'kpi/basic');
    setClock(t, '2026-09-30T12:00:00Z');
    tokens.admin = await t.login('admin');
    tokens.hr = await t.login('hr');
    tokens.manager = await t.login('manager');
    tokens.lead_in = await t.login('team_lead', { teamIds: ['T-E1'], email: 'lead.in@test.yardstick' });
    tokens.lead_out = await t.login('team_lead', { teamIds: ['T-W1'] });
    tokens.auditor = await t.login('auditor');
    tokens.subject = await t.login('agent', { agentId: 'A1', email: 'ana@example.com' });
    tokens.rater = await t.login('agent', { agentId: 'A2', email: 'li@example.com' });
    tokens.outsider = await t.login('agent', { agentId: 'A4', email: 'dana@example.com' });
    tokens.anonymous = null;
    const res = await req('hr').post('/api/v1/feedback-cycles', body('Walk')).expect(201);
    cycleId = res.body.id;
    q = res.body.competencies[0].questions.map((x: { id: number }) => x.id);
    setClock(t, '2026-10-05T12:00:00Z');
  });
  afterAll(() => t.close());

  const body = (name: string, closesOn = '2026-10-20') => ({
    name,
    opens_on: '2026-10-01',
    closes_on: closesOn,
    competencies: [{ name: 'Teamwork', questions: [{ text: 'Helps others' }, { text: 'Shares knowledge' }] }],
    subjects: ['A1'],
    assignments: [
      { subject_agent_id: 'A1', group: 'self' },
      { subject_agent_id: 'A1', group: 'peer', rater_agent_id: 'A2' },
      { subject_agent_id: 'A1', group: 'manager', rater_email: 'lead.in@test.yardstick' },
    ],
  });

  it('POST /feedback-cycles: hr, manager, admin', async () => {
    setClock(t, '2026-09-30T12:00:00Z');
    let n = 0;
    // (these close earlier, so the cycle under test stays A1's latest for the KPI)
    await walk('create', (c) => req(c).post('/api/v1/feedback-cycles', body(`Walk ${++n}`, '2026-10-10')), all(403, { admin: 201, hr: 201, manager: 201, anonymous: 401 }));
    setClock(t, '2026-10-05T12:00:00Z');
  });

  it('GET /feedback-cycles: everyone taking part; each sees only the cycles they manage, rate in, or whose subjects they see', async () => {
    await walk('list', (c) => req(c).get('/api/v1/feedback-cycles'), all(200, { auditor: 403, anonymous: 401 }));
    const ids = async (c: Caller) => ((await req(c).get('/api/v1/feedback-cycles').expect(200)).body.cycles as { id: number }[]).map((x) => x.id);
    expect(await ids('hr')).toContain(cycleId);
    expect(await ids('lead_in')).toContain(cycleId);
    expect(await ids('subject')).toContain(cycleId);
    expect(await ids('rater')).toContain(cycleId);
    expect(await ids('lead_out')).toEqual([]);
    expect(await ids('outsider')).toEqual([]);
  });

  it('GET /feedback-cycles/{id}: overseers, the subject’s team lead, the subject and its raters', async () => {
    const url = `/api/v1/feedback-cycles/${cycleId}`;
    await walk('detail', (c) => req(c).get(url), all(200, { lead_out: 403, outsider: 403, auditor: 403, anonymous: 401 }));
    expect((await req('hr').get(url)).body.assignments).toHaveLength(3);
    for (const c of ['lead_in', 'subject', 'rater'] as const) expect((await req(c).get(url)).body.assignments).toBeNull();
    expect((await req('rater').get(url)).body.subjects).toEqual([]);
    expect((await req('rater').get(url)).body.my_assignments).toEqual([{ subject_agent_id: 'A1', subject_name: 'Ana Silva', group: 'peer', anonymous: true, submitted: false }]);
    await walk('unknown cycle', (c) => req(c).get('/api/v1/feedback-cycles/999999'), all(404, { auditor: 403, anonymous: 401 }));
    await req('hr').get('/api/v1/feedback-cycles/abc').expect(404);
    await req('hr').get('/api/v1/feedback-cycles/99999999999').expect(404);
  });

  it('GET /feedback-cycles/{id}/responses: own requests for all; completion for overseers and the team lead', async () => {
    const url = `/api/v1/feedback-cycles/${cycleId}/responses`;
    await walk('responses', (c) => req(c).get(url), all(200, { lead_out: 403, outsider: 403, auditor: 403, anonymous: 401 }));
    for (const c of ['admin', 'hr', 'manager', 'lead_in'] as const) expect((await req(c).get(url)).body.completion.map((s: { subject_agent_id: string }) => s.subject_agent_id)).toEqual(['A1']);
    for (const c of ['subject', 'rater'] as const) expect((await req(c).get(url)).body.completion).toBeNull();
  });

  it('POST and PUT responses: only the assigned rater, while open', async () => {
    const post = (c: Caller) => req(c).post(`/api/v1/feedback-cycles/${cycleId}/responses`, { subject_agent_id: 'A1', ...responseBody(q, [4, 4]) });
    await walk('post', post, all(403, { subject: 201, rater: 201, lead_in: 201, auditor: 403, anonymous: 401 }));
    await walk('post again', post, all(403, { subject: 200, rater: 200, lead_in: 200, auditor: 403, anonymous: 401 }));
    const put = (c: Caller) => req(c).put(`/api/v1/feedback-cycles/${cycleId}/responses/A1`, responseBody(q, [5, 'cannot_rate']));
    await walk('put', put, all(403, { subject: 200, rater: 200, lead_in: 200, auditor: 403, anonymous: 401 }));
    await walk('put unknown cycle', (c) => req(c).put(`/api/v1/feedback-cycles/999999/responses/A1`, responseBody(q, [5, 5])), all(404, { auditor: 403, anonymous: 401 }));
  });

  it('GET own response: the rater only; for everybody else there is none (404)', async () => {
    await walk('own', (c) => req(c).get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`), all(404, { subject: 200, rater: 200, lead_in: 200, auditor: 403, anonymous: 401 }));
    const own = (await req('rater').get(`/api/v1/feedback-cycles/${cycleId}/responses/A1`)).body;
    expect(own.group).toBe('peer');
    expect(own.answers.map((a: { rating: unknown }) => a.rating)).toEqual([5, 'cannot_rate']);
  });

  it('GET results: 409 for readers in scope while open; 403 out of scope', async () => {
    const url = `/api/v1/feedback-cycles/${cycleId}/results/A1`;
    await walk('results open', (c) => req(c).get(url), all(409, { lead_out: 403, rater: 403, outsider: 403, auditor: 403, anonymous: 401 }));
  });

  it('GET results once closed: hr, manager, admin, the team lead of the subject and the subject; never a mere rater', async () => {
    setClock(t, '2026-10-21T12:00:00Z');
    const url = `/api/v1/feedback-cycles/${cycleId}/results/A1`;
    await walk('results closed', (c) => req(c).get(url), all(200, { lead_out: 403, rater: 403, outsider: 403, auditor: 403, anonymous: 401 }));
    await walk('results: not a subject', (c) => req(c).get(`/api/v1/feedback-cycles/${cycleId}/results/A2`), all(403, { admin: 404, hr: 404, manager: 404, lead_in: 404, rater: 404, anonymous: 401 }));
    await walk('results: unknown agent', (c) => req(c).get(`/api/v1/feedback-cycles/${cycleId}/results/NOPE`), all(404, { auditor: 403, anonymous: 401 }));
    await walk('results: unknown cycle', (c) => req(c).get(`/api/v1/feedback-cycles/999999/results/A1`), all(404, { auditor: 403, anonymous: 401 }));
    await walk('post after close', (c) => req(c).post(`/api/v1/feedback-cycles/${cycleId}/responses`, { subject_agent_id: 'A1', ...responseBody(q, [1, 1]) }), all(403, { subject: 409, rater: 409, lead_in: 409, auditor: 403, anonymous: 401 }));
  });

  it('feedback_360_score and its drill-down follow the KPI scope rule', async () => {
    setClock(t, '2026-11-02T12:00:00Z');
    const expected = all(200, { lead_out: 403, rater: 403, outsider: 403, auditor: 403, anonymous: 401 });
    await walk('kpis', (c) => req(c).get('/api/v1/agents/A1/kpis?period=2026-10'), expected);
    await walk('records', (c) => req(c).get('/api/v1/agents/A1/kpis/feedback_360_score/records?period=2026-10'), expected);
    const v = (await req('subject').get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
    // the manager (lead_in) last answered 5 and cannot_rate → 5; the single peer is hidden
    expect(v).toMatchObject({ value: 5, denominator: 1, sample_size: 1 });
  });
});
