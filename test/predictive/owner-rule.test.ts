import { Client } from 'pg';
import { customerStateSql, EFFECTIVE_ASSIGNMENTS_CTE } from '../../src/kpis/kpi.repository';
import { explicitOwnersSql, ownerOnSql, ownersOnSql } from '../../src/predictive/customer-value.repository';
import { riskCountsSql } from '../../src/retention/retention.repository';
import { createTestDatabase } from '../support/test-database';

/**
 * A customer's owner on day d (kpi-definitions.md, portfolio ownership): the assignment with the
 * latest assigned_on ≤ d, where owner_agent_id counts as an assignment on acquired_on unless
 * assignments.csv has a row for that same day. Four statements implement it: the KPI engine's
 * per-customer state, ownersOnSql (the drill-down), explicitOwnersSql + ownerOnSql (the
 * predictive KPIs) and the early-warning list. Hand-made edges, expected owners worked out by hand.
 */
describe('the owner rule, the same in every statement that applies it', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: Client;

  // customer, acquired_on, owner_agent_id, explicit assignments (assigned_on, agent)
  const customers: [string, string, string | null, [string, string][]][] = [
    ['C1', '2026-01-01', 'A1', []], // no explicit row: the implicit one
    ['C2', '2026-01-01', 'A1', [['2026-03-01', 'A2']]], // a later reassignment wins from 03-01
    ['C3', '2026-01-01', 'A1', [['2026-01-01', 'A3']]], // explicit on the acquisition day overrides owner_agent_id
    ['C4', '2026-02-20', 'A1', [['2026-02-01', 'A2']]], // explicit before the acquisition: owner_agent_id is later
    ['C5', '2026-01-01', null, [['2026-02-01', 'A2']]], // no owner_agent_id: unowned until 02-01
    ['C6', '2026-01-01', 'A1', [['2026-07-15', 'A4']]], // reassigned after both days
    ['C7', '2026-01-01', 'A1', [['2026-02-01', 'A2'], ['2026-04-01', 'A4']]], // two reassignments
    ['C8', '2026-01-01', null, []], // never owned
  ];
  const days = ["'2026-03-15'", "'2026-06-30'"];
  // the owner on 2026-03-15 and on 2026-06-30 (every customer is acquired by 03-15)
  const expected: Record<string, (string | null)[]> = {
    C1: ['A1', 'A1'],
    C2: ['A2', 'A2'],
    C3: ['A3', 'A3'],
    C4: ['A1', 'A1'],
    C5: ['A2', 'A2'],
    C6: ['A1', 'A1'],
    C7: ['A2', 'A4'],
    C8: [null, null],
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    c = new Client({ connectionString: db.url });
    await c.connect();
    for (const [id, acquired, owner, explicit] of customers) {
      await c.query('insert into customers (customer_id, acquired_on, owner_agent_id) values ($1, $2, $3)', [id, acquired, owner]);
      for (const [on, agent] of explicit) await c.query('insert into assignments (customer_id, assigned_on, agent_id) values ($1, $2, $3)', [id, on, agent]);
    }
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  const byCustomer = (rows: { customer_id: string; owner: string | null }[]) => Object.fromEntries(rows.map((r) => [r.customer_id, r.owner]));
  const want = (k: number) => Object.fromEntries(Object.entries(expected).map(([id, o]) => [id, o[k]]));

  it('explicitOwnersSql + ownerOnSql (predictive KPIs), for both days in one statement', async () => {
    const { rows } = await c.query<{ customer_id: string; owner_0: string | null; owner_1: string | null }>(
      `with explicit as (${explicitOwnersSql(days)})
       select cu.customer_id, ${ownerOnSql('ex', 'cu', 0)} as owner_0, ${ownerOnSql('ex', 'cu', 1)} as owner_1
         from customers cu left join explicit ex on ex.customer_id = cu.customer_id`,
    );
    expect(byCustomer(rows.map((r) => ({ customer_id: r.customer_id, owner: r.owner_0 })))).toEqual(want(0));
    expect(byCustomer(rows.map((r) => ({ customer_id: r.customer_id, owner: r.owner_1 })))).toEqual(want(1));
  });

  it('ownersOnSql over the effective assignments (the drill-down)', async () => {
    const { rows } = await c.query<{ customer_id: string; owner_0: string | null; owner_1: string | null }>(
      `with ${EFFECTIVE_ASSIGNMENTS_CTE}, owners as (${ownersOnSql(days)})
       select cu.customer_id, o.owner_0, o.owner_1 from customers cu left join owners o on o.customer_id = cu.customer_id`,
    );
    expect(byCustomer(rows.map((r) => ({ customer_id: r.customer_id, owner: r.owner_0 })))).toEqual(want(0));
    expect(byCustomer(rows.map((r) => ({ customer_id: r.customer_id, owner: r.owner_1 })))).toEqual(want(1));
  });

  it('the KPI engine’s per-customer state (owner on s1)', async () => {
    for (const [k, s1] of ['2026-03-15', '2026-06-30'].entries()) {
      const { rows } = await c.query<{ customer_id: string; owner: string | null }>(
        `select customer_id, owner_s1 as owner from (${customerStateSql({ firstDay: '$1', s0: '$2', s1: '$3', defaultMarginRate: "'0.3'", inactivityDays: '0' })}) s`,
        [`${s1.slice(0, 8)}01`, '2026-01-31', s1],
      );
      expect(byCustomer(rows)).toEqual(want(k));
    }
  });

  it('the early-warning list (owner on d of the active customers; INACTIVITY_DAYS 0 keeps every one acquired)', async () => {
    const sql = riskCountsSql(
      { d: "'2026-06-30'", n: '0', rate: "'0.3'", recent: "'2026-04-02'", earlier: "'2026-01-02'", year: "'2025-07-01'", end: "'2026-07-01'" },
      {},
    );
    const { rows } = await c.query<{ customer_id: string; owner: string | null }>(`select customer_id, owner from (${sql}) r`);
    expect(byCustomer(rows)).toEqual(want(1));
  });
});
