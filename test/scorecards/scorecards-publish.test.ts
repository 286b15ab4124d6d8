import { Client } from 'pg';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { ImportsService } from '../../src/imports/imports.service';
import { Readable } from 'node:stream';

/**
 * Scorecards on the golden fixture kpi/basic (values in its README) with a small template,
 * then publishing: frozen snapshot, versions, immutability.
 *
 * Template "Golden": retention (customer, w 2, floor 50 → target 100), FCR (internal, w 1, 0 → 50),
 * complaint_rate (customer, w 1, 60 → 0, lower is better), training_hours (learning, w 1, 0 → 2);
 * amber_at 80, cap 120.
 *  A1: retention 50 → 0; FCR 100/3 → 200/3; complaints 50 → 100·(50−60)/(0−60) = 50/3; training 2.5 → 125 → 120.
 *      composite = (2·0 + 200/3 + 50/3 + 120) / 5 = (250/3 + 120)/5 ≈ 40.667; customer = (0 + 50/3)/3
 *  A2: retention 100 → 100; FCR null; complaints 0 → 100; training 0 → 0. composite = (200 + 100 + 0)/4 = 75, coverage 4/5
 *  A3: retention null; FCR 100 → 200 → 120; complaints 100 → −66.7 → 0; training 1.25 → 62.5. composite = 182.5/3, coverage 3/5
 *  A4: only complaints 0 → 100 and training 0 → 0: coverage 2/5 < 0.5 → insufficient_data, not ranked
 *  A5 left before the period: no scorecard.
 *  T-E1 ranking: A2 (75) 1st, A1 2nd; team_size 2.
 */
