// A working session on one project: the engine, the catalog, the journal and the manifest together.
// The app, the CLI and the tests all go through this, so they do the same things the same way.
import { Catalog } from '../catalog/catalog.ts';
import type { Engine, Priority } from '../engine/engine.ts';
import { importFile, importFolder, importSourceFile, type FolderReport, type ImportDetail } from '../ingest/import.ts';
import { chainResolvers, type FileResolver } from '../ingest/source.ts';
import { Journal, type JournalSink } from '../journal/journal.ts';
import { runOperation, type Operation, type OperationContext, type OperationResult, type Progress } from '../ops/registry.ts';
import { assertSingleSelect, runSql, saveQuery } from '../query/sql-ops.ts';
import { quoteIdent } from '../sql/ident.ts';
import { emptyManifest, JOURNAL_FILE, MANIFEST_FILE, parseManifest, type Manifest, type SourceRecord } from './manifest.ts';
import type { ProjectStore } from './store.ts';

export interface SourceProblem {
  path: string;
  fileName: string;
  reason: string;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** The engine priority of the operation's queries (audits, checks, imports: 'background'). */
  priority?: Priority;
}

class StoreJournalSink implements JournalSink {
  constructor(private store: ProjectStore) {}
  async read() {
    return (await this.store.readText(JOURNAL_FILE)) ?? '';
  }
  async append(line: string) {
    await this.store.appendText(JOURNAL_FILE, line);
  }
}

