// Reading an import-file journal entry, kept apart from import.ts so the journal's readers (verify,
// the table cache) do not load every file reader.
import type { JournalEntry } from '../journal/journal.ts';

/**
 * The tables an import-file entry made. One journal input per table since #17; older journals hold
 * one input naming them all joined by commas, read here too so their projects still open and verify.
 */
export function tablesOfImportEntry(e: Pick<JournalEntry, 'inputs'>): string[] {
  return e.inputs.flatMap((i) => (i.table ?? '').split(',')).filter(Boolean);
}
