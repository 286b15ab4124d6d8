import { createTestApp, type TestApp } from '../support/test-app';
import { seedOrganisation, userId } from './delivery-fixtures';

describe('subscriptions API: validation, roles and the subscriber’s access', () => {
  let t: TestApp;
  let hr: string;
  let admin: string;
  let manager: string;
  let leadN: string;
  let agent1: string;
  let agent3: string;
  let auditor: string;
  let agent3Id: number;
  let leadNId: number;

  const post = (token: string, body: unknown) => t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${token}`).send(body as object);
  const get = (token: string, query = '') => t.http.get(`/api/v1/subscriptions${query}`).set('Authorization', `Bearer ${token}`);
  const del = (token: string, id: number | string) => t.http.delete(`/api/v1/subscriptions/${id}`).set('Authorization', `Bearer ${token}`);
  const fields = (body: { errors?: { field?: string }[] }) => (body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    t = await createTestApp();
    await seedOrganisation(t.databaseUrl);
    hr = await t.login('hr', { email: 'hr@subs.test' });
    admin = await t.login('admin', { email: 'admin@subs.test' });
    manager = await t.login('manager', { email: 'manager@subs.test' });
    leadN = await t.login('team_lead', { email: 'lead.n@subs.test', teamIds: ['N'] });
    agent1 = await t.login('agent', { email: 'agent1@subs.test', agentId: 'a1' });
    agent3 = await t.login('agent', { email: 'agent3@subs.test', agentId: 'a3' });
    auditor = await t.login('auditor', { email: 'auditor@subs.test' });
    agent3Id = await userId(t.databaseUrl, 'agent3@subs.test');
    leadNId = await userId(t.databaseUrl, 'lead.n@subs.test');
  });

  afterAll(async () => {
    await t.close();
  });

  it('needs a token', async () => {
    await t.http.get('/api/v1/subscriptions').expect(401);
    await t.http.post('/api/v1/subscriptions').send({ scope: 'org' }).expect(401);
  });

  it('an agent may subscribe to their own scorecard only, once', async () => {
    const res = await post(agent1, { scope: 'self' }).expect(201);
    expect(res.body).toMatchObject({ user_id: expect.any(Number), email: 'agent1@subs.test', scope: 'self', team_id: null, created_by: 'agent1@subs.test' });
    expect(res.body.subscription_id).toEqual(expect.any(Number));
    expect(Date.parse(res.body.created_at)).not.toBeNaN();

    const again = await post(agent1, { scope: 'self' }).expect(409);
    expect(again.body.detail).toContain('already subscribed to self');
    expect(fields(again.body)).toEqual(['scope']);

    const org = await post(agent1, { scope: 'org' }).expect(403);
    expect(org.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(fields(org.body)).toEqual(['scope']);
    const team = await post(agent1, { scope: 'team', team_id: 'N' }).expect(403);
    expect(fields(team.body)).toEqual(['scope']);
    expect(team.body.detail).toContain('only subscribe to their own scorecard');
  });

  it('a team lead may subscribe to the teams they lead and their descendants, nothing above or beside', async () => {
    await post(leadN, { scope: 'team', team_id: 'N' }).expect(201);
    await post(leadN, { scope: 'team', team_id: 'N1' }).expect(201); // a descendant of N
    const beside = await post(leadN, { scope: 'team', team_id: 'S' }).expect(403);
    expect(fields(beside.body)).toEqual(['team_id']);
    expect(beside.body.errors[0].value).toBe('S');
    const org = await post(leadN, { scope: 'org' }).expect(403);
    expect(fields(org.body)).toEqual(['scope']);
    // not linked to an agent
    const self = await post(leadN, { scope: 'self' }).expect(422);
    expect(fields(self.body)).toEqual(['scope']);
    expect(self.body.detail).toContain('not linked to an agent');
  });

  it('a team lead linked to an agent may subscribe to self only when that agent is in a team they lead', async () => {
    const inTeam = await t.login('team_lead', { email: 'lead.a1@subs.test', teamIds: ['N'], agentId: 'a1' });
    await post(inTeam, { scope: 'self' }).expect(201);
    const outside = await t.login('team_lead', { email: 'lead.a3@subs.test', teamIds: ['N'], agentId: 'a3' });
    const res = await post(outside, { scope: 'self' }).expect(403);
    expect(fields(res.body)).toEqual(['scope']);
  });

  it('an auditor may not subscribe to anything', async () => {
    for (const body of [{ scope: 'org' }, { scope: 'team', team_id: 'N' }]) {
      const res = await post(auditor, body).expect(403);
      expect(fields(res.body)).toEqual(['scope']);
      expect(res.body.detail).toContain('auditors receive no scorecards');
    }
  });

  it('hr, managers and admins may subscribe themselves to anything', async () => {
    await post(hr, { scope: 'org' }).expect(201);
    await post(manager, { scope: 'team', team_id: 'S' }).expect(201);
    await post(manager, { scope: 'org' }).expect(201);
    await post(admin, { scope: 'team', team_id: 'E' }).expect(201);
    // hr has no agent: self is not possible
    const self = await post(hr, { scope: 'self' }).expect(422);
    expect(fields(self.body)).toEqual(['scope']);
  });

  it('hr and admin subscribe other users, within those users’ access; others may not', async () => {
    const res = await post(hr, { user_id: agent3Id, scope: 'self' }).expect(201);
    expect(res.body).toMatchObject({ user_id: agent3Id, email: 'agent3@subs.test', scope: 'self', created_by: 'hr@subs.test' });
    const beyond = await post(admin, { user_id: agent3Id, scope: 'org' }).expect(403);
    expect(fields(beyond.body)).toEqual(['scope']);
    const leadBeyond = await post(hr, { user_id: leadNId, scope: 'team', team_id: 'S' }).expect(403);
    expect(fields(leadBeyond.body)).toEqual(['team_id']);
    await post(admin, { user_id: leadNId, scope: 'team', team_id: 'N1' }).expect(409);

    for (const token of [manager, leadN, agent1]) {
      const denied = await post(token, { user_id: agent3Id, scope: 'self' }).expect(403);
      expect(fields(denied.body)).toEqual(['user_id']);
    }
    const unknown = await post(hr, { user_id: 987654, scope: 'org' }).expect(422);
    expect(fields(unknown.body)).toEqual(['user_id']);
    expect(unknown.body.errors[0].reason).toContain('unknown');
  });

  it('rejects malformed bodies with problem details naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ scope: 'galaxy' }, 'scope'],
      [{}, 'scope'],
      [{ scope: 'team' }, 'team_id'],
      [{ scope: 'org', team_id: 'N' }, 'team_id'],
      [{ scope: 'self', team_id: 'N' }, 'team_id'],
      [{ scope: 'team', team_id: 'NOPE' }, 'team_id'],
      [{ scope: 'team', team_id: '' }, 'team_id'],
      [{ scope: 'org', user_id: 'me' }, 'user_id'],
      [{ scope: 'org', user_id: 0 }, 'user_id'],
      [{ scope: 'org', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await post(hr, body).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect({ body, fields: fields(res.body) }).toEqual({ body, fields: expect.arrayContaining([field]) });
    }
  });

  it('lists one’s own subscriptions; hr and admin list everyone’s or one user’s', async () => {
    const own = await get(agent3).expect(200);
    expect(own.body.subscriptions.map((s: { email: string }) => s.email)).toEqual(['agent3@subs.test']);
    await get(agent3, `?user_id=${agent3Id}`).expect(200);
    const other = await get(agent3, `?user_id=${leadNId}`).expect(403);
    expect(fields(other.body)).toEqual(['user_id']);
    // a manager sees only their own
    const mgr = await get(manager).expect(200);
    expect(new Set(mgr.body.subscriptions.map((s: { email: string }) => s.email))).toEqual(new Set(['manager@subs.test']));

    const all = await get(hr).expect(200);
    const emails = new Set(all.body.subscriptions.map((s: { email: string }) => s.email));
    expect(emails).toEqual(new Set(['agent1@subs.test', 'agent3@subs.test', 'lead.n@subs.test', 'lead.a1@subs.test', 'hr@subs.test', 'manager@subs.test', 'admin@subs.test']));
    const lead = await get(admin, `?user_id=${leadNId}`).expect(200);
    expect(lead.body.subscriptions.map((s: { scope: string; team_id: string }) => `${s.scope}:${s.team_id}`)).toEqual(['team:N', 'team:N1']);
    const bad = await get(hr, '?user_id=abc').expect(422);
    expect(new Set(fields(bad.body))).toEqual(new Set(['user_id']));
  });

  it('deletes one’s own subscription; hr and admin anyone’s', async () => {
    const mine = (await get(agent1).expect(200)).body.subscriptions[0].subscription_id as number;
    const leads = (await get(leadN).expect(200)).body.subscriptions as { subscription_id: number }[];
    await del(agent1, leads[0].subscription_id).expect(403);
    await del(agent1, mine).expect(204);
    await del(agent1, mine).expect(404);
    expect((await get(agent1).expect(200)).body.subscriptions).toEqual([]);
    await del(hr, leads[0].subscription_id).expect(204);
    expect((await get(leadN).expect(200)).body.subscriptions).toHaveLength(1);
    await del(hr, 'abc').expect(404);
    // subscribing again after unsubscribing works
    await post(agent1, { scope: 'self' }).expect(201);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/subscriptions', '/api/v1/subscriptions/{subscription_id}', '/api/v1/runs/{run_id}/deliveries']),
    );
    expect(doc.body.components.schemas).toHaveProperty('CreateSubscriptionDto');
    expect(doc.body.components.schemas).toHaveProperty('RunDeliveriesDto');
  });
});
