// The engine: one DuckDB (wasm) database behind a scheduler (scheduler.ts). Two connections: the main
// one runs writes and long reads one at a time, most urgent first; the interactive one answers short
// reads (grid windows, facets, brushes) while a long query runs on the main one — the worker serves
// its message between two polling steps of the long query. Read-only results are cached by SQL
// until the next write.
import { DuckDBDataProtocol, type AsyncDuckDB, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { QueryCancelledError, ResultCache, Scheduler, isCacheableSql, isReadOnlySql, type JobInfo, type Priority } from './scheduler.ts';
import { tableToRows, type Rows } from './values.ts';
import { errorText } from '../util/errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';

export { QueryCancelledError, type JobInfo, type Priority };

export type EngineKind = 'node' | 'browser-eh' | 'browser-coi';

export interface QueryOptions {
  /** Cancel the query after this many milliseconds (the user sees a "too slow" message). */
  timeoutMs?: number;
  /** Default 'normal', or the priority of the engine view (`engine.lane(…)`) it was called on. */
  priority?: Priority;
  /** A newer request with the same slot cancels this one (a newer brush of the same chart). */
  slot?: string;
  /** What the activity indicator shows (otherwise the first words of the SQL). */
  label?: string;
  /** false: never serve this read from the cache (it still runs on the interactive connection). */
  cache?: boolean;
  /** Where the caller's whole task stands (0 to 1), for the activity indicator. */
  progress?: number;
}

type LaneDefaults = Pick<QueryOptions, 'priority' | 'slot' | 'label'>;

/** What every view of one engine shares: one scheduler, one cache, one set of views. */
interface Shared {
  sched: Scheduler;
  cache: ResultCache<Rows>;
  views: Map<string, Engine>;
  /** Names the interactive connection did not find (TEMP tables): reads naming them go to the main one. */
  mainOnly: Set<string>;
  /** Reads run again after an EngineStoppedError. */
  retried: number;
  /** Database files holding one table each, read in place (attachTableCopy): database name → file. */
  copies: Map<string, string>;
}

const MAIN = 'main';
const FAST = 'interactive';
/** Results longer than this are not kept: the cache is for windows, facets and chart data. */
const CACHE_MAX_ROWS = 5000;

/** A read the interactive connection could not answer (a TEMP table lives on the main connection only). */
class NeedsMainConnection extends Error {}

/** DuckDB's and duckdb-wasm's words for a stopped query; not any message with « cancel » in it (a column named so). */
const STOPPED = /query was cancell?ed|execution of the query was cancell?ed|operation cancell?ed/i;

/** What a query stopped by its time limit (QueryOptions.timeoutMs) rejects with. */
const timedOutError = (ms: number | undefined) => new QueryCancelledError(`Requête interrompue après ${ms} ms`);

/**
 * DuckDB stopped a query that neither the user, a newer request nor a timeout asked to stop: a result
 * stream cut before its first batch, or a « canceled » from the worker. Seen twice in CI under load, in
 * Chromium's threaded engine, never reproduced on demand — likely its unlocked response buffer, cleared
 * by one thread while the other read an answer (src/host/engine.ts), which is why the app no longer
 * runs that engine. A read is run once more (same SQL, same answer); a write is not, since it may have
 * been applied, and the message says what happened.
 */
export class EngineStoppedError extends Error {
  constructor(detail: string) {
    super(`Le moteur a interrompu la requête sans qu’on le lui demande (${detail}) ; relancez-la.`);
    this.name = 'EngineStoppedError';
  }
}

export const QUERY_CONFIG = {
  // BIGINT stays BigInt in Arrow and becomes a number in values.ts: the cast would miss values inside lists.
  castBigIntToDouble: false,
  // DECIMAL stays DECIMAL in Arrow: values.ts turns it into the nearest double exactly.
  castDecimalToDouble: false,
  castTimestampToDate: false,
  // How long the worker computes a query before it reads its next message (default 100 ms): a short
  // read on the interactive connection waits at most one such step behind a long query.
  queryPollingInterval: 20,
} as const;

/**
 * The only folder the engine may read or write: files registered by Loupe itself (an import's source,
 * an export's buffer) are named under it. It exists in no real file system that Loupe creates, and in
 * Node a name under it that was not registered is looked up on disk, finds nothing, and fails.
 */
export const REGISTERED_DIR = '/loupe-registered/';

/** The name a registered file has for DuckDB: under REGISTERED_DIR, one plain segment. */
export function registeredName(name: string): string {
  const base = name.startsWith(REGISTERED_DIR) ? name.slice(REGISTERED_DIR.length) : name;
  // A table named "a/b" or ".." must still load, without its name leaving the folder.
  const safe = base.replace(/[\\/]/g, '_').replace(/^\.+$/, (d) => '_'.repeat(d.length));
  return REGISTERED_DIR + (safe || '_');
}

/**
 * Settings applied right after connecting. Offline: the engine never fetches an extension. Locked:
 * no SQL — a saved view in someone else's project, the workbench, the CLI — reads or writes a file
 * by name (read_text('/etc/passwd'), FROM 'x.csv', COPY … TO, ATTACH, glob…); only files Loupe
 * registered under REGISTERED_DIR are reachable. DuckDB refuses to re-enable external access while
 * the database runs, and lock_configuration refuses any later SET of these, so SQL cannot undo them.
 */
export const OFFLINE_SETTINGS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
  `SET allowed_directories = ['${REGISTERED_DIR}']`,
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

export class Engine {
  /** Set on views only (see `lane`): the priority and slot their calls get unless told otherwise. */
  private defaults: LaneDefaults = {};

  private constructor(
    readonly kind: EngineKind,
    readonly db: AsyncDuckDB,
    private readonly conn: AsyncDuckDBConnection,
    private readonly fast: AsyncDuckDBConnection,
    private readonly onClose: () => Promise<void> | void,
    private readonly shared: Shared,
  ) {}

  static async open(kind: EngineKind, db: AsyncDuckDB, onClose: () => Promise<void> | void = () => {}): Promise<Engine> {
    const conn = await db.connect();
    // Connected before the settings: they are global and locked, and the lock holds for both.
    const fast = await db.connect();
    for (const s of OFFLINE_SETTINGS) await conn.query(s);
    const shared: Shared = {
      sched: new Scheduler([MAIN, FAST]),
      // Callers may sort or change what they get: each hit is a fresh copy of the rows.
      cache: new ResultCache<Rows>(200, (r) => ({ columns: r.columns, rows: r.rows.map((x) => x.slice()) })),
      views: new Map(),
      mainOnly: new Set(),
      retried: 0,
      copies: new Map(),
    };
    return new Engine(kind, db, conn, fast, onClose, shared);
  }

  /**
   * This engine with another default priority (and slot): the same database, queue and cache, an
   * object of its own to hand to code that calls `engine.query` (an operation, a facet helper).
   */
  lane(priority: Priority, opts: { slot?: string; label?: string } = {}): Engine {
    const key = JSON.stringify([priority, opts.slot ?? null, opts.label ?? null]);
    let v = this.shared.views.get(key);
    if (!v) {
      // A view shares every field of the engine through its prototype, except its own defaults.
      v = Object.create(Object.getPrototypeOf(this) === Engine.prototype ? this : Object.getPrototypeOf(this)) as Engine;
      v.defaults = {
        priority,
        ...(opts.slot !== undefined ? { slot: opts.slot } : {}),
        ...(opts.label !== undefined ? { label: opts.label } : {}),
      };
      this.shared.views.set(key, v);
    }
    return v;
  }

  /** The default priority of this engine or view. */
  get priority(): Priority {
    return this.defaults.priority ?? 'normal';
  }

  /** Queued and running work, for the activity indicator. */
  jobs(): JobInfo[] {
    return this.shared.sched.jobs();
  }

  /** Calls `fn` now and at every change of the queued and running work; returns the unsubscribe. */
  onActivity(fn: (jobs: JobInfo[]) => void): () => void {
    return this.shared.sched.subscribe(fn);
  }

  /** Cancels one job of the indicator: a queued one never runs, a running one is stopped. */
  cancelJob(id: number): boolean {
    return this.shared.sched.cancel(id);
  }

  /** How many results the cache served and missed, and the data generation (for tests and the bench). */
  cacheStats(): { hits: number; misses: number; generation: number; size: number } {
    const c = this.shared.cache;
    return { hits: c.hits, misses: c.misses, generation: c.generation, size: c.size };
  }

  /** How many reads were run again after an EngineStoppedError (for tests). */
  retriedReads(): number {
    return this.shared.retried;
  }

  /**
   * `table` served in place from a database file holding it as its one table `t` (a project's cached
   * copy, src/core/project/table-cache.ts), instead of copied into memory: the file is attached and put
   * on both connections' search path, after the in-memory database, so the table is a base table
   * like any other (row ids, DROP, ALTER; it reads faster than a copy and weighs its compressed size).
   * Refused, and nothing left behind, when the file holds anything else: its macros would answer for
   * the built-in functions of every query. Any table of that name is dropped first. A copy whose table
   * is dropped, or replaced by a table of its name in memory, is detached after that write
   * (settleCopies): a copy must never show through again. One write job; the engine runs on one thread
   * (src/host/engine.ts), which is what lets DuckDB read and write an in-memory file this way.
   */
  async attachTableCopy(table: string, file: string, bytes: Uint8Array): Promise<void> {
    const [failed] = await this.attachTableCopies([{ table, file, bytes }]);
    if (failed) throw failed;
  }

  /**
   * attachTableCopy for several tables at once, in one job and one check of what the files hold (listing
   * DuckDB's functions, which the check must do, costs as much as the rest of an attach): what a
   * project's opening does. Each table's failure, or null, in the order given; a failed one leaves nothing.
   */
  attachTableCopies(items: readonly { table: string; file: string; bytes: Uint8Array }[]): Promise<(Error | null)[]> {
    const out: (Error | null)[] = items.map(({ file, bytes }) =>
      // DuckDB would take an empty or foreign file for a new database to write, and hang doing so.
      bytes.length < DUCKDB_MIN_FILE || new TextDecoder().decode(bytes.subarray(8, 12)) !== 'DUCK'
        ? new Error(`${file} : pas une base DuckDB`)
        : null,
    );
    if (out.every((e) => e)) return Promise.resolve(out);
    return this.submitMain(`Réouverture de ${items.length} table(s)`, undefined, true, async () => {
      const run = (sql: string) => this.runStreaming(this.conn, sql, {}, () => false);
      const dbs = items.map(() => `loupe_copy_${++copyCount}`);
      const attached = new Set<number>();
      const fail = async (i: number, e: unknown) => {
        out[i] = e instanceof Error ? e : new Error(String(e));
        if (attached.delete(i)) await run(`DETACH DATABASE IF EXISTS ${quoteIdent(dbs[i]!)}`).catch(() => undefined);
        await this.dropCopyFiles(items[i]!.file);
      };
      for (const [i, { file, bytes }] of items.entries()) {
        if (out[i]) continue;
        try {
          // The write-ahead log is registered too: an unregistered name would reach the disk (Node) or the network.
          await this.db.registerFileBuffer(registeredName(file), bytes);
          await this.db.registerFileBuffer(registeredName(`${file}.wal`), new Uint8Array(0));
          await run(`ATTACH ${quoteLiteral(registeredName(file))} AS ${quoteIdent(dbs[i]!)}`);
          attached.add(i);
        } catch (e) {
          await fail(i, e);
        }
      }
      try {
        if (attached.size) {
          const names = [...attached].map((i) => quoteLiteral(dbs[i]!)).join(', ');
          const objects = await run(
            `SELECT database_name, kind || ' ' || name FROM (
               SELECT database_name, 'table' AS kind, table_name AS name FROM duckdb_tables()
               UNION ALL SELECT database_name, 'vue', view_name FROM duckdb_views() WHERE NOT internal
               UNION ALL SELECT database_name, 'fonction', function_name FROM duckdb_functions()
               UNION ALL SELECT database_name, 'séquence', sequence_name FROM duckdb_sequences()
               UNION ALL SELECT database_name, 'index', index_name FROM duckdb_indexes()
               UNION ALL SELECT database_name, 'type', type_name FROM duckdb_types() WHERE NOT internal
               UNION ALL SELECT database_name, 'contrainte', constraint_type FROM duckdb_constraints()
               UNION ALL SELECT database_name, 'valeur par défaut', column_name FROM duckdb_columns() WHERE column_default IS NOT NULL
             ) WHERE database_name IN (${names}) ORDER BY 1, 2`,
          );
          for (const i of [...attached]) {
            const shape = objects.rows
              .filter(([d]) => d === dbs[i])
              .map(([, what]) => String(what))
              .join(', ');
            if (shape !== 'table t') await fail(i, new Error(`${items[i]!.file} : contenu inattendu (${shape || 'aucune table'})`));
          }
        }
        // The tables these copies replace (any of their names, in memory or in an earlier copy) go first.
        if (attached.size) {
          const tables = [...attached].map((i) => quoteLiteral(items[i]!.table)).join(', ');
          const mine = [...attached].map((i) => quoteLiteral(dbs[i]!)).join(', ');
          const same = await run(
            `SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE table_name IN (${tables}) AND NOT temporary AND database_name NOT IN (${mine})`,
          );
          for (const [d, sch, t] of same.rows) await run(`DROP TABLE ${[d, sch, t].map((x) => quoteIdent(String(x))).join('.')}`);
        }
        for (const i of [...attached]) {
          const { table, file } = items[i]!;
          try {
            if (table !== 't') await run(`ALTER TABLE ${quoteIdent(dbs[i]!)}.main.t RENAME TO ${quoteIdent(table)}`);
            this.shared.copies.set(dbs[i]!, file);
          } catch (e) {
            await fail(i, e);
          }
        }
      } catch (e) {
        for (const i of [...attached]) await fail(i, e);
      }
      try {
        await this.setSearchPath();
      } catch (e) {
        for (const i of [...attached]) {
          this.shared.copies.delete(dbs[i]!);
          await fail(i, e);
        }
        await this.setSearchPath().catch(() => undefined);
      }
      return out;
    });
  }

  /** The copies on both connections' search path, after the in-memory database (which new tables go to). */
  private async setSearchPath(): Promise<void> {
    for (const c of [this.conn, this.fast]) await c.query(this.searchPathSql());
  }

  private searchPathSql(): string {
    const path = ['main', ...[...this.shared.copies.keys()].map((db) => `${quoteIdent(db)}.main`)].join(',');
    return `SET search_path = ${quoteLiteral(path)}`;
  }

  /**
   * A connection of its own, outside the scheduler, that resolves names as the engine's do (the copies
   * on its search path); the caller closes it. For binding a statement without running it.
   */
  async sideConnection(): Promise<AsyncDuckDBConnection> {
    const conn = await this.db.connect();
    await conn.query(this.searchPathSql());
    return conn;
  }

  /**
   * After a write: the copies whose table is gone, or now has a table of its name in memory (a re-run,
   * a re-import), are detached and their files dropped, so that a later DROP cannot uncover them.
   */
  private async settleCopies(): Promise<void> {
    const copies = this.shared.copies;
    if (!copies.size) return;
    // Shadowed only by the in-memory database or the temporary schema, where unqualified names go
    // first: another attached file (a copy being written, table-cache.ts) holds its own `t`.
    const r = await this.conn.query(`SELECT database_name, table_name, database_name IN (current_database(), 'temp') FROM duckdb_tables()`);
    const rows = tableToRows(r as never).rows.map(([d, t, mine]) => [String(d), String(t), mine === true] as const);
    const own = new Set(rows.filter(([, , mine]) => mine).map(([, t]) => t));
    const stale = [...copies.keys()].filter((db) => {
      const held = rows.filter(([d]) => d === db);
      return held.length !== 1 || own.has(held[0]![1]);
    });
    if (!stale.length) return;
    const files = stale.map((db) => copies.get(db)!);
    for (const db of stale) copies.delete(db);
    // The path first: it must never name a database that is gone (DuckDB then fails every lookup).
    await this.setSearchPath();
    for (const db of stale) await this.conn.query(`DETACH DATABASE IF EXISTS ${quoteIdent(db)}`);
    for (const f of files) await this.dropCopyFiles(f);
  }

  /** A copy's file and its write-ahead log, unregistered (attachTableCopies registers both). */
  private async dropCopyFiles(file: string): Promise<void> {
    for (const name of [file, `${file}.wal`]) await this.db.dropFile(registeredName(name)).catch(() => undefined);
  }

  /** How many tables are served from their copies' files (for tests). */
  copiesAttached(): number {
    return this.shared.copies.size;
  }

  private submitMain<T>(
    label: string,
    priority: Priority | undefined,
    write: boolean,
    run: (asked: () => boolean) => Promise<T>,
    slot?: string,
    progress?: number,
    cancel: () => unknown = () => this.conn.cancelSent(),
  ): Promise<T> {
    const cache = this.shared.cache;
    return this.shared.sched.submit(MAIN, {
      priority: priority ?? this.defaults.priority ?? 'normal',
      label,
      ...(slot !== undefined ? { slot } : {}),
      ...(progress !== undefined ? { progress } : {}),
      run: write
        ? async (asked) => {
            cache.bump();
            try {
              return await run(asked);
            } finally {
              await this.settleCopies();
              cache.bump();
            }
          }
        : run,
      cancel,
    });
  }

  /** Runs a query and returns its rows as plain JS values. */
  query(sql: string, opts: QueryOptions = {}): Promise<Rows> {
    const o: QueryOptions = { ...this.defaults, ...opts };
    const priority = o.priority ?? 'normal';
    const label = o.label ?? sqlLabel(sql);
    const readOnly = isReadOnlySql(sql);
    const cache = this.shared.cache;
    const cacheable = readOnly && o.cache !== false && isCacheableSql(sql);
    if (cacheable) {
      const hit = cache.get(sql);
      if (hit) return Promise.resolve(hit);
    }
    const keep = (rows: Rows, generation: number): Rows => {
      if (cacheable && rows.rows.length <= CACHE_MAX_ROWS) cache.set(sql, rows, generation);
      return rows;
    };
    const onMain = () =>
      this.submitMain(
        label,
        priority,
        !readOnly,
        (asked) => {
          const g = cache.generation;
          return this.againIfStopped(() => this.runStreaming(this.conn, sql, o, asked), readOnly).then((r) => keep(r, g));
        },
        o.slot,
        o.progress,
      );
    if (!readOnly || priority !== 'interactive' || this.needsMain(sql)) return onMain();
    return this.shared.sched
      .submit(FAST, {
        priority,
        label,
        ...(o.slot !== undefined ? { slot: o.slot } : {}),
        ...(o.progress !== undefined ? { progress: o.progress } : {}),
        run: () => {
          const g = cache.generation;
          return this.againIfStopped(() => this.runFast(sql, o), true).then((r) => keep(r, g));
        },
      })
      .catch((e: unknown) => {
        if (!(e instanceof NeedsMainConnection)) throw e;
        // The next windows of a sorted grid read the same TEMP table: straight to the main connection.
        const name = /with name ([^\s]+) does not exist/i.exec(e.message)?.[1];
        if (name && this.shared.mainOnly.size < 1000) this.shared.mainOnly.add(name.replace(/^"|"$/g, '').toLowerCase());
        return onMain();
      });
  }

  /** A read the engine stopped unasked is run once more, and counted; a write is not (it may have been half done). */
  private againIfStopped(once: () => Promise<Rows>, readOnly: boolean): Promise<Rows> {
    return once().catch((e: unknown) => {
      if (!(e instanceof EngineStoppedError) || !readOnly) throw e;
      this.shared.retried++;
      return once();
    });
  }

  private needsMain(sql: string): boolean {
    const s = sql.toLowerCase();
    if (/\btemp\./.test(s)) return true;
    for (const n of this.shared.mainOnly) if (s.includes(n)) return true;
    return false;
  }

  /** Runs statements whose results are not needed. */
  async exec(sql: string, opts: QueryOptions = {}): Promise<void> {
    await this.query(sql, opts);
  }

  /** Cancels the queued and running queries of one slot only (a workbench tab); returns how many. */
  cancelSlot(slot: string): number {
    return this.shared.sched.cancelSlot(slot);
  }

  /** Cancels the query that is running now on the main connection, if any. */
  async cancel(): Promise<boolean> {
    const r = this.shared.sched.running(MAIN);
    return r ? this.shared.sched.cancel(r.id) : false;
  }

  /**
   * A short read on the interactive connection, in one message to the worker (runQuery): the worker
   * answers it whole between two polling steps of the main connection's query. It cannot be
   * stopped half-way, so a timeout only drops its result; the reads sent here are windows and facets.
   */
  private async runFast(sql: string, opts: QueryOptions): Promise<Rows> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = this.fast.query(sql).then(
      (t) => {
        // Every statement answers with columns, an empty result too. None (or no schema at all) means
        // the answer was cut short: the threaded worker's stale heap views did so (duckdb-wasm#2256,
        // mended in src/build/duckdb-heap-views.ts); kept as a second line against any other cause.
        if (!declaredColumns(t)) throw new EngineStoppedError('réponse sans colonnes');
        return tableToRows(t as never);
      },
      (e: unknown) => {
        const msg = errorText(e);
        // TEMP tables and SET VARIABLE belong to the main connection: read them there.
        if (/Catalog Error|does not exist/i.test(msg)) throw new NeedsMainConnection(msg);
        throw new Error(cleanDuckDBMessage(msg));
      },
    );
    if (!opts.timeoutMs) return run;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOutError(opts.timeoutMs)), opts.timeoutMs);
    });
    try {
      return await Promise.race([run, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async runStreaming(conn: AsyncDuckDBConnection, sql: string, opts: QueryOptions, asked: () => boolean): Promise<Rows> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        void conn.cancelSent();
      }, opts.timeoutMs);
    }
    const stopped = (detail: string) => {
      if (timedOut) return timedOutError(opts.timeoutMs);
      return asked() ? new QueryCancelledError() : new EngineStoppedError(detail);
    };
    try {
      const reader = await conn.send(sql, true);
      const out: Rows = { columns: [], rows: [] };
      let first = true;
      for await (const batch of reader) {
        if (declaredColumns(batch) === null) throw stopped('lot sans schéma');
        const part = tableToRows(batch as never);
        if (first) out.columns = part.columns;
        first = false;
        for (const r of part.rows) out.rows.push(r);
      }
      // Every statement yields at least one batch, an empty result an empty one (Arrow's reader makes it
      // from the schema); none at all means the stream was cut before its schema.
      if (first) throw stopped('flux de résultat vide');
      return out;
    } catch (e) {
      if (e instanceof QueryCancelledError || e instanceof EngineStoppedError) throw e;
      const msg = errorText(e);
      if (STOPPED.test(msg)) throw stopped(cleanDuckDBMessage(msg));
      throw new Error(cleanDuckDBMessage(msg), { cause: e });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** A result as Arrow IPC stream bytes (for writers such as Parquet), without converting to JS values. */
  queryIPC(sql: string): Promise<Uint8Array> {
    return this.submitMain(sqlLabel(sql), undefined, !isReadOnlySql(sql), () => {
      // The connection id is not public API; runQuery on it is how AsyncDuckDBConnection.query works.
      const connId = (this.conn as unknown as { _conn: number })._conn;
      return this.db.runQuery(connId, sql);
    });
  }

  registerBuffer(name: string, bytes: Uint8Array): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, () => this.db.registerFileBuffer(registeredName(name), bytes));
  }

  /** An in-memory file DuckDB can COPY into (without it, the Node bundle would write to the disk). */
  registerEmptyBuffer(name: string): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, () => this.db.registerFileBuffer(registeredName(name), new Uint8Array(0)));
  }

  registerText(name: string, text: string): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, () => this.db.registerFileText(registeredName(name), text));
  }

  /** Browser: a File read lazily by DuckDB (no copy). */
  registerFileHandle(name: string, file: Blob): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, () =>
      this.db.registerFileHandle(registeredName(name), file, DuckDBDataProtocol.BROWSER_FILEREADER, true),
    );
  }

  /** Node: a file on disk read by path. */
  registerPath(name: string, path: string): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, () =>
      this.db.registerFileURL(registeredName(name), path, DuckDBDataProtocol.NODE_FS, true),
    );
  }

  dropFile(name: string): Promise<void> {
    return this.submitMain(`Fichier ${name}`, undefined, true, async () => {
      await this.db.dropFile(registeredName(name));
    });
  }

  copyFileToBuffer(name: string): Promise<Uint8Array> {
    return this.submitMain(`Lecture ${name}`, undefined, false, () => this.db.copyFileToBuffer(registeredName(name)));
  }

  /** Creates `table` from an Arrow IPC stream (Parquet, XLSX and other non-SQL readers end here); `create: false` appends. */
  insertArrowIPC(table: string, ipc: Uint8Array, opts: { create?: boolean } = {}): Promise<void> {
    return this.submitMain(`Import ${table}`, undefined, true, () =>
      this.conn.insertArrowFromIPCStream(ipc, { name: table, create: opts.create ?? true }),
    );
  }

  /** Creates `table` from a registered JSON file (array of objects or NDJSON). */
  insertJSONFile(table: string, fileName: string): Promise<void> {
    return this.submitMain(`Import ${table}`, undefined, true, async () => {
      await this.conn.insertJSONFromPath(registeredName(fileName), { name: table, create: true });
    });
  }

  async close(): Promise<void> {
    const sched = this.shared.sched;
    if (sched.closed) return;
    await sched.idle();
    sched.closed = true;
    await this.fast.close();
    await this.conn.close();
    await this.db.terminate();
    await this.onClose();
  }
}

