import type { TestApp } from '../support/test-app';
import { auditApp, bearer, defaultAnswers, defaultFormId, makeAudit } from './audit-helpers';

/**
 * Every audit endpoint, called by every role, in and out of scope (kpi/basic: T-EAST ⊃ T-E1
 * holds A1, A2, A3; T-W1 holds A4, A5). The target audits are A1's, written by "auditor".
 *
 * Callers: admin, hr, manager; lead_in (leads T-EAST: A1 in scope), lead_out (leads T-W1);
 * auditor (the author), auditor_other; agent (A1, the audited agent), agent_other (A2).
 * Without a token every endpoint answers 401.
 */
const CALLERS = ['admin', 'hr', 'manager', 'lead_in', 'lead_out', 'auditor', 'auditor_other', 'agent', 'agent_other'] as const;
type Caller = (typeof CALLERS)[number];
type Expect = Record<Caller, number>;

const only = (ok: number, allowed: Caller[], otherwise = 403): Expect =>
  Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c) ? ok : otherwise])) as Expect;

interface Case {
  name: string;
  method: 'get' | 'post' | 'put';
  /** builds the request for one call (fresh resources where a call changes state) */
  prepare: () => Promise<{ url: string; body?: object }>;
  expect: Expect;
  /** for lists: whether the caller's page holds the in-scope record */
  contains?: { has: Caller[]; id: () => Promise<number>; key: string; list: string };
}

