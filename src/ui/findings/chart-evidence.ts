// A chart frozen as evidence: the journaled `chart` operation over a table (so the figure traces to its
// source file), its aggregated rows, and the Vega-Lite spec rendered to SVG without a DOM — the same
// interpreter as the chart widget, so it runs under the CSP without eval.
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartEvidence, type ChartEvidence } from '../../core/findings/index.ts';
import type { Session } from '../../core/project/session.ts';
import {
  chartData,
  ChartSpec,
  FR_FORMAT_LOCALE,
  FR_TIME_LOCALE,
  prepareChart,
  type ChartSpecInput,
  type VlSpec,
} from '../../core/viz/index.ts';
import { chartOperation } from '../../core/viz/ops.ts';

function headlessView(vl: VlSpec): vega.View {
  const vg = compile(vl as unknown as TopLevelSpec).spec;
  // vega exports locale() without typing it: French number and date formats, as in the chart widget.
  const frLocale = (vega as unknown as { locale(n: unknown, t: unknown): vega.ViewOptions['locale'] }).locale(
    FR_FORMAT_LOCALE,
    FR_TIME_LOCALE,
  );
  return new vega.View(vega.parse(vg, undefined, { ast: true }), {
    expr: expressionInterpreter,
    renderer: 'none',
    ...(frLocale ? { locale: frLocale } : {}),
  });
}

export async function renderChartSvg(vl: VlSpec): Promise<string> {
  const view = headlessView(vl);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A chart as a file that leaves the app: the screen truncates long legend titles and labels to keep the
 * plot wide (« Somme de Budget global d… »), a file must not — nobody can hover a PNG for the rest.
 */
export function uncutLegends(vl: VlSpec): VlSpec {
  const config = (vl.config ?? {}) as Record<string, unknown>;
  const legend = (config.legend ?? {}) as Record<string, unknown>;
  return { ...vl, config: { ...config, legend: { ...legend, labelLimit: 0, titleLimit: 0 } } } as VlSpec;
}

/** PNG (as a data: URL, twice the pixels) or SVG text of a full spec (values included), drawn without a DOM view. */
export async function renderChartFile(vl: VlSpec, kind: 'png' | 'svg'): Promise<string> {
  const view = headlessView(vl);
  try {
    return kind === 'svg' ? await view.toSVG() : await view.toImageURL('png', 2);
  } finally {
    view.finalize();
  }
}

/** The count of rows by one column's values, the 20 largest: the simplest chart an auditor attaches. */
export function countBySpec(table: string, column: string, title: string): ChartSpecInput {
  return {
    source: { table },
    mark: 'bar',
    encoding: { y: { field: column, type: 'nominal', sort: '-x' }, x: { type: 'quantitative', aggregate: 'count' } },
    limit: 20,
    title,
  };
}

export async function freezeChart(session: Session, input: ChartSpecInput, by: string): Promise<ChartEvidence> {
  const spec = ChartSpec.parse(input);
  const table = session.catalog.get(spec.source.table);
  if (!table) throw new Error(spec.source.table);
  const res = await session.run(chartOperation, spec);
  const { vegaLite } = await chartData(session.engine, await prepareChart(session.engine, spec, table));
  const svg = await renderChartSvg(vegaLite);
  return chartEvidence(session, {
    title: spec.title ?? table.name,
    spec: spec as unknown as Record<string, unknown>,
    svg,
    entry: res.entry,
    tables: [table.name],
    by,
  });
}

/** Charts saved by the Charts view (in the manifest), those whose spec still validates. */
export function savedChartSpecs(session: Session | null): { id: string; name: string; spec: ChartSpecInput }[] {
  const out: { id: string; name: string; spec: ChartSpecInput }[] = [];
  for (const r of session?.manifest.charts ?? []) {
    const spec = ChartSpec.safeParse(r.spec);
    if (typeof r.id === 'string' && typeof r.name === 'string' && spec.success)
      out.push({ id: r.id, name: r.name, spec: { ...spec.data, title: spec.data.title ?? r.name } });
  }
  return out;
}
