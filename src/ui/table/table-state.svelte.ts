// What the user is doing with one table: its filters (one WHERE, shown as SQL and as chips), the
// side panel (facets or a column profile), the summary page and the open filter form. The grid's
// own layout and sort keys live in its GridState; both are reachable from the command palette
// through `shownTable`.
import type { ColumnMeta } from '../../core/catalog/catalog.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { filteredRelation, relationSql, tableRelation, type Relation } from '../../core/explore/window.ts';
import { toggleValue, whereClause, type Filter } from '../../core/query/filters.ts';
import type { GridSource, GridState } from '../widgets/grid/grid-state.svelte.ts';

export type Panel = 'facets' | 'profile' | null;

export class TableState {
  filters = $state.raw<Filter[]>([]);
  panel = $state<Panel>(null);
  /** The summary page (one row per column) replaces the grid while shown. */
  summary = $state(false);
  profileColumn = $state<string | null>(null);
  /** The column whose filter form is open. */
  filterColumn = $state<string | null>(null);
  facetColumns = $state.raw<string[]>([]);
  /** Suggested facets are offered once per table, then the user's choice stands. */
  facetsSuggested = false;
  /** Asks the export menu to open (from the palette). */
  exportRequest = $state(0);
  columnsRequest = $state(0);

  /** The table itself, built once: the grid, facets, profile, summary and export all start from it. */
  readonly base: Relation;
  /** The table with its columns and row count, as the grid shows it. */
  readonly source: GridSource;
  /** The table under the filters; the base itself when there is none. */
  relation = $derived.by(() => filteredRelation(this.base, this.filters));
  /** The relation's SQL: the key that tells two relations apart (profiles, summaries). */
  relationText = $derived(relationSql(this.relation));
  where = $derived(whereClause(this.filters));
  /** The columns under a filter, marked in the grid's headers. */
  filteredColumns = $derived([...new Set(this.filters.map((f) => f.column))]);

  constructor(
    readonly engine: Engine,
    readonly name: string,
    readonly columns: readonly ColumnMeta[],
    readonly total: number,
    /** A base table (not a view): windows can then be sorted by row id, within the engine's memory. */
    rowid = false,
  ) {
    this.base = tableRelation(name, { rowid });
    this.source = { relation: this.base, columns, rows: total };
  }

  labelOf(name: string): string {
    return this.columns.find((c) => c.name === name)?.label ?? name;
  }

  filtersOf(column: string): Filter[] {
    return this.filters.filter((f) => f.column === column);
  }

  /** Replaces every filter of the column (the form edits them together). */
  setColumnFilters(column: string, filters: readonly Filter[]): void {
    const at = this.filters.findIndex((f) => f.column === column);
    const others = this.filters.filter((f) => f.column !== column);
    // The column keeps its place among the chips.
    const i = at < 0 ? others.length : this.filters.slice(0, at).filter((f) => f.column !== column).length;
    this.filters = [...others.slice(0, i), ...filters, ...others.slice(i)];
  }

  removeFilter(index: number): void {
    this.filters = this.filters.filter((_f, i) => i !== index);
  }

  clearFilters(): void {
    this.filters = [];
  }

  toggleFacetValue(column: string, value: string | number | null): void {
    this.filters = toggleValue(this.filters, column, value);
  }

  /** The filters a facet is counted under: all but its own list of values, so several can be ticked. */
  facetFilters(column: string): Filter[] {
    return this.filters.filter((f) => !(f.column === column && f.op === 'in'));
  }

  openProfile(column: string): void {
    this.profileColumn = column;
    this.panel = 'profile';
  }

  toggleFacet(column: string, on: boolean): void {
    this.facetColumns = on ? [...this.facetColumns.filter((c) => c !== column), column] : this.facetColumns.filter((c) => c !== column);
  }
}

/** The table on screen in the Table view, and its grid, for the command palette. */
export const shownTable = $state<{ state: TableState | null; grid: GridState | null }>({ state: null, grid: null });
