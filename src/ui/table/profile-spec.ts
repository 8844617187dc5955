// The small chart of a column profile: a histogram for numbers, the top values otherwise. A pure
// function from the profile to a Vega-Lite spec, over the few aggregated rows DuckDB returned.
import type { VisualizationSpec } from 'vega-embed';
import type { ColumnProfile } from '../../core/profile/profile.ts';

export interface ProfileChartLabels {
  count: string;
  value: string;
  /** How NULL appears among the top values. */
  nullLabel: string;
  emptyLabel: string;
}

export function profileSpec(p: Pick<ColumnProfile, 'histogram' | 'top'>, labels: ProfileChartLabels): VisualizationSpec | null {
  if (p.histogram?.length) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 'container',
      height: 140,
      data: { values: p.histogram.map((b) => ({ from: b.from, to: b.to, count: b.count })) },
      mark: { type: 'bar', color: '#1f5fa8' },
      encoding: {
        x: { field: 'from', type: 'quantitative', bin: { binned: true }, title: labels.value },
        x2: { field: 'to' },
        y: { field: 'count', type: 'quantitative', title: labels.count },
        tooltip: [
          { field: 'from', type: 'quantitative', title: '≥' },
          { field: 'to', type: 'quantitative', title: '<' },
          { field: 'count', type: 'quantitative', title: labels.count },
        ],
      },
    } as VisualizationSpec;
  }
  if (p.top?.length) {
    const values = p.top.map((t) => ({
      label: t.value === null ? labels.nullLabel : t.value === '' ? labels.emptyLabel : String(t.value),
      count: t.count,
    }));
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 'container',
      height: Math.max(60, values.length * 18),
      data: { values },
      mark: { type: 'bar', color: '#1f5fa8' },
      encoding: {
        // sort: null keeps the order DuckDB counted (most frequent first).
        y: { field: 'label', type: 'nominal', sort: null, title: labels.value, axis: { labelLimit: 160 } },
        x: { field: 'count', type: 'quantitative', title: labels.count },
        tooltip: [
          { field: 'label', type: 'nominal', title: labels.value },
          { field: 'count', type: 'quantitative', title: labels.count },
        ],
      },
    } as VisualizationSpec;
  }
  return null;
}
