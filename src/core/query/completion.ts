// What the SQL editor can complete: the project's tables and their columns, each with the label it had
// in the source file, so an auditor typing `mont` finds "Montant HT" as `montant_ht`. Plain objects
// shaped like CodeMirror's completions (label/apply/detail/info), built here without any editor code.

export interface CompletionColumn {
  name: string;
  label: string;
  type: string;
}

export interface CompletionTable {
  name: string;
  kind: 'table' | 'view' | 'result';
  rows: number;
  columns: readonly CompletionColumn[];
  /** For saved queries. */
  sql?: string;
}

export interface SqlCompletion {
  label: string;
  /** The text inserted, quoted when the name needs it. */
  apply?: string;
  type: 'type' | 'property';
  detail?: string;
  info?: string;
  /** For the editor: which table a column belongs to. */
  section?: string;
}

/** A table's completions and its columns, the shape CodeMirror's SQL schema option reads. */
export type SqlSchema = Record<string, { self: SqlCompletion; children: SqlCompletion[] }>;

const PLAIN = /^[a-z_][a-z0-9_]*$/;
// DuckDB keywords that cannot be used bare as a column or table name (a subset that matters here).
const RESERVED = new Set([
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'column',
  'constraint',
  'create',
  'default',
  'deferrable',
  'desc',
  'describe',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'from',
  'grant',
  'group',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'lateral',
  'leading',
  'limit',
  'not',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'pivot',
  'placing',
  'primary',
  'qualify',
  'references',
  'returning',
  'select',
  'show',
  'some',
  'summarize',
  'symmetric',
  'table',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'unpivot',
  'using',
  'variadic',
  'when',
  'where',
  'window',
  'with',
]);

/** The name as it must be written in SQL: bare when it can be, double-quoted otherwise. */
export function sqlName(name: string): string {
  return PLAIN.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function columnCompletion(c: CompletionColumn, table: string): SqlCompletion {
  const apply = sqlName(c.name);
  return {
    label: c.name,
    ...(apply !== c.name ? { apply } : {}),
    type: 'property',
    detail: c.type,
    // The original header is what the auditor knows the column by.
    ...(c.label && c.label !== c.name ? { info: c.label } : {}),
    section: table,
  };
}

function tableCompletion(t: CompletionTable, describe: (t: CompletionTable) => string): SqlCompletion {
  const apply = sqlName(t.name);
  return { label: t.name, ...(apply !== t.name ? { apply } : {}), type: 'type', detail: t.kind, info: describe(t) };
}

/**
 * The schema for the editor's completion. `describe` writes a table's info line (row count, column
 * count) in the interface language: the core does not know the messages.
 */
export function completionSchema(tables: readonly CompletionTable[], describe: (t: CompletionTable) => string): SqlSchema {
  const schema: SqlSchema = {};
  for (const t of tables) {
    // A dot in a key means "schema.table" to CodeMirror: escape it.
    schema[t.name.replaceAll('.', '\\.')] = {
      self: tableCompletion(t, describe),
      children: t.columns.map((c) => columnCompletion(c, t.name)),
    };
  }
  return schema;
}

/**
 * Columns offered without a `table.` prefix: those of the tables the query names, so `WHERE mon…`
 * completes to the amount column of the table in FROM. A column in several tables is listed once per table.
 */
export function columnsInScope(tables: readonly CompletionTable[], sql: string): SqlCompletion[] {
  const text = sql.toLowerCase();
  const named = tables.filter((t) => {
    const n = t.name.toLowerCase();
    let i = text.indexOf(n);
    while (i >= 0) {
      const before = text[i - 1] ?? ' ';
      const after = text[i + n.length] ?? ' ';
      if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
      i = text.indexOf(n, i + 1);
    }
    return false;
  });
  return named.flatMap((t) => t.columns.map((c) => columnCompletion(c, t.name)));
}
