// The plan of a chart (chart-sql.ts) → a Vega-Lite spec over the rows its SQL returns. Vega field
// names are fixed aliases (x, y, color…): original labels, which may hold dots, brackets or quotes
// that Vega would read as paths, appear only as titles.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import { isMoneyName } from '../sql/types.ts';
import { boxValue, categoryChannel, type Item, type Plan } from './chart-sql.ts';
import { FR_FORMAT_LOCALE, FR_TIME_LOCALE, frenchDate, OKABE_ITO, SEQUENTIAL_SCHEME, type ChartMessages } from './format.ts';
import { isIntegerColumn, meaningOf } from './measure.ts';
import type { ChartSpec, Encoding, TimeUnit } from './spec.ts';

/** Name of the Vega-Lite dataset that chartData fills with the rows. */
export const DATASET = 'loupe_chart';

// Vega-Lite specs are plain JSON: typing them fully would cost more than it catches here.
export type VlSpec = Record<string, unknown>;

const CYCLIC: ReadonlySet<TimeUnit> = new Set(['quarter', 'month', 'day', 'hours']);
const TIME_FORMAT: Record<TimeUnit, string> = {
  year: '%Y',
  yearquarter: 'T%q %Y',
  yearmonth: '%b %Y',
  yearweek: '%e %b %Y',
  yearmonthdate: '%e %b %Y',
  quarter: '',
  month: '',
  day: '',
  hours: '',
};

function defaultFormat(enc: Encoding, c: ColumnMeta | undefined): NonNullable<Encoding['format']> {
  if (enc.format) return enc.format;
  if (enc.aggregate === 'count' || enc.aggregate === 'distinct') return 'integer';
  if (c && isMoneyName(c.label)) return 'currency';
  return 'number';
}

const NUMBER_FORMAT = { number: ',.2~f', integer: ',.0f', currency: '$,.2~f', percent: '.1~%' } as const;

/** A year or a code drawn as a number (the author's choice, or binned). */
function yearOrCode(it: Item): boolean {
  return !it.measure && !!it.col && isIntegerColumn(it.col) && ['year', 'code'].includes(meaningOf(it.col));
}

function numberFormat(it: Item): string {
  // Written as it reads: « 2014 », not « 2 014 ».
  if (!it.enc.format && yearOrCode(it)) return 'd';
  return NUMBER_FORMAT[defaultFormat(it.enc, it.col)];
}

function fieldDef(it: Item, m: ChartMessages, opts: { axis?: boolean } = {}): Record<string, unknown> {
  const enc = it.enc;
  const def: Record<string, unknown> = { field: it.alias, title: it.title };
  if (it.end) {
    def.type = 'quantitative';
    def.bin = { binned: true };
    def.axis = { format: numberFormat(it) };
    return def;
  }
  if (it.measure || enc.type === 'quantitative') {
    def.type = 'quantitative';
    if (opts.axis) {
      def.axis = { format: numberFormat(it) };
      // Years start where the data starts: an axis from 0 to 2023 squashes every point at its end.
      def.scale = { zero: !yearOrCode(it) };
    } else def.format = numberFormat(it);
    return def;
  }
  if (enc.timeUnit && CYCLIC.has(enc.timeUnit)) {
    def.type = 'ordinal';
    const labels =
      enc.timeUnit === 'month'
        ? m.months
        : enc.timeUnit === 'day'
          ? m.weekdays
          : enc.timeUnit === 'quarter'
            ? ['1', '2', '3', '4'].map(m.quarter)
            : undefined;
    if (labels && opts.axis) {
      // Labels come from our own messages, not from data: JSON.stringify keeps them a literal.
      def.axis = { labelExpr: `${JSON.stringify(labels)}[datum.value - 1]` };
    }
    if (enc.timeUnit === 'hours' && opts.axis) def.axis = { labelExpr: `datum.value + ' h'` };
    return def;
  }
  if (enc.type === 'temporal') {
    // Dates arrive as UTC ISO strings. Re-applying the (UTC) time unit to the already truncated date
    // changes nothing but gives bars their band width and formats labels in UTC.
    def.type = 'temporal';
    if (enc.timeUnit) def.timeUnit = `utc${enc.timeUnit}`;
    else def.scale = { type: 'utc' };
    const fmt = enc.timeUnit ? TIME_FORMAT[enc.timeUnit] : '%d/%m/%Y';
    if (opts.axis) {
      if (enc.timeUnit) def.axis = { format: fmt };
    } else def.format = fmt;
    return def;
  }
  def.type = enc.type;
  if (enc.timeUnit) {
    // A truncated date used as a category (one bar per year): labelled like a date, not an ISO string.
    def.timeUnit = `utc${enc.timeUnit}`;
    if (opts.axis) def.axis = { format: TIME_FORMAT[enc.timeUnit] };
    else def.format = TIME_FORMAT[enc.timeUnit];
  }
  return def;
}

function sortOf(enc: Encoding): unknown {
  if (enc.sort === undefined) return undefined;
  return enc.sort;
}

