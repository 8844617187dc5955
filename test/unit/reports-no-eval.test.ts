// Issue #18: the app's CSP forbids evaluating strings as code, so the reports' import and search must
// write their tables without `Function`/`eval` (apache-arrow's builders compile a null check with
// `Function`). Run here on the real engine with both replaced by throwing stubs, and the values read back
// exactly: texts with quotes, commas and newlines, integers, doubles and NULLs.
import { describe, expect, it, vi } from 'vitest';
import '../../src/core/ops/all.ts';
import {
  BLOCKS_TABLE,
  importReports,
  REPORTS_TABLE,
  SEARCH_RESULT_TABLE,
  searchReports,
  TERMS_TABLE,
} from '../../src/core/reports/index.ts';
import { appendColumns, appendRows, ensureTable } from '../../src/core/reports/store.ts';
import { reportsCorpus } from '../fixtures/pdf-reports.ts';
import { openMemorySession, suite } from './helpers.ts';

// As static/zod-jitless.js does in the app, before any schema is built: zod then validates without
// compiling a parser with `new Function` (Node would allow it, the CSP does not).
vi.hoisted(() => {
  const g = globalThis as { __zod_globalConfig?: object };
  g.__zod_globalConfig = Object.assign(g.__zod_globalConfig ?? {}, { jitless: true });
});

/** Runs `f` with `Function` and `eval` refusing to run, as the CSP does in the app; restores them after. */
async function withoutEval<T>(f: () => Promise<T>): Promise<{ value: T; refused: string[] }> {
  const g = globalThis as { Function: FunctionConstructor; eval: (s: string) => unknown };
  const [fn, ev] = [g.Function, g.eval];
  const refused: string[] = [];
  const refuse = (what: string) => {
    refused.push(what);
    throw new EvalError(`${what} refusé (CSP sans 'unsafe-eval')`);
  };
  // A proxy, so `instanceof Function` and Function.prototype still answer as usual.
  g.Function = new Proxy(fn, { apply: () => refuse('Function'), construct: () => refuse('new Function') });
  g.eval = () => refuse('eval');
  try {
    return { value: await f(), refused };
  } catch (e) {
    throw new Error(`${(e as Error).message} — appels refusés : ${refused.join(', ') || 'aucun'}`, { cause: e });
  } finally {
    g.Function = fn;
    g.eval = ev;
  }
}

const lib = suite(async () => openMemorySession('Sans eval', await reportsCorpus()));

