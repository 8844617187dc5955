// French formats and HTML escaping for reports and citations: one place, so a report, a citation
// and a snippet pasted in a note all print 1 234,56 € and 15/03/2023 the same way.
import { isIntegerType, isTimestampType, isZonedTimestampType } from '../sql/types.ts';
import { numberFormat } from '../util/numbers.ts';

const eur = numberFormat({ style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const num = numberFormat({ maximumFractionDigits: 2 });
const intNoGroup = numberFormat({ maximumFractionDigits: 0, useGrouping: false });
// Dates and times are shown in the reader's own time zone, named: the app and the report say the same
// « 02/12/2026 14:05:03 UTC+1 » for the same instant (a report once said Paris time while the app said
// the machine's — one hour apart). The CLI and a report made for elsewhere can name another zone.
const fmtCache = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

/** The runtime's time zone (the browser's, the machine's for the CLI), as the app shows times. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function fmts(timeZone: string) {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat('fr-FR', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }),
      time: new Intl.DateTimeFormat('fr-FR', {
        timeZone,
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
      }),
    };
    fmtCache.set(timeZone, f);
  }
  return f;
}

/** Every character that could open a tag, an attribute or an entity. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** 1 234,56 € (narrow no-break space between thousands, no-break space before €, as fr-FR prints). */
export function formatEuro(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : eur.format(n);
}

export function formatNumber(n: number): string {
  return num.format(n);
}

/** dd/mm/yyyy: a date-only ISO string is taken as it is; an instant is shown in the given (default: local) zone. */
export function formatDate(iso: string | null | undefined, timeZone = localTimeZone()): string {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmts(timeZone).date.format(t);
}

/** An instant with its zone: « 02/12/2026 14:05:03 UTC+1 », the app's format (src/i18n/format.ts). */
export function formatDateTime(iso: string | null | undefined, timeZone = localTimeZone()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmts(timeZone).time.format(t);
}

/** A TIMESTAMP without zone is a wall-clock reading: shown as written, as the grid shows it, never shifted. */
export function formatWallClock(iso: string): string {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)/.exec(iso);
  if (!m) return iso;
  const time = m[4]!.replace(/\.0+$/, '');
  return `${m[3]}/${m[2]}/${m[1]} ${time}`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1024) return `${intNoGroup.format(n)} o`;
  if (n < 1024 * 1024) return `${num.format(n / 1024)} Ko`;
  return `${num.format(n / 1024 / 1024)} Mo`;
}

/** A cell of a frozen snapshot, as text: numbers and dates in French, nested values as JSON. */
export function formatCell(v: unknown, type = '', timeZone = localTimeZone()): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return isIntegerType(type) && Math.abs(v) < 1e4 ? intNoGroup.format(v) : num.format(v);
  if (typeof v === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && isTimestampType(type)) {
      return isZonedTimestampType(type) ? formatDateTime(v, timeZone) : formatWallClock(v);
    }
    return v;
  }
  if (typeof v === 'boolean') return v ? 'oui' : 'non';
  return JSON.stringify(v);
}

/** Text typed by a user: paragraphs on blank lines, line breaks kept, everything escaped. */
export function paragraphs(text: string): string {
  const parts = text
    .trim()
    .split(/\n\s*\n/)
    .filter((p) => p.trim());
  return parts.map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`).join('\n');
}
