import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../..');

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A real Yardstick service process (`src/main.ts` through SWC), as `npm start` runs it. */
export interface Instance {
  name: string;
  url: string;
  proc: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['-r', path.join(ROOT, 'test/support/swc-register.cjs'), '-e', `require(${JSON.stringify(path.join(ROOT, 'src/main.ts'))})`], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const collect = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`instance ${name} exited (${proc.exitCode}):\n${log.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`instance ${name} did not start:\n${log.slice(-20).join('\n')}`);
    await sleep(200);
  }
  return { name, url, proc, log, exited };
}

export async function stopInstance(i: Instance): Promise<void> {
  if (i.proc.exitCode !== null || i.proc.signalCode !== null) return;
  i.proc.kill('SIGTERM');
  const code = await Promise.race([i.exited, sleep(20_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') i.proc.kill('SIGKILL');
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function query<T extends Record<string, unknown>>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}
