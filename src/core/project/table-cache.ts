// The engine's tables kept with the project (cache/), so that opening a project reads them back instead
// of re-importing every source. A cached table is a copy, never the proof: each one names the journal
// entry that made it, and is trusted only as far as that entry vouches for it.
//
// Layout, through the ProjectStore (OPFS in web mode, a folder on disk for the CLI and the desktop):
//   cache/index.json              which tables are cached, from which entry, in which files
//   cache/<digest>-<n>.arrow       the table's rows as Arrow IPC files, one per million rows
// Arrow IPC because DuckDB-wasm exports it and reads it back without any extension (Parquet and the
// DuckDB file format both need one, and none loads offline); an .arrow file also opens in other tools.
//
// On open (Session.open): a table is read back when its entry is in the journal with the same hash, is
// the last to have written that table, and (for an import) read the same file as the manifest names;
// then each file's size and xxHash64 (damage), its columns, types and row count must be those recorded.
// That check is cheap; the full one,
// the table's digest against the journal entry's, runs in the background after the project opens
// (`checkRestored`): a copy that does not match is dropped and the table rebuilt from its source, with
// a message. Writing (`save`) happens after an operation, in the background, and only when the table's
// digest is the journal's.
//
// For a generator (the demo workspace, src/cli/demo.ts): open a Session on a NodeProjectStore, import
// and run as usual, then `await session.cacheIdle()` before closing the engine — the cache/ folder it
// leaves is part of the project and must be copied with it (`cacheFilesOf(indexText)` lists its files).
import { z } from 'zod';
import type { Catalog, TableEntry } from '../catalog/catalog.ts';
import { ColumnMeta, Provenance } from '../catalog/catalog.ts';
import { describeColumns, digestTable } from '../engine/digest.ts';
import type { Engine } from '../engine/engine.ts';
import { entryHash, type JournalEntry } from '../journal/journal.ts';
import { tablesOfImportEntry } from '../ingest/import-entry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { createXXHash64 } from 'hash-wasm';
import { sha256Hex } from '../util/hash.ts';
import type { ProjectStore } from './store.ts';
import { errorText } from '../util/errors.ts';

