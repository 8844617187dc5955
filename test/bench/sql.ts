// The SQL both engines run. The import is the `read_csv` call Loupe's CSV importer is meant to
// generate once it has sniffed the file (dialect given explicitly, codes kept as text); while
// `src/core/ingest/csv.ts` is still a stub the bench states it here, in one place.
// Pure: imported by the Node side and by the bench page alike.

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

const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export function importSql(fileName: string, table = TABLE): string {
  const types = HEADER.map((h) => `${lit(h)}: ${lit(TYPES[h]!)}`).join(', ');
  return (
    `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM read_csv(${lit(fileName)}, ` +
    `header = true, delim = ';', quote = '"', escape = '"', decimal_separator = ',', ` +
    `dateformat = '%d/%m/%Y', encoding = 'utf-8', types = {${types}})`
  );
}

/** GROUP BY two keys with a SUM: the shape of a chart or a pivot over the whole table. */
export const GROUPBY_SQL =
  `SELECT "Direction", "Exercice", SUM("Montant payé") AS total, COUNT(*) AS n ` +
  `FROM ${ident(TABLE)} GROUP BY ALL ORDER BY ALL`;

export const COUNT_SQL = `SELECT COUNT(*) AS n FROM ${ident(TABLE)}`;

/** A digest of the import, the same on both engines when both read the file the same way. */
export const CHECK_SQL =
  `SELECT COUNT(*) AS n, SUM("Montant payé")::VARCHAR AS total, COUNT(DISTINCT "Direction") AS directions, ` +
  `MIN("Date de mandatement")::VARCHAR AS first, MAX("Date de mandatement")::VARCHAR AS last, ` +
  `SUM(CASE WHEN "Arrondissement" LIKE '0%' THEN 1 ELSE 0 END) AS leading_zero FROM ${ident(TABLE)}`;
