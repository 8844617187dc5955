// CSV/TSV into a table with DuckDB's own reader, so a big file is never parsed in JavaScript (only a
// Windows-1252 file is, to convert it). Every rejected line is counted and located; the options
// finally used, column types included, are returned so a reopen reads the file the same way.
import type { z } from 'zod';
import type { RejectedLine } from '../catalog/catalog.ts';
import { registeredName, type Engine } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral, uniqueIdentifiers } from '../sql/ident.ts';
import { lineNumbersAt, transcodeToUtf8 } from './encoding.ts';
import { CsvOptions, PartialCsvOptions, sniffCsv, type CsvSniff } from './sniff.ts';
import { IngestError, type Reader, type ReaderContext } from './types.ts';
import '../util/zod-fr.ts';

export { CsvOptions, sniffCsv, type CsvSniff } from './sniff.ts';

/** Rows DuckDB reads to choose column types; the whole file would cost a second full read. */
export const TYPE_SAMPLE_ROWS = 20_000;
const REJECT_SAMPLE = 100;
const NUMERIC = /^(BIGINT|INTEGER|DOUBLE|DECIMAL|HUGEINT|SMALLINT|TINYINT|UBIGINT|FLOAT)/;
// Identifiers, not quantities: a number type would drop their leading zeros or invite sums. Budget
// nomenclature columns (chapitre 011, nature/article 6574.02, fonction 422.1, compte) are codes too.
// (Not `cp`: in budgets it means crédits de paiement, an amount.)
const CODE_WORDS = new Set(['code', 'siret', 'siren', 'insee', 'postal', 'nic', 'rna', 'iban', 'finess', 'uai', 'rne', 'telephone', 'tel', 'article', 'nature', 'chapitre', 'fonction', 'compte']);

type Dialect = Omit<CsvOptions, 'columnTypes'>;

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
      const words = id.split('_');
      if (NUMERIC.test(t) && words.some((w) => CODE_WORDS.has(w))) t = 'VARCHAR';
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

/** Auto-typed DOUBLE columns of `table` turned into DECIMAL(18,2) when that is exact; the statements run. */
async function exactAmounts(engine: Engine, table: string, columnTypes: Record<string, string>, given: Record<string, string>): Promise<string[]> {
  const candidates = Object.keys(columnTypes).filter((id) => columnTypes[id] === 'DOUBLE' && !given[id]);
  if (!candidates.length) return [];
  const fits = (id: string) => {
    const c = quoteIdent(id);
    return `bool_and(${c} IS NULL OR (${c} = round(${c}, 2) AND abs(${c}) < ${AMOUNT_BOUND})) AND count(${c}) > 0`;
  };
  const r = await engine.query(`SELECT ${candidates.map(fits).join(', ')} FROM ${quoteIdent(table)}`);
  const exact = candidates.filter((_id, i) => r.rows[0]?.[i] === true);
  if (!exact.length) return [];
  // One rewrite of the table for all its amount columns (an ALTER per column rewrites it each time).
  const t = quoteIdent(table);
  const stmt = `CREATE OR REPLACE TABLE ${t} AS SELECT * REPLACE (${exact.map((id) => `CAST(${quoteIdent(id)} AS ${EXACT_AMOUNT}) AS ${quoteIdent(id)}`).join(', ')}) FROM ${t}`;
  await engine.exec(stmt);
  for (const id of exact) columnTypes[id] = EXACT_AMOUNT;
  return [stmt];
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
  const open = (
    await engine.query(`SELECT ${cols} FROM ${t} WHERE error_message ILIKE '%unterminated quote%' ORDER BY line LIMIT 1`)
  ).rows.map(toRow)[0] ?? null;
  return { count, sample, casts, encoding, open };
}

async function dropRejects(engine: Engine, ...tables: string[]) {
  for (const t of tables) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
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
        throw new IngestError('guillemet ouvert jamais refermé : la suite du fichier serait lue comme une seule valeur', file.name, lineOf(r.open));
      }
      // A value the sample did not foresee (text in a number column): the column becomes text
      // rather than losing the row. Types the user chose are kept, and their misfits rejected.
      const retype = r.casts.filter((c) => c.column && !given[c.column] && columnTypes[c.column] !== 'VARCHAR');
      if (retype.length && attempt < 3) {
        for (const c of retype) {
          const label = sniff.labels[ids.indexOf(c.column!)] ?? c.column;
          warnings.push(
            `colonne « ${label} » : ${frenchMessage(c)} à la ligne ${lineOf(c)}, au-delà des ${TYPE_SAMPLE_ROWS} lignes examinées ; importée en texte`,
          );
          columnTypes[c.column!] = 'VARCHAR';
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
  let loaded = await load(ctx, dialect, sniff, ids, columnTypes);
  // The head was plain ASCII but accented lines further down are not UTF-8: a Windows-1252 file.
  if (loaded.invalidEncoding && given.encoding === undefined && dialect.encoding === 'utf-8' && !sniff.multibyte) {
    await engine.exec(`DROP TABLE ${quoteIdent(table)}`);
    dialect = { ...dialect, encoding: 'windows-1252' };
    warnings.push(
      `${loaded.invalidEncoding} ligne(s) ne sont pas en UTF-8 : fichier relu comme Windows-1252 (encodage des anciens exports Windows)`,
    );
    loaded = await load(ctx, dialect, sniff, ids, columnTypes);
  }
  warnings.push(...loaded.warnings);
  // The types recorded say DECIMAL(18,2): a reopen reads the same bytes (its SHA-256 is checked) straight into it.
  const exact = await exactAmounts(engine, table, loaded.columnTypes, given.columnTypes ?? {});
  const rows = Number((await engine.query(`SELECT count(*) FROM ${quoteIdent(table)}`)).rows[0]?.[0] ?? 0);
  if (sniff.preview.length === 0 && rows === 0 && dialect.header) {
    warnings.push('le fichier ne contient que la ligne d’en-tête : la table a ses colonnes mais aucune ligne');
  }
  if (loaded.rejected.count) {
    const first = loaded.rejected.sample[0];
    warnings.push(
      `${loaded.rejected.count} ligne(s) rejetée(s), non importée(s)` + (first ? ` (première : ligne ${first.line}, ${first.message})` : ''),
    );
  }
  ctx.onProgress?.({ fraction: 1, message: `${file.name} : ${rows} ligne(s) importée(s)` });
  const options: CsvOptions = { ...dialect, columnTypes: loaded.columnTypes };
  return {
    tables: [
      {
        name: table,
        labels: Object.fromEntries(ids.map((id, i) => [id, sniff.labels[i]!])),
        ...(loaded.rejected.count ? { rejected: loaded.rejected } : {}),
        ...(warnings.length ? { warnings } : {}),
      },
    ],
    sql: [loaded.sql, ...exact],
    options,
  };
};
