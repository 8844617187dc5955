// Searching the reports: French tokens (case, accents, elisions, stop words, stemming), BM25 ranking in
// SQL checked against an independent computation over the same blocks, phrases on consecutive words,
// filters by year and service, and passages returned with their page and the matched words marked.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import {
  BLOCKS_TABLE,
  citeReportPassage,
  importReports,
  REPORTS_TABLE,
  parseQuery,
  searchReports,
  SEARCH_RESULT_TABLE,
  tokenize,
  type SearchHit,
} from '../../src/core/reports/index.ts';
import { REPORT_A, REPORT_B, reportPdf, reportsCorpus } from '../fixtures/pdf-reports.ts';
import { openMemorySession, suite } from './helpers.ts';

const LONG =
  'Ce long paragraphe décrit la procédure budgétaire de la collectivité, ses étapes successives et ses acteurs, les délais de vote, ' +
  'les décisions modificatives et le compte administratif, puis il mentionne enfin la trésorerie des régies municipales au milieu du texte, ' +
  'avant de revenir longuement sur les autorisations de programme, les crédits de paiement et les reports de crédits d’une année sur l’autre.';

// One page per passage, so each is its own block (and its page says which).
const CRAFTED = [
  'Le contrôle interne et le contrôle budgétaire.',
  'Le contrôle des régies est insuffisant et les régies manquent de procédures écrites depuis plusieurs années déjà.',
  'La régie des contrôles techniques.',
  'Les régies d’avances ne font l’objet d’aucun suivi.',
  'L’École municipale a rendu son rapport annuel.',
  LONG,
];

const search = async (params: Record<string, unknown>) => (await lib.session.run(searchReports, params)).detail!;
const craftedPage = (h: SearchHit) => (h.fichier === 'corpus-bm25.pdf' ? h.page : null);

const lib = suite(async () => {
  const crafted = await reportPdf({
    title: 'Corpus BM25',
    created: new Date('2024-05-02T00:00:00Z'),
    pages: CRAFTED.map((t) => [{ kind: 'para', text: t }]),
  });
  const t = await openMemorySession('Recherche', [...(await reportsCorpus()), { name: 'corpus-bm25.pdf', bytes: crafted }]);
  await t.session.run(importReports, { path: 'rapports' });
  return t;
});

describe('French tokens', () => {
  it('fold case and accents, drop elided articles and stop words, stem, and keep positions for phrases', () => {
    const toks = tokenize("L’École des Rapports d'audit");
    expect(toks.map((t) => t.term)).toEqual(['ecol', 'rapport', 'audit']);
    // « des » is a stop word: not indexed, but it holds position 1, so « école … rapports » is not consecutive.
    expect(toks.map((t) => t.position)).toEqual([0, 2, 3]);
    expect(toks.map((t) => "L’École des Rapports d'audit".slice(t.start, t.end))).toEqual(['École', 'Rapports', 'audit']);
    expect(tokenize('rapports')[0]!.term).toBe(tokenize('rapport')[0]!.term);
    expect(tokenize('contrôles')[0]!.term).toBe(tokenize('CONTROLE')[0]!.term);
    expect(tokenize('œuvre')[0]!.term).toBe(tokenize('oeuvre')[0]!.term);
    expect(tokenize('le la les de du des et à')).toEqual([]);
    // A word hyphenated at a line end is one word, its offsets spanning both halves.
    const cut = tokenize('les recom-\nmandations');
    expect(cut.map((t) => [t.term, t.start, t.end])).toEqual([[tokenize('recommandation')[0]!.term, 4, 21]]);
    const [c, r, b] = ['contrôle', 'régies', 'budget'].map((w) => tokenize(w)[0]!.term);
    expect(parseQuery('« contrôle des régies » budget')).toEqual({ terms: [c, r, b], phrases: [{ terms: [c, r], offsets: [0, 2] }] });
  });
});

