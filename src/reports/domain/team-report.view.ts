/**
 * The team scorecard's view model (issue 6, item 2): the team's composite and perspectives,
 * its KPI table, the ranking of its direct members with RAG cells, its sub-teams, the
 * distribution of its agents' scores and the trend. Pure.
 */
import { KPI_CATALOGUE, PERSPECTIVES, type Perspective } from '../../kpis/domain/kpi-catalogue';
import type { Rag } from '../../scorecards/domain/scoring';
import type { ScorecardSummary, TeamReportData } from './report-data';
import { formatCount, formatScore, formatShare, NO_VALUE, PERSPECTIVE_LABELS } from './report-format';
import {
  compositeSeries,
  displayName,
  insufficientMark,
  kpiTable,
  perspectiveRadar,
  perspectiveViews,
  periodLine,
  reportMeta,
  scoreRag,
  snapshotLine,
  templateLine,
  trendLabels,
  type BarChartData,
  type DocumentMeta,
  type ExtraSectionView,
  type FootnoteView,
  type KpiGroupView,
  type MarkView,
  type PerspectiveView,
  type ReportHeaderView,
  type SeriesChartData,
  type StackedBarChartData,
  type SummaryItem,
} from './report-view';
import { teamSectionViews } from './snapshot-sections.view';

export interface ScoreCellView {
  text: string;
  rag: Rag | null;
}

export interface RankingRowView {
  rank: string;
  name: string;
  id: string;
  composite: ScoreCellView;
  perspectives: ScoreCellView[];
  coverage: string;
  status: string;
}

export interface SubTeamRowView {
  name: string;
  id: string;
  composite: ScoreCellView;
  perspectives: ScoreCellView[];
  coverage: string;
  agents: string;
}

export interface TeamReportView {
  kind: 'team';
  meta: DocumentMeta;
  header: ReportHeaderView;
  marks: MarkView[];
  summary: SummaryItem[];
  perspectives: PerspectiveView[];
  comparisonLabel: string | null;
  kpiGroups: KpiGroupView[];
  /** the perspectives' column titles of the ranking and sub-team tables */
  perspectiveColumns: string[];
  ranking: RankingRowView[];
  subTeams: SubTeamRowView[];
  charts: {
    trend: SeriesChartData;
    histogram: BarChartData;
    ragCounts: StackedBarChartData;
    radar: SeriesChartData;
  };
  extraSections: ExtraSectionView[];
  footnotes: FootnoteView[];
}

/** Histogram bins of composite scores: [0, 10), [10, 20), … [110, 120]; the last bin includes the cap. */
export const HISTOGRAM_BIN = 10;
export const HISTOGRAM_MAX = 120;

export function buildTeamReportView(d: TeamReportData, extraSections: ExtraSectionView[] = []): TeamReportView {
  const card = d.team.scorecard;
  const name = displayName(d.team);
  const orgCard = d.org?.scorecard ?? null;
  const { groups, footnotes } = kpiTable(card, d.team.kpis, d.snapshot.lowSampleMin);
  const marks: MarkView[] = [];
  const insufficient = insufficientMark(card);
  if (insufficient) marks.push(insufficient);
  const perspectives = PERSPECTIVES.filter((p) => p in card.perspectives);
  const ranked = d.members.filter((m) => m.rank !== null).length;
  const subtreeScored = d.subtreeAgents.filter((a) => a.composite !== null);
  return {
    kind: 'team',
    meta: reportMeta('Team', name, d.snapshot),
    header: {
      title: 'Team scorecard',
      subject: name,
      lines: [
        { label: 'Team', value: `${name} (${d.team.id})` },
        { label: 'Parent team', value: d.parent ? `${displayName(d.parent)} (${d.parent.id})` : NO_VALUE },
        periodLine(d.snapshot),
        templateLine(card),
        snapshotLine(d.snapshot),
      ],
    },
    marks,
    summary: [
      { label: 'Composite score', value: formatScore(card.composite_score), rag: scoreRag(card.composite_score) },
      { label: 'Coverage', value: formatShare(card.coverage), rag: null },
      { label: 'Direct members', value: `${formatCount(d.members.length)} (${formatCount(ranked)} ranked)`, rag: null },
      { label: 'Agents incl. sub-teams', value: formatCount(d.subtreeAgents.length), rag: null },
      { label: 'Organisation composite', value: orgCard ? formatScore(orgCard.composite_score) : NO_VALUE, rag: scoreRag(orgCard?.composite_score) },
    ],
    perspectives: perspectiveViews(card, orgCard),
    comparisonLabel: orgCard ? 'Organisation' : null,
    kpiGroups: groups,
    perspectiveColumns: perspectives.map((p) => PERSPECTIVE_LABELS[p]),
    ranking: rankingRows(d.members, perspectives),
    subTeams: d.subTeams.map((t) => ({
      name: displayName(t),
      id: t.id,
      composite: cell(t.composite),
      perspectives: perspectives.map((p) => cell(t.perspectives[p] ?? null)),
      coverage: formatShare(t.coverage),
      agents: formatCount(d.subtreeAgents.filter((a) => a.teamId !== null && isInSubtree(a.teamId, t.id, d)).length),
    })),
    charts: {
      trend: {
        title: 'Composite score, last 12 months',
        labels: trendLabels(d.trend.team),
        series: [compositeSeries(name, d.trend.team, 'primary'), ...(d.trend.org ? [compositeSeries('Organisation', d.trend.org, 'comparison')] : [])],
      },
      histogram: histogram(subtreeScored.map((a) => a.composite as number), `Agents' composite scores (${formatCount(subtreeScored.length)} agents)`),
      ragCounts: ragCounts(card.kpis.map((k) => k.key), d.subtreeAgents),
      radar: perspectiveRadar('Perspective scores', card, name, orgCard ? { label: 'Organisation', card: orgCard } : null),
    },
    extraSections: [...teamSectionViews(d.sections), ...extraSections],
    footnotes,
  };
}