export const CACHE_DIR = 'cache';
export const CACHE_INDEX = `${CACHE_DIR}/index.json`;
/** Rows per file: one export holds its rows in memory twice (worker and here), so not the whole table. */
export const CHUNK_ROWS = 1_000_000;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const CachedFile = z
  .object({
    // Only names this module writes: a hostile index cannot point anywhere else in the project.
    path: z.string().regex(/^cache\/[0-9a-f]{64}-\d{1,6}\.arrow$/),
    bytes: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    /** xxHash64 of the file: a damaged copy is refused before the engine reads it (a broken Arrow file can hang it). */
    xxh64: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict();

export const CachedTable = z
  .object({
    table: z.string().min(1).max(200),
    kind: z.enum(['table', 'result']),
    /** The journal entry that made the table: its place and its hash. */
    entry: z.object({ seq: z.number().int().nonnegative(), hash: Hex64, op: z.string().max(200) }).strict(),
    /** Every table that entry made, in its order: a several-table entry's digest combines theirs. */
    siblings: z.array(z.string().min(1).max(200)).min(1).max(1000),
    digest: Hex64,
    rows: z.number().int().nonnegative(),
    columns: z.array(ColumnMeta).max(100_000),
    source: Provenance.optional(),
    origin: z.object({ op: z.string().max(200), summary: z.string().max(100_000).optional() }).optional(),
    files: z.array(CachedFile).max(100_000),
    savedAt: z.string().max(40),
  })
  .strict();
export type CachedTable = z.infer<typeof CachedTable>;

const CacheIndex = z
  .object({
    format: z.literal('loupe-table-cache'),
    version: z.literal(1),
    tables: z.array(CachedTable).max(100_000),
  })
  .strict();
type CacheIndex = z.infer<typeof CacheIndex>;

/** Why a cached copy was not used: the message says it, the table is rebuilt from its source. */
export class CacheRefused extends Error {
  constructor(
    readonly table: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'CacheRefused';
  }
}

/** The files a project's cache index names (for copying a project, e.g. the demo into OPFS). */
export function cacheFilesOf(indexText: string): string[] {
  const parsed = CacheIndex.safeParse(safeJson(indexText));
  if (!parsed.success) return [];
  return [...new Set(parsed.data.tables.flatMap((t) => t.files.map((f) => f.path)))];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** An Arrow IPC file is the stream format between a magic header and a footer: DuckDB reads the stream. */
export function ipcFileToStream(bytes: Uint8Array): Uint8Array {
  const magic = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 6));
  if (bytes.length < 22 || magic(0) !== 'ARROW1' || magic(bytes.length - 6) !== 'ARROW1')
    throw new Error('fichier Arrow illisible (en-tête ou fin absents)');
  const footer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(bytes.length - 10, true);
  const end = bytes.length - 10 - footer;
  if (footer <= 0 || end <= 8) throw new Error('fichier Arrow illisible (pied de fichier)');
  return bytes.subarray(8, end);
}

async function xxh64(bytes: Uint8Array): Promise<string> {
  const h = await createXXHash64();
  h.init();
  h.update(bytes);
  return h.digest('hex');
}

/** Whether a journal entry (as read from the file) still hashes to what it claims. */
async function entryIntact(e: JournalEntry): Promise<boolean> {
  const { hash, ...rest } = e;
  return (await entryHash(rest)) === hash;
}

export class TableCache {
  private constructor(
    private readonly store: ProjectStore,
    private index: CacheIndex,
  ) {}

  /** Reads the index; one that is missing is empty, one that does not validate is set aside with a reason. */
  static async load(store: ProjectStore): Promise<{ cache: TableCache; problem: string | null }> {
    const empty: CacheIndex = { format: 'loupe-table-cache', version: 1, tables: [] };
    let text: string | null;
    try {
      text = await store.readText(CACHE_INDEX);
    } catch (e) {
      return { cache: new TableCache(store, empty), problem: `index du cache illisible : ${errorText(e)}` };
    }
    if (text === null) return { cache: new TableCache(store, empty), problem: null };
    const parsed = CacheIndex.safeParse(safeJson(text));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return {
        cache: new TableCache(store, empty),
        problem: `index du cache invalide (${i ? `${i.path.join('.') || 'racine'} : ${i.message}` : 'JSON illisible'})`,
      };
    }
    return { cache: new TableCache(store, parsed.data), problem: null };
  }

  list(): readonly CachedTable[] {
    return this.index.tables;
  }

  get(table: string): CachedTable | undefined {
    return this.index.tables.find((t) => t.table === table);
  }

  /**
   * The entry a cached table names, if the journal vouches for it: present with that hash, intact, and
   * no later entry wrote the same table (a later run whose copy was never written makes this one stale).
   */
  async anchor(rec: CachedTable, entries: readonly JournalEntry[]): Promise<JournalEntry> {
    const e = entries[rec.entry.seq];
    if (!e || e.hash !== rec.entry.hash || e.op !== rec.entry.op)
      throw new CacheRefused(rec.table, 'l’opération qui a produit la copie n’est pas dans le journal');
    if (!(await entryIntact(e))) throw new CacheRefused(rec.table, 'l’entrée du journal qui a produit la copie a été modifiée');
    if (!e.output) throw new CacheRefused(rec.table, 'l’entrée du journal ne décrit aucun résultat');
    for (const later of entries.slice(e.seq + 1)) {
      // An import names each table it wrote (tablesOfImportEntry); only other operations that write
      // several tables without naming them are assumed to have rewritten this one. (Assuming it for
      // imports made any later import of another nested file re-import every earlier one on each open.)
      const imported = later.op === 'import-file';
      const wrote =
        later.output?.table === rec.table ||
        (!imported && later.op === e.op && later.output && !later.output.table && rec.siblings.length > 1);
      const reimported = imported && tablesOfImportEntry(later).includes(rec.table);
      if (wrote || reimported) throw new CacheRefused(rec.table, `copie périmée : l’entrée n° ${later.seq} a produit la table depuis`);
    }
    return e;
  }

  /**
   * Reads a cached table back into the engine and the catalog. Refuses (and leaves no table behind)
   * when a file is missing or truncated, or the columns, types or row count are not those recorded.
   */
  async restore(engine: Engine, catalog: Catalog, rec: CachedTable, entry: JournalEntry): Promise<TableEntry> {
    const name = quoteIdent(rec.table);
    try {
      if (entry.output?.table === rec.table && entry.output.rows !== rec.rows)
        throw new Error(`${rec.rows} ligne(s) en cache, ${entry.output.rows} au journal`);
      if (entry.output?.table === rec.table && entry.output.digest !== rec.digest)
        throw new Error('empreinte différente de celle du journal');
      if (!rec.files.length) throw new Error('aucun fichier');
      const resolver = this.store.files();
      const read = async (f: CachedTable['files'][number]): Promise<Uint8Array> => {
        const file = await resolver.open(f.path);
        if (file.size !== f.bytes) throw new Error(`${f.path} : ${file.size} octet(s) au lieu de ${f.bytes}`);
        const bytes = await file.bytes();
        if ((await xxh64(bytes)) !== f.xxh64) throw new Error(`${f.path} : fichier endommagé (somme de contrôle)`);
        return ipcFileToStream(bytes);
      };
      // The next file is read and checked while the engine inserts this one.
      let next: Promise<Uint8Array> | null = read(rec.files[0]!);
      for (let i = 0; next; i++) {
        const stream = await next;
        next = i + 1 < rec.files.length ? read(rec.files[i + 1]!) : null;
        next?.catch(() => undefined);
        if (i === 0) await engine.exec(`DROP TABLE IF EXISTS ${name}`);
        await engine.insertArrowIPC(rec.table, stream, { create: i === 0 });
      }
      const cols = await describeColumns(engine, name);
      const want = rec.columns.map((c) => `${c.name} ${c.type}`).join(', ');
      const got = cols.map((c) => `${c.name} ${c.type}`).join(', ');
      if (got !== want) throw new Error(`colonnes relues « ${got} » au lieu de « ${want} »`);
      const n = Number((await engine.query(`SELECT count(*) FROM ${name}`)).rows[0]?.[0] ?? -1);
      if (n !== rec.rows) throw new Error(`${n} ligne(s) relue(s) au lieu de ${rec.rows}`);
    } catch (e) {
      await engine.exec(`DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
      throw e instanceof CacheRefused ? e : new CacheRefused(rec.table, errorText(e));
    }
    const entryOut: TableEntry = {
      name: rec.table,
      kind: rec.kind,
      columns: rec.columns,
      rows: rec.rows,
      ...(rec.source ? { source: rec.source } : {}),
      ...(rec.origin ? { origin: rec.origin } : {}),
    };
    catalog.set(entryOut);
    return entryOut;
  }

  /**
   * The full check of restored tables, for the background: each table's digest, computed by the engine,
   * against the index and, combined, against the journal entry that made them. Returns the refusals.
   */
  async check(engine: Engine, recs: readonly CachedTable[], entry: JournalEntry): Promise<CacheRefused[]> {
    const digests = new Map<string, string>();
    const refused: CacheRefused[] = [];
    for (const rec of recs) {
      const d = await digestTable(engine, rec.table);
      digests.set(rec.table, d.digest);
      if (d.digest !== rec.digest || d.rows !== rec.rows)
        refused.push(new CacheRefused(rec.table, 'contenu différent de celui enregistré (empreinte)'));
    }
    if (refused.length) return refused;
    const sib = recs[0]!.siblings;
    const combined =
      sib.length === 1
        ? digests.get(sib[0]!)
        : sib.every((s) => digests.has(s))
          ? await sha256Hex(sib.map((s) => digests.get(s)!).join('\n'))
          : undefined;
    if (combined !== undefined && combined !== entry.output?.digest) {
      return recs.map((r) => new CacheRefused(r.table, `contenu différent du résultat journalisé (entrée n° ${entry.seq})`));
    }
    return [];
  }

  /**
   * Writes the tables an entry made and records them. Nothing is written unless the tables' digests
   * are the entry's: the cache only ever holds what the journal vouches for.
   */
  async save(engine: Engine, catalog: Catalog, entry: JournalEntry, tables: readonly string[]): Promise<CachedTable[]> {
    if (!entry.output || !tables.length) return [];
    const digests: { table: string; digest: string; rows: number }[] = [];
    for (const t of tables) {
      digests.push({ table: t, ...(await digestTable(engine, t)) });
    }
    const combined = digests.length === 1 ? digests[0]!.digest : await sha256Hex(digests.map((d) => d.digest).join('\n'));
    if (combined !== entry.output.digest) return [];
    const recs: CachedTable[] = [];
    for (const d of digests) {
      const cat = catalog.get(d.table);
      if (!cat || cat.kind === 'view') continue;
      const files: CachedTable['files'] = [];
      const maxRow = Number((await engine.query(`SELECT coalesce(max(rowid) + 1, 0) FROM ${quoteIdent(d.table)}`)).rows[0]?.[0] ?? 0);
      for (let from = 0, n = 0; n === 0 || from < maxRow; from += CHUNK_ROWS, n++) {
        const bytes = await engine.queryIPC(`SELECT * FROM ${quoteIdent(d.table)} WHERE rowid >= ${from} AND rowid < ${from + CHUNK_ROWS}`);
        const path = `${CACHE_DIR}/${d.digest}-${n}.arrow`;
        await this.store.writeBytes(path, bytes);
        const rows = Math.max(0, Math.min(CHUNK_ROWS, maxRow - from));
        files.push({ path, bytes: bytes.length, rows, xxh64: await xxh64(bytes) });
      }
      recs.push({
        table: d.table,
        kind: cat.kind === 'result' ? 'result' : 'table',
        entry: { seq: entry.seq, hash: entry.hash, op: entry.op },
        siblings: digests.map((x) => x.table),
        digest: d.digest,
        rows: d.rows,
        columns: cat.columns,
        ...(cat.source ? { source: cat.source } : {}),
        ...(cat.origin ? { origin: cat.origin } : {}),
        files,
        savedAt: new Date().toISOString(),
      });
    }
    const names = new Set(recs.map((r) => r.table));
    this.index = { ...this.index, tables: [...this.index.tables.filter((t) => !names.has(t.table)), ...recs] };
    await this.writeIndex();
    return recs;
  }

  /** Drops tables from the index (a copy refused, a table gone); their files go at the next cleanup. */
  async forget(tables: readonly string[]): Promise<void> {
    const drop = new Set(tables);
    if (!this.index.tables.some((t) => drop.has(t.table))) return;
    this.index = { ...this.index, tables: this.index.tables.filter((t) => !drop.has(t.table)) };
    await this.writeIndex();
  }

  private async writeIndex(): Promise<void> {
    await this.store.writeTextAtomic(CACHE_INDEX, JSON.stringify(this.index) + '\n');
    // Files no record names any more: removed where the store can remove (a left-over file is harmless).
    if (!this.store.remove) return;
    const kept = new Set(this.index.tables.flatMap((t) => t.files.map((f) => f.path)));
    const present = await this.store
      .files()
      .list(CACHE_DIR)
      .catch(() => [] as string[]);
    for (const p of present) if (/\.arrow$/.test(p) && !kept.has(p)) await this.store.remove(p).catch(() => undefined);
  }
}
