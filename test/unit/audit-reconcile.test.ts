import { describe, expect, it } from 'vitest';
import { getOperation } from '../../src/core/ops/registry.ts';
import { DUPLICATE_PAYMENT, PAYMENT_WITHOUT_VOTE } from '../../src/demo/anomalies.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';
import { openDemoSession, records, suite } from './helpers.ts';

const b = auditSuite({
  // Payments (left): line 2 repeats line 1; line 3's SIRET lost its leading zeros in a spreadsheet;
  // line 5's SIRET is written with spaces and its amount differs from the vote; line 6 has no SIRET.
  versements: `SELECT * FROM (VALUES
      ('48231765800011', 2023, 18750.0, 'Saison 2023'),
      ('48231765800011', 2023, 18750.0, 'Saison 2023'),
      ('123456789012', 2022, 5000.0, 'Atelier'),
      ('53904127700010', 2022, 24000.0, 'Fonctionnement'),
      (' 7990 1234 5000 17', 2021, 1200.0, 'Fête'),
      (NULL, 2021, 300.0, 'x')
    ) t(siret, exercice, montant, objet)`,
  // Votes (right): SIRET as a number, the year as a DOUBLE, amounts as DECIMAL; one body voted twice in
  // 2021 and once in 2020, never paid.
  votes: `SELECT "SIRET", "Année", CAST("Montant voté" AS DECIMAL(12, 2)) AS "Montant voté", "Objet" FROM (VALUES
      (48231765800011, 2023.0, 18750, 'Saison 2023'),
      (123456789012, 2022.0, 5000, 'Atelier'),
      (79901234500017, 2021.0, 1500, 'FETE '),
      (11122233300044, 2020.0, 800, 'Voté non payé'),
      (11122233300044, 2021.0, 900, 'a'),
      (11122233300044, 2021.0, 950, 'b')
    ) t("SIRET", "Année", "Montant voté", "Objet")`,
  declarations: `SELECT * FROM (VALUES
      ('Mme A', 'Association Les Amis du Canal'),
      ('M. B', 'Théâtre de la Ville'),
      ('M. B', 'Club sportif Pernety'),
      ('Mme C', 'Les Amis du Canal'),
      ('Mme C', 'Fondation Sans Lien'),
      ('M. D', NULL)
    ) t(elu, organisme)`,
  subventions: `SELECT * FROM (VALUES
      ('LES AMIS DU CANAL (ASSO)', 10000.0),
      ('Les amis du canal', 5000.0),
      ('Theatre de la Villes', 20000.0),
      ('Compagnie Sans Rapport', 3000.0)
    ) t(beneficiaire, montant)`,
});
const sp = (x: unknown) => String(x).replace(/[\u202f\u00a0]/g, ' ');

const BASE = {
  left: 'versements',
  right: 'votes',
  keys: [
    { left: 'siret', right: 'SIRET', mode: 'siret' },
    { left: 'exercice', right: 'Année' },
  ],
  compare: [
    { left: 'montant', right: 'Montant voté' },
    { left: 'objet', right: 'Objet', mode: 'key' },
  ],
  amount: { left: 'montant', right: 'Montant voté' },
};

