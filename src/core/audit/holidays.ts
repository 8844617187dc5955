// French public holidays (métropole), for the weekend/holiday test. Computed in JS for the years
// present in the data and handed to SQL as a VALUES table: there is no Easter function in DuckDB.

/** Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

function iso(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}

/** The eleven public holidays of a year in metropolitan France (Alsace-Moselle's two extra days are not included). */
export function frenchHolidays(year: number): { date: string; label: string }[] {
  const e = easterSunday(year);
  const plus = (days: number) => iso(year, e.month, e.day + days);
  return [
    { date: iso(year, 1, 1), label: 'Jour de l’an' },
    { date: plus(1), label: 'Lundi de Pâques' },
    { date: iso(year, 5, 1), label: 'Fête du Travail' },
    { date: iso(year, 5, 8), label: 'Victoire 1945' },
    { date: plus(39), label: 'Ascension' },
    { date: plus(50), label: 'Lundi de Pentecôte' },
    { date: iso(year, 7, 14), label: 'Fête nationale' },
    { date: iso(year, 8, 15), label: 'Assomption' },
    { date: iso(year, 11, 1), label: 'Toussaint' },
    { date: iso(year, 11, 11), label: 'Armistice 1918' },
    { date: iso(year, 12, 25), label: 'Noël' },
  ].sort((x, y) => x.date.localeCompare(y.date));
}

/** A SQL VALUES table (jour DATE, libelle VARCHAR) of the holidays between two years. */
export function holidaysValuesSql(fromYear: number, toYear: number): string {
  const rows: string[] = [];
  for (let y = fromYear; y <= toYear; y++)
    for (const h of frenchHolidays(y)) rows.push(`(DATE '${h.date}', '${h.label.replaceAll("'", "''")}')`);
  return rows.length
    ? `(SELECT * FROM (VALUES ${rows.join(', ')}) AS f(jour, libelle))`
    : `(SELECT NULL::DATE AS jour, NULL::VARCHAR AS libelle WHERE FALSE)`;
}
