/**
 * The pdfmake building blocks both scorecards share: page set-up, header, marks, summary,
 * perspectives, the KPI table, the KPI definitions, evaluations' extra sections, and the
 * page footer ("page x of y"). Pure: a view model in, a pdfmake document definition out —
 * no fonts, no canvas, no I/O. Charts appear as named images whose Chart.js specifications
 * travel with the definition (`ReportDocument.charts`); the renderer draws them.
 */
import type { Content, ContextPageSize, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Rag } from '../../scorecards/domain/scoring';
import { CHART_POINTS, type ChartSize, type ChartSpec } from './chart-specs';
import { ACCENT, HEADER_FILL, INK, MUTED, RAG_FILL, REPORT_FONT, RULE, WARNING } from './report-theme';
import type { DocumentMeta, ExtraSectionView, FootnoteView, KpiGroupView, MarkView, PerspectiveView, ReportHeaderView, SummaryItem } from './report-view';
import { barChart, colouredStackChart } from './chart-specs';

/** A document ready to render: the pdfmake definition and the charts its images name. */
export interface ReportDocument {
  definition: TDocumentDefinitions;
  charts: ChartSpec[];
}

export const PAGE_MARGINS: [number, number, number, number] = [36, 36, 36, 42];

/** The fixed producer and creator of every report (no version strings that change the bytes). */
export const PDF_PRODUCER = 'Yardstick';

export const STYLES: TDocumentDefinitions['styles'] = {
  title: { fontSize: 17, bold: true, color: INK },
  subject: { fontSize: 13, bold: true, color: ACCENT },
  h2: { fontSize: 11, bold: true, color: INK, margin: [0, 10, 0, 4] },
  h3: { fontSize: 9, bold: true, color: INK, margin: [0, 6, 0, 2] },
  small: { fontSize: 7, color: MUTED },
  th: { bold: true, fontSize: 7.5, color: INK, fillColor: HEADER_FILL },
  group: { bold: true, fontSize: 8, color: ACCENT, fillColor: '#f7f9fb' },
  mark: { bold: true, fontSize: 12, color: WARNING },
  footnote: { fontSize: 7, color: INK },
};

/** Thin horizontal rules only, as printed tables usually look. */
export const TABLE_LAYOUT = {
  hLineWidth: (i: number) => (i === 0 ? 0 : 0.5),
  vLineWidth: () => 0,
  hLineColor: () => RULE,
  paddingLeft: () => 3,
  paddingRight: () => 3,
  paddingTop: () => 1.5,
  paddingBottom: () => 1.5,
};

/** TABLE_LAYOUT with less padding, for the long KPI table. */
export const COMPACT_LAYOUT = { ...TABLE_LAYOUT, paddingTop: () => 1, paddingBottom: () => 0.5 };

/** The page frame of a report: A4 portrait, fonts, metadata from the snapshot, page numbers. */
export function documentFrame(meta: DocumentMeta, content: Content[]): TDocumentDefinitions {
  return {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: PAGE_MARGINS,
    info: {
      title: meta.title,
      subject: meta.subject,
      author: PDF_PRODUCER,
      creator: PDF_PRODUCER,
      producer: PDF_PRODUCER,
      // the snapshot's created_at: the same snapshot gives the same bytes
      creationDate: new Date(meta.createdAt),
    },
    defaultStyle: { font: REPORT_FONT, fontSize: 8, color: INK, lineHeight: 1.1 },
    styles: STYLES,
    footer: (currentPage: number, pageCount: number, _size?: ContextPageSize) => footer(meta, currentPage, pageCount),
    content,
  };
}

export function footer(meta: DocumentMeta, currentPage: number, pageCount: number): Content {
  return {
    margin: [PAGE_MARGINS[0], 12, PAGE_MARGINS[2], 0],
    columns: [
      { text: meta.footer, style: 'small' },
      { text: `page ${currentPage} of ${pageCount}`, style: 'small', alignment: 'right', width: 80 },
    ],
  };
}

/** Title, subject and the header lines in two columns (the first two left, the rest right). */
export function headerBlock(h: ReportHeaderView): Content[] {
  const lines = (from: number, to?: number): Content => ({
    table: { widths: [44, '*'], body: h.lines.slice(from, to).map((l) => [{ text: l.label, color: MUTED }, { text: l.value }]) },
    layout: 'noBorders',
  });
  return [
    { columns: [{ text: h.title, style: 'title', width: 'auto' }, { text: h.subject, style: 'subject', margin: [10, 3, 0, 0] }] },
    { columns: [lines(0, 2), lines(2)], columnGap: 12, margin: [0, 4, 0, 6] },
  ];
}

