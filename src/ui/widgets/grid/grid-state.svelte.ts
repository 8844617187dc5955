// The grid's state: which relation it shows, where the viewport is, and a small cache of row windows.
// Rows are fetched from the engine by blocks (and, for wide tables, a slice of columns at a time): the
// blocks on screen and the one after, in one window; nothing else is ever asked for. The user's layout (order, hidden
// columns, widths), the sort keys and the cell selection live here too; filters arrive as a new
// relation (at show, or setRelation) from whoever shows the grid.
import type { ColumnMeta } from '../../../core/catalog/catalog.ts';
import type { Engine } from '../../../core/engine/engine.ts';
import { rangeOf, toTsv, type CellPos, type DecimalMark } from './copy.ts';
import type { Rows } from '../../../core/engine/values.ts';
import { SortedWindows } from '../../../core/explore/sorted-windows.ts';
import { cellKind, decimalScale, isCodeColumn, type CellKind } from '../../../core/sql/types.ts';
import { countRows, relationColumns, relationSql, type OrderBy, type Relation, type WindowRequest } from '../../../core/explore/window.ts';
import { errorText } from '../../../core/util/errors.ts';

export const ROW_HEIGHT = 26;
export const HEADER_HEIGHT = 30;
export const BLOCK_ROWS = 200;
/** Wide tables are fetched this many columns at a time. */
export const COLUMN_BLOCK = 48;
/** Browsers cap an element's height (Chromium near 33 M px): beyond this the scrollbar is scaled. */
export const MAX_SCROLL_PX = 8_000_000;
const CACHE_BLOCKS = 48;
/**
 * Blocks asked past the viewport's last one, in the same window: scrolling on is answered from the
 * cache. Deep in a sorted table a window costs a scan of the table whatever its length (276 ms at 5M
 * rows for 200 rows or 400), so the block ahead comes for almost nothing.
 */
const AHEAD_BLOCKS = 1;
/** A copy fetches at most this many rows (one window): beyond, export the view instead. */
export const MAX_COPY_ROWS = 10_000;
export const MIN_WIDTH = 40;
export const MAX_WIDTH = 1200;
const DEBOUNCE_MS = 40;

export interface GridColumn {
  index: number;
  name: string;
  label: string;
  type: string;
  kind: CellKind;
  /** Decimals of a DECIMAL(p,s) column, shown even when zero. */
  scale: number | null;
  /** Integers that are identifiers or years (code INSEE, exercice) are shown without grouping. */
  code: boolean;
  width: number;
  left: number;
}

/** Display columns: the base columns in the user's order, minus hidden ones, at their widths. */
export function arrangeColumns(
  base: readonly GridColumn[],
  order: readonly string[],
  hidden: readonly string[],
  widths: Readonly<Record<string, number>>,
): GridColumn[] {
  const byName = new Map(base.map((c) => [c.name, c]));
  const names = [...order.filter((n) => byName.has(n)), ...base.map((c) => c.name).filter((n) => !order.includes(n))];
  let left = 0;
  const out: GridColumn[] = [];
  for (const n of names) {
    if (hidden.includes(n)) continue;
    const c = byName.get(n)!;
    const width = widths[n] ?? c.width;
    out.push({ ...c, index: out.length, width, left });
    left += width;
  }
  return out;
}

/** `names` with `name` moved by `delta` places (clamped). */
export function moveName(names: readonly string[], name: string, delta: number): string[] {
  const i = names.indexOf(name);
  if (i < 0) return [...names];
  const j = Math.max(0, Math.min(names.length - 1, i + delta));
  const out = [...names];
  out.splice(i, 1);
  out.splice(j, 0, name);
  return out;
}

function widthFor(label: string, kind: CellKind): number {
  const byLabel = label.length * 7.5 + 30;
  const byKind = kind === 'number' ? 120 : kind === 'date' ? 104 : kind === 'timestamp' ? 170 : kind === 'boolean' ? 72 : 150;
  return Math.round(Math.min(320, Math.max(byKind, byLabel, 64)));
}

export function layoutColumns(cols: readonly { name: string; label?: string; type: string }[]): GridColumn[] {
  let left = 0;
  return cols.map((c, index) => {
    const kind = cellKind(c.type);
    const label = c.label ?? c.name;
    const width = widthFor(label, kind);
    const scale = decimalScale(c.type);
    const code = isCodeColumn(c);
    const col = { index, name: c.name, label, type: c.type, kind, scale, code, width, left };
    left += width;
    return col;
  });
}

