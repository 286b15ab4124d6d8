/**
 * Runs autocannon in a child process, so that the load generator has its own event loop and
 * does not share the application's (the app under test runs in the bench process). A worker
 * thread would not do: autocannon skips its result aggregation outside the main thread.
 */
import { fork } from 'node:child_process';

export interface LoadOptions {
  /** http://127.0.0.1:port */
  origin: string;
  /** request paths, spread over the connections (each connection starts at its own offset) */
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** a run of this length first, in the same child process, not measured: the generator's own code is warm when the measured run starts */
  warmupSeconds?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** milliseconds (autocannon records whole milliseconds, 2xx responses only) */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  /** CPU the load generator itself used, in cores (user + system time / wall time) */
  generatorCores: number;
}

const CHILD = 'YARDSTICK_BENCH_AUTOCANNON';

/**
 * One measured autocannon run in a fresh child process (same Node, same tsx loader), after
 * the warm-up run in that process; `onWarm` runs between the two (the measured run starts
 * when it has finished), so that the caller's own counters cover the measured run alone.
 */
export function runLoad(opts: LoadOptions, onWarm: () => Promise<void> = async () => undefined): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { execArgv: process.execArgv, env: { ...process.env, [CHILD]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: LoadResult | null = null;
    child.on('message', (m: { warm?: boolean; result?: LoadResult; error?: string }) => {
      if (m.warm) {
        onWarm().then(
          () => child.send({ go: true }),
          (err: unknown) => {
            child.kill();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      } else if (m.result) result = m.result;
      else if (m.error) reject(new Error(`autocannon: ${m.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`autocannon process exited with code ${code}`))));
    child.send(opts);
  });
}

async function work(opts: LoadOptions, seconds: number): Promise<LoadResult> {
  // autocannon is CommonJS without types
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<Record<string, any>>;
  const requests = opts.paths.map((path) => ({ method: 'GET', path }));
  let client = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: opts.origin,
    connections: opts.connections,
    duration: seconds,
    headers: opts.headers ?? {},
    requests,
    // each connection walks the same list from its own starting point
    setupClient: (c: { setRequests(r: unknown[]): void }) => {
      const offset = Math.floor(((client++ % opts.connections) * requests.length) / opts.connections);
      c.setRequests([...requests.slice(offset), ...requests.slice(0, offset)]);
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const generatorCores = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats as Record<string, { count: number }>)) statusCodes[code] = Number(v.count);
  return {
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    seconds: r.duration,
    generatorCores,
  };
}

if (process.env[CHILD] === '1' && process.send) {
  process.once('message', (opts: LoadOptions) => {
    const go = () => new Promise<void>((resolve) => process.once('message', () => resolve()));
    (async () => {
      if (opts.warmupSeconds) await work(opts, opts.warmupSeconds);
      const started = go();
      process.send!({ warm: true });
      await started;
      return work(opts, opts.seconds);
    })().then(
      (result) => process.send!({ result }, () => process.disconnect()),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }, () => process.exit(1)),
    );
  });
}
