import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestApp, type TestApp } from '../support/test-app';

const VALID = path.join(__dirname, '..', 'fixtures', 'import', 'valid');

/** POST /api/v1/imports/{entity} over real HTTP: text/csv and multipart, 422, 413, 415, roles. */
describe('import endpoint (HTTP)', () => {
  let t: TestApp;
  let hr: string;
  const count = async (table: string) => {
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      return Number((await c.query(`select count(*) as n from ${table}`)).rows[0].n);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    t = await createTestApp({ IMPORT_MAX_BYTES: '4kb' });
    hr = await t.login('hr');
  });
  afterAll(() => t.close());

  it('imports a text/csv body and reports inserted / updated / unchanged', async () => {
    const csv = readFileSync(path.join(VALID, 'teams.csv'));
    const first = await t.http.post('/api/v1/imports/teams').set('Authorization', `Bearer ${hr}`).set('content-type', 'text/csv').send(csv).expect(200);
    expect(first.body).toEqual({ entity: 'teams', rows: 4, inserted: 4, updated: 0, unchanged: 0 });
    const again = await t.http.post('/api/v1/imports/teams').set('Authorization', `Bearer ${hr}`).set('content-type', 'text/csv').send(csv).expect(200);
    expect(again.body).toEqual({ entity: 'teams', rows: 4, inserted: 0, updated: 0, unchanged: 4 });
  });

  it('imports a multipart upload (field "file")', async () => {
    const res = await t.http
      .post('/api/v1/imports/agents')
      .set('Authorization', `Bearer ${hr}`)
      .attach('file', path.join(VALID, 'agents.csv'))
      .expect(200);
    expect(res.body).toMatchObject({ entity: 'agents', rows: 4, inserted: 4 });
  });

  it('422 problem details list every invalid row with line, column, value and reason; nothing is written', async () => {
    const before = await count('customers');
    const body = 'customer_id,acquired_on,owner_agent_id\nC-OK,2026-01-01,\nC-BAD,2026-02-30,\nC-GHOST,2026-01-01,NOBODY\n';
    const res = await t.http.post('/api/v1/imports/customers').set('Authorization', `Bearer ${hr}`).set('content-type', 'text/csv').send(body).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, total_errors: 2 });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ line: 3, column: 'acquired_on', value: '2026-02-30' }),
      expect.objectContaining({ line: 4, column: 'owner_agent_id', value: 'NOBODY' }),
    ]);
    expect(await count('customers')).toBe(before);
  });

  it('413 for a file above IMPORT_MAX_BYTES, with nothing written', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `BIG${i},2026-01-01,`).join('\n');
    const res = await t.http
      .post('/api/v1/imports/customers')
      .set('Authorization', `Bearer ${hr}`)
      .set('content-type', 'text/csv')
      .send(`customer_id,acquired_on,owner_agent_id\n${rows}\n`);
    expect(res.status).toBe(413);
    expect(res.body.detail).toContain('IMPORT_MAX_BYTES');
    expect(await count('customers')).toBe(0);
  });

  it('415 for other media types, 404 for an unknown entity', async () => {
    await t.http.post('/api/v1/imports/teams').set('Authorization', `Bearer ${hr}`).send({ a: 1 }).expect(415);
    const nf = await t.http.post('/api/v1/imports/widgets').set('Authorization', `Bearer ${hr}`).set('content-type', 'text/csv').send('x\n').expect(404);
    expect(nf.body.detail).toContain('teams, agents');
  });

  it('only admin and hr may import; 401 without a token', async () => {
    for (const role of ['manager', 'team_lead', 'auditor'] as const) {
      const token = await t.login(role);
      await t.http.post('/api/v1/imports/teams').set('Authorization', `Bearer ${token}`).set('content-type', 'text/csv').send('team_id,name\nX,Y\n').expect(403);
    }
    await t.http.post('/api/v1/imports/teams').set('content-type', 'text/csv').send('team_id,name\nX,Y\n').expect(401);
    const admin = await t.login('admin');
    await t.http.post('/api/v1/imports/teams').set('Authorization', `Bearer ${admin}`).set('content-type', 'text/csv').send('team_id,name\nX,Y\n').expect(200);
  });
});
