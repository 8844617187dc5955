// Runs a chart for the UI: counts, compiles with the texts of the current language, runs the SQL.
// Components call this and never see SQL beyond showing it.
import type { TableEntry } from '../../core/catalog/catalog.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { chartData, prepareChart, type CompiledChart, type VlSpec } from '../../core/viz/compile.ts';
import { EN_MESSAGES, FR_MESSAGES } from '../../core/viz/format.ts';
import type { ChartSpec } from '../../core/viz/spec.ts';
import { locale } from '../../i18n/index.ts';

export interface RenderedChart {
  compiled: CompiledChart;
  vegaLite: VlSpec;
  values: Record<string, unknown>[];
}

export async function renderChart(engine: Engine, spec: ChartSpec, table: TableEntry): Promise<RenderedChart> {
  const messages = locale() === 'en' ? EN_MESSAGES : FR_MESSAGES;
  const compiled = await prepareChart(engine, spec, table, { messages });
  const { vegaLite, values } = await chartData(engine, compiled);
  return { compiled, vegaLite, values };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
