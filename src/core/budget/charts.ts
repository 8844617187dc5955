// The Budget view's charts. Participatory measures are one row per edition and arrondissement, so
// the tile map is an ordinary ChartSpec over the result table (the chart model aggregates it). The
// reconciliation repeats a line once per flag: its charts are drawn from de-duplicated aggregates
// (tree.ts), as pure functions from rows to a Vega-Lite spec.
import { ChartSpec } from '../viz/spec.ts';
import { OKABE_ITO } from '../viz/format.ts';
import { PB_AGGREGATE_COLUMNS } from './participatory.ts';
import type { ChapterMeasure, YearTotal } from './tree.ts';

type Vl = Record<string, unknown>;

const MONEY = '$,.0f';
const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: { view: { stroke: null }, axis: { labelFontSize: 12, titleFontSize: 12 }, font: 'system-ui, sans-serif' },
} as const;

export interface ChartTexts {
  title: string;
  chapter: string;
  amount: string;
  rate?: string;
  credits?: string;
  executed?: string;
  year?: string;
}

/** Variance (executed − credits) per chapter, sorted by size; overruns in vermilion, savings in blue. */
export function varianceBarsSpec(rows: readonly ChapterMeasure[], texts: ChartTexts): Vl {
  return {
    ...BASE,
    title: texts.title,
    width: 520,
    height: { step: 18 },
    data: { values: rows.map((r) => ({ chapitre: r.chapter, ecart: r.variance, signe: r.variance > 0 ? 'over' : 'under' })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'chapitre', type: 'nominal', sort: { field: 'ecart', order: 'descending' }, title: texts.chapter },
      x: { field: 'ecart', type: 'quantitative', title: texts.amount, axis: { format: MONEY } },
      color: { field: 'signe', type: 'nominal', scale: { domain: ['over', 'under'], range: [OKABE_ITO[5], OKABE_ITO[0]] }, legend: null },
      tooltip: [
        { field: 'chapitre', type: 'nominal', title: texts.chapter },
        { field: 'ecart', type: 'quantitative', title: texts.amount, format: MONEY },
      ],
    },
  };
}

/** Execution rate per chapter, with a rule at 100 %. */
export function rateBarsSpec(rows: readonly ChapterMeasure[], texts: ChartTexts): Vl {
  const values = rows.filter((r) => r.rate !== null).map((r) => ({ chapitre: r.chapter, taux: r.rate }));
  return {
    ...BASE,
    title: texts.title,
    width: 520,
    height: { step: 18 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', color: OKABE_ITO[0] },
        encoding: {
          y: { field: 'chapitre', type: 'nominal', sort: { field: 'taux', order: 'descending' }, title: texts.chapter },
          x: { field: 'taux', type: 'quantitative', title: texts.rate ?? '', axis: { format: '.0%' } },
          tooltip: [
            { field: 'chapitre', type: 'nominal', title: texts.chapter },
            { field: 'taux', type: 'quantitative', title: texts.rate ?? '', format: '.1%' },
          ],
        },
      },
      {
        data: { values: [{ x: 1 }] },
        mark: { type: 'rule', color: OKABE_ITO[7], strokeDash: [4, 3] },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  };
}

/** Credits and executed per year, two lines. */
export function evolutionSpec(rows: readonly YearTotal[], texts: ChartTexts): Vl {
  const values = rows.flatMap((r) => [
    { annee: String(r.year), mesure: texts.credits ?? 'credits', montant: r.credits },
    { annee: String(r.year), mesure: texts.executed ?? 'executed', montant: r.executed },
  ]);
  return {
    ...BASE,
    title: texts.title,
    width: 520,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'annee', type: 'ordinal', title: texts.year ?? '', axis: { labelAngle: 0 } },
      y: { field: 'montant', type: 'quantitative', title: texts.amount, axis: { format: MONEY } },
      color: { field: 'mesure', type: 'nominal', scale: { range: [OKABE_ITO[0], OKABE_ITO[1]] }, title: null },
      tooltip: [
        { field: 'annee', type: 'ordinal', title: texts.year ?? '' },
        { field: 'mesure', type: 'nominal' },
        { field: 'montant', type: 'quantitative', title: texts.amount, format: MONEY },
      ],
    },
  };
}

/** Columns of the participatory result's per-arrondissement rows worth showing in a grid. */
export const PB_ARRONDISSEMENT_COLUMNS = ['edition', 'arrondissement', ...PB_AGGREGATE_COLUMNS.filter((c) => c !== 'delai_median_annees')];

/** Measures of the participatory result that the tile map can show; ratios and delays are averaged over editions. */
export const PB_MEASURES = ['montant_alloue', 'nb_projets', 'nb_livres', 'nb_abandonnes', 'part_qp', 'delai_median_annees'] as const;
export type PbMeasure = (typeof PB_MEASURES)[number];

/** The tile map of the 20 arrondissements for one measure of a `participatory-budget` result. */
export function participatoryTileSpec(table: string, measure: PbMeasure, edition: number | null, title?: string): ChartSpec {
  const ratio = measure === 'part_qp' || measure === 'delai_median_annees';
  return ChartSpec.parse({
    source: {
      table,
      filters: [
        { column: 'portee', op: 'equals', value: 'arrondissement' },
        ...(edition !== null ? [{ column: 'edition', op: 'equals', value: edition }] : []),
      ],
    },
    mark: 'rect',
    map: { kind: 'tiles', key: 'arrondissement' },
    encoding: {
      color: {
        field: measure,
        type: 'quantitative',
        aggregate: ratio ? 'mean' : 'sum',
        ...(title ? { title } : {}),
        ...(measure === 'part_qp'
          ? { format: 'percent' }
          : measure === 'montant_alloue'
            ? { format: 'currency' }
            : measure.startsWith('nb_')
              ? { format: 'integer' }
              : {}),
      },
    },
    ...(title ? { title } : {}),
  });
}
