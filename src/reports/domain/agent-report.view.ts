/**
 * The agent scorecard's view model (issue 6, item 1): everything the PDF shows, formatted,
 * from the data of one published snapshot. Pure.
 */
import { ANONYMOUS_GROUPS, type RaterGroup, type ResultGroup } from '../../feedback/domain/anonymity';
import type { Rag } from '../../scorecards/domain/scoring';
import type { AgentReportData, AuditData, FeedbackData } from './report-data';
import { formatCount, formatNumber, formatScore, formatShare, NO_VALUE, periodLabel } from './report-format';
import {
  complaintsChart,
  compositeSeries,
  displayName,
  DISPUTED,
  insufficientMark,
  keyKpiSeries,
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
  type SummaryItem,
} from './report-view';
import { agentSectionViews } from './snapshot-sections.view';

export interface AuditRowView {
  date: string;
  channel: string;
  form: string;
  score: string;
  autoFail: string;
  /** 'DISPUTED' or 'final' */
  status: string;
  disputed: boolean;
}

export interface AuditsView {
  /** e.g. "3 audits, mean score 84.2, 1 auto-fail, 1 disputed" */
  summary: string;
  rows: AuditRowView[];
  /** e.g. "1 voided audit does not count." */
  note: string | null;
}

export interface FeedbackRowView {
  group: string;
  raters: string;
  mean: string;
  shown: string;
}

export interface FeedbackView {
  cycle: string;
  rows: FeedbackRowView[];
  score: string;
  note: string;
}

export interface AgentReportView {
  kind: 'agent';
  meta: DocumentMeta;
  header: ReportHeaderView;
  marks: MarkView[];
  summary: SummaryItem[];
  perspectives: PerspectiveView[];
  /** label of the perspectives' comparison column */
  comparisonLabel: string | null;
  kpiGroups: KpiGroupView[];
  charts: {
    /** the composite (the agent's and the team's) and the key KPIs' scores over 12 months */
    trend: SeriesChartData;
    radar: SeriesChartData;
    complaints: BarChartData | null;
  };
  audits: AuditsView;
  feedback: FeedbackView | null;
  /** sections added by later capabilities, after the evaluations */
  extraSections: ExtraSectionView[];
  footnotes: FootnoteView[];
}

const GROUP_LABELS: Record<ResultGroup, string> = {
  self: 'Self',
  manager: 'Manager',
  peer: 'Peers',
  direct_report: 'Direct reports',
  customer: 'Customers',
  others: 'Others (folded)',
};

export function buildAgentReportView(d: AgentReportData, extraSections: ExtraSectionView[] = []): AgentReportView {
  const card = d.agent.scorecard;
  const name = displayName(d.agent);
  const teamName = d.team ? displayName(d.team) : d.agent.teamId;
  const { groups, footnotes } = kpiTable(card, d.agent.kpis, d.snapshot.lowSampleMin);
  const marks: MarkView[] = [];
  const insufficient = insufficientMark(card);
  if (insufficient) marks.push(insufficient);
  const disputed = d.audits.filter((a) => a.disputed).length;
  if (disputed > 0) {
    marks.push({
      text: DISPUTED,
      detail: `${formatCount(disputed)} mystery-shopper audit${disputed === 1 ? ' of this period is' : 's of this period are'} disputed; ${disputed === 1 ? 'it counts' : 'they count'} until resolved.`,
    });
  }
  const teamCard = d.team?.scorecard ?? null;
  const trend: SeriesChartData = {
    title: 'Composite and key KPI scores, last 12 months',
    labels: trendLabels(d.trend.agent),
    series: [
      compositeSeries(`Composite ${name}`, d.trend.agent, 'primary'),
      ...(d.trend.team && teamName ? [compositeSeries(`Composite team ${teamName}`, d.trend.team, 'comparison')] : []),
      ...keyKpiSeries(card, d.trend.agent, 3),
    ],
  };
  return {
    kind: 'agent',
    meta: reportMeta('Agent', name, d.snapshot),
    header: {
      title: 'Agent scorecard',
      subject: name,
      lines: [
        { label: 'Agent', value: `${name} (${d.agent.id})` },
        { label: 'Team', value: teamName ? (d.team ? `${teamName} (${d.team.id})` : teamName) : NO_VALUE },
        periodLine(d.snapshot),
        templateLine(card),
        snapshotLine(d.snapshot),
      ],
    },
    marks,
    summary: [
      { label: 'Composite score', value: formatScore(card.composite_score), rag: scoreRag(card.composite_score) },
      { label: 'Rank in team', value: rankText(card.rank, card.team_size, card.status), rag: null },
      { label: 'Coverage', value: formatShare(card.coverage), rag: null as Rag | null },
      { label: 'Team composite', value: teamCard ? formatScore(teamCard.composite_score) : NO_VALUE, rag: scoreRag(teamCard?.composite_score) },
    ],
    perspectives: perspectiveViews(card, teamCard),
    comparisonLabel: teamCard ? 'Team' : null,
    kpiGroups: groups,
    charts: {
      trend,
      radar: perspectiveRadar('Perspective scores', card, name, teamCard && teamName ? { label: `Team ${teamName}`, card: teamCard } : null),
      complaints: complaintsChart(d.agent.kpis),
    },
    audits: auditsView(d.audits, d.voidedAudits, d.snapshot.period),
    feedback: d.feedback ? feedbackView(d.feedback) : null,
    extraSections: [...agentSectionViews(d.sections), ...extraSections],
    footnotes,
  };
}

