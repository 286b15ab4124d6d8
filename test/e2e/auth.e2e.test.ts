import { UsersService } from '../../src/users/users.service';
import { createTestApp, type TestApp } from '../support/test-app';

describe('authentication, roles and problem details (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('/health reports the database', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
    expect(res.body.migrations).toBeGreaterThanOrEqual(1);
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/health', '/api/v1/auth/login', '/api/v1/users', '/api/v1/imports/{entity}']));
    expect(doc.body.components.schemas).toHaveProperty('TokenDto');
    await t.http.get('/docs').expect(200).expect('content-type', /html/);
  });

  it('logs in with e-mail and password and returns a JWT', async () => {
    await t.app.get(UsersService).save({ email: 'Mixed.Case@Test.Yardstick', password: 'correct horse battery', role: 'hr' }, { upsert: true });
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'mixed.case@test.yardstick', password: 'correct horse battery' }).expect(200);
    expect(res.body.access_token.split('.')).toHaveLength(3);
    expect(res.body.expires_in).toBe(t.config.jwtExpiresInSeconds);
    const me = await t.http.get('/api/v1/scorecard-templates').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
    expect(me.body.templates.length).toBeGreaterThan(0);
  });

  it('rejects a wrong password with 401 problem details', async () => {
    await t.login('hr', { email: 'someone@test.yardstick' });
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'someone@test.yardstick', password: 'wrong-password' }).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.any(String), title: 'Unauthorized', status: 401, detail: 'e-mail or password is wrong' });
    const unknown = await t.http.post('/api/v1/auth/login').send({ email: 'nobody@test.yardstick', password: 'whatever-pass' }).expect(401);
    expect(unknown.body.detail).toBe(res.body.detail);
  });

  it('stores passwords as argon2id hashes, never in clear', async () => {
    await t.login('auditor', { email: 'hash@test.yardstick' });
    const { Client } = await import('pg');
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    const r = await c.query("select password_hash from users where email = 'hash@test.yardstick'");
    await c.end();
    expect(r.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('401 without a token or with a forged one', async () => {
    const none = await t.http.get('/api/v1/users').expect(401);
    expect(none.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    await t.http.get('/api/v1/users').set('Authorization', 'Bearer not.a.jwt').expect(401);
    const { JwtService } = await import('@nestjs/jwt');
    const forged = new JwtService({ secret: 'another-secret-another-secret-0123456' }).sign({ sub: '1' });
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${forged}`).expect(401);
  });

  it('401 once a token has expired, though it was accepted (and its check remembered) before', async () => {
    const { JwtService } = await import('@nestjs/jwt');
    const { user: admin } = await t.app.get(UsersService).save({ email: 'short-lived@example.com', password: 'a-long-password-123', role: 'admin' }, { upsert: false });
    const signer = t.app.get(JwtService);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = signer.sign({ sub: String(admin.id), exp });
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${token}`).expect(200);
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${token}`).expect(200);
    // a token that differs in its signature only is not the remembered one
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${tampered}`).expect(401);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const expired = await t.http.get('/api/v1/users').set('Authorization', `Bearer ${token}`).expect(401);
    expect(expired.body).toMatchObject({ status: 401 });
  });

  it('only admins create users; 403 for other roles', async () => {
    const admin = await t.login('admin');
    for (const role of ['hr', 'manager', 'team_lead', 'auditor'] as const) {
      const token = await t.login(role);
      const res = await t.http
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${token}`)
        .send({ email: `x-${role}@test.yardstick`, password: 'long-enough', role: 'hr' })
        .expect(403);
      expect(res.body.status).toBe(403);
    }
    const created = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'new.hr@test.yardstick', password: 'long-enough', role: 'hr' })
      .expect(201);
    expect(created.body).toMatchObject({ email: 'new.hr@test.yardstick', role: 'hr', agent_id: null, team_ids: [], active: true });
    expect(created.body).not.toHaveProperty('password');
    expect(created.body).not.toHaveProperty('password_hash');
    await t.http.post('/api/v1/auth/login').send({ email: 'new.hr@test.yardstick', password: 'long-enough' }).expect(200);
    const dup = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'NEW.HR@test.yardstick', password: 'long-enough', role: 'hr' })
      .expect(409);
    expect(dup.body.title).toBe('Conflict');
  });

  it('validation errors are 422 problem details naming each field, never echoing passwords', async () => {
    const admin = await t.login('admin');
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'not-an-email', password: 'short', role: 'boss', extra: 1 })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'role', 'extra']));
    expect(JSON.stringify(res.body)).not.toContain('"short"');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('links agent users to an existing agent and team leads to existing teams', async () => {
    const admin = await t.login('admin');
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'lead@test.yardstick', password: 'long-enough', role: 'team_lead', team_ids: ['NOPE'] })
      .expect(422);
    expect(res.body.errors).toEqual([{ field: 'team_ids', value: 'NOPE', reason: 'unknown team' }]);
    const agent = await t.http
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'agent@test.yardstick', password: 'long-enough', role: 'agent' })
      .expect(422);
    expect(agent.body.errors[0]).toMatchObject({ field: 'agent_id' });
  });

  it('unknown routes are 404 problem details; malformed JSON is 400; oversized JSON is 413', async () => {
    const nf = await t.http.get('/api/v1/nothing-here').expect(404);
    expect(nf.body).toMatchObject({ status: 404, title: 'Not Found' });
    const bad = await t.http.post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":').expect(400);
    expect(bad.body).toMatchObject({ status: 400, detail: 'the request body is not valid JSON' });
    const big = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ email: 'a'.repeat(2 * 1024 * 1024), password: 'x' }))
      .expect(413);
    expect(big.body.status).toBe(413);
  });
});
