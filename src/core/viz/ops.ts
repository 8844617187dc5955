// The `chart` operation: a saved chart is its spec plus the SQL that fed it and a digest of the
// aggregated rows, so the figure in a report can be recomputed from the source files.
import { inputOf, OperationError, registerOperation, requireTable } from '../ops/registry.ts';
import { ChartError, prepareChart, type VlSpec } from './compile.ts';
import { ChartSpec } from './spec.ts';
import { queryRelation } from '../sql/relation.ts';

// The summary is read in the journal and the report: the mark's name in words, not its Vega code.
const MARK_WORDS: Record<ChartSpec['mark'], string> = {
  bar: 'en barres',
  line: 'en ligne',
  area: 'en aires',
  point: 'en points',
  tick: 'en traits',
  rect: 'carte de chaleur',
  boxplot: 'en boîtes à moustaches',
  arc: 'en camembert',
  geoshape: 'carte choroplèthe',
};
const MAP_WORDS = { tiles: 'carte des arrondissements', choropleth: 'carte choroplèthe', points: 'carte de points' } as const;

/** « Graphique en barres », « Carte des arrondissements »… */
export function chartKindWords(spec: Pick<ChartSpec, 'mark' | 'map'>): string {
  if (spec.map) return MAP_WORDS[spec.map.kind].replace(/^./, (ch) => ch.toUpperCase());
  const w = MARK_WORDS[spec.mark];
  return w.startsWith('en ') ? `Graphique ${w}` : w.replace(/^./, (ch) => ch.toUpperCase());
}

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
      relation: queryRelation(compiled.sql),
      sql: [compiled.sql],
      inputs: compiled.inputs.map((t) => inputOf(ctx, t)),
      summary: `${chartKindWords(spec)} sur « ${table.name} »${compiled.note ? ` — ${compiled.note}` : ''}`,
      detail: {
        vegaLite: compiled.vegaLite,
        capped: compiled.capped,
        ...(compiled.note ? { note: compiled.note } : {}),
      } satisfies ChartDetail,
    };
  },
});
