/**
 * The parts every report view model shares: header, marks, the KPI table grouped by
 * perspective, the KPI footnotes, perspective scores and chart data. Pure: plain data in
 * (./report-data.ts), plain data out, every number already formatted for display
 * (./report-format.ts) — the document definitions only lay it out.
 */
import { COMPLAINT_CATEGORIES, KPI_CATALOGUE, KPI_KEYS, PERSPECTIVES, type KpiKey, type Perspective } from '../../kpis/domain/kpi-catalogue';
import type { ComplaintsBreakdown, KpiValue } from '../../kpis/domain/kpi-value';
import { rag, type Rag } from '../../scorecards/domain/scoring';
import type { FrozenScorecard, SnapshotInfo, SubjectData, TrendSeries } from './report-data';
import {
  formatCount,
  formatKpiDelta,
  formatKpiValue,
  formatLocalInstant,
  formatRatioPart,
  formatScore,
  NO_VALUE,
  PERSPECTIVE_LABELS,
  periodLabel,
  shortPeriodLabel,
} from './report-format';

export const INSUFFICIENT_DATA = 'INSUFFICIENT DATA';
export const DISPUTED = 'DISPUTED';

export interface HeaderLine {
  label: string;
  value: string;
}

export interface ReportHeaderView {
  /** 'Agent scorecard' | 'Team scorecard' */
  title: string;
  /** the subject's name */
  subject: string;
  /** e.g. Agent A1 · Team 华东一组 */
  lines: HeaderLine[];
}

/** A banner the reader must not miss. */
export interface MarkView {
  text: typeof INSUFFICIENT_DATA | typeof DISPUTED;
  detail: string;
}

export interface SummaryItem {
  label: string;
  value: string;
  rag: Rag | null;
}

export interface PerspectiveView {
  key: Perspective;
  label: string;
  score: string;
  rag: Rag | null;
  /** the comparison subject's score (team for an agent, organisation for a team) */
  comparison: string | null;
}

export interface KpiRowView {
  key: KpiKey;
  label: string;
  /** footnote number */
  note: number;
  value: string;
  /** template weight; '' when not scored */
  weight: string;
  target: string;
  score: string;
  rag: Rag | null;
  deltaPrevious: string;
  deltaYearAgo: string;
  sample: string;
  lowSample: boolean;
}

export interface KpiGroupView {
  title: string;
  /** false for the KPIs the template does not score */
  scored: boolean;
  rows: KpiRowView[];
}

export interface FootnoteView {
  n: number;
  key: KpiKey;
  text: string;
}

export interface LineSeries {
  label: string;
  values: (number | null)[];
  /** primary: the subject's composite (bold line); comparison: another subject's (dashed) */
  emphasis?: 'primary' | 'comparison';
}

/** Data of a line or radar chart: labels along the axis, one series per line. */
export interface SeriesChartData {
  title: string;
  labels: string[];
  series: LineSeries[];
}

export interface BarChartData {
  title: string;
  labels: string[];
  values: number[];
}

export interface StackedBarChartData {
  title: string;
  labels: string[];
  stacks: { label: string; rag: Rag | 'none'; values: number[] }[];
}

/** Stacked bars with a theme colour per stack (churn reasons by controllability). */
export interface ColouredStackedBarChartData {
  title: string;
  labels: string[];
  stacks: { label: string; colour: string; values: number[] }[];
}

/**
 * An optional section added by a capability after the fixed ones (win-back, customers at
 * risk, churn reasons, …): a title, lines of text and an optional table, so that new
 * content needs no change to the document builders.
 */
export interface ExtraSectionView {
  title: string;
  lines: string[];
  /** align: per column (default left) */
  table?: { header: string[]; rows: string[][]; align?: ('left' | 'right')[] };
  chart?: BarChartData;
  /** horizontal stacked bars (shown beside the table when there is one) */
  stackedChart?: ColouredStackedBarChartData;
}

export interface DocumentMeta {
  title: string;
  subject: string;
  /** the snapshot's created_at: the PDF's creation date */
  createdAt: string;
  /** footer text left of the page number */
  footer: string;
  /** the KPI rules' version the snapshot was computed with */
  definitionsVersion: number;
  /** LOW_SAMPLE_MIN of the snapshot, formatted; null when the snapshot did not record it */
  lowSampleMin: string | null;
}

export function reportMeta(kind: 'Agent' | 'Team', name: string, s: SnapshotInfo): DocumentMeta {
  return {
    title: `${kind} scorecard ${name} ${s.period}`,
    subject: `${kind} scorecard, ${periodLabel(s.period)}, snapshot version ${s.version}`,
    createdAt: s.createdAt,
    footer: `Yardstick · ${periodLabel(s.period)} · snapshot v${s.version} (${formatLocalInstant(s.createdLocal)})`,
    definitionsVersion: s.definitionsVersion,
    lowSampleMin: s.lowSampleMin === null ? null : formatCount(s.lowSampleMin),
  };
}