/** First column whose right edge is past `x` (columns are sorted by `left`). */
export function columnAt(cols: readonly GridColumn[], x: number): number {
  let lo = 0;
  let hi = cols.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = cols[mid]!;
    if (c.left + c.width <= x) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo);
}

export interface GridSource {
  relation: Relation;
  /** Known columns (a catalog entry): labels as in the file. Otherwise read from the engine. */
  columns?: readonly ColumnMeta[];
  /** Known row count; otherwise counted. */
  rows?: number;
}

/** What a grid starts from when it comes back (another tab, a reopen): the user's layout, sort and place. */
export interface GridLayout {
  orderBy: OrderBy[];
  order: string[];
  hidden: string[];
  widths: Record<string, number>;
  pinned: boolean;
  scrollTop: number;
  scrollLeft: number;
}

export class GridState {
  relation = $state.raw<Relation | null>(null);
  /** The source shown: the same one again (coming back to the tab) keeps everything as it was. */
  shown: GridSource | null = null;
  /** A scroll position to put the viewport back to once the rows are there. */
  restoreScroll = $state.raw<{ top: number; left: number } | null>(null);
  /** A saved layout that the first show() applies to the columns the table has then. */
  private initial: GridLayout | null = null;
  /** The source's columns, in the source's order, at their default widths. */
  base = $state.raw<GridColumn[]>([]);
  order = $state.raw<string[]>([]);
  hidden = $state.raw<string[]>([]);
  widths = $state.raw<Record<string, number>>({});
  /** The first shown column stays in place while scrolling sideways. */
  pinned = $state(true);
  orderBy = $state.raw<OrderBy[]>([]);
  rowCount = $state(0);
  ready = $state(false);
  error = $state<string | null>(null);
  scrollTop = $state(0);
  scrollLeft = $state(0);
  viewHeight = $state(0);
  viewWidth = $state(0);
  /** Bumped whenever a block arrives, so cells re-read the cache. */
  version = $state(0);
  loading = $state(0);
  /** The selected cells: from `anchor` to `cursor` (display positions). */
  anchor = $state.raw<CellPos | null>(null);
  cursor = $state.raw<CellPos | null>(null);

  columns = $derived(arrangeColumns(this.base, this.order, this.hidden, this.widths));
  /** What a fetched block holds: the shown column names in order. Changing it empties the cache. */
  fetchKey = $derived(this.columns.map((c) => c.name).join('\u0000'));
  selection = $derived(this.anchor && this.cursor ? rangeOf(this.anchor, this.cursor) : null);
  pinnedColumn = $derived(this.pinned && this.columns.length > 1 ? this.columns[0]! : null);
  pinnedWidth = $derived(this.pinnedColumn?.width ?? 0);
  totalWidth = $derived(
    this.columns.length ? this.columns[this.columns.length - 1]!.left + this.columns[this.columns.length - 1]!.width : 0,
  );
  rowNumberWidth = $derived(Math.max(48, String(this.rowCount).length * 8 + 22));
  bodyHeight = $derived(Math.max(0, this.viewHeight - HEADER_HEIGHT));
  fullHeight = $derived(this.rowCount * ROW_HEIGHT);
  scrollHeight = $derived(Math.min(this.fullHeight, MAX_SCROLL_PX));
  /** Rows-pixels per scrollbar-pixel: 1 unless the table is taller than a browser allows. */
  ratio = $derived(
    this.fullHeight > this.scrollHeight && this.scrollHeight > this.bodyHeight
      ? (this.fullHeight - this.bodyHeight) / (this.scrollHeight - this.bodyHeight)
      : 1,
  );
  pixelTop = $derived(Math.max(0, Math.min(this.scrollTop * this.ratio, this.fullHeight - this.bodyHeight)));
  firstRow = $derived(Math.floor(this.pixelTop / ROW_HEIGHT));
  rowShift = $derived(this.pixelTop - this.firstRow * ROW_HEIGHT);
  visibleRowCount = $derived(Math.max(0, Math.min(this.rowCount - this.firstRow, Math.ceil(this.bodyHeight / ROW_HEIGHT) + 1)));
  firstCol = $derived(this.columns.length ? columnAt(this.columns, this.scrollLeft) : 0);
  lastCol = $derived.by(() => {
    if (!this.columns.length) return -1;
    const right = this.scrollLeft + Math.max(0, this.viewWidth - this.rowNumberWidth);
    return Math.min(this.columns.length - 1, columnAt(this.columns, right));
  });
  /** Columns on screen; the pinned one first and always. */
  visibleColumns = $derived.by(() => {
    const cols = this.columns.slice(this.firstCol, this.lastCol + 1);
    const pin = this.pinnedColumn;
    return pin && !cols.includes(pin) ? [pin, ...cols] : cols;
  });
  visibleRows = $derived(Array.from({ length: this.visibleRowCount }, (_, i) => this.firstRow + i));

