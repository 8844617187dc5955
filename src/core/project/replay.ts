// Replay: re-run every journaled operation from the source files into a fresh engine and compare
// each output's digest and the hashes of the files read. Any difference is listed, entry by entry.
import { Catalog } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import type { FileResolver } from '../ingest/source.ts';
import { Journal, MemoryJournalSink, type JournalEntry } from '../journal/journal.ts';
import { getOperation } from '../ops/all.ts';
import { runOperation, type OperationContext, type Progress } from '../ops/registry.ts';
import { JOURNAL_REPAIR_OP } from './verify.ts';
import { errorText } from '../util/errors.ts';

export interface ReplayDifference {
  seq: number;
  op: string;
  reason: string;
}

export interface ReplayReport {
  entries: number;
  replayed: number;
  identical: number;
  differences: ReplayDifference[];
}

/** Operations that record or review rather than compute: nothing to re-run. */
const NOT_REPLAYED = new Set(['finding', 'comment', 'sign-off', 'reopen', JOURNAL_REPAIR_OP]);

export async function replayJournal(
  entries: readonly JournalEntry[],
  engine: Engine,
  files: FileResolver,
  onProgress?: (p: Progress) => void,
): Promise<ReplayReport> {
  const ctx: OperationContext = {
    engine,
    catalog: new Catalog(),
    journal: await Journal.load(new MemoryJournalSink()),
    files,
  };
  const report: ReplayReport = { entries: entries.length, replayed: 0, identical: 0, differences: [] };
  for (const [i, e] of entries.entries()) {
    onProgress?.({ fraction: i / Math.max(1, entries.length), message: `${e.seq} — ${e.op}` });
    if (NOT_REPLAYED.has(e.op)) continue;
    const op = getOperation(e.op);
    if (!op) {
      report.differences.push({ seq: e.seq, op: e.op, reason: 'opération inconnue de cette version de Loupe' });
      continue;
    }
    report.replayed++;
    try {
      const res = await runOperation(ctx, op, e.params);
      const problems: string[] = [];
      for (const input of e.inputs) {
        if (!input.sha256) continue;
        const now = res.inputs.find((x) => x.source === input.source || x.table === input.table);
        if (now?.sha256 && now.sha256 !== input.sha256) {
          problems.push(
            `source ${input.source ?? input.table} modifiée (SHA-256 ${now.sha256.slice(0, 12)}… au lieu de ${input.sha256.slice(0, 12)}…)`,
          );
        }
      }
      const was = e.output;
      const now = res.digest;
      if (was && !now) problems.push('aucun résultat produit');
      else if (was && now) {
        if (was.rows !== now.rows) problems.push(`${now.rows} ligne(s) au lieu de ${was.rows}`);
        else if (was.digest !== now.digest) problems.push('contenu différent (empreinte du résultat)');
      }
      if (problems.length) report.differences.push({ seq: e.seq, op: e.op, reason: problems.join(' ; ') });
      else report.identical++;
    } catch (err) {
      report.differences.push({ seq: e.seq, op: e.op, reason: `échec : ${errorText(err)}` });
    }
  }
  onProgress?.({ fraction: 1, message: '' });
  return report;
}