export function marksBlock(marks: MarkView[]): Content[] {
  return marks.map((m) => ({
    table: {
      widths: ['*'],
      body: [[{ stack: [{ text: m.text, style: 'mark' }, { text: m.detail, color: WARNING }], margin: [6, 4, 6, 4] }]],
    },
    layout: {
      hLineWidth: () => 1.5,
      vLineWidth: () => 1.5,
      hLineColor: () => WARNING,
      vLineColor: () => WARNING,
    },
    margin: [0, 2, 0, 6],
  }));
}

export function ragCell(rag: Rag | null): TableCell {
  return { text: rag ?? '–', fillColor: RAG_FILL[rag ?? 'none'], alignment: 'center', fontSize: 7 };
}

/** The headline numbers as a two-column grid of label / value boxes. */
export function summaryBlock(items: SummaryItem[]): Content {
  const box = (i: SummaryItem): TableCell => ({
    table: {
      widths: ['*'],
      body: [[{ text: i.label, color: MUTED, fontSize: 7 }], [{ text: i.value, bold: true, fontSize: 11, fillColor: i.rag ? RAG_FILL[i.rag] : undefined }]],
    },
    layout: 'noBorders',
  });
  const rows: TableCell[][] = [];
  for (let i = 0; i < items.length; i += 2) rows.push([box(items[i]), items[i + 1] ? box(items[i + 1]) : { text: '' }]);
  return { table: { widths: ['*', '*'], body: rows }, layout: 'noBorders' };
}

/** The summary grid left, the perspectives table right. */
export function overviewBlock(items: SummaryItem[], perspectives: PerspectiveView[], comparisonLabel: string | null): Content {
  return {
    columns: [
      { width: 230, stack: [{ text: 'Summary', style: 'h2' }, summaryBlock(items)] },
      { width: '*', stack: perspectivesBlock(perspectives, comparisonLabel) },
    ],
    columnGap: 16,
  };
}

export function perspectivesBlock(rows: PerspectiveView[], comparisonLabel: string | null): Content[] {
  const header: TableCell[] = [
    { text: 'Perspective', style: 'th' },
    { text: 'Score', style: 'th', alignment: 'right' },
    { text: 'RAG', style: 'th', alignment: 'center' },
  ];
  if (comparisonLabel) header.push({ text: comparisonLabel, style: 'th', alignment: 'right' });
  const body: TableCell[][] = [header];
  for (const p of rows) {
    const row: TableCell[] = [{ text: p.label }, { text: p.score, alignment: 'right' }, ragCell(p.rag)];
    if (comparisonLabel) row.push({ text: p.comparison ?? '–', alignment: 'right' });
    body.push(row);
  }
  return [
    { text: 'Perspectives', style: 'h2' },
    { table: { headerRows: 1, widths: comparisonLabel ? ['*', 50, 40, 60] : ['*', 50, 40], body }, layout: TABLE_LAYOUT },
  ];
}

const KPI_WIDTHS = [12, '*', 58, 22, 50, 30, 30, 50, 50, 36];

/** The KPI table, grouped by perspective, each KPI numbered for its definition at the end. */
export function kpiTableBlock(groups: KpiGroupView[], lowSampleMin: string | null): Content[] {
  const body: TableCell[][] = [
    [
      { text: '#', style: 'th' },
      { text: 'KPI', style: 'th' },
      { text: 'Value', style: 'th', alignment: 'right' },
      { text: 'W', style: 'th', alignment: 'right' },
      { text: 'Target', style: 'th', alignment: 'right' },
      { text: 'Score', style: 'th', alignment: 'right' },
      { text: 'RAG', style: 'th', alignment: 'center' },
      { text: 'vs prev.', style: 'th', alignment: 'right' },
      { text: 'vs year ago', style: 'th', alignment: 'right' },
      { text: 'n', style: 'th', alignment: 'right' },
    ],
  ];
  for (const g of groups) {
    body.push([{ text: g.title, style: 'group', colSpan: 10 }, '', '', '', '', '', '', '', '', '']);
    for (const r of g.rows) {
      body.push([
        { text: String(r.note), color: MUTED, fontSize: 6.5 },
        { text: r.label },
        { text: r.value, alignment: 'right', bold: true },
        { text: r.weight, alignment: 'right', color: MUTED },
        { text: r.target, alignment: 'right' },
        { text: r.score, alignment: 'right' },
        g.scored ? ragCell(r.rag) : { text: '' },
        { text: r.deltaPrevious, alignment: 'right' },
        { text: r.deltaYearAgo, alignment: 'right' },
        r.lowSample ? { text: `${r.sample} low`, alignment: 'right', color: WARNING } : { text: r.sample, alignment: 'right' },
      ]);
    }
  }
  return [
    { text: 'KPIs', style: 'h2' },
    { table: { headerRows: 1, widths: KPI_WIDTHS, body }, layout: COMPACT_LAYOUT, fontSize: 7.5, lineHeight: 1 },
    {
      text: `W: template weight. vs prev. / vs year ago: change against the previous month and the same month a year earlier (pp: percentage points). n: sample size; "low": below LOW_SAMPLE_MIN${lowSampleMin ? ` (${lowSampleMin})` : ''}, read with care. Numbered definitions at the end.`,
      style: 'small',
      margin: [0, 3, 0, 0],
    },
  ];
}

