// Voyager-style recommendations: for the fields the user picked, a summary of each one, then the
// charts that relate them, each with a one-line reason in French. Pure: it reads only the catalog
// entry, so the list appears before any query runs.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import type { Filter } from '../query/filters.ts';
import { defaultAggregate } from '../sql/types.ts';
import { inferFieldType } from './measure.ts';
import { ChartSpec, type ChartSpecInput, type FieldType } from './spec.ts';

const ARRONDISSEMENT = /arrondissement|ardt|^c_ar$|^arr$/i;

/** How a column is best shown: numbers that are codes or years are categories, not quantities. */
export function fieldType(c: ColumnMeta, types?: Readonly<Record<string, FieldType>>): FieldType {
  return types?.[c.name] ?? inferFieldType(c);
}

export function looksLikeArrondissement(c: ColumnMeta): boolean {
  return ARRONDISSEMENT.test(c.name) || ARRONDISSEMENT.test(c.label);
}

/** The reason of each recommendation, in the interface's language (it is also the SVG's description). */
export interface RecommendTexts {
  histogram: (l: string) => string;
  box: (l: string) => string;
  perMonth: (l: string) => string;
  inOrder: (l: string) => string;
  topValues: (n: number, l: string) => string;
  tilesCount: string;
  measureBy: (agg: 'sum' | 'mean', q: string, cat: string, top?: number) => string;
  spread: (q: string, cat: string) => string;
  tilesMeasure: (agg: 'sum' | 'mean', q: string) => string;
  scatter: (y: string, x: string) => string;
  measurePerMonth: (agg: 'sum' | 'mean', q: string, time: string) => string;
  measurePerYear: (agg: 'sum' | 'mean', q: string) => string;
  perMonthTop: (n: number, l: string) => string;
  heatmap: (a: string, b: string) => string;
  splitBy: (a: string, b: string) => string;
}

const frAgg = (a: 'sum' | 'mean') => (a === 'sum' ? 'Total' : 'Moyenne');
export const FR_RECOMMEND: RecommendTexts = {
  histogram: (l) => `Distribution de « ${l} » : nombre de lignes par tranche de valeurs`,
  box: (l) => `Médiane, quartiles et extrêmes de « ${l} »`,
  perMonth: (l) => `Nombre de lignes par mois de « ${l} »`,
  inOrder: (l) => `Nombre de lignes par « ${l} », dans l’ordre`,
  topValues: (n, l) => `Les ${n} valeurs les plus fréquentes de « ${l} »`,
  tilesCount: 'Nombre de lignes par arrondissement, sur la carte des 20 arrondissements',
  measureBy: (a, q, cat, top) => `${frAgg(a)} de « ${q} » par « ${cat} »${top ? `, les ${top} plus grands` : ''}`,
  spread: (q, cat) => `Dispersion de « ${q} » dans chaque « ${cat} » (médiane et quartiles)`,
  tilesMeasure: (a, q) => `${frAgg(a)} de « ${q} » par arrondissement, sur la carte`,
  scatter: (y, x) => `« ${y} » en fonction de « ${x} » : une ligne par point (échantillon au-delà de 5 000)`,
  measurePerMonth: (a, q, time) => `${frAgg(a)} de « ${q} » par mois de « ${time} »`,
  measurePerYear: (a, q) => `${frAgg(a)} de « ${q} » par année`,
  perMonthTop: (n, l) => `Nombre de lignes par mois pour les ${n} valeurs les plus fréquentes de « ${l} »`,
  heatmap: (a, b) => `Nombre de lignes pour chaque couple « ${a} » × « ${b} » (carte de chaleur)`,
  splitBy: (a, b) => `Nombre de lignes par « ${a} », réparties selon « ${b} »`,
};

