/**
 * The baseline of `npm run bench:reports`: the smallest useful PDF through the same renderer —
 * one line of text and one small bar chart (Chart.js on the reused canvas, Noto Sans SC) —
 * rendered on this thread, so that the report figures can be read against what pdfmake and
 * Chart.js cost at the least on this machine, in the same run.
 */
import type { ReportDocument } from '../../src/reports/domain/report-document';
import { barChart } from '../../src/reports/domain/chart-specs';
import { REPORT_FONT } from '../../src/reports/domain/report-theme';
import { PdfRenderer } from '../../src/reports/rendering/pdf-renderer';

export function minimalDocument(i: number): ReportDocument {
  const chart = barChart('c', { title: 'Baseline', labels: ['a', 'b', 'c'], values: [i % 5, 2, 3] }, 'half');
  return {
    definition: {
      info: { title: 'baseline', creationDate: new Date('2026-11-01T00:00:00Z'), producer: 'Yardstick', creator: 'Yardstick' },
      defaultStyle: { font: REPORT_FONT, fontSize: 9 },
      content: [{ text: `Baseline document ${i}` }, { image: 'c', width: 250 }],
    },
    charts: [chart],
  };
}

/** Median milliseconds (wall) of one minimal document, after a warm-up. */
export async function baselineMs(runs = 40): Promise<{ medianMs: number; bytes: number }> {
  const r = PdfRenderer.instance();
  let bytes = 0;
  for (let i = 0; i < 10; i++) bytes = (await r.render(minimalDocument(i))).length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await r.render(minimalDocument(i));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], bytes };
}
