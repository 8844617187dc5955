// The import flow: one CSV goes through the options dialog; anything else (other formats, several
// files, a folder) is imported straight away, file after file, with a report of what failed and why.
import { detectFormat, extensionOf, tableBaseName } from '../../core/ingest/import.ts';
import { scanQuotes, type QuoteScan } from '../../core/ingest/quotes.ts';
import { sniffCsv, type CsvSniff, type PartialCsvOptions } from '../../core/ingest/sniff.ts';
import type { SourceFile } from '../../core/ingest/source.ts';
import { formatInteger } from '../../i18n/format.ts';
import { app } from '../app-state.svelte.ts';

export type CsvDialogOptions = CsvSniff['options'];

export interface CsvDialog {
  file: SourceFile;
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
}

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
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class ImportFlow {
  dialog = $state<CsvDialog | null>(null);
  progress = $state<ImportProgress | null>(null);
  report = $state.raw<ReportLine[] | null>(null);
  private abort: AbortController | null = null;
  private sniffSeq = 0;

  get busy(): boolean {
    return this.progress !== null;
  }

  /** Entry point for every way files arrive (pickers, the visible inputs, drop). */
  async start(files: SourceFile[]): Promise<void> {
    if (!files.length || this.busy || !app.session) return;
    this.report = null;
    if (files.length === 1 && (await this.formatOf(files[0]!)) === 'csv') {
      await this.openDialog(files[0]!);
      return;
    }
    await this.importMany(files);
  }

  private async formatOf(file: SourceFile) {
    if (file.size === 0) return detectFormat(file.name, new Uint8Array());
    return detectFormat(file.name, await file.slice(0, 4096));
  }

  private async openDialog(file: SourceFile): Promise<void> {
    let sniff: CsvSniff;
    try {
      sniff = await sniffCsv(file);
    } catch (e) {
      // A file that cannot even be sniffed (binary, empty) gets its reason, not an empty dialog.
      this.report = [{ path: file.path, status: 'failed', reason: errorText(e) }];
      app.say('import.error', { message: errorText(e) }, 'error');
      return;
    }
    // The table the same file made before, under the name an import would give it.
    const base = tableBaseName(file.name);
    const prior = app.session?.catalog.get(base);
    const existing = prior?.source?.fileName === file.name ? base : null;
    this.dialog = { file, sniff, options: { ...sniff.options }, touched: new Set(), busy: false, error: null, strays: null, existing, replace: existing !== null };
    void this.checkQuotes(this.dialog);
  }

  /**
   * Stray quotes may sit far beyond the sniffed head: the whole file is scanned (a byte count, no
   * parsing) so the dialog can propose quote = none before the import fails on them.
   */
  private async checkQuotes(d: CsvDialog): Promise<void> {
    const o = d.options;
    if (!o?.quote) {
      d.strays = null;
      return;
    }
    const seq = this.sniffSeq;
    try {
      const scan = await scanQuotes(d.file, o);
      if (seq !== this.sniffSeq || this.dialog !== d) return;
      d.strays = scan.strayLines > 0 ? scan : null;
    } catch {
      // The import itself will report what is wrong with the file.
    }
  }

  setReplace(on: boolean): void {
    if (this.dialog) this.dialog.replace = on;
  }

  /** The user changed an option: sniff again with the options they set, to refresh the preview. */
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
    } catch (e) {
      if (seq === this.sniffSeq) d.error = errorText(e);
    }
  }

  cancelDialog(): void {
    this.dialog = null;
  }

  async confirmDialog(): Promise<void> {
    const d = this.dialog;
    if (!d?.options || d.busy) return;
    d.busy = true;
    const options = { ...d.options };
    this.dialog = null;
    const again = d.existing !== null && d.replace ? { replace: true } : {};
    await this.run([{ file: d.file, params: { format: 'csv' as const, options, fileName: d.file.name, ...again } }]);
  }

  async importMany(files: SourceFile[]): Promise<void> {
    const jobs: { file: SourceFile; params: { format?: 'csv'; fileName?: string } }[] = [];
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

  private async run(
    jobs: { file: SourceFile; params: { format?: 'csv'; options?: Record<string, unknown>; fileName?: string; replace?: boolean } }[],
    skipped: ReportLine[] = [],
  ) {
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
          onProgress: (p) => {
            if (this.progress) this.progress = { ...this.progress, fraction: p.fraction, message: p.message };
          },
        });
        const tables = res.detail?.provenance.map((p) => session.catalog.list().find((x) => x.source === p)?.name ?? '') ?? [];
        const rows = res.detail?.provenance.reduce((s, p) => s + p.rows, 0) ?? 0;
        lines.push({ path: file.path, status: 'imported', tables: tables.filter(Boolean), rows });
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
    // One file imported cleanly needs no report: the catalog and the status line say it.
    if (all.length === 1 && lines[0]?.status === 'imported') {
      app.say(lines[0].rows === 1 ? 'import.doneOne' : 'import.done', { file: jobs[0]!.file.name, rows: formatInteger(lines[0].rows ?? 0) }, 'success');
      this.report = null;
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
