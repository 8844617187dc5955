// What a caught value says, for a message to the user or a journal line. Anything can be thrown
// (DuckDB's worker posts strings, some libraries throw plain objects): only an Error has a message.

/** The message of a caught value: an Error's message, anything else as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
