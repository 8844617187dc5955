// Dates as whole days since 1970-01-01 (UTC), so no time zone or clock can move them.
export type Day = number;

const MS_PER_DAY = 86_400_000;

export function day(year: number, month: number, date: number): Day {
  return Math.round(Date.UTC(year, month - 1, date) / MS_PER_DAY);
}

function parts(d: Day): { y: number; m: number; d: number } {
  const dt = new Date(d * MS_PER_DAY);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function yearOf(d: Day): number {
  return parts(d).y;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(d: Day): number {
  return new Date(d * MS_PER_DAY).getUTCDay();
}

/** Moves a weekend day to the following Monday: payments and awards happen on working days. */
export function workingDay(d: Day): Day {
  const w = weekday(d);
  return w === 6 ? d + 2 : w === 0 ? d + 1 : d;
}

/** The first given weekday on or after `d`. */
export function nextWeekday(d: Day, wd: number): Day {
  return d + ((wd - weekday(d) + 7) % 7);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** dd/mm/yyyy, as the Paris portal's CSV exports print dates. */
export function frDate(d: Day): string {
  const p = parts(d);
  return `${pad(p.d)}/${pad(p.m)}/${p.y}`;
}

/** yyyy-mm-dd, as the portal's JSON exports print dates. */
export function isoDate(d: Day): string {
  const p = parts(d);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}
