// The chart a user builds (or a recommendation proposes), as data: validated at run time because it
// is an operation's parameters, saved in projects and replayed from the journal.
import { z } from 'zod';
import { Filter } from '../query/filters.ts';

const column = z.string().min(1).max(1000);
const text = z.string().max(2000);

export const FieldType = z.enum(['quantitative', 'nominal', 'ordinal', 'temporal']);
export type FieldType = z.infer<typeof FieldType>;

export const Aggregate = z.enum(['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct']);
export type Aggregate = z.infer<typeof Aggregate>;

/** Units that keep the year (a point in time) and units that cycle (a month of any year). */
export const TimeUnit = z.enum(['year', 'yearquarter', 'yearmonth', 'yearweek', 'yearmonthdate', 'quarter', 'month', 'day', 'hours']);
export type TimeUnit = z.infer<typeof TimeUnit>;

export const Mark = z.enum(['bar', 'line', 'area', 'point', 'tick', 'rect', 'boxplot', 'arc', 'geoshape']);
export type Mark = z.infer<typeof Mark>;

export const Encoding = z
  .object({
    /** Column's SQL name in the source table; optional only for a count of rows. */
    field: column.optional(),
    type: FieldType,
    aggregate: Aggregate.optional(),
    /** true, or the maximum number of bins (default 10). */
    bin: z.union([z.boolean(), z.number().int().min(2).max(200)]).optional(),
    timeUnit: TimeUnit.optional(),
    /** Natural order, or by the value of another channel ('-y': by y, descending). null keeps the data's order. */
    sort: z.enum(['ascending', 'descending', 'x', '-x', 'y', '-y', 'color', '-color', 'theta', '-theta']).nullable().optional(),
    /** For bars and areas split by colour: stacked from zero (default), normalised to 100 %, centred, or not stacked (null). */
    stack: z.enum(['zero', 'normalize', 'center']).nullable().optional(),
    /** Axis or legend title; by default the column's original label. */
    title: text.optional(),
    /** Number format; by default money for columns that look like amounts, integers for counts. */
    format: z.enum(['number', 'integer', 'currency', 'percent']).optional(),
  })
  .refine((e) => e.field !== undefined || e.aggregate === 'count', { message: 'colonne requise (sauf pour un comptage)' });
export type Encoding = z.infer<typeof Encoding>;

export const Encodings = z.object({
  x: Encoding.optional(),
  y: Encoding.optional(),
  color: Encoding.optional(),
  size: Encoding.optional(),
  shape: Encoding.optional(),
  opacity: Encoding.optional(),
  row: Encoding.optional(),
  column: Encoding.optional(),
  /** The angle of a pie/donut slice (mark arc). */
  theta: Encoding.optional(),
  detail: Encoding.optional(),
  tooltip: z.array(Encoding).max(20).optional(),
});
export type Encodings = z.infer<typeof Encodings>;
export type Channel = Exclude<keyof Encodings, 'tooltip'>;

/**
 * Maps. `tiles`: the built-in tile grid of the 20 arrondissements (no geometry file), coloured by the
 * colour encoding. `choropleth`: an imported GeoJSON table joined on a key (normalised as an
 * arrondissement number, or compared as text). `points`: latitude/longitude columns.
 */
export const MapSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tiles'), key: column }),
  z.object({
    kind: z.literal('choropleth'),
    key: column,
    geoTable: column,
    geoKey: column,
    geometry: column.default('geometry'),
    normalize: z.enum(['arrondissement', 'none']).default('arrondissement'),
  }),
  z.object({ kind: z.literal('points'), latitude: column, longitude: column }),
]);
export type MapSpec = z.infer<typeof MapSpec>;

export const ChartSpec = z.object({
  /** A table or a saved query (view) of the catalog, with the filters in force when the chart was made. */
  source: z.object({ table: column, filters: z.array(Filter).max(1000).default([]) }),
  mark: Mark,
  encoding: Encodings.default({}),
  map: MapSpec.optional(),
  title: text.optional(),
  subtitle: text.optional(),
  /** Replaces the source line built from the table's provenance. */
  sourceLine: text.optional(),
  /** What the chart shows, in a sentence: the reason of a recommendation, the SVG's accessible description. */
  description: text.optional(),
  /** Keep only the first N categories (by their total), e.g. the top 20 of a bar chart. */
  limit: z.number().int().min(1).max(5000).optional(),
  width: z.number().int().min(50).max(4000).optional(),
  height: z.number().int().min(50).max(4000).optional(),
  /**
   * The measurement type the author chose for a column when it differs from the inferred one (an
   * arrondissement code read as a category, a year as a number): kept so a reopened chart, and the
   * next field placed from that column, read it the same way.
   */
  fieldTypes: z.record(column, FieldType).optional(),
  /** Seed of the sample drawn when there are too many points to draw. */
  seed: z.number().int().min(0).max(2_147_483_647).default(1),
});
export type ChartSpec = z.infer<typeof ChartSpec>;
/** What callers may write (defaults not yet applied). */
export type ChartSpecInput = z.input<typeof ChartSpec>;
