// CSV/TSV into a table with DuckDB's own reader, so a big file is never parsed in JavaScript (only a
// Windows-1252 file is, to convert it). Every rejected line is counted and located; the options
// finally used, column types included, are returned so a reopen reads the file the same way.
import type { z } from 'zod';
import type { RejectedLine } from '../catalog/catalog.ts';
import { registeredName, type Engine } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral, uniqueIdentifiers } from '../sql/ident.ts';
import { isIntegerType, isNumericType, isTextType } from '../sql/types.ts';
import { lineNumbersAt, transcodeToUtf8 } from './encoding.ts';
import { isCodeName, PLACE_CODE_SQL, PLACE_NAME } from './codes.ts';
import { scanQuotes, strayQuoteText, type QuoteScan } from './quotes.ts';

export { isCodeName } from './codes.ts';
import { CsvOptions, PartialCsvOptions, sniffCsv, type CsvSniff } from './sniff.ts';
import { IngestError, type Reader, type ReaderContext } from './types.ts';
import '../util/zod-fr.ts';

export { CsvOptions, sniffCsv, type CsvSniff } from './sniff.ts';

/** Rows DuckDB reads to choose column types; the whole file would cost a second full read. */
export const TYPE_SAMPLE_ROWS = 20_000;
const REJECT_SAMPLE = 100;

type Dialect = Omit<CsvOptions, 'columnTypes' | 'datePrecision' | 'groupedNumbers'>;

function dialectSql(o: Dialect): string {
  const parts = [
    `delim=${quoteLiteral(o.delimiter)}`,
    `quote=${quoteLiteral(o.quote)}`,
    `escape=${quoteLiteral(o.escape)}`,
    `header=${o.header}`,
    `skip=${o.skipRows}`,
  ];
  if (o.decimalComma) parts.push(`decimal_separator=','`);
  if (o.dateFormat === 'dd/mm/yyyy') parts.push(`dateformat='%d/%m/%Y'`);
  if (o.dateFormat === 'mm/dd/yyyy') parts.push(`dateformat='%m/%d/%Y'`);
  return parts.join(', ');
}

