// English. Each area file is typed against its French counterpart, so a missing key fails the build.
import type { MessageKey } from './fr.ts';
import { shell } from './en/shell.ts';
import { explore } from './en/explore.ts';
import { sql } from './en/sql.ts';
import { charts } from './en/charts.ts';
import { budget } from './en/budget.ts';
import { audit } from './en/audit.ts';
import { findings } from './en/findings.ts';
import { journal } from './en/journal.ts';
import { reports } from './en/reports.ts';
import { engine } from './en/engine.ts';

export const en: Record<MessageKey, string> = {
  ...shell,
  ...explore,
  ...sql,
  ...charts,
  ...budget,
  ...audit,
  ...findings,
  ...reports,
  ...journal,
  ...engine,
};
