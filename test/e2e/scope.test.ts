import { Client } from 'pg';
import { ScopeService } from '../../src/access/scope.service';
import type { Principal } from '../../src/auth/principal';
import { ProblemException } from '../../src/common/problem-details';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The scope rule every endpoint uses. Hierarchy:
 *   ORG ─┬─ EAST ─┬─ E1 (agents a1, a2)
 *        │        └─ E2 ── E2x (agent a3)
 *        └─ WEST ── W1 (agent a4)
 */
describe('scope rule: which teams and agents a user may see', () => {
  let t: TestApp;
  let scope: ScopeService;
  const p = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({
    userId: 1,
    email: 'x@y.z',
    role,
    agentId: null,
    ledTeamIds: [],
    ...extra,
  });
  const status = async (fn: () => Promise<void>): Promise<number> => {
    try {
      await fn();
      return 200;
    } catch (e) {
      if (e instanceof ProblemException) return e.status;
      throw e;
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    scope = t.app.get(ScopeService);
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    await c.query(`insert into teams (team_id, name, parent_team_id) values
      ('ORG','Org',null),('EAST','华东',  'ORG'),('WEST','West','ORG'),('E1','华东一组','EAST'),('E2','E2','EAST'),('E2x','E2x','E2'),('W1','W1','WEST')`);
    await c.query(`insert into agents (agent_id, name, team_id, hired_on) values
      ('a1','A1','E1','2024-01-01'),('a2','A2','E1','2024-01-01'),('a3','A3','E2x','2024-01-01'),('a4','A4','W1','2024-01-01')`);
    await c.query(`insert into customers (customer_id, acquired_on, owner_agent_id) values ('c1','2025-01-01','a1'),('c4','2025-01-01','a4'),('c0','2025-01-01',null)`);
    await c.query(`insert into assignments (customer_id, assigned_on, agent_id) values ('c1','2025-06-01','a3')`);
    await c.end();
  });
  afterAll(() => t.close());

  it('hr, manager and admin see everything', async () => {
    for (const role of ['hr', 'manager', 'admin'] as const) {
      expect(await status(() => scope.assertAgentVisible(p(role), 'a4'))).toBe(200);
      expect(await status(() => scope.assertTeamVisible(p(role), 'ORG'))).toBe(200);
      expect(await status(() => scope.assertOrgVisible(p(role)))).toBe(200);
    }
  });

  it('a team lead sees the led teams, their descendants and their agents, nothing else', async () => {
    const lead = p('team_lead', { ledTeamIds: ['EAST'] });
    const s = await scope.scopeOf(lead);
    expect([...s.teamIds].sort()).toEqual(['E1', 'E2', 'E2x', 'EAST']);
    expect(await status(() => scope.assertTeamVisible(lead, 'E2x'))).toBe(200);
    expect(await status(() => scope.assertAgentVisible(lead, 'a3'))).toBe(200);
    expect(await status(() => scope.assertTeamVisible(lead, 'WEST'))).toBe(403);
    expect(await status(() => scope.assertTeamVisible(lead, 'ORG'))).toBe(403);
    expect(await status(() => scope.assertAgentVisible(lead, 'a4'))).toBe(403);
    expect(await status(() => scope.assertOrgVisible(lead))).toBe(403);
  });

  it('an agent sees only themselves', async () => {
    const agent = p('agent', { agentId: 'a2' });
    expect(await status(() => scope.assertAgentVisible(agent, 'a2'))).toBe(200);
    expect(await status(() => scope.assertAgentVisible(agent, 'a1'))).toBe(403);
    expect(await status(() => scope.assertTeamVisible(agent, 'E1'))).toBe(403);
  });

  it('an auditor sees no KPI subject', async () => {
    const auditor = p('auditor');
    expect(await status(() => scope.assertAgentVisible(auditor, 'a1'))).toBe(403);
    expect(await status(() => scope.assertTeamVisible(auditor, 'E1'))).toBe(403);
  });

  it('unknown ids are 404 before any scope decision', async () => {
    expect(await status(() => scope.assertAgentVisible(p('agent', { agentId: 'a2' }), 'ghost'))).toBe(404);
    expect(await status(() => scope.assertTeamVisible(p('hr'), 'ghost'))).toBe(404);
  });

  it('a customer is visible through its owner on the day (assignments win over owner_agent_id)', async () => {
    const eastLead = p('team_lead', { ledTeamIds: ['E2'] });
    // c1: owned by a1 (E1) from acquisition, moved to a3 (E2x) on 2025-06-01
    expect(await status(() => scope.assertCustomerVisible(eastLead, 'c1', '2025-05-31'))).toBe(403);
    expect(await status(() => scope.assertCustomerVisible(eastLead, 'c1', '2025-06-01'))).toBe(200);
    expect(await status(() => scope.assertCustomerVisible(p('agent', { agentId: 'a1' }), 'c1', '2025-03-01'))).toBe(200);
    expect(await status(() => scope.assertCustomerVisible(p('agent', { agentId: 'a1' }), 'c1', '2025-07-01'))).toBe(403);
    expect(await status(() => scope.assertCustomerVisible(eastLead, 'c0', '2025-07-01'))).toBe(403);
    expect(await status(() => scope.assertCustomerVisible(p('hr'), 'c0', '2025-07-01'))).toBe(200);
    expect(await status(() => scope.assertCustomerVisible(p('hr'), 'nobody', '2025-07-01'))).toBe(404);
  });
});
