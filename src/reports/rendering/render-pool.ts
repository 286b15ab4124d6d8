/**
 * Renders report view models to PDFs on worker threads, so that a process uses every core
 * while its main thread only loads data and builds view models.
 *
 * - size 0 renders inline on the calling thread (tests, one-off renders); size n starts n
 *   workers on first use, each with its own PdfRenderer (fonts loaded once per worker);
 * - one job per worker at a time; further jobs wait in a queue (first in, first out);
 * - a worker that dies fails its job and is replaced; `close()` ends them all;
 * - workers keep the process alive only while they have work.
 *
 * The worker file is ./render.worker.js in a build (dist). When this module runs from its
 * TypeScript source (jest, benches), the worker compiles ./render.worker.ts and its imports
 * with @swc/core (a dev dependency) the way jest does.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReportView } from '../domain/report-documents';
import type { RenderReply, RenderRequest } from './render.worker';

interface Job {
  id: number;
  view: ReportView;
  resolve: (pdf: Buffer) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** Registers a .ts loader built on @swc/core, then runs the worker module (CommonJS). */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { transformSync } = require(workerData.swc);
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(workerData.file);
`;

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** `size` worker threads; 0 renders inline. */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`render pool size must be a whole number ≥ 0, got ${size}`);
  }

  /** A view model's PDF. */
  async render(view: ReportView): Promise<Buffer> {
    if (this.closed) throw new Error('the render pool is closed');
    if (this.size === 0) {
      // required on first inline use only: a pool with workers never loads fonts on this thread
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PdfRenderer } = require('./pdf-renderer') as typeof import('./pdf-renderer');
      return PdfRenderer.instance().renderView(view);
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, view, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every worker; queued and running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the render pool was closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) s.job?.reject(new Error('the render pool was closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, view: job.view } satisfies RenderRequest);
    }
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, job: null };
    worker.on('message', (m: RenderReply) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      worker.unref();
      if ('error' in m) job.reject(new Error(`rendering failed: ${m.error}`));
      else job.resolve(Buffer.from(m.pdf));
      this.dispatch();
    });
    const fail = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.job?.reject(err);
      slot.job = null;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`render worker exited (code ${code})`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

function startWorker(): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `render.worker${ext}`);
  if (ext === '.ts') {
    return new Worker(TS_BOOTSTRAP, { eval: true, workerData: { file, swc: require.resolve('@swc/core') } });
  }
  return new Worker(file);
}
