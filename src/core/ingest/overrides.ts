// Column types the user chose in the import dialog, for every format, in one step after the reader:
// each overridden column is rewritten with TRY_CAST from its text, and every value that does not
// convert is counted and named in a warning (never nulled without saying so). The overrides are part
// of the import's options, so a reopen — which imports the same bytes with the same options — gives
// the same types and the same warnings.
import { z } from 'zod';
import type { Engine } from '../engine/engine.ts';
import { quoteIdent } from '../sql/ident.ts';
import { decimalScale, isDateType, isIntegerType, isNumericType, isTemporalType, isTimestampType } from '../sql/types.ts';
import { IngestError, type Format, type ImportedTable } from './types.ts';

export const TYPE_KINDS = ['text', 'integer', 'decimal', 'date', 'month', 'code'] as const;
export type TypeKind = (typeof TYPE_KINDS)[number];

const KindsByColumn = z.record(z.string().min(1).max(1000), z.enum(TYPE_KINDS));
export const TypeOverrides = z
  .object({
    /** Column (SQL name) → kind, for the main table of the import. */
    types: KindsByColumn.optional(),
    /** Part (a workbook's sheet, a JSON/XML child table's path) → column → kind. */
    partTypes: z.record(z.string().max(1000), KindsByColumn).optional(),
  })
  .strict();
export type TypeOverrides = z.infer<typeof TypeOverrides>;

const KIND_FR: Record<TypeKind, string> = {
  text: 'texte',
  integer: 'entier',
  decimal: 'nombre décimal',
  date: 'date',
  month: 'mois',
  code: 'code',
};

const SQL_TYPE: Record<TypeKind, string> = {
  text: 'VARCHAR',
  code: 'VARCHAR',
  integer: 'BIGINT',
  decimal: 'DECIMAL(18,2)',
  date: 'DATE',
  month: 'DATE',
};

const EXAMPLES = 3;

/**
 * Takes the overrides out of an import's options: readers never see them (the CSV reader refuses
 * unknown options). For CSV the overridden columns are read as text, so the conversion starts from
 * the file's own characters (leading zeros, « 1 234,56 », 05/03/2024) rather than from a guess.
 */
export function splitOverrides(
  format: Format,
  options: Record<string, unknown> | undefined,
  fileName: string,
): { reader: Record<string, unknown> | undefined; overrides: TypeOverrides | null } {
  if (!options || (!('types' in options) && !('partTypes' in options))) return { reader: options, overrides: null };
  const { types, partTypes, ...rest } = options;
  const parsed = TypeOverrides.safeParse({ ...(types !== undefined ? { types } : {}), ...(partTypes !== undefined ? { partTypes } : {}) });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ');
    throw new IngestError(`types de colonnes invalides (${why}) — types permis : ${TYPE_KINDS.join(', ')}`, fileName);
  }
  const overrides = parsed.data;
  if (format === 'csv' && overrides.types && Object.keys(overrides.types).length) {
    const given = (rest.columnTypes ?? {}) as Record<string, string>;
    const columnTypes: Record<string, string> = Object.assign(Object.create(null), given);
    for (const id of Object.keys(overrides.types)) columnTypes[id] = 'VARCHAR';
    // Conversions the CSV reader recorded for these columns (months, grouped numbers) are ours now.
    const datePrecision = Object.fromEntries(
      Object.entries((rest.datePrecision ?? {}) as Record<string, string>).filter(([id]) => !Object.hasOwn(overrides.types!, id)),
    );
    const grouped = ((rest.groupedNumbers ?? []) as string[]).filter((id) => !Object.hasOwn(overrides.types!, id));
    const reader: Record<string, unknown> = { ...rest, columnTypes };
    if (Object.keys(datePrecision).length) reader.datePrecision = datePrecision;
    else delete reader.datePrecision;
    if (grouped.length) reader.groupedNumbers = grouped;
    else delete reader.groupedNumbers;
    return { reader, overrides };
  }
  return { reader: rest, overrides };
}