export class Session {
  readonly catalog = new Catalog();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly engine: Engine,
    readonly store: ProjectStore,
    readonly files: FileResolver,
    public manifest: Manifest,
    readonly journal: Journal,
  ) {
    // Every entry written re-anchors the head in the manifest, so removing the last entries shows.
    journal.onAppend = () => this.save();
    const h = manifest.journalHead;
    const entries = journal.all();
    // A journal that already disagrees with its anchor keeps the old anchor: saving over it would
    // launder the loss that `verify` must go on reporting.
    this.keepAnchor = !!h && (entries.length < h.count || (h.count > 0 && entries[h.count - 1]?.hash !== h.hash));
  }

  /** The journal lost or rewrote entries before this session: the manifest's head is left as it was. */
  readonly keepAnchor: boolean;

  /** A new, empty project in `store`. */
  static async create(engine: Engine, store: ProjectStore, external: FileResolver, name: string): Promise<Session> {
    if ((await store.readText(MANIFEST_FILE)) !== null) throw new Error(`${store.label} contient déjà un projet`);
    const journal = await Journal.load(new StoreJournalSink(store));
    const s = new Session(engine, store, chainResolvers(store.files(), external), emptyManifest(name), journal);
    await s.save();
    return s;
  }

  /**
   * Opens a project: re-imports every source after checking its SHA-256. A changed or missing source
   * is reported by name and the rest opens. Re-imports restore state; they are not new journal entries.
   */
  static async open(
    engine: Engine,
    store: ProjectStore,
    external: FileResolver,
    opts: RunOptions = {},
  ): Promise<{ session: Session; problems: SourceProblem[] }> {
    const text = await store.readText(MANIFEST_FILE);
    if (text === null) throw new Error(`${store.label} : aucun projet Loupe ici (${MANIFEST_FILE} absent)`);
    const manifest = parseManifest(text, store.label);
    const journal = await Journal.load(new StoreJournalSink(store));
    const s = new Session(engine, store, chainResolvers(store.files(), external), manifest, journal);
    const problems: SourceProblem[] = [];
    for (let i = 0; i < manifest.sources.length; i++) {
      const src = manifest.sources[i]!;
      opts.onProgress?.({ fraction: i / manifest.sources.length, message: src.fileName });
      try {
        const file = await s.files.open(src.path);
        await importSourceFile(s.context(), file, {
          path: src.path,
          format: src.format,
          table: src.table,
          options: src.options,
          expectSha256: src.sha256,
        });
      } catch (e) {
        problems.push({ path: src.path, fileName: src.fileName, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    for (const q of manifest.queries) {
      try {
        await s.createView(q.name, q.sql);
      } catch (e) {
        problems.push({ path: q.name, fileName: q.name, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    opts.onProgress?.({ fraction: 1, message: '' });
    return { session: s, problems };
  }

  context(opts: RunOptions = {}): OperationContext {
    return {
      engine: opts.priority ? this.engine.lane(opts.priority) : this.engine,
      catalog: this.catalog,
      journal: this.journal,
      files: this.files,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
  }

  /**
   * Runs any operation on this project and journals it. What it creates that a reopen needs (an
   * imported source, a saved query) goes into the manifest here, whoever called: the app, `loupe run`,
   * a replay — so the journal and the manifest never disagree on a table.
   */
  async run<P, D>(op: Operation<P, D>, params: unknown, opts: RunOptions = {}): Promise<OperationResult<D>> {
    const res = await runOperation(this.context(opts), op, params);
    if (this.keep(op.id, res)) await this.save();
    return res;
  }

  private keep(opId: string, res: OperationResult<unknown>): boolean {
    if (opId === importFile.id) {
      this.recordSource((res.entry.params as { path: string }).path, res.detail as ImportDetail);
      return true;
    }
    if (opId === saveQuery.id) {
      const p = res.entry.params as { name: string; sql: string; description?: string };
      const rec = { name: p.name, sql: p.sql.trim().replace(/;+\s*$/, ''), ...(p.description ? { description: p.description } : {}), createdAt: res.entry.at };
      this.manifest.queries = [...this.manifest.queries.filter((q) => q.name !== p.name), rec];
      return true;
    }
    return false;
  }

  importPath(
    path: string,
    params: { format?: SourceRecord['format']; options?: Record<string, unknown>; table?: string; fileName?: string; replace?: boolean } = {},
    opts: RunOptions = {},
  ): Promise<OperationResult<ImportDetail>> {
    return this.run(importFile, { path, ...params }, opts) as Promise<OperationResult<ImportDetail>>;
  }

  async importFolderPath(folder: string, opts: RunOptions = {}): Promise<FolderReport> {
    const before = this.journal.all().length;
    const report = await importFolder(this.context(opts), folder);
    for (const e of this.journal.all().slice(before)) {
      if (e.op !== 'import-file') continue;
      const path = (e.params as { path: string }).path;
      const tables = (e.inputs[0]?.table ?? '').split(',');
      const prov = tables.map((t) => this.catalog.get(t)?.source).filter((p) => p !== undefined);
      this.recordSource(path, { provenance: prov });
    }
    await this.save();
    return report;
  }

  private recordSource(path: string, detail: ImportDetail): void {
    const p = detail.provenance[0];
    if (!p) return;
    const tables = detail.provenance.map((x) => this.catalog.list().find((t) => t.source === x)?.name ?? '').filter(Boolean);
    const rec: SourceRecord = {
      path,
      fileName: p.fileName,
      format: p.format as SourceRecord['format'],
      table: tables[0] ?? '',
      tables,
      options: p.options,
      sha256: p.sha256,
      size: p.size,
      importedAt: p.importedAt,
    };
    this.manifest.sources = [...this.manifest.sources.filter((s) => s.table !== rec.table), rec];
  }

  /** Saves a query as a named view: catalog, manifest and journal. */
  saveQuery(name: string, sql: string, description?: string): Promise<OperationResult> {
    return this.run(saveQuery, { name, sql, ...(description ? { description } : {}) });
  }

  /** Runs a read-only query for the workbench: journaled (SQL + digest), rows returned. */
  async runQuery(sql: string, opts: { timeoutMs?: number } = {}) {
    assertSingleSelect(sql);
    const t0 = performance.now();
    const rows = await this.engine.query(sql, opts);
    const ms = performance.now() - t0;
    const res = await this.run(runSql, { sql });
    return { rows, ms, entry: res.entry };
  }

  async createView(name: string, sql: string): Promise<void> {
    // The SQL may come from someone else's manifest: one reading statement, nothing chained after it.
    assertSingleSelect(sql);
    await this.engine.exec(`CREATE OR REPLACE VIEW ${quoteIdent(name)} AS ${sql}`);
    this.catalog.set({ name, kind: 'view', columns: [], rows: 0, sql });
    await this.catalog.refresh(this.engine, name);
  }

  /** The project's findings and investigations (kept in findings.json), read on first use. */
  async findings() {
    const { findingsOf } = await import('../findings/findings.ts');
    return findingsOf(this);
  }

  /** Writes the manifest atomically; saves are serialised so the last one wins. */
  save(): Promise<void> {
    const next = this.saving.then(async () => {
      this.manifest = {
        ...this.manifest,
        savedAt: new Date().toISOString(),
        ...(this.keepAnchor ? {} : { journalHead: this.journal.head() }),
      };
      await this.store.writeTextAtomic(MANIFEST_FILE, JSON.stringify(this.manifest, null, 2) + '\n');
    });
    this.saving = next.catch(() => undefined);
    return next;
  }
}
