// Numbers for reading, not as computed: a centroid is a place (5–6 decimals is a tenth of a metre),
// a mean or a chi-square a measure (a few significant digits), a rate a percentage, a year and a
// code as written. One formatter for the key figures, profiles, charts and summaries, French by
// default. Values read from a file keep their own display (the grid shows the stored amount); this
// is for values the app computed, whose 15 digits are float noise, not information.

export type NumberKind =
  /** Whatever its magnitude: 4 significant digits, never rounding the integer part (1 235, 23,18, 0,001234). */
  | 'measure'
  /** A count of rows or of items: an integer with thousands separators. */
  | 'count'
  /** Money: at most 2 decimals. */
  | 'amount'
  /** Longitude or latitude in degrees: 6 decimals at most (≈ 0,1 m). */
  | 'coordinate'
  /** A share between 0 and 1, shown as a percentage with one decimal (12,5 %). */
  | 'rate'
  /** Years and codes: digits as written, no thousands separator. */
  | 'code';

export type NumberLocale = 'fr' | 'en';

const cache = new Map<string, Intl.NumberFormat>();

/**
 * The one place a number format is built: French (fr-FR: narrow no-break space between thousands,
 * decimal comma, « 12,5 % », « 1 234,56 € ») unless English is asked for. Formats are cached by their
 * options — building one costs far more than formatting with it.
 */
export function numberFormat(opts: Intl.NumberFormatOptions = {}, locale: NumberLocale = 'fr'): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', opts);
    cache.set(key, f);
  }
  return f;
}
const nf = (locale: NumberLocale, opts: Intl.NumberFormatOptions) => numberFormat(opts, locale);

/** Decimals that keep `significant` significant digits without rounding the integer part. */
export function decimalsFor(n: number, significant = 4, max = 10): number {
  const a = Math.abs(n);
  if (a === 0 || !Number.isFinite(a)) return 0;
  const magnitude = Math.floor(Math.log10(a));
  return Math.min(max, Math.max(0, significant - 1 - magnitude));
}

export function formatDisplayNumber(n: number, kind: NumberKind = 'measure', locale: NumberLocale = 'fr'): string {
  if (Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  switch (kind) {
    case 'count':
      return nf(locale, { maximumFractionDigits: 0 }).format(n);
    case 'code':
      return Number.isInteger(n) ? nf(locale, { maximumFractionDigits: 0, useGrouping: false }).format(n) : String(n);
    case 'amount':
      return nf(locale, { maximumFractionDigits: 2 }).format(n);
    case 'coordinate':
      return nf(locale, { maximumFractionDigits: 6 }).format(n);
    case 'rate': {
      const pct = n * 100;
      return `${nf(locale, { maximumFractionDigits: Math.abs(pct) < 1 && pct !== 0 ? decimalsFor(pct, 2, 4) : 1 }).format(pct)}${locale === 'fr' ? '\u202f%' : '%'}`;
    }
    case 'measure':
      if (Number.isInteger(n)) return nf(locale, { maximumFractionDigits: 0 }).format(n);
      return nf(locale, { maximumFractionDigits: decimalsFor(n) }).format(n);
  }
}

const COORDINATE =
  /(^|[_\s.-])(lat|lon|lng|latitude|longitude|centroid|centroide|centroid_lon|centroid_lat)($|[_\s.-])|^(x|y)$|geo_?point/i;
const RATE = /(^|[_\s.-])(rate|ratio|share|part|taux|percent|pourcentage|proportion|coverage)($|[_\s.-])|Rate$|Share$|Ratio$/;
const COUNT =
  /(^|[_\s.-])(n|nb|count|nombre|rows|lignes|excluded|df|total_rows)($|[_\s.-])|^n[A-Z]|Count$|^(count|rows|matched|unmatched|excluded|flagged|df)$/;
const AMOUNT = /montant|amount|budget|euros?\b|€|sum$|voted|paid|credits|allocated|executed|threshold|variance$|^total$/i;
const CODE = /(^|[_\s.-])(year|annee|exercice|edition|code|siret|siren|insee)($|[_\s.-])|Year$/i;

/**
 * The kind of a computed number from its name (a key of an operation's detail, a column name):
 * `centroid_lon` is a coordinate, `matchRate` a rate, `n` a count; anything else a measure.
 */
export function kindOfName(name: string): NumberKind {
  if (COORDINATE.test(name)) return 'coordinate';
  if (CODE.test(name)) return 'code';
  if (RATE.test(name)) return 'rate';
  if (COUNT.test(name)) return 'count';
  if (AMOUNT.test(name)) return 'amount';
  return 'measure';
}

/** A computed number under its name, formatted for reading; a rate outside [0, 1] is not a share. */
export function formatNamedNumber(name: string, n: number, locale: NumberLocale = 'fr'): string {
  let kind = kindOfName(name);
  if (kind === 'rate' && (n < 0 || n > 1)) kind = 'measure';
  if (kind === 'count' && !Number.isInteger(n)) kind = 'measure';
  if (kind === 'code' && !Number.isInteger(n)) kind = 'measure';
  return formatDisplayNumber(n, kind, locale);
}
