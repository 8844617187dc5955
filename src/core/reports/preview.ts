// Where a passage stands in its report, for a page preview with the passage marked: the block's page and
// bounding box (PDF units, stored at import), and the report's PDF read back from the project's own copy.
// Only the project's store is read (a copy kept at import): a file outside the project is not opened
// behind the user's back. The copy must still be the file that was imported: its SHA-256 is checked,
// and a missing or changed copy gives a reason instead of bytes — the preview must never show a page
// of another file under the report's name.
import type { Engine } from '../engine/engine.ts';
import type { ProjectStore } from '../project/store.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { errorText } from '../util/errors.ts';
import { sha256Hex } from '../util/hash.ts';
import { BLOCKS_TABLE, REPORTS_TABLE } from './schema.ts';

/** A block's bounding box in PDF user space (origin bottom-left), as pdf.js's text transforms give it. */
export interface PassageBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PassageLocation {
  blocId: number;
  sha256: string;
  fichier: string;
  /** The path import-reports read (project-relative when the file was kept in the project). */
  chemin: string;
  page: number;
  /** null for a library imported before boxes were stored: the page shows, unmarked, and says so. */
  box: PassageBox | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

/** The box of the text runs, or null when the block has none (an old library) or a degenerate one. */
export function boxOf(row: { x0: unknown; y0: unknown; x1: unknown; y1: unknown }): PassageBox | null {
  const [x0, y0, x1, y1] = [num(row.x0), num(row.y0), num(row.x1), num(row.y1)];
  if (x0 === null || y0 === null || x1 === null || y1 === null || x1 <= x0 || y1 <= y0) return null;
  return { x0, y0, x1, y1 };
}

/** The block's report, page and box; null when the block is not in the library (any more). */
export async function passageLocation(engine: Engine, blocId: number): Promise<PassageLocation | null> {
  if (!Number.isInteger(blocId)) return null;
  // Old libraries may lack the box columns: read what the table has.
  const cols = new Set(
    (await engine.query(`SELECT column_name FROM information_schema.columns WHERE table_name = ${quoteLiteral(BLOCKS_TABLE)}`)).rows.map(
      (r) => String(r[0]),
    ),
  );
  const box = ['x0', 'y0', 'x1', 'y1'].map((c) => (cols.has(c) ? `b.${quoteIdent(c)}` : 'NULL') + ` AS ${c}`).join(', ');
  const r = await engine.query(
    `SELECT b.sha256, b.fichier, r.chemin, b.page, ${box}
     FROM ${quoteIdent(BLOCKS_TABLE)} b JOIN ${quoteIdent(REPORTS_TABLE)} r USING (sha256)
     WHERE b.bloc_id = ${blocId} LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) return null;
  const o = Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]]));
  return {
    blocId,
    sha256: String(o.sha256),
    fichier: String(o.fichier),
    chemin: String(o.chemin),
    page: Number(o.page),
    box: boxOf(o as { x0: unknown; y0: unknown; x1: unknown; y1: unknown }),
  };
}

export type ReportPdf =
  | { ok: true; bytes: Uint8Array }
  /** missing: no copy in the project; changed: the copy's SHA-256 is not the imported file's. */
  | { ok: false; reason: 'missing' | 'changed'; detail: string };

/** The report's PDF from the project's copy, checked against the SHA-256 recorded at import. */
export async function reportPdf(store: ProjectStore, report: { chemin: string; sha256: string }): Promise<ReportPdf> {
  let bytes: Uint8Array;
  try {
    bytes = await (await store.files().open(report.chemin)).bytes();
  } catch (e) {
    return { ok: false, reason: 'missing', detail: errorText(e) };
  }
  // The bytes hashed are the bytes drawn: no window for the file to change between the two.
  const sha = await sha256Hex(bytes);
  return sha === report.sha256 ? { ok: true, bytes } : { ok: false, reason: 'changed', detail: sha };
}
