// French, the default language. One file per area under fr/ (so views can grow their texts side by side);
// `{name}` placeholders are filled by t().
import { shell } from './fr/shell.ts';
import { explore } from './fr/explore.ts';
import { sql } from './fr/sql.ts';
import { charts } from './fr/charts.ts';
import { budget } from './fr/budget.ts';
import { audit } from './fr/audit.ts';
import { findings } from './fr/findings.ts';
import { journal } from './fr/journal.ts';
import { reports } from './fr/reports.ts';
import { engine } from './fr/engine.ts';

export const fr = { ...shell, ...explore, ...sql, ...charts, ...budget, ...audit, ...findings, ...reports, ...journal, ...engine } as const;

export type MessageKey = keyof typeof fr;
