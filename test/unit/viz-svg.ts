// Rendering a chart the way the app does, for the chart tests: apart from helpers.ts so that only the
// tests that draw load vega.
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import type { VlSpec } from '../../src/core/viz/compile.ts';

/** Compiles with vega-lite and renders to SVG through the CSP-safe interpreter, as the app does. */
export async function svgOf(vl: VlSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(vl as never).spec, undefined, { ast: true }), {
    renderer: 'none',
    expr: expressionInterpreter as never,
  });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
