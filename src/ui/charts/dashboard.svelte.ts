// The dashboard's state: the saved charts shown and the selection drawn on each, keyed by chart id.
// Charts read the other charts' selections and recompute themselves in DuckDB (core/viz/crossfilter.ts).
import type { Filter } from '../../core/query/filters.ts';
import { deleteChart, saveChart, savedCharts, type SavedChart } from './saved-charts.ts';
import type { ChartSpec } from '../../core/viz/spec.ts';

class DashboardState {
  charts = $state.raw<SavedChart[]>([]);
  selections = $state.raw<Record<string, Filter[]>>({});

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
}

export const dashboard = new DashboardState();
