// The HATVP's declarations of interests and assets (`<declarations><declaration>…`), as published for
// every declaration and in one file for all. One row per declaration — its id, filing date, declarant,
// mandate and document type, from `general` — and one child table per section (`…Dto`: financial
// holdings, past jobs, elected mandates, directorships, volunteer work…), one row per declared item
// with the declaration's uuid. A section declared empty (`<neant>true</neant>`) is a column of the
// declaration, so « nothing to declare » stays distinct from « section missing ».
import { isPlainObject } from './json-text.ts';
import type { XmlScan } from './xml.ts';

export function isHatvp(scan: XmlScan): boolean {
  return scan.root === 'declarations' && scan.paths.has('declarations/declaration/general');
}

export const HATVP_RECORD_PATH = 'declarations/declaration';

/** Heavy or useless for analysis: the PDF receipts' base64 content. */
const DROPPED = new Set(['attachedFiles']);

/** Reshapes one declaration object for nested.ts: sections become arrays of items. */
export function hatvpDeclaration(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const sections: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(d)) {
    if (DROPPED.has(k)) continue;
    if (k.endsWith('Dto') && (isPlainObject(v) || v === null)) {
      const sec = (v ?? {}) as Record<string, unknown>;
      const items = Array.isArray(sec.items) ? sec.items : isPlainObject(sec.items) ? [sec.items] : [];
      if ('neant' in sec) out[`${k}.neant`] = sec.neant;
      out[`${k}.elements`] = items.length;
      sections.push([k, items.map((x) => (isPlainObject(x) ? x : { valeur: x }))]);
    } else out[k] = v;
  }
  for (const [k, items] of sections) out[k] = items;
  return out;
}
