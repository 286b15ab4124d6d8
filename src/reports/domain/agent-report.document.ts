/**
 * The agent scorecard as a pdfmake document definition (issue 6, item 1). Pure.
 *
 * Page 1: header, marks (INSUFFICIENT DATA, DISPUTED), summary, perspectives, the KPI table.
 * Page 2: charts (composite and key KPI scores over 12 months, perspective radar, complaint
 *         reasons),
 *         the mystery-shopper summary, the 360 summary, then any extra sections (customers
 *         at risk), each kept whole on one page.
 * Last page: the definition of every KPI with its numerator and denominator — right after the
 *         extra sections when there are any, else on a page of its own.
 */
import type { Content, TableCell } from 'pdfmake/interfaces';
import type { AgentReportView } from './agent-report.view';
import { barChart, lineChart, radarChart, type ChartSpec } from './chart-specs';
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
import { MUTED, RAG_FILL, SERIES_COLOURS, WARNING } from './report-theme';

export function agentReportDocument(v: AgentReportView): ReportDocument {
  const charts: ChartSpec[] = [];
  const trend = lineChart('trend', v.charts.trend, 'wide');
  const radar = radarChart('perspective_radar', v.charts.radar, 'half');
  const complaints = v.charts.complaints ? barChart('complaints', v.charts.complaints, 'half', { horizontal: true, colour: SERIES_COLOURS[1] }) : null;
  charts.push(trend, radar, ...(complaints ? [complaints] : []));

  const content: Content[] = [
    ...headerBlock(v.header),
    ...marksBlock(v.marks),
    overviewBlock(v.summary, v.perspectives, v.comparisonLabel),
    ...kpiTableBlock(v.kpiGroups, v.meta.lowSampleMin),
    { text: 'Trends and breakdowns', style: 'h2', pageBreak: 'before' },
    { ...(chartImage(trend, 'wide') as object), margin: [0, 0, 0, 8] } as Content,
    chartRow(chartImage(radar, 'half'), complaints ? chartImage(complaints, 'half') : { text: 'No complaint data.', color: MUTED }),
    ...auditsBlock(v),
    ...feedbackBlock(v),
  ];
  // after extra sections, the definitions follow on the same page (they are reference; no half-empty page)
  content.push(...extraSectionsBlock(v.extraSections, charts), ...footnotesBlock(v.footnotes, v.meta.definitionsVersion, v.extraSections.length === 0));
  return { definition: documentFrame(v.meta, content), charts };
}

function auditsBlock(v: AgentReportView): Content[] {
  const a = v.audits;
  const out: Content[] = [{ text: 'Mystery-shopper audits', style: 'h2' }, { text: a.summary }];
  if (a.rows.length) {
    const body: TableCell[][] = [
      ['Visit', 'Channel', 'Form', 'Score', 'Auto-fail', 'Status'].map((h, i) => ({ text: h, style: 'th', alignment: i === 3 ? 'right' : 'left' }) as TableCell),
      ...a.rows.map((r): TableCell[] => [
        { text: r.date },
        { text: r.channel },
        { text: r.form },
        { text: r.score, alignment: 'right', bold: true },
        { text: r.autoFail, color: r.autoFail ? WARNING : undefined },
        r.disputed ? { text: r.status, bold: true, color: WARNING, fillColor: RAG_FILL.amber } : { text: r.status },
      ]),
    ];
    out.push({ table: { headerRows: 1, widths: [50, 40, '*', 30, 130, 50], body }, layout: TABLE_LAYOUT, margin: [0, 3, 0, 0] });
  }
  if (a.note) out.push({ text: a.note, style: 'small', margin: [0, 2, 0, 0] });
  return out;
}

function feedbackBlock(v: AgentReportView): Content[] {
  const out: Content[] = [{ text: '360-degree feedback', style: 'h2' }];
  const f = v.feedback;
  if (!f) {
    out.push({ text: 'No closed 360 cycle up to the end of this period.' });
    return out;
  }
  out.push({ text: `${f.cycle} · 360 feedback score ${f.score}` });
  out.push({
    table: {
      headerRows: 1,
      widths: ['*', 40, 50, 150],
      body: [
        ['Rater group', 'Raters', 'Mean', 'Shown'].map((h, i) => ({ text: h, style: 'th', alignment: i === 1 || i === 2 ? 'right' : 'left' }) as TableCell),
        ...f.rows.map((r): TableCell[] => [{ text: r.group }, { text: r.raters, alignment: 'right' }, { text: r.mean, alignment: 'right', bold: true }, { text: r.shown, color: MUTED }]),
      ],
    },
    layout: TABLE_LAYOUT,
    margin: [0, 3, 0, 0],
  });
  out.push({ text: f.note, style: 'small', margin: [0, 2, 0, 0] });
  return out;
}
