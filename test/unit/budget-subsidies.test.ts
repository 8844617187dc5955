import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../../src/core/ops/registry.ts';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import {
  proposeSubsidyColumns,
  subsidiesReconcile,
  type SubsidiesDetail,
  type SubsidiesParams,
  type SubsidyFlag,
} from '../../src/core/budget/subsidies.ts';
import * as P from '../fixtures/paris-subsidies.ts';
import {
  addTable,
  cleanSubsidies,
  S1,
  S2,
  S3,
  scratchEngine,
  siret,
  SUB_PAID_HEADER,
  SUB_VOTE_HEADER,
  type Cell,
} from '../fixtures/budget-fixtures.ts';
import { suite } from './helpers.ts';

const bench = suite(scratchEngine);
let n = 0;

async function run(edit: (c: { vote: Cell[][]; paid: Cell[][] }) => void = () => {}, params: Record<string, unknown> = {}) {
  const c = cleanSubsidies();
  edit(c);
  const k = n++;
  await addTable(bench.ctx, `sv${k}`, SUB_VOTE_HEADER, c.vote);
  await addTable(bench.ctx, `sp${k}`, SUB_PAID_HEADER, c.paid);
  const res = await runOperation(bench.ctx, subsidiesReconcile, { voted: `sv${k}`, paid: `sp${k}`, ...params });
  const flagged = await bench.engine.query(
    `SELECT flag, beneficiaire, siret, CAST(ecart AS DOUBLE), explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag`,
  );
  return { res, flagged: flagged.rows, flags: flagged.rows.map((r) => r[0] as SubsidyFlag) };
}