  /** Where a column's left edge is drawn, in the layer's coordinates. */
  leftOf(col: GridColumn): number {
    if (this.pinnedColumn && col.index === 0) return this.rowNumberWidth;
    return this.rowNumberWidth + col.left - this.scrollLeft;
  }

  private lastFetchKey = '';
  /** A filtered view's rows are being counted (setRelation is waiting for the engine). */
  private counting = false;
  private engine: Engine | null = null;
  private cache = new Map<string, unknown[][]>();
  private inflight = new Set<string>();
  private generation = 0;
  /** Deep windows of a sorted table go through a permutation built once per table, filter and order. */
  private sorted: SortedWindows | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(initial?: GridLayout) {
    if (!initial) return;
    // Set at once, not at show(): whoever saves the state reads it before the rows arrive.
    this.initial = initial;
    this.orderBy = initial.orderBy;
    this.order = initial.order;
    this.hidden = initial.hidden;
    this.widths = initial.widths;
    this.pinned = initial.pinned;
    this.scrollTop = initial.scrollTop;
    this.scrollLeft = initial.scrollLeft;
    if (initial.scrollTop || initial.scrollLeft) this.restoreScroll = { top: initial.scrollTop, left: initial.scrollLeft };
  }

  /** Whether `source` is what this grid already shows, ready: coming back to it changes nothing. */
  shows(source: GridSource | null): boolean {
    return !!source && this.shown === source && this.ready && !this.error;
  }

  /** Back on screen: a count that leaving the tab cut short is asked again. */
  resume(): void {
    if (this.counting && this.relation) void this.setRelation(this.relation);
    else this.schedule();
  }

  /** The layout, sort and place as data, for the view state kept in the project. */
  layout(): GridLayout {
    const scroll = this.restoreScroll ?? { top: this.scrollTop, left: this.scrollLeft };
    return {
      orderBy: this.orderBy.map((o) => ({ column: o.column, ...(o.desc ? { desc: true } : {}) })),
      order: [...this.order],
      hidden: [...this.hidden],
      widths: { ...this.widths },
      pinned: this.pinned,
      scrollTop: Math.round(scroll.top),
      scrollLeft: Math.round(scroll.left),
    };
  }

  private get wide(): boolean {
    return this.columns.length > COLUMN_BLOCK;
  }

  /** Shows the source's rows, or those of `relation` (the source under filters: same columns). */
  async show(shownOn: Engine, source: GridSource | null, relation?: Relation): Promise<void> {
    // Windows are interactive: answered on the engine's second connection, never behind a long query.
    const engine = shownOn.lane('interactive');
    const gen = ++this.generation;
    if (this.engine !== engine || !this.sorted) this.sorted = new SortedWindows(engine);
    else void this.sorted.release();
    this.engine = engine;
    this.cache.clear();
    this.inflight.clear();
    const rel = relation ?? source?.relation ?? null;
    this.relation = rel;
    this.shown = source;
    this.ready = false;
    this.error = null;
    // Consumed once the columns are known: a show cut short (the tab left meanwhile) keeps it for the next.
    const initial = this.initial;
    if (!initial) {
      this.orderBy = [];
      this.scrollTop = 0;
      this.scrollLeft = 0;
      this.restoreScroll = null;
    }
    this.anchor = null;
    this.cursor = null;
    if (!source || !rel) {
      this.base = [];
      this.rowCount = 0;
      return;
    }
    try {
      const cols = source.columns?.length ? source.columns : await relationColumns(engine, source.relation);
      const whole = relationSql(rel) === relationSql(source.relation);
      const rows = (whole ? source.rows : undefined) ?? (await countRows(engine, rel));
      if (gen !== this.generation) return;
      this.base = layoutColumns(cols);
      const names = this.base.map((c) => c.name);
      if (initial) {
        this.initial = null;
        const known = new Set(names);
        this.order = [...initial.order.filter((n) => known.has(n)), ...names.filter((n) => !initial.order.includes(n))];
        const hidden = initial.hidden.filter((n) => known.has(n));
        this.hidden = hidden.length >= names.length ? [] : hidden;
        this.widths = Object.fromEntries(Object.entries(initial.widths).filter(([n]) => known.has(n)));
        this.orderBy = initial.orderBy.filter((o) => known.has(o.column));
      } else {
        this.order = names;
        this.hidden = [];
        this.widths = {};
      }
      this.lastFetchKey = this.fetchKey;
      this.rowCount = rows;
      this.ready = true;
      this.version++;
    } catch (e) {
      if (gen === this.generation) this.error = errorText(e);
    }
  }

