// A chart leaves the app as a file that still says what it is and where its numbers come from:
// the title and the source line travel in the CSV (leading comment lines) and in the Vega-Lite JSON
// (`title`, `description`), as they already do in the PNG and SVG the spec draws.
import { neutraliseCell } from '../export/neutralise.ts';
import { DATASET, withValues, type VlSpec } from './vega-spec.ts';
import { slug } from '../util/text.ts';

export interface ChartTexts {
  title: string;
  subtitle: string[];
  sourceLine: string;
}

/** Title, subtitle lines and source line of a compiled chart (the footer text mark holds the source). */
export function chartTexts(vl: VlSpec): ChartTexts {
  const t = vl.title as { text?: unknown; subtitle?: unknown } | undefined;
  const subtitle = Array.isArray(t?.subtitle) ? t.subtitle.map(String) : typeof t?.subtitle === 'string' ? [t.subtitle] : [];
  const footer = (vl.vconcat as VlSpec[] | undefined)?.[1] as { encoding?: { text?: { value?: unknown } } } | undefined;
  const src = footer?.encoding?.text?.value;
  return { title: typeof t?.text === 'string' ? t.text : '', subtitle, sourceLine: typeof src === 'string' ? src : '' };
}

/** Vega alias → the title shown on the axis or legend (labels stay out of field names, see compile.ts). */
export function fieldTitles(vl: VlSpec): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) return o.forEach(walk);
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    if (typeof r.field === 'string' && typeof r.title === 'string' && !out.has(r.field)) out.set(r.field, r.title);
    for (const [k, v] of Object.entries(r)) if (k !== 'datasets' && k !== 'data') walk(v);
  };
  walk(vl.vconcat ?? vl);
  return out;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  const safe = typeof v === 'string' ? neutraliseCell(s) : s;
  return /[",;\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The aggregated rows as CSV (comma-separated, dot decimals: data for tools, not a spreadsheet in
 * French): `# ` comment lines with the title, subtitle and source, then a header of the axis titles.
 * Geometry columns are left out: the CSV is the numbers.
 */
export function chartCsv(vl: VlSpec, values: readonly Record<string, unknown>[]): string {
  const texts = chartTexts(vl);
  const titles = fieldTitles(vl);
  const keys: string[] = [];
  for (const row of values)
    for (const k of Object.keys(row)) if (!keys.includes(k) && k !== 'geometry' && k !== 'type' && k !== 'properties') keys.push(k);
  const comment = (s: string) => `# ${s.replace(/[\r\n]+/g, ' ')}`;
  const lines = [
    ...(texts.title ? [comment(texts.title)] : []),
    ...texts.subtitle.map(comment),
    ...(texts.sourceLine ? [comment(texts.sourceLine)] : []),
    keys.map((k) => csvCell(titles.get(k) ?? k)).join(','),
    ...values.map((row) => keys.map((k) => csvCell(row[k])).join(',')),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** The Vega-Lite spec with its data inlined, the title kept and the source line in `description`. */
export function chartJson(vl: VlSpec, values: readonly Record<string, unknown>[]): string {
  const texts = chartTexts(vl);
  const description = [vl.description, texts.sourceLine].filter((s): s is string => typeof s === 'string' && s.length > 0).join(' — ');
  const full = withValues(vl, [...values]);
  if (!full.datasets || !(DATASET in (full.datasets as Record<string, unknown>))) throw new Error('dataset missing');
  return JSON.stringify({ ...full, ...(description ? { description } : {}) }, null, 2) + '\n';
}

/** A file name from the chart's title: letters, digits and dashes, accents dropped. */
export function chartFileName(title: string, ext: string, fallback = 'graphique'): string {
  return `${slug(title, '-', 80) || fallback}.${ext}`;
}