/** The overrides that apply to one imported table: `types` for the first, `partTypes[part]` for any. */
function kindsFor(t: ImportedTable, index: number, o: TypeOverrides): Record<string, TypeKind> {
  const out: Record<string, TypeKind> = Object.create(null);
  if (index === 0 && o.types) Object.assign(out, o.types);
  if (t.part !== undefined && o.partTypes && Object.hasOwn(o.partTypes, t.part)) Object.assign(out, o.partTypes[t.part]);
  return out;
}

/** The text of a value as the file wrote it, trimmed; empty is no value. */
const textOf = (c: string) => `NULLIF(trim(CAST(${c} AS VARCHAR)), '')`;
// Spaces grouping thousands: plain, no-break (Excel, LibreOffice) and narrow no-break (CLDR French).
const SPACES = `'[ \\x{00A0}\\x{202F}]'`;

/**
 * The SQL converting column `c` (of type `from`) to `kind`; NULL where the value does not convert.
 * Decimal text: « 1 234,56 », « 1.234,56 », « 1234.56 », « 12 € » — a comma is the decimal mark
 * whenever there is one (the French way), dots then group thousands.
 */
export function conversionSql(c: string, from: string, kind: TypeKind): string {
  const v = textOf(c);
  const numeric = isNumericType(from);
  switch (kind) {
    case 'text':
    case 'code':
      return `CAST(${c} AS VARCHAR)`;
    case 'integer': {
      if (isIntegerType(from)) return `CAST(${c} AS BIGINT)`;
      // A number with a fraction is not an integer: rounding it silently would change the data.
      if (numeric) return `CASE WHEN ${c} = trunc(${c}) THEN TRY_CAST(${c} AS BIGINT) END`;
      return `TRY_CAST(regexp_replace(${v}, ${SPACES}, '', 'g') AS BIGINT)`;
    }
    case 'decimal': {
      if (numeric) return `TRY_CAST(${c} AS DECIMAL(18,2))`;
      const bare = `regexp_replace(regexp_replace(${v}, ${SPACES}, '', 'g'), '\\s*(€|EUR)$', '')`;
      const dotted = `CASE WHEN strpos(${bare}, ',') > 0 THEN replace(replace(${bare}, '.', ''), ',', '.') ELSE ${bare} END`;
      // Only plain decimal numbers: TRY_CAST alone would take '1e5' or 'infinity'.
      return `CASE WHEN regexp_full_match(${dotted}, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)') THEN TRY_CAST(${dotted} AS DECIMAL(18,2)) END`;
    }
    case 'date': {
      if (isDateType(from)) return c;
      if (isTimestampType(from)) return `CAST(${c} AS DATE)`;
      if (numeric) return `CAST(NULL AS DATE)`;
      return `COALESCE(CAST(try_strptime(${v}, '%Y-%m-%d') AS DATE), CAST(try_strptime(${v}, '%d/%m/%Y') AS DATE))`;
    }
    case 'month': {
      if (isTemporalType(from)) return `CAST(date_trunc('month', ${c}) AS DATE)`;
      if (numeric) return `CAST(NULL AS DATE)`;
      return `COALESCE(CAST(try_strptime(${v}, '%Y-%m') AS DATE), CAST(try_strptime(${v}, '%m/%Y') AS DATE))`;
    }
  }
}

/** Rounds a DECIMAL(18,2) conversion would make (a third decimal), counted apart from failures. */
function roundingSql(c: string, from: string): string | null {
  if (isNumericType(from)) return isIntegerType(from) || (decimalScale(from) ?? 3) <= 2 ? null : `${c} <> round(${c}, 2)`;
  return null;
}

export interface OverrideResult {
  sql: string[];
  /** Per table name, the warnings this step adds. */
  warnings: Map<string, string[]>;
  /** Values that did not convert, over all tables. */
  failed: number;
}

