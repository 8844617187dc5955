// Guesses how a CSV file is written from its first bytes: encoding, delimiter, quote, header, decimal
// comma, date format, title lines to skip. The result is shown to the user, who can correct it
// before loading; the options finally used are journaled so a reopen reads the file the same way.
import { z } from 'zod';
import { decodeHead, ENCODINGS, guessEncoding, notTextReason, type Encoding } from './encoding.ts';
import type { SourceFile } from './source.ts';
import { IngestError } from './types.ts';
import { isCsvColumnType } from '../sql/types.ts';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Column types a CSV column may be given; anything else is refused before it reaches SQL. */
export const CsvColumnType = z.string().refine(isCsvColumnType, { message: 'Type de colonne CSV non pris en charge' });

export const DATE_FORMATS = ['auto', 'dd/mm/yyyy', 'mm/dd/yyyy'] as const;

const CsvOptionsShape = z
  .object({
    encoding: z.enum(ENCODINGS),
    delimiter: z
      .string()
      .length(1)
      .refine((d) => !/[\r\n"]/.test(d), 'séparateur invalide'),
    /** Empty: values are never quoted. */
    quote: z.string().max(1),
    escape: z.string().max(1),
    header: z.boolean(),
    /** Lines before the header (titles, notes) that are not part of the table. */
    skipRows: z.number().int().min(0).max(10_000),
    decimalComma: z.boolean(),
    dateFormat: z.enum(DATE_FORMATS),
    /** Type of each column by its SQL name; a reopen passes them all, the user may pass a few. */
    columnTypes: z.record(z.string().max(1000), CsvColumnType).optional(),
    /**
     * Columns written `YYYY-MM`: read as text, then made a DATE on the 1st of the month. The
     * precision is recorded here so that nobody reads the day as data, and a reopen does the same.
     */
    datePrecision: z.record(z.string().max(1000), z.enum(['month'])).optional(),
    /** Columns of numbers written with thousands separators (`1 500`, `2 000 €`): read as text, then converted. */
    groupedNumbers: z.array(z.string().max(1000)).max(10_000).optional(),
  })
  .strict();

export const CsvOptions = CsvOptionsShape.refine((o) => o.quote !== o.delimiter, {
  message: 'le guillemet et le séparateur doivent différer',
}).refine((o) => !(o.decimalComma && o.delimiter === ','), {
  message: 'la virgule décimale suppose un séparateur autre que la virgule',
});
export type CsvOptions = z.infer<typeof CsvOptions>;

export const PartialCsvOptions = CsvOptionsShape.partial().strict();
export type PartialCsvOptions = z.infer<typeof PartialCsvOptions>;

export interface CsvSniff {
  options: Omit<CsvOptions, 'columnTypes'>;
  /** Header labels exactly as written (BOM removed), or `colonne_N` when the file has no header. */
  labels: string[];
  /** The first data records, as text, for the user to check the options against. */
  preview: string[][];
  /** Physical line of the header (or of the first record when there is none). */
  firstLine: number;
  /** The whole file was read (small file): `preview` and the line counts are complete. */
  whole: boolean;
  /** The head holds non-ASCII UTF-8: the file is UTF-8 for sure. */
  multibyte: boolean;
  /** The file holds no record at all (only blank lines). */
  empty: boolean;
}

export interface Parsed {
  records: string[][];
  /** Physical line (1-based) where each record starts. */
  lines: number[];
  /** The text ends inside a quoted value. */
  openQuote: boolean;
  /** Line where the value left open starts. */
  openQuoteLine: number;
}

/**
 * Splits text into records. `final` says the text is the whole file; otherwise the record cut by the
 * end of the text is left out.
 */
export function parseRecords(text: string, delim: string, quote: string, escape: string, max: number, final: boolean): Parsed {
  const records: string[][] = [];
  const lines: number[] = [];
  let rec: string[] = [];
  // A field is built from slices of the text, not character by character: a 1 MB value stays cheap.
  let field = '';
  let seg = 0;
  let fieldStart = true;
  let inQuote = false;
  let quoteLine = 0;
  let line = 1;
  let start = 1;
  const n = text.length;
  let i = 0;
  while (i < n && records.length < max) {
    const c = text[i]!;
    if (inQuote) {
      if (c === escape && text[i + 1] === quote) {
        field += text.slice(seg, i) + quote;
        i += 2;
        seg = i;
      } else if (c === quote) {
        field += text.slice(seg, i);
        inQuote = false;
        seg = ++i;
      } else {
        if (c === '\n') line++;
        i++;
      }
      continue;
    }
    if (c === quote && fieldStart && quote) {
      inQuote = true;
      quoteLine = line;
      fieldStart = false;
      seg = ++i;
    } else if (c === delim) {
      rec.push(field + text.slice(seg, i));
      field = '';
      fieldStart = true;
      seg = ++i;
    } else if (c === '\n' || c === '\r') {
      rec.push(field + text.slice(seg, i));
      records.push(rec);
      lines.push(start);
      rec = [];
      field = '';
      fieldStart = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      seg = i;
      line++;
      start = line;
    } else {
      fieldStart = false;
      i++;
    }
  }
  const atEnd = i >= n;
  const last = field + text.slice(seg, n);
  if (atEnd && final && !inQuote && (last !== '' || rec.length)) {
    rec.push(last);
    records.push(rec);
    lines.push(start);
  }
  return { records, lines, openQuote: atEnd && inQuote, openQuoteLine: quoteLine };
}

const NUMBER_DOT = /^[+-]?\d+\.\d+$/;
const NUMBER_COMMA = /^[+-]?\d+,\d+$/;
const INTEGER = /^[+-]?\d+$/;
const DATE_SLASH = /^(\d{1,2})\/(\d{1,2})\/\d{4}$/;
const DATE_ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/;

function typed(v: string): boolean {
  const t = v.trim();
  return INTEGER.test(t) || NUMBER_DOT.test(t) || NUMBER_COMMA.test(t) || DATE_SLASH.test(t) || DATE_ISO.test(t);
}

function blank(r: string[]): boolean {
  return r.length === 1 && r[0]!.trim() === '';
}

/** How well a delimiter splits the records: the share of records with the most common field count. */
function score(text: string, delim: string, quote: string, escape: string, final: boolean) {
  const { records } = parseRecords(text, delim, quote, escape, 200, final);
  const rows = records.filter((r) => !blank(r));
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let width = 1;
  let freq = 0;
  for (const [w, f] of counts) if (f > freq || (f === freq && w > width)) [width, freq] = [w, f];
  return { width, consistency: rows.length && width > 1 ? freq / rows.length : 0 };
}

function sniffDelimiter(text: string, quote: string, escape: string, final: boolean): string {
  let best: { delim: string; width: number; consistency: number } = { delim: ',', width: 1, consistency: 0 };
  for (const delim of DELIMITERS) {
    const s = score(text, delim, quote, escape, final);
    if (s.consistency > best.consistency || (s.consistency === best.consistency && s.width > best.width)) best = { delim, ...s };
  }
  return best.delim;
}

function sniffQuote(text: string): string {
  if (text.includes('"')) return '"';
  return /(^|[,;\t|])'[^'\n]*'(?=[,;\t|]|\r?$)/m.test(text) ? "'" : '"';
}

function sniffEscape(text: string, quote: string): string {
  if (!quote) return '';
  const backslashed = text.split(`\\${quote}`).length - 1;
  const doubled = text.split(quote + quote).length - 1;
  return backslashed > 0 && doubled === 0 ? '\\' : quote;
}

/** Leading title lines: records of one field before a table of several. */
function sniffSkip(p: Parsed, width: number): number {
  if (width < 2) return 0;
  let k = 0;
  while (k < p.records.length && k < 20 && p.records[k]!.length === 1) k++;
  if (k === 0 || k >= p.records.length) return 0;
  return p.lines[k]! - 1;
}

function sniffHeader(first: string[], body: string[][]): boolean {
  if (!body.length) return !first.every((v) => typed(v) || v.trim() === '');
  for (let j = 0; j < first.length; j++) {
    const values = body.map((r) => r[j] ?? '').filter((v) => v.trim() !== '');
    if (values.length && values.every(typed) && typed(first[j]!)) return false;
  }
  return true;
}

function sniffDecimalComma(body: string[][], delim: string): boolean {
  if (delim === ',') return false;
  let comma = 0;
  let dot = 0;
  for (const r of body)
    for (const v of r) {
      const t = v.trim();
      if (NUMBER_COMMA.test(t)) comma++;
      else if (NUMBER_DOT.test(t)) dot++;
    }
  return comma > 0 && comma >= dot;
}

function sniffDateFormat(body: string[][]): CsvOptions['dateFormat'] {
  let slash = false;
  let dayFirst = false;
  let monthFirst = false;
  for (const r of body)
    for (const v of r) {
      const m = DATE_SLASH.exec(v.trim());
      if (!m) continue;
      slash = true;
      if (Number(m[1]) > 12) dayFirst = true;
      if (Number(m[2]) > 12) monthFirst = true;
    }
  if (!slash) return 'auto';
  // French files write the day first; only the data itself can prove otherwise.
  return monthFirst && !dayFirst ? 'mm/dd/yyyy' : 'dd/mm/yyyy';
}

const PREVIEW_ROWS = 20;
const HEAD_SIZES = [64 * 1024, 1024 * 1024, 8 * 1024 * 1024, 32 * 1024 * 1024];

/** Sniffs text already decoded; `given` options win over guesses. */
export function sniffText(
  text: string,
  given: PartialCsvOptions,
  final: boolean,
): Omit<CsvSniff, 'multibyte' | 'whole' | 'options'> & { options: Omit<CsvOptions, 'columnTypes' | 'encoding'> } {
  const quote = given.quote ?? sniffQuote(text);
  const escape = given.escape ?? sniffEscape(text, quote);
  const delimiter = given.delimiter ?? sniffDelimiter(text, quote, escape, final);
  const all = parseRecords(text, delimiter, quote, escape, 1000, final);
  const width = score(text, delimiter, quote, escape, final).width;
  const skipRows = given.skipRows ?? sniffSkip(all, width);
  // Records from the first line after the skipped ones, blank lines left out as DuckDB does.
  const kept = all.records.map((r, i) => ({ r, line: all.lines[i]! })).filter((x) => x.line > skipRows && !blank(x.r));
  const first = kept[0];
  const opts = { delimiter, quote, escape, skipRows };
  if (!first) {
    return {
      options: { ...opts, header: given.header ?? true, decimalComma: given.decimalComma ?? false, dateFormat: given.dateFormat ?? 'auto' },
      labels: [],
      preview: [],
      firstLine: skipRows + 1,
      empty: true,
    };
  }
  const body = kept.slice(1).map((x) => x.r);
  const header = given.header ?? sniffHeader(first.r, body);
  const rows = header ? body : kept.map((x) => x.r);
  const labels = header ? first.r : first.r.map((_, i) => `colonne_${i + 1}`);
  return {
    options: {
      ...opts,
      header,
      decimalComma: given.decimalComma ?? sniffDecimalComma(rows, delimiter),
      dateFormat: given.dateFormat ?? sniffDateFormat(rows),
    },
    labels,
    preview: rows.slice(0, PREVIEW_ROWS),
    firstLine: first.line,
    empty: false,
  };
}

/**
 * Reads the head of a file and guesses how to read it. The head grows (up to 32 MB) until it holds
 * two whole records, so that a file with a huge first value is still sniffed on whole records.
 */
export async function sniffCsv(file: SourceFile, given: PartialCsvOptions = {}): Promise<CsvSniff> {
  for (const size of HEAD_SIZES) {
    const whole = size >= file.size;
    const head = await file.slice(0, Math.min(size, file.size));
    const guess = guessEncoding(head, whole);
    const encoding: Encoding = given.encoding ?? guess.encoding;
    const why = notTextReason(head, encoding);
    if (why) {
      // A NUL byte is located by its line too, so the user can find it in an editor.
      const nul = why.startsWith('octet nul') ? head.indexOf(0) : -1;
      throw new IngestError(why, file.name, nul >= 0 ? lineOfByte(head, nul) : undefined);
    }
    const text = decodeHead(head, encoding, whole);
    const s = sniffText(text, given, whole);
    const enough = s.empty ? whole : whole || s.preview.length >= 1 || size === HEAD_SIZES[HEAD_SIZES.length - 1];
    if (!enough) continue;
    return { ...s, options: { ...s.options, encoding }, whole, multibyte: guess.multibyte && encoding === 'utf-8' };
  }
  throw new IngestError('impossible d’analyser le début du fichier', file.name);
}

function lineOfByte(bytes: Uint8Array, pos: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < pos; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}