function tooltipDefs(p: Plan, m: ChartMessages, extra: Item[] = []): Record<string, unknown>[] {
  const shown = p.tooltips.length ? p.tooltips : [...p.items.values(), ...extra];
  return shown.map((it) => {
    const d = fieldDef(it, m);
    delete d.scale;
    delete d.bin;
    delete d.axis;
    return d;
  });
}

function encodingFor(spec: ChartSpec, p: Plan, m: ChartMessages): Record<string, unknown> {
  const enc: Record<string, unknown> = {};
  const cat = categoryChannel(p);
  for (const [ch, it] of p.items) {
    const positional = ch === 'x' || ch === 'y';
    const def = fieldDef(it, m, { axis: positional });
    if (ch === 'theta') {
      def.stack = true;
      delete def.axis;
    }
    if (ch === 'color' || ch === 'size' || ch === 'opacity' || ch === 'shape') {
      if (def.type === 'quantitative') def.legend = { format: numberFormat(it) };
      if (ch === 'color') {
        if (def.type === 'nominal') def.scale = { range: OKABE_ITO };
        else def.scale = { scheme: SEQUENTIAL_SCHEME };
      }
    }
    if (it.end) enc[`${ch}2`] = { field: it.end };
    const explicit = sortOf(it.enc);
    if (explicit !== undefined) def.sort = explicit;
    else if (it === cat && (ch === 'x' || ch === 'y') && spec.mark === 'bar' && it.enc.type === 'nominal') {
      // Datawrapper's default: bars ranked by their value, largest first.
      const other = ch === 'x' ? 'y' : 'x';
      if (p.items.get(other)?.measure) def.sort = `-${other}`;
    }
    if (it.measure && it.enc.stack !== undefined) def.stack = it.enc.stack;
    enc[ch] = def;
  }
  if (spec.mark === 'arc' && p.items.get('theta')) enc.order = { field: 'theta', sort: 'descending' };
  enc.tooltip = tooltipDefs(p, m);
  return enc;
}

function sourceLine(spec: ChartSpec, table: TableEntry, m: ChartMessages): string {
  if (spec.sourceLine !== undefined) return spec.sourceLine;
  const src = table.source;
  return m.source({
    table: table.name,
    ...(src?.fileName ? { file: src.fileName } : {}),
    ...(src?.importedAt ? { date: frenchDate(src.importedAt) } : {}),
  } as { table: string; file?: string; date?: string });
}

const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  locale: { number: FR_FORMAT_LOCALE, time: FR_TIME_LOCALE },
  view: { stroke: null },
  background: '#ffffff',
  padding: 12,
  title: { anchor: 'start', fontSize: 18, fontWeight: 'bold', subtitleFontSize: 13, subtitleColor: '#555555', offset: 12 },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: 'normal',
    titleColor: '#333333',
    labelColor: '#333333',
    labelLimit: 220,
    gridColor: '#e6e6e6',
    domainColor: '#888888',
    tickColor: '#888888',
  },
  axisBand: { grid: false },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 220 },
  header: { labelFontSize: 12, titleFontSize: 13 },
  range: { category: OKABE_ITO, heatmap: { scheme: SEQUENTIAL_SCHEME }, ramp: { scheme: SEQUENTIAL_SCHEME } },
  mark: { color: OKABE_ITO[0] },
  bar: { color: OKABE_ITO[0] },
  line: { color: OKABE_ITO[0], strokeWidth: 2 },
  area: { color: OKABE_ITO[0] },
  point: { color: OKABE_ITO[0], filled: true },
  tick: { color: OKABE_ITO[0] },
  text: { fontSize: 12 },
} as const;

/** Areas without data stay on the map, in light grey, instead of vanishing. */
function mapColor(title: string, format: string): Record<string, unknown> {
  return {
    field: 'color',
    type: 'quantitative',
    title,
    scale: { scheme: SEQUENTIAL_SCHEME, zero: true },
    legend: { format },
    condition: { test: 'datum.color === null', value: NO_DATA_COLOR },
  };
}

const NO_DATA_COLOR = '#e6e6e6';