describe('subsidies-reconcile', () => {
  it('matches voted and paid by SIRET, exact name and approximate name, and finds nothing wrong in a clean set', async () => {
    const { res, flags } = await run();
    expect(flags).toEqual([]);
    const rows = await bench.engine.query(
      `SELECT beneficiaire, methode, round(score, 2), CAST(montant_vote AS DOUBLE), CAST(montant_verse AS DOUBLE) FROM "${res.table}" WHERE portee = 'beneficiaire' ORDER BY montant_vote DESC`,
    );
    expect(rows.rows.map((r) => r.slice(0, 2))).toEqual([
      ['Association Les Amis du Square', 'siret'],
      ['Compagnie du Matin', 'nom exact'],
      ['Club sportif Bercy', 'nom approché'],
    ]);
    const fuzzy = rows.rows[2]!;
    expect(Number(fuzzy[2])).toBeGreaterThanOrEqual(0.92);
    expect(Number(fuzzy[2])).toBeLessThan(1);
    expect(res.detail?.voted).toBe(1800);
    expect(res.detail?.paid).toBe(1800);
    expect(res.detail?.top[0]).toMatchObject({ beneficiary: 'Association Les Amis du Square', paid: 1000 });
    // Three paid beneficiaries: a « top 10 » share would be 100 % by construction, so none is given.
    expect(res.detail?.concentration.top10).toBeNull();
    expect(res.detail?.concentration.refused).toMatch(/3 bénéficiaires payés seulement/);
    expect(res.summary).toContain('Aucun signal');
  });

  it('lists the names a body was paid under, and its methods, in a fixed order, so a replay gives the same digest', async () => {
    const { res } = await run((c) => {
      c.paid.push(['M10', 2022, 'Zèbre — Les Amis du Square', S1, 1]);
      c.paid.push(['M11', 2022, 'ASSOC LES AMIS DU SQUARE', S1, 1]);
    });
    const r = await bench.engine.query(
      `SELECT noms_verses FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire = 'Association Les Amis du Square' AND noms_verses IS NOT NULL`,
    );
    const names = String(r.rows[0]![0]).split(' | ');
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names).toEqual([...names].sort());
  });

  it('verse_sans_vote: a payment to a body no vote names', async () => {
    const { flags, flagged } = await run((c) => c.paid.push(['M9', 2022, 'Collectif Horizon Solidaire', S3, 24000]));
    expect(flags).toEqual(['verse_sans_vote']);
    expect(flagged[0]?.slice(1, 3)).toEqual(['Collectif Horizon Solidaire', S3]);
  });

  it('does not match two different SIRENs by name, however alike the names', async () => {
    const { flags } = await run((c) => c.paid.push(['M9', 2022, 'Compagnie du Matin', S3, 100]));
    expect(flags).toEqual(['verse_sans_vote']);
  });

  it('matches another establishment of the same legal person by its SIREN', async () => {
    const { res, flags } = await run((c) => {
      c.paid.find((r) => r[0] === 'M3')![3] = siret(S2.slice(0, 9) + '0009');
    });
    expect(flags).toEqual([]);
    const m = await bench.engine.query(
      `SELECT methode FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire = 'Compagnie du Matin'`,
    );
    expect(m.rows).toEqual([['siren']]);
  });

  it('matches names whose words come in another order, on both sides', async () => {
    const { res, flags } = await run((c) => {
      c.vote.push(['2022_00007', 2022, 'Les habitants du quartier Amérique (Fédération)', null, 'DDCT', 'Fête', 2500]);
      c.vote.push(['2023_00001', 2023, 'Fédération  Les habitants du quartier Amérique', null, 'DDCT', 'Café', 1000]);
      c.paid.push(['M8', 2023, 'HABITANTS DU QUARTIER AMERIQUE (FEDERATION LES)', null, 3500]);
    });
    expect(flags).toEqual([]);
    const m = await bench.engine.query(
      `SELECT methode, nb_dossiers, CAST(montant_verse AS DOUBLE) FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire LIKE '%Amérique%'`,
    );
    expect(m.rows).toEqual([['mêmes mots', 2, 3500]]);
  });

  it('vote_jamais_verse: a vote with no payment', async () => {
    const { flags, flagged } = await run((c) => c.vote.push(['2022_00004', 2022, 'Théâtre sans public', S3, 'DAC', 'Saison', 200]));
    expect(flags).toEqual(['vote_jamais_verse']);
    expect(flagged[0]?.[1]).toBe('Théâtre sans public');
  });

  it('verse_superieur_vote: a subsidy paid twice', async () => {
    const { flags, flagged } = await run((c) => c.paid.push(['M5', 2022, 'Compagnie du Matin', S2, 500]));
    expect(flags).toEqual(['verse_superieur_vote']);
    expect(flagged[0]?.[3]).toBe(500);
    expect(flagged[0]?.[4]).toMatch(/1\s000 € versés en 2 versement\(s\) pour 500 € votés/);
  });

  it('siret_invalide: a SIRET failing Luhn, found in both tables', async () => {
    const bad = S3.slice(0, 12) + S3[13] + S3[12];
    const { flags, flagged } = await run((c) => {
      c.vote.push(['2022_00005', 2022, 'Association sportive des Peupliers', bad, 'DJS', 'Stage', 6200]);
      c.paid.push(['M6', 2022, 'Association sportive des Peupliers', bad, 6200]);
    });
    expect(S3[12]).not.toBe(S3[13]);
    expect(flags).toEqual(['siret_invalide']);
    expect(flagged[0]?.[4]).toContain('votes et versements');
  });

  it('a SIRET typed wrong once does not make a second body of the same name, nor a tie for its payments', async () => {
    const bad = S1[0]! + S1[2] + S1[1] + S1.slice(3);
    const { res, flags } = await run((c) => {
      c.vote.push(['2022_00008', 2022, 'Association Les Amis du Square', bad, 'DAC', 'Goûter', 100]);
      c.paid.push(['M12', 2022, 'Les Amis du Square', null, 100]);
    });
    expect(S1[1]).not.toBe(S1[2]);
    expect(flags).toEqual(['siret_invalide']);
    const r = await bench.engine.query(
      `SELECT siret, CAST(montant_vote AS DOUBLE), CAST(montant_verse AS DOUBLE) FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire LIKE '%Amis du Square%'`,
    );
    expect(r.rows).toEqual([[S1, 1100, 1100]]);
  });

  it('plusieurs_directions: a beneficiary funded by two directions', async () => {
    const { flags, flagged } = await run((c) => {
      c.vote.push(['2022_00006', 2022, 'Association Les Amis du Square', S1, 'DJS', 'Tournoi', 100]);
      c.paid.push(['M7', 2022, 'Les Amis du Square', S1, 100]);
    });
    expect(flags).toEqual(['plusieurs_directions']);
    expect(flagged[0]?.[4]).toContain('DAC, DJS');
  });

  it('normalises names: case, accents, legal-form words and punctuation', async () => {
    const { normalizeNameSql } = await import('../../src/core/audit/normalize.ts');
    const r = await bench.engine.query(
      `SELECT ${normalizeNameSql('x')} FROM (VALUES ('Association « Les Amis » du Square'), ('ASSOC. LES AMIS DU SQUARE'), ('les amis du square (asso)')) t(x)`,
    );
    expect(new Set(r.rows.map((x) => x[0]))).toEqual(new Set(['LES AMIS DU SQUARE']));
  });
});

