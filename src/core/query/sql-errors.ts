// Where a query went wrong, in the user's own text. DuckDB says it two ways: the streaming API wraps
// parser errors as JSON with a character `position`, other errors end with a paragraph
// `LINE n: <the line>` and a caret under the culprit. The engine keeps only the first paragraph of a
// message (to drop extension install hints), so `locateSqlError` asks DuckDB again, through a prepare
// on a side connection: it binds the statement without running it and gives the whole message back.
import { friendlyDuckDBMessage, type Engine } from '../engine/engine.ts';
import { errorText } from '../util/errors.ts';

export interface SqlErrorInfo {
  /** DuckDB's message without the LINE/caret excerpt (shown as a highlight instead). */
  message: string;
  /** 1-based line in the SQL that was sent. */
  line?: number;
  /** 1-based column in that line. */
  column?: number;
  /** 0-based character offset in the SQL that was sent. */
  offset?: number;
}

function at(sql: string, offset: number): { line: number; column: number; offset: number } {
  const o = Math.max(0, Math.min(offset, sql.length));
  const before = sql.slice(0, o);
  const line = before.split('\n').length;
  const column = o - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, offset: o };
}

function offsetOf(sql: string, line: number, column: number): number {
  const lines = sql.split('\n');
  let o = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) o += lines[i]!.length + 1;
  return o + column - 1;
}

const LINE_PARAGRAPH = /\n\s*\nLINE (\d+): ([^\n]*)\n( *)\^[^\n]*/;

/** The position given by a `LINE n: …` excerpt and its caret, found back in the SQL's own line n. */
function fromExcerpt(sql: string, lineNo: number, excerpt: string, caretAt: number, shift: number): { line: number; column: number } {
  // Long lines are shown as a window with "..." on either side: find that window in the real line.
  const lead = excerpt.startsWith('...') ? 3 : 0;
  const shown = excerpt.slice(lead).replace(/\.\.\.$/, '');
  const real = sql.split('\n')[lineNo - 1];
  const inExcerpt = caretAt - lead;
  if (real !== undefined && shown) {
    const found = real.indexOf(shown);
    if (found >= 0) return { line: lineNo, column: found + inExcerpt + 1 };
  }
  // Not found: the excerpt is of a wrapping query, whose first line starts `shift` characters earlier.
  return { line: lineNo, column: inExcerpt - shift + 1 };
}

/**
 * Splits a DuckDB error message into its text and a position in `sql`. `prefix` is how many characters
 * came before the user's SQL in what was sent (a wrapping query), so offsets land in the user's text.
 */
export function parseSqlError(raw: string, sql: string, prefix = 0): SqlErrorInfo {
  let text = raw.trim();
  let position: number | undefined;
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { exception_type?: string; exception_message?: string; position?: string | number };
      if (typeof j.exception_message === 'string') {
        text = `${j.exception_type ? `${j.exception_type} Error: ` : ''}${j.exception_message}`;
        const p = Number(j.position);
        if (j.position !== undefined && Number.isFinite(p)) position = p - prefix;
      }
    } catch {
      // Not JSON after all: read as plain text.
    }
  }
  const m = LINE_PARAGRAPH.exec(text);
  const plain = (m ? text.slice(0, m.index) + text.slice(m.index + m[0].length) : text).trim();
  const message = friendlyDuckDBMessage(plain) ?? plain;
  if (position !== undefined && position >= 0 && position <= sql.length) return { message, ...at(sql, position) };
  if (m) {
    const lineNo = Number(m[1]);
    const caret = m[3]!.length - `LINE ${m[1]}: `.length;
    const pos = fromExcerpt(sql, lineNo, m[2]!, caret, lineNo === 1 ? prefix : 0);
    if (pos.column >= 1) return { message, line: pos.line, column: pos.column, offset: offsetOf(sql, pos.line, pos.column) };
  }
  if (/at end of input/.test(message)) return { message, ...at(sql, sql.trimEnd().length) };
  return { message };
}

/**
 * The position of a failed query's error in `sql`: DuckDB binds `sql` again (without running it) to
 * give its full message; a statement that binds fine failed while running, and keeps `fallback`.
 */
export async function locateSqlError(engine: Engine, sql: string, fallback: string): Promise<SqlErrorInfo> {
  let raw = fallback;
  try {
    const conn = await engine.sideConnection();
    try {
      const stmt = await conn.prepare(sql);
      await stmt.close();
    } catch (e) {
      raw = errorText(e);
    } finally {
      await conn.close();
    }
  } catch {
    // No side connection: the engine's message, without a position, is still the right message.
  }
  return parseSqlError(raw, sql);
}
