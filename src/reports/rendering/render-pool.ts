/**
 * Renders report view models to PDFs in worker processes, so that a server uses every core
 * while its main thread only loads data and builds view models.
 *
 * - size 0 renders inline on the calling thread (tests, one-off renders); size n starts n
 *   worker processes on first use, each with its own PdfRenderer (fonts loaded once per
 *   worker). Processes, not threads: ./render.worker.ts explains why;
 * - one job per worker at a time; further jobs wait in a queue (first in, first out);
 * - a worker that dies fails its job and is replaced on the next job; `close()` asks every
 *   worker to end and kills the ones that do not within 10 s;
 * - workers keep the parent process alive only while they have work.
 *
 * The worker is ./render.worker.js in a build (dist). When this module runs from its
 * TypeScript source (jest, benches), the worker compiles ./render.worker.ts and its imports
 * with @swc/core (a dev dependency) the way jest does.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReportView } from '../domain/report-documents';
import type { RenderReply, RenderRequest } from './render.worker';

interface Job {
  id: number;
  request: RenderRequest & { id: number };
  resolve: (reply: RenderReply) => void;
  reject: (err: Error) => void;
}

interface Slot {
  child: ChildProcess;
  job: Job | null;
}

export interface WorkerStats {
  pid: number;
  /** the worker's peak resident set size */
  maxRssBytes: number;
  rendered: number;
}

/** Registers a .ts loader built on @swc/core, then runs the worker module (CommonJS). argv: file, swc. */
const TS_BOOTSTRAP = `
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const [file, swc] = process.argv.slice(1);
const { transformSync } = require(swc);
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(file);
`;

const CLOSE_GRACE_MS = 10_000;

/**
 * V8 flags of the workers. Rendering allocates briskly and briefly (layout trees, image
 * data) while the live heap stays near 30 MB; 4 MB semi-spaces keep the young generation
 * small, and a 128 MB old space makes V8 collect it before it grows far beyond the live data
 * (measured with MALLOC_ARENA_MAX=2 below, 2,000-agent organisation, two workers: ~250 MB
 * each at 29–30 PDFs/s; without the old-space limit ~330–360 MB each at 30–37 PDFs/s; with 8
 * MB semi-spaces and glibc's default arenas ~355–365 MB at 25–27 PDFs/s).
 */
const WORKER_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=128'];

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** `size` worker processes; 0 renders inline. */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`render pool size must be a whole number ≥ 0, got ${size}`);
  }

  /** A view model's PDF. */
  async render(view: ReportView): Promise<Buffer> {
    if (this.closed) throw new Error('the render pool is closed');
    if (this.size === 0) {
      // required on first inline use only: a pool with workers never loads fonts in this process
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PdfRenderer } = require('./pdf-renderer') as typeof import('./pdf-renderer');
      return PdfRenderer.instance().renderView(view);
    }
    const reply = await this.submit({ type: 'render', id: 0, view });
    if ('error' in reply) throw new Error(`rendering failed: ${reply.error}`);
    if (!('pdf' in reply)) throw new Error('render worker sent no PDF');
    return Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength);
  }

  /** Peak memory and work of the running workers (empty inline or before the first render). */
  async stats(): Promise<WorkerStats[]> {
    const out: WorkerStats[] = [];
    // one request per running worker, each queued behind that worker's current job
    for (const slot of [...this.slots]) {
      const reply = await new Promise<RenderReply>((resolve, reject) => {
        const job: Job = { id: this.nextId++, request: { type: 'stats', id: 0 }, resolve, reject };
        job.request.id = job.id;
        this.runOn(slot, job, true);
      });
      if ('stats' in reply) out.push(reply.stats);
    }
    return out;
  }

  /** Ends every worker; queued and running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the render pool was closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) s.job?.reject(new Error('the render pool was closed'));
    await Promise.all(slots.map((s) => endChild(s.child)));
  }

  private submit(request: RenderRequest & { id: number }): Promise<RenderReply> {
    return new Promise<RenderReply>((resolve, reject) => {
      const id = this.nextId++;
      this.queue.push({ id, request: { ...request, id }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.runOn(slot, this.queue.shift()!, false);
    }
  }

  /** Sends a job to a worker (waiting for its current job first when `after` is set). */
  private runOn(slot: Slot, job: Job, after: boolean): void {
    if (slot.job) {
      if (!after) throw new Error('render worker is busy');
      const current = slot.job;
      const { resolve, reject } = current;
      current.resolve = (r) => {
        resolve(r);
        this.runOn(slot, job, true);
      };
      current.reject = (e) => {
        reject(e);
        job.reject(e);
      };
      return;
    }
    slot.job = job;
    setRef(slot.child, true);
    slot.child.send(job.request);
  }

  private spawn(): Slot {
    const child = startChild();
    const slot: Slot = { child, job: null };
    child.on('message', (m: RenderReply) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      setRef(child, false);
      job.resolve(m);
      this.dispatch();
    });
    const fail = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      const job = slot.job;
      slot.job = null;
      job?.reject(err);
      if (!this.closed) this.dispatch();
    };
    child.on('error', (err) => fail(err));
    child.on('exit', (code, signal) => fail(new Error(`render worker ${child.pid} exited (${signal ?? `code ${code}`})`)));
    setRef(child, false);
    this.slots.push(slot);
    return slot;
  }
}

/** Whether a worker keeps the parent's event loop alive (only while it has work). */
function setRef(child: ChildProcess, on: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  if (on) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

/** Asks a worker to end; kills it when it has not within CLOSE_GRACE_MS. */
async function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  setRef(child, true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
  try {
    child.send({ type: 'close' } satisfies RenderRequest);
  } catch {
    // the channel is gone already; the kill below ends it
  }
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function startChild(): ChildProcess {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `render.worker${ext}`);
  const options = {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[],
    serialization: 'advanced' as const,
    // cairo, pango and the PDF buffers allocate natively from every thread; glibc's default of
    // 8 malloc arenas per core keeps freed memory in each of them (measured: ~20–40 MB per worker)
    env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
  };
  if (ext === '.ts') return spawn(process.execPath, [...WORKER_FLAGS, '-e', TS_BOOTSTRAP, file, require.resolve('@swc/core')], options);
  return fork(file, [], { ...options, execArgv: WORKER_FLAGS });
}
