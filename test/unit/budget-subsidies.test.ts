import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/core/engine/node.ts';
import { runOperation, type OperationContext } from '../../src/core/ops/registry.ts';
import { subsidiesReconcile, type SubsidyFlag } from '../../src/core/budget/subsidies.ts';
import { addTable, cleanSubsidies, S1, S2, S3, scratchContext, siret, SUB_PAID_HEADER, SUB_VOTE_HEADER, type Cell } from '../fixtures/budget-fixtures.ts';

let engine: Engine;
let ctx: OperationContext;
let n = 0;
beforeAll(async () => {
  engine = await createNodeEngine();
  ctx = await scratchContext(engine);
});
afterAll(async () => {
  await engine.close();
});

async function run(edit: (c: { vote: Cell[][]; paid: Cell[][] }) => void = () => {}, params: Record<string, unknown> = {}) {
  const c = cleanSubsidies();
  edit(c);
  const k = n++;
  await addTable(ctx, `sv${k}`, SUB_VOTE_HEADER, c.vote);
  await addTable(ctx, `sp${k}`, SUB_PAID_HEADER, c.paid);
  const res = await runOperation(ctx, subsidiesReconcile, { voted: `sv${k}`, paid: `sp${k}`, ...params });
  const flagged = await engine.query(`SELECT flag, beneficiaire, siret, CAST(ecart AS DOUBLE), explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag`);
  return { res, flagged: flagged.rows, flags: flagged.rows.map((r) => r[0] as SubsidyFlag) };
}

describe('subsidies-reconcile', () => {
  it('matches voted and paid by SIRET, exact name and approximate name, and finds nothing wrong in a clean set', async () => {
    const { res, flags } = await run();
    expect(flags).toEqual([]);
    const rows = await engine.query(`SELECT beneficiaire, methode, round(score, 2), CAST(montant_vote AS DOUBLE), CAST(montant_verse AS DOUBLE) FROM "${res.table}" WHERE portee = 'beneficiaire' ORDER BY montant_vote DESC`);
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
    const r = await engine.query(`SELECT noms_verses FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire = 'Association Les Amis du Square' AND noms_verses IS NOT NULL`);
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
    const m = await engine.query(`SELECT methode FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire = 'Compagnie du Matin'`);
    expect(m.rows).toEqual([['siren']]);
  });

  it('matches names whose words come in another order, on both sides', async () => {
    const { res, flags } = await run((c) => {
      c.vote.push(['2022_00007', 2022, 'Les habitants du quartier Amérique (Fédération)', null, 'DDCT', 'Fête', 2500]);
      c.vote.push(['2023_00001', 2023, 'Fédération  Les habitants du quartier Amérique', null, 'DDCT', 'Café', 1000]);
      c.paid.push(['M8', 2023, 'HABITANTS DU QUARTIER AMERIQUE (FEDERATION LES)', null, 3500]);
    });
    expect(flags).toEqual([]);
    const m = await engine.query(`SELECT methode, nb_dossiers, CAST(montant_verse AS DOUBLE) FROM "${res.table}" WHERE portee = 'beneficiaire' AND beneficiaire LIKE '%Amérique%'`);
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
    const r = await engine.query(`SELECT ${normalizeNameSql('x')} FROM (VALUES ('Association « Les Amis » du Square'), ('ASSOC. LES AMIS DU SQUARE'), ('les amis du square (asso)')) t(x)`);
    expect(new Set(r.rows.map((x) => x[0]))).toEqual(new Set(['LES AMIS DU SQUARE']));
  });
});
