// findings.json checked against the journal as one of verifyProject's checks, so `loupe verify`, the
// Journal view and the report all see a forged finding the same way.
import type { ProjectCheck } from '../project/verify.ts';
import { parseFindingsFile } from './findings.ts';
import { verifyFindingsAgainstJournal } from './integrity.ts';
import { FINDINGS_FILE } from './model.ts';
import { errorText } from '../util/errors.ts';

export const findingsProjectCheck: ProjectCheck = async ({ store, entries }) => {
  const text = await store.readText(FINDINGS_FILE);
  if (text === null) {
    // No register: fine for a project without findings, not for one whose journal has some.
    const journaled = entries.some((e) => e.op.startsWith('finding-'));
    return journaled
      ? [{ code: 'findings-missing', level: 'error', message: `${FINDINGS_FILE} absent alors que le journal enregistre des constatations` }]
      : [];
  }
  try {
    const file = parseFindingsFile(text, store.label);
    return (await verifyFindingsAgainstJournal(file, entries)).map((p) => ({ code: p.code, level: 'error' as const, message: p.message }));
  } catch (e) {
    return [{ code: 'findings-invalid', level: 'error', message: errorText(e) }];
  }
};
