// The Journal view's state: the project's entries, filters, verification and replay. Replay runs in a
// fresh engine (a second DuckDB worker), closed afterwards, so it never touches the open tables.
import { createBrowserEngine } from '../../host/engine.ts';
import type { JournalEntry } from '../../core/journal/journal.ts';
import { getOperation } from '../../core/ops/all.ts';
import { replayJournal, type ReplayReport } from '../../core/project/replay.ts';
import { repairJournal, verifyProject, type ProjectVerification } from '../../core/project/verify.ts';
import { app } from '../app-state.svelte.ts';
import { errorText } from '../../core/util/errors.ts';

export interface ReplayLine {
  seq: number;
  op: string;
  /** null: identical; otherwise why it differs. */
  difference: string | null;
}

export function kindOf(op: string): string {
  return getOperation(op)?.kind ?? 'unknown';
}

class JournalUi {
  entries = $state.raw<readonly JournalEntry[]>([]);
  kind = $state('');
  op = $state('');
  selectedSeq = $state<number | null>(null);
  verifying = $state(false);
  verify = $state.raw<ProjectVerification | null>(null);
  repairing = $state(false);
  repaired = $state.raw<{ summary: string; seq: number } | null>(null);
  replaying = $state(false);
  progress = $state<{ fraction: number; message: string } | null>(null);
  replay = $state.raw<{ report: ReplayReport; lines: ReplayLine[] } | null>(null);
  error = $state<string | null>(null);

  kinds = $derived([...new Set(this.entries.map((e) => kindOf(e.op)))].sort());
  ops = $derived([...new Set(this.entries.filter((e) => !this.kind || kindOf(e.op) === this.kind).map((e) => e.op))].sort());
  listed = $derived(this.entries.filter((e) => (!this.kind || kindOf(e.op) === this.kind) && (!this.op || e.op === this.op)));
  selected = $derived(this.entries.find((e) => e.seq === this.selectedSeq) ?? null);

  refresh(): void {
    // A copy: the journal's own array grows in place, which runes would not see.
    this.entries = [...(app.session?.journal.all() ?? [])];
  }

  async runVerify(): Promise<void> {
    const s = app.session;
    if (!s) return;
    this.verifying = true;
    this.error = null;
    try {
      // The same verification as `loupe verify` and the report, on the project as saved.
      this.verify = await verifyProject(s.store);
      this.refresh();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.verifying = false;
    }
  }

  // A repair or a replay runs once at a time; starting one clears the last error.
  private start(running: 'repairing' | 'replaying') {
    const s = app.session;
    if (!s || this[running]) return null;
    this[running] = true;
    this.error = null;
    return s;
  }

  /** Sets aside the torn lines a cut-short write left, journals it, then verifies again. */
  async runRepair(): Promise<void> {
    const s = this.start('repairing');
    if (!s) return;
    this.repaired = null;
    try {
      const res = await repairJournal(s.store);
      await s.journal.reload();
      if (res.entry) this.repaired = { summary: res.entry.summary ?? '', seq: res.entry.seq };
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.repairing = false;
    }
    await this.runVerify();
  }

  async runReplay(): Promise<void> {
    const s = this.start('replaying');
    if (!s) return;
    this.replay = null;
    this.progress = { fraction: 0, message: '' };
    this.refresh();
    const entries = this.entries;
    let engine: Awaited<ReturnType<typeof createBrowserEngine>> | null = null;
    try {
      engine = await createBrowserEngine();
      const report = await replayJournal(entries, engine, s.files, (p) => {
        this.progress = { fraction: p.fraction ?? 0, message: p.message ?? '' };
      });
      const diff = new Map(report.differences.map((d) => [d.seq, d.reason]));
      this.replay = { report, lines: entries.map((e) => ({ seq: e.seq, op: e.op, difference: diff.get(e.seq) ?? null })) };
    } catch (e) {
      this.error = errorText(e);
    } finally {
      await engine?.close().catch(() => undefined);
      this.replaying = false;
      this.progress = null;
    }
  }
}

export const journalUi = new JournalUi();