function rankText(rank: number | null, teamSize: number | null, status: string): string {
  if (rank === null) return status === 'insufficient_data' ? 'not ranked (insufficient data)' : 'not ranked';
  return teamSize === null ? formatCount(rank) : `${formatCount(rank)} of ${formatCount(teamSize)}`;
}

function auditsView(audits: AuditData[], voided: number, period: string): AuditsView {
  const n = audits.length;
  const autoFails = audits.filter((a) => a.autoFailed).length;
  const disputed = audits.filter((a) => a.disputed).length;
  const note = voided > 0 ? `${formatCount(voided)} voided audit${voided === 1 ? ' does' : 's do'} not count.` : null;
  if (n === 0) return { summary: `No mystery-shopper audits in ${periodLabel(period)}.`, rows: [], note };
  // the same mean as mystery_shopper_score: Σ score / audits
  const mean = audits.reduce((s, a) => s + a.score, 0) / n;
  const parts = [`${formatCount(n)} audit${n === 1 ? '' : 's'}`, `mean score ${formatNumber(mean, 1)}`, `${formatCount(autoFails)} auto-fail${autoFails === 1 ? '' : 's'}`];
  if (disputed) parts.push(`${formatCount(disputed)} disputed`);
  return {
    summary: parts.join(', '),
    rows: audits.map((a) => ({
      date: a.visitedOn,
      channel: a.channel,
      form: `${a.form} v${a.formVersion}`,
      score: formatNumber(a.score, 1),
      autoFail: a.autoFailed ? `auto-fail: ${a.failedCriteria.join('; ') || 'critical item'}` : '',
      status: a.disputed ? DISPUTED : 'final',
      disputed: a.disputed,
    })),
    note,
  };
}

function feedbackView(f: FeedbackData): FeedbackView {
  const rows: FeedbackRowView[] = [];
  for (const g of f.groups) {
    if (g.status === 'no_responses') {
      rows.push({ group: GROUP_LABELS[g.group], raters: '0', mean: NO_VALUE, shown: 'no responses' });
    } else if (g.status === 'shown') {
      rows.push({ group: GROUP_LABELS[g.group], raters: formatCount(g.count), mean: g.mean === null ? NO_VALUE : formatNumber(g.mean, 2), shown: 'shown' });
    } else {
      // below the threshold: neither its raters' number nor a mean is shown on its own
      const anonymous = ANONYMOUS_GROUPS.includes(g.group as RaterGroup);
      rows.push({
        group: GROUP_LABELS[g.group],
        raters: NO_VALUE,
        mean: NO_VALUE,
        shown: g.status === 'folded' ? 'folded into others' : anonymous ? `hidden (fewer than ${f.minRaters} raters)` : 'hidden',
      });
    }
  }
  if (f.others) {
    rows.push({
      group: GROUP_LABELS.others,
      raters: f.others.status === 'shown' ? formatCount(f.others.count) : NO_VALUE,
      mean: f.others.status === 'shown' && f.others.mean !== null ? formatNumber(f.others.mean, 2) : NO_VALUE,
      shown: f.others.status === 'shown' ? 'shown' : `hidden (fewer than ${f.minRaters} raters)`,
    });
  }
  return {
    cycle: `${f.cycleName} (closed ${f.closesOn})`,
    rows,
    score: f.score.value === null ? NO_VALUE : formatNumber(f.score.value, 2),
    note: `Group means only (1–5). Anonymous groups are shown with at least ${f.minRaters} raters; smaller ones are folded into "others" or hidden. Self vs others gap: ${
      f.overall.gap === null ? NO_VALUE : formatNumber(f.overall.gap, 2)
    }.`,
  };
}
