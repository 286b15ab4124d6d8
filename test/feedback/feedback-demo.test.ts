import { DemoService } from '../../src/demo/demo.service';
import { seedDemoFeedback } from '../../src/feedback/feedback-demo';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { as, setClock } from './feedback-support';

/** The demo's closed 360 cycle (seedDemoFeedback), on the small fixture kpi/basic. */
describe('seedDemoFeedback', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ORG_TIMEZONE: 'UTC' });
    await importFixture(t.app, 'kpi/basic');
    await t.app.get(DemoService).createUsers();
    setClock(t, '2026-11-23T09:00:00Z');
  });
  afterAll(() => t.close());

  it('creates a closed cycle whose results show shown, folded and hidden groups, and feeds the KPI', async () => {
    const seed = await seedDemoFeedback(t.app, { endMonth: '2026-10' });
    expect(seed).toMatchObject({ created: true, name: 'Demo 360 2026-10', opens_on: '2026-10-01', closes_on: '2026-10-20', subjects: ['A1', 'A2'] });
    expect(seed.users.map((u) => u.email)).toEqual([
      'peer1@demo.yardstick',
      'peer2@demo.yardstick',
      'peer3@demo.yardstick',
      'peer4@demo.yardstick',
      'report1@demo.yardstick',
      'report2@demo.yardstick',
      'customer1@demo.yardstick',
      'customer2@demo.yardstick',
    ]);

    // the demo credentials work, and the demo agent sees her own results
    const agent = (await t.http.post('/api/v1/auth/login').send({ email: 'agent@demo.yardstick', password: 'demo-agent-pass' }).expect(200)).body.access_token;
    const r = (await as(t, agent).get(`/api/v1/feedback-cycles/${seed.cycle_id}/results/A1`).expect(200)).body;
    expect(r.groups.map((g: { group: string; status: string; count: number }) => [g.group, g.status, g.count])).toEqual([
      ['self', 'shown', 1],
      ['manager', 'shown', 1],
      ['peer', 'shown', 3],
      ['direct_report', 'folded', 2],
      ['customer', 'folded', 1],
    ]);
    expect(r.others).toMatchObject({ status: 'shown', count: 3 });
    expect(r.feedback_360_score.groups.map((g: { group: string }) => g.group)).toEqual(['manager', 'others', 'peer']);
    expect(r.comments.map((c: { group: string }) => c.group)).toEqual(['self', 'manager', 'peer', 'peer', 'others', 'others']);

    const peer1 = (await t.http.post('/api/v1/auth/login').send({ email: 'peer1@demo.yardstick', password: 'demo-peer1-pass' }).expect(200)).body.access_token;
    const r2 = (await as(t, peer1).get(`/api/v1/feedback-cycles/${seed.cycle_id}/results/A2`).expect(200)).body;
    expect(r2.groups.find((g: { group: string }) => g.group === 'peer')).toMatchObject({ status: 'hidden', count: 2 });
    expect(JSON.stringify(r2)).not.toContain('rushes');

    const hr = (await t.http.post('/api/v1/auth/login').send({ email: 'hr@demo.yardstick', password: 'demo-hr-pass' }).expect(200)).body.access_token;
    const kpi = (await as(t, hr).get('/api/v1/agents/A1/kpis?period=2026-10').expect(200)).body.kpis.feedback_360_score;
    expect(kpi.value).toBeCloseTo(r.feedback_360_score.value, 12);
    expect(kpi.denominator).toBe(3);
  });

  it('is idempotent: a second run finds the cycle', async () => {
    const first = (await as(t, await t.login('hr')).get('/api/v1/feedback-cycles').expect(200)).body.cycles;
    const again = await seedDemoFeedback(t.app, { endMonth: '2026-10' });
    expect(again.created).toBe(false);
    expect(again.cycle_id).toBe(first[0].id);
    expect((await as(t, await t.login('hr')).get('/api/v1/feedback-cycles').expect(200)).body.cycles).toHaveLength(1);
  });
});