let copyCount = 0;
/** A DuckDB database file: its three 4 KiB headers at least, the magic « DUCK » at byte 8. */
const DUCKDB_MIN_FILE = 3 * 4096;

/** How many columns an Arrow answer declares; null when it has no schema at all (an answer cut short). */
function declaredColumns(answer: unknown): number | null {
  const fields = (answer as { schema?: { fields?: unknown } } | null | undefined)?.schema?.fields;
  return Array.isArray(fields) ? fields.length : null;
}

/** The first words of a statement, for the activity indicator. */
export function sqlLabel(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

/** DuckDB's messages end with install hints about extensions we never load: keep the first paragraph. */
export function cleanDuckDBMessage(msg: string): string {
  return friendlyDuckDBMessage(msg) ?? msg.split(/\n\s*\n/)[0]!.trim();
}

/** Our own sentence for the DuckDB errors a user of Loupe meets for a reason of Loupe's; null otherwise. */
export function friendlyDuckDBMessage(msg: string): string | null {
  const denied = /Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(msg);
  if (denied) {
    return (
      `Accès au fichier « ${denied[1]} » refusé : une requête ne lit que les tables du projet, jamais un fichier par son nom — ` +
      'importez le fichier pour qu’il soit tracé (empreinte SHA-256)'
    );
  }
  if (/Permission Error: Loading external extensions is disabled/.test(msg))
    return 'Charger une extension de DuckDB n’est pas permis : Loupe fonctionne hors ligne avec les siennes';
  if (/the configuration has been locked/.test(msg)) return 'Les réglages du moteur sont verrouillés : une requête ne peut pas les changer';
  // The JSON extension cannot be installed offline: say where nested data went instead of advising INSTALL.
  const json = /(?:Function|Type) with name "([^"]+)" is not in the catalog,.*json extension/s.exec(msg);
  if (json) {
    return (
      `« ${json[1]} » fait partie de l’extension JSON de DuckDB, indisponible hors ligne. Les données imbriquées sont découpées à l’import : ` +
      'un objet devient des colonnes préfixées (acheteur_id), une liste d’objets une table liée « table__liste » (colonnes parent = ligne de la table parente, position)'
    );
  }
  return null;
}
