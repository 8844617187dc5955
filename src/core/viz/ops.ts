// The `chart` operation: a saved chart is its spec plus the SQL that fed it and a digest of the
// aggregated rows, so the figure in a report can be recomputed from the source files.
import { inputOf, OperationError, registerOperation, requireTable } from '../ops/registry.ts';
import { ChartError, prepareChart, type VlSpec } from './compile.ts';
import { ChartSpec } from './spec.ts';

export interface ChartDetail {
  vegaLite: VlSpec;
  capped: boolean;
  note?: string;
}

export const chartOperation = registerOperation({
  id: 'chart',
  kind: 'chart',
  description: 'Calcule dans DuckDB les données agrégées d’un graphique et journalise leur empreinte',
  params: ChartSpec,
  async run(ctx, spec) {
    const table = requireTable(ctx, spec.source.table);
    if (spec.map?.kind === 'choropleth') requireTable(ctx, spec.map.geoTable);
    let compiled;
    try {
      compiled = await prepareChart(ctx.engine, spec, table);
    } catch (e) {
      if (e instanceof ChartError) {
        throw new OperationError(e.message);
      }
      throw e;
    }
    return {
      relation: `(${compiled.sql}\n)`,
      sql: [compiled.sql],
      inputs: compiled.inputs.map((t) => inputOf(ctx, t)),
      summary: `Graphique (${spec.mark}) sur « ${table.name} »${compiled.note ? ` — ${compiled.note}` : ''}`,
      detail: { vegaLite: compiled.vegaLite, capped: compiled.capped, ...(compiled.note ? { note: compiled.note } : {}) } satisfies ChartDetail,
    };
  },
});