describe('search-reports', () => {
  it('ranks by BM25 (k1 = 1,2, b = 0,75) exactly as an independent computation over the stored blocks', async () => {
    const blocks = (await lib.engine.query(`SELECT bloc_id, texte FROM ${BLOCKS_TABLE}`)).rows.map((r) => ({
      id: Number(r[0]),
      terms: tokenize(String(r[1])).map((t) => t.term),
    }));
    const docs = blocks.filter((b) => b.terms.length > 0);
    const avgdl = docs.reduce((s, d) => s + d.terms.length, 0) / docs.length;
    const query = tokenize('contrôles régie').map((t) => t.term);
    expect(query).toHaveLength(2);
    const df = (t: string) => docs.filter((d) => d.terms.includes(t)).length;
    const expected = docs
      .map((d) => ({
        id: d.id,
        score: query.reduce((s, t) => {
          const tf = d.terms.filter((x) => x === t).length;
          if (!tf) return s;
          const idf = Math.log(1 + (docs.length - df(t) + 0.5) / (df(t) + 0.5));
          return s + (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * d.terms.length) / avgdl));
        }, 0),
      }))
      .filter((d) => d.score > 0)
      .sort((a, b) => b.score - a.score || a.id - b.id);
    const got = await search({ query: 'contrôles régie', limit: 100 });
    expect(got.total).toBe(expected.length);
    expect(got.hits.map((h) => h.bloc_id)).toEqual(expected.map((e) => e.id));
    got.hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 5));
  });

  it('puts the short passage saying the word twice before the long one saying it once', async () => {
    const got = await search({ query: 'contrôle', reports: undefined, limit: 50 });
    const pages = got.hits.map(craftedPage).filter((p) => p !== null);
    expect(pages.indexOf(1)).toBeLessThan(pages.indexOf(2));
    expect(got.hits[0]).toMatchObject({ fichier: 'corpus-bm25.pdf', page: 1 });
  });

  it('finds a phrase only where its words follow each other, and marks only those words', async () => {
    const got = await search({ query: '"contrôle des régies"' });
    expect(got.hits.map((h) => [h.fichier, h.page])).toEqual([['corpus-bm25.pdf', 2]]);
    const h = got.hits[0]!;
    expect(h.marques.map(([a, b]) => h.extrait.slice(a, b))).toEqual(['contrôle', 'régies']);
    // Same words, other order (« régie des contrôles »): not the phrase.
    expect((await search({ query: '« régie des contrôles »' })).hits.map((x) => x.page)).toEqual([3]);
  });

  it("meets plural and singular, accents and elisions: « rapports » finds « rapport », « d'ecole » finds « L’École »", async () => {
    const rapports = await search({ query: 'rapports', limit: 100 });
    const texts = rapports.hits.map((h) => h.texte);
    expect(texts).toContain('L’École municipale a rendu son rapport annuel.');
    expect(texts.some((t) => /Le rapport porte/.test(t))).toBe(true);
    const ecole = await search({ query: "d'ecole" });
    expect(ecole.hits.map((h) => [h.fichier, h.page])).toEqual([['corpus-bm25.pdf', 5]]);
    expect(ecole.hits[0]!.marques.map(([a, b]) => ecole.hits[0]!.extrait.slice(a, b))).toEqual(['École']);
  });

  it('filters by year and service, and cuts a long passage around the match with the marks moved along', async () => {
    const all = await search({ query: 'subventions', limit: 100 });
    expect(new Set(all.hits.map((h) => h.fichier))).toEqual(new Set([REPORT_A.file]));
    expect((await search({ query: 'subventions', yearTo: 2022 })).total).toBe(0);
    expect((await search({ query: 'subventions', yearFrom: 2023, yearTo: 2023 })).total).toBe(all.total);
    const crèches = await search({ query: 'crèches', services: [REPORT_B.service] });
    expect(crèches.total).toBeGreaterThan(0);
    expect(crèches.hits.every((h) => h.entite_auditee === REPORT_B.service && h.annee === 2022)).toBe(true);
    expect((await search({ query: 'crèches', services: [REPORT_A.service] })).total).toBe(0);

    const long = (await search({ query: 'trésorerie' })).hits[0]!;
    expect(long.texte.replace(/\s+/g, ' ')).toBe(LONG);
    expect(long.extrait.length).toBeLessThan(long.texte.length);
    expect(long.extrait.startsWith('…') && long.extrait.endsWith('…')).toBe(true);
    expect(long.marques.map(([a, b]) => long.extrait.slice(a, b))).toEqual(['trésorerie']);
  });

  it('is a journaled read: the passages land in a result table and the query replays to the same digest', async () => {
    const a = await lib.session.run(searchReports, { query: 'contrôle', limit: 5 });
    // What was searched comes before what was found.
    const searched = Number((await lib.engine.query(`SELECT count(*) FROM ${BLOCKS_TABLE} WHERE nb_termes > 0`)).rows[0]![0]);
    expect(a.summary).toMatch(
      new RegExp(
        `^« contrôle » : ${searched} bloc\\(s\\) de texte cherché\\(s\\) ; ${a.detail!.total} passage\\(s\\) trouvé\\(s\\), 5 premier\\(s\\) rendu\\(s\\) — `,
      ),
    );
    const stored = await lib.engine.query(`SELECT rang, bloc_id, page, extrait, marques FROM ${SEARCH_RESULT_TABLE} ORDER BY rang`);
    expect(stored.rows.map((r) => Number(r[1]))).toEqual(a.detail!.hits.map((h) => h.bloc_id));
    expect(JSON.parse(String(stored.rows[0]![4]))).toEqual(a.detail!.hits[0]!.marques);
    expect(a.entry.op).toBe('search-reports');
    expect(a.entry.params).toMatchObject({ query: 'contrôle', limit: 5 });
    const b = await lib.session.run(searchReports, a.entry.params);
    expect(b.entry.output?.digest).toBe(a.entry.output?.digest);
    await expect(lib.session.run(searchReports, { query: 'le la les' })).rejects.toThrow(/mots vides/);
    const none = await lib.session.run(searchReports, { query: 'subventions', yearTo: 2022 });
    expect(none.summary).toBe(`« subventions » : ${searched} bloc(s) de texte cherché(s), filtres : années ≤ 2022 ; aucun passage trouvé`);
  });

  it('cites a passage found in a standard form: publisher, title, number, date, page, quoted words and SHA-256', async () => {
    const h = (await search({ query: '"versement des fonds"' })).hits[0]!;
    const r = (
      await lib.engine.query(`SELECT numero_rapport, CAST(date_du_rapport AS VARCHAR) FROM ${REPORTS_TABLE} WHERE sha256 = '${h.sha256}'`)
    ).rows[0]!;
    const cite = citeReportPassage({ ...h, numero_rapport: r[0] as string, date_du_rapport: r[1] as string, texte: h.texte });
    expect(cite).toBe(
      `Inspection générale de la Ville de Paris, « ${REPORT_A.title} », rapport n° ${REPORT_A.number}, 15 mars 2023, p. ${REPORT_A.columnsPage} : ` +
        `« ${REPORT_A.rightColumn[0]} » (${REPORT_A.file}, SHA-256 ${h.sha256}).`,
    );
  });
});
