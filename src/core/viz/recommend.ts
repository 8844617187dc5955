// Voyager-style recommendations: for the fields the user picked, a summary of each one, then the
// charts that relate them, each with a one-line reason in French. Pure: it reads only the catalog
// entry, so the list appears before any query runs.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import type { Filter } from '../query/filters.ts';
import { inferFieldType } from './measure.ts';
import { ChartSpec, type ChartSpecInput, type FieldType } from './spec.ts';

const ARRONDISSEMENT = /arrondissement|ardt|^c_ar$|^arr$/i;
const MONEY = /€|\beur(os)?\b|montant|mandat|budget|cr[ée]dit|subvention|d[ée]pense|recette/i;

/** How a column is best shown: numbers that are codes or years are categories, not quantities. */
export function fieldType(c: ColumnMeta, types?: Readonly<Record<string, FieldType>>): FieldType {
  return types?.[c.name] ?? inferFieldType(c);
}

export function looksLikeArrondissement(c: ColumnMeta): boolean {
  return ARRONDISSEMENT.test(c.name) || ARRONDISSEMENT.test(c.label);
}

export interface RecommendOptions {
  filters?: Filter[];
  /** How many categories a bar chart keeps. */
  top?: number;
  /** Measurement types known beyond the names (checked on the values, or chosen by the user). */
  types?: Readonly<Record<string, FieldType>>;
}

