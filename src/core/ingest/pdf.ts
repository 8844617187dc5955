// Reading a PDF's text with pdf.js: every page's text as blocks (paragraphs and headings) in reading
// order, verbatim, with their page and position. pdf.js gives positioned text runs, not paragraphs: runs
// are grouped into lines by baseline, lines into blocks by spacing and font size, and a page set in two
// columns is read column by column (a gutter no run crosses), full-width lines (a title above the
// columns) keeping their place. Headings are told by font size against the document's body size, and
// by weight: a short line set wholly in a bold font is a heading even at body size (many reports mark
// « Recommandations » or « Conclusion » with bold alone, on the text's own line spacing).
// No eval (isEvalSupported: false): the app's CSP forbids it, and text extraction does not need it.
import { errorText } from '../util/errors.ts';
import { loadPdfjs } from './pdfjs-loader.ts';

export type PdfStatus = 'ok' | 'sans texte' | 'chiffré' | 'illisible';

export interface PdfBlock {
  /** 1-based within the page, in reading order. */
  n: number;
  text: string;
  /** 0 = body text, 1..3 = heading level. */
  heading: number;
  /** 1 = single column or left, 2 = right column. */
  column: number;
  /** Font size of the block's first line (PDF units). */
  size: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PdfPage {
  page: number;
  width: number;
  height: number;
  hasText: boolean;
  blocks: PdfBlock[];
}

export interface PdfExtract {
  status: PdfStatus;
  /** French, for the user, when status is not 'ok' or some pages have no text. */
  message: string | null;
  pageCount: number;
  pages: PdfPage[];
  /** Metadata title and creation date (ISO) when the file has them. */
  title: string | null;
  created: string | null;
}

interface Run {
  str: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
  bold: boolean;
}

interface Line {
  text: string;
  x0: number;
  x1: number;
  y: number;
  size: number;
  /** Set (almost) wholly in a bold font. */
  bold: boolean;
  /** 0 full width, 1 left column, 2 right column. */
  col: number;
}

const MESSAGE_ENCRYPTED =
  'fichier protégé par un mot de passe : Loupe ne lit pas les PDF chiffrés ; enregistrez-en une copie sans protection (Imprimer → PDF) puis importez-la';

/** Reads a PDF's text. Never throws for a bad file: the status and message say what went wrong. */
export async function extractPdf(bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<PdfExtract> {
  const empty = (status: PdfStatus, message: string): PdfExtract => ({
    status,
    message,
    pageCount: 0,
    pages: [],
    title: null,
    created: null,
  });
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (!head.includes('%PDF-')) return empty('illisible', 'ce fichier n’est pas un PDF (en-tête %PDF- absent)');
  const pdfjs = await loadPdfjs();
  // pdf.js takes ownership of the buffer it is given: a copy keeps the caller's bytes usable.
  const task = pdfjs.getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => undefined);
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') return empty('chiffré', MESSAGE_ENCRYPTED);
    const why = errorText(e).slice(0, 300);
    // pdf.js says it in English: the French says what it means for the user, pdf.js's words kept after.
    if (name === 'InvalidPDFException')
      return empty('illisible', `PDF illisible ou tronqué : structure invalide, fichier incomplet ou endommagé (pdf.js : ${why})`);
    return empty('illisible', `PDF illisible ou tronqué (pdf.js : ${why})`);
  }
  try {
    const raw: { page: number; width: number; height: number; runs: Run[] }[] = [];
    const failed: number[] = [];
    // Bold or not, per font of the document: fonts are shared by pages, so few pages need the look-up.
    const bold = new Map<string, boolean>();
    for (let p = 1; p <= doc.numPages; p++) {
      opts.signal?.throwIfAborted();
      try {
        const page = await doc.getPage(p);
        const vp = page.getViewport({ scale: 1 });
        const tc = await page.getTextContent();
        const items = tc.items.filter((it) => 'str' in it && !!it.str.trim()) as {
          str: string;
          transform: number[];
          width: number;
          height: number;
          fontName: string;
        }[];
        await learnWeights(page, items, bold);
        const runs: Run[] = [];
        for (const it of items) {
          const [a, b, , d, e, f] = it.transform;
          const size = Math.hypot(a!, b!) || Math.abs(d!) || it.height || 1;
          runs.push({
            str: it.str,
            x0: e!,
            x1: e! + (it.width || size * 0.5 * it.str.length),
            y: f!,
            size,
            bold: bold.get(it.fontName) ?? false,
          });
        }
        raw.push({ page: p, width: vp.width, height: vp.height, runs });
        page.cleanup();
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        failed.push(p);
        raw.push({ page: p, width: 0, height: 0, runs: [] });
      }
    }
    const body = bodySize(raw.flatMap((r) => r.runs));
    const pages: PdfPage[] = raw.map((r) => ({
      page: r.page,
      width: r.width,
      height: r.height,
      hasText: r.runs.length > 0,
      blocks: blocksOf(r.runs, r.width, body),
    }));
    let title: string | null = null;
    let created: string | null = null;
    try {
      const meta = await doc.getMetadata();
      const info = meta.info as { Title?: unknown; CreationDate?: unknown };
      if (typeof info.Title === 'string' && info.Title.trim()) title = info.Title.trim();
      if (typeof info.CreationDate === 'string') created = pdfDate(info.CreationDate);
    } catch {
      // Metadata is a nicety: a report whose info dictionary is damaged still has its text.
    }
    const withText = pages.filter((p) => p.hasText).length;
    const notes: string[] = [];
    if (failed.length) notes.push(`page(s) illisible(s) : ${list(failed)}`);
    const noText = pages.filter((p) => !p.hasText && !failed.includes(p.page)).map((p) => p.page);
    let status: PdfStatus = 'ok';
    if (withText === 0) {
      status = failed.length === pages.length && pages.length > 0 ? 'illisible' : 'sans texte';
      if (status === 'sans texte')
        notes.unshift('aucune page n’a de texte : document numérisé (image) ? La reconnaissance de caractères (OCR) n’est pas proposée');
    } else if (noText.length) {
      notes.push(`page(s) sans texte (numérisée(s) ?) : ${list(noText)}`);
    }
    if (!hasEof(bytes)) notes.push('fichier incomplet (marque de fin %%EOF absente) : le texte lu peut être partiel');
    return { status, message: notes.length ? notes.join(' ; ') : null, pageCount: doc.numPages, pages, title, created };
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}

/** Font names that say bold (« Helvetica-Bold », « ABCDEF+Arial-BoldMT », « Roboto-Black », « …-SemiBold »). */
const BOLD_NAME = /bold|black|heavy|demi|semibold|extrabold|[-,]bd$/i;

/**
 * Learns whether the page's fonts are bold. The text content names a font only by pdf.js's internal
 * id; the font itself (its PostScript name, pdf.js's bold flag) reaches the page's objects once the
 * page's operators are read — so that is done for a page with a font not met before, and only then.
 */
async function learnWeights(
  page: { getOperatorList(): Promise<unknown>; commonObjs: { has(id: string): boolean; get(id: string): unknown } },
  items: { fontName: string }[],
  bold: Map<string, boolean>,
): Promise<void> {
  const unknown = [...new Set(items.map((i) => i.fontName))].filter((f) => !bold.has(f));
  if (!unknown.length) return;
  try {
    await page.getOperatorList();
  } catch {
    // Weights are a hint for headings: a page whose operators do not read keeps its text, headings by size.
  }
  for (const f of unknown) {
    bold.set(f, fontIsBold(page.commonObjs, f));
  }
}

function fontIsBold(objs: { has(id: string): boolean; get(id: string): unknown }, id: string): boolean {
  try {
    if (!objs.has(id)) return false;
    const font = objs.get(id) as { name?: unknown; bold?: unknown; black?: unknown } | null;
    return !!font && (font.bold === true || font.black === true || BOLD_NAME.test(String(font.name ?? '')));
  } catch {
    return false;
  }
}

function list(pages: number[]): string {
  return pages.length > 12 ? `${pages.slice(0, 12).join(', ')}… (${pages.length})` : pages.join(', ');
}

function hasEof(bytes: Uint8Array): boolean {
  const tail = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, bytes.length - 2048)));
  return tail.includes('%%EOF');
}

