// French number and date formats for Vega (d3-format / d3-time-format locale definitions), the
// colour-blind-safe palette and the texts the chart compiler writes, in French and English.
import type { Aggregate } from './spec.ts';
import { numberFormat } from '../util/numbers.ts';

/** d3-format locale for fr-FR: `1 234,5 €`, `12,5 %` (narrow no-break spaces, as the Imprimerie nationale asks). */
export const FR_FORMAT_LOCALE = {
  decimal: ',',
  thousands: '\u202f',
  grouping: [3],
  currency: ['', '\u00a0€'] as [string, string],
  percent: '\u202f%',
};

/** d3-time-format locale for fr-FR: `janv. 2024`, `5 mars 2024`. */
export const FR_TIME_LOCALE = {
  dateTime: '%A %e %B %Y à %X',
  date: '%d/%m/%Y',
  time: '%H:%M:%S',
  periods: ['AM', 'PM'] as [string, string],
  days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
  shortDays: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
  months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  shortMonths: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
};

/**
 * Okabe & Ito's eight colours, distinguishable with the common colour-vision deficiencies
 * (Tableau10 is not). Blue first: it is the single-series colour.
 */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Sequential scheme for heatmaps and maps: one hue, readable in greyscale and by colour-blind readers. */
export const SEQUENTIAL_SCHEME = 'blues';

export interface ChartMessages {
  aggregate: Record<Aggregate, (label: string) => string>;
  rows: string;
  sample: (shown: number, total: number) => string;
  topGroups: (shown: number, total: number) => string;
  topCategories: (shown: number, total: number) => string;
  source: (parts: { table: string; file?: string; date?: string }) => string;
  /** Texts written on cyclic time axes. */
  months: readonly string[];
  weekdays: readonly string[];
  quarter: (n: string) => string;
  /** Tile-map labels, e.g. `11e`. */
  arrondissement: (n: number) => string;
  noData: string;
  /** Tooltip titles of the tile map and of box plots. */
  arrondissementTitle: string;
  boxplot: readonly [min: string, q1: string, median: string, q3: string, max: string];
}

const frNumber = numberFormat({}, 'fr');
const enNumber = numberFormat({}, 'en');

export const FR_MESSAGES: ChartMessages = {
  aggregate: {
    count: () => 'Nombre de lignes',
    sum: (l) => `Somme de ${l}`,
    mean: (l) => `Moyenne de ${l}`,
    median: (l) => `Médiane de ${l}`,
    min: (l) => `Minimum de ${l}`,
    max: (l) => `Maximum de ${l}`,
    distinct: (l) => `Nombre de valeurs distinctes de ${l}`,
  },
  rows: 'Nombre de lignes',
  sample: (s, t) => `Échantillon de ${frNumber.format(s)} points sur ${frNumber.format(t)}`,
  topGroups: (s, t) => `${frNumber.format(s)} premiers groupes sur ${frNumber.format(t)}, par valeur décroissante`,
  topCategories: (s, t) => `${frNumber.format(s)} premières catégories sur ${frNumber.format(t)}, par total décroissant`,
  source: ({ table, file, date }) => `Source : ${[table, file, date ? `importé le ${date}` : undefined].filter(Boolean).join(', ')}`,
  months: FR_TIME_LOCALE.shortMonths,
  weekdays: ['lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.', 'dim.'],
  quarter: (n) => `T${n}`,
  arrondissement: (n) => (n === 1 ? '1er' : `${n}e`),
  noData: 'Pas de donnée',
  arrondissementTitle: 'Arrondissement',
  boxplot: ['Minimum', '1er quartile', 'Médiane', '3e quartile', 'Maximum'],
};

export const EN_MESSAGES: ChartMessages = {
  aggregate: {
    count: () => 'Number of rows',
    sum: (l) => `Sum of ${l}`,
    mean: (l) => `Mean of ${l}`,
    median: (l) => `Median of ${l}`,
    min: (l) => `Minimum of ${l}`,
    max: (l) => `Maximum of ${l}`,
    distinct: (l) => `Distinct values of ${l}`,
  },
  rows: 'Number of rows',
  sample: (s, t) => `Sample of ${enNumber.format(s)} points out of ${enNumber.format(t)}`,
  topGroups: (s, t) => `First ${enNumber.format(s)} groups out of ${enNumber.format(t)}, by decreasing value`,
  topCategories: (s, t) => `Top ${enNumber.format(s)} categories out of ${enNumber.format(t)}, by decreasing total`,
  source: ({ table, file, date }) => `Source: ${[table, file, date ? `imported on ${date}` : undefined].filter(Boolean).join(', ')}`,
  months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  quarter: (n) => `Q${n}`,
  arrondissement: (n) => (n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`),
  noData: 'No data',
  arrondissementTitle: 'Arrondissement',
  boxplot: ['Minimum', 'First quartile', 'Median', 'Third quartile', 'Maximum'],
};

/** dd/mm/yyyy in Paris time, for the source line. */
export function frenchDate(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}
