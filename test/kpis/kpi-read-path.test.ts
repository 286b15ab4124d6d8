import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { HOT_READ_TTL_MS } from '../../src/common/hot-read-cache';
import { PG_POOL } from '../../src/database/database.module';
import { ImportsService } from '../../src/imports/imports.service';
import { KpiQueryService } from '../../src/kpis/kpi-query.service';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The hot read path GET /api/v1/agents/{id}/kpis?period=P of a published period: the agent's
 * team and the latest version come from copies at most HOT_READ_TTL_MS old that an import or a
 * publication in this process makes stale at once (src/common/hot-read-cache.ts); the
 * subject's snapshot row comes serialized from memory. Fixture kpi/basic (teams T-ROOT ⊃ T-EAST ⊃ T-E1,
 * T-ROOT ⊃ T-W1; agents A1, A2 in T-E1, A3 in T-EAST, A4, A5 in T-W1).
 */
describe('KPI read path of a published period', () => {
  let t: TestApp;
  let hr: string;
  const get = (url: string, token: string) => t.http.get(url).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp();
    await importFixture(t.app, 'kpi/basic');
    hr = await t.login('hr');
    await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200); // live first: nothing cached yet
    await t.http.post('/api/v1/periods/2026-10/publish').set('Authorization', `Bearer ${hr}`).send({}).expect(201);
  });
  afterAll(() => t.close());

  it('answers exactly what the versioned read answers, as JSON, from the second read on as well', async () => {
    const byVersion = await get('/api/v1/agents/A1/kpis?period=2026-10&version=1', hr).expect(200);
    for (let i = 0; i < 2; i++) {
      const latest = await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200);
      expect(latest.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(latest.text).toBe(byVersion.text);
      expect(latest.body).toMatchObject({ subject: { type: 'agent', id: 'A1', name: 'Ana Silva' }, period: '2026-10', status: 'published', version: 1, definitions_version: 1 });
    }
    const service = await t.app.get(KpiQueryService).forSubject('2026-10', 'agent', 'A1');
    expect(JSON.parse(byVersion.text)).toEqual(JSON.parse(JSON.stringify(service)));
  });

  it('keeps the scope rule: team leads see their teams’ agents, agents themselves, auditors nothing; unknown agents are 404', async () => {
    const eastLead = await t.login('team_lead', { teamIds: ['T-EAST'] });
    const westLead = await t.login('team_lead', { teamIds: ['T-W1'] });
    const a2 = await t.login('agent', { agentId: 'A2' });
    const auditor = await t.login('auditor');
    await get('/api/v1/agents/A1/kpis?period=2026-10', eastLead).expect(200); // T-E1 is a descendant of T-EAST
    await get('/api/v1/agents/A3/kpis?period=2026-10', eastLead).expect(200);
    await get('/api/v1/agents/A1/kpis?period=2026-10', westLead).expect(403);
    await get('/api/v1/agents/A2/kpis?period=2026-10', a2).expect(200);
    await get('/api/v1/agents/A1/kpis?period=2026-10', a2).expect(403);
    await get('/api/v1/agents/A1/kpis?period=2026-10', auditor).expect(403);
    const unknown = await get('/api/v1/agents/NOPE/kpis?period=2026-10', hr).expect(404);
    expect(unknown.body.detail).toContain('NOPE');
    await get('/api/v1/agents/NOPE/kpis?period=2026-10', westLead).expect(404);
    await get('/api/v1/agents/A1/kpis?period=2026-13', hr).expect(422);
  });

  it('sees an agent’s new team at once after an import in this process, and a new agent is 404 until a version includes it', async () => {
    const westLead = await t.login('team_lead', { teamIds: ['T-W1'] });
    await get('/api/v1/agents/A2/kpis?period=2026-10', westLead).expect(403);
    const imports = t.app.get(ImportsService);
    await imports.importStream(
      'agents',
      Readable.from(['agent_id,name,email,team_id,title,hired_on,left_on\nA2,Li Wei 李伟,li@example.com,T-W1,,2025-01-01,\nA6,New Agent,,T-W1,,2026-11-02,\n']),
      { source: 'moves.csv' },
    );
    await get('/api/v1/agents/A2/kpis?period=2026-10', westLead).expect(200);
    const eastLead = await t.login('team_lead', { teamIds: ['T-E1'] });
    await get('/api/v1/agents/A2/kpis?period=2026-10', eastLead).expect(403);
    const missing = await get('/api/v1/agents/A6/kpis?period=2026-10', hr).expect(404);
    expect(missing.body.detail).toContain('not part of published period 2026-10 (version 1)');
  });

  it('serves a new version from the request after its publication; the old one stays readable', async () => {
    const v1 = (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body;
    expect(v1.version).toBe(1);
    await t.app.get(ImportsService).importStream('orders', Readable.from(['order_id,customer_id,ordered_at,amount\nO98,C1,2026-10-21T10:00:00Z,100.00\n']), {
      source: 'late.csv',
    });
    await t.http.post('/api/v1/periods/2026-10/publish').set('Authorization', `Bearer ${hr}`).send({ reason: 'late order' }).expect(201);
    const v2 = (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body;
    expect(v2).toMatchObject({ status: 'published', version: 2 });
    expect(v2.kpis.revenue.value).toBe(v1.kpis.revenue.value + 100);
    const again = (await get('/api/v1/agents/A1/kpis?period=2026-10&version=1', hr).expect(200)).body;
    expect(again).toEqual(v1);
    // an agent added before version 2 is part of it
    await get('/api/v1/agents/A6/kpis?period=2026-10', hr).expect(200);
  });

  it('serves a version published by another process within HOT_READ_TTL_MS, and only versions that exist meanwhile', async () => {
    const v2 = (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body;
    expect(v2.version).toBe(2);
    // another instance publishes version 3 (a copy of version 2), straight into the database:
    // nothing in this process hears of it
    const pool = t.app.get<Pool>(PG_POOL);
    const client = await pool.connect();
    try {
      await client.query('begin');
      const old = await client.query<{ id: number }>(`select id from period_snapshots where period = '2026-10' and version = 2`);
      const ins = await client.query<{ id: number }>(
        `insert into period_snapshots (period, version, definitions_version, template_version_id, reason, data_version, settings, created_at, created_by)
         select period, 3, definitions_version, template_version_id, 'published by another instance', data_version, settings, now(), 'other'
           from period_snapshots where id = $1 returning id`,
        [old.rows[0].id],
      );
      await client.query(
        `insert into snapshot_subjects (snapshot_id, subject_type, subject_id, name, team_id, kpis, scorecard)
         select $1, subject_type, subject_id, name, team_id, kpis, scorecard from snapshot_subjects where snapshot_id = $2`,
        [ins.rows[0].id, old.rows[0].id],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    const published = performance.now();
    const seen: number[] = [];
    for (;;) {
      const r = (await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body;
      seen.push(r.version);
      if (r.version === 3) break;
      expect(performance.now() - published).toBeLessThan(HOT_READ_TTL_MS + 500);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // version 2 until the copy expired, then version 3 for good
    expect(new Set(seen.slice(0, -1))).toEqual(seen.length > 1 ? new Set([2]) : new Set());
    expect((await get('/api/v1/agents/A1/kpis?period=2026-10', hr).expect(200)).body.version).toBe(3);
    expect((await get('/api/v1/agents/A1/kpis?period=2026-10&version=2', hr).expect(200)).body).toEqual(v2);
  });
});
