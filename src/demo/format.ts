// Writers that mimic Opendatasoft exports: `;`, UTF-8 with BOM, decimal comma, CRLF line ends.
export const BOM = '\ufeff';

/** Money held as integer cents and printed with a decimal comma, trailing zeros dropped like the portal does. */
export function money(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`montant non entier en centimes : ${cents}`);
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100);
  const rest = abs % 100;
  let s = String(euros);
  if (rest !== 0) s += ',' + (rest % 10 === 0 ? String(rest / 10) : String(rest).padStart(2, '0'));
  return neg ? '-' + s : s;
}

export type Cell = string | number | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[";\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export interface CsvOptions {
  lineEnd?: '\r\n' | '\n';
  bom?: boolean;
}

export function csv(header: readonly string[], rows: readonly (readonly Cell[])[], opts: CsvOptions = {}): string {
  const eol = opts.lineEnd ?? '\r\n';
  const lines = [header.map(cell).join(';')];
  for (const r of rows) {
    if (r.length !== header.length) throw new Error(`ligne de ${r.length} cellules pour ${header.length} colonnes`);
    lines.push(r.map(cell).join(';'));
  }
  return (opts.bom === false ? '' : BOM) + lines.join(eol) + eol;
}
