// What a report says about itself on its first pages: its number, date and audited service. Reports
// follow a house style but no schema: these patterns cover the forms seen (« Rapport n° 2023-14 »,
// « N° 22-05 », « 15 mars 2023 », « Service audité : Direction … »); when none matches, the column is
// NULL and the user sees it empty, never a guess.
import type { PdfExtract } from '../ingest/pdf.ts';

const MONTHS: Record<string, number> = {
  janvier: 1,
  fevrier: 2,
  mars: 3,
  avril: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  decembre: 12,
};

const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1950 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function detectNumber(text: string): string | null {
  const m =
    /\b(?:rapport|audit|note|mission)\s+(?:n\s?[°o]\.?\s*)?(\d{2,4}(?:[-–/.][0-9A-Z]{1,6}){1,2})\b/i.exec(text) ??
    /\bn\s?°\s*(\d{2,4}(?:[-–/.][0-9A-Z]{1,6}){1,2})\b/i.exec(text);
  return m ? m[1]!.replace(/–/g, '-') : null;
}

export function detectDate(text: string): string | null {
  const f = fold(text);
  const long =
    /\b(1er|\d{1,2})\s+(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\s+((?:19|20)\d{2})\b/.exec(f);
  if (long) {
    const d = long[1] === '1er' ? 1 : Number(long[1]);
    const [y, m] = [Number(long[3]), MONTHS[long[2]!]!];
    if (validDate(y, m, d)) return iso(y, m, d);
  }
  const num = /\b(\d{1,2})\/(\d{1,2})\/((?:19|20)\d{2})\b/.exec(f);
  if (num && validDate(Number(num[3]), Number(num[2]), Number(num[1]))) return iso(Number(num[3]), Number(num[2]), Number(num[1]));
  const month = /\b(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\s+((?:19|20)\d{2})\b/.exec(f);
  if (month) return iso(Number(month[2]), MONTHS[month[1]!]!, 1);
  return null;
}

export function detectService(text: string): string | null {
  const labelled = /(?:service|direction|entit[ée]|organisme)s?\s+(?:audit[ée]e?s?|contr[ôo]l[ée]e?s?)\s*:\s*([^\n]{3,160})/i.exec(text);
  if (labelled) return labelled[1]!.trim().replace(/[.;,]+$/, '');
  const direction = /\b(Direction\s+(?:de la |de l['’]|des |du |de )[^\n.,;()]{3,100})/.exec(text);
  return direction ? direction[1]!.trim() : null;
}

export interface DetectedReport {
  title: string | null;
  number: string | null;
  date: string | null;
  service: string | null;
}

/** Title, number, date and service from the first two pages (metadata for the title and, last, the date). */
export function detectReport(x: PdfExtract): DetectedReport {
  const first = x.pages.slice(0, 2).flatMap((p) => p.blocks);
  const text = first.map((b) => b.text).join('\n');
  const heading = x.pages[0]?.blocks.find((b) => b.heading === 1) ?? x.pages[0]?.blocks.find((b) => b.heading > 0);
  const title = x.title ?? (heading ? heading.text.replace(/\s*\n\s*/g, ' ') : null);
  return { title, number: detectNumber(text), date: detectDate(text) ?? x.created, service: detectService(text) };
}
