// The search index (#18) against the definition it stands for: on a generated library, every search's
// passages, order, scores and count equal a plain BM25 computed in SQL straight over the raw terms
// table (the ranking the index replaced) — after the first import, after adding reports, after a report
// re-imported, and after the index was lost or the tables changed behind its back (it rebuilds itself).
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { bytesSourceFile } from '../../src/core/ingest/source.ts';
import { BLOCKS_TABLE, importReports, parseQuery, REPORTS_TABLE, searchReports, TERMS_TABLE } from '../../src/core/reports/index.ts';
import { INDEX_SCHEMA } from '../../src/core/reports/search-index.ts';
import { quoteLiteral } from '../../src/core/sql/ident.ts';
import { reportPdf } from '../fixtures/pdf-reports.ts';
import { QUERIES, reportPages } from '../bench/reports.ts';
import { openMemorySession, suite } from './helpers.ts';

// The bench's generator (Zipfian vocabulary, real French words spread over the ranks), on a few pages.
const PAGES = 6;
const pdfOf = (i: number) => reportPdf({ pages: reportPages(i).slice(0, PAGES) });
const nameOf = (i: number) => `rapport-${i}.pdf`;

/** BM25 as the issue defines it, over rapports_pdf_termes itself: no vocabulary, no postings, no stored weight. */
function plainBm25(query: string, p: Record<string, unknown> = {}): string {
  const q = parseQuery(query);
  const phrases = q.phrases.map((ph, i) => {
    const joins = ph.terms
      .slice(1)
      .map(
        (t, j) =>
          `JOIN ${TERMS_TABLE} p${j + 1} ON p${j + 1}.bloc_id = p0.bloc_id AND p${j + 1}.terme = ${quoteLiteral(t)} AND p${j + 1}.position = p0.position + ${ph.offsets[j + 1]}`,
      )
      .join(' ');
    return `JOIN (SELECT DISTINCT p0.bloc_id FROM ${TERMS_TABLE} p0 ${joins} WHERE p0.terme = ${quoteLiteral(ph.terms[0]!)}) ph${i} USING (bloc_id)`;
  });
  const where = [
    p.yearFrom !== undefined ? `r.annee >= ${Number(p.yearFrom)}` : '',
    p.yearTo !== undefined ? `r.annee <= ${Number(p.yearTo)}` : '',
    Array.isArray(p.services) ? `r.entite_auditee IN (${p.services.map((s) => quoteLiteral(String(s))).join(', ')})` : '',
  ].filter(Boolean);
  return `WITH docs AS (SELECT bloc_id, sha256, nb_termes::DOUBLE AS dl FROM ${BLOCKS_TABLE} WHERE nb_termes > 0),
    stats AS (SELECT count(*)::DOUBLE AS n, avg(dl) AS avgdl FROM docs),
    tf AS (SELECT bloc_id, terme, count(*)::DOUBLE AS tf FROM ${TERMS_TABLE} WHERE terme IN (${q.terms.map(quoteLiteral).join(', ')}) GROUP BY ALL),
    df AS (SELECT terme, count(*)::DOUBLE AS df FROM tf GROUP BY terme),
    scored AS (SELECT bloc_id, sum(ln(1 + (n - df + 0.5) / (df + 0.5)) * tf * 2.2::DOUBLE
        / (tf + 1.2::DOUBLE * (1 - 0.75::DOUBLE + 0.75::DOUBLE * dl / avgdl))) AS score
      FROM tf JOIN df USING (terme) JOIN docs USING (bloc_id) CROSS JOIN stats GROUP BY bloc_id)
    SELECT s.bloc_id, round(s.score, 6) AS score FROM scored s ${phrases.join(' ')}
      JOIN docs d USING (bloc_id) JOIN ${REPORTS_TABLE} r ON r.sha256 = d.sha256 ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY s.score DESC, s.bloc_id`;
}