describe('reconcile', () => {
  it('matches normalised keys, lists differences, keeps one-sided keys and groups duplicates instead of multiplying them', async () => {
    const r = await b.run('reconcile', BASE);
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.statut, x.cle_siret, x.cle_exercice, x.nb_gauche, x.nb_droite, x.doublon, x.colonnes_en_ecart])).toEqual([
      ['seulement_gauche', '53904127700010', '2022', 1, 0, null, null],
      ['seulement_droite', '11122233300044', '2020', 0, 1, null, null],
      ['seulement_droite', '11122233300044', '2021', 0, 2, 'droite', null],
      ['apparie_avec_ecarts', '79901234500017', '2021', 1, 1, null, 'montant'],
      ['sans_cle_gauche', null, '2021', 1, 0, null, null],
      ['apparie', '00123456789012', '2022', 1, 1, null, null],
      ['apparie', '48231765800011', '2023', 2, 1, 'gauche', null],
    ]);
    const ecart = rows[3]!;
    expect([ecart.gauche_montant, ecart['droite_Montant voté'], ecart.ecart_montant, ecart.gauche_objet, ecart.droite_Objet]).toEqual([
      1200,
      1500,
      true,
      'FETE',
      'FETE',
    ]);
    expect(ecart.ecart_objet).toBe(false);
    const dup = rows[6]!;
    expect([dup.lignes_gauche, dup.lignes_droite, dup.montant_gauche, dup.montant_droite]).toEqual(['[1,2]', '[1]', 37500, 18750]);
    expect(rows[4]).toMatchObject({ lignes_gauche: '[6]', montant_gauche: 300 });
    expect(r.detail).toEqual({
      preset: null,
      statuses: { apparie: 2, apparie_avec_ecarts: 1, seulement_gauche: 1, seulement_droite: 2, sans_cle_gauche: 1, sans_cle_droite: 0 },
      rows: { left: 6, right: 6, leftNoKey: 1, rightNoKey: 0 },
      duplicateKeys: { left: 1, leftRows: 2, right: 1, rightRows: 2 },
      differences: { montant: 1, objet: 0 },
      amounts: { left: 68000, right: 27900, matchedLeft: 43700, matchedRight: 25250, onlyLeft: 24300, onlyRight: 2650 },
    });
    expect(sp(r.summary)).toBe(
      'Rapprochement de « versements » (gauche, 6 lignes) et de « votes » (droite, 6 lignes) sur « siret » = « SIRET » (siret), « exercice » = « Année » (key) : ' +
        '3 clés appariées dont 1 avec écarts (« montant » : 1, « objet » : 0), 1 seulement à gauche, 2 seulement à droite. ' +
        'Clés en double, regroupées et non multipliées : 1 à gauche (2 lignes), 1 à droite (2 lignes). ' +
        'Lignes sans clé, non rapprochées : 1 à gauche, 0 à droite. ' +
        'Montants : 68 000,00 € à gauche (dont 24 300,00 € hors appariement), 27 900,00 € à droite (dont 2 650,00 € hors appariement).',
    );
  });

  it('compares text exactly unless a normalisation is asked for', async () => {
    const r = await b.run('reconcile', { ...BASE, compare: [{ left: 'objet', right: 'Objet' }], amount: undefined });
    const rows = await b.rows(r.table!);
    const fete = rows.find((x) => x.cle_siret === '79901234500017')!;
    expect([fete.statut, fete.gauche_objet, fete.droite_Objet, fete.colonnes_en_ecart]).toEqual([
      'apparie_avec_ecarts',
      'Fête',
      'FETE ',
      'objet',
    ]);
    expect(r.detail?.amounts).toBeNull();
  });

  it('interests-vs-subsidies lists exact and near name matches for review, with the caution', async () => {
    const r = await b.run('reconcile', {
      left: 'declarations',
      right: 'subventions',
      preset: 'interests-vs-subsidies',
      keys: [{ left: 'organisme', right: 'beneficiaire' }],
      amount: { right: 'montant' },
      show: { left: ['elu'] },
    });
    const rows = await b.rows(r.table!);
    expect(
      rows.map((x) => [
        x.statut,
        x.nom_normalise_gauche,
        x.noms_gauche,
        x.noms_droite,
        x.nb_gauche,
        x.nb_droite,
        x.montant_droite,
        x.gauche_elu,
      ]),
    ).toEqual([
      [
        'apparie',
        'LES AMIS DU CANAL',
        'Association Les Amis du Canal | Les Amis du Canal',
        'LES AMIS DU CANAL (ASSO) | Les amis du canal',
        2,
        2,
        15000,
        'Mme A | Mme C',
      ],
    ]);
    expect(r.detail).toMatchObject({
      preset: 'interests-vs-subsidies',
      statuses: { apparie: 1, apparie_approche: 0 },
      rows: { leftNoKey: 1 },
    });
    expect(r.summary).toContain('une correspondance de noms n’est pas un conflit d’intérêts');

    const fuzzy = await b.run('reconcile', {
      left: 'declarations',
      right: 'subventions',
      preset: 'interests-vs-subsidies',
      keys: [{ left: 'organisme', right: 'beneficiaire' }],
      threshold: 0.95,
      show: { left: ['elu'] },
    });
    const f = await b.rows(fuzzy.table!);
    expect(f.map((x) => [x.statut, x.nom_normalise_gauche, x.nom_normalise_droite, x.gauche_elu])).toEqual([
      ['apparie', 'LES AMIS DU CANAL', 'LES AMIS DU CANAL', 'Mme A | Mme C'],
      ['apparie_approche', 'THEATRE DE LA VILLE', 'THEATRE DE LA VILLES', 'M. B'],
    ]);
    expect(f[1]!.similarite).toBeGreaterThanOrEqual(0.95);
    expect(f[1]!.similarite).toBeLessThan(1);
    expect(sp(fuzzy.summary)).toContain(
      '1 correspondance exacte, 1 correspondance approchée (Jaro-Winkler ≥ 0,95), pour 2 organismes déclarés.',
    );
  });

  it('refuses bad parameters with a clear message', async () => {
    await expect(b.run('reconcile', { ...BASE, right: 'absente' })).rejects.toThrow(/Table inconnue : « absente »/);
    await expect(b.run('reconcile', { ...BASE, keys: [{ left: 'siret', right: 'siret' }] })).rejects.toThrow(
      /Colonne inconnue dans « votes » : « siret »/,
    );
    await expect(b.run('reconcile', { ...BASE, amount: { left: 'objet' } })).rejects.toThrow(/n'est pas numérique/);
    await expect(b.run('reconcile', { ...BASE, keys: [] })).rejects.toThrow(/Paramètres invalides/);
    await expect(b.run('reconcile', { ...BASE, keys: [{ left: 'siret', right: 'SIRET', mode: 'soundex' }] })).rejects.toThrow(
      /Paramètres invalides/,
    );
    await expect(b.run('reconcile', { ...BASE, threshold: 0.9 })).rejects.toThrow(/interests-vs-subsidies/);
    await expect(b.run('reconcile', { ...BASE, preset: 'interests-vs-subsidies' })).rejects.toThrow(/une seule paire de clés/);
  });
});