/** D:20230315120000+01'00' → 2023-03-15. */
export function pdfDate(s: string): string | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?/.exec(s);
  if (!m) return null;
  const [y, mo = '01', d = '01'] = [m[1]!, m[2], m[3]];
  return `${y}-${mo}-${d}`;
}

/** The size most characters are set in: the body text, against which headings are measured. */
function bodySize(runs: Run[]): number {
  const weight = new Map<number, number>();
  for (const r of runs) {
    const k = Math.round(r.size * 2) / 2;
    weight.set(k, (weight.get(k) ?? 0) + r.str.length);
  }
  let best = 10;
  let max = -1;
  for (const [k, w] of weight) if (w > max || (w === max && k < best)) [best, max] = [k, w];
  return best;
}

function headingLevel(size: number, body: number, text: string, bold: boolean): number {
  // A long paragraph in a large font is a chapeau, not a heading.
  if (text.length > 200) return 0;
  const r = size / body;
  const bySize = r >= 1.6 ? 1 : r >= 1.3 ? 2 : r >= 1.12 ? 3 : 0;
  if (bySize) return bySize;
  // Bold at body size: a heading when short and not a sentence (a bold sentence is emphasis).
  return bold && text.length <= 120 && !/[.;,]$/.test(text.trim()) ? 3 : 0;
}

