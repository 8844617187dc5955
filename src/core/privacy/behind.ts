// Personal data before a report leaves the office: which tables stand behind the evidence of the
// findings being exported, and which of their columns look personal. The app's report panel and the
// CLI's `report` ask the same question the same way.
import type { Finding } from '../findings/model.ts';
import type { Session } from '../project/session.ts';
import { detectPersonalColumns, type PersonalColumn } from './detect.ts';

export interface PrivacyTable {
  table: string;
  columns: PersonalColumn[];
  /** Snapshots frozen from this very table (a result table), which masking can replace. */
  snapshots: { findingId: string; evidenceId: string; title: string; final: boolean }[];
}

function tablesBehind(session: Session, findings: readonly Finding[]): Map<string, PrivacyTable> {
  const out = new Map<string, PrivacyTable>();
  const add = (table: string) => {
    if (!session.catalog.has(table)) return null;
    let x = out.get(table);
    if (!x) out.set(table, (x = { table, columns: [], snapshots: [] }));
    return x;
  };
  const entries = session.journal.all();
  for (const f of findings) {
    for (const e of f.evidence) {
      if (e.kind === 'snapshot') {
        const made = e.journal ? entries[e.journal.seq]?.output?.table : undefined;
        const x = made ? add(made) : null;
        x?.snapshots.push({ findingId: f.id, evidenceId: e.id, title: e.title, final: f.status === 'final' });
      }
      for (const s of e.kind === 'source' ? [e.source] : e.sources) add(s.table);
    }
  }
  return out;
}

/** Tables behind the evidence that have columns looking like personal data. */
export async function checkPersonalData(session: Session, findings: readonly Finding[]): Promise<PrivacyTable[]> {
  const found: PrivacyTable[] = [];
  for (const x of tablesBehind(session, findings).values()) {
    x.columns = await detectPersonalColumns(session.engine, x.table);
    if (x.columns.length) found.push(x);
  }
  return found;
}
