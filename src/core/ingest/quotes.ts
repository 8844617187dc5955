// Some exports write quotes inside values without quoting the value (`Réalisation d'un DVD "Un
// regard…`): a CSV reader then opens a quoted value that never closes and swallows the lines after
// it. When every line splits into the same number of fields with quotes taken literally, the file is
// really a quote-less file, and reading it with quote = none loses nothing. This scan says whether
// that holds, over the whole file (a stray quote may sit far beyond the sniffed head), in one pass.
import type { SourceFile } from './source.ts';

export interface QuoteScan {
  /** Non-blank physical lines read (header included, skipped title lines excluded). */
  lines: number;
  /** Most common number of fields when quotes are taken literally. */
  width: number;
  /** Lines whose field count differs from `width`; the first one, for the message. */
  mismatched: number;
  firstMismatch: { line: number; fields: number } | null;
  /** Lines holding a quote that does not wrap a whole value (a value left open or closed mid-value). */
  strayLines: number;
  firstStrayLine: number | null;
  /** Values wholly wrapped in quotes: read with quote = none they keep their quotes. */
  wrappedValues: number;
  /** Every line has `width` (> 1) fields: quote = none reads the file with no line lost. */
  fitsWithoutQuotes: boolean;
}

function wrapped(f: string, quote: string, escape: string): boolean {
  if (f.length < 2 || f[0] !== quote || f[f.length - 1] !== quote) return false;
  const inner = f.slice(1, -1).replaceAll(escape + quote, '');
  return !inner.includes(quote);
}

/**
 * Reads `file` byte by byte as Latin-1: the delimiter and the quote are ASCII, so counting them is
 * the same in UTF-8 and Windows-1252 and no real decoding is needed. UTF-16 is decoded.
 */
export async function scanQuotes(
  file: SourceFile,
  o: { delimiter: string; quote: string; escape?: string; skipRows?: number; encoding?: string },
  signal?: AbortSignal,
): Promise<QuoteScan> {
  const quote = o.quote || '"';
  const escape = o.escape || quote;
  const skip = o.skipRows ?? 0;
  // Per field count: how many lines, and the first one (to name a misfit without a second pass).
  const widths = new Map<number, { count: number; first: number }>();
  let lines = 0;
  let strayLines = 0;
  let firstStrayLine: number | null = null;
  let wrappedValues = 0;
  let lineNo = 0;
  const decoder = new TextDecoder(o.encoding?.startsWith('utf-16') ? o.encoding : 'latin1');
  const onLine = (raw: string) => {
    lineNo++;
    if (lineNo <= skip) return;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    lines++;
    const fields = text.split(o.delimiter);
    const w = widths.get(fields.length);
    if (w) w.count++;
    else widths.set(fields.length, { count: 1, first: lineNo });
    if (!text.includes(quote)) return;
    let stray = false;
    for (const f of fields) {
      if (!f.includes(quote)) continue;
      if (wrapped(f, quote, escape)) wrappedValues++;
      else stray = true;
    }
    if (stray) {
      strayLines++;
      firstStrayLine ??= lineNo;
    }
  };
  let rest = '';
  for await (const chunk of file.chunks()) {
    // The dialog stops a scan it no longer needs (the user confirmed or closed it): no wasted full read.
    if (signal?.aborted) throw new Error('analyse des guillemets interrompue');
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      onLine(text.slice(start, i));
      start = i + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') onLine(rest);
  let width = 0;
  let freq = 0;
  for (const [w, { count }] of widths) if (count > freq || (count === freq && w > width)) [width, freq] = [w, count];
  let firstMismatch: QuoteScan['firstMismatch'] = null;
  let mismatched = 0;
  for (const [w, { count, first }] of widths) {
    if (w === width) continue;
    mismatched += count;
    if (!firstMismatch || first < firstMismatch.line) firstMismatch = { line: first, fields: w };
  }
  return {
    lines,
    width,
    mismatched,
    firstMismatch,
    strayLines,
    firstStrayLine,
    wrappedValues,
    fitsWithoutQuotes: lines > 0 && width > 1 && mismatched === 0,
  };
}

/** The warning (or advice) the user reads: how many lines, which first, and what quote = none does. */
export function strayQuoteText(s: QuoteScan): string {
  const kept = s.wrappedValues ? ` ; ${s.wrappedValues} valeur(s) entièrement entre guillemets les gardent` : '';
  return (
    `${s.strayLines} ligne(s) contiennent des guillemets isolés (première : ligne ${s.firstStrayLine ?? '?'}) ; ` +
    `toutes les lignes ont ${s.width} champs sans tenir compte des guillemets : fichier lu sans guillemets (guillemet = aucun), ` +
    `les guillemets restent tels quels dans les valeurs${kept}`
  );
}
