// The benchmark's figures: one record that every bench module fills in, printed last as one JSON line
// so a later benchmark only adds keys (and CI can parse the last line of `npm run bench`).
export type Figure = number | string | boolean | null;

export const figures: Record<string, Figure> = {};

export function setFigure(key: string, value: Figure): void {
  figures[key] = value;
}

/** a / b rounded to 2 decimals, null when either side is missing. */
export function ratio(a: Figure | undefined, b: Figure | undefined): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number): number => Math.round(x);

export function printFiguresLine(): void {
  console.log(JSON.stringify(figures));
}

/**
 * Suite cases named `*_setup` / `*_cleanup` prepare or clear data: run once on each side, and not figures.
 * `grid_window_first` is a figure run once: its first run's copy of the view is kept for the next windows,
 * and at 5M rows a second copy beside it does not fit in the wasm heap (« Out of Memory », 3.1 GiB).
 */
export const runsOnce = (name: string): boolean => /_(setup|cleanup)$|^grid_window_first$/.test(name);
