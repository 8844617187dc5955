// Sorting by clicks on headers: a click cycles one column asc → desc → none; shift-click keeps the
// other keys and adds (or cycles) this one, so "direction, then amount descending" is two clicks.
import type { OrderBy } from '../../../core/explore/window.ts';

export function cycleSort(order: readonly OrderBy[], column: string, additive: boolean): OrderBy[] {
  const current = order.find((o) => o.column === column);
  // none → asc → desc → none
  const next: OrderBy | null = !current ? { column } : !current.desc ? { column, desc: true } : null;
  if (!additive) return next ? [next] : [];
  if (!current) return [...order, next!];
  return next ? order.map((o) => (o.column === column ? next : o)) : order.filter((o) => o.column !== column);
}

/** Where a column stands in the order: its rank (1-based) and direction, or null when unsorted. */
export function sortKeyOf(order: readonly OrderBy[], column: string): { rank: number; desc: boolean } | null {
  const i = order.findIndex((o) => o.column === column);
  return i < 0 ? null : { rank: i + 1, desc: !!order[i]!.desc };
}
