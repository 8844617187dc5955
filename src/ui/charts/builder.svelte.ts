// The chart being built: the draft spec on the shelves, the fields picked for recommendations, and
// the last compiled preview. One instance for the view, so switching tabs keeps the work in progress.
import type { ColumnMeta, TableEntry } from '../../core/catalog/catalog.ts';
import {
  emptyDraft,
  placeCount,
  placeField,
  removeField,
  setFieldType,
  setMark,
  setOption,
  swapAxes,
  typeOfField,
  type Draft,
  type Shelf,
} from '../../core/viz/builder.ts';
import { inferTableTypes, nextType } from '../../core/viz/measure.ts';
import type { Channel, ChartSpec, Encoding, FieldType, Mark } from '../../core/viz/spec.ts';
import { app } from '../app-state.svelte.ts';

class ChartBuilder {
  draft = $state<Draft>(emptyDraft(''));
  /** Fields picked in the list, for the recommendations gallery. */
  picked = $state<string[]>([]);
  /** The dashboard or the builder. */
  mode = $state<'builder' | 'dashboard'>('builder');

  table = $derived<TableEntry | null>(app.tables.find((t) => t.name === this.draft.source.table) ?? null);
  /** Measurement types of the table's columns with years and months checked on their values. */
  inferred = $state<{ table: string; types: Record<string, FieldType> }>({ table: '', types: {} });
  /** Every column's type as the builder reads it now: the author's choices over the inferred ones. */
  types = $derived<Record<string, FieldType>>({
    ...(this.inferred.table === this.draft.source.table ? this.inferred.types : {}),
    ...(this.draft.fieldTypes ?? {}),
  });

  /** Checks the candidate years and months of the current table on its values (one small query). */
  async loadTypes(): Promise<void> {
    const table = this.table;
    const engine = app.engine;
    if (!table || !engine || this.inferred.table === table.name) return;
    try {
      const types = await inferTableTypes(engine, table);
      if (this.draft.source.table === table.name) this.inferred = { table: table.name, types };
    } catch {
      // The names alone still give a type (typeOfField): a failed range query only loses the value check.
    }
  }

  private current(): Record<string, FieldType> | undefined {
    return this.inferred.table === this.draft.source.table ? this.inferred.types : undefined;
  }

  typeOf(c: ColumnMeta): FieldType {
    return typeOfField(this.draft, c, this.current());
  }

  /** One click on a field's type badge: the next type it may be read as. */
  cycleType(column: string): void {
    const c = this.table?.columns.find((x) => x.name === column);
    if (c && this.table) this.draft = setFieldType(this.draft, this.table, column, nextType(c, this.typeOf(c)), this.current());
  }

  /** Starts over on a table (the app's selected table by default). */
  useTable(name: string): void {
    if (name === this.draft.source.table) return;
    this.draft = emptyDraft(name);
    this.picked = [];
  }

  ensureTable(): void {
    if (this.table) return;
    const name = app.selected ?? app.tables[0]?.name;
    if (name) this.useTable(name);
  }

  place(column: string, shelf: Shelf): void {
    if (this.table) this.draft = placeField(this.draft, this.table, column, shelf, this.current());
  }

  placeCount(shelf: Channel): void {
    this.draft = placeCount(this.draft, shelf);
  }

  remove(shelf: Shelf, index = 0): void {
    this.draft = removeField(this.draft, shelf, index);
  }

  option<K extends keyof Encoding>(shelf: Channel, key: K, value: Encoding[K] | undefined): void {
    this.draft = setOption(this.draft, shelf, key, value);
  }

  mark(mark: Mark): void {
    if (this.table) this.draft = setMark(this.draft, this.table, mark);
  }

  swap(): void {
    this.draft = swapAxes(this.draft);
  }

  text(key: 'title' | 'subtitle' | 'sourceLine', value: string): void {
    const next: Draft = { ...this.draft };
    if (value.trim()) next[key] = value;
    else delete next[key];
    this.draft = next;
  }

  togglePick(column: string): void {
    this.picked = this.picked.includes(column) ? this.picked.filter((c) => c !== column) : [...this.picked, column];
  }

  /** A recommendation (or a saved chart) becomes the draft: its texts too. */
  adopt(spec: ChartSpec): void {
    this.draft = structuredClone($state.snapshot(spec)) as Draft;
    this.mode = 'builder';
  }
}

export const builder = new ChartBuilder();
