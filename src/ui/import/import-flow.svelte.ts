// The import flow: one file, whatever its format, goes through the import dialog — a preview of what
// the import will make (rows, column types, row count, warnings), the table name, the record path or
// sheet, type overrides and, for CSV, the reading options. Several files or a folder are imported
// straight away, file after file, with a report of what failed and why, and of each file's warnings.
import { detectFormat, extensionOf, tableBaseName } from '../../core/ingest/import.ts';
import type { TypeKind } from '../../core/ingest/overrides.ts';
import { previewFile, type FilePreview } from '../../core/ingest/preview.ts';
import { scanQuotes, type QuoteScan } from '../../core/ingest/quotes.ts';
import { sniffCsv, type CsvSniff, type PartialCsvOptions } from '../../core/ingest/sniff.ts';
import type { SourceFile } from '../../core/ingest/source.ts';
import type { Format } from '../../core/ingest/types.ts';
import { safeIdentifier } from '../../core/sql/ident.ts';
import { formatInteger } from '../../i18n/format.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { app } from '../app-state.svelte.ts';
import { errorText } from '../../core/util/errors.ts';
import { importPdfFiles, isPdfFile } from '../reports/import-pdfs.ts';

export type CsvDialogOptions = CsvSniff['options'];

/** Detected column: its engine type and the kind the dialog names it by (null when none fits). */
export interface DetectedColumn {
  type: string;
  kind: TypeKind | null;
}

export interface ImportDialogState {
  file: SourceFile;
  format: Format;
  /** CSV only: how the file is written, as sniffed then corrected by the user. */
  sniff: CsvSniff | null;
  options: CsvDialogOptions | null;
  /** Options the user changed: the next sniff keeps them and guesses the rest again. */
  touched: Set<keyof CsvDialogOptions>;
  busy: boolean;
  error: string | null;
  /** Quotes that do not wrap whole values, over the whole file; null until scanned or when there are none. */
  strays: QuoteScan | null;
  /** The table this same file made before: importing it again asks whether to replace it. */
  existing: string | null;
  replace: boolean;
  /** What the import will make, for every format; null while it is being read or when it failed. */
  preview: FilePreview | null;
  previewBusy: boolean;
  previewError: string | null;
  /** Types as read without overrides, by table suffix then column: what « automatic » means. */
  detected: Record<string, Record<string, DetectedColumn>>;
  /** Type overrides of the main table (no part), and of the tables that have a part (sheets, child tables). */
  types: Record<string, TypeKind>;
  partTypes: Record<string, Record<string, TypeKind>>;
  /** Index of the preview table shown (a workbook's sheet, a child table). */
  shown: number;
  /** JSON: the path of the records chosen by the user; XML: the record element. Null: the reader's choice. */
  recordPath: string | null;
  /** The record paths the file offers (JSON arrays of records, XML elements), kept when a preview fails. */
  paths: { path: string; count: number }[];
  /** The path the reader takes by itself. */
  proposedPath: string | null;
  /** The table name, as typed; `tableTouched` once the user edited it. */
  table: string;
  tableTouched: boolean;
}

/** Kept for the components written against the CSV-only dialog. */
export type CsvDialog = ImportDialogState;

export interface ImportProgress {
  index: number;
  total: number;
  file: string;
  /** The current file's own progress, null when unknown. */
  fraction: number | null;
  message: string;
  copying: boolean;
}

export interface ReportLine {
  path: string;
  status: 'imported' | 'failed' | 'skipped';
  tables?: string[];
  rows?: number;
  reason?: string;
  /** The import's warnings (types not converted, masked values, lines rejected…). */
  warnings?: string[];
}

/** Why a table name cannot be used, or null. */
export function tableNameProblem(
  d: Pick<ImportDialogState, 'table' | 'existing' | 'replace'>,
): { key: MessageKey; params: Record<string, string> } | null {
  const name = d.table.trim();
  if (!name || safeIdentifier(name) !== name)
    return { key: 'import.tableNameInvalid', params: { suggestion: safeIdentifier(name || 'table', 't') } };
  if (app.session?.catalog.has(name) && !(d.replace && d.existing === name))
    return { key: 'import.tableNameTaken', params: { table: name } };
  return null;
}

type JobParams = { format?: Format; options?: Record<string, unknown>; fileName?: string; replace?: boolean; table?: string };

class ImportFlow {
  dialog = $state<ImportDialogState | null>(null);
  progress = $state<ImportProgress | null>(null);
  report = $state.raw<ReportLine[] | null>(null);
  private abort: AbortController | null = null;
  /** The running stray-quote scan, stopped once the dialog no longer needs it. */
  private scan: AbortController | null = null;
  private sniffSeq = 0;
  private previewSeq = 0;
  private previewTimer: ReturnType<typeof setTimeout> | null = null;