describe('scorecards and publishing', () => {
  let t: TestApp;
  let hr: string;
  let templateId: number;
  const auth = () => ({ Authorization: `Bearer ${hr}` });

  beforeAll(async () => {
    t = await createTestApp();
    await importFixture(t.app, 'kpi/basic');
    hr = await t.login('hr');
    const res = await t.http
      .post('/api/v1/scorecard-templates')
      .set(auth())
      .send({
        name: 'Golden',
        is_default: true,
        kpis: [
          { key: 'customer_retention_rate', perspective: 'customer', weight: 2, floor: 50, target: 100 },
          { key: 'first_contact_resolution', perspective: 'internal_process', weight: 1, floor: 0, target: 50 },
          { key: 'complaint_rate', perspective: 'customer', weight: 1, floor: 60, target: 0 },
          { key: 'training_hours', perspective: 'learning_growth', weight: 1, floor: 0, target: 2 },
        ],
      })
      .expect(201);
    templateId = res.body.template_id;
    expect(res.body).toMatchObject({ name: 'Golden', version: 1, is_default: true });
  });
  afterAll(() => t.close());

  it('scores an agent exactly per the spec (clamp, cap, lower-is-better, RAG, perspectives, composite, rank)', async () => {
    const res = await t.http.get('/api/v1/agents/A1/scorecards/2026-10').set(auth()).expect(200);
    const a1 = res.body;
    expect(a1).toMatchObject({ period: '2026-10', period_status: 'live', version: null, status: 'ok', coverage: 1, rank: 2, team_size: 2 });
    expect(a1.template).toMatchObject({ template_id: templateId, name: 'Golden', version: 1 });
    const byKey = Object.fromEntries(a1.kpis.map((k: { key: string }) => [k.key, k]));
    expect(byKey.customer_retention_rate).toMatchObject({ value: 50, score: 0, rag: 'red', weight: 2 });
    expect(byKey.first_contact_resolution.score).toBeCloseTo(200 / 3, 10);
    expect(byKey.first_contact_resolution.rag).toBe('red');
    expect(byKey.complaint_rate.score).toBeCloseTo(50 / 3, 10);
    expect(byKey.training_hours).toMatchObject({ value: 2.5, score: 120, rag: 'green' });
    expect(a1.composite_score).toBeCloseTo((250 / 3 + 120) / 5, 10);
    expect(a1.perspectives.customer).toBeCloseTo(50 / 9, 10);
    expect(a1.perspectives.internal_process).toBeCloseTo(200 / 3, 10);
    expect(a1.perspectives.learning_growth).toBe(120);
    expect(a1.perspectives).not.toHaveProperty('financial');
  });

  it('coverage below 0.5 is insufficient data and not ranked; a leaver has no scorecard', async () => {
    const a2 = (await t.http.get('/api/v1/agents/A2/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(a2).toMatchObject({ status: 'ok', composite_score: 75, coverage: 0.8, rank: 1, team_size: 2 });
    const a3 = (await t.http.get('/api/v1/agents/A3/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(a3).toMatchObject({ status: 'ok', coverage: 0.6, rank: 1, team_size: 1 });
    expect(a3.composite_score).toBeCloseTo(182.5 / 3, 10);
    const a4 = (await t.http.get('/api/v1/agents/A4/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(a4).toMatchObject({ status: 'insufficient_data', coverage: 0.4, composite_score: 50, rank: null, team_size: 1 });
    const a5 = await t.http.get('/api/v1/agents/A5/scorecards/2026-10').set(auth()).expect(404);
    expect(a5.body.detail).toContain('no scorecard');
  });

  it('a team scorecard lists its direct members by rank', async () => {
    const e1 = (await t.http.get('/api/v1/teams/T-E1/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(e1.rank).toBeNull();
    expect(e1.agents.map((a: { agent_id: string; rank: number }) => [a.agent_id, a.rank])).toEqual([
      ['A2', 1],
      ['A1', 2],
    ]);
    // retention 75 → 50; FCR 100/3 → 200/3; complaints 100/3 → 400/9; training 2.5 → 120
    expect(e1.composite_score).toBeCloseTo((2 * 50 + 200 / 3 + 400 / 9 + 120) / 5, 10);
  });

  it('publishing freezes the period; later data does not change it; a recompute needs a reason and makes version 2', async () => {
    const pub = await t.http.post('/api/v1/periods/2026-10/publish').set(auth()).send({}).expect(201);
    expect(pub.body).toMatchObject({ period: '2026-10', version: 1, definitions_version: 1, reason: 'first publication' });
    const v1 = (await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set(auth()).expect(200)).body;
    expect(v1).toMatchObject({ status: 'published', version: 1 });
    expect(v1.kpis.revenue.value).toBe(50);
    const card1 = (await t.http.get('/api/v1/agents/A1/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(card1).toMatchObject({ period_status: 'published', version: 1, rank: 2 });

    // late data: another completed October order for C1 (owner A1)
    await t.app.get(ImportsService).importStream(
      'orders',
      Readable.from(['order_id,customer_id,ordered_at,amount\nO99,C1,2026-10-20T10:00:00Z,1000.00\n']),
      { source: 'late.csv' },
    );
    const still = (await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set(auth()).expect(200)).body;
    expect(still.kpis.revenue.value).toBe(50);
    expect(still.version).toBe(1);

    const again = await t.http.post('/api/v1/periods/2026-10/publish').set(auth()).send({}).expect(409);
    expect(again.body.detail).toContain('needs a reason');
    const v2 = await t.http.post('/api/v1/periods/2026-10/publish').set(auth()).send({ reason: 'late October orders' }).expect(201);
    expect(v2.body).toMatchObject({ version: 2, reason: 'late October orders' });
    const now = (await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set(auth()).expect(200)).body;
    expect(now).toMatchObject({ status: 'published', version: 2 });
    expect(now.kpis.revenue.value).toBe(1050);
    const old = (await t.http.get('/api/v1/agents/A1/kpis?period=2026-10&version=1').set(auth()).expect(200)).body;
    expect(old.kpis.revenue.value).toBe(50);
    const status = (await t.http.get('/api/v1/periods/2026-10').set(auth()).expect(200)).body;
    expect(status.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });

  it('the database refuses to change a published snapshot', async () => {
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      await expect(c.query("update snapshot_subjects set kpis = '{}'::jsonb where subject_id = 'A1'")).rejects.toThrow(/immutable/);
      await expect(c.query('delete from period_snapshots')).rejects.toThrow(/immutable/);
    } finally {
      await c.end();
    }
  });

  it('a template edit adds a version used by unpublished periods only', async () => {
    const edited = await t.http
      .put(`/api/v1/scorecard-templates/${templateId}`)
      .set(auth())
      .send({ name: 'Golden', kpis: [{ key: 'training_hours', perspective: 'learning_growth', weight: 1, floor: 0, target: 2 }] })
      .expect(200);
    expect(edited.body.version).toBe(2);
    expect(edited.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const published = (await t.http.get('/api/v1/agents/A1/scorecards/2026-10').set(auth()).expect(200)).body;
    expect(published.template.version).toBe(1);
    expect(published.kpis).toHaveLength(4);
    const live = (await t.http.get('/api/v1/agents/A1/scorecards/2026-09').set(auth()).expect(200)).body;
    expect(live.template.version).toBe(2);
    expect(live.kpis).toHaveLength(1);
  });

  it('rejects an invalid template naming the field', async () => {
    const res = await t.http
      .post('/api/v1/scorecard-templates')
      .set(auth())
      .send({ name: 'Broken', kpis: [{ key: 'csat', perspective: 'customer', weight: 1, floor: 80, target: 80 }] })
      .expect(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'kpis[0].floor' });
  });

  it('only hr and admin publish or edit templates; team leads see only their teams', async () => {
    const manager = await t.login('manager');
    await t.http.post('/api/v1/periods/2026-09/publish').set('Authorization', `Bearer ${manager}`).send({}).expect(403);
    const lead = await t.login('team_lead', { teamIds: ['T-W1'] });
    await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set('Authorization', `Bearer ${lead}`).expect(403);
    await t.http.get('/api/v1/teams/T-E1/scorecards/2026-10').set('Authorization', `Bearer ${lead}`).expect(403);
    await t.http.get('/api/v1/agents/A4/scorecards/2026-10').set('Authorization', `Bearer ${lead}`).expect(200);
    await t.http.get('/api/v1/org/kpis?period=2026-10').set('Authorization', `Bearer ${lead}`).expect(403);
    const agent = await t.login('agent', { agentId: 'A2' });
    await t.http.get('/api/v1/agents/A2/kpis?period=2026-10').set('Authorization', `Bearer ${agent}`).expect(200);
    await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set('Authorization', `Bearer ${agent}`).expect(403);
    const auditor = await t.login('auditor');
    await t.http.get('/api/v1/agents/A1/kpis?period=2026-10').set('Authorization', `Bearer ${auditor}`).expect(403);
  });

  it('cannot publish a month that has not ended', async () => {
    const res = await t.http.post('/api/v1/periods/2999-01/publish').set(auth()).send({}).expect(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'period' });
  });
});
