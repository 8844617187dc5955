// The engine: one DuckDB (wasm) database, one connection, queries run one at a time in order
// so that a cancel always means "the query that is running now".
import { DuckDBDataProtocol, type AsyncDuckDB, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { tableToRows, type Rows } from './values.ts';

export type EngineKind = 'node' | 'browser-eh' | 'browser-coi';

export interface QueryOptions {
  /** Cancel the query after this many milliseconds (the user sees a "too slow" message). */
  timeoutMs?: number;
}

export class QueryCancelledError extends Error {
  constructor(message = 'Requête annulée') {
    super(message);
    this.name = 'QueryCancelledError';
  }
}

export const QUERY_CONFIG = {
  // BIGINT stays BigInt in Arrow and becomes a number in values.ts: the cast would miss values inside lists.
  castBigIntToDouble: false,
  // DECIMAL stays DECIMAL in Arrow: values.ts turns it into the nearest double exactly.
  castDecimalToDouble: false,
  castTimestampToDate: false,
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
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private closed = false;

  private constructor(
    readonly kind: EngineKind,
    readonly db: AsyncDuckDB,
    private readonly conn: AsyncDuckDBConnection,
    private readonly onClose: () => Promise<void> | void,
  ) {}

  static async open(kind: EngineKind, db: AsyncDuckDB, onClose: () => Promise<void> | void = () => {}): Promise<Engine> {
    const conn = await db.connect();
    for (const s of OFFLINE_SETTINGS) await conn.query(s);
    return new Engine(kind, db, conn, onClose);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('Le moteur est fermé'));
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs a query and returns its rows as plain JS values. */
  query(sql: string, opts: QueryOptions = {}): Promise<Rows> {
    return this.enqueue(() => this.runStreaming(sql, opts));
  }

  /** Runs statements whose results are not needed. */
  async exec(sql: string, opts: QueryOptions = {}): Promise<void> {
    await this.query(sql, opts);
  }

  /** Cancels the query that is running now, if any. */
  async cancel(): Promise<boolean> {
    if (!this.running) return false;
    return this.conn.cancelSent();
  }

  private async runStreaming(sql: string, opts: QueryOptions): Promise<Rows> {
    this.running = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        void this.conn.cancelSent();
      }, opts.timeoutMs);
    }
    try {
      const reader = await this.conn.send(sql, true);
      const out: Rows = { columns: [], rows: [] };
      let first = true;
      for await (const batch of reader) {
        const part = tableToRows(batch as never);
        if (first) out.columns = part.columns;
        first = false;
        for (const r of part.rows) out.rows.push(r);
      }
      if (first) {
        // No batch at all: still report the schema.
        out.columns = tableToRows({ schema: reader.schema, numRows: 0, getChildAt: () => null } as never).columns;
      }
      return out;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (/cancel/i.test(msg)) {
        throw new QueryCancelledError(timedOut ? `Requête interrompue après ${opts.timeoutMs} ms` : 'Requête annulée');
      }
      throw new Error(cleanDuckDBMessage(msg));
    } finally {
      if (timer) clearTimeout(timer);
      this.running = false;
    }
  }

  /** A result as Arrow IPC stream bytes (for writers such as Parquet), without converting to JS values. */
  queryIPC(sql: string): Promise<Uint8Array> {
    return this.enqueue(() => {
      // The connection id is not public API; runQuery on it is how AsyncDuckDBConnection.query works.
      const connId = (this.conn as unknown as { _conn: number })._conn;
      return this.db.runQuery(connId, sql);
    });
  }

  registerBuffer(name: string, bytes: Uint8Array): Promise<void> {
    return this.enqueue(() => this.db.registerFileBuffer(registeredName(name), bytes));
  }

  /** An in-memory file DuckDB can COPY into (without it, the Node bundle would write to the disk). */
  registerEmptyBuffer(name: string): Promise<void> {
    return this.enqueue(() => this.db.registerFileBuffer(registeredName(name), new Uint8Array(0)));
  }

  registerText(name: string, text: string): Promise<void> {
    return this.enqueue(() => this.db.registerFileText(registeredName(name), text));
  }

  /** Browser: a File read lazily by DuckDB (no copy). */
  registerFileHandle(name: string, file: Blob): Promise<void> {
    return this.enqueue(() => this.db.registerFileHandle(registeredName(name), file, DuckDBDataProtocol.BROWSER_FILEREADER, true));
  }

  /** Node: a file on disk read by path. */
  registerPath(name: string, path: string): Promise<void> {
    return this.enqueue(() => this.db.registerFileURL(registeredName(name), path, DuckDBDataProtocol.NODE_FS, true));
  }

  dropFile(name: string): Promise<void> {
    return this.enqueue(async () => {
      await this.db.dropFile(registeredName(name));
    });
  }

  copyFileToBuffer(name: string): Promise<Uint8Array> {
    return this.enqueue(() => this.db.copyFileToBuffer(registeredName(name)));
  }

  /** Creates `table` from an Arrow IPC stream (Parquet, XLSX and other non-SQL readers end here). */
  insertArrowIPC(table: string, ipc: Uint8Array): Promise<void> {
    return this.enqueue(() => this.conn.insertArrowFromIPCStream(ipc, { name: table, create: true }));
  }

  /** Creates `table` from a registered JSON file (array of objects or NDJSON). */
  insertJSONFile(table: string, fileName: string): Promise<void> {
    return this.enqueue(async () => {
      await this.conn.insertJSONFromPath(registeredName(fileName), { name: table, create: true });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.conn.close();
    await this.db.terminate();
    await this.onClose();
  }
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
  if (/Permission Error: Loading external extensions is disabled/.test(msg)) return 'Charger une extension de DuckDB n’est pas permis : Loupe fonctionne hors ligne avec les siennes';
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
