/**
 * A render worker thread: owns its PdfRenderer (fonts, chart canvases) and turns the view
 * models it receives into PDF bytes, one at a time. Started by RenderPool.
 */
import { parentPort } from 'node:worker_threads';
import type { ReportView } from '../domain/report-documents';
import { PdfRenderer } from './pdf-renderer';

export interface RenderRequest {
  id: number;
  view: ReportView;
}

export type RenderReply = { id: number; pdf: ArrayBuffer } | { id: number; error: string };

if (!parentPort) throw new Error('render.worker must run in a worker thread (RenderPool starts it)');
const port = parentPort;

port.on('message', (m: RenderRequest) => {
  PdfRenderer.instance()
    .renderView(m.view)
    .then((pdf) => {
      // a copy the size of the PDF, transferred without another copy
      const bytes = new Uint8Array(pdf);
      port.postMessage({ id: m.id, pdf: bytes.buffer } satisfies RenderReply, [bytes.buffer]);
    })
    .catch((err: unknown) => {
      port.postMessage({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies RenderReply);
    });
});
