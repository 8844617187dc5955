// Labels of shelves, marks, types and options, from the i18n catalogue; the keyboard keys of shelves.
import type { Shelf } from '../../core/viz/builder.ts';
import type { Aggregate, FieldType, Mark, TimeUnit } from '../../core/viz/spec.ts';
import { t, type MessageKey } from '../../i18n/index.ts';

/** Letter keys that place the focused field (shown in the shelves' labels). */
export const SHELF_KEYS: Record<string, Shelf> = {
  x: 'x',
  y: 'y',
  c: 'color',
  s: 'size',
  h: 'shape',
  o: 'opacity',
  r: 'row',
  k: 'column',
  a: 'theta',
  t: 'tooltip',
  d: 'detail',
};

export const KEY_OF_SHELF = Object.fromEntries(Object.entries(SHELF_KEYS).map(([k, s]) => [s, k])) as Record<Shelf, string>;

export const TYPE_ICON: Record<FieldType, string> = { quantitative: '#', nominal: 'Abc', ordinal: '1·2', temporal: '◷' };

// Each label is the catalogue entry named after its value, under the family's prefix.
const labelIn =
  <V extends string>(prefix: string) =>
  (v: V): string =>
    t(`${prefix}.${v}` as MessageKey);

export const typeLabel = labelIn<FieldType>('charts.type');
export const shelfLabel = labelIn<Shelf>('charts.shelf');
export const markLabel = labelIn<Mark>('charts.mark');
export const aggregateLabel = labelIn<Aggregate>('charts.agg');
export const timeUnitLabel = labelIn<TimeUnit>('charts.unit');
export const sortLabel = labelIn<string>('charts.sort');
