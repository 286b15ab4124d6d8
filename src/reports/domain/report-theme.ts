/**
 * Colours and the font family of reports, shared by the document definitions and the chart
 * specifications. Pure constants.
 */
import type { Rag } from '../../scorecards/domain/scoring';

/** The font family name of reports: Noto Sans SC (Latin and CJK), registered by the renderer. */
export const REPORT_FONT = 'NotoSansSC';
/** The same font's family name in the chart canvas. */
export const CHART_FONT = 'Noto Sans SC';

export const INK = '#1d2733';
export const MUTED = '#5b6673';
export const RULE = '#c9d1da';
export const HEADER_FILL = '#eef2f6';
export const ACCENT = '#1f5fa8';
export const WARNING = '#b3261e';

/** Cell fill and text colour of a RAG status. */
export const RAG_FILL: Readonly<Record<Rag | 'none', string>> = {
  green: '#bfe3c3',
  amber: '#ffe08a',
  red: '#f4b4ae',
  none: '#e6e9ed',
};

/** Solid RAG colours for charts. */
export const RAG_SOLID: Readonly<Record<Rag | 'none', string>> = {
  green: '#2e7d32',
  amber: '#f2a900',
  red: '#c62828',
  none: '#aab4bf',
};

/** Line colours of chart series, in order. */
export const SERIES_COLOURS = ['#1f5fa8', '#e07b00', '#2e7d32', '#8e44ad', '#c62828', '#00838f'];

/** Churn reasons by controllability: the company's share red, the rest blue, unknown grey. */
export const CONTROLLABILITY_COLOURS = {
  controllable: '#c62828',
  uncontrollable: '#1f5fa8',
  unknown: '#aab4bf',
} as const;
