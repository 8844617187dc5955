import { describe, expect, it } from 'vitest';
import { runSql } from '../../src/core/query/sql-ops.ts';
import { queryHistory, runWorkbenchQuery, WorkbenchError } from '../../src/core/query/workbench.ts';
import { openDiskSession, suite } from './helpers.ts';

const db = suite(() => openDiskSession('loupe-sqlrun-', 'p', { 'marches.csv': 'Titulaire;Montant HT\nA;38450\nA;39120\nB;120000\n' }));

describe('running a workbench query', () => {
  it('keeps the result in a temporary table and journals the same digest as the query itself', async () => {
    const sql = 'SELECT titulaire, sum(montant_ht) AS total FROM marches GROUP BY 1;';
    const r = await runWorkbenchQuery(db.session, sql, 't1');
    expect(r.rows).toBe(2);
    expect(r.columns.map((c) => c.name)).toEqual(['titulaire', 'total']);
    expect((await db.engine.query(`SELECT * FROM "${r.relation.kind === 'table' ? r.relation.name : ''}" ORDER BY 1`)).rows).toEqual([
      ['A', 77570],
      ['B', 120000],
    ]);
    expect(r.entry).toMatchObject({ op: 'sql', params: { sql: sql.replace(/;$/, '') }, output: { rows: 2 } });
    // Replaying the journaled `sql` operation over the query gives the digest that was recorded.
    const direct = await db.session.run(runSql, { sql });
    expect(direct.entry.output!.digest).toBe(r.entry.output!.digest);
    // Newest first: the direct run, then the workbench's.
    expect(queryHistory(db.session.journal.all()).map((h) => [h.sql, h.rows])).toEqual([
      [sql, 2],
      [sql.replace(/;$/, ''), 2],
    ]);
    expect(db.session.catalog.list().map((t) => t.name)).toEqual(['marches']);
  });

  it('reports an error with its position in the SQL as typed, and journals nothing', async () => {
    const before = db.session.journal.all().length;
    const err = await runWorkbenchQuery(db.session, '  SELECT titulaire,\n    montant_ttc\n  FROM marches', 't1').catch((e) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err).toMatchObject({ cancelled: false, info: { line: 2, column: 5 } });
    expect(db.session.journal.all().length).toBe(before);
  });

  it('answers a JSON function with where nested data went, not with an install that cannot work offline', async () => {
    const err = await runWorkbenchQuery(db.session, `SELECT json_extract_string(titulaire, '$.id') FROM marches`, 't1').catch((e) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err.info.message).toMatch(/« json_extract_string » fait partie de l’extension JSON.*table liée « table__liste »/);
    expect(err.info.message).not.toMatch(/INSTALL|LOAD/);
    await expect(db.engine.query(`SELECT '{}'::JSON`)).rejects.toThrow(/« JSON » fait partie de l’extension JSON/);
  });

  it('refuses a writing statement before running it', async () => {
    const err = await runWorkbenchQuery(db.session, 'DROP TABLE marches', 't1').catch((e) => e);
    expect(err).toMatchObject({ cancelled: false, message: expect.stringMatching(/lecture/) });
    expect(db.session.catalog.has('marches')).toBe(true);
  });

  it('cancels a long query when asked, then runs the next one', async () => {
    const ctl = new AbortController();
    const slow = runWorkbenchQuery(db.session, 'SELECT count(*) FROM range(5000000000) t(x) WHERE x % 7 = 3', 't2', ctl.signal).catch(
      (e) => e,
    );
    await new Promise((r) => setTimeout(r, 300));
    ctl.abort();
    expect(await slow).toMatchObject({ cancelled: true });
    expect((await runWorkbenchQuery(db.session, 'SELECT 42 AS v', 't2')).rows).toBe(1);
  });
});