export function snapshotLine(s: SnapshotInfo): HeaderLine {
  return { label: 'Snapshot', value: `version ${s.version}, published ${formatLocalInstant(s.createdLocal)}` };
}

export function templateLine(card: FrozenScorecard): HeaderLine {
  return { label: 'Template', value: `${card.template.name} (version ${card.template.version})` };
}

export function periodLine(s: SnapshotInfo): HeaderLine {
  return { label: 'Period', value: `${periodLabel(s.period)} (${s.period})` };
}

/** A subject's display name: its name, else its id. */
export function displayName(s: { name: string | null; id: string }): string {
  return s.name && s.name.trim() !== '' ? s.name : s.id;
}

/** The RAG a composite or perspective score shows (default thresholds: green ≥ 100, amber ≥ 80). */
export function scoreRag(score: number | null | undefined): Rag | null {
  return rag(score ?? null);
}

export function insufficientMark(card: FrozenScorecard): MarkView | null {
  if (card.status !== 'insufficient_data') return null;
  return {
    text: INSUFFICIENT_DATA,
    detail: `Only ${formatCountShare(card.coverage)} of the template's weight has a value (at least 50% is needed): the scorecard is not ranked.`,
  };
}

function formatCountShare(share: number): string {
  return `${formatCount(share * 100)}%`;
}

// ---------------------------------------------------------------------------------------
// KPI table and footnotes

/** The KPIs a report lists: the template's, grouped by perspective, then every other KPI of the snapshot. */
export function kpiTable(card: FrozenScorecard, kpis: SubjectData['kpis'], lowSampleMin: number | null): { groups: KpiGroupView[]; footnotes: FootnoteView[] } {
  const groups: KpiGroupView[] = [];
  const footnotes: FootnoteView[] = [];
  let n = 0;
  const add = (rows: KpiRowView[], key: KpiKey, tk: FrozenScorecard['kpis'][number] | null) => {
    const v = kpis[key];
    if (!v && !tk) return;
    n += 1;
    rows.push(kpiRow(n, key, v ?? null, tk));
    footnotes.push({ n, key, text: footnoteText(key, v ?? null, tk, lowSampleMin) });
  };
  const inTemplate = new Set(card.kpis.map((k) => k.key));
  for (const perspective of PERSPECTIVES) {
    const mine = card.kpis.filter((k) => k.perspective === perspective);
    if (mine.length === 0) continue;
    const rows: KpiRowView[] = [];
    for (const k of mine) add(rows, k.key, k);
    groups.push({ title: PERSPECTIVE_LABELS[perspective], scored: true, rows });
  }
  const others: KpiRowView[] = [];
  for (const key of KPI_KEYS) if (!inTemplate.has(key)) add(others, key, null);
  if (others.length) groups.push({ title: 'Other KPIs (not scored)', scored: false, rows: others });
  return { groups, footnotes };
}

function isBreakdown(v: KpiValue | null): v is KpiValue<ComplaintsBreakdown> {
  return v !== null && typeof v.value === 'object' && v.value !== null;
}

function numberValue(v: KpiValue | null): number | null {
  return v === null || isBreakdown(v) ? null : (v.value as number | null);
}

function kpiRow(n: number, key: KpiKey, v: KpiValue | null, tk: FrozenScorecard['kpis'][number] | null): KpiRowView {
  const value = isBreakdown(v) ? `${formatCount(v.sample_size)} complaints` : formatKpiValue(key, tk ? tk.value : numberValue(v));
  return {
    key,
    label: KPI_CATALOGUE[key].label,
    note: n,
    value,
    weight: tk ? formatWeight(tk.weight) : '',
    target: tk ? formatKpiValue(key, tk.target) : '',
    score: tk ? formatScore(tk.score) : '',
    rag: tk?.rag ?? null,
    deltaPrevious: v ? formatKpiDelta(key, v.delta_previous) : NO_VALUE,
    deltaYearAgo: v ? formatKpiDelta(key, v.delta_year_ago) : NO_VALUE,
    sample: v ? formatCount(v.sample_size) : NO_VALUE,
    lowSample: v?.low_sample ?? tk?.low_sample ?? false,
  };
}

function formatWeight(w: number): string {
  // weights are usually whole; show up to two decimals without trailing zeros
  return String(Math.round(w * 100) / 100);
}

const CATEGORY_LABELS: Record<string, string> = {
  core_service_failure: 'core service failure',
  service_encounter: 'service encounter',
  pricing: 'pricing',
  inconvenience: 'inconvenience',
  failure_response: 'failure response',
  other: 'other',
};