/**
 * Rewrites the overridden columns of the imported tables in place (one statement per table). Counts
 * first, on the text, so the warning says how many values did not convert and shows some of them.
 */
export async function applyOverrides(engine: Engine, tables: ImportedTable[], o: TypeOverrides): Promise<OverrideResult> {
  const res: OverrideResult = { sql: [], warnings: new Map(), failed: 0 };
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    const kinds = kindsFor(t, i, o);
    const wanted = Object.keys(kinds);
    if (!wanted.length) continue;
    const tq = quoteIdent(t.name);
    const desc = await engine.query(`DESCRIBE ${tq}`);
    const typeOf = new Map(desc.rows.map((r) => [String(r[0]), String(r[1])]));
    const warnings: string[] = [];
    const label = (id: string) => t.labels[id] ?? id;
    const replace: string[] = [];
    for (const id of wanted) {
      const kind = kinds[id]!;
      const from = typeOf.get(id);
      if (from === undefined) {
        warnings.push(`type « ${KIND_FR[kind]} » demandé pour la colonne « ${id} », absente de la table : ignoré`);
        continue;
      }
      const c = quoteIdent(id);
      const conv = conversionSql(c, from, kind);
      const rounding = kind === 'decimal' ? roundingSql(c, from) : null;
      const bad = `${c} IS NOT NULL AND ${textOf(c)} IS NOT NULL AND (${conv}) IS NULL`;
      const r = await engine.query(
        `SELECT count(*) FILTER (WHERE ${bad}), ${rounding ? `count(*) FILTER (WHERE ${rounding})` : '0'} FROM ${tq}`,
      );
      const [n, rounded] = r.rows[0] ?? [0, 0];
      const failed = Number(n);
      if (failed) {
        const ex = await engine.query(`SELECT DISTINCT ${textOf(c)} AS x FROM ${tq} WHERE ${bad} ORDER BY x LIMIT ${EXAMPLES}`);
        const sample = ex.rows.map((x) => `« ${String(x[0]).slice(0, 60)} »`);
        res.failed += failed;
        warnings.push(
          `colonne « ${label(id)} » : ${failed} valeur(s) non convertible(s) en ${KIND_FR[kind]} (ex. ${sample.join(', ')}), laissée(s) vide(s)`,
        );
      }
      if (Number(rounded))
        warnings.push(`colonne « ${label(id)} » : ${Number(rounded)} valeur(s) à plus de deux décimales arrondie(s) au centime`);
      if ((kind === 'code' || kind === 'text') && isNumericType(from)) {
        warnings.push(
          `colonne « ${label(id)} » : lue comme nombre dans le fichier (${from}) ; un zéro de tête absent du fichier ne peut être rendu`,
        );
      }
      if (kind === 'month') warnings.push(`colonne « ${label(id)} » : mois enregistrés au 1er du mois (précision : le mois)`);
      if (from !== SQL_TYPE[kind] || kind === 'month') replace.push(`${conv} AS ${c}`);
    }
    if (replace.length) {
      // One rewrite for all the table's columns: an ALTER per column would rewrite it each time.
      const stmt = `CREATE OR REPLACE TABLE ${tq} AS SELECT * REPLACE (${replace.join(', ')}) FROM ${tq}`;
      await engine.exec(stmt);
      res.sql.push(stmt);
    }
    if (warnings.length) {
      res.warnings.set(t.name, warnings);
      t.warnings = [...(t.warnings ?? []), ...warnings];
    }
  }
  return res;
}

/** The overrides as recorded in the import's options (empty ones left out). */
export function recordOverrides(o: TypeOverrides): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.types && Object.keys(o.types).length) out.types = o.types;
  if (o.partTypes && Object.keys(o.partTypes).length) out.partTypes = o.partTypes;
  return out;
}
