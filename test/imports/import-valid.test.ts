import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IMPORT_ORDER, ENTITY_SPECS } from '../../src/imports/import-entities';
import { importer, importValid, openTestDb, rowCounts, streamOf, truncateAll, VALID, type TestDb } from './import-helpers';

/** Instants as UTC text with microseconds, independent of the session's TimeZone. */
const UTC = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`;

describe('CSV import of the golden valid folder (test/fixtures/import/valid, see its README)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.drop();
  });

  describe('in Asia/Shanghai', () => {
    const summaries: Record<string, unknown> = {};
    beforeAll(async () => {
      await truncateAll(db.pool);
      const imp = importer(db.pool, 'Asia/Shanghai');
      for (const e of IMPORT_ORDER) summaries[e] = await imp.importFile(e, path.join(VALID, ENTITY_SPECS[e].fileName));
    });

    it('inserts every row of every file', () => {
      const expected = { teams: 4, agents: 4, customers: 4, assignments: 4, orders: 7, tickets: 5, surveys: 3, training: 4 };
      for (const [entity, rows] of Object.entries(expected)) {
        expect(summaries[entity]).toEqual({ entity, rows, inserted: rows, updated: 0, unchanged: 0 });
      }
    });

    it('stores teams with any script, quoted commas, and a parent that came later in the file', async () => {
      const { rows } = await db.pool.query('select team_id, name, parent_team_id from teams order by team_id');
      expect(rows).toEqual([
        { team_id: 'T-EAST', name: 'East Region, Service', parent_team_id: 'T-ROOT' },
        { team_id: 'T-EAST-1', name: '华东客服一组', parent_team_id: 'T-EAST' },
        { team_id: 'T-ROOT', name: 'Customer Service', parent_team_id: null },
        { team_id: 'T-WEST', name: 'West 🚀 Team', parent_team_id: 'T-ROOT' },
      ]);
    });

    it('reads agents.csv with a BOM, CRLF, reordered columns, quotes and an embedded CRLF', async () => {
      const { rows } = await db.pool.query(
        `select agent_id, name, email, team_id, title, hired_on::text, left_on::text from agents order by agent_id`,
      );
      expect(rows).toEqual([
        { agent_id: 'A1', name: '李雷', email: 'Li.Lei@Example.com', team_id: 'T-EAST-1', title: 'Senior Agent', hired_on: '2024-01-15', left_on: null },
        { agent_id: 'A2', name: "O'Brien, Pat", email: 'pat@example.com', team_id: 'T-EAST-1', title: null, hired_on: '2025-03-01', left_on: '2026-06-30' },
        { agent_id: 'A3', name: 'Zoë 😀', email: null, team_id: 'T-WEST', title: 'Agent\r\nLevel 2', hired_on: '2023-07-01', left_on: null },
        { agent_id: 'A4', name: 'Quote "Q" Person', email: 'q@example.com', team_id: 'T-ROOT', title: null, hired_on: '2026-01-05', left_on: null },
      ]);
    });

    it('stores customers; a missing optional column (segment) is null', async () => {
      const { rows } = await db.pool.query(
        `select customer_id, name, segment, acquired_on::text, churned_on::text, owner_agent_id from customers order by customer_id`,
      );
      expect(rows).toEqual([
        { customer_id: 'C1', name: 'Acme', segment: null, acquired_on: '2025-01-10', churned_on: null, owner_agent_id: 'A1' },
        { customer_id: 'C2', name: 'Globex, Inc.', segment: null, acquired_on: '2025-02-01', churned_on: '2026-03-31', owner_agent_id: 'A2' },
        { customer_id: 'C3', name: '王小明', segment: null, acquired_on: '2026-01-01', churned_on: null, owner_agent_id: null },
        { customer_id: 'C4', name: null, segment: null, acquired_on: '2024-02-29', churned_on: null, owner_agent_id: 'A3' },
      ]);
      const a = await db.pool.query(`select customer_id, assigned_on::text, agent_id from assignments order by 1, 2`);
      expect(a.rows).toEqual([
        { customer_id: 'C1', assigned_on: '2025-01-10', agent_id: 'A1' },
        { customer_id: 'C1', assigned_on: '2026-02-01', agent_id: 'A2' },
        { customer_id: 'C2', assigned_on: '2025-02-01', agent_id: 'A2' },
        { customer_id: 'C3', assigned_on: '2026-01-01', agent_id: 'A3' },
      ]);
    });

    it('stores orders with exact money, exact instants and Shanghai local dates', async () => {
      const { rows } = await db.pool.query(
        `select order_id, customer_id, ${UTC('ordered_at')} as at, ordered_on::text as on, amount::text, gross_margin::text as margin, status
         from orders order by order_id`,
      );
      expect(rows).toEqual([
        { order_id: 'O1', customer_id: 'C1', at: '2026-10-31 15:30:00.000000', on: '2026-10-31', amount: '100.00', margin: '30.00', status: 'completed' },
        { order_id: 'O2', customer_id: 'C1', at: '2026-10-31 16:30:00.000000', on: '2026-11-01', amount: '12.50', margin: null, status: 'refunded' },
        { order_id: 'O3', customer_id: 'C2', at: '2026-11-01 00:00:00.000000', on: '2026-11-01', amount: '0.00', margin: null, status: 'completed' },
        { order_id: 'O4', customer_id: 'C2', at: '2026-11-01 16:00:00.000000', on: '2026-11-02', amount: '1234567.89', margin: '-5.25', status: 'cancelled' },
        { order_id: 'O5', customer_id: 'C3', at: '2026-10-31 15:30:00.000000', on: '2026-10-31', amount: '99.99', margin: null, status: 'completed' },
        { order_id: 'O6', customer_id: 'C3', at: '2026-10-31 13:15:30.123456', on: '2026-10-31', amount: '5.00', margin: '1.00', status: 'completed' },
        { order_id: 'O7', customer_id: 'C4', at: '2026-10-31 15:59:00.000000', on: '2026-10-31', amount: '0.01', margin: '0.00', status: 'completed' },
      ]);
    });

    it('stores tickets: enums lower-case, boolean spellings, defaults, local times, multi-line text', async () => {
      const { rows } = await db.pool.query(
        `select ticket_id, customer_id, agent_id, team_id, channel, category, ${UTC('opened_at')} as opened,
                ${UTC('first_response_at')} as first, ${UTC('resolved_at')} as resolved, contact_count, reopened,
                handle_seconds, is_complaint, complaint_category, complaint_controllable
         from tickets order by ticket_id`,
      );
      expect(rows).toEqual([
        {
          ticket_id: 'K1', customer_id: 'C1', agent_id: 'A1', team_id: 'T-EAST-1', channel: 'phone', category: 'billing',
          opened: '2026-10-01 01:00:00.000000', first: '2026-10-01 01:05:00.000000', resolved: '2026-10-01 02:00:00.000000',
          contact_count: 1, reopened: false, handle_seconds: 300, is_complaint: true, complaint_category: 'pricing', complaint_controllable: true,
        },
        {
          ticket_id: 'K2', customer_id: 'C2', agent_id: 'A2', team_id: null, channel: 'email', category: null,
          opened: '2026-10-02 02:00:00.000000', first: null, resolved: null,
          contact_count: 2, reopened: false, handle_seconds: null, is_complaint: false, complaint_category: null, complaint_controllable: null,
        },
        {
          ticket_id: 'K3', customer_id: 'C3', agent_id: 'A3', team_id: 'T-WEST', channel: 'in_person', category: 'visit, on site',
          opened: '2026-10-03 08:00:00.000000', first: '2026-10-03 08:00:00.000000', resolved: '2026-10-03 08:00:00.000000',
          contact_count: 3, reopened: true, handle_seconds: 0, is_complaint: true, complaint_category: 'other', complaint_controllable: false,
        },
        {
          ticket_id: 'K4', customer_id: 'C1', agent_id: 'A1', team_id: null, channel: 'chat', category: null,
          opened: '2026-10-04 04:00:00.000000', first: null, resolved: null,
          contact_count: 1, reopened: false, handle_seconds: null, is_complaint: false, complaint_category: 'core_service_failure', complaint_controllable: null,
        },
        {
          ticket_id: 'K5', customer_id: 'C4', agent_id: 'A4', team_id: 'T-ROOT', channel: 'social', category: 'multi\nline\ncategory',
          opened: '2026-10-04 16:00:00.000000', first: '2026-10-04 16:00:01.000000', resolved: null,
          contact_count: 4, reopened: true, handle_seconds: 7, is_complaint: false, complaint_category: null, complaint_controllable: false,
        },
      ]);
    });

    it('stores surveys and training', async () => {
      const s = await db.pool.query(`select survey_id, customer_id, agent_id, ticket_id, ${UTC('responded_at')} as at, csat, nps, ces from surveys order by 1`);
      expect(s.rows).toEqual([
        { survey_id: 'S1', customer_id: 'C1', agent_id: 'A1', ticket_id: 'K1', at: '2026-10-02 04:00:00.000000', csat: 5, nps: 10, ces: 1 },
        { survey_id: 'S2', customer_id: 'C2', agent_id: 'A2', ticket_id: null, at: '2026-10-02 16:00:00.000000', csat: null, nps: 0, ces: null },
        { survey_id: 'S3', customer_id: 'C3', agent_id: 'A3', ticket_id: 'K3', at: '2026-10-04 01:00:00.000000', csat: 1, nps: null, ces: 7 },
      ]);
      const t = await db.pool.query(`select training_id, agent_id, completed_on::text, hours::text, course from training order by 1`);
      expect(t.rows).toEqual([
        { training_id: 'TR1', agent_id: 'A1', completed_on: '2026-09-15', hours: '1.50', course: 'Empathy 101' },
        { training_id: 'TR2', agent_id: 'A2', completed_on: '2026-09-16', hours: '0.25', course: 'Complaints, advanced' },
        { training_id: 'TR3', agent_id: 'A3', completed_on: '2026-09-17', hours: '8.00', course: null },
        { training_id: 'TR4', agent_id: 'A4', completed_on: '2024-02-29', hours: '10.00', course: '培训 🎓' },
      ]);
    });

    it('records one import_batches row per file, with the sha256 of its bytes', async () => {
      const { rows } = await db.pool.query(
        `select entity, source, sha256, rows, inserted, updated, unchanged, imported_by, created_at from import_batches order by id`,
      );
      expect(rows.map((r) => r.entity)).toEqual([...IMPORT_ORDER]);
      for (const r of rows) {
        const file = path.join(VALID, ENTITY_SPECS[r.entity as keyof typeof ENTITY_SPECS].fileName);
        expect(r.source).toBe(file);
        expect(r.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
        expect(r.inserted).toBe(r.rows);
        expect([r.updated, r.unchanged, r.imported_by]).toEqual([0, 0, null]);
        expect(r.created_at).toBeInstanceOf(Date);
      }
    });

    it('importing the same files again changes nothing and reports every row unchanged', async () => {
      const snapshot = async () => {
        const out: Record<string, unknown[]> = {};
        for (const e of IMPORT_ORDER) {
          // xmin changes when a row is rewritten, even with the same values
          out[e] = (await db.pool.query(`select xmin::text as x, * from ${ENTITY_SPECS[e].table} order by 2, 3`)).rows;
        }
        return out;
      };
      const before = await snapshot();
      const imp = importer(db.pool, 'Asia/Shanghai');
      for (const e of IMPORT_ORDER) {
        const s = await imp.importFile(e, path.join(VALID, ENTITY_SPECS[e].fileName), { importedBy: 'ops@example.com' });
        expect(s).toEqual({ entity: e, rows: s.rows, inserted: 0, updated: 0, unchanged: s.rows });
      }
      expect(await snapshot()).toEqual(before);
      const batches = await db.pool.query(`select count(*)::int as n from import_batches where imported_by = 'ops@example.com' and unchanged = rows`);
      expect(batches.rows[0].n).toBe(8);
    });
  });

  describe('time rules in other zones', () => {
    it('UTC: the same files give other instants for local times and other local dates', async () => {
      await truncateAll(db.pool);
      await importValid(importer(db.pool, 'UTC'), ['teams', 'agents', 'customers', 'orders']);
      const { rows } = await db.pool.query(`select order_id, ${UTC('ordered_at')} as at, ordered_on::text as on from orders order by 1`);
      expect(rows).toEqual([
        { order_id: 'O1', at: '2026-10-31 15:30:00.000000', on: '2026-10-31' },
        { order_id: 'O2', at: '2026-10-31 16:30:00.000000', on: '2026-10-31' },
        { order_id: 'O3', at: '2026-11-01 08:00:00.000000', on: '2026-11-01' },
        { order_id: 'O4', at: '2026-11-02 00:00:00.000000', on: '2026-11-02' },
        { order_id: 'O5', at: '2026-10-31 15:30:00.000000', on: '2026-10-31' },
        { order_id: 'O6', at: '2026-10-31 13:15:30.123456', on: '2026-10-31' },
        { order_id: 'O7', at: '2026-10-31 23:59:00.000000', on: '2026-10-31' },
      ]);
    });

    it('America/New_York: a DST-gap local time takes the offset before the change, an ambiguous one the offset after', async () => {
      await truncateAll(db.pool);
      const imp = importer(db.pool, 'America/New_York');
      await importValid(imp, ['teams', 'agents', 'customers']);
      const csv = [
        'order_id,customer_id,ordered_at,amount',
        'N1,C1,2026-03-08 02:30,1', // gap (02:00 → 03:00): read with EST, -05:00 → 07:30Z
        'N2,C1,2026-11-01 01:30,1', // ambiguous (01:00–02:00 twice): the offset after, EST → 06:30Z
        'N3,C1,2026-07-01,1', // date only: local midnight, EDT → 04:00Z
        'N4,C1,2026-03-08T02:30:00-04:00,1', // an explicit offset is exact
        'N5,C1,2026-11-01T00:30:00-04:00,1', // 04:30Z, local date 2026-11-01
        'N6,C1,2026-11-01T03:30:00Z,1', // 23:30 EDT on 2026-10-31
      ].join('\n');
      expect(await imp.importStream('orders', streamOf(csv), { source: 'inline' })).toMatchObject({ inserted: 6 });
      // The server's own rule for the same local times, for comparison.
      const pg = await db.pool.query(
        `select ${UTC(`'2026-03-08 02:30'::timestamp at time zone 'America/New_York'`)} as gap,
                ${UTC(`'2026-11-01 01:30'::timestamp at time zone 'America/New_York'`)} as amb`,
      );
      expect(pg.rows[0]).toEqual({ gap: '2026-03-08 07:30:00.000000', amb: '2026-11-01 06:30:00.000000' });
      const { rows } = await db.pool.query(`select order_id, ${UTC('ordered_at')} as at, ordered_on::text as on from orders order by 1`);
      expect(rows).toEqual([
        { order_id: 'N1', at: '2026-03-08 07:30:00.000000', on: '2026-03-08' },
        { order_id: 'N2', at: '2026-11-01 06:30:00.000000', on: '2026-11-01' },
        { order_id: 'N3', at: '2026-07-01 04:00:00.000000', on: '2026-07-01' },
        { order_id: 'N4', at: '2026-03-08 06:30:00.000000', on: '2026-03-08' },
        { order_id: 'N5', at: '2026-11-01 04:30:00.000000', on: '2026-11-01' },
        { order_id: 'N6', at: '2026-11-01 03:30:00.000000', on: '2026-10-31' },
      ]);
    });

    it('does not depend on the session TimeZone of the pooled connection', async () => {
      await truncateAll(db.pool);
      const imp = importer(db.pool, 'Asia/Shanghai');
      await importValid(imp, ['teams', 'agents', 'customers']);
      const client = await db.pool.connect();
      // Set a session zone on every pooled connection (max 4) that the import might pick up.
      const others = await Promise.all([1, 2, 3].map(() => db.pool.connect()));
      for (const c of [client, ...others]) await c.query(`set timezone = 'Pacific/Kiritimati'`);
      for (const c of [client, ...others]) c.release();
      await imp.importStream('orders', streamOf('order_id,customer_id,ordered_at,amount\nL1,C1,2026-10-31 23:30,1\n'), { source: 'inline' });
      const { rows } = await db.pool.query(`select ${UTC('ordered_at')} as at, ordered_on::text as on from orders`);
      expect(rows).toEqual([{ at: '2026-10-31 15:30:00.000000', on: '2026-10-31' }]);
    });
  });

  describe('upserts', () => {
    beforeEach(async () => {
      await truncateAll(db.pool);
      await importValid(importer(db.pool), ['teams', 'agents', 'customers', 'orders']);
    });

    it('a changed row updates that record only (12.5 and 12.50 are the same money)', async () => {
      const imp = importer(db.pool);
      const csv = [
        'order_id,customer_id,ordered_at,amount,gross_margin,status',
        'O1,C1,2026-10-31T23:30:00+08:00,100,30.0,COMPLETED', // same values, other spellings
        'O2,C1,2026-10-31T16:30:00Z,12.50,,refunded', // same
        'O3,C2,2026-11-01 08:00:00,0,,cancelled', // status changed
        'O9,C3,2026-12-01,7.25,,', // new
      ].join('\n');
      expect(await imp.importStream('orders', streamOf(csv), { source: 'inline' })).toEqual({
        entity: 'orders',
        rows: 4,
        inserted: 1,
        updated: 1,
        unchanged: 2,
      });
      const { rows } = await db.pool.query(`select order_id, status, amount::text from orders where order_id in ('O3', 'O9') order by 1`);
      expect(rows).toEqual([
        { order_id: 'O3', status: 'cancelled', amount: '0.00' },
        { order_id: 'O9', status: 'completed', amount: '7.25' },
      ]);
      expect((await rowCounts(db.pool)).orders).toBe(8);
    });

    it('a missing optional column means null, so it overwrites', async () => {
      const imp = importer(db.pool);
      const s = await imp.importStream('orders', streamOf('order_id,customer_id,ordered_at,amount\nO1,C1,2026-10-31T23:30:00+08:00,100.00\n'), {
        source: 'inline',
      });
      expect(s).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
      const { rows } = await db.pool.query(`select gross_margin, status from orders where order_id = 'O1'`);
      expect(rows).toEqual([{ gross_margin: null, status: 'completed' }]);
    });

    it('two agents may swap e-mail addresses in one file', async () => {
      const imp = importer(db.pool);
      const csv = 'agent_id,name,email,team_id,hired_on\nA2,"O\'Brien, Pat",q@example.com,T-EAST-1,2025-03-01\nA4,Quote,PAT@example.com,T-ROOT,2026-01-05\n';
      expect(await imp.importStream('agents', streamOf(csv), { source: 'inline' })).toMatchObject({ updated: 2 });
      const { rows } = await db.pool.query(`select agent_id, email from agents where agent_id in ('A2', 'A4') order by 1`);
      expect(rows).toEqual([
        { agent_id: 'A2', email: 'q@example.com' },
        { agent_id: 'A4', email: 'PAT@example.com' },
      ]);
    });

    it('a team may move under another team as long as no cycle results', async () => {
      const imp = importer(db.pool);
      const s = await imp.importStream('teams', streamOf('team_id,name,parent_team_id\nT-WEST,West 🚀 Team,T-EAST-1\n'), { source: 'inline' });
      expect(s).toMatchObject({ updated: 1 });
    });
  });
});