function mainSpec(spec: ChartSpec, p: Plan, m: ChartMessages): VlSpec {
  const data = { name: DATASET };
  const size = { ...(spec.width ? { width: spec.width } : {}), ...(spec.height ? { height: spec.height } : {}) };
  const map = spec.map;
  if (map?.kind === 'tiles') {
    const color = p.items.get('color');
    const colorTitle = color?.title ?? m.rows;
    const colorFormat = color ? numberFormat(color) : NUMBER_FORMAT.integer;
    const extra = p.tooltips
      .filter((t) => t.measure)
      .map((t) => ({ field: t.alias, type: 'quantitative', title: t.title, format: numberFormat(t) }));
    const domain = (n: number) => Array.from({ length: n }, (_, i) => i);
    return {
      data,
      width: { step: 56 },
      height: { step: 56 },
      encoding: {
        x: { field: 'col', type: 'ordinal', scale: { domain: domain(5), paddingInner: 0.08 }, axis: null },
        y: { field: 'row', type: 'ordinal', scale: { domain: domain(6), paddingInner: 0.08 }, axis: null },
      },
      layer: [
        {
          mark: { type: 'rect', cornerRadius: 3, invalid: 'show' },
          encoding: {
            color: mapColor(colorTitle, colorFormat),
            tooltip: [
              { field: 'label', type: 'nominal', title: m.arrondissementTitle },
              { field: 'color', type: 'quantitative', title: colorTitle, format: colorFormat },
              ...extra,
            ],
          },
        },
        {
          mark: { type: 'text', fontSize: 12, fontWeight: 'bold', color: '#1a1a1a' },
          // Labels say which tile is which: the layout is schematic, readers cannot guess from shapes.
          encoding: { text: { field: 'label' } },
        },
      ],
    };
  }
  if (map?.kind === 'choropleth') {
    const color = p.items.get('color');
    const colorTitle = color?.title ?? m.rows;
    const colorFormat = color ? numberFormat(color) : NUMBER_FORMAT.integer;
    return {
      data,
      ...size,
      projection: { type: 'mercator' },
      mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 1, invalid: 'show' },
      encoding: {
        color: mapColor(colorTitle, colorFormat),
        tooltip: [
          { field: 'key', type: 'nominal', title: spec.map?.kind === 'choropleth' ? spec.map.geoKey : '' },
          { field: 'color', type: 'quantitative', title: colorTitle, format: colorFormat },
        ],
      },
    };
  }
  if (map?.kind === 'points') {
    const enc = encodingFor(spec, p, m);
    delete enc.x;
    delete enc.y;
    return {
      data,
      ...size,
      projection: { type: 'mercator' },
      mark: { type: 'circle', opacity: 0.7, size: 20 },
      encoding: { ...enc, latitude: { field: 'latitude', type: 'quantitative' }, longitude: { field: 'longitude', type: 'quantitative' } },
    };
  }
  if (spec.mark === 'boxplot') {
    const y = boxValue(p)!;
    const horizontal = y.alias === 'x';
    const valueCh = horizontal ? 'x' : 'y';
    const catCh = horizontal ? 'y' : 'x';
    const cat = [...p.items.entries()].find(([ch, it]) => ch === catCh && !it.measure)?.[1];
    const fmt = numberFormat(y);
    const shared: Record<string, unknown> = {};
    if (cat)
      shared[catCh] = {
        ...fieldDef(cat, m, { axis: true }),
        ...(cat.enc.type === 'nominal' ? { sort: { field: 'median', order: 'descending' } } : {}),
      };
    const v = (field: string) => ({ field, type: 'quantitative', title: y.title, axis: { format: fmt }, scale: { zero: true } });
    const tips = ['lower', 'q1', 'median', 'q3', 'upper'].map((f, i) => ({
      field: f,
      type: 'quantitative',
      title: m.boxplot[i],
      format: fmt,
    }));
    const tooltip = [
      ...(cat ? [{ field: cat.alias, type: fieldDef(cat, m).type, title: cat.title }] : []),
      ...tips,
      { field: 'n', type: 'quantitative', title: m.rows, format: ',.0f' },
    ];
    return {
      data,
      ...size,
      encoding: shared,
      layer: [
        { mark: { type: 'rule', color: '#333333' }, encoding: { [valueCh]: v('lower'), [`${valueCh}2`]: { field: 'upper' }, tooltip } },
        {
          mark: { type: 'bar', size: 18, color: OKABE_ITO[0] },
          encoding: { [valueCh]: v('q1'), [`${valueCh}2`]: { field: 'q3' }, tooltip },
        },
        { mark: { type: 'tick', color: '#ffffff', size: 18, thickness: 2 }, encoding: { [valueCh]: v('median'), tooltip } },
      ],
    };
  }
  const markType = spec.mark;
  const mark: Record<string, unknown> = { type: markType };
  if (markType === 'arc') mark.innerRadius = 0;
  if (markType === 'point' && !p.aggregated) mark.opacity = 0.6;
  return { data, ...size, mark, encoding: encodingFor(spec, p, m) };
}

export function vegaLite(spec: ChartSpec, table: TableEntry, p: Plan, note: string | undefined, m: ChartMessages): VlSpec {
  const main = mainSpec(spec, p, m);
  const subtitle = [spec.subtitle, note].filter((s): s is string => !!s);
  const title = spec.title || subtitle.length ? { text: spec.title ?? '', ...(subtitle.length ? { subtitle } : {}) } : undefined;
  // Vega-Lite has one title; the source line goes under the chart as a text mark.
  const footer = {
    data: { values: [{}] },
    height: 16,
    view: { stroke: null },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 11, color: '#555555' },
    encoding: { text: { value: sourceLine(spec, table, m) }, x: { value: 0 }, y: { value: 0 } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(spec.description ? { description: spec.description } : {}),
    ...(title ? { title } : {}),
    datasets: { [DATASET]: [] },
    vconcat: [main, footer],
    spacing: 8,
    config: CONFIG,
  };
}

export function withValues(vl: VlSpec, values: Record<string, unknown>[]): VlSpec {
  return { ...vl, datasets: { ...(vl.datasets as Record<string, unknown>), [DATASET]: values } };
}
