/**
 * Draws the reports' Chart.js specifications (src/reports/domain/chart-specs.ts) through
 * chartjs-node-canvas: one reused chart canvas (and one Chart.js instance) per canvas size,
 * the report font registered with the canvas once, white opaque background, output as an
 * RGB PNG data URL for pdfmake (./png-encoder.ts explains why not the canvas' own PNG).
 *
 * ChartJSNodeCanvas itself creates a new canvas for every chart; the native memory of those
 * canvases (cairo surfaces, pango layouts) is freed only when V8 collects them, which it
 * does not hurry to do for objects that look small: a render worker grew past 400 MB. The
 * canvas here is created once per size and drawn over for every chart.
 */
import { registerFont, type Canvas } from 'canvas';
import type { Chart, ChartConfiguration } from 'chart.js';
import { ChartJSNodeCanvasBase } from 'chartjs-node-canvas';
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

/**
 * Pixels per layout pixel of the chart specifications. The specs lay charts out at twice
 * their size in the PDF (2 pixels per point); drawing them at 0.75 of that (1.5 pixels per
 * point, ~110 dpi in print) keeps them sharp on screen and paper and costs a third less
 * (rasterising, converting and compressing fewer pixels).
 */
export const CHART_PIXEL_RATIO = 0.75;

/** chartjs-node-canvas' Chart.js set-up (background, defaults) on one canvas that is reused. */
class ReusedChartCanvas extends ChartJSNodeCanvasBase {
  private canvas: Canvas | null = null;

  /** The chart's pixels (cairo ARGB32) and their dimensions. */
  renderRaw(config: ChartConfiguration, ratio: number): { raw: Buffer; width: number; height: number } {
    const canvas = (this.canvas ??= Object.assign(this._createCanvas(this._width, this._height), { style: {} }));
    // Chart.js sizes the chart from the canvas, then scales the canvas by the pixel ratio
    canvas.width = this._width;
    canvas.height = this._height;
    config.options = { ...config.options, responsive: false, animation: false, devicePixelRatio: ratio };
    const chart = new this._chartJs(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, config);
    try {
      return { raw: canvas.toBuffer('raw'), width: canvas.width, height: canvas.height };
    } finally {
      chart.destroy();
    }
  }
}

export class ChartRenderer {
  private readonly canvases = new Map<string, ReusedChartCanvas>();

  constructor() {
    if (endianness() !== 'LE') throw new Error('ChartRenderer reads the canvas pixels as little-endian BGRA');
    registerChartFonts();
  }

  private canvasFor(width: number, height: number): ReusedChartCanvas {
    const key = `${width}x${height}`;
    let c = this.canvases.get(key);
    if (!c) {
      c = new ReusedChartCanvas({
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
    const { raw, width, height } = this.canvasFor(spec.width, spec.height).renderRaw(config, CHART_PIXEL_RATIO);
    return encodeOpaquePng(raw, width, height);
  }

  /** The chart as a data URL, the form pdfmake takes for images. */
  renderDataUrl(spec: ChartSpec): string {
    return `data:image/png;base64,${this.renderPng(spec).toString('base64')}`;
  }
}
