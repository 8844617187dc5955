// Formatting the user's SQL with DuckDB's dialect (only that dialect is bundled, not all of them).
import { duckdb, formatDialect } from 'sql-formatter';

/** The SQL laid out with upper-case keywords; throws when sql-formatter cannot parse it. */
export function formatSql(sql: string): string {
  return formatDialect(sql, { dialect: duckdb, keywordCase: 'upper', tabWidth: 2 });
}
