/**
 * A render worker process: owns its PdfRenderer (fonts, chart canvases) and turns the view
 * models it receives over IPC into PDF bytes. Started and ended by RenderPool.
 *
 * A process, not a worker thread: node-canvas' text drawing (pango, fontconfig) keeps
 * process-wide state, and a worker thread that has drawn text crashes the whole process
 * when it ends (measured: segmentation fault on Worker.terminate(), and with two threads
 * even on a clean exit). A process ends cleanly and keeps the server alive if it crashes.
 */
import { PdfRenderer } from './pdf-renderer';
import type { ReportView } from '../domain/report-documents';

export type RenderRequest = { type: 'render'; id: number; view: ReportView } | { type: 'stats'; id: number } | { type: 'close' };

export type RenderReply =
  | { id: number; pdf: Uint8Array }
  | { id: number; error: string }
  | { id: number; stats: { pid: number; maxRssBytes: number; rendered: number } };

if (typeof process.send !== 'function') throw new Error('render.worker must run as a child process with an IPC channel (RenderPool starts it)');
const send = (m: RenderReply) => process.send!(m);
let rendered = 0;

// the pool went away (the server crashed or was killed): nothing left to render for
process.on('disconnect', () => process.exit(0));

process.on('message', (m: RenderRequest) => {
  switch (m.type) {
    case 'close':
      process.exit(0);
      break;
    case 'stats':
      send({ id: m.id, stats: { pid: process.pid, maxRssBytes: process.resourceUsage().maxRSS * 1024, rendered } });
      break;
    case 'render':
      PdfRenderer.instance()
        .renderView(m.view)
        .then((pdf) => {
          rendered += 1;
          send({ id: m.id, pdf });
        })
        .catch((err: unknown) => send({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
      break;
  }
});