describe('reconcile on the demo workspace', () => {
  const demo = suite(() =>
    openDemoSession('loupe-reconcile-demo-', 'x', {
      versees: 'subventions/subventions-versees.csv',
      votees: 'subventions/subventions-votees.csv',
    }),
  );

  it('paid vs voted by SIRET and year surfaces the payment without a vote and the body paid twice', async () => {
    const paid = demo.session.catalog.list().find((x) => x.name.includes('versees'))!;
    const voted = demo.session.catalog.list().find((x) => x.name.includes('votees'))!;
    const col = (t: typeof paid, re: RegExp) => t.columns.map((c) => c.name).find((c) => re.test(c))!;
    const r = await demo.session.run(getOperation('reconcile')!, {
      left: paid.name,
      right: voted.name,
      keys: [
        { left: col(paid, /siret/), right: col(voted, /siret/), mode: 'siret' },
        { left: col(paid, /exercice/), right: col(voted, /^annee/) },
      ],
      amount: { left: col(paid, /montant/), right: col(voted, /montant/) },
    });
    const rows = await records(demo.engine, `SELECT * FROM "${r.table}"`);
    const keyCols = Object.keys(rows[0]!).filter((c) => c.startsWith('cle_'));
    const key = (x: Record<string, unknown>) => keyCols.map((c) => x[c]).join('/');
    expect(rows.filter((x) => x.statut === 'seulement_gauche').map(key)).toEqual([
      `${PAYMENT_WITHOUT_VOTE.siret}/${PAYMENT_WITHOUT_VOTE.year}`,
    ]);
    // Paid more than voted on a matched key: only the body paid twice (many bodies are paid a vote in
    // several instalments, so the number of rows alone does not tell).
    const over = rows.filter((x) => String(x.statut).startsWith('apparie') && Number(x.ecart_montant) > 0);
    expect(over.map(key)).toEqual([`${DUPLICATE_PAYMENT.siret}/${DUPLICATE_PAYMENT.year}`]);
    expect(over[0]).toMatchObject({
      nb_gauche: 2,
      nb_droite: 1,
      doublon: 'gauche',
      montant_gauche: 2 * DUPLICATE_PAYMENT.amount,
      montant_droite: DUPLICATE_PAYMENT.amount,
      ecart_montant: DUPLICATE_PAYMENT.amount,
    });
    expect(r.summary).toContain('1 seulement à gauche');
  });
});