  setOrder(orderBy: OrderBy[]): void {
    this.orderBy = orderBy;
    this.invalidate();
  }

  /** A filtered (or unfiltered) view of the same columns: recount, refetch, back to the top. */
  async setRelation(relation: Relation, rows?: number): Promise<void> {
    if (!this.engine) return;
    this.relation = relation;
    this.counting = true;
    this.invalidate();
    this.scrollTop = 0;
    this.anchor = null;
    this.cursor = null;
    const gen = this.generation;
    try {
      const n = rows ?? (await countRows(this.engine, relation));
      if (gen !== this.generation) return;
      this.counting = false;
      this.rowCount = n;
      this.error = null;
      this.version++;
      this.schedule();
    } catch (e) {
      if (gen === this.generation) this.error = errorText(e);
    }
  }

  /** Forgets every block: the next fetch asks the engine again. */
  private invalidate(): void {
    this.generation++;
    this.cache.clear();
    this.inflight.clear();
    this.lastFetchKey = this.fetchKey;
    this.version++;
    this.schedule();
  }

  setWidth(name: string, width: number): void {
    this.widths = { ...this.widths, [name]: Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width))) };
  }

  widthOf(name: string): number {
    return this.widths[name] ?? this.base.find((c) => c.name === name)?.width ?? 120;
  }

  /** Moves a column among the shown ones (hidden columns keep their place). */
  move(name: string, delta: number): void {
    const shown = this.columns.map((c) => c.name);
    const target = shown[Math.max(0, Math.min(shown.length - 1, shown.indexOf(name) + delta))];
    if (!target || target === name) return;
    this.moveBefore(name, target, delta > 0);
  }

  /** Puts `name` just before (or after) `target` in the order. */
  moveBefore(name: string, target: string, after = false): void {
    if (name === target) return;
    const order = this.order.filter((n) => n !== name);
    const j = order.indexOf(target);
    if (j < 0) return;
    order.splice(after ? j + 1 : j, 0, name);
    this.order = order;
    this.layoutChanged();
  }

  setHidden(name: string, hide: boolean): void {
    const hidden = this.hidden.filter((n) => n !== name);
    // At least one column stays shown: a grid of nothing helps nobody.
    if (hide && hidden.length + 1 >= this.base.length) return;
    this.hidden = hide ? [...hidden, name] : hidden;
    this.layoutChanged();
  }

  showAll(): void {
    this.hidden = [];
    this.layoutChanged();
  }

  private layoutChanged(): void {
    this.anchor = null;
    this.cursor = null;
    if (this.fetchKey !== this.lastFetchKey) this.invalidate();
  }

  select(pos: CellPos, extend: boolean): void {
    const p = {
      row: Math.max(0, Math.min(this.rowCount - 1, pos.row)),
      col: Math.max(0, Math.min(this.columns.length - 1, pos.col)),
    };
    if (!extend || !this.anchor) this.anchor = p;
    this.cursor = p;
  }

  isSelected(row: number, col: number): boolean {
    const s = this.selection;
    return !!s && row >= s.r0 && row <= s.r1 && col >= s.c0 && col <= s.c1;
  }

  /** The selected cells as tab-separated raw values, read from the engine (not the display). */
  async selectionText(mark: DecimalMark): Promise<{ text: string; rows: number; cols: number } | null> {
    const s = this.selection;
    if (!s || !this.engine || !this.relation) return null;
    const r1 = Math.min(s.r1, s.r0 + MAX_COPY_ROWS - 1);
    const columns = this.columns.slice(s.c0, s.c1 + 1).map((c) => c.name);
    const res = await this.windowRows({
      offset: s.r0,
      limit: r1 - s.r0 + 1,
      columns,
      ...(this.orderBy.length ? { orderBy: this.orderBy } : {}),
    });
    return { text: toTsv(res.rows, mark), rows: res.rows.length, cols: columns.length };
  }

  /** Every column of the row shown at `row` (hidden ones too), under the current sort and filters. */
  async rowValues(row: number): Promise<Record<string, unknown> | null> {
    if (!this.engine || !this.relation || row < 0 || row >= this.rowCount) return null;
    const columns = this.base.map((c) => c.name);
    const res = await this.windowRows({ offset: row, limit: 1, columns, ...(this.orderBy.length ? { orderBy: this.orderBy } : {}) });
    const values = res.rows[0];
    return values ? Object.fromEntries(columns.map((c, i) => [c, values[i]])) : null;
  }

  /** The value at (row, column); undefined while its block is not loaded yet. */
  cell(row: number, col: number): unknown {
    void this.version;
    const block = this.cache.get(this.blockKey(Math.floor(row / BLOCK_ROWS), this.colBlockOf(col)));
    if (!block) return undefined;
    const r = block[row % BLOCK_ROWS];
    if (!r) return undefined;
    return r[this.wide ? col % COLUMN_BLOCK : col];
  }

  loaded(row: number): boolean {
    void this.version;
    return this.cache.has(this.blockKey(Math.floor(row / BLOCK_ROWS), this.colBlockOf(this.firstCol)));
  }

  private colBlockOf(col: number): number {
    return this.wide ? Math.floor(col / COLUMN_BLOCK) : 0;
  }

  private blockKey(rowBlock: number, colBlock: number): string {
    return `${rowBlock}:${colBlock}`;
  }

  /** Asks for the blocks the viewport needs, once scrolling pauses for a moment. */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fetchVisible();
    }, DEBOUNCE_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.generation++;
    void this.sorted?.release();
  }

  private async windowRows(req: WindowRequest): Promise<Rows> {
    if (!this.engine || !this.relation) throw new Error('no relation');
    return (this.sorted ?? new SortedWindows(this.engine)).rows(this.relation, req);
  }

  private fetchVisible(): void {
    if (!this.ready || !this.relation || !this.engine || !this.rowCount) return;
    const lastRow = this.firstRow + Math.max(this.visibleRowCount, 1) - 1;
    const first = Math.floor(this.firstRow / BLOCK_ROWS);
    const last = Math.min(Math.floor(lastRow / BLOCK_ROWS) + AHEAD_BLOCKS, Math.ceil(this.rowCount / BLOCK_ROWS) - 1);
    const colBlocks: number[] = [];
    if (this.lastCol >= 0) {
      for (let b = this.colBlockOf(this.firstCol); b <= this.colBlockOf(this.lastCol); b++) colBlocks.push(b);
      if (this.pinnedColumn && !colBlocks.includes(0)) colBlocks.push(0);
    }
    for (const cb of colBlocks) void this.fetchBlocks(first, last, cb);
  }

  /** The row blocks first…last of one column slice that are neither cached nor asked for yet, in one window. */
  private async fetchBlocks(first: number, last: number, colBlock: number): Promise<void> {
    if (!this.engine || !this.relation) return;
    const missing: number[] = [];
    for (let b = first; b <= last; b++) {
      const key = this.blockKey(b, colBlock);
      if (!this.cache.has(key) && !this.inflight.has(key)) missing.push(b);
    }
    if (!missing.length) return;
    // From the first missing block to the last: a cached one between them is read again, not split around.
    const from = missing[0]!;
    const to = missing[missing.length - 1]!;
    const gen = this.generation;
    for (const b of missing) this.inflight.add(this.blockKey(b, colBlock));
    this.loading++;
    try {
      const columns = (this.wide ? this.columns.slice(colBlock * COLUMN_BLOCK, (colBlock + 1) * COLUMN_BLOCK) : this.columns).map(
        (c) => c.name,
      );
      const res = await this.windowRows({
        offset: from * BLOCK_ROWS,
        limit: (to - from + 1) * BLOCK_ROWS,
        columns,
        ...(this.orderBy.length ? { orderBy: this.orderBy } : {}),
      });
      if (gen !== this.generation) return;
      for (let b = from; b <= to; b++) {
        const key = this.blockKey(b, colBlock);
        // Most recently used last: the eviction below drops the oldest first.
        this.cache.delete(key);
        this.cache.set(key, res.rows.slice((b - from) * BLOCK_ROWS, (b - from + 1) * BLOCK_ROWS));
      }
      while (this.cache.size > CACHE_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
      this.error = null;
      this.version++;
    } catch (e) {
      if (gen === this.generation) this.error = errorText(e);
    } finally {
      // Only this generation's: a newer one (invalidate) started afresh.
      if (gen === this.generation) for (const b of missing) this.inflight.delete(this.blockKey(b, colBlock));
      this.loading--;
    }
  }
}
