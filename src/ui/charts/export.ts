// The current chart to files through the host (a download in the browser, a save dialog on the
// desktop). PNG and SVG are drawn by Vega from the spec, which already holds the title and the
// source line; CSV and JSON carry them as text (see core/viz/export-chart.ts).
import type { Result } from 'vega-embed';
import { chartCsv, chartFileName, chartJson, chartTexts } from '../../core/viz/export-chart.ts';
import type { VlSpec } from '../../core/viz/compile.ts';
import { withValues } from '../../core/viz/vega-spec.ts';
import { app } from '../app-state.svelte.ts';

export type ExportKind = 'png' | 'svg' | 'json' | 'csv';

function dataUrlBytes(url: string): Uint8Array {
  const b64 = url.slice(url.indexOf(',') + 1);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The chart redrawn for a file with uncut legends; the view on screen as it is if that redraw fails. */
async function fileImage(view: Result, vegaLite: VlSpec, values: Record<string, unknown>[], kind: 'png' | 'svg'): Promise<string> {
  try {
    const { renderChartFile, uncutLegends } = await import('../findings/chart-evidence.ts');
    return await renderChartFile(uncutLegends(withValues(vegaLite, values)), kind);
  } catch {
    return kind === 'png' ? view.view.toImageURL('png', 2) : view.view.toSVG();
  }
}

/** Saves the chart; false when the user cancelled the dialog. */
export async function exportChart(
  kind: ExportKind,
  view: Result | null,
  vegaLite: VlSpec,
  values: Record<string, unknown>[],
  fallbackName: string,
): Promise<boolean> {
  const host = app.host;
  if (!host) return false;
  const name = chartFileName(chartTexts(vegaLite).title, kind, fallbackName);
  switch (kind) {
    case 'png': {
      if (!view) return false;
      // Twice the pixels: sharp in print and on high-density screens; legends drawn whole (see uncutLegends).
      return host.saveAs(name, dataUrlBytes(await fileImage(view, vegaLite, values, 'png')), 'image/png');
    }
    case 'svg':
      if (!view) return false;
      return host.saveAs(name, await fileImage(view, vegaLite, values, 'svg'), 'image/svg+xml');
    case 'json':
      return host.saveAs(name, chartJson(vegaLite, values), 'application/json');
    case 'csv':
      return host.saveAs(name, chartCsv(vegaLite, values), 'text/csv');
  }
}