/** The KPI definitions: on a page of their own, or (`newPage` false) right after what precedes them. */
export function footnotesBlock(notes: FootnoteView[], definitionsVersion: number, newPage = true): Content[] {
  if (notes.length === 0) return [];
  return [
    newPage ? { text: 'KPI definitions', style: 'h2', pageBreak: 'before' } : { text: 'KPI definitions', style: 'h2' },
    { text: `Definitions version ${definitionsVersion}. Each KPI with its numerator and denominator for this month.`, style: 'small', margin: [0, 0, 0, 4] },
    // one text node of paragraphs, not a table of cells: a third of the layout time
    { text: notes.flatMap((n, i) => [{ text: `[${n.n}] `, color: MUTED }, `${n.text}${i < notes.length - 1 ? '\n' : ''}`]), style: 'footnote', lineHeight: 1.25 },
  ];
}

/** An image of a chart at its size's width in points. */
export function chartImage(spec: ChartSpec, size: ChartSize): Content {
  return { image: spec.id, width: CHART_POINTS[size] };
}

/** Two charts side by side. */
export function chartRow(left: Content, right: Content | null): Content {
  return { columns: [{ width: CHART_POINTS.half, stack: [left] }, { width: CHART_POINTS.half, stack: right ? [right] : [] }], columnGap: 10, margin: [0, 0, 0, 8] };
}

function aligned(align: ('left' | 'right')[] | undefined, column: number): { alignment?: 'right' } {
  return align?.[column] === 'right' ? { alignment: 'right' } : {};
}

/**
 * Sections added by later capabilities, each kept on one page: a title, lines, a table and a
 * bar chart, or a table with stacked bars beside it.
 */
export function extraSectionsBlock(sections: ExtraSectionView[], charts: ChartSpec[]): Content[] {
  const out: Content[] = [];
  sections.forEach((s, i) => {
    const parts: Content[] = [{ text: s.title, style: 'h2' }];
    for (const line of s.lines) parts.push({ text: line });
    // beside a chart: the first column takes what the others (sized to their content) leave
    const widths = s.table ? s.table.header.map((_, j) => (s.stackedChart && j > 0 ? 'auto' : '*')) : [];
    const table: Content | null = s.table
      ? {
          table: {
            headerRows: 1,
            widths,
            body: [
              s.table.header.map((h, j) => ({ text: h, style: 'th', ...aligned(s.table!.align, j) })),
              ...s.table.rows.map((r) => r.map((c, j) => ({ text: c, ...aligned(s.table!.align, j) }))),
            ],
          },
          layout: TABLE_LAYOUT,
          margin: [0, 3, 0, 0],
        }
      : null;
    let stacked: ChartSpec | null = null;
    if (s.stackedChart) {
      stacked = colouredStackChart(`extra${i}_stacked`, s.stackedChart, 'half');
      charts.push(stacked);
    }
    if (table && stacked) {
      parts.push({ columns: [{ width: '*', stack: [table] }, { width: CHART_POINTS.half, stack: [chartImage(stacked, 'half')] }], columnGap: 10, margin: [0, 4, 0, 0] });
    } else {
      if (table) parts.push(table);
      if (stacked) parts.push({ ...(chartImage(stacked, 'half') as object), margin: [0, 4, 0, 0] } as Content);
    }
    if (s.chart) {
      const spec = barChart(`extra${i}`, s.chart, 'half');
      charts.push(spec);
      parts.push({ ...(chartImage(spec, 'half') as object), margin: [0, 4, 0, 0] } as Content);
    }
    out.push({ stack: parts, unbreakable: true });
  });
  return out;
}