function cell(score: number | null): ScoreCellView {
  return { text: formatScore(score), rag: scoreRag(score) };
}

/** Ranked members first (by rank, then id), then the unranked by id (as the scorecard lists them). */
function rankingRows(members: ScorecardSummary[], perspectives: Perspective[]): RankingRowView[] {
  const sorted = [...members].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.map((m) => ({
    rank: m.rank === null ? NO_VALUE : formatCount(m.rank),
    name: displayName(m),
    id: m.id,
    composite: cell(m.composite),
    perspectives: perspectives.map((p) => cell(m.perspectives[p] ?? null)),
    coverage: formatShare(m.coverage),
    status: m.status === 'insufficient_data' ? 'insufficient data' : 'ok',
  }));
}

/**
 * Whether team `teamId` is `root` or below it. The sub-team agent counts use the snapshot's
 * own team tree: subtreeAgents carry their team, and a sub-team's subtree is found through
 * the subtree agents' teams' parents given in `teamParents`.
 */
function isInSubtree(teamId: string, root: string, d: TeamReportData): boolean {
  const parents = teamParents(d);
  let t: string | null = teamId;
  for (let guard = 0; t !== null && guard < 1000; guard += 1) {
    if (t === root) return true;
    t = parents.get(t) ?? null;
  }
  return false;
}

const parentCache = new WeakMap<TeamReportData, Map<string, string | null>>();
function teamParents(d: TeamReportData): Map<string, string | null> {
  let m = parentCache.get(d);
  if (!m) {
    m = new Map<string, string | null>(d.teamTree.map((t) => [t.id, t.parentId]));
    parentCache.set(d, m);
  }
  return m;
}

/** Composite scores counted in bins of HISTOGRAM_BIN; scores at the cap fall into the last bin. */
export function histogram(scores: number[], title: string): BarChartData {
  const bins = HISTOGRAM_MAX / HISTOGRAM_BIN;
  const values = new Array<number>(bins).fill(0);
  for (const s of scores) values[Math.min(Math.max(Math.floor(s / HISTOGRAM_BIN), 0), bins - 1)] += 1;
  const labels = values.map((_, i) => `${i * HISTOGRAM_BIN}–${(i + 1) * HISTOGRAM_BIN}`);
  return { title, labels, values };
}

/** Per template KPI, how many agents are green, amber, red or without a score. */
export function ragCounts(keys: string[], agents: ScorecardSummary[]): StackedBarChartData {
  const count = (i: number, r: Rag | null) => agents.filter((a) => (a.rags[i] ?? null) === r).length;
  return {
    title: `RAG per KPI (${formatCount(agents.length)} agents)`,
    labels: keys.map((k) => KPI_CATALOGUE[k as keyof typeof KPI_CATALOGUE]?.label ?? k),
    stacks: [
      { label: 'green', rag: 'green', values: keys.map((_, i) => count(i, 'green')) },
      { label: 'amber', rag: 'amber', values: keys.map((_, i) => count(i, 'amber')) },
      { label: 'red', rag: 'red', values: keys.map((_, i) => count(i, 'red')) },
      { label: 'no value', rag: 'none', values: keys.map((_, i) => count(i, null)) },
    ],
  };
}