/** Ranked chart proposals for the selected columns (SQL names); each carries its reason in `description`. */
export function recommendCharts(table: TableEntry, selectedFields: readonly string[], opts: RecommendOptions = {}): ChartSpec[] {
  const top = opts.top ?? 20;
  const source = { table: table.name, filters: opts.filters ?? [] };
  const cols = selectedFields
    .map((f) => table.columns.find((c) => c.name === f))
    .filter((c): c is ColumnMeta => !!c);
  const out: ChartSpecInput[] = [];
  const measure = (c: ColumnMeta) => (MONEY.test(c.label) ? 'sum' : 'mean');

  for (const c of cols) {
    const t = fieldType(c, opts.types);
    const f = c.name;
    if (t === 'quantitative') {
      out.push({
        source, mark: 'bar',
        encoding: { x: { field: f, type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
        description: `Distribution de « ${c.label} » : nombre de lignes par tranche de valeurs`,
      });
      out.push({
        source, mark: 'boxplot',
        encoding: { y: { field: f, type: 'quantitative' } },
        description: `Médiane, quartiles et extrêmes de « ${c.label} »`,
      });
    } else if (t === 'temporal') {
      out.push({
        source, mark: 'line',
        encoding: { x: { field: f, type: 'temporal', timeUnit: 'yearmonth' }, y: { type: 'quantitative', aggregate: 'count' } },
        description: `Nombre de lignes par mois de « ${c.label} »`,
      });
    } else if (t === 'ordinal') {
      // Years, months, ranks: every value, in their own order, not the most frequent first.
      out.push({
        source, mark: 'bar',
        encoding: { x: { field: f, type: 'ordinal', sort: 'ascending' }, y: { type: 'quantitative', aggregate: 'count' } },
        description: `Nombre de lignes par « ${c.label} », dans l’ordre`,
      });
    } else {
      out.push({
        source, mark: 'bar', limit: top,
        encoding: { y: { field: f, type: t }, x: { type: 'quantitative', aggregate: 'count' } },
        description: `Les ${top} valeurs les plus fréquentes de « ${c.label} »`,
      });
      if (looksLikeArrondissement(c)) {
        out.push({
          source, mark: 'rect', map: { kind: 'tiles', key: f },
          encoding: { color: { type: 'quantitative', aggregate: 'count' } },
          description: `Nombre de lignes par arrondissement, sur la carte des 20 arrondissements`,
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
                source, mark: 'bar',
                encoding: { x: { field: cat.name, type: ct, sort: 'ascending' }, y: { field: q.name, type: 'quantitative', aggregate: agg } },
                description: `${agg === 'sum' ? 'Total' : 'Moyenne'} de « ${q.label} » par « ${cat.label} »`,
              }
            : {
                source, mark: 'bar', limit: top,
                encoding: { y: { field: cat.name, type: ct }, x: { field: q.name, type: 'quantitative', aggregate: agg } },
                description: `${agg === 'sum' ? 'Total' : 'Moyenne'} de « ${q.label} » par « ${cat.label} », les ${top} plus grands`,
              },
        );
        out.push({
          source, mark: 'boxplot', limit: top,
          encoding: { x: { field: cat.name, type: ct }, y: { field: q.name, type: 'quantitative' } },
          description: `Dispersion de « ${q.label} » dans chaque « ${cat.label} » (médiane et quartiles)`,
        });
        if (looksLikeArrondissement(cat)) {
          out.push({
            source, mark: 'rect', map: { kind: 'tiles', key: cat.name },
            encoding: { color: { field: q.name, type: 'quantitative', aggregate: agg } },
            description: `${agg === 'sum' ? 'Total' : 'Moyenne'} de « ${q.label} » par arrondissement, sur la carte`,
          });
        }
        continue;
      }
      const qq = pair('quantitative', 'quantitative');
      if (qq) {
        out.push({
          source, mark: 'point',
          encoding: { x: { field: a.name, type: 'quantitative' }, y: { field: b.name, type: 'quantitative' } },
          description: `« ${b.label} » en fonction de « ${a.label} » : une ligne par point (échantillon au-delà de 5 000)`,
        });
        continue;
      }
      const tq = pair('temporal', 'quantitative');
      if (tq) {
        const [time, q] = tq as [ColumnMeta, ColumnMeta];
        const agg = measure(q);
        out.push({
          source, mark: 'line',
          encoding: { x: { field: time.name, type: 'temporal', timeUnit: 'yearmonth' }, y: { field: q.name, type: 'quantitative', aggregate: agg } },
          description: `${agg === 'sum' ? 'Total' : 'Moyenne'} de « ${q.label} » par mois de « ${time.label} »`,
        });
        out.push({
          source, mark: 'bar',
          encoding: { x: { field: time.name, type: 'temporal', timeUnit: 'year' }, y: { field: q.name, type: 'quantitative', aggregate: agg } },
          description: `${agg === 'sum' ? 'Total' : 'Moyenne'} de « ${q.label} » par année`,
        });
        continue;
      }
      const tn = pair('temporal', 'nominal') ?? pair('temporal', 'ordinal');
      if (tn) {
        const [time, cat] = tn as [ColumnMeta, ColumnMeta];
        out.push({
          source, mark: 'line', limit: 8,
          encoding: {
            x: { field: time.name, type: 'temporal', timeUnit: 'yearmonth' },
            y: { type: 'quantitative', aggregate: 'count' },
            color: { field: cat.name, type: fieldType(cat, opts.types) },
          },
          description: `Nombre de lignes par mois pour les 8 valeurs les plus fréquentes de « ${cat.label} »`,
        });
        continue;
      }
      const nn = (ta === 'nominal' || ta === 'ordinal') && (tb === 'nominal' || tb === 'ordinal');
      if (nn) {
        out.push({
          source, mark: 'rect',
          encoding: { x: { field: a.name, type: ta }, y: { field: b.name, type: tb }, color: { type: 'quantitative', aggregate: 'count' } },
          description: `Nombre de lignes pour chaque couple « ${a.label} » × « ${b.label} » (carte de chaleur)`,
        });
        out.push({
          source, mark: 'bar', limit: top,
          encoding: { y: { field: a.name, type: ta }, x: { type: 'quantitative', aggregate: 'count' }, color: { field: b.name, type: tb } },
          description: `Nombre de lignes par « ${a.label} », réparties selon « ${b.label} »`,
        });
      }
    }
  }
  // Relations between the fields answer the question more directly than single-field summaries, but
  // the summaries come first, as in Voyager: they show what the data holds before comparing.
  return out.map((s) => ChartSpec.parse(s));
}
