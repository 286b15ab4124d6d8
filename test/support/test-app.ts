import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { createHttpApp } from '../../src/http-app';
import type { Role } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  config: AppConfig;
  databaseUrl: string;
  /** Creates (or updates) a user and returns a bearer token for it. */
  login(role: Role, opts?: { agentId?: string; teamIds?: string[]; email?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real HTTP application on its own cloned database, listening on an ephemeral port
 * (supertest drives it over real HTTP).
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ JWT_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent', ...env });
  const app = await createHttpApp(config, db.url, { logs: false });
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  let n = 0;
  return {
    app,
    http,
    config,
    databaseUrl: db.url,
    async login(role, opts = {}) {
      n += 1;
      const email = opts.email ?? `${role}${n}@test.yardstick`;
      const password = `pw-${role}-${n}-long`;
      await app.get(UsersService).save({ email, password, role, agentId: opts.agentId ?? null, teamIds: opts.teamIds ?? [] }, { upsert: true });
      const res = await http.post('/api/v1/auth/login').send({ email, password }).expect(200);
      return (res.body as { access_token: string }).access_token;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
