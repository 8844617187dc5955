// What a check looked at before its headline: rows read, rows it could use, and what it set aside
// and why. A reviewer attacks the denominator first, so every check carries one of these in its
// detail and prints `populationLine` before any rate; `rateOver` refuses a rate over too little.
import { count, percent } from '../budget/format.ts';

export interface SetAside {
  /** Why these rows were not used (« statut inconnu », « date illisible », « code sans correspondance »). */
  reason: string;
  rows: number;
  /** A few of the values the check did not understand, as they appear in the source. */
  examples?: string[];
}

export interface Population {
  /** Rows the check read from its input(s). */
  read: number;
  /** Rows the headline is computed over (matched, classified). */
  used: number;
  /** What « used » means for this check: « classées », « rapprochées », « datées »… */
  usedLabel: string;
  setAside: SetAside[];
}

export function population(read: number, used: number, usedLabel: string, setAside: SetAside[] = []): Population {
  return { read, used, usedLabel, setAside: setAside.filter((s) => s.rows > 0) };
}

/** « 1 214 lignes lues, 1 163 classées (95,8 %) ; mis de côté : 51 statut inconnu (« ??? », « X ») ». */
export function populationLine(p: Population): string {
  const share = p.read > 0 ? ` (${percent(p.used / p.read)})` : '';
  let s = `${count(p.read)} ligne${p.read === 1 ? '' : 's'} lue${p.read === 1 ? '' : 's'}, ${count(p.used)} ${p.usedLabel}${share}`;
  if (p.setAside.length) {
    s +=
      ' ; mis de côté : ' +
      p.setAside
        .map(
          (a) =>
            `${count(a.rows)} ${a.reason}${
              a.examples?.length
                ? ` (${a.examples
                    .slice(0, 5)
                    .map((e) => `« ${e} »`)
                    .join(', ')})`
                : ''
            }`,
        )
        .join(', ');
  }
  return s;
}

export interface Rate {
  value: number | null;
  /** Why no rate was given, when value is null. */
  refused?: string;
}

/**
 * A rate only when its denominator is real: at least `minCount` items, and (when `coverage` is given)
 * at least `minCoverage` of the population behind it. Otherwise null with the reason, never 0 or 100 %.
 */
export function rateOver(
  numerator: number,
  denominator: number,
  opts: { minCount?: number; coverage?: number; minCoverage?: number } = {},
): Rate {
  const minCount = opts.minCount ?? 1;
  if (denominator < minCount || denominator <= 0) {
    return { value: null, refused: `aucun taux : ${denominator <= 0 ? 'rien à rapporter' : `${count(denominator)} élément(s) seulement`}` };
  }
  if (opts.coverage !== undefined && opts.coverage < (opts.minCoverage ?? 0.5)) {
    return { value: null, refused: `aucun taux : seulement ${percent(opts.coverage)} de la population rapprochée` };
  }
  return { value: numerator / denominator };
}

/** « 69,4 % » or the reason it was refused. */
export function rateText(r: Rate): string {
  return r.value === null ? (r.refused ?? '—') : percent(r.value);
}
