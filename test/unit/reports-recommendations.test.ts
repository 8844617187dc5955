// Recommendations extracted from the reports' text: numbers, text, page and block, the service's
// response from the annex, hand corrections journaled and kept across a new extraction, and the
// follow-up register running on the extracted table with its default columns.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { recommendationsFollowUp } from '../../src/core/findings/follow-up.ts';
import {
  BLOCKS_TABLE,
  correctRecommendation,
  extractRecommendations,
  findRecommendations,
  importReports,
  RECOMMENDATIONS_TABLE,
  REPORTS_TABLE,
} from '../../src/core/reports/index.ts';
import { REPORT_A, REPORT_B, REPORT_C, reportsCorpus } from '../fixtures/pdf-reports.ts';
import { openMemorySession, records, suite } from './helpers.ts';

const lib = suite(async () => {
  const t = await openMemorySession('Recommandations', await reportsCorpus());
  await t.session.run(importReports, { path: 'rapports' });
  return t;
});

const rows = (sql: string) => records(lib.engine, sql);
const flat = (s: unknown) => String(s).replace(/\s+/g, ' ').trim();

describe('findRecommendations (pure)', () => {
  const b = (page: number, texte: string, niveau_titre = 0) => ({ bloc_id: page * 100 + texte.length, page, texte, niveau_titre });

  it('reads the three forms, keeps the first place of a repeated number, and keys responses by number', () => {
    const found = findRecommendations([
      b(2, 'Observations', 2),
      b(2, 'Recommandation 4 – Tenir un registre des avantages en nature.'),
      b(3, 'R 5 : Publier les délibérations.'),
      b(3, '6. Un paragraphe numéroté hors de la liste.'),
      b(9, 'Liste des recommandations', 2),
      b(9, '1. Recenser les biens du domaine privé'),
      b(9, 'et les évaluer chaque année.'),
      b(9, 'Recommandation n°4 : Tenir un registre des avantages en nature.'),
      b(12, 'Observations de la direction', 2),
      b(12, 'Réponse à la recommandation 1 : La direction conteste le calendrier.'),
      b(12, 'Elle propose un recensement en deux ans.'),
      b(13, 'R5 : Acceptée.'),
      b(14, 'Signatures', 2),
      b(14, '1. Ceci n’est plus une réponse.'),
    ]);
    expect(found.map((r) => [r.numero, r.page, r.forme, r.recommandation, r.reponse_du_service, r.page_reponse])).toEqual([
      [
        1,
        9,
        'liste',
        'Recenser les biens du domaine privé et les évaluer chaque année.',
        'La direction conteste le calendrier. Elle propose un recensement en deux ans.',
        12,
      ],
      [4, 2, 'Recommandation n° N', 'Tenir un registre des avantages en nature.', null, null],
      [5, 3, 'R N', 'Publier les délibérations.', 'Acceptée.', 13],
    ]);
  });
});

