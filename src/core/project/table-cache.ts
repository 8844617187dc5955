// The engine's tables kept with the project (cache/), so that opening a project reads them back instead
// of re-importing every source. A cached table is a copy, never the proof: each one names the journal
// entry that made it, and is trusted only as far as that entry vouches for it.
//
// Layout, through the ProjectStore (OPFS in web mode, a folder on disk for the CLI and the desktop):
//   cache/index.json              which tables are cached, from which entry, in which file
//   cache/<digest>.duckdb         the table as the one table `t` of a DuckDB database file
// A DuckDB file because it is DuckDB's own compressed storage (the bench's 5,000,000 rows weigh 118 MB,
// 1.1 GB as Arrow IPC), and because the engine can then serve the table from it in place
// (Engine.attachTableCopy): opening a project reads each file and attaches it, nothing is copied
// row by row. It is written and attached as an in-memory file (empty-database.ts says why it starts
// from an image), never by a path: the engine's locked settings only reach files Loupe registered.
// An index of an earlier format (Arrow files) is set aside with a message and its tables re-imported
// once; a table kept in several files (the two-thread engine's parts, before 4 December 2026) is
// re-imported once and kept in one file.
//
// On open (Session.open): a table is read back when its entry is in the journal with the same hash, is
// the last to have written that table, and (for an import) read the same file as the manifest names;
// then the file's size and xxHash64 (damage), its one base table and nothing else, its columns, types
// and row count must be those recorded. That check is cheap; the full one,
// the table's digest against the journal entry's, runs in the background after the project opens
// (`checkRestored`): a copy that does not match is dropped and the table rebuilt from its source, with
// a message. Writing (`save`) happens after an operation, in the background, and only when the table's
// digest is the journal's, before and after the copy.
//
// For a generator (the demo workspace, src/cli/demo.ts): open a Session on a NodeProjectStore, import
// and run as usual, then `await session.cacheIdle()` before closing the engine — the cache/ folder it
// leaves is part of the project and must be copied with it (`cacheFilesOf(indexText)` lists its files).
import { z } from 'zod';
import type { Catalog, TableEntry } from '../catalog/catalog.ts';
import { ColumnMeta, Provenance } from '../catalog/catalog.ts';
import { describeColumns, digestTable } from '../engine/digest.ts';
import { registeredName, type Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { entryHash, type JournalEntry } from '../journal/journal.ts';
import { tablesOfImportEntry } from '../ingest/import-entry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { createXXHash64 } from 'hash-wasm';
import { sha256Hex } from '../util/hash.ts';
import type { ProjectStore } from './store.ts';
import { errorText } from '../util/errors.ts';
import { emptyDatabaseImage } from './empty-database.ts';

export const CACHE_DIR = 'cache';
export const CACHE_INDEX = `${CACHE_DIR}/index.json`;
/** The one table of a cache file. */
const CACHED = 't';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const CachedFile = z
  .object({
    // Only names this module writes: a hostile index cannot point anywhere else in the project.
    path: z.string().regex(/^cache\/[0-9a-f]{64}(?:\.[0-9])?\.duckdb$/),
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
    /** The file holding the table; an index written before 4 December 2026 may list its rows in several parts. */
    files: z.array(CachedFile).min(1).max(16),
    savedAt: z.string().max(40),
  })
  .strict();
export type CachedTable = z.infer<typeof CachedTable>;

const CacheIndex = z
  .object({
    format: z.literal('loupe-table-cache'),
    version: z.literal(2),
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

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
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
    const empty: CacheIndex = { format: 'loupe-table-cache', version: 2, tables: [] };
    let text: string | null;
    try {
      text = await store.readText(CACHE_INDEX);
    } catch (e) {
      return { cache: new TableCache(store, empty), problem: `index du cache illisible : ${errorText(e)}` };
    }
    if (text === null) return { cache: new TableCache(store, empty), problem: null };
    const json = safeJson(text);
    if (isObject(json) && json.format === 'loupe-table-cache' && json.version === 1)
      return { cache: new TableCache(store, empty), problem: 'copies d’un format antérieur (Arrow), remplacées à cette ouverture' };
    const parsed = CacheIndex.safeParse(json);
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
    const refused = (await this.restoreAll(engine, catalog, [{ rec, entry }])).get(rec.table);
    if (refused) throw refused;
    return catalog.get(rec.table)!;
  }

  /**
   * `restore` for several tables, their files attached together (Engine.attachTableCopies): what a
   * project's opening does. The tables refused, each with its reason; the others are in the catalog.
   */
  async restoreAll(
    engine: Engine,
    catalog: Catalog,
    items: readonly { rec: CachedTable; entry: JournalEntry }[],
  ): Promise<Map<string, CacheRefused>> {
    const refused = new Map<string, CacheRefused>();
    const refuse = async (table: string, e: unknown) => {
      await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`).catch(() => undefined);
      refused.set(table, e instanceof CacheRefused ? e : new CacheRefused(table, errorText(e)));
    };
    const ready: { rec: CachedTable; file: string; bytes: Uint8Array }[] = [];
    for (const { rec, entry } of items) {
      try {
        if (entry.output?.table === rec.table && entry.output.rows !== rec.rows)
          throw new Error(`${rec.rows} ligne(s) en cache, ${entry.output.rows} au journal`);
        if (entry.output?.table === rec.table && entry.output.digest !== rec.digest)
          throw new Error('empreinte différente de celle du journal');
        if (rec.files.length !== 1)
          throw new Error(
            `copie en ${rec.files.length} fichiers (format d’avant le 4 décembre 2026), gardée en un seul après cette ouverture`,
          );
        const file = rec.files[0]!;
        if (file.rows !== rec.rows) throw new Error(`${file.rows} ligne(s) dans le fichier, ${rec.rows} pour la table`);
        ready.push({ rec, file: `cache-${++attached}.duckdb`, bytes: await this.readChecked(file) });
      } catch (e) {
        await refuse(rec.table, e);
      }
    }
    const failures = await engine.attachTableCopies(ready.map(({ rec, file, bytes }) => ({ table: rec.table, file, bytes })));
    for (const [i, { rec }] of ready.entries()) {
      const name = quoteIdent(rec.table);
      try {
        if (failures[i]) throw failures[i];
        const cols = await describeColumns(engine, name);
        const want = rec.columns.map((c) => `${c.name} ${c.type}`).join(', ');
        const got = cols.map((c) => `${c.name} ${c.type}`).join(', ');
        if (got !== want) throw new Error(`colonnes relues « ${got} » au lieu de « ${want} »`);
        const n = await countRows((sql) => engine.query(sql, { cache: false }), name);
        if (n !== rec.rows) throw new Error(`${rec.files[0]!.path} : ${n} ligne(s) au lieu de ${rec.rows}`);
      } catch (e) {
        await refuse(rec.table, e);
        continue;
      }
      catalog.set({
        name: rec.table,
        kind: rec.kind,
        columns: rec.columns,
        rows: rec.rows,
        ...(rec.source ? { source: rec.source } : {}),
        ...(rec.origin ? { origin: rec.origin } : {}),
      });
    }
    return refused;
  }

  /** A cache file's bytes, refused when its size or checksum is not the one recorded (a damaged copy). */
  private async readChecked(f: CachedTable['files'][number]): Promise<Uint8Array> {
    const file = await this.store.files().open(f.path);
    if (file.size !== f.bytes) throw new Error(`${f.path} : ${file.size} octet(s) au lieu de ${f.bytes}`);
    const bytes = await file.bytes();
    if ((await xxh64(bytes)) !== f.xxh64) throw new Error(`${f.path} : fichier endommagé (somme de contrôle)`);
    return bytes;
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
      const copy = await tableAsDatabaseFile(engine, d.table);
      // Other work runs between the digest and the copy: the table must still be what the journal vouches for.
      const after = await digestTable(engine, d.table);
      if (after.digest !== d.digest || after.rows !== d.rows || copy.rows !== d.rows) return [];
      const path = `${CACHE_DIR}/${d.digest}.duckdb`;
      await this.store.writeBytes(path, copy.bytes);
      const files: CachedTable['files'] = [{ path, bytes: copy.bytes.length, rows: copy.rows, xxh64: await xxh64(copy.bytes) }];
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
    // .arrow: the files of the earlier format.
    for (const p of present) if (/\.(arrow|duckdb)$/.test(p) && !kept.has(p)) await this.store.remove(p).catch(() => undefined);
  }
}

let attached = 0;

type Run = (sql: string) => Promise<Rows>;

async function countRows(run: Run, table: string): Promise<number> {
  return Number((await run(`SELECT count(*) FROM ${table}`)).rows[0]?.[0] ?? -1);
}

/**
 * `table`'s rows copied in their order into a new database file; its bytes and rows. The write-ahead
 * log is registered too: an unregistered name would reach the disk (Node) or the network (browser).
 */
export async function tableAsDatabaseFile(engine: Engine, table: string): Promise<{ bytes: Uint8Array; rows: number }> {
  const run: Run = (sql) => engine.query(sql, { cache: false });
  const n = ++attached;
  const file = `cache-${n}.duckdb`;
  const db = `loupe_cache_${n}`;
  const to = `${quoteIdent(db)}.main.${CACHED}`;
  await engine.registerBuffer(file, emptyDatabaseImage());
  await engine.registerBuffer(`${file}.wal`, new Uint8Array(0));
  try {
    await engine.exec(`ATTACH ${quoteLiteral(registeredName(file))} AS ${quoteIdent(db)}`);
    let rows: number;
    try {
      // One statement: the row order is kept (DuckDB inserts in scan order without ORDER BY when
      // preserve_insertion_order holds, its default), and the engine runs on one thread.
      await run(`CREATE TABLE ${to} AS SELECT * FROM ${quoteIdent(table)}`);
      rows = await countRows(run, to);
    } finally {
      // Detaching checkpoints: the file then holds the whole table.
      await engine.exec(`DETACH DATABASE IF EXISTS ${quoteIdent(db)}`);
    }
    return { bytes: await engine.copyFileToBuffer(file), rows };
  } finally {
    for (const f of [file, `${file}.wal`]) await engine.dropFile(f).catch(() => undefined);
  }
}