function validated<T>(schema: z.ZodType<T>, raw: unknown, fileName: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || 'options'} : ${i.message}`).join(' ; ');
    throw new IngestError(`options CSV invalides (${why})`, fileName);
  }
  return r.data;
}

function labelWarnings(labels: string[], ids: string[]): string[] {
  const out: string[] = [];
  const byLabel = new Map<string, string[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), ids[i]!]));
  for (const [label, names] of byLabel) {
    if (label.trim() === '') out.push(`${names.length} colonne(s) sans nom dans l’en-tête : ${names.join(', ')}`);
    else if (names.length > 1) out.push(`l’en-tête « ${label} » apparaît ${names.length} fois : colonnes ${names.join(', ')}`);
  }
  return out;
}

/** The file readable by DuckDB under `name`, in UTF-8; `chunks` reads back what DuckDB reads. */
async function register(ctx: ReaderContext, name: string, encoding: CsvOptions['encoding']) {
  const { engine, file } = ctx;
  if (encoding === 'utf-8') {
    await file.registerIn(engine, name);
    return { chunks: () => file.chunks() };
  }
  ctx.onProgress?.({ fraction: 0, message: `Conversion de ${file.name} (${encoding}) en UTF-8` });
  const bytes = await transcodeToUtf8(file, encoding, (done, total) =>
    ctx.onProgress?.({ fraction: total ? done / total : null, message: `Conversion de ${file.name} (${encoding}) en UTF-8` }),
  );
  // Registering hands the buffer over to the engine; line numbers read it back from there.
  await engine.registerBuffer(name, bytes);
  return {
    async *chunks() {
      yield await engine.copyFileToBuffer(name);
    },
  };
}

async function detectTypes(engine: Engine, reg: string, dialect: Dialect, ids: string[], given: Record<string, string>) {
  const overrides = Object.entries(given).filter(([id]) => ids.includes(id));
  const types: Record<string, string> = {};
  try {
    const r = await engine.query(
      `DESCRIBE SELECT * FROM read_csv(${quoteLiteral(reg)}, ${dialectSql(dialect)}, ` +
        `names=[${ids.map(quoteLiteral).join(', ')}], ` +
        (overrides.length ? `types={${overrides.map(([id, t]) => `${quoteLiteral(id)}: ${quoteLiteral(t)}`).join(', ')}}, ` : '') +
        `sample_size=${TYPE_SAMPLE_ROWS}, ignore_errors=true)`,
    );
    for (const [name, type] of r.rows) types[String(name)] = String(type);
  } catch {
    // A sample DuckDB cannot type (e.g. one huge value) is read as text: nothing is lost that way.
  }
  return Object.fromEntries(
    ids.map((id) => {
      if (given[id]) return [id, given[id]];
      let t = types[id] ?? 'VARCHAR';
      if (t === 'NULL' || t === 'SQLNULL') t = 'VARCHAR';
      if (isNumericType(t) && isCodeName(id)) t = 'VARCHAR';
      return [id, t];
    }),
  ) as Record<string, string>;
}

// Amounts are read as DOUBLE, whose sums drift in the last bits and, summed by two threads in a
// varying order, need not give the same digest twice. A DOUBLE column whose every value has at most
// two decimals (|x| < 1e13, so x·100 stays an exact integer) is money: DECIMAL(18,2) holds it exactly
// and its sums are exact. Checked on the whole column, after the load, so nothing is ever rounded.
const EXACT_AMOUNT = 'DECIMAL(18,2)';
const AMOUNT_BOUND = 1e13;

const MONTH_RE = `'\\d{4}-(0[1-9]|1[0-2])'`;
const GROUP_SEPS = (decimalComma: boolean) => `[ \\x{00A0}\\x{202F}${decimalComma ? '.' : ''}]`;
// A file not separated by commas may still write its decimals with one (« 1 500,50 € ») where the
// sniffer saw no plain decimal: the comma is then a decimal separator, as everywhere in French.
function groupedRe(decimalComma: boolean): string {
  const sep = GROUP_SEPS(decimalComma);
  const dec = decimalComma ? ',' : '[.,]';
  return `'-?(\\d{1,3}(${sep}\\d{3})+|\\d+)(${dec}\\d+)?\\s*(€|EUR)?'`;
}
function groupedExpr(c: string, decimalComma: boolean): string {
  // With a decimal comma the dot groups thousands (1.500,00): it goes with the spaces.
  const stripped = `regexp_replace(trim(${c}), '${GROUP_SEPS(decimalComma)}|€|EUR', '', 'g')`;
  return `replace(${stripped}, ',', '.')`;
}
const MONTH_JS = /^\d{4}-(0[1-9]|1[0-2])$/;
const GROUP_MARK_JS = /[ \u00a0\u202f]\d{3}|€|EUR/;
function groupedJs(decimalComma: boolean): RegExp {
  const sep = `[ \u00a0\u202f${decimalComma ? '.' : ''}]`;
  return new RegExp(`^-?(\\d{1,3}(${sep}\\d{3})+|\\d+)(${decimalComma ? ',' : '[.,]'}\\d+)?\\s*(€|EUR)?$`);
}
const monthExpr = (c: string) => `CAST(strptime(NULLIF(trim(${c}), ''), '%Y-%m') AS DATE)`;

export interface Refined {
  sql: string[];
  warnings: string[];
  datePrecision: Record<string, 'month'>;
  groupedNumbers: string[];
}

/**
 * After the load, on whole columns: the conversions DuckDB's sniffer does not make. Auto-typed
 * columns only — a type the user gave is kept. `formats` are conversions a previous import recorded
 * (a reopen): their columns were read as text and are converted to `finalTypes` again, unchecked,
 * since the file is the same (its SHA-256 is checked before).
 */
async function refine(
  engine: Engine,
  table: string,
  columnTypes: Record<string, string>,
  given: Record<string, string>,
  formats: { datePrecision: Record<string, 'month'>; groupedNumbers: string[]; finalTypes: Record<string, string> },
  decimalComma: boolean,
  labelOf: (id: string) => string,
  /** The sniffed head, by column: only columns whose head could be months or grouped numbers are scanned whole. */
  head: (id: string) => string[],
): Promise<Refined> {
  const out: Refined = { sql: [], warnings: [], datePrecision: {}, groupedNumbers: [] };
  /** Column, its new type, and the expression (over the column as loaded) that gives its values. */
  const replace: { id: string; type: string; expr: string }[] = [];
  const has = (o: object, id: string) => Object.hasOwn(o, id);
  for (const id of Object.keys(formats.datePrecision)) {
    if (!has(columnTypes, id)) continue;
    replace.push({ id, type: 'DATE', expr: monthExpr(quoteIdent(id)) });
    columnTypes[id] = 'DATE';
    out.datePrecision[id] = 'month';
  }
  for (const id of formats.groupedNumbers) {
    const t = has(formats.finalTypes, id) ? formats.finalTypes[id] : undefined;
    if (!has(columnTypes, id) || !t) continue;
    replace.push({ id, type: t, expr: groupedExpr(quoteIdent(id), decimalComma) });
    columnTypes[id] = t;
    out.groupedNumbers.push(id);
  }
  const auto = Object.keys(columnTypes).filter(
    (id) => !has(given, id) && !has(formats.datePrecision, id) && !formats.groupedNumbers.includes(id),
  );
  const checks: { id: string; kind: 'amount' | 'place' | 'text'; expr: string }[] = [];
  for (const id of auto) {
    const c = quoteIdent(id);
    const t = columnTypes[id]!;
    if (t === 'DOUBLE') {
      checks.push({
        id,
        kind: 'amount',
        expr: `bool_and(${c} IS NULL OR (${c} = round(${c}, 2) AND abs(${c}) < ${AMOUNT_BOUND})) AND count(${c}) > 0`,
      });
    } else if (isIntegerType(t) && PLACE_NAME.test(id)) {
      checks.push({ id, kind: 'place', expr: `bool_and(${c} IS NULL OR ${PLACE_CODE_SQL(c)}) AND count(${c}) > 0` });
    } else if (isTextType(t)) {
      // Regular expressions over every value of every text column would cost more than the load on a
      // big file: a column is scanned only when its head holds a month or a grouped number (or nothing).
      const seen = head(id)
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const maybeMonth = !seen.length || seen.some((x) => MONTH_JS.test(x));
      const maybeGrouped =
        !isCodeName(id) && seen.length > 0 && seen.every((x) => groupedJs(decimalComma).test(x)) && seen.some((x) => GROUP_MARK_JS.test(x));
      if (!maybeMonth && !maybeGrouped) continue;
      const v = `NULLIF(trim(${c}), '')`;
      // Filled, months, grouped numbers, values with a separator or a currency, longest decimal part, a value that is not a month.
      const code = isCodeName(id);
      checks.push({
        id,
        kind: 'text',
        expr:
          `count(${v}), count(${v}) FILTER (WHERE regexp_full_match(${v}, ${MONTH_RE})), ` +
          (code
            ? `0, 0, 0, `
            : `count(${v}) FILTER (WHERE regexp_full_match(${v}, ${groupedRe(decimalComma)})), ` +
              `count(${v}) FILTER (WHERE regexp_matches(${v}, '${GROUP_SEPS(decimalComma)}\\d{3}|€|EUR')), ` +
              `coalesce(max(length(regexp_extract(${v}, '${decimalComma ? ',' : '[.,]'}(\\d+)\\s*(€|EUR)?$', 1))), 0), `) +
          `min(${v}) FILTER (WHERE NOT regexp_full_match(${v}, ${MONTH_RE}))`,
      });
    }
  }
  if (checks.length) {
    const r = await engine.query(`SELECT ${checks.map((k) => k.expr).join(', ')} FROM ${quoteIdent(table)}`);
    const row = r.rows[0] ?? [];
    let col = 0;
    for (const k of checks) {
      const c = quoteIdent(k.id);
      if (k.kind === 'amount' || k.kind === 'place') {
        if (row[col++] !== true) continue;
        const to = k.kind === 'amount' ? EXACT_AMOUNT : 'VARCHAR';
        replace.push({ id: k.id, type: to, expr: c });
        columnTypes[k.id] = to;
        continue;
      }
      const [filled, months, grouped, separated, decimals] = row.slice(col, col + 5).map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const notMonth = row[col + 5];
      col += 6;
      if (filled > 0 && months === filled) {
        replace.push({ id: k.id, type: 'DATE', expr: monthExpr(c) });
        columnTypes[k.id] = 'DATE';
        out.datePrecision[k.id] = 'month';
        out.warnings.push(`colonne « ${labelOf(k.id)} » : mois AAAA-MM lus comme des dates au 1er du mois (précision : le mois)`);
      } else if (months > 0 && months >= filled / 2) {
        out.warnings.push(
          `colonne « ${labelOf(k.id)} » : ${months} valeur(s) sur ${filled} sont des mois AAAA-MM, mais pas toutes (ex. « ${String(notMonth).slice(0, 60)} ») : laissée en texte`,
        );
      } else if (filled > 0 && grouped === filled && separated > 0) {
        const to = decimals === 0 ? 'BIGINT' : decimals <= 2 ? EXACT_AMOUNT : 'DOUBLE';
        // A value too large for the type stays text rather than failing the import.
        const fits = await engine.query(
          `SELECT count(*) FROM ${quoteIdent(table)} WHERE NULLIF(trim(${c}), '') IS NOT NULL AND TRY_CAST(${groupedExpr(c, decimalComma)} AS ${to}) IS NULL`,
        );
        if (Number(fits.rows[0]?.[0]) !== 0) continue;
        replace.push({ id: k.id, type: to, expr: groupedExpr(c, decimalComma) });
        columnTypes[k.id] = to;
        out.groupedNumbers.push(k.id);
        out.warnings.push(
          `colonne « ${labelOf(k.id)} » : nombres écrits avec des séparateurs de milliers (« 1 500 ») lus comme des nombres`,
        );
      }
    }
  }
  // An ALTER per column: DuckDB writes the new values of that column only and keeps the others as
  // loaded, where rewriting the table copied every column again (1M rows, 12 columns: ~10× the
  // cost of casting the one amount column). Same values: `USING` casts to the new type as CAST does.
  const t = quoteIdent(table);
  for (const r of replace) {
    const stmt = `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(r.id)} SET DATA TYPE ${r.type} USING ${r.expr}`;
    await engine.exec(stmt);
    out.sql.push(stmt);
  }
  return out;
}

interface RejectRow {
  line: number;
  pos: number;
  column: string | null;
  type: string;
  message: string;
}

function frenchMessage(r: RejectRow): string {
  let m: RegExpExecArray | null;
  if ((m = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(r.message))) {
    return `${m[2]} champ(s) au lieu de ${m[1]} (séparateur différent ou valeur mal découpée ?)`;
  }
  if ((m = /Could not convert string "(.*)" to '(.+)'/s.exec(r.message))) {
    return `valeur « ${m[1]!.slice(0, 200)} » illisible en ${m[2]} (colonne ${r.column ?? '?'})`;
  }
  if (r.type === 'INVALID ENCODING') return 'caractères invalides en UTF-8';
  if (r.type === 'LINE SIZE OVER MAXIMUM') return `ligne trop longue pour le lecteur CSV (${r.message})`;
  if (r.type === 'UNQUOTED VALUE') return 'texte après un guillemet fermant ou guillemet mal placé';
  return r.message;
}

async function readRejects(engine: Engine, table: string) {
  const t = quoteIdent(table);
  const count = Number((await engine.query(`SELECT count(DISTINCT line) FROM ${t}`)).rows[0]?.[0] ?? 0);
  if (!count) return { count, sample: [] as RejectRow[], casts: [] as RejectRow[], encoding: 0, open: null as RejectRow | null };
  const toRow = (r: unknown[]): RejectRow => ({
    line: Number(r[0]),
    pos: Number(r[1]),
    column: r[2] === null ? null : String(r[2]),
    type: String(r[3]),
    message: String(r[4]),
  });
  const cols = 'line, line_byte_position, column_name, CAST(error_type AS VARCHAR), error_message';
  const sample = (
    await engine.query(
      `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY line ORDER BY column_idx) AS k FROM ${t}) WHERE k = 1 ORDER BY line LIMIT ${REJECT_SAMPLE}`,
    )
  ).rows.map(toRow);
  const casts = (
    await engine.query(
      `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY column_name ORDER BY line) AS k FROM ${t} WHERE CAST(error_type AS VARCHAR) = 'CAST') WHERE k = 1`,
    )
  ).rows.map(toRow);
  const encoding = Number(
    (await engine.query(`SELECT count(*) FROM ${t} WHERE CAST(error_type AS VARCHAR) = 'INVALID ENCODING'`)).rows[0]?.[0] ?? 0,
  );
  const open =
    (await engine.query(`SELECT ${cols} FROM ${t} WHERE error_message ILIKE '%unterminated quote%' ORDER BY line LIMIT 1`)).rows.map(
      toRow,
    )[0] ?? null;
  return { count, sample, casts, encoding, open };
}

async function dropRejects(engine: Engine, ...tables: string[]) {
  for (const t of tables) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
}

/** A quoted value never closed: the reader would swallow the rest of the file into it. */
class OpenQuoteError extends IngestError {
  constructor(file: string, line: number) {
    super('guillemet ouvert jamais refermé : la suite du fichier serait lue comme une seule valeur', file, line);
  }
}

interface Loaded {
  sql: string;
  columnTypes: Record<string, string>;
  rejected: { count: number; sample: RejectedLine[] };
  warnings: string[];
  /** Lines refused because they are not UTF-8: the file may be in Windows-1252 after all. */
  invalidEncoding: number;
}

/** One load of the file with a given dialect: types, then the table, then the rejected lines. */
async function load(ctx: ReaderContext, dialect: Dialect, sniff: CsvSniff, ids: string[], given: Record<string, string>): Promise<Loaded> {
  const { engine, file, table } = ctx;
  const reg = registeredName(`${table}.source.csv`);
  // read_csv wants plain identifiers here: a table named "Dépenses 2024" must still load.
  const tag = table.replace(/[^A-Za-z0-9_]/g, '_');
  const rejects = `loupe_rejets_${tag}`;
  const scans = `loupe_rejets_scan_${tag}`;
  const src = await register(ctx, reg, dialect.encoding);
  const onAbort = () => void engine.cancel();
  ctx.signal?.addEventListener('abort', onAbort);
  try {
    ctx.onProgress?.({ fraction: null, message: `Détection des types de ${file.name}` });
    const columnTypes =
      sniff.preview.length === 0
        ? Object.fromEntries(ids.map((id) => [id, given[id] ?? 'VARCHAR']))
        : await detectTypes(engine, reg, dialect, ids, given);
    const warnings: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const columns = ids.map((id) => `${quoteLiteral(id)}: ${quoteLiteral(columnTypes[id]!)}`).join(', ');
      const sql =
        `CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteLiteral(reg)}, auto_detect=false, ` +
        `${dialectSql(dialect)}, columns={${columns}}, ` +
        `store_rejects=true, rejects_table=${quoteLiteral(rejects)}, rejects_scan=${quoteLiteral(scans)})`;
      ctx.onProgress?.({ fraction: null, message: `Chargement de ${file.name}` });
      await dropRejects(engine, rejects, scans);
      await engine.exec(sql);
      if (ctx.signal?.aborted) throw new IngestError('import annulé', file.name);
      const r = await readRejects(engine, rejects);
      const positions = [...r.sample, ...r.casts, ...(r.open ? [r.open] : [])].map((x) => x.pos);
      const lines = positions.length ? await lineNumbersAt(src.chunks(), positions) : new Map<number, number>();
      const lineOf = (x: RejectRow) => lines.get(x.pos) ?? x.line;
      if (r.open) {
        await engine.exec(`DROP TABLE ${quoteIdent(table)}`);
        throw new OpenQuoteError(file.name, lineOf(r.open));
      }
      // A value the sample did not foresee (text in a number column): the column becomes text
      // rather than losing the row. Types the user chose are kept, and their misfits rejected.
      const retype = r.casts.filter((c) => c.column && !given[c.column] && !isTextType(columnTypes[c.column] ?? ''));
      if (retype.length && attempt < 3) {
        for (const c of retype) {
          const label = sniff.labels[ids.indexOf(c.column!)] ?? c.column;
          // A decimal far down an integer column (1500 … 1500.5) widens it to DOUBLE; anything else is text.
          const value = /Could not convert string "(.*)" to/s.exec(c.message)?.[1]?.trim() ?? '';
          const decimal = (dialect.decimalComma ? /^[+-]?\d+(,\d+)?$/ : /^[+-]?\d+(\.\d+)?$/).test(value);
          const widen = isIntegerType(columnTypes[c.column!]!) && decimal;
          warnings.push(
            `colonne « ${label} » : ${frenchMessage(c)} à la ligne ${lineOf(c)}, au-delà des ${TYPE_SAMPLE_ROWS} lignes examinées ; ` +
              (widen ? 'importée en nombre décimal' : 'importée en texte'),
          );
          columnTypes[c.column!] = widen ? 'DOUBLE' : 'VARCHAR';
        }
        await engine.exec(`DROP TABLE ${quoteIdent(table)}`);
        continue;
      }
      return {
        sql,
        columnTypes,
        rejected: { count: r.count, sample: r.sample.map((x) => ({ line: lineOf(x), message: frenchMessage(x) })) },
        warnings,
        invalidEncoding: r.encoding,
      };
    }
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    await dropRejects(engine, rejects, scans).catch(() => undefined);
    await engine.dropFile(reg).catch(() => undefined);
  }
}

/** Why the file cannot be read as asked, and what to try: the user sees the line and the options. */
function openQuoteAdvice(e: OpenQuoteError, scan: QuoteScan, d: Dialect): string {
  const base = 'guillemet ouvert jamais refermé : la suite du fichier serait lue comme une seule valeur';
  if (scan.fitsWithoutQuotes && scan.strayLines > 0) {
    return (
      `${base}. ${scan.strayLines} ligne(s) contiennent des guillemets isolés (première : ligne ${scan.firstStrayLine}) et toutes les lignes ` +
      `ont ${scan.width} champs sans tenir compte des guillemets : réimportez avec l’option guillemet = aucun`
    );
  }
  const sep = d.delimiter === '\t' ? 'tabulation' : `« ${d.delimiter} »`;
  const misfit = scan.firstMismatch
    ? ` ; sans guillemets non plus, les lignes n’ont pas toutes ${scan.width} champs (ligne ${scan.firstMismatch.line} : ${scan.firstMismatch.fields} champ(s)), donc guillemet = aucun ne convient pas`
    : '';
  return `${base}${misfit}. Corrigez la ligne ${e.line ?? '?'} dans un éditeur, ou vérifiez le séparateur (${sep}) et le caractère guillemet`;
}

export const readCsv: Reader = async (ctx, raw) => {
  const { engine, file, table } = ctx;
  const given = validated(PartialCsvOptions, raw ?? {}, file.name);
  if (file.size === 0) throw new IngestError('le fichier est vide', file.name);
  ctx.onProgress?.({ fraction: 0, message: `Analyse du format de ${file.name}` });
  const sniff = await sniffCsv(file, given);
  if (sniff.empty) throw new IngestError('le fichier ne contient aucune ligne (seulement des lignes vides)', file.name);
  const ids = uniqueIdentifiers(sniff.labels);
  const warnings = labelWarnings(sniff.labels, ids);
  // Given options and guesses together must still make sense (e.g. a quote that is not the delimiter).
  let dialect: Dialect = validated(CsvOptions, sniff.options, file.name);
  if (given.encoding === undefined && dialect.encoding === 'windows-1252') {
    warnings.push('le fichier n’est pas en UTF-8 : lu comme Windows-1252 (encodage des anciens exports Windows)');
  }
  // Column names come from the file: `constructor` or `toString` must not find Object's own members.
  const columnTypes: Record<string, string> = Object.assign(Object.create(null), given.columnTypes);
  // Columns a previous import converted after the load (months, grouped numbers) are read as text again.
  const formats = {
    datePrecision: Object.assign(
      Object.create(null),
      Object.fromEntries(Object.entries(given.datePrecision ?? {}).filter(([id]) => ids.includes(id))),
    ) as Record<string, 'month'>,
    groupedNumbers: (given.groupedNumbers ?? []).filter((id) => ids.includes(id)),
    finalTypes: columnTypes,
  };
  const readTypes: Record<string, string> = Object.assign(Object.create(null), given.columnTypes);
  for (const id of [...Object.keys(formats.datePrecision), ...formats.groupedNumbers]) readTypes[id] = 'VARCHAR';
  const loadOrUnquote = async (d: Dialect): Promise<{ loaded: Loaded; dialect: Dialect }> => {
    try {
      return { loaded: await load(ctx, d, sniff, ids, readTypes), dialect: d };
    } catch (e) {
      if (!(e instanceof OpenQuoteError) || !d.quote) throw e;
      ctx.onProgress?.({ fraction: null, message: `Recherche des guillemets isolés dans ${file.name}` });
      const scan = await scanQuotes(file, d);
      if (scan.fitsWithoutQuotes && scan.strayLines > 0 && given.quote === undefined) {
        // Not chosen by the user: the guess was wrong, and quote = none reads every line whole.
        warnings.push(strayQuoteText(scan));
        const unquoted = { ...d, quote: '', escape: '' };
        return { loaded: await load(ctx, unquoted, sniff, ids, readTypes), dialect: unquoted };
      }
      throw new IngestError(openQuoteAdvice(e, scan, d), file.name, e.line);
    }
  };
  let { loaded, dialect: used } = await loadOrUnquote(dialect);
  dialect = used;
  // The head was plain ASCII but accented lines further down are not UTF-8: a Windows-1252 file.
  if (loaded.invalidEncoding && given.encoding === undefined && dialect.encoding === 'utf-8' && !sniff.multibyte) {
    await engine.exec(`DROP TABLE ${quoteIdent(table)}`);
    dialect = { ...dialect, encoding: 'windows-1252' };
    warnings.push(
      `${loaded.invalidEncoding} ligne(s) ne sont pas en UTF-8 : fichier relu comme Windows-1252 (encodage des anciens exports Windows)`,
    );
    ({ loaded, dialect: used } = await loadOrUnquote(dialect));
    dialect = used;
  }
  warnings.push(...loaded.warnings);
  // The types recorded say DECIMAL(18,2), VARCHAR, DATE: a reopen reads the same bytes (its SHA-256 is
  // checked) straight into them, and redoes the recorded conversions.
  const labelOf = (id: string) => sniff.labels[ids.indexOf(id)] ?? id;
  const head = (id: string) => sniff.preview.map((r) => r[ids.indexOf(id)] ?? '');
  const refined = await refine(engine, table, loaded.columnTypes, columnTypes, formats, dialect.decimalComma, labelOf, head);
  warnings.push(...refined.warnings);
  const rows = Number((await engine.query(`SELECT count(*) FROM ${quoteIdent(table)}`)).rows[0]?.[0] ?? 0);
  if (sniff.preview.length === 0 && rows === 0 && dialect.header) {
    warnings.push('le fichier ne contient que la ligne d’en-tête : la table a ses colonnes mais aucune ligne');
  }
  if (loaded.rejected.count) {
    const first = loaded.rejected.sample[0];
    warnings.push(
      `${loaded.rejected.count} ligne(s) rejetée(s), non importée(s)` +
        (first ? ` (première : ligne ${first.line}, ${first.message})` : ''),
    );
  }
  ctx.onProgress?.({ fraction: 1, message: `${file.name} : ${rows} ligne(s) importée(s)` });
  const options: CsvOptions = {
    ...dialect,
    columnTypes: loaded.columnTypes,
    ...(Object.keys(refined.datePrecision).length ? { datePrecision: refined.datePrecision } : {}),
    ...(refined.groupedNumbers.length ? { groupedNumbers: refined.groupedNumbers } : {}),
  };
  return {
    tables: [
      {
        name: table,
        labels: Object.fromEntries(ids.map((id, i) => [id, sniff.labels[i]!])),
        ...(loaded.rejected.count ? { rejected: loaded.rejected } : {}),
        ...(warnings.length ? { warnings } : {}),
      },
    ],
    sql: [loaded.sql, ...refined.sql],
    options,
  };
};
