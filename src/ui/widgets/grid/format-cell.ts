// How one value looks in a cell. NULL and empty text look different: an auditor must tell them apart.
import { formatCode, formatDate, formatDecimal, formatNumber, formatTimestamp } from '../../../i18n/format.ts';
import { formatDisplayNumber } from '../../../core/util/numbers.ts';
import type { GridColumn } from './grid-state.svelte.ts';

export type CellDisplay =
  | { type: 'loading' }
  | { type: 'null' }
  | { type: 'empty' }
  | { type: 'value'; text: string; numeric: boolean }
  | { type: 'boolean'; value: boolean };

/** Longitudes and latitudes (a GeoJSON's computed centroids, a file's lat/lon) need 6 decimals, not 15. */
const COORDINATE = /(^|_)(lat|lon|lng|latitude|longitude)$|^centroid_(lat|lon)$/i;
/** Statistics the analyses compute (an outlier test's mean, standard deviation and z): 4 significant digits. */
const STATISTIC = /^(moyenne|mean|avg|ecart_type|stddev|sd|z|zscore|z_score|mediane|median|q1|q3|eiq|iqr|ecart_pct)$/i;

export function displayCell(value: unknown, col: Pick<GridColumn, 'kind' | 'scale' | 'code'> & { name?: string }): CellDisplay {
  const kind = col.kind;
  if (value === undefined) return { type: 'loading' };
  if (value === null) return { type: 'null' };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (typeof value === 'number') {
    const text = col.code
      ? formatCode(value)
      : col.scale !== null && Number.isFinite(value)
        ? formatDecimal(value, col.scale)
        : col.name && COORDINATE.test(col.name)
          ? formatDisplayNumber(value, 'coordinate')
          : col.name && STATISTIC.test(col.name)
            ? formatDisplayNumber(value, 'measure')
            : formatNumber(value);
    return { type: 'value', text, numeric: true };
  }
  const s = String(value);
  if (s === '') return { type: 'empty' };
  if (kind === 'date') return { type: 'value', text: formatDate(s), numeric: false };
  if (kind === 'timestamp') return { type: 'value', text: formatTimestamp(s), numeric: false };
  return { type: 'value', text: s, numeric: false };
}