/**
 * A vertical gutter near the middle of the page that no run crosses, with text on both sides at the
 * same heights: the page is in two columns. Runs that cross it (a title over both columns) are full width.
 */
function gutterOf(runs: Run[], width: number): number | null {
  if (runs.length < 6 || width <= 0) return null;
  let best: { x: number; crossing: number; score: number } | null = null;
  for (let x = width * 0.3; x <= width * 0.7; x += 2) {
    let crossing = 0;
    let left = 0;
    let right = 0;
    let lTop = -Infinity;
    let lBot = Infinity;
    let rTop = -Infinity;
    let rBot = Infinity;
    for (const r of runs) {
      if (r.x0 < x - 1 && r.x1 > x + 1) crossing++;
      else if (r.x1 <= x + 1) {
        left++;
        lTop = Math.max(lTop, r.y);
        lBot = Math.min(lBot, r.y);
      } else {
        right++;
        rTop = Math.max(rTop, r.y);
        rBot = Math.min(rBot, r.y);
      }
    }
    if (left < 3 || right < 3 || crossing > Math.max(2, runs.length * 0.1)) continue;
    // Side by side, not one above the other (a left-aligned list over a right-aligned signature).
    const overlap = Math.min(lTop, rTop) - Math.max(lBot, rBot);
    if (overlap <= 0 || overlap < 0.3 * Math.min(lTop - lBot, rTop - rBot)) continue;
    const score = crossing * 1000 + Math.abs(x - width / 2);
    if (!best || score < best.score) best = { x, crossing, score };
  }
  return best ? best.x : null;
}