const enAgg = (a: 'sum' | 'mean') => (a === 'sum' ? 'Total' : 'Mean');
export const EN_RECOMMEND: RecommendTexts = {
  histogram: (l) => `Distribution of “${l}”: number of rows per range of values`,
  box: (l) => `Median, quartiles and extremes of “${l}”`,
  perMonth: (l) => `Number of rows per month of “${l}”`,
  inOrder: (l) => `Number of rows per “${l}”, in order`,
  topValues: (n, l) => `The ${n} most frequent values of “${l}”`,
  tilesCount: 'Number of rows per arrondissement, on the map of the 20 arrondissements',
  measureBy: (a, q, cat, top) => `${enAgg(a)} of “${q}” by “${cat}”${top ? `, the ${top} largest` : ''}`,
  spread: (q, cat) => `Spread of “${q}” within each “${cat}” (median and quartiles)`,
  tilesMeasure: (a, q) => `${enAgg(a)} of “${q}” per arrondissement, on the map`,
  scatter: (y, x) => `“${y}” against “${x}”: one point per row (sampled beyond 5,000)`,
  measurePerMonth: (a, q, time) => `${enAgg(a)} of “${q}” per month of “${time}”`,
  measurePerYear: (a, q) => `${enAgg(a)} of “${q}” per year`,
  perMonthTop: (n, l) => `Number of rows per month for the ${n} most frequent values of “${l}”`,
  heatmap: (a, b) => `Number of rows for each pair “${a}” × “${b}” (heatmap)`,
  splitBy: (a, b) => `Number of rows per “${a}”, split by “${b}”`,
};

export interface RecommendOptions {
  filters?: Filter[];
  /** How many categories a bar chart keeps. */
  top?: number;
  /** Measurement types known beyond the names (checked on the values, or chosen by the user). */
  types?: Readonly<Record<string, FieldType>>;
  /** The reasons' language (French by default). */
  texts?: RecommendTexts;
}

