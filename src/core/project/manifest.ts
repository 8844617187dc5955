// The project manifest (loupe.json): what to re-import and how, plus saved work. Validated on open,
// because a project may come from someone else.
import { z } from 'zod';
import '../util/zod-fr.ts';

const MAX = 10_000;

export const SourceRecord = z.object({
  /** As given to the import: project-relative for copies the project keeps, absolute otherwise. */
  path: z.string().min(1).max(4096),
  fileName: z.string().max(1000),
  format: z.enum(['csv', 'json', 'geojson', 'parquet', 'xlsx', 'xml']),
  /** The first (or only) table the file produced; the import recreates the same names. */
  table: z.string().min(1).max(200),
  tables: z.array(z.string().max(200)).max(1000),
  options: z.record(z.string(), z.unknown()),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().nonnegative(),
  importedAt: z.string().max(40),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

export const SavedQuery = z.object({
  name: z.string().min(1).max(200),
  sql: z.string().max(1_000_000),
  description: z.string().max(10_000).optional(),
  createdAt: z.string().max(40),
});
export type SavedQuery = z.infer<typeof SavedQuery>;

export const JournalHeadRecord = z
  .object({
    count: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  })
  .strict()
  .refine((h) => (h.count === 0) === (h.hash === null), { message: 'une tête vide n’a pas d’empreinte, une tête non vide en a une' });

export const Manifest = z.object({
  format: z.literal('loupe-project'),
  version: z.literal(1),
  name: z.string().min(1).max(200),
  createdAt: z.string().max(40),
  savedAt: z.string().max(40),
  sources: z.array(SourceRecord).max(MAX),
  queries: z.array(SavedQuery).max(MAX).default([]),
  charts: z.array(z.record(z.string(), z.unknown())).max(MAX).default([]),
  findings: z.array(z.record(z.string(), z.unknown())).max(MAX).default([]),
  /** The Budget view's column mappings and settings (checked again by the budget operations when run). */
  budget: z.record(z.string(), z.unknown()).optional(),
  /**
   * The journal's head when the manifest was last saved. A journal shorter than this, or whose entry
   * at this place has another hash, lost or rewrote entries. Absent in projects from before it existed.
   */
  journalHead: JournalHeadRecord.optional(),
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_FILE = 'loupe.json';
export const JOURNAL_FILE = 'journal.ndjson';
/** Copies of the files imported in web mode, where a path on disk cannot be read again. */
export const SOURCES_DIR = 'sources';
const MAX_MANIFEST_BYTES = 50 * 1024 * 1024;

export function emptyManifest(name: string): Manifest {
  const now = new Date().toISOString();
  return { format: 'loupe-project', version: 1, name, createdAt: now, savedAt: now, sources: [], queries: [], charts: [], findings: [] };
}

export function parseManifest(text: string, where: string): Manifest {
  if (text.length > MAX_MANIFEST_BYTES) throw new Error(`${where} : manifeste trop volumineux (${text.length} octets)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where} : le manifeste n’est pas du JSON valide`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${where} : manifeste invalide (${i.path.join('.') || 'racine'} : ${i.message})`);
  }
  return parsed.data;
}
