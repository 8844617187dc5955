// The views' state per table, alive while the project is open and saved with it. A tab that is left
// is unmounted, so the Table view's table and grid states live here, one pair per table, and come
// back as they were; on reopen they are rebuilt from ui-state.json (see view-state-file.ts). The
// chart in progress is kept per table from outside the builder: its draft is recorded as it changes.
// The builder itself outlives the tab; on reopen it starts on a table, and that table's draft comes
// back. Picking another table in the builder still starts a fresh chart, as the builder intends.
import { untrack } from 'svelte';
import type { TableEntry } from '../core/catalog/catalog.ts';
import type { Engine } from '../core/engine/engine.ts';
import type { Session } from '../core/project/session.ts';
import { app } from './app-state.svelte.ts';
import { TableState } from './table/table-state.svelte.ts';
import { GridState } from './widgets/grid/grid-state.svelte.ts';
import { emptyUiState, isDraftFor, parseUiState, TableViewState, UI_STATE_FILE, uiStateText, type UiStateFile } from './view-state-file.ts';

/** Writes wait for the user to pause (a scroll or a resize sends many changes). */
const SAVE_DELAY_MS = 300;

/** A table's state in the Table view, kept while the project is open. */
export interface KeptTable {
  name: string;
  state: TableState;
  grid: GridState;
  /** What the table was when this state was made: another import of the same name starts over. */
  signature: string;
}

function signatureOf(t: TableEntry): string {
  return JSON.stringify([t.kind, t.rows, t.columns.map((c) => [c.name, c.type])]);
}

class ViewStates {
  private session: Session | null = null;
  private file: UiStateFile = emptyUiState();
  private tables = new Map<string, KeptTable>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** The project's ui-state.json has been read: views may build their state. */
  loaded = $state(false);
  /** A change not yet written to ui-state.json (shown on the app's root, so a test can wait for the write). */
  pending = $state(false);

  private started = false;

  private followingBuilder = false;

  /**
   * Follows the open project (its ui-state.json is read when it opens), the selected table, and the
   * chart builder once the Charts view is first shown (loaded then, so it stays out of the start-up).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    $effect.root(() => {
      $effect(() => {
        const s = app.session;
        if (s) void untrack(() => this.load(s));
      });
      $effect(() => {
        const name = app.selected;
        if (!this.loaded || !name || this.file.selected === name) return;
        untrack(() => {
          this.file = { ...this.file, selected: name };
          this.schedule();
        });
      });
      $effect(() => {
        if (app.view === 'charts') untrack(() => this.followBuilder());
      });
    });
  }

  /** Keeps the builder's draft per table; the first table it starts on after opening gets its draft back. */
  private followBuilder(): void {
    if (this.followingBuilder) return;
    this.followingBuilder = true;
    void import('./charts/builder.svelte.ts').then(({ builder }) => {
      let lastTable: string | null = null;
      $effect.root(() => {
        $effect(() => {
          if (!this.loaded) return;
          const draft = $state.snapshot(builder.draft) as Record<string, unknown> & { source: { table: string }; encoding: object };
          const table = draft.source.table;
          if (!table) return;
          untrack(() => {
            const fresh = !Object.keys(draft.encoding).length && !('title' in draft);
            const kept = lastTable === null && fresh ? this.chart(table) : null;
            lastTable = table;
            // The first table the builder starts on since the project opened had a chart in progress.
            if (kept) builder.draft = kept as typeof builder.draft;
            else this.putChart(table, draft);
          });
        });
      });
    });
  }

  /** Reads the project's ui-state.json, once per open project. */
  async load(session: Session): Promise<void> {
    if (this.session === session) return;
    this.session = session;
    this.tables.clear();
    this.loaded = false;
    let text: string | null = null;
    try {
      text = await session.store.readText(UI_STATE_FILE);
    } catch {
      // Unreadable: the views start clean, and the next change writes a new file.
    }
    if (this.session !== session) return;
    this.file = parseUiState(text);
    // Back to the table the user was looking at, if the project still has it.
    const selected = this.file.selected;
    if (selected && app.tables.some((x) => x.name === selected)) app.select(selected);
    this.loaded = true;
  }

