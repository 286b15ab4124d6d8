/**
 * Chart.js configurations of the reports' charts, as plain data (no callbacks), so they can
 * be compared in tests, sent to a worker thread and rendered identically every time. The
 * renderer (src/reports/rendering/chart-renderer.ts) draws them on one reused canvas per size.
 *
 * Sizes are in canvas pixels, twice the points the PDF gives the image, which keeps lines and
 * labels sharp in print without paying for a larger canvas.
 */
import type { ChartConfiguration } from 'chart.js';
import type { BarChartData, ColouredStackedBarChartData, SeriesChartData, StackedBarChartData } from './report-view';
import { INK, MUTED, RAG_SOLID, RULE, SERIES_COLOURS } from './report-theme';

export interface ChartSpec {
  /** the image name the document definition refers to */
  id: string;
  width: number;
  height: number;
  config: ChartConfiguration;
}

/** Canvas sizes (pixels). Few sizes: the renderer keeps one canvas per size. */
export const CHART_SIZES = {
  half: { width: 500, height: 280 },
  wide: { width: 1020, height: 300 },
} as const;
export type ChartSize = keyof typeof CHART_SIZES;

/** Width (points) an image of each size takes in the PDF. */
export const CHART_POINTS: Readonly<Record<ChartSize, number>> = { half: 250, wide: 510 };

const TITLE_FONT = { size: 15, weight: 'bold' as const };
const TICK_FONT = { size: 12 };

function title(text: string) {
  return { display: true, text, color: INK, font: TITLE_FONT, padding: { top: 2, bottom: 6 } };
}

function legend(display: boolean) {
  return { display, position: 'bottom' as const, labels: { color: INK, font: TICK_FONT, boxWidth: 14, boxHeight: 8, padding: 8 } };
}

/** A line chart over months (trends): gaps where a month has no value; y from 0 to `max`. */
export function lineChart(id: string, d: SeriesChartData, size: ChartSize, max = 120): ChartSpec {
  return {
    id,
    ...CHART_SIZES[size],
    config: {
      type: 'line',
      data: {
        labels: d.labels,
        datasets: d.series.map((s, i) => ({
          label: s.label,
          data: s.values,
          borderColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
          backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
          borderWidth: s.emphasis === 'primary' ? 4 : 2,
          borderDash: s.emphasis === 'comparison' ? [8, 5] : [],
          pointRadius: s.emphasis === 'primary' ? 4 : 2.5,
          spanGaps: false,
        })),
      },
      options: {
        devicePixelRatio: 1,
        plugins: { title: title(d.title), legend: legend(true) },
        scales: {
          x: { ticks: { color: MUTED, font: TICK_FONT, autoSkip: false, maxRotation: 0 }, grid: { display: false } },
          y: { min: 0, max, ticks: { color: MUTED, font: TICK_FONT, stepSize: 20 }, grid: { color: RULE } },
        },
      },
    },
  };
}

/** A radar of perspective scores, 0…120. */
export function radarChart(id: string, d: SeriesChartData, size: ChartSize): ChartSpec {
  return {
    id,
    ...CHART_SIZES[size],
    config: {
      type: 'radar',
      data: {
        labels: d.labels,
        datasets: d.series.map((s, i) => ({
          label: s.label,
          data: s.values.map((v) => v ?? 0),
          borderColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
          backgroundColor: i === 0 ? 'rgba(31, 95, 168, 0.18)' : 'rgba(224, 123, 0, 0.08)',
          borderWidth: 2,
          pointRadius: 2,
        })),
      },
      options: {
        devicePixelRatio: 1,
        plugins: { title: title(d.title), legend: legend(d.series.length > 1) },
        scales: {
          r: {
            min: 0,
            max: 120,
            ticks: { stepSize: 40, color: MUTED, font: { size: 10 }, backdropColor: 'rgba(255, 255, 255, 0)' },
            pointLabels: { color: INK, font: TICK_FONT },
            grid: { color: RULE },
            angleLines: { color: RULE },
          },
        },
      },
    },
  };
}

/** A bar chart of counts (complaint categories, the composite histogram). */
export function barChart(id: string, d: BarChartData, size: ChartSize, opts: { horizontal?: boolean; colour?: string } = {}): ChartSpec {
  const horizontal = opts.horizontal ?? false;
  const countAxis = { beginAtZero: true, ticks: { color: MUTED, font: TICK_FONT, precision: 0 }, grid: { color: RULE } };
  const labelAxis = { ticks: { color: INK, font: TICK_FONT, autoSkip: false, maxRotation: 0 }, grid: { display: false } };
  return {
    id,
    ...CHART_SIZES[size],
    config: {
      type: 'bar',
      data: { labels: d.labels, datasets: [{ label: d.title, data: d.values, backgroundColor: opts.colour ?? SERIES_COLOURS[0] }] },
      options: {
        devicePixelRatio: 1,
        indexAxis: horizontal ? 'y' : 'x',
        plugins: { title: title(d.title), legend: legend(false) },
        scales: horizontal ? { x: countAxis, y: labelAxis } : { x: labelAxis, y: countAxis },
      },
    },
  };
}

/** Horizontal stacked bars of RAG counts per KPI. */
export function ragStackChart(id: string, d: StackedBarChartData, size: ChartSize): ChartSpec {
  return {
    id,
    ...CHART_SIZES[size],
    config: {
      type: 'bar',
      data: {
        labels: d.labels,
        datasets: d.stacks.map((s) => ({ label: s.label, data: s.values, backgroundColor: RAG_SOLID[s.rag] })),
      },
      options: {
        devicePixelRatio: 1,
        indexAxis: 'y',
        plugins: { title: title(d.title), legend: legend(true) },
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { color: MUTED, font: TICK_FONT, precision: 0 }, grid: { color: RULE } },
          y: { stacked: true, ticks: { color: INK, font: { size: 11 }, autoSkip: false }, grid: { display: false } },
        },
      },
    },
  };
}

/** Horizontal stacked bars of counts, one colour per stack (churn reasons by controllability). */
export function colouredStackChart(id: string, d: ColouredStackedBarChartData, size: ChartSize): ChartSpec {
  return {
    id,
    ...CHART_SIZES[size],
    config: {
      type: 'bar',
      data: {
        labels: d.labels,
        datasets: d.stacks.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.colour })),
      },
      options: {
        devicePixelRatio: 1,
        indexAxis: 'y',
        plugins: { title: title(d.title), legend: legend(true) },
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { color: MUTED, font: TICK_FONT, precision: 0 }, grid: { color: RULE } },
          y: { stacked: true, ticks: { color: INK, font: TICK_FONT, autoSkip: false }, grid: { display: false } },
        },
      },
    },
  };
}
