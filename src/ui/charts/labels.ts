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

export function typeLabel(type: FieldType): string {
  return t(`charts.type.${type}` as MessageKey);
}

export function shelfLabel(s: Shelf): string {
  return t(`charts.shelf.${s}` as MessageKey);
}

export function markLabel(m: Mark): string {
  return t(`charts.mark.${m}` as MessageKey);
}

export function aggregateLabel(a: Aggregate): string {
  return t(`charts.agg.${a}` as MessageKey);
}

export function timeUnitLabel(u: TimeUnit): string {
  return t(`charts.unit.${u}` as MessageKey);
}

export function sortLabel(s: string): string {
  return t(`charts.sort.${s}` as MessageKey);
}
