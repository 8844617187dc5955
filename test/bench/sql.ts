// The SQL both engines run. The import goes through Loupe's CSV importer in the page; the native
// baseline runs the importer's statements: its final `read_csv` (same options, rejects table included) and the ALTERs after it.
// Pure: imported by the Node side and by the bench page alike.
import { registeredName } from '../../src/core/engine/engine.ts';
import { quoteIdent, quoteLiteral, uniqueIdentifiers } from '../../src/core/sql/ident.ts';

export const TABLE = 't';

/** The generated file's header, in order. */
export const HEADER = [
  'Exercice',
  'Date de mandatement',
  'Direction',
  'Arrondissement',
  'Chapitre',
  'Nature',
  'Fonction',
  'Bénéficiaire',
  'SIRET',
  'Objet',
  'Montant payé',
  'Catégorie',
];

/** Column names in the table: what Loupe's importer makes of the labels. */
export const IDS = uniqueIdentifiers(HEADER);
const col = (label: string): string => quoteIdent(IDS[HEADER.indexOf(label)]!);

const TYPES: Record<string, string> = {
  Exercice: 'INTEGER',
  'Date de mandatement': 'DATE',
  Direction: 'VARCHAR',
  Arrondissement: 'VARCHAR',
  Chapitre: 'VARCHAR',
  Nature: 'VARCHAR',
  Fonction: 'VARCHAR',
  Bénéficiaire: 'VARCHAR',
  SIRET: 'VARCHAR',
  Objet: 'VARCHAR',
  'Montant payé': 'DECIMAL(18,2)',
  Catégorie: 'VARCHAR',
};

/**
 * `--import direct`: one `read_csv` with the dialect and the types given, no sniffing, no rejects
 * table. The default path is Loupe's importer (`readCsv`), whose final SQL the native baseline runs.
 */
export function directImportSql(fileName: string, table = TABLE): string {
  const columns = HEADER.map((h, i) => `${quoteLiteral(IDS[i]!)}: ${quoteLiteral(TYPES[h]!)}`).join(', ');
  return (
    `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteLiteral(fileName)}, auto_detect=false, ` +
    `header=true, delim=';', quote='"', escape='"', decimal_separator=',', dateformat='%d/%m/%Y', columns={${columns}})`
  );
}

/** The file name under which `readCsv` registers the source of `table`. */
export const importerFileName = (table = TABLE): string => registeredName(`${table}.source.csv`);

/** The importer's SQL, pointed at another file (the native baseline reads it from disk). */
export function retarget(sql: string, fileName: string, table = TABLE): string {
  const from = quoteLiteral(importerFileName(table));
  if (!sql.includes(from)) throw new Error(`the importer's SQL does not read ${from}: ${sql}`);
  return sql.replace(from, quoteLiteral(fileName));
}

/** GROUP BY two keys with a SUM: the shape of a chart or a pivot over the whole table. */
export const GROUPBY_SQL =
  `SELECT ${col('Direction')}, ${col('Exercice')}, SUM(${col('Montant payé')}) AS total, COUNT(*) AS n ` +
  `FROM ${quoteIdent(TABLE)} GROUP BY ALL ORDER BY ALL`;

/**
 * A digest of the import, the same on both engines when both read the file the same way. Amounts are
 * summed as DECIMAL: a DOUBLE sum depends on the order the threads add in.
 */
export const CHECK_SQL =
  `SELECT COUNT(*) AS n, SUM(${col('Montant payé')}::DECIMAL(18,2))::VARCHAR AS total, COUNT(DISTINCT ${col('Direction')}) AS directions, ` +
  `MIN(${col('Date de mandatement')})::VARCHAR AS first, MAX(${col('Date de mandatement')})::VARCHAR AS last, ` +
  `SUM(CASE WHEN ${col('Arrondissement')}::VARCHAR LIKE '0%' THEN 1 ELSE 0 END) AS leading_zero, ` +
  `(SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns ` +
  `WHERE table_name = ${quoteLiteral(TABLE)}) AS types FROM ${quoteIdent(TABLE)}`;
