// A working session on one project: the engine, the catalog, the journal and the manifest together.
// The app, the CLI and the tests all go through this, so they do the same things the same way.
import { Catalog } from '../catalog/catalog.ts';
import type { Engine, Priority } from '../engine/engine.ts';
import { importFile, importFolder, importSourceFile, type FolderReport, type ImportDetail, type ImportedTable } from '../ingest/import.ts';
import { chainResolvers, sha256OfFile, type FileResolver } from '../ingest/source.ts';
import { Journal, type JournalEntry } from '../journal/journal.ts';
import { runOperation, type Operation, type OperationContext, type OperationResult, type Progress } from '../ops/registry.ts';
import { assertSingleSelect, saveQuery } from '../query/sql-ops.ts';
import { quoteIdent } from '../sql/ident.ts';
import { emptyManifest, MANIFEST_FILE, parseManifest, type Manifest, type SourceRecord } from './manifest.ts';
import { storeJournalSink, type ProjectStore } from './store.ts';
import { CACHE_INDEX, CacheRefused, TableCache, type CachedTable } from './table-cache.ts';
import { errorText } from '../util/errors.ts';

export interface SourceProblem {
  path: string;
  fileName: string;
  reason: string;
  /** source: the file itself (missing, changed); cache: a kept copy of a table that was not used. */
  kind?: 'source' | 'cache';
}

/** Tables read back from the cache at open, checked in full afterwards (Session.checks). */
interface Restored {
  entry: JournalEntry;
  recs: CachedTable[];
  source?: SourceRecord;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** The engine priority of the operation's queries (audits, checks, imports: 'background'). */
  priority?: Priority;
}

export class Session {
  readonly catalog = new Catalog();
  private saving: Promise<void> = Promise.resolve();
  private readonly savedListeners = new Set<(savedAt: string) => void>();
  private caching: Promise<void> = Promise.resolve();
  /** Copies that could not be written (a full disk…): the project still works, the next open re-imports. */
  readonly cacheErrors: string[] = [];
  /**
   * The background checks started by `open`: each source file's SHA-256 against the manifest, each
   * table read from the cache against its journal entry (digest). Resolves to what they found (never
   * rejects); a copy that fails is already replaced by a re-import when it resolves.
   */
  checks: Promise<SourceProblem[]> = Promise.resolve([]);
  /** Called when the background checks changed the catalog (a copy replaced by a re-import). */
  onTablesChanged: (() => void) | null = null;
  /**
   * false (CLI, tests, generators): an operation returns once its tables' copies are written, so the
   * folder is complete when it returns. true (the app): copies are written after, on the background lane.
   */
  cacheInBackground = false;

  private constructor(
    readonly engine: Engine,
    readonly store: ProjectStore,
    readonly files: FileResolver,
    public manifest: Manifest,
    readonly journal: Journal,
    readonly cache: TableCache,
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
    const journal = await Journal.load(storeJournalSink(store));
    const { cache } = await TableCache.load(store);
    const s = new Session(engine, store, chainResolvers(store.files(), external), emptyManifest(name), journal, cache);
    await s.save();
    return s;
  }

