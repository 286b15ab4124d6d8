/** `npm run cli -- run --period …` (api.md, CLI): a real process on the golden fixture kpi/basic. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importFixture } from '../support/fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
let t: TestApp;
let dir: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['-r', path.join(ROOT, 'test/support/swc-register.cjs'), path.join(ROOT, 'test/support/cli-entry.cjs'), ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        DATABASE_URL: t.databaseUrl,
        REPORTS_DIR: path.join(dir, 'reports'),
        OUTBOX_DIR: path.join(dir, 'outbox'),
        JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ys-run-cli-'));
  t = await createTestApp();
  await importFixture(t.app, 'kpi/basic');
  const hr = await t.login('hr', { email: 'hr.cli@test.yardstick' });
  await t.http.post('/api/v1/subscriptions').set('Authorization', `Bearer ${hr}`).send({ scope: 'org' }).expect(201);
  await t.app.close(); // the CLI process does the run on the same database
});

afterAll(async () => {
  await t.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it('runs the month: publishes, renders every PDF, writes the mail to the outbox; --json gives the run', async () => {
  const r = await cli(['run', '--period', '2026-10', '--json']);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const view = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; snapshot_version: number; progress: { done: number; total: number }; deliveries: { sent: number } };
  expect(view).toMatchObject({ status: 'succeeded', snapshot_version: 1, progress: { done: 8, total: 8 }, deliveries: { sent: 1 } });
  expect(readdirSync(path.join(dir, 'reports/2026-10/agents')).sort()).toEqual(['A1-v1.pdf', 'A2-v1.pdf', 'A3-v1.pdf', 'A4-v1.pdf']);
  expect(readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
});

it('does not run a finished month again without --force, and says so', async () => {
  const r = await cli(['run', '--period', '2026-10']);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('already succeeded');
  expect(r.stdout).toMatch(/run \d+ of 2026-10: succeeded; snapshot version 1; 8\/8 PDFs/);
});

it('fails with a one-line reason for a bad or unfinished period', async () => {
  const bad = await cli(['run', '--period', '2026-13']);
  expect(bad.code).toBe(1);
  expect(bad.stderr.trim().split('\n')).toEqual(['error: --period must be YYYY-MM, got "2026-13"']);
  const open = await cli(['run', '--period', '2099-01']);
  expect(open.code).toBe(1);
  expect(open.stderr).toMatch(/^error: period 2099-01 has not ended yet/m);
});