  get busy(): boolean {
    return this.progress !== null;
  }

  /** Entry point for every way files arrive (pickers, the visible inputs, drop). */
  async start(files: SourceFile[]): Promise<void> {
    if (!files.length || this.busy || !app.session) return;
    this.report = null;
    // PDF reports go to the reports library (#18); whatever else came with them imports as before.
    const pdfs = files.filter(isPdfFile);
    if (pdfs.length) {
      await this.importPdfs(pdfs);
      files = files.filter((f) => !isPdfFile(f));
      if (!files.length) return;
    }
    if (files.length === 1) {
      const format = await this.formatOf(files[0]!).catch(() => null);
      if (format) {
        await this.openDialog(files[0]!, format);
        return;
      }
    }
    await this.importMany(files);
  }

  private async formatOf(file: SourceFile) {
    if (file.size === 0) return detectFormat(file.name, new Uint8Array());
    return detectFormat(file.name, await file.slice(0, 4096));
  }

  private async openDialog(file: SourceFile, format: Format): Promise<void> {
    let sniff: CsvSniff | null = null;
    if (format === 'csv') {
      try {
        sniff = await sniffCsv(file);
      } catch (e) {
        // A file that cannot even be sniffed (binary, empty) gets its reason, not an empty dialog.
        this.report = [{ path: file.path, status: 'failed', reason: errorText(e) }];
        app.say('import.error', { message: errorText(e) }, 'error');
        return;
      }
    }
    // The table the same file made before, under the name an import would give it.
    const base = tableBaseName(file.name);
    const prior = app.session?.catalog.get(base);
    const existing = prior?.source?.fileName === file.name ? base : null;
    this.dialog = {
      file,
      format,
      sniff,
      options: sniff ? { ...sniff.options } : null,
      touched: new Set(),
      busy: false,
      error: null,
      strays: null,
      existing,
      replace: existing !== null,
      preview: null,
      previewBusy: false,
      previewError: null,
      detected: {},
      types: {},
      partTypes: {},
      shown: 0,
      recordPath: null,
      paths: [],
      proposedPath: null,
      table: existing ?? app.session?.catalog.freeName(base) ?? base,
      tableTouched: false,
    };
    const d = this.dialog;
    if (format === 'csv') void this.checkQuotes(d);
    void this.refreshPreview(d, true);
  }

  /** The options of the import as the dialog stands: reading options, record path, type overrides. */
  private importOptions(d: ImportDialogState, withTypes: boolean): Record<string, unknown> {
    const o: Record<string, unknown> = d.format === 'csv' && d.options ? { ...d.options } : {};
    if (d.recordPath !== null && d.format === 'json') o.path = d.recordPath;
    if (d.recordPath !== null && d.format === 'xml') o.recordPath = d.recordPath;
    if (withTypes) {
      if (Object.keys(d.types).length) o.types = { ...d.types };
      const parts = Object.fromEntries(Object.entries(d.partTypes).filter(([, v]) => Object.keys(v).length));
      if (Object.keys(parts).length) o.partTypes = parts;
    }
    return o;
  }

  private hasOverrides(d: ImportDialogState): boolean {
    return Object.keys(d.types).length > 0 || Object.values(d.partTypes).some((v) => Object.keys(v).length > 0);
  }

  /**
   * Reads the preview again. `structure`: the way the file is read changed (CSV options, record path),
   * so the automatic types are read again first, without overrides; overrides on columns that are gone
   * are dropped.
   */
  private async refreshPreview(d: ImportDialogState, structure: boolean): Promise<void> {
    const session = app.session;
    if (!session) return;
    const seq = ++this.previewSeq;
    d.previewBusy = true;
    d.previewError = null;
    try {
      if (structure) {
        const plain = await previewFile(session.engine, d.file, { format: d.format, options: this.importOptions(d, false) });
        if (seq !== this.previewSeq || this.dialog !== d) return;
        const found = plain.jsonPaths ?? plain.xmlPaths;
        if (found?.length) d.paths = found;
        const used = plain.options.path ?? plain.options.recordPath ?? plain.xmlProposed;
        if (d.proposedPath === null && typeof used === 'string') d.proposedPath = used;
        d.detected = Object.fromEntries(
          plain.tables.map((t) => [t.suffix, Object.fromEntries(t.columns.map((c) => [c.name, { type: c.type, kind: c.kind }]))]),
        );
        this.pruneOverrides(d, plain);
        d.shown = Math.min(d.shown, Math.max(0, plain.tables.length - 1));
        if (!this.hasOverrides(d)) {
          d.preview = plain;
          return;
        }
      }
      const typed = await previewFile(session.engine, d.file, { format: d.format, options: this.importOptions(d, true) });
      if (seq !== this.previewSeq || this.dialog !== d) return;
      d.preview = typed;
    } catch (e) {
      if (seq !== this.previewSeq || this.dialog !== d) return;
      d.preview = null;
      d.previewError = errorText(e);
    } finally {
      if (seq === this.previewSeq && this.dialog === d) d.previewBusy = false;
    }
  }