  /** The table and grid states of a table: the live ones, else rebuilt from what the project saved. */
  table(engine: Engine, t: TableEntry): KeptTable {
    const signature = signatureOf(t);
    const live = this.tables.get(t.name);
    if (live && live.signature === signature) return live;
    const saved = this.file.tables[t.name];
    const state = new TableState(engine, t.name, t.columns, t.rows, t.kind !== 'view');
    const known = new Set(t.columns.map((c) => c.name));
    let grid: GridState;
    if (saved) {
      state.filters = saved.filters.filter((f) => known.has(f.column));
      state.facetColumns = saved.facetColumns.filter((c) => known.has(c));
      state.facetsSuggested = saved.facetsSuggested;
      state.profileColumn = saved.profileColumn && known.has(saved.profileColumn) ? saved.profileColumn : null;
      state.panel = saved.panel === 'profile' && !state.profileColumn ? null : saved.panel;
      state.summary = saved.summary;
      grid = new GridState({
        orderBy: saved.orderBy.filter((o) => known.has(o.column)),
        order: saved.order,
        hidden: saved.hidden,
        widths: saved.widths,
        pinned: saved.pinned,
        scrollTop: saved.scrollTop,
        scrollLeft: saved.scrollLeft,
      });
    } else {
      grid = new GridState();
    }
    const kept = { name: t.name, state, grid, signature };
    this.tables.set(t.name, kept);
    return kept;
  }

  /** A table's state as data. Reading it inside an effect tracks every field it is made of. */
  snapshot(kept: KeptTable): TableViewState | null {
    const state = kept.state;
    const r = TableViewState.safeParse({
      ...kept.grid.layout(),
      filters: state.filters,
      facetColumns: state.facetColumns,
      facetsSuggested: state.facetsSuggested || state.panel === 'facets',
      panel: state.panel,
      profileColumn: state.profileColumn,
      summary: state.summary,
    });
    // A state the file could not hold (a filter value past the limits) is not saved, and not half-saved.
    return r.success ? r.data : null;
  }

  putTable(name: string, state: TableViewState): void {
    if (!this.loaded) return;
    const before = this.file.tables[name];
    if (before && JSON.stringify(before) === JSON.stringify(state)) return;
    this.file = { ...this.file, tables: { ...this.file.tables, [name]: state } };
    this.schedule();
  }

  /** The chart in progress on a table, if one was kept. */
  chart(table: string): Record<string, unknown> | null {
    const d = this.file.charts[table];
    return d && isDraftFor(d, table) ? structuredClone(d) : null;
  }

  putChart(table: string, draft: Record<string, unknown>): void {
    if (!this.loaded || !isDraftFor(draft, table)) return;
    const before = this.file.charts[table];
    if (before && JSON.stringify(before) === JSON.stringify(draft)) return;
    this.file = { ...this.file, charts: { ...this.file.charts, [table]: draft } };
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending = true;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, SAVE_DELAY_MS);
  }

  /** Writes ui-state.json now (one write at a time, the latest state last). */
  flush(): Promise<void> {
    const session = this.session;
    if (!session || !this.loaded) return this.writing;
    const text = uiStateText(this.file);
    this.writing = this.writing
      .then(() => session.store.writeTextAtomic(UI_STATE_FILE, text))
      .catch((e: unknown) => {
        // View state only: the analysis and the journal are not affected, so say it quietly.
        console.warn(`${UI_STATE_FILE} non enregistré :`, e);
      })
      .finally(() => {
        if (!this.timer) this.pending = false;
      });
    return this.writing;
  }
}

export const viewStates = new ViewStates();