/** Ranked chart proposals for the selected columns (SQL names); each carries its reason in `description`. */
export function recommendCharts(table: TableEntry, selectedFields: readonly string[], opts: RecommendOptions = {}): ChartSpec[] {
  const top = opts.top ?? 20;
  const m = opts.texts ?? FR_RECOMMEND;
  const source = { table: table.name, filters: opts.filters ?? [] };
  const cols = selectedFields.map((f) => table.columns.find((c) => c.name === f)).filter((c): c is ColumnMeta => !!c);
  const out: ChartSpecInput[] = [];
  const measure = (c: ColumnMeta) => defaultAggregate(c);

  for (const c of cols) {
    const t = fieldType(c, opts.types);
    const f = c.name;
    if (t === 'quantitative') {
      out.push({
        source,
        mark: 'bar',
        encoding: { x: { field: f, type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
        description: m.histogram(c.label),
      });
      out.push({
        source,
        mark: 'boxplot',
        encoding: { y: { field: f, type: 'quantitative' } },
        description: m.box(c.label),
      });
    } else if (t === 'temporal') {
      out.push({
        source,
        mark: 'line',
        encoding: { x: { field: f, type: 'temporal', timeUnit: 'yearmonth' }, y: { type: 'quantitative', aggregate: 'count' } },
        description: m.perMonth(c.label),
      });
    } else if (t === 'ordinal') {
      // Years, months, ranks: every value, in their own order, not the most frequent first.
      out.push({
        source,
        mark: 'bar',
        encoding: { x: { field: f, type: 'ordinal', sort: 'ascending' }, y: { type: 'quantitative', aggregate: 'count' } },
        description: m.inOrder(c.label),
      });
    } else {
      out.push({
        source,
        mark: 'bar',
        limit: top,
        encoding: { y: { field: f, type: t }, x: { type: 'quantitative', aggregate: 'count' } },
        description: m.topValues(top, c.label),
      });
      if (looksLikeArrondissement(c)) {
        out.push({
          source,
          mark: 'rect',
          map: { kind: 'tiles', key: f },
          encoding: { color: { type: 'quantitative', aggregate: 'count' } },
          description: m.tilesCount,
        });
      }
    }
  }

  for (let i = 0; i < cols.length; i++) {
    for (let j = i + 1; j < cols.length; j++) {
      const [a, b] = [cols[i]!, cols[j]!];
      const ta = fieldType(a, opts.types);
      const tb = fieldType(b, opts.types);
      const pair = (t1: FieldType, t2: FieldType) => (ta === t1 && tb === t2 ? [a, b] : ta === t2 && tb === t1 ? [b, a] : undefined);
      const cq = pair('nominal', 'quantitative') ?? pair('ordinal', 'quantitative');
      if (cq) {
        const [cat, q] = cq as [ColumnMeta, ColumnMeta];
        const agg = measure(q);
        const ct = fieldType(cat, opts.types);
        out.push(
          ct === 'ordinal'
            ? {
                source,
                mark: 'bar',
                encoding: {
                  x: { field: cat.name, type: ct, sort: 'ascending' },
                  y: { field: q.name, type: 'quantitative', aggregate: agg },
                },
                description: m.measureBy(agg, q.label, cat.label),
              }
            : {
                source,
                mark: 'bar',
                limit: top,
                encoding: { y: { field: cat.name, type: ct }, x: { field: q.name, type: 'quantitative', aggregate: agg } },
                description: m.measureBy(agg, q.label, cat.label, top),
              },
        );
        out.push({
          source,
          mark: 'boxplot',
          limit: top,
          encoding: { x: { field: cat.name, type: ct }, y: { field: q.name, type: 'quantitative' } },
          description: m.spread(q.label, cat.label),
        });
        if (looksLikeArrondissement(cat)) {
          out.push({
            source,
            mark: 'rect',
            map: { kind: 'tiles', key: cat.name },
            encoding: { color: { field: q.name, type: 'quantitative', aggregate: agg } },
            description: m.tilesMeasure(agg, q.label),
          });
        }
        continue;
      }
      const qq = pair('quantitative', 'quantitative');
      if (qq) {
        out.push({
          source,
          mark: 'point',
          encoding: { x: { field: a.name, type: 'quantitative' }, y: { field: b.name, type: 'quantitative' } },
          description: m.scatter(b.label, a.label),
        });
        continue;
      }
      const tq = pair('temporal', 'quantitative');
      if (tq) {
        const [time, q] = tq as [ColumnMeta, ColumnMeta];
        const agg = measure(q);
        out.push({
          source,
          mark: 'line',
          encoding: {
            x: { field: time.name, type: 'temporal', timeUnit: 'yearmonth' },
            y: { field: q.name, type: 'quantitative', aggregate: agg },
          },
          description: m.measurePerMonth(agg, q.label, time.label),
        });
        out.push({
          source,
          mark: 'bar',
          encoding: {
            x: { field: time.name, type: 'temporal', timeUnit: 'year' },
            y: { field: q.name, type: 'quantitative', aggregate: agg },
          },
          description: m.measurePerYear(agg, q.label),
        });
        continue;
      }
      const tn = pair('temporal', 'nominal') ?? pair('temporal', 'ordinal');
      if (tn) {
        const [time, cat] = tn as [ColumnMeta, ColumnMeta];
        out.push({
          source,
          mark: 'line',
          limit: 8,
          encoding: {
            x: { field: time.name, type: 'temporal', timeUnit: 'yearmonth' },
            y: { type: 'quantitative', aggregate: 'count' },
            color: { field: cat.name, type: fieldType(cat, opts.types) },
          },
          description: m.perMonthTop(8, cat.label),
        });
        continue;
      }
      const nn = (ta === 'nominal' || ta === 'ordinal') && (tb === 'nominal' || tb === 'ordinal');
      if (nn) {
        out.push({
          source,
          mark: 'rect',
          encoding: { x: { field: a.name, type: ta }, y: { field: b.name, type: tb }, color: { type: 'quantitative', aggregate: 'count' } },
          description: m.heatmap(a.label, b.label),
        });
        out.push({
          source,
          mark: 'bar',
          limit: top,
          encoding: { y: { field: a.name, type: ta }, x: { type: 'quantitative', aggregate: 'count' }, color: { field: b.name, type: tb } },
          description: m.splitBy(a.label, b.label),
        });
      }
    }
  }
  // Relations between the fields answer the question more directly than single-field summaries, but
  // the summaries come first, as in Voyager: they show what the data holds before comparing.
  return out.map((s) => ChartSpec.parse(s));
}