/** A complaint category's readable name. */
export function complaintCategoryLabel(c: string): string {
  return CATEGORY_LABELS[c] ?? c.replace(/_/g, ' ');
}

/**
 * One line per KPI: its definition, what its numerator and denominator count (with this
 * month's numbers), a low sample, and for a scored KPI the floor (score 0) and target (100).
 * The sample size itself is the KPI table's n column.
 */
function footnoteText(key: KpiKey, v: KpiValue | null, tk: FrozenScorecard['kpis'][number] | null, lowSampleMin: number | null): string {
  const def = KPI_CATALOGUE[key];
  const parts = [`${def.label}: ${def.definition}.`];
  if (v) {
    if (isBreakdown(v)) {
      // contract order (the JSON read back from jsonb has its keys in another order)
      const cats = COMPLAINT_CATEGORIES.filter((c) => (v.value.by_category[c] ?? 0) > 0).map((c) => `${complaintCategoryLabel(c)} ${formatCount(v.value.by_category[c])}`);
      parts.push(cats.length ? `By category: ${cats.join(', ')}.` : 'No complaints.');
    } else if (def.numeratorLabel && def.denominatorLabel) {
      parts.push(
        `${capitalise(def.numeratorLabel)} ${formatRatioPart(key, 'numerator', v.numerator)} / ${def.denominatorLabel} ${formatRatioPart(key, 'denominator', v.denominator)}.`,
      );
    }
    if (v.low_sample) parts.push(`Low sample (${formatCount(v.sample_size)}${lowSampleMin !== null ? ` < ${formatCount(lowSampleMin)}` : ''}).`);
  }
  if (tk) parts.push(`Floor ${formatKpiValue(key, tk.floor)}, target ${formatKpiValue(key, tk.target)}.`);
  return parts.join(' ');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------
// Perspectives, trends, complaints

export function perspectiveViews(card: FrozenScorecard, comparison: FrozenScorecard | null): PerspectiveView[] {
  return PERSPECTIVES.filter((p) => p in card.perspectives).map((p) => {
    const score = card.perspectives[p] ?? null;
    const other = comparison ? (comparison.perspectives[p] ?? null) : undefined;
    return {
      key: p,
      label: PERSPECTIVE_LABELS[p],
      score: formatScore(score),
      rag: scoreRag(score),
      comparison: other === undefined ? null : formatScore(other),
    };
  });
}

/** Radar data: the template's perspectives, the subject and its comparison (null scores drawn as 0). */
export function perspectiveRadar(title: string, card: FrozenScorecard, own: string, comparison: { label: string; card: FrozenScorecard } | null): SeriesChartData {
  const keys = PERSPECTIVES.filter((p) => p in card.perspectives);
  const series: LineSeries[] = [{ label: own, values: keys.map((p) => card.perspectives[p] ?? null) }];
  if (comparison) series.push({ label: comparison.label, values: keys.map((p) => comparison.card.perspectives[p] ?? null) });
  return { title, labels: keys.map((p) => PERSPECTIVE_LABELS[p]), series };
}

export function trendLabels(t: TrendSeries): string[] {
  return t.periods.map(shortPeriodLabel);
}

export function compositeSeries(label: string, t: TrendSeries, emphasis: 'primary' | 'comparison'): LineSeries {
  return { label, values: t.values.map((v) => v?.composite ?? null), emphasis };
}

/**
 * The key KPIs of a scorecard for trend charts: the `n` template KPIs with the highest
 * weight (template order among equals).
 */
export function keyKpis(card: FrozenScorecard, n = 4): KpiKey[] {
  return card.kpis
    .map((k, i) => ({ k, i }))
    .sort((a, b) => b.k.weight - a.k.weight || a.i - b.i)
    .slice(0, n)
    .map(({ k }) => k.key);
}

/** The scores of the key KPIs over a trend, one series each. */
export function keyKpiSeries(card: FrozenScorecard, t: TrendSeries, n: number): LineSeries[] {
  return keyKpis(card, n).map((key) => ({ label: KPI_CATALOGUE[key].label, values: t.values.map((v) => v?.scores[key] ?? null) }));
}

export function complaintsChart(kpis: SubjectData['kpis']): BarChartData | null {
  const v = kpis.complaints_by_category;
  if (!v || !isBreakdown(v)) return null;
  // contract order, whatever order the stored JSON has its keys in
  return {
    title: `${KPI_CATALOGUE.complaints_by_category.label} (${formatCount(v.sample_size)})`,
    labels: COMPLAINT_CATEGORIES.map(complaintCategoryLabel),
    values: COMPLAINT_CATEGORIES.map((c) => v.value.by_category[c] ?? 0),
  };
}