// Words from very common to absent, a phrase whose words are common, one never written, one with a word the library lacks.
const CASES: Record<string, unknown>[] = [
  ...QUERIES,
  { query: 'contrôle' },
  { query: 'contrôle subvention marché' },
  { query: '"contrôle de la"' },
  { query: '"subvention contrôle" fraude' },
  { query: 'xylophone' },
  { query: '"contrôle xylophone"' },
  { query: 'contrôle xylophone' },
];

async function expectPlainBm25(): Promise<number> {
  let compared = 0;
  for (const c of CASES) {
    const got = (await lib.session.run(searchReports, { ...c, limit: 1000 })).detail!;
    const want = (await lib.engine.query(plainBm25(String(c.query), c))).rows.map((r) => [Number(r[0]), Number(r[1])]);
    expect(got.total, String(c.query)).toBe(want.length);
    expect(
      got.hits.map((h) => [h.bloc_id, h.score]),
      String(c.query),
    ).toEqual(want.slice(0, 1000));
    compared += want.length;
  }
  return compared;
}

const lib = suite(async () => {
  const pdfs = [];
  for (let i = 0; i < 5; i++) pdfs.push({ name: nameOf(i), bytes: await pdfOf(i) });
  const t = await openMemorySession('Index', pdfs, 'lib');
  await t.session.run(importReports, { path: 'lib' });
  return t;
}, 300_000);

describe('search index', () => {
  it('ranks every query exactly as a plain BM25 over the raw terms table', async () => {
    // Enough passages compared that a wrong df, length norm or phrase would show.
    expect(await expectPlainBm25()).toBeGreaterThan(500);
  }, 120_000);

  it('stays exact when reports are added and when one is re-imported (the statistics of the whole library move)', async () => {
    const before = Number((await lib.engine.query(`SELECT n FROM ${INDEX_SCHEMA}.etat`)).rows[0]![0]);
    for (let i = 5; i < 8; i++) lib.files.add(bytesSourceFile(await pdfOf(i), nameOf(i), `more/${nameOf(i)}`));
    await lib.session.run(importReports, { path: 'more' });
    expect(Number((await lib.engine.query(`SELECT n FROM ${INDEX_SCHEMA}.etat`)).rows[0]![0])).toBeGreaterThan(before);
    await expectPlainBm25();
    // Same file again: its blocks come back under new ids, the old ones gone from the index too.
    const ids = async () => (await lib.engine.query(`SELECT min(bloc_id) FROM ${BLOCKS_TABLE} WHERE fichier = '${nameOf(0)}'`)).rows[0]![0];
    const old = await ids();
    await lib.session.run(importReports, { path: `lib/${nameOf(0)}` });
    expect(await ids()).not.toBe(old);
    await expectPlainBm25();
  }, 240_000);

  it('rebuilds itself when it is missing or the tables changed without an import, and says so in the journal', async () => {
    await lib.engine.exec(`DROP SCHEMA ${INDEX_SCHEMA} CASCADE`);
    const first = await lib.session.run(searchReports, { query: 'subvention' });
    expect(first.entry.sql!.some((s) => s.includes(`${INDEX_SCHEMA}`) && /CREATE OR REPLACE TABLE/.test(s))).toBe(true);
    const again = await lib.session.run(searchReports, { query: 'subvention' });
    expect(again.entry.sql).toHaveLength(1);
    expect(again.entry.output?.digest).toBe(first.entry.output?.digest);
    // A report taken out by hand: N, the mean length and df change, so does every weight.
    await lib.engine.exec(
      `DELETE FROM ${TERMS_TABLE} WHERE bloc_id IN (SELECT bloc_id FROM ${BLOCKS_TABLE} WHERE fichier = '${nameOf(3)}')`,
    );
    await lib.engine.exec(`DELETE FROM ${BLOCKS_TABLE} WHERE fichier = '${nameOf(3)}'`);
    await expectPlainBm25();
  }, 240_000);
});
