// Personal data before a report leaves the office: the check is core's (the CLI runs it too); here,
// masking the flagged columns (journaled `privacy-mask`) and re-freezing the snapshots taken from them.
import { attachEvidence, detachEvidence, evidenceFromResult, maskTable, type MaskMethod } from '../../core/findings/index.ts';
import type { PrivacyTable } from '../../core/privacy/behind.ts';
import type { Session } from '../../core/project/session.ts';

export { checkPersonalData, type PrivacyTable } from '../../core/privacy/behind.ts';

/**
 * Masks the chosen columns into `<table>_masque`, then replaces each snapshot frozen from the table
 * (in findings not yet final) with one frozen from the masked table. Returns how many were replaced.
 */
export async function maskAndRefreeze(
  session: Session,
  target: PrivacyTable,
  columns: { column: string; method: MaskMethod }[],
  by: string,
): Promise<{ table: string; replaced: number }> {
  const res = await maskTable(session, { table: target.table, columns });
  let replaced = 0;
  for (const s of target.snapshots) {
    if (s.final) continue;
    const ev = await evidenceFromResult(session, res, { title: s.title, by });
    await detachEvidence(session, s.findingId, s.evidenceId, { by });
    await attachEvidence(session, s.findingId, ev, { by });
    replaced++;
  }
  return { table: res.table ?? '', replaced };
}
