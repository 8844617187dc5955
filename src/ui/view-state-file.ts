// What each view shows for each table, as data: the sort, filters, facets, column layout and scroll
// of the Table view, the chart in progress of the Charts view. Kept in the project as ui-state.json
// (through the project store, like findings.json) so a reopen comes back to the same place, and never
// in the journal: it is how the user looks at the data, not an analysis. The file may come from
// someone else's project, so it is validated when read and anything that does not fit is dropped.
import { z } from 'zod';
import { Filter } from '../core/query/filters.ts';

export const UI_STATE_FILE = 'ui-state.json';

const NAME = z.string().min(1).max(1000);

export const TableViewState = z.object({
  orderBy: z
    .array(z.object({ column: NAME, desc: z.boolean().optional() }))
    .max(64)
    .default([]),
  filters: z.array(Filter).max(1000).default([]),
  facetColumns: z.array(NAME).max(1000).default([]),
  /** Facets were suggested once for this table: the user's choice stands, even an empty one. */
  facetsSuggested: z.boolean().default(false),
  panel: z.enum(['facets', 'profile']).nullable().default(null),
  profileColumn: NAME.nullable().default(null),
  summary: z.boolean().default(false),
  order: z.array(NAME).max(10_000).default([]),
  hidden: z.array(NAME).max(10_000).default([]),
  widths: z.record(NAME, z.number().min(1).max(10_000)).default({}),
  pinned: z.boolean().default(true),
  scrollTop: z.number().min(0).max(1e9).default(0),
  scrollLeft: z.number().min(0).max(1e9).default(0),
});
export type TableViewState = z.infer<typeof TableViewState>;

export interface UiStateFile {
  version: 1;
  /** The table the user was looking at. */
  selected?: string;
  tables: Record<string, TableViewState>;
  /** The chart builder's draft per table (a ChartSpec in progress, validated by the builder when drawn). */
  charts: Record<string, Record<string, unknown>>;
}

export function emptyUiState(): UiStateFile {
  return { version: 1, tables: {}, charts: {} };
}

/** Reads ui-state.json leniently: each table's state is kept or dropped on its own. */
export function parseUiState(text: string | null): UiStateFile {
  const out = emptyUiState();
  if (!text) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as { selected?: unknown; tables?: unknown; charts?: unknown };
  if (typeof r.selected === 'string' && NAME.safeParse(r.selected).success) out.selected = r.selected;
  if (r.tables && typeof r.tables === 'object') {
    for (const [name, v] of Object.entries(r.tables).slice(0, 10_000)) {
      const p = TableViewState.safeParse(v);
      if (p.success && NAME.safeParse(name).success) out.tables[name] = p.data;
    }
  }
  if (r.charts && typeof r.charts === 'object') {
    for (const [name, v] of Object.entries(r.charts).slice(0, 10_000)) {
      if (isDraftFor(v, name)) out.charts[name] = v;
    }
  }
  return out;
}

/** The shape the chart builder needs to start from: a draft on this very table. */
export function isDraftFor(v: unknown, table: string): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const d = v as { source?: { table?: unknown; filters?: unknown }; encoding?: unknown; mark?: unknown };
  return (
    d.source?.table === table &&
    Array.isArray(d.source.filters) &&
    typeof d.mark === 'string' &&
    !!d.encoding &&
    typeof d.encoding === 'object' &&
    !Array.isArray(d.encoding)
  );
}

export function uiStateText(s: UiStateFile): string {
  return JSON.stringify(s, null, 1) + '\n';
}
