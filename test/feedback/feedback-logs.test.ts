import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http-app';
import type { Role } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase } from '../support/test-database';
import { setClock } from './feedback-support';
import type { TestApp } from '../support/test-app';

/**
 * No log line reveals who said what: the application's real request logging (pino, level
 * trace) is captured while raters answer — valid and invalid — and results are read; no
 * answer, comment or request body appears in it.
 */
describe('360 feedback: request logs carry no bodies', () => {
  const lines: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  let app: NestExpressApplication;
  let drop: () => Promise<void>;
  let http: ReturnType<typeof request>;
  const SECRET = 'LOG-SECRET-comment-77aa';

  beforeAll(async () => {
    // pino writes through process.stdout.write when it has been replaced
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    const db = await createTestDatabase();
    drop = db.drop;
    const config = loadConfig({ JWT_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'trace', ORG_TIMEZONE: 'UTC' });
    app = await createHttpApp(config, db.url, { logs: true });
    await app.listen(0, '127.0.0.1');
    http = request(app.getHttpServer());
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(`insert into teams (team_id, name, parent_team_id) values ('T1', 'Team', null)`);
    await c.query(`insert into agents (agent_id, name, team_id, hired_on) values ('A1','Ana','T1','2025-01-01'),('A2','Li','T1','2025-01-01'),('A3','Bo','T1','2025-01-01'),('A4','Dana','T1','2025-01-01')`);
    await c.end();
  });
  afterAll(async () => {
    await app.close();
    await drop();
    process.stdout.write = realWrite;
  });

  const login = async (role: Role, email: string, agentId: string | null = null) => {
    await app.get(UsersService).save({ email, password: 'a-long-password', role, agentId, teamIds: [] }, { upsert: true });
    return (await http.post('/api/v1/auth/login').send({ email, password: 'a-long-password' }).expect(200)).body.access_token as string;
  };

  it('logs requests (method, url, status) but never an answer, a comment or a body', async () => {
    const t = { app } as unknown as TestApp;
    setClock(t, '2026-10-02T00:00:00Z');
    const hr = await login('hr', 'hr@test.yardstick');
    const li = await login('agent', 'li@example.com', 'A2');
    const bo = await login('agent', 'bo@test.yardstick', 'A3');
    const dana = await login('agent', 'dana@example.com', 'A4');
    const cycle = await http
      .post('/api/v1/feedback-cycles')
      .set('Authorization', `Bearer ${hr}`)
      .send({
        name: 'Logged',
        opens_on: '2026-10-01',
        closes_on: '2026-10-10',
        competencies: [{ name: 'Teamwork', questions: [{ text: 'Helps others' }] }],
        subjects: ['A1'],
        assignments: ['li@example.com', 'bo@test.yardstick', 'dana@example.com'].map((e) => ({ subject_agent_id: 'A1', group: 'peer', rater_email: e })),
      })
      .expect(201);
    const id = cycle.body.id as number;
    const qid = cycle.body.competencies[0].questions[0].id as number;
    const url = `/api/v1/feedback-cycles/${id}/responses/A1`;
    for (const [token, rating] of [[li, 5], [bo, 2], [dana, 4]] as const) {
      await http.put(url).set('Authorization', `Bearer ${token}`).send({ answers: [{ question_id: qid, rating }], comment: `${SECRET}-${rating}` }).expect(201);
    }
    // an invalid body, echoing the rater's own value back to the rater only
    const bad = await http.put(url).set('Authorization', `Bearer ${li}`).send({ answers: [{ question_id: qid, rating: `${SECRET}-bad` }] }).expect(422);
    expect(JSON.stringify(bad.body)).toContain(`${SECRET}-bad`);
    setClock(t, '2026-10-11T00:00:00Z');
    const results = await http.get(`/api/v1/feedback-cycles/${id}/results/A1`).set('Authorization', `Bearer ${hr}`).expect(200);
    expect(results.body.comments.map((c: { text: string }) => c.text)).toEqual([`${SECRET}-2`, `${SECRET}-4`, `${SECRET}-5`]);

    const log = lines.join('');
    // the capture works: the requests are there
    expect(log).toContain(url);
    expect(log).toContain(`/api/v1/feedback-cycles/${id}/results/A1`);
    expect(log).toMatch(/"statusCode":422/);
    // …but no body, no answer, no comment, no token
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain('"answers"');
    expect(log).not.toContain('"rating"');
    expect(log).not.toContain(li);
  });
});