describe('subsidies-reconcile on the traps of the real 2013 Paris file (generated copy)', () => {
  const e = P.expected();
  let res: Awaited<ReturnType<typeof runOperation<SubsidiesParams, SubsidiesDetail>>>;
  const q = async (sql: string) => (await bench.engine.query(sql.replaceAll('$t', `"${res.table}"`))).rows;
  beforeAll(async () => {
    await addTable(bench.ctx, 'votes_2013', P.VOTES_2013_HEADER, P.votesRows());
    await addTable(bench.ctx, 'annexe_2021', P.PAID_2021_HEADER, P.paidRows());
    res = await runOperation(bench.ctx, subsidiesReconcile, { voted: 'votes_2013', paid: 'annexe_2021' });
  });

  it('finds the columns from the headers as published (partner name, N° SIRET, amount voted per request, name, montant_total)', () => {
    expect(res.detail?.columns.voted).toMatchObject({
      beneficiary: 'nom_du_partenaire',
      siret: 'n_siret',
      amount: 'montant_vote_par_demande',
      year: 'annee_budgetaire',
      dossier: 'numero_de_dossier',
    });
    expect(res.detail?.columns.paid).toMatchObject({ beneficiary: 'name', amount: 'montant_total', year: 'exercice' });
  });

  it('does not pour a payment into a beneficiary already paid exactly: no phantom overpayment of Théâtre de la Véranda', async () => {
    expect(await q(`SELECT flag FROM $t WHERE flag = 'verse_superieur_vote'`)).toEqual([]);
    const veranda = await q(
      `SELECT methode, CAST(montant_vote AS DOUBLE), CAST(montant_verse AS DOUBLE) FROM $t WHERE portee = 'beneficiaire' AND beneficiaire = 'Théâtre de la Véranda'`,
    );
    expect(veranda).toEqual([['nom exact', 6000, 6000]]);
    const ville = e.unmatched.find((p) => p.name === 'THEATRE DE LA VILLE')!;
    const [row] = await q(
      `SELECT CAST(ecart AS DOUBLE), explication FROM $t WHERE flag = 'verse_sans_vote' AND noms_verses = 'THEATRE DE LA VILLE'`,
    );
    expect(row?.[0]).toBe(ville.amount);
    // The near name was found (92,1 % ≥ 92 %) and set aside for the right reason, and the explanation says so.
    expect(String(row?.[1])).toMatch(
      /nom le plus proche : « Théâtre de la Véranda » \(92,1 %\), non retenu : ce bénéficiaire est déjà rapproché exactement/,
    );
  });

  it('pairs one paid name with one beneficiary: the closer spelling wins, the other stays a payment without a vote', async () => {
    const won = e.matched.find((p) => p.outcome.kind === 'matched' && p.outcome.method === 'nom approché')!;
    const rows = await q(
      `SELECT noms_verses, methode, cle IS NOT NULL FROM $t WHERE portee = 'versement' AND beneficiaire = 'Association Sportive Belleville'`,
    );
    expect(rows).toEqual([[won.name, 'nom approché', true]]);
    const lost = e.unmatched.find((p) => p.outcome.kind === 'verse_sans_vote' && p.outcome.near === 'Association Sportive Belleville')!;
    const [expl] = await q(`SELECT explication FROM $t WHERE flag = 'verse_sans_vote' AND noms_verses = '${lost.name}'`);
    expect(String(expl?.[0])).toContain(`déjà rapproché du versement « ${won.name} »`);
  });

  it('reports ties instead of breaking them: equally near names, and the same name as two bodies', async () => {
    const rows = await q(`SELECT noms_verses, explication FROM $t WHERE flag = 'rapprochement_ambigu' ORDER BY noms_verses`);
    expect(rows.map((r) => r[0])).toEqual(e.ambiguous.map((p) => p.name).sort());
    for (const p of e.ambiguous) {
      const text = String(rows.find((r) => r[0] === p.name)?.[1]);
      for (const c of p.outcome.kind === 'rapprochement_ambigu' ? p.outcome.candidates : []) expect(text).toContain(`« ${c} »`);
      expect(text).toContain('aucun n’est choisi'.replace('’', "'"));
    }
  });

  it('lists every line without a name on its own, never as one beneficiary, never in the concentration', async () => {
    const blank = await q(
      `SELECT ligne, dossier, CAST(coalesce(montant_vote, montant_verse) AS DOUBLE), nb_dossiers FROM $t WHERE portee = 'sans_nom' ORDER BY nb_dossiers NULLS LAST, ligne`,
    );
    expect(blank).toEqual([
      ...e.blankVotes.map((v) => [v.line, v.dossier, v.amount, 1]),
      ...e.blankPaid.map((p) => [p.line, null, p.amount, null]),
    ]);
    expect(res.detail?.flags.sans_nom).toBe(e.blankVotes.length + e.blankPaid.length);
    expect(res.detail?.blank).toMatchObject({ voted: e.blankVotes.length, paid: e.blankPaid.length, paidAmount: e.blankPaidAmount });
    // No named row stands for the blank lines, and the top beneficiaries are real names.
    expect(
      await q(
        `SELECT count(*) FROM $t WHERE portee IN ('beneficiaire', 'versement') AND (beneficiaire IS NULL OR trim(beneficiaire) IN ('', 'NA', 'null'))`,
      ),
    ).toEqual([[0]]);
    expect(res.detail?.top.map((b) => b.beneficiary)).not.toContain('null');
    expect(res.detail?.paid).toBe(P.paidRows().reduce((s, r) => s + Number(r[2]), 0) - e.blankPaidAmount);
  });

  it('explains every flag', async () => {
    const rows = await q(`SELECT flag, explication FROM $t WHERE flag IS NOT NULL`);
    expect(rows.length).toBeGreaterThan(0);
    for (const [flag, text] of rows) expect(typeof text === 'string' && text.trim().length > 20, `${flag}: « ${text} »`).toBe(true);
  });

  it('warns that the two tables cover different years, in the detail and in the summary', () => {
    expect(res.detail?.years).toEqual({ voted: [P.VOTED_YEAR], paid: [P.PAID_YEAR] });
    expect(res.detail?.warnings).toHaveLength(1);
    expect(res.detail?.warnings[0]).toContain(`votes ${P.VOTED_YEAR}, versements ${P.PAID_YEAR} — aucune année en commun`);
    expect(res.summary).toContain('Années différentes');
  });

  it('states its population before its headline, and no concentration over a handful of beneficiaries', () => {
    const d = res.detail!;
    expect(d.population.voted.read).toBe(e.votesRead);
    expect(d.population.paid.read).toBe(e.paidRead);
    expect(d.paidLinesBy).toEqual(e.paidLinesBy);
    expect(d.population.paid.used).toBe(e.matched.length);
    expect(d.paidUnmatched).toBe(e.unmatched.length);
    expect(d.paidAmbiguous).toBe(e.ambiguous.length);
    expect(d.invalidSirets).toMatchObject({ sirets: 1, votedLines: e.invalidSirets, paidLines: 0 });
    expect(d.matchRate.value).toBeCloseTo(e.matched.length / e.namedPaidLines, 10);
    expect(d.concentration).toMatchObject({ top10: null, top100: null });
    const s = res.summary ?? '';
    expect(s.indexOf(`${e.paidRead} lignes lues`)).toBeGreaterThan(0);
    expect(s.indexOf(`${e.paidRead} lignes lues`)).toBeLessThan(s.indexOf('Concentration'));
  });
});