  /**
   * Opens a project. Each source's tables are read back from the project's cache when the journal
   * vouches for the copy (table-cache.ts), otherwise re-imported after checking the file's SHA-256; a
   * changed or missing source is reported by name and the rest opens. Result tables of journaled
   * operations come back from the cache too. What the cache gave is checked in full in the background
   * (`checks`): source hashes and table digests. Restoring is not a new journal entry.
   */
  static async open(
    engine: Engine,
    store: ProjectStore,
    external: FileResolver,
    opts: RunOptions & { cacheInBackground?: boolean } = {},
  ): Promise<{ session: Session; problems: SourceProblem[] }> {
    const text = await store.readText(MANIFEST_FILE);
    if (text === null) throw new Error(`${store.label} : aucun projet Loupe ici (${MANIFEST_FILE} absent)`);
    const manifest = parseManifest(text, store.label);
    const journal = await Journal.load(storeJournalSink(store));
    const { cache, problem } = await TableCache.load(store);
    const s = new Session(engine, store, chainResolvers(store.files(), external), manifest, journal, cache);
    s.cacheInBackground = opts.cacheInBackground ?? false;
    const problems: SourceProblem[] = [];
    if (problem)
      problems.push({
        path: CACHE_INDEX,
        fileName: CACHE_INDEX,
        reason: `${problem} : les tables sont réimportées depuis leurs sources`,
        kind: 'cache',
      });
    // What the cache can give back is decided from the journal and the index alone, then every file
    // is read and attached at once (TableCache.restoreAll); the rest is re-imported after.
    const planned: Restored[] = [];
    const toImport: SourceRecord[] = [];
    const cacheProblem = (src: SourceRecord, e: unknown): SourceProblem => ({
      path: src.path,
      fileName: src.fileName,
      reason: `copie en cache non utilisée (${errorText(e)}) : table réimportée depuis sa source`,
      kind: 'cache',
    });
    for (const src of manifest.sources) {
      try {
        const plan = await s.planSource(src);
        if (plan) planned.push(plan);
        else toImport.push(src);
      } catch (e) {
        problems.push(cacheProblem(src, e));
        toImport.push(src);
      }
    }
    const sourceTables = new Set(manifest.sources.flatMap((src) => s.tablesOf(src)));
    for (const group of s.cachedResults(sourceTables)) {
      try {
        planned.push(await s.planResults(group));
      } catch (e) {
        problems.push(s.resultProblem(group, e));
      }
    }
    const refused = await cache.restoreAll(
      engine,
      s.catalog,
      planned.flatMap((p) => p.recs.map((rec) => ({ rec, entry: p.entry }))),
    );
    const restored: Restored[] = [];
    for (const p of planned) {
      const why = p.recs.map((r) => refused.get(r.table)).find((e) => e);
      if (!why) {
        restored.push(p);
        continue;
      }
      // A several-table entry comes back whole or not at all.
      for (const r of p.recs) {
        await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(r.table)}`).catch(() => undefined);
        s.catalog.delete(r.table);
      }
      if (p.source) {
        problems.push(cacheProblem(p.source, why));
        toImport.push(p.source);
      } else problems.push(s.resultProblem(p.recs, why));
    }
    for (const [i, src] of toImport.entries()) {
      opts.onProgress?.({ fraction: i / toImport.length, message: src.fileName });
      try {
        await s.reimport(src);
      } catch (e) {
        problems.push({ path: src.path, fileName: src.fileName, reason: errorText(e), kind: 'source' });
      }
    }
    for (const q of manifest.queries) {
      try {
        await s.createView(q.name, q.sql);
      } catch (e) {
        problems.push({ path: q.name, fileName: q.name, reason: errorText(e) });
      }
    }
    opts.onProgress?.({ fraction: 1, message: '' });
    if (!s.cacheInBackground) await s.caching;
    s.checks = s.checkRestored(restored);
    return { session: s, problems };
  }

  /** The import entry the manifest's source record comes from: the last one that read that file. */
  private importEntryOf(src: SourceRecord): JournalEntry | undefined {
    return this.journal
      .all()
      .findLast((e) => e.op === importFile.id && (e.params as { path?: unknown }).path === src.path && e.inputs[0]?.sha256 === src.sha256);
  }

  private tablesOf(src: SourceRecord): string[] {
    return src.tables.length ? src.tables : [src.table];
  }

  /**
   * What the cache holds of a source's tables, if the journal vouches for it: the entry and the copies
   * to read back; null when it holds no copy of them. Throws when the copies are refused.
   */
  private async planSource(src: SourceRecord): Promise<Restored | null> {
    const names = this.tablesOf(src);
    const recs = names.map((n) => this.cache.get(n));
    if (recs.some((r) => !r)) return null;
    const all = recs as CachedTable[];
    const entry = await this.cache.anchor(all[0]!, this.journal.all());
    if (entry.op !== importFile.id || entry.inputs[0]?.sha256 !== src.sha256) {
      throw new CacheRefused(names[0]!, 'la copie ne vient pas de l’import du fichier que le manifeste nomme');
    }
    for (const r of all) {
      if (r.entry.hash !== entry.hash) throw new CacheRefused(r.table, 'copies venant d’imports différents');
      if ([...r.siblings].sort().join('\n') !== [...names].sort().join('\n'))
        throw new CacheRefused(r.table, 'les tables de la copie ne sont pas celles de la source');
      if (r.source?.sha256 !== src.sha256) throw new CacheRefused(r.table, 'la provenance de la copie nomme un autre fichier');
    }
    return { entry, recs: all, source: src };
  }

  /** Re-imports a source from its file (its SHA-256 checked), then keeps a copy for the next open. */
  private async reimport(src: SourceRecord, opts: RunOptions = {}): Promise<void> {
    const file = await this.files.open(src.path);
    await importSourceFile(this.context(opts), file, {
      path: src.path,
      format: src.format,
      table: src.table,
      options: src.options,
      expectSha256: src.sha256,
    });
    const entry = this.importEntryOf(src);
    if (entry) this.cacheLater(entry, this.tablesOf(src));
  }

  /** Cached result tables (none named as a source's table), grouped by the entry that made them. */
  private cachedResults(sourceTables: ReadonlySet<string>): CachedTable[][] {
    const groups = new Map<string, CachedTable[]>();
    for (const r of this.cache.list()) {
      if (r.kind !== 'result' || sourceTables.has(r.table)) continue;
      groups.set(r.entry.hash, [...(groups.get(r.entry.hash) ?? []), r]);
    }
    return [...groups.values()];
  }

  /** A group of result copies and the entry that vouches for each of them; throws when one is refused. */
  private async planResults(group: CachedTable[]): Promise<Restored> {
    const entries = this.journal.all();
    const anchored: JournalEntry[] = [];
    for (const r of group) anchored.push(await this.cache.anchor(r, entries));
    return { entry: anchored[0]!, recs: group };
  }

  private resultProblem(group: readonly CachedTable[], e: unknown): SourceProblem {
    const name = group[0]!.table;
    return {
      path: name,
      fileName: name,
      reason: `résultat non rouvert (${errorText(e)}) : relancez l’opération depuis son historique`,
      kind: 'cache',
    };
  }

  /** The background half of `open`: never rejects, returns what it found. */
  private async checkRestored(restored: Restored[]): Promise<SourceProblem[]> {
    const out: SourceProblem[] = [];
    const bg = this.engine.lane('background');
    for (const r of restored) {
      try {
        const refused = await this.cache.check(bg, r.recs, r.entry);
        if (!refused.length) continue;
        const names = r.recs.map((x) => x.table);
        for (const n of names) {
          await bg.exec(`DROP TABLE IF EXISTS ${quoteIdent(n)}`);
          this.catalog.delete(n);
        }
        await this.cache.forget(names).catch(() => undefined);
        const why = refused[0]!.message;
        if (r.source) {
          try {
            await this.reimport(r.source, { priority: 'background' });
            out.push({
              path: r.source.path,
              fileName: r.source.fileName,
              reason: `copie en cache refusée (${why}) : table réimportée depuis sa source`,
              kind: 'cache',
            });
          } catch (e) {
            out.push({
              path: r.source.path,
              fileName: r.source.fileName,
              reason: `copie en cache refusée (${why}) et source non rechargée : ${errorText(e)}`,
              kind: 'source',
            });
          }
        } else {
          out.push({
            path: names[0]!,
            fileName: names[0]!,
            reason: `copie du résultat refusée (${why}) : relancez l’opération depuis son historique`,
            kind: 'cache',
          });
        }
        this.onTablesChanged?.();
      } catch (e) {
        const n = r.recs[0]?.table ?? '';
        out.push({ path: n, fileName: n, reason: `vérification de la copie en cache impossible : ${errorText(e)}`, kind: 'cache' });
      }
    }
    // The sources behind tables read from the cache: still there, still the same bytes?
    for (const r of restored) {
      const src = r.source;
      if (!src || !this.catalog.has(src.table)) continue;
      try {
        const sha = await sha256OfFile(await this.files.open(src.path));
        if (sha !== src.sha256) {
          out.push({
            path: src.path,
            fileName: src.fileName,
            reason: `le fichier a changé depuis son import (SHA-256 ${sha.slice(0, 12)}… au lieu de ${src.sha256.slice(0, 12)}…) : la table montrée est celle de l’import journalisé, réimportez le fichier pour en utiliser la nouvelle version`,
            kind: 'source',
          });
        }
      } catch (e) {
        out.push({
          path: src.path,
          fileName: src.fileName,
          reason: `source introuvable (${errorText(e)}) : la table montrée vient de la copie du projet, le rejeu depuis les sources échouera`,
          kind: 'source',
        });
      }
    }
    return out;
  }

  /** Keeps a copy of the tables an entry made, after the current work (the background lane). */
  private cacheLater(entry: JournalEntry, tables: readonly string[]): void {
    const kinds = tables.map((t) => this.catalog.get(t)?.kind);
    if (!tables.length || kinds.some((k) => k !== 'table' && k !== 'result')) return;
    const bg = this.engine.lane('background');
    this.caching = this.caching.then(() =>
      this.cache.save(bg, this.catalog, entry, tables).then(
        () => undefined,
        (e: unknown) => {
          this.cacheErrors.push(`${tables.join(', ')} : ${errorText(e)}`);
        },
      ),
    );
  }

  /** Resolves once every copy asked for so far is written (the CLI and tests wait for it before closing). */
  cacheIdle(): Promise<void> {
    return this.caching;
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
    this.cacheLater(res.entry, res.tables ?? (res.table ? [res.table] : []));
    if (!this.cacheInBackground) await this.caching;
    return res;
  }

  private keep(opId: string, res: OperationResult<unknown>): boolean {
    if (opId === importFile.id) {
      this.recordSource((res.entry.params as { path: string }).path, (res.detail as ImportDetail).tables);
      return true;
    }
    if (opId === saveQuery.id) {
      const p = res.entry.params as { name: string; sql: string; description?: string };
      const rec = {
        name: p.name,
        sql: p.sql.trim().replace(/;+\s*$/, ''),
        ...(p.description ? { description: p.description } : {}),
        createdAt: res.entry.at,
      };
      this.manifest.queries = [...this.manifest.queries.filter((q) => q.name !== p.name), rec];
      return true;
    }
    return false;
  }

  importPath(
    path: string,
    params: {
      format?: SourceRecord['format'];
      options?: Record<string, unknown>;
      table?: string;
      fileName?: string;
      replace?: boolean;
    } = {},
    opts: RunOptions = {},
  ): Promise<OperationResult<ImportDetail>> {
    return this.run(importFile, { path, ...params }, opts) as Promise<OperationResult<ImportDetail>>;
  }

  async importFolderPath(folder: string, opts: RunOptions = {}): Promise<FolderReport> {
    const report = await importFolder(this.context(opts), folder);
    for (const i of report.imported) {
      this.recordSource(i.path, i.tables);
      this.cacheLater(
        i.entry,
        i.tables.map((t) => t.name),
      );
    }
    await this.save();
    if (!this.cacheInBackground) await this.caching;
    return report;
  }

  private recordSource(path: string, tables: readonly ImportedTable[]): void {
    const p = tables[0]?.provenance;
    if (!p) return;
    const rec: SourceRecord = {
      path,
      fileName: p.fileName,
      format: p.format as SourceRecord['format'],
      table: tables[0]!.name,
      tables: tables.map((t) => t.name),
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

  /** Calls `fn` with the manifest's `savedAt` each time the manifest has been written; returns the unsubscribe. */
  onSaved(fn: (savedAt: string) => void): () => void {
    this.savedListeners.add(fn);
    return () => this.savedListeners.delete(fn);
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
      for (const fn of this.savedListeners) fn(this.manifest.savedAt);
    });
    this.saving = next.catch(() => undefined);
    return next;
  }
}