function linesOf(runs: Run[], col: number): Line[] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x0 - b.x0);
  const lines: Run[][] = [];
  for (const r of sorted) {
    const last = lines[lines.length - 1];
    if (last && Math.abs(last[0]!.y - r.y) <= Math.max(1, 0.35 * Math.min(last[0]!.size, r.size))) last.push(r);
    else lines.push([r]);
  }
  return lines.map((ls) => {
    ls.sort((a, b) => a.x0 - b.x0);
    let text = '';
    let prevEnd = -Infinity;
    for (const r of ls) {
      const gap = r.x0 - prevEnd;
      if (text && gap > 0.15 * r.size && !/\s$/.test(text) && !/^\s/.test(r.str)) text += ' ';
      text += r.str;
      prevEnd = r.x1;
    }
    const chars = (rs: Run[]) => rs.reduce((n, r) => n + r.str.replace(/\s+/g, '').length, 0);
    return {
      text: text.replace(/\s+$/, ''),
      bold: chars(ls.filter((r) => r.bold)) >= 0.9 * chars(ls),
      x0: Math.min(...ls.map((r) => r.x0)),
      x1: Math.max(...ls.map((r) => r.x1)),
      y: ls[0]!.y,
      size: Math.max(...ls.map((r) => r.size)),
      col,
    };
  });
}

/** Lines in reading order: full-width lines where they stand, and between two of them the left column then the right. */
function readingOrder(runs: Run[], width: number): Line[] {
  const g = gutterOf(runs, width);
  if (g === null) return linesOf(runs, 0);
  const full = linesOf(
    runs.filter((r) => r.x0 < g - 1 && r.x1 > g + 1),
    0,
  );
  const left = linesOf(
    runs.filter((r) => r.x1 <= g + 1),
    1,
  );
  const right = linesOf(
    runs.filter((r) => !(r.x0 < g - 1 && r.x1 > g + 1) && r.x1 > g + 1),
    2,
  );
  const out: Line[] = [];
  const bands = [Infinity, ...full.map((l) => l.y), -Infinity];
  for (let i = 0; i < bands.length - 1; i++) {
    const top = bands[i]!;
    const bottom = bands[i + 1]!;
    if (i > 0) out.push(full[i - 1]!);
    out.push(...left.filter((l) => l.y < top && l.y > bottom), ...right.filter((l) => l.y < top && l.y > bottom));
  }
  return out;
}

function blocksOf(runs: Run[], width: number, body: number): PdfBlock[] {
  const lines = readingOrder(runs, width);
  const blocks: PdfBlock[] = [];
  let cur: { lines: Line[]; heading: number } | null = null;
  const flush = () => {
    if (!cur) return;
    const ls = cur.lines;
    blocks.push({
      n: blocks.length + 1,
      text: ls.map((l) => l.text).join('\n'),
      heading: cur.heading,
      column: ls[0]!.col === 2 ? 2 : 1,
      size: ls[0]!.size,
      x0: Math.min(...ls.map((l) => l.x0)),
      x1: Math.max(...ls.map((l) => l.x1)),
      y0: Math.min(...ls.map((l) => l.y)),
      y1: Math.max(...ls.map((l) => l.y + l.size)),
    });
    cur = null;
  };
  for (const l of lines) {
    const heading = headingLevel(l.size, body, l.text, l.bold);
    if (cur) {
      const prev = cur.lines[cur.lines.length - 1]!;
      const gap = prev.y - l.y;
      const sameFlow = prev.col === l.col && gap > 0 && gap <= 1.6 * Math.max(prev.size, l.size);
      const sameSize = Math.abs(prev.size - l.size) <= 0.1 * Math.max(prev.size, l.size);
      // A numbered item (« 1. », « R3 », « Recommandation n° 2 ») starts its own block even when tight.
      const startsItem = /^\s*(?:\d{1,3}[.)]\s|[-•–]\s|R\s?\d{1,3}\b|Recommandation\s+(?:n\s?°\s*)?\d)/i.test(l.text);
      if (!sameFlow || !sameSize || heading !== cur.heading || startsItem || (heading > 0 && cur.lines.length >= 3)) flush();
    }
    if (!cur) cur = { lines: [], heading };
    cur.lines.push(l);
  }
  flush();
  return blocks;
}