describe('audit endpoints × roles (in and out of scope)', () => {
  let t: TestApp;
  const tok = {} as Record<Caller, string>;
  let formId: number;
  let finalA1: number;
  let draftA1: number;
  let disputeA1: number;
  let sessionId: number;

  const call = (method: 'get' | 'post' | 'put', url: string, token: string | null, body?: object) => {
    const r = t.http[method](url);
    if (token) r.set(bearer(token));
    return body ? r.send(body) : r;
  };
  const as = (c: Caller) => tok[c];
  const audit = (opts: { finalize?: boolean; agent?: string } = {}) => makeAudit(t, tok.auditor, formId, { agent: opts.agent ?? 'A1', visited: '2026-10-20T10:00:00Z', finalize: opts.finalize });
  const newForm = async () =>
    (
      await call('post', '/api/v1/audit-forms', tok.hr, {
        name: `F${Math.random()}`,
        sections: [{ id: 's', title: 'S', criteria: [{ id: 'a', label: 'A', type: 'yes_no', weight: 1, critical: false, allow_na: false }] }],
      }).expect(201)
    ).body.form_id as number;
  const newSession = async () =>
    (await call('post', '/api/v1/calibration-sessions', tok.hr, { title: 'cal', form_id: formId, form_version: 1, channel: 'phone', interaction_ref: 'rec-1' }).expect(201)).body.session_id as number;
  const newDispute = async () => {
    const a = await audit();
    return (await call('post', `/api/v1/audits/${a.audit_id}/disputes`, tok.agent, { reason: 'disagree' }).expect(201)).body.dispute_id as number;
  };

  beforeAll(async () => {
    t = await auditApp();
    tok.admin = await t.login('admin');
    tok.hr = await t.login('hr');
    tok.manager = await t.login('manager');
    tok.lead_in = await t.login('team_lead', { teamIds: ['T-EAST'] });
    tok.lead_out = await t.login('team_lead', { teamIds: ['T-W1'] });
    tok.auditor = await t.login('auditor', { email: 'author@test.yardstick' });
    tok.auditor_other = await t.login('auditor', { email: 'other@test.yardstick' });
    tok.agent = await t.login('agent', { agentId: 'A1' });
    tok.agent_other = await t.login('agent', { agentId: 'A2' });
    formId = await defaultFormId(t, tok.auditor);
    finalA1 = (await audit()).audit_id;
    draftA1 = (await audit({ finalize: false })).audit_id;
    disputeA1 = await newDispute();
    sessionId = await newSession();
  });
  afterAll(() => t.close());

  const READ_FINAL: Caller[] = ['admin', 'hr', 'manager', 'lead_in', 'auditor', 'agent'];
  const SEES_ALL: Caller[] = ['admin', 'hr', 'manager'];
  const save = () => ({ agent_id: 'A1', form_id: formId, form_version: 1, channel: 'chat', visited_at: '2026-10-15T10:00:00Z', answers: defaultAnswers() });

  const CASES: Case[] = [
    { name: 'GET /audit-forms', method: 'get', prepare: async () => ({ url: '/api/v1/audit-forms' }), expect: only(200, [...SEES_ALL, 'auditor', 'auditor_other']) },
    { name: 'GET /audit-forms/{id}', method: 'get', prepare: async () => ({ url: `/api/v1/audit-forms/${formId}` }), expect: only(200, [...SEES_ALL, 'auditor', 'auditor_other']) },
    { name: 'GET /audit-forms/{id}/versions/{v}', method: 'get', prepare: async () => ({ url: `/api/v1/audit-forms/${formId}/versions/1` }), expect: only(200, [...SEES_ALL, 'auditor', 'auditor_other']) },
    {
      name: 'POST /audit-forms',
      method: 'post',
      prepare: async () => ({ url: '/api/v1/audit-forms', body: { name: 'x', sections: [{ id: 's', title: 'S', criteria: [{ id: 'a', label: 'A', type: 'yes_no', weight: 1, critical: false, allow_na: false }] }] } }),
      expect: only(201, SEES_ALL),
    },
    {
      name: 'PUT /audit-forms/{id}',
      method: 'put',
      prepare: async () => ({ url: `/api/v1/audit-forms/${await newForm()}`, body: { name: 'y', sections: [{ id: 's', title: 'S', criteria: [{ id: 'b', label: 'B', type: 'scale', weight: 1, critical: false, allow_na: false }] }] } }),
      expect: only(200, SEES_ALL),
    },
    { name: 'POST /audit-forms/{id}/retire', method: 'post', prepare: async () => ({ url: `/api/v1/audit-forms/${await newForm()}/retire`, body: {} }), expect: only(200, SEES_ALL) },
    { name: 'POST /audits', method: 'post', prepare: async () => ({ url: '/api/v1/audits', body: save() }), expect: only(201, ['admin', 'auditor', 'auditor_other']) },
    {
      name: 'GET /audits',
      method: 'get',
      prepare: async () => ({ url: '/api/v1/audits?limit=500' }),
      expect: only(200, [...CALLERS]),
      contains: { has: READ_FINAL, id: async () => finalA1, key: 'audit_id', list: 'audits' },
    },
    { name: 'GET /audits/{id} (final)', method: 'get', prepare: async () => ({ url: `/api/v1/audits/${finalA1}` }), expect: only(200, READ_FINAL) },
    { name: 'GET /audits/{id} (draft)', method: 'get', prepare: async () => ({ url: `/api/v1/audits/${draftA1}` }), expect: only(200, [...SEES_ALL, 'auditor']) },
    { name: 'PUT /audits/{id} (draft)', method: 'put', prepare: async () => ({ url: `/api/v1/audits/${draftA1}`, body: save() }), expect: only(200, ['admin', 'auditor']) },
    { name: 'POST /audits/{id}/finalize', method: 'post', prepare: async () => ({ url: `/api/v1/audits/${(await audit({ finalize: false })).audit_id}/finalize` }), expect: only(200, ['admin', 'auditor']) },
    { name: 'POST /audits/{id}/void (draft)', method: 'post', prepare: async () => ({ url: `/api/v1/audits/${(await audit({ finalize: false })).audit_id}/void`, body: { reason: 'r' } }), expect: only(200, [...SEES_ALL, 'auditor']) },
    { name: 'POST /audits/{id}/void (final)', method: 'post', prepare: async () => ({ url: `/api/v1/audits/${(await audit()).audit_id}/void`, body: { reason: 'r' } }), expect: only(200, SEES_ALL) },
    { name: 'GET /audits/{id}/log', method: 'get', prepare: async () => ({ url: `/api/v1/audits/${finalA1}/log` }), expect: only(200, ['admin', 'hr']) },
    { name: 'GET /audit-log', method: 'get', prepare: async () => ({ url: '/api/v1/audit-log' }), expect: only(200, ['admin', 'hr']) },
    { name: 'POST /audits/{id}/disputes', method: 'post', prepare: async () => ({ url: `/api/v1/audits/${(await audit()).audit_id}/disputes`, body: { reason: 'no' } }), expect: only(201, ['agent']) },
    { name: 'GET /audits/{id}/disputes', method: 'get', prepare: async () => ({ url: `/api/v1/audits/${finalA1}/disputes` }), expect: only(200, READ_FINAL) },
    {
      name: 'GET /disputes',
      method: 'get',
      prepare: async () => ({ url: '/api/v1/disputes?limit=500' }),
      expect: only(200, [...CALLERS]),
      contains: { has: READ_FINAL, id: async () => disputeA1, key: 'dispute_id', list: 'disputes' },
    },
    { name: 'GET /disputes/{id}', method: 'get', prepare: async () => ({ url: `/api/v1/disputes/${disputeA1}` }), expect: only(200, READ_FINAL) },
    { name: 'POST /disputes/{id}/resolve', method: 'post', prepare: async () => ({ url: `/api/v1/disputes/${await newDispute()}/resolve`, body: { outcome: 'rejected', note: 'stands' } }), expect: only(200, SEES_ALL) },
    {
      name: 'POST /calibration-sessions',
      method: 'post',
      prepare: async () => ({ url: '/api/v1/calibration-sessions', body: { title: 't', form_id: formId, form_version: 1, channel: 'chat', interaction_ref: 'r' } }),
      expect: only(201, SEES_ALL),
    },
    { name: 'GET /calibration-sessions', method: 'get', prepare: async () => ({ url: '/api/v1/calibration-sessions' }), expect: only(200, [...SEES_ALL, 'auditor', 'auditor_other']) },
    { name: 'GET /calibration-sessions/{id}', method: 'get', prepare: async () => ({ url: `/api/v1/calibration-sessions/${sessionId}` }), expect: only(200, [...SEES_ALL, 'auditor', 'auditor_other']) },
    {
      name: 'PUT /calibration-sessions/{id}/scores',
      method: 'put',
      prepare: async () => ({ url: `/api/v1/calibration-sessions/${sessionId}/scores`, body: { answers: defaultAnswers() } }),
      expect: only(200, ['auditor', 'auditor_other']),
    },
    { name: 'POST /calibration-sessions/{id}/close', method: 'post', prepare: async () => ({ url: `/api/v1/calibration-sessions/${await newSession()}/close` }), expect: only(200, SEES_ALL) },
    { name: 'GET /calibration-sessions/{id}/report', method: 'get', prepare: async () => ({ url: `/api/v1/calibration-sessions/${sessionId}/report` }), expect: only(200, SEES_ALL) },
    { name: 'GET /calibration-report', method: 'get', prepare: async () => ({ url: '/api/v1/calibration-report' }), expect: only(200, SEES_ALL) },
    {
      name: 'GET /agents/A1/kpis/mystery_shopper_score/records',
      method: 'get',
      prepare: async () => ({ url: '/api/v1/agents/A1/kpis/mystery_shopper_score/records?period=2026-10' }),
      expect: only(200, ['admin', 'hr', 'manager', 'lead_in', 'agent']),
    },
  ];

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const got = {} as Record<Caller, number>;
    for (const caller of CALLERS) {
      const { url, body } = await c.prepare();
      const res = await call(c.method, url, as(caller), body);
      got[caller] = res.status;
      if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (c.contains && res.status === 200) {
        const id = await c.contains.id();
        const ids = (res.body[c.contains.list] as Record<string, number>[]).map((x) => x[c.contains!.key]);
        expect({ caller, sees: ids.includes(id) }).toEqual({ caller, sees: c.contains.has.includes(caller) });
      }
    }
    expect(got).toEqual(c.expect);
    const { url, body } = await c.prepare();
    await call(c.method, url, null, body).expect(401);
  });

  it('the OpenAPI document describes every audit endpoint with its schemas', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const paths = Object.keys(doc.paths);
    for (const c of CASES) {
      const path = c.name.replace(/^(GET|POST|PUT) /, '/api/v1').replace(/ \(.*\)$/, '').replace('{v}', '{version}');
      const template = path
        .replace('/audit-forms/{id}', '/audit-forms/{form_id}')
        .replace('/audits/{id}', '/audits/{audit_id}')
        .replace('/disputes/{id}', '/disputes/{dispute_id}')
        .replace('/calibration-sessions/{id}', '/calibration-sessions/{session_id}')
        .replace('/agents/A1/kpis/mystery_shopper_score/records', '/agents/{agent_id}/kpis/{key}/records');
      expect({ path: template, described: paths.includes(template) }).toEqual({ path: template, described: true });
      expect(doc.paths[template][c.method]).toBeDefined();
    }
    for (const schema of ['AuditDto', 'SaveAuditDto', 'FormDetailDto', 'DisputeDto', 'ResolveDisputeDto', 'CalibrationReportDto', 'AuditLogPageDto']) {
      expect(doc.components.schemas).toHaveProperty(schema);
    }
  });

  it('unknown ids answer 404 to callers who could otherwise read them', async () => {
    for (const url of ['/api/v1/audits/999999', '/api/v1/audits/999999/disputes', '/api/v1/disputes/999999', '/api/v1/audit-forms/999999', '/api/v1/calibration-sessions/999999', '/api/v1/audits/x1']) {
      await call('get', url, tok.hr, undefined).expect(404);
    }
  });

  it('lists are scoped: a team lead sees only their teams’ agents, an agent only themselves', async () => {
    await audit({ agent: 'A4' });
    const names = async (c: Caller) => new Set(((await call('get', '/api/v1/audits?limit=500', as(c)).expect(200)).body.audits as { agent: { agent_id: string } }[]).map((a) => a.agent.agent_id));
    expect([...(await names('lead_in'))].sort()).toEqual(['A1']);
    expect([...(await names('lead_out'))].sort()).toEqual(['A4']);
    expect([...(await names('agent'))]).toEqual(['A1']);
    expect([...(await names('agent_other'))]).toEqual([]);
    expect([...(await names('hr'))].sort()).toEqual(['A1', 'A4']);
  });
});