describe('extract-recommendations', () => {
  it('puts every numbered recommendation in the table with its text, page, block and report, and the annex responses', async () => {
    const res = await lib.session.run(extractRecommendations, {});
    const got = await rows(
      `SELECT r.identifiant_de_la_recommandation AS id, r.identifiant_du_rapport AS rapport, r.numero, r.page, r.forme, r.recommandation, r.reponse_du_service,
         r.page_reponse, r.fichier, r.sha256, r.statut, CAST(r.date_du_statut AS VARCHAR) AS date_statut, r.direction_responsable, r.corrigee,
         b.page AS page_du_bloc, b.texte AS texte_du_bloc, p.sha256 AS sha_rapport
       FROM ${RECOMMENDATIONS_TABLE} r JOIN ${BLOCKS_TABLE} b USING (bloc_id) JOIN ${REPORTS_TABLE} p ON p.identifiant_du_rapport = r.identifiant_du_rapport
       ORDER BY r.fichier, r.numero`,
    );
    const expected = [
      ...REPORT_C.recommendations.map((r) => ({ spec: REPORT_C, r, forme: 'liste' })),
      ...REPORT_B.recommendations.map((r) => ({ spec: REPORT_B, r, forme: 'R N' })),
      ...REPORT_A.recommendations.map((r) => ({ spec: REPORT_A, r, forme: 'Recommandation n° N' })),
    ].sort((x, y) => x.spec.file.localeCompare(y.spec.file) || x.r.n - y.r.n);
    expect(got.map((g) => [g.fichier, g.numero, g.page, g.forme, g.recommandation])).toEqual(
      expected.map((e) => [e.spec.file, e.r.n, e.r.page, e.forme, e.r.text]),
    );
    for (const g of got) {
      expect(g.id).toBe(`${String(g.rapport)}-R${Number(g.numero)}`);
      // The citation holds: the block it names is on its page and says it.
      expect(g.page_du_bloc).toBe(g.page);
      expect(flat(g.texte_du_bloc)).toContain(String(g.recommandation));
      expect(g.sha256).toBe(g.sha_rapport);
      expect(g).toMatchObject({ statut: 'Émise', corrigee: false });
    }
    const a = got.filter((g) => g.fichier === REPORT_A.file);
    expect(a.map((g) => [g.numero, g.reponse_du_service, g.page_reponse])).toEqual([
      [1, REPORT_A.responses[1].text, REPORT_A.responses[1].page],
      [2, REPORT_A.responses[2].text, REPORT_A.responses[2].page],
      [3, null, null],
    ]);
    expect(a.every((g) => g.date_statut === REPORT_A.date && g.direction_responsable === REPORT_A.service)).toBe(true);
    // The paragraph numbered « 3. » under « Conclusion » is not a recommendation of report C.
    expect(got.filter((g) => g.fichier === REPORT_C.file)).toHaveLength(REPORT_C.recommendations.length);
    // The population before the headline: 6 reports, 3 readable, the scanned, encrypted and truncated ones set aside by name.
    expect(res.detail!.population).toMatchObject({ read: 6, used: 3 });
    expect(res.summary).toMatch(
      /^6 rapports lus, 3 rapports lisibles \(50,0\s%\) ; mis de côté : 1 sans texte \(numérisé\(s\)\) \(« rapport-numerise\.pdf »\), 1 chiffré\(s\) \(« rapport-chiffre\.pdf »\), 1 illisible\(s\) \(« rapport-tronque\.pdf »\) — 7 recommandation\(s\) extraite\(s\), 2 avec la réponse du service/,
    );
  });

  it('journals a correction by hand, keeps it across a new extraction, and can withdraw an item', async () => {
    const id = `${REPORT_B.number}-R2`;
    const c = await lib.session.run(correctRecommendation, {
      id,
      page: 4,
      recommandation: 'Réduire à 30 jours les délais de paiement des fournisseurs.',
      motif: 'texte complété page 4',
    });
    expect(c.entry.op).toBe('correct-recommendation');
    expect(c.entry.params).toMatchObject({ id, page: 4 });
    await lib.session.run(correctRecommendation, { id: `${REPORT_C.number}-R2`, supprimer: true, motif: 'doublon' });
    await lib.session.run(extractRecommendations, {});
    const b2 = await rows(
      `SELECT page, recommandation, corrigee FROM ${RECOMMENDATIONS_TABLE} WHERE identifiant_de_la_recommandation = '${id}'`,
    );
    expect(b2).toEqual([{ page: 4, recommandation: 'Réduire à 30 jours les délais de paiement des fournisseurs.', corrigee: true }]);
    expect(await rows(`SELECT * FROM ${RECOMMENDATIONS_TABLE} WHERE identifiant_de_la_recommandation = '${REPORT_C.number}-R2'`)).toEqual(
      [],
    );
    await expect(lib.session.run(correctRecommendation, { id: 'inconnue-R9', page: 2 })).rejects.toThrow(/Recommandation inconnue/);
  });

  it('feeds the follow-up register as is: rates by report and year over the extracted recommendations', async () => {
    const n = Number((await lib.engine.query(`SELECT count(*) FROM ${RECOMMENDATIONS_TABLE}`)).rows[0]![0]);
    const f = await lib.session.run(recommendationsFollowUp, {
      reports: REPORTS_TABLE,
      recommendations: RECOMMENDATIONS_TABLE,
      referenceDate: '2025-01-01',
    });
    expect(f.detail).toMatchObject({ recommendations: n, implemented: 0, open: n, withoutReport: 0 });
    const byYear = await rows(`SELECT annee, nb_rapports, nb_recommandations FROM ${f.detail!.tables.byYear} ORDER BY annee`);
    expect(byYear).toEqual([
      { annee: 2021, nb_rapports: 1, nb_recommandations: REPORT_C.recommendations.length - 1 },
      { annee: 2022, nb_rapports: 1, nb_recommandations: REPORT_B.recommendations.length },
      { annee: 2023, nb_rapports: 1, nb_recommandations: REPORT_A.recommendations.length },
    ]);
    // Before the reports were published, none of their recommendations existed yet.
    const early = await lib.session.run(recommendationsFollowUp, {
      reports: REPORTS_TABLE,
      recommendations: RECOMMENDATIONS_TABLE,
      referenceDate: '2022-01-01',
    });
    expect(early.detail!.recommendations).toBe(REPORT_C.recommendations.length - 1);
  });
});
