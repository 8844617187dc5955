// The dashboard's state: the saved charts shown and the selection drawn on each, keyed by chart id.
// Charts read the other charts' selections and recompute themselves in DuckDB (core/viz/crossfilter.ts)
// — from a pre-aggregated index when one applies (core/viz/crossfilter-index.ts), built as soon as a
// chart is about to become a selection source (the pointer enters it), as Mosaic does.
import type { TableEntry } from '../../core/catalog/catalog.ts';
import type { Engine } from '../../core/engine/engine.ts';
import type { Filter } from '../../core/query/filters.ts';
import { binSteps, runChart } from '../../core/viz/chart-stats.ts';
import { brushChannel } from '../../core/viz/crossfilter.ts';
import { CrossIndexes, type IndexFallback } from '../../core/viz/crossfilter-index.ts';
import type { ChartMessages } from '../../core/viz/format.ts';
import type { Channel, ChartSpec } from '../../core/viz/spec.ts';
import type { RenderedChart } from './render.ts';
import { deleteChart, saveChart, savedCharts, type SavedChart } from './saved-charts.ts';

/** How a chart's last numbers were computed: from an index, or by the full query (and why). */
export interface Via {
  via: 'index' | 'full';
  reason?: IndexFallback;
}

const KEY_CHANNELS: Channel[] = ['x', 'y', 'color', 'row', 'column', 'shape', 'detail'];

/** The columns a chart's selection will filter on: its brushed x, its clicked keys, or its map's key. */
export function selectionColumns(spec: ChartSpec): string[] {
  if (spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth') return [spec.map.key];
  if (spec.map || spec.mark === 'boxplot') return [];
  if (brushChannel(spec)) return [spec.encoding.x!.field!];
  return [
    ...new Set(
      KEY_CHANNELS.flatMap((ch) => (spec.encoding[ch]?.field && !spec.encoding[ch]?.aggregate ? [spec.encoding[ch]!.field!] : [])),
    ),
  ];
}

class DashboardState {
  charts = $state.raw<SavedChart[]>([]);
  selections = $state.raw<Record<string, Filter[]>>({});
  via = $state.raw<Record<string, Via>>({});
  readonly indexes = new CrossIndexes();

  refresh(): void {
    this.charts = savedCharts();
    const ids = new Set(this.charts.map((c) => c.id));
    this.selections = Object.fromEntries(Object.entries(this.selections).filter(([id]) => ids.has(id)));
  }

  async save(spec: ChartSpec, name: string): Promise<SavedChart> {
    const rec = await saveChart(spec, name);
    this.refresh();
    return rec;
  }

  async remove(id: string): Promise<void> {
    await deleteChart(id);
    this.refresh();
  }

  select(id: string, filters: Filter[]): void {
    const next = { ...this.selections };
    if (filters.length) next[id] = filters;
    else delete next[id];
    this.selections = next;
  }

  clear(): void {
    this.selections = {};
  }

  get active(): boolean {
    return Object.keys(this.selections).length > 0;
  }

  /** The columns chart `target` would be filtered on if `source` selected now (with the other live selections). */
  private columnsFor(target: SavedChart, source: SavedChart | null, table: TableEntry): string[] {
    const names = new Set(table.columns.map((c) => c.name));
    const cols = new Set<string>();
    for (const [id, fs] of Object.entries(this.selections))
      if (id !== target.id && id !== source?.id) for (const f of fs) cols.add(f.column);
    if (source) for (const c of selectionColumns(source.spec)) cols.add(c);
    return [...cols].filter((c) => names.has(c));
  }

  /**
   * `sourceId` is about to be brushed or clicked: build the other charts' indexes now, on the normal
   * lane, so the selection's first update already reads them. Charts an index cannot serve are noted.
   */
  activate(engine: Engine, sourceId: string, tableOf: (name: string) => TableEntry | undefined, messages: ChartMessages): void {
    const source = this.charts.find((c) => c.id === sourceId);
    if (!source || !selectionColumns(source.spec).length) return;
    const lane = engine.lane('normal', { label: 'index de filtrage croisé' });
    for (const chart of this.charts) {
      if (chart.id === sourceId) continue;
      const table = tableOf(chart.spec.source.table);
      if (!table) continue;
      const columns = this.columnsFor(chart, source, table);
      if (!columns.length) continue;
      void binSteps(lane, chart.spec, table)
        .then((steps) => this.indexes.ensure(lane, chart.spec, table, columns, steps, messages))
        // An index that fails to build leaves the chart on its full query: nothing to tell beyond that.
        .catch(() => undefined);
    }
  }

  /**
   * A chart with the other charts' selections: from its index when ready, else by the full query
   * (and its index is started for the next update). Bins stay those of the chart without selection.
   */
  async render(
    engine: Engine,
    chart: SavedChart,
    table: TableEntry,
    filters: readonly Filter[],
    messages: ChartMessages,
    update: boolean,
  ): Promise<RenderedChart> {
    const normal = engine.lane('normal');
    const steps = await binSteps(normal, chart.spec, table);
    // A later render follows a brush or a click elsewhere: interactive, and the newer one replaces it.
    const lane = engine.lane(update ? 'interactive' : 'normal', { slot: `dashboard:${chart.id}` });
    const names = new Set(table.columns.map((c) => c.name));
    const applicable = filters.filter((f) => names.has(f.column));
    if (!applicable.length) {
      const r = await runChart(lane, chart.spec, table, { messages, binSteps: steps });
      this.via = { ...this.via, [chart.id]: { via: 'full' } };
      return r;
    }
    const columns = [...new Set(applicable.map((f) => f.column))];
    if (!this.indexes.peek(chart.spec, table, columns, steps))
      void this.indexes.ensure(normal, chart.spec, table, columns, steps, messages).catch(() => undefined);
    const r = await this.indexes.run(lane, chart.spec, table, applicable, steps, messages);
    this.via = { ...this.via, [chart.id]: { via: r.via, ...(r.reason ? { reason: r.reason } : {}) } };
    return r;
  }
}

export const dashboard = new DashboardState();
