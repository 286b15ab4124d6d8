/**
 * The one place that turns a report document (src/reports/domain) into PDF bytes. It owns the
 * fonts and the chart canvases of its thread:
 *
 * - Noto Sans SC Regular and Bold are read once and handed to pdfmake through its virtual
 *   file system (and to the canvas by ChartRenderer); no system font, no file access while
 *   rendering — the URL and local-file access policies refuse everything.
 * - pdfmake parses a document's fonts anew for every document (fontkit over a 10 MB CJK
 *   font) and lays out every word anew; `shareParsedFonts` lets every document of the
 *   thread reuse one parsed font per file and its word layouts, each document still
 *   embedding its own subset. That saves about a third of the time per PDF and changes no
 *   byte of the output.
 * - Deterministic: the definition carries its creation date (the snapshot's created_at) and
 *   fixed producer/creator, pdfkit's file id derives from them, charts draw the same pixels.
 *
 * pdfmake 0.3 is a module singleton: one renderer per thread (`PdfRenderer.instance()`).
 */
import pdfmake = require('pdfmake');
import type { TDocumentDefinitions } from 'pdfmake/interfaces';
import { reportDocument, type ReportView } from '../domain/report-documents';
import type { ReportDocument } from '../domain/report-document';
import { REPORT_FONT } from '../domain/report-theme';
import { ChartRenderer } from './chart-renderer';
import { reportFonts } from './report-fonts';

const REGULAR = 'NotoSansSC-Regular.ttf';
const BOLD = 'NotoSansSC-Bold.ttf';

interface VirtualFs {
  writeFileSync(name: string, content: Buffer): void;
}

/** What pdfmake's PDFDocument (a pdfkit document) offers that `shareParsedFonts` uses. */
interface PdfKitDocumentInternals {
  fonts: Record<string, Record<string, unknown>>;
  fontCache: Record<string, Record<string, unknown>>;
  _fontFamilies: Record<string, unknown>;
  _fontCount: number;
  getFontType(bold: boolean, italics: boolean): string;
}

interface EmbeddedFontLike {
  font: unknown;
  layoutCache?: Record<string, unknown>;
  constructor: new (doc: unknown, font: unknown, id: string) => EmbeddedFontLike;
}

/** Documents after which a shared word-layout cache starts afresh (bounds its memory). */
const LAYOUT_CACHE_DOCUMENTS = 500;

interface SharedFont {
  ctor: EmbeddedFontLike['constructor'];
  font: unknown;
  layoutCache: Record<string, unknown>;
  uses: number;
}

let shared = false;

/**
 * Makes pdfmake's PDFDocument reuse one parsed (fontkit) font per font file for all the
 * documents of the thread. The first document parses the font the ordinary way; later
 * documents build their pdfkit EmbeddedFont (own subset, own widths, own id) around the
 * parsed font, exactly as pdfkit's `font()` would, minus the parse. pdfmake is pinned
 * (0.3.11); if its internals ever differ, this falls back to the ordinary path.
 */
function shareParsedFonts(): void {
  if (shared) return;
  shared = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = (require('pdfmake/js/PDFDocument') as { default?: { prototype: Record<string, unknown> } }).default;
  const original = PDFDocument?.prototype.provideFont as ((family: string, bold: boolean, italics: boolean) => unknown) | undefined;
  if (!PDFDocument || typeof original !== 'function' || typeof PDFDocument.prototype.getFontType !== 'function') return;
  const parsed = new Map<unknown, SharedFont>();
  PDFDocument.prototype.provideFont = function provideFont(this: PdfKitDocumentInternals, family: string, bold: boolean, italics: boolean): unknown {
    const type = this.getFontType(bold, italics);
    const cached = this.fontCache?.[family]?.[type];
    if (cached) return cached;
    const source = this.fonts?.[family]?.[type];
    const hit = typeof source === 'string' ? parsed.get(source) : undefined;
    if (!hit || !this._fontFamilies) {
      const made = original.call(this, family, bold, italics) as EmbeddedFontLike;
      if (typeof source === 'string' && made && made.font && typeof made.constructor === 'function' && made.layoutCache) {
        parsed.set(source, { ctor: made.constructor, font: made.font, layoutCache: made.layoutCache, uses: 1 });
      }
      return made;
    }
    // what pdfkit's font() does for a new font, with the parsed font reused
    const id = `F${++this._fontCount}`;
    const font = new hit.ctor(this, hit.font, id);
    // the word layouts (glyph ids and advances, read-only once made) carry over too; each
    // document still marks the glyphs it uses in its own subset when it encodes text
    if (++hit.uses > LAYOUT_CACHE_DOCUMENTS) {
      hit.layoutCache = Object.create(null) as Record<string, unknown>;
      hit.uses = 1;
    }
    if (font.layoutCache) font.layoutCache = hit.layoutCache;
    this._fontFamilies[id] = font;
    this.fontCache[family] = this.fontCache[family] ?? {};
    this.fontCache[family][type] = font;
    return font;
  };
}

export class PdfRenderer {
  private static current: PdfRenderer | null = null;
  private readonly charts = new ChartRenderer();

  /** The thread's renderer (fonts loaded and canvases created on first use). */
  static instance(): PdfRenderer {
    PdfRenderer.current ??= new PdfRenderer();
    return PdfRenderer.current;
  }

  private constructor() {
    const fonts = reportFonts();
    const vfs = (pdfmake as unknown as { virtualfs: VirtualFs }).virtualfs;
    vfs.writeFileSync(REGULAR, fonts.regular);
    vfs.writeFileSync(BOLD, fonts.bold);
    pdfmake.setFonts({ [REPORT_FONT]: { normal: REGULAR, bold: BOLD, italics: REGULAR, bolditalics: BOLD } });
    // reports never fetch anything: no URL, no local file
    pdfmake.setUrlAccessPolicy(() => false);
    pdfmake.setLocalAccessPolicy(() => false);
    shareParsedFonts();
  }

  /** A report document's PDF: charts drawn, images embedded, fonts subset. */
  async render(doc: ReportDocument): Promise<Buffer> {
    const images: Record<string, string> = {};
    for (const spec of doc.charts) images[spec.id] = this.charts.renderDataUrl(spec);
    const definition: TDocumentDefinitions = { ...doc.definition, images: { ...(doc.definition.images as Record<string, string> | undefined), ...images } };
    return pdfmake.createPdf(definition).getBuffer();
  }

  /** A view model's PDF (what the render worker does). */
  renderView(view: ReportView): Promise<Buffer> {
    return this.render(reportDocument(view));
  }
}
