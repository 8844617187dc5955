// A chart saved as a file keeps its legend whole: on screen Vega cuts a long legend title to 180 px
// (« Somme de Budget global d… »), and nobody can hover a PNG for the rest.
import { describe, expect, it } from 'vitest';
import { renderChartFile, renderChartSvg, uncutLegends } from '../../src/ui/findings/chart-evidence.ts';
import type { VlSpec } from '../../src/core/viz/index.ts';

const TITLE = 'Somme de Budget global du projet voté en euros, toutes éditions confondues';
const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  data: {
    values: [
      { a: 'Rénovation de l’école élémentaire de la rue des Pyrénées et de sa cour', v: 1 },
      { a: 'b', v: 2 },
    ],
  },
  mark: 'bar',
  encoding: { x: { field: 'v', type: 'quantitative' }, color: { field: 'a', type: 'nominal', title: TITLE } },
  config: { legend: { labelLimit: 220 } },
} as unknown as VlSpec;

/** The text of the SVG's <text> elements. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&#39;|&apos;/g, '’').replace(/&amp;/g, '&'));

describe('chart files', () => {
  it('draws the legend title and labels whole, where the screen cuts them', async () => {
    const screen = texts(await renderChartSvg(spec));
    expect(screen.some((x) => x.endsWith('…') && TITLE.startsWith(x.slice(0, -1)))).toBe(true);
    const file = texts(await renderChartFile(uncutLegends(spec), 'svg'));
    expect(file).toContain(TITLE);
    expect(file.some((x) => x.startsWith('Rénovation de l') && x.endsWith('sa cour'))).toBe(true);
    expect(file.some((x) => x.endsWith('…'))).toBe(false);
  });
});