describe('subsidies-reconcile with nothing to match', () => {
  it('gives no rate and no concentration when no payment meets a vote', async () => {
    await addTable(bench.ctx, 'v_none', P.VOTES_2013_HEADER, [['2013_1', 2013, 'Compagnie A', null, 'x', 10, 10]]);
    await addTable(bench.ctx, 'p_none', P.PAID_2021_HEADER, [[2013, 'Zèbre B', 99]]);
    const res = await runOperation(bench.ctx, subsidiesReconcile, { voted: 'v_none', paid: 'p_none' });
    expect(res.detail?.concentration).toMatchObject({
      top10: null,
      top100: null,
      refused: expect.stringContaining('aucun versement rapproché'),
    });
    expect(res.detail?.warnings).toEqual([]);
    expect(res.detail?.matchRate.value).toBe(0);
  });
});

describe('subsidy columns found from the headers as published', () => {
  const table = (labels: string[]): TableEntry => ({
    name: 't',
    kind: 'table',
    rows: 0,
    columns: labels.map((label) => ({ name: label, label, type: 'VARCHAR' }) as TableEntry['columns'][number]),
  });
  it('the 2013 Paris subsidies file and the 2021 accounts annex', () => {
    expect(proposeSubsidyColumns(table(['Nom du partenaire', 'N SIRET', 'Objet', 'Montant vote par demande']))).toMatchObject({
      beneficiary: 'Nom du partenaire',
      siret: 'N SIRET',
      amount: 'Montant vote par demande',
    });
    expect(proposeSubsidyColumns(table(['name', 'montant_total']))).toMatchObject({ beneficiary: 'name', amount: 'montant_total' });
  });
  it('a requested amount is not the amount, whichever comes first', () => {
    expect(proposeSubsidyColumns(table(['Montant demandé', 'Montant voté par demande'])).amount).toBe('Montant voté par demande');
  });
  it('a SIRENE extract: the legal name and the establishment SIRET, not the head office one', () => {
    const sirene =
      'categorieentreprise,geolocetablissement,trancheeffectifsunitelegale,siretsiegeunitelegale,siret,etablissementsiege,datecreationunitelegale,denominationunitelegale,adresseetablissementcomplete'.split(
        ',',
      );
    expect(proposeSubsidyColumns(table(sirene))).toMatchObject({ beneficiary: 'denominationunitelegale', siret: 'siret' });
  });
  it('Rennes: « Budget de l’année » is the amount, not the year', () => {
    const c = proposeSubsidyColumns(
      table([
        'Libellé Fonction',
        'Sous-fonction',
        'Libellé sous-fonction',
        'Article',
        'Bénéficiaire',
        "Budget de l'année",
        'Libellé article',
      ]),
    );
    expect(c).toMatchObject({ beneficiary: 'Bénéficiaire', amount: "Budget de l'année" });
    expect(c.year).toBeUndefined();
  });

  // The real files, when /work/shared/data is there: their first line, read as is.
  const data = resolve(__dirname, '../../../shared/data');
  const firstLine = (f: string) =>
    readFileSync(join(data, f), 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0]!
      .split(',');
  it.skipIf(!existsSync(join(data, 'ParisSubsidies_SIRENE.csv')))(
    '(extended; skipped without ../shared/data/ParisSubsidies_SIRENE.csv) the real SIRENE extract of subsidised bodies',
    () => {
      expect(proposeSubsidyColumns(table(firstLine('ParisSubsidies_SIRENE.csv')))).toMatchObject({
        beneficiary: 'denominationunitelegale',
        siret: 'siret',
      });
    },
  );
  it.skipIf(!existsSync(join(data, 'bp-2019-ville-de-rennes-subventions-aux-associations.csv')))(
    '(extended; skipped without ../shared/data/bp-2019-…-subventions-aux-associations.csv) the real Rennes 2019 voted subsidies',
    () => {
      const c = proposeSubsidyColumns(table(firstLine('bp-2019-ville-de-rennes-subventions-aux-associations.csv')));
      expect(c).toMatchObject({ beneficiary: 'Bénéficiaire', amount: "Budget de l'année" });
      expect(c.year).toBeUndefined();
    },
  );
});
