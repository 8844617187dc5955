import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { locateSqlError, parseSqlError } from '../../src/core/query/sql-errors.ts';
import { tableAsDatabaseFile } from '../../src/core/project/table-cache.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE marches AS SELECT 'A' AS titulaire, 38450 AS montant_ht`);
});
afterAll(async () => {
  await engine?.close();
});

/** The message the engine gives for `sql`, as the workbench receives it. */
async function failure(sql: string): Promise<string> {
  try {
    await engine.query(sql);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`no error for ${sql}`);
}

describe('SQL errors', () => {
  it('places a syntax error (the JSON the engine passes on) at its line and column', async () => {
    const sql = 'SELECT titulaire\nFROM marches\nWHER montant_ht > 1';
    const raw = await failure(sql);
    expect(raw).toMatch(/^\{/);
    const e = parseSqlError(raw, sql);
    expect(e.message).toMatch(/^Parser Error: syntax error at or near "montant_ht"$/);
    expect(e).toMatchObject({ line: 3, column: 6 });
    expect(sql.slice(e.offset!)).toBe('montant_ht > 1');
  });

  it('shifts a position by the wrapping query that came before the user SQL', async () => {
    const user = 'SELECT * FORM marches';
    const prefix = 'DESCRIBE SELECT * FROM (';
    const e = parseSqlError(await failure(`${prefix}${user}\n)`), user, prefix.length);
    expect(e).toMatchObject({ line: 1, column: 15 });
  });

  it('finds the column a binder error names, from the full message DuckDB gives on a re-bind', async () => {
    const sql = 'SELECT titulaire,\n       montant_ttc\nFROM marches';
    const fromEngine = await failure(sql);
    // The engine keeps the first paragraph only: no position in what it throws.
    expect(fromEngine).not.toMatch(/LINE/);
    const e = await locateSqlError(engine, sql, fromEngine);
    expect(e.message).toMatch(/^Binder Error: Referenced column "montant_ttc" not found/);
    expect(e.message).not.toMatch(/LINE/);
    expect(e).toMatchObject({ line: 2, column: 8 });
  });

  it('binds a query on a table served from its cache file as the engine does (the file on its search path)', async () => {
    await engine.exec(`CREATE TABLE paie_source AS SELECT 'A' AS agent, 2100 AS brut`);
    const { bytes } = await tableAsDatabaseFile(engine, 'paie_source');
    await engine.attachTableCopy('paie', 'paie.duckdb', bytes);
    const sql = 'SELECT agent,\n       net\nFROM paie';
    const e = await locateSqlError(engine, sql, await failure(sql));
    // Not « Table paie does not exist »: the side connection sees the table.
    expect(e.message).toMatch(/^Binder Error: Referenced column "net" not found/);
    expect(e).toMatchObject({ line: 2, column: 8 });
  });

  it('locates an unknown table and an unknown function', async () => {
    const t = 'SELECT *\nFROM marchés_publics';
    expect(await locateSqlError(engine, t, await failure(t))).toMatchObject({
      line: 2,
      column: 6,
      message: expect.stringMatching(/Catalog Error/),
    });
    const f = 'SELECT sommme(montant_ht) FROM marches';
    expect(await locateSqlError(engine, f, await failure(f))).toMatchObject({ line: 1, column: 8 });
  });

  it('points at the end of the text when the query stops short', async () => {
    const sql = 'SELECT 1 +\n';
    const e = await locateSqlError(engine, sql, await failure(sql));
    expect(e).toMatchObject({ message: 'Parser Error: syntax error at end of input', line: 1, column: 11 });
  });

  it('keeps a runtime error that binds fine without inventing a position', async () => {
    const sql = "SELECT CAST('x' AS INTEGER) FROM marches";
    const fromEngine = await failure(sql);
    const e = await locateSqlError(engine, sql, fromEngine);
    expect(e.message).toMatch(/Conversion Error/);
    expect(e.line).toBeUndefined();
  });

  it('finds a long line, which DuckDB shows as a window with "...", back in the real line', async () => {
    const sql = `SELECT ${'titulaire, '.repeat(30)}oups, montant_ht FROM marches WHERE ${'montant_ht > 1 AND '.repeat(10)}TRUE`;
    const e = await locateSqlError(engine, sql, await failure(sql));
    expect(sql.slice(e.offset!, e.offset! + 4)).toBe('oups');
    expect(e.column).toBe(e.offset! + 1);
  });

  it('reads a plain message with no position as just a message', () => {
    expect(parseSqlError('Requête annulée', 'SELECT 1')).toEqual({ message: 'Requête annulée' });
  });
});