describe('reports tables under a CSP without unsafe-eval', () => {
  it('the stub really refuses what apache-arrow builders do (so the tests below can fail)', async () => {
    const { vectorFromArray, Utf8 } = await import('apache-arrow');
    await expect(withoutEval(async () => vectorFromArray(['a', null], new Utf8()))).rejects.toThrow(/Function/);
  });

  it('imports a folder of PDFs and searches it without calling Function or eval', async () => {
    const { value: imported, refused } = await withoutEval(() => lib.session.run(importReports, { path: 'rapports' }));
    expect(refused).toEqual([]);
    expect(imported.tables).toEqual([REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE]);
    const count = async (t: string) => Number((await lib.engine.query(`SELECT count(*) FROM ${t}`)).rows[0]![0]);
    expect(await count(BLOCKS_TABLE)).toBeGreaterThan(0);
    expect(await count(TERMS_TABLE)).toBeGreaterThan(await count(BLOCKS_TABLE));
    const { value: found } = await withoutEval(() => lib.session.run(searchReports, { query: 'contrôle', limit: 3 }));
    const hits = found.detail!.hits;
    expect(hits.length).toBeGreaterThan(0);
    const stored = await lib.engine.query(`SELECT rang, score, bloc_id, extrait, marques FROM ${SEARCH_RESULT_TABLE} ORDER BY rang`);
    expect(stored.rows.map((r) => [Number(r[0]), Number(r[1]), Number(r[2]), r[3], JSON.parse(String(r[4]))])).toEqual(
      hits.map((h) => [h.rang, h.score, h.bloc_id, h.extrait, h.marques]),
    );
  });

  it('keeps every value exactly: quotes, commas, newlines, empty text vs NULL, integers, doubles, dates, booleans', async () => {
    const t = 'rapports_pdf_recommandations';
    await ensureTable(lib.engine, t);
    await lib.engine.exec(`DELETE FROM ${t}`);
    const texts = ['Il a dit « oui », puis "non"\nsur deux lignes\r\net ; virgule, fin', '', "l'apostrophe \\ et la barre"];
    const recs = texts.map((texte, i) => ({
      identifiant_de_la_recommandation: `R${i}`,
      identifiant_du_rapport: i === 1 ? null : 'RAP',
      numero: [3, -42, 2_147_483_647][i],
      recommandation: texte,
      page: i === 1 ? undefined : i + 1,
      date_d_echeance: i === 0 ? '2024-02-29' : null,
      corrigee: i === 0 ? true : i === 1 ? false : null,
    }));
    await withoutEval(() => appendRows(lib.engine, t, recs));
    const back = await lib.engine.query(
      `SELECT identifiant_du_rapport, numero, recommandation, page, CAST(date_d_echeance AS VARCHAR), corrigee, statut FROM ${t} ORDER BY identifiant_de_la_recommandation`,
    );
    expect(
      back.rows.map((r) => [r[0], r[1] === null ? null : Number(r[1]), r[2], r[3] === null ? null : Number(r[3]), r[4], r[5], r[6]]),
    ).toEqual(recs.map((r) => [r.identifiant_du_rapport, r.numero, r.recommandation, r.page ?? null, r.date_d_echeance, r.corrigee, null]));

    const b = 'rapports_pdf_blocs';
    await ensureTable(lib.engine, b);
    const doubles = [0.1, 1 / 3, -1e-300, 612.0000000000001];
    const cols: Record<string, unknown[]> = {};
    const ids = doubles.map((_, i) => 900_000 + i);
    for (const [name] of [
      ['bloc_id'],
      ['sha256'],
      ['fichier'],
      ['page'],
      ['bloc'],
      ['texte'],
      ['niveau_titre'],
      ['colonne'],
      ['nb_termes'],
    ])
      cols[name!] = doubles.map((_, i) =>
        name === 'bloc_id' ? ids[i] : name === 'texte' ? `"${i}"\n` : name === 'sha256' || name === 'fichier' ? 'x' : i,
      );
    for (const name of ['x0', 'y0', 'x1', 'y1', 'largeur_page', 'hauteur_page']) cols[name] = doubles;
    await withoutEval(() => appendColumns(lib.engine, b, cols));
    const xs = await lib.engine.query(`SELECT x0, texte FROM ${b} WHERE bloc_id >= 900000 ORDER BY bloc_id`);
    expect(xs.rows.map((r) => Number(r[0]))).toEqual(doubles);
    expect(xs.rows.map((r) => r[1])).toEqual(doubles.map((_, i) => `"${i}"\n`));

    await ensureTable(lib.engine, TERMS_TABLE);
    const terms = new Int32Array([900_000, 900_001, 900_002]);
    await withoutEval(() =>
      appendColumns(lib.engine, TERMS_TABLE, { bloc_id: terms, terme: ['a', 'b"c', 'd\ne'], position: terms, debut: terms, fin: terms }),
    );
    const tb = await lib.engine.query(`SELECT bloc_id, terme FROM ${TERMS_TABLE} WHERE bloc_id >= 900000 ORDER BY bloc_id`);
    expect(tb.rows.map((r) => [Number(r[0]), r[1]])).toEqual([
      [900_000, 'a'],
      [900_001, 'b"c'],
      [900_002, 'd\ne'],
    ]);
  });
});