  private pruneOverrides(d: ImportDialogState, p: FilePreview): void {
    const main = p.tables.find((t) => t.part === undefined);
    const keep = (over: Record<string, TypeKind>, cols: Set<string>) =>
      Object.fromEntries(Object.entries(over).filter(([c]) => cols.has(c)));
    d.types = main ? keep(d.types, new Set(main.columns.map((c) => c.name))) : {};
    const parts: Record<string, Record<string, TypeKind>> = {};
    for (const t of p.tables) {
      if (t.part === undefined || !d.partTypes[t.part]) continue;
      parts[t.part] = keep(d.partTypes[t.part]!, new Set(t.columns.map((c) => c.name)));
    }
    d.partTypes = parts;
  }

  /** Changing a type reads the preview again shortly after, so several changes cost one read. */
  setType(column: string, kind: TypeKind | '', part: string | undefined): void {
    const d = this.dialog;
    if (!d) return;
    if (part === undefined) {
      const types = { ...d.types };
      if (kind) types[column] = kind;
      else delete types[column];
      d.types = types;
    } else {
      const cols = { ...(d.partTypes[part] ?? {}) };
      if (kind) cols[column] = kind;
      else delete cols[column];
      d.partTypes = { ...d.partTypes, [part]: cols };
    }
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.refreshPreview(d, false), 250);
  }

  /** The override of a column, or '' when it keeps its detected type. */
  typeOf(d: ImportDialogState, column: string, part: string | undefined): TypeKind | '' {
    const over = part === undefined ? d.types : (d.partTypes[part] ?? {});
    return Object.hasOwn(over, column) ? over[column]! : '';
  }

  setShown(i: number): void {
    if (this.dialog) this.dialog.shown = i;
  }

  setRecordPath(path: string): void {
    const d = this.dialog;
    if (!d) return;
    d.recordPath = path;
    d.shown = 0;
    void this.refreshPreview(d, true);
  }

  setTable(name: string): void {
    const d = this.dialog;
    if (!d) return;
    d.table = name;
    d.tableTouched = true;
  }

  /**
   * Stray quotes may sit far beyond the sniffed head: the whole file is scanned (a byte count, no
   * parsing) so the dialog can propose quote = none before the import fails on them.
   */
  private async checkQuotes(d: ImportDialogState): Promise<void> {
    const o = d.options;
    if (!o?.quote) {
      d.strays = null;
      return;
    }
    const seq = this.sniffSeq;
    this.scan?.abort();
    const ctl = (this.scan = new AbortController());
    try {
      const scan = await scanQuotes(d.file, o, ctl.signal);
      if (seq !== this.sniffSeq || this.dialog !== d) return;
      d.strays = scan.strayLines > 0 ? scan : null;
    } catch {
      // The import itself will report what is wrong with the file.
    }
  }

  setReplace(on: boolean): void {
    const d = this.dialog;
    if (!d) return;
    d.replace = on;
    // The name follows the choice until the user types one: the old table's, or a free one beside it.
    if (!d.tableTouched && d.existing && app.session) d.table = on ? d.existing : app.session.catalog.freeName(d.existing);
  }

  /** The user changed a CSV option: sniff again with the options they set, then preview again. */
  async setOption<K extends keyof CsvDialogOptions>(key: K, value: CsvDialogOptions[K]): Promise<void> {
    const d = this.dialog;
    if (!d?.options) return;
    d.options = { ...d.options, [key]: value };
    d.touched = new Set([...d.touched, key]);
    const given: PartialCsvOptions = {};
    for (const k of d.touched) (given as Record<string, unknown>)[k] = d.options[k];
    const seq = ++this.sniffSeq;
    try {
      const s = await sniffCsv(d.file, given);
      if (seq !== this.sniffSeq || this.dialog !== d) return;
      d.sniff = s;
      d.options = { ...s.options };
      d.error = null;
      if (key === 'delimiter' || key === 'quote' || key === 'escape' || key === 'skipRows') void this.checkQuotes(d);
      void this.refreshPreview(d, true);
    } catch (e) {
      if (seq === this.sniffSeq) d.error = errorText(e);
    }
  }

  cancelDialog(): void {
    this.scan?.abort();
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewSeq++;
    this.dialog = null;
  }

  async confirmDialog(): Promise<void> {
    const d = this.dialog;
    if (!d || d.busy || (d.format === 'csv' && !d.options) || tableNameProblem(d)) return;
    d.busy = true;
    this.scan?.abort();
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewSeq++;
    const options = this.importOptions(d, true);
    this.dialog = null;
    const again = d.existing !== null && d.replace && d.table.trim() === d.existing ? { replace: true } : {};
    const params: JobParams = { format: d.format, fileName: d.file.name, table: d.table.trim(), ...again };
    if (Object.keys(options).length) params.options = options;
    await this.run([{ file: d.file, params }]);
  }

  async importMany(files: SourceFile[]): Promise<void> {
    const jobs: { file: SourceFile; params: JobParams }[] = [];
    const skipped: ReportLine[] = [];
    for (const file of files) {
      const format = await this.formatOf(file).catch(() => null);
      if (!format) skipped.push({ path: file.path, status: 'skipped', reason: `« .${extensionOf(file.name) || '?'} »` });
      else jobs.push({ file, params: { fileName: file.name } });
    }
    await this.run(jobs, skipped);
  }

  stop(): void {
    this.abort?.abort();
  }

  private async importPdfs(files: SourceFile[]): Promise<void> {
    const session = app.session;
    const host = app.host;
    if (!session || !host) return;
    this.abort = new AbortController();
    const lines = await importPdfFiles(session, host, files, {
      signal: this.abort.signal,
      onFile: (i, f) => (this.progress = { index: i, total: files.length, file: f.name, fraction: null, message: '', copying: false }),
      onProgress: (fraction, message) => {
        if (this.progress) this.progress = { ...this.progress, fraction, message };
      },
    });
    this.progress = null;
    this.abort = null;
    app.refreshTables();
    this.report = lines;
    app.view = 'reports';
  }

  private async run(jobs: { file: SourceFile; params: JobParams }[], skipped: ReportLine[] = []) {
    const session = app.session;
    const host = app.host;
    if (!session || !host) return;
    const lines: ReportLine[] = [];
    this.abort = new AbortController();
    const signal = this.abort.signal;
    let lastTable: string | null = null;
    for (let i = 0; i < jobs.length; i++) {
      const { file, params } = jobs[i]!;
      if (signal.aborted) {
        lines.push({ path: file.path, status: 'skipped', reason: 'aborted' });
        continue;
      }
      this.progress = { index: i, total: jobs.length, file: file.name, fraction: null, message: '', copying: true };
      try {
        const path = await host.keepSource(session.store, file);
        this.progress = { ...this.progress, copying: false };
        const res = await session.importPath(path, params, {
          signal,
          // An import reads the whole file: the grid and facets of open tables go before it.
          priority: 'background',
          onProgress: (p) => {
            if (this.progress) this.progress = { ...this.progress, fraction: p.fraction, message: p.message };
          },
        });
        const made = res.detail?.tables ?? [];
        const tables = made.map((t) => t.name);
        const rows = made.reduce((s, t) => s + t.provenance.rows, 0);
        const warnings = made.flatMap(({ provenance: p }) =>
          (p.warnings ?? []).map((w) => (made.length > 1 && p.part !== undefined ? `${p.part} · ${w}` : w)),
        );
        lines.push({ path: file.path, status: 'imported', tables, rows, ...(warnings.length ? { warnings } : {}) });
        lastTable = tables[0] ?? lastTable;
      } catch (e) {
        lines.push({ path: file.path, status: 'failed', reason: errorText(e) });
      }
      app.refreshTables();
    }
    this.progress = null;
    this.abort = null;
    if (lastTable) app.select(lastTable);
    const all = [...lines, ...skipped];
    const failed = all.filter((l) => l.status === 'failed');
    // One file imported cleanly needs no report: the catalog and the status line say it. Its
    // warnings, if any, stay on screen in the report.
    if (all.length === 1 && lines[0]?.status === 'imported') {
      app.say(
        lines[0].rows === 1 ? 'import.doneOne' : 'import.done',
        { file: jobs[0]!.file.name, rows: formatInteger(lines[0].rows ?? 0) },
        'success',
      );
      this.report = lines[0].warnings?.length ? all : null;
    } else {
      this.report = all;
      if (failed.length) app.say('import.error', { message: failed.map((f) => f.reason).join(' ; ') }, 'error');
    }
  }

  closeReport(): void {
    this.report = null;
  }
}

export const importFlow = new ImportFlow();
