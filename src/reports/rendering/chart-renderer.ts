/**
 * Draws the reports' Chart.js specifications (src/reports/domain/chart-specs.ts) through
 * chartjs-node-canvas: one reused ChartJSNodeCanvas (one Chart.js instance) per canvas size,
 * the report font registered with the canvas once, white opaque background, output as an
 * RGB PNG data URL for pdfmake (./png-encoder.ts explains why not the canvas' own PNG).
 */
import { registerFont } from 'canvas';
import type { Chart } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { endianness } from 'node:os';
import { CHART_FONT, INK } from '../domain/report-theme';
import type { ChartSpec } from '../domain/chart-specs';
import { encodeOpaquePng } from './png-encoder';
import { reportFonts } from './report-fonts';

let fontsRegistered = false;

/** Registers Noto Sans SC with the canvas (pango) once; must happen before the first canvas. */
function registerChartFonts(): void {
  if (fontsRegistered) return;
  const f = reportFonts();
  registerFont(f.regularPath, { family: CHART_FONT, weight: 'normal' });
  registerFont(f.boldPath, { family: CHART_FONT, weight: 'bold' });
  fontsRegistered = true;
}

/** Most canvases a renderer keeps (sizes differ only when a template changes the RAG chart's height). */
const MAX_CANVASES = 8;

export class ChartRenderer {
  private readonly canvases = new Map<string, ChartJSNodeCanvas>();

  constructor() {
    if (endianness() !== 'LE') throw new Error('ChartRenderer reads the canvas pixels as little-endian BGRA');
    registerChartFonts();
  }

  private canvasFor(width: number, height: number): ChartJSNodeCanvas {
    const key = `${width}x${height}`;
    let c = this.canvases.get(key);
    if (!c) {
      c = new ChartJSNodeCanvas({
        width,
        height,
        backgroundColour: 'white',
        chartCallback: (chartJs: typeof Chart) => {
          chartJs.defaults.font.family = CHART_FONT;
          chartJs.defaults.color = INK;
          chartJs.defaults.animation = false;
        },
      });
      if (this.canvases.size >= MAX_CANVASES) this.canvases.delete(this.canvases.keys().next().value as string);
      this.canvases.set(key, c);
    }
    return c;
  }

  /** The chart as an opaque RGB PNG. */
  renderPng(spec: ChartSpec): Buffer {
    // Chart.js mutates the configuration it is given: give it a copy. A JSON copy, not
    // structuredClone: the specs are plain data, and under jest structuredClone returns
    // objects of another realm, which Chart.js' legend then silently ignores.
    const config = JSON.parse(JSON.stringify(spec.config)) as ChartSpec['config'];
    const raw = this.canvasFor(spec.width, spec.height).renderToBufferSync(config, 'raw' as 'image/png');
    return encodeOpaquePng(raw, spec.width, spec.height);
  }

  /** The chart as a data URL, the form pdfmake takes for images. */
  renderDataUrl(spec: ChartSpec): string {
    return `data:image/png;base64,${this.renderPng(spec).toString('base64')}`;
  }
}
