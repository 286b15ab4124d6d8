/**
 * The team scorecard as a pdfmake document definition (issue 6, item 2). Pure.
 *
 * Page 1: header, marks, summary, perspectives (with the organisation), the KPI table.
 * Page 2: the ranking of the direct members with RAG cells, the sub-teams.
 * Page 3: charts — composite trend, perspective radar, distribution of the agents'
 *         composite scores, RAG counts per KPI — then any extra sections (customers at
 *         risk, churn reasons), each kept whole on one page.
 * Last page: KPI definitions — right after the extra sections when there are any.
 */
import type { Content, TableCell } from 'pdfmake/interfaces';
import { barChart, CHART_SIZES, lineChart, radarChart, ragStackChart, type ChartSpec } from './chart-specs';
import {
  chartImage,
  chartRow,
  documentFrame,
  extraSectionsBlock,
  footnotesBlock,
  headerBlock,
  kpiTableBlock,
  marksBlock,
  overviewBlock,
  TABLE_LAYOUT,
  type ReportDocument,
} from './report-document';
import { MUTED, RAG_FILL } from './report-theme';
import type { ScoreCellView, TeamReportView } from './team-report.view';

export function teamReportDocument(v: TeamReportView): ReportDocument {
  const trend = lineChart('team_trend', v.charts.trend, 'half');
  const radar = radarChart('team_radar', v.charts.radar, 'half');
  const histogram = barChart('composite_histogram', v.charts.histogram, 'wide');
  // one bar per template KPI: the chart grows with the template
  const rag: ChartSpec = { ...ragStackChart('rag_counts', v.charts.ragCounts, 'wide'), height: Math.max(CHART_SIZES.wide.height, 90 + 34 * v.charts.ragCounts.labels.length) };
  const charts: ChartSpec[] = [trend, radar, histogram, rag];

  const content: Content[] = [
    ...headerBlock(v.header),
    ...marksBlock(v.marks),
    overviewBlock(v.summary, v.perspectives, v.comparisonLabel),
    ...kpiTableBlock(v.kpiGroups, v.meta.lowSampleMin),
    { text: 'Ranking of the direct members', style: 'h2', pageBreak: 'before' },
    ...rankingBlock(v),
    { text: 'Sub-teams', style: 'h2' },
    ...subTeamsBlock(v),
    { text: 'Trend and distribution', style: 'h2', pageBreak: 'before' },
    chartRow(chartImage(trend, 'half'), chartImage(radar, 'half')),
    { ...(chartImage(histogram, 'wide') as object), margin: [0, 0, 0, 8] } as Content,
    chartImage(rag, 'wide'),
  ];
  // after extra sections, the definitions follow on the same page (they are reference; no half-empty page)
  content.push(...extraSectionsBlock(v.extraSections, charts), ...footnotesBlock(v.footnotes, v.meta.definitionsVersion, v.extraSections.length === 0));
  return { definition: documentFrame(v.meta, content), charts };
}

function scoreCell(c: ScoreCellView): TableCell {
  return { text: c.text, alignment: 'right', fillColor: RAG_FILL[c.rag ?? 'none'] };
}

function rankingBlock(v: TeamReportView): Content[] {
  if (v.ranking.length === 0) return [{ text: 'The team has no direct members with a scorecard.', color: MUTED }];
  const header: TableCell[] = [
    { text: 'Rank', style: 'th', alignment: 'right' },
    { text: 'Agent', style: 'th' },
    { text: 'Composite', style: 'th', alignment: 'right' },
    ...v.perspectiveColumns.map((p): TableCell => ({ text: p, style: 'th', alignment: 'right' })),
    { text: 'Coverage', style: 'th', alignment: 'right' },
    { text: 'Status', style: 'th' },
  ];
  const body: TableCell[][] = [
    header,
    ...v.ranking.map((r): TableCell[] => [
      { text: r.rank, alignment: 'right', bold: true },
      { text: `${r.name} (${r.id})` },
      { ...(scoreCell(r.composite) as object), bold: true } as TableCell,
      ...r.perspectives.map(scoreCell),
      { text: r.coverage, alignment: 'right' },
      { text: r.status, color: r.status === 'ok' ? undefined : MUTED },
    ]),
  ];
  return [
    { table: { headerRows: 1, widths: [24, '*', 46, ...v.perspectiveColumns.map(() => 46), 38, 56], body, dontBreakRows: true }, layout: TABLE_LAYOUT },
    { text: 'Cells coloured by RAG of the score (green ≥ 100, amber ≥ 80, red below). Rank is among the direct members with a ranked scorecard.', style: 'small', margin: [0, 3, 0, 0] },
  ];
}

function subTeamsBlock(v: TeamReportView): Content[] {
  if (v.subTeams.length === 0) return [{ text: 'The team has no sub-teams.', color: MUTED }];
  const body: TableCell[][] = [
    [
      { text: 'Team', style: 'th' },
      { text: 'Composite', style: 'th', alignment: 'right' },
      ...v.perspectiveColumns.map((p): TableCell => ({ text: p, style: 'th', alignment: 'right' })),
      { text: 'Coverage', style: 'th', alignment: 'right' },
      { text: 'Agents', style: 'th', alignment: 'right' },
    ],
    ...v.subTeams.map((t): TableCell[] => [
      { text: `${t.name} (${t.id})` },
      { ...(scoreCell(t.composite) as object), bold: true } as TableCell,
      ...t.perspectives.map(scoreCell),
      { text: t.coverage, alignment: 'right' },
      { text: t.agents, alignment: 'right' },
    ]),
  ];
  return [{ table: { headerRows: 1, widths: ['*', 46, ...v.perspectiveColumns.map(() => 46), 38, 36], body, dontBreakRows: true }, layout: TABLE_LAYOUT }];
}

