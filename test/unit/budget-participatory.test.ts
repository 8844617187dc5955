import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/core/engine/node.ts';
import { runOperation, type OperationContext } from '../../src/core/ops/registry.ts';
import { participatoryBudget, type ParticipatoryFlag } from '../../src/core/budget/participatory.ts';
import { addTable, cleanProjects, PROJECT_HEADER, scratchContext, type Cell } from '../fixtures/budget-fixtures.ts';

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

async function run(edit: (rows: Cell[][]) => void = () => {}, params: Record<string, unknown> = {}) {
  const rows = cleanProjects();
  edit(rows);
  const name = `bp${n++}`;
  await addTable(ctx, name, PROJECT_HEADER, rows);
  const res = await runOperation(ctx, participatoryBudget, { table: name, ...params });
  const flagged = await engine.query(`SELECT flag, edition, numero, explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag`);
  return { res, flagged: flagged.rows, flags: flagged.rows.map((r) => r[0] as ParticipatoryFlag) };
}

const set = (rows: Cell[][], id: string, field: string, v: Cell) => {
  rows.find((r) => r[0] === id)![PROJECT_HEADER.indexOf(field)] = v;
};

describe('participatory-budget', () => {
  it('sums each edition and arrondissement, and finds nothing wrong in a clean set', async () => {
    const { res, flags } = await run();
    expect(flags).toEqual([]);
    const ed = await engine.query(
      `SELECT edition, nb_projets, CAST(montant_alloue AS DOUBLE), nb_livres, nb_en_cours, nb_non_demarres, nb_abandonnes, round(delai_median_annees, 2), round(part_qp, 4), CAST(montant_ecoles AS DOUBLE)
       FROM "${res.table}" WHERE portee = 'edition' ORDER BY edition`,
    );
    // 2016: 1 200 000 €, 400 000 in working-class neighbourhoods (33,33 %), delivered 424 days after 1 January 2017.
    expect(ed.rows).toEqual([
      [2016, 3, 1_200_000, 1, 1, 1, 0, 1.16, 0.3333, 600_000],
      [2017, 1, 300_000, 1, 0, 0, 0, 1.49, 1, 0],
    ]);
    const arr = await engine.query(`SELECT arrondissement FROM "${res.table}" WHERE portee = 'arrondissement' AND edition = 2016`);
    expect(arr.rows.map((r) => r[0])).toEqual(['11', '18', 'Tout Paris']);
    expect(res.detail?.columns).toMatchObject({ amount: 'budget_alloue', planned: 'date_livraison_prevue', delivered: 'date_livraison_reelle', workingClass: 'quartier_populaire', schools: 'projet_ecoles' });
    expect(res.summary).toContain('4 projets sur 2 éditions');
  });

  it('livraison_tardive: delivered more than two years after the planned date', async () => {
    const { flags, flagged } = await run((r) => set(r, 'BP2017-0001', 'date_livraison_reelle', '2021-01-01'));
    expect(flags).toEqual(['livraison_tardive']);
    expect(flagged[0]?.[2]).toBe('BP2017-0001');
    expect(flagged[0]?.[3]).toContain('2,5 ans de retard');
  });

  it('abandon_apres_allocation: abandoned with an amount allocated', async () => {
    const { flags, flagged } = await run((r) => set(r, 'BP2016-0003', 'statut', 'Abandonné'));
    expect(flags).toEqual(['abandon_apres_allocation']);
    expect(flagged[0]?.[3]).toContain('200 000 €');
  });

  it('enveloppe_depassee: an edition allocated beyond its announced envelope', async () => {
    const { flags, flagged } = await run(() => {}, { envelopes: { '2016': 1_000_000 } });
    expect(flags).toEqual(['enveloppe_depassee']);
    expect(flagged[0]?.[1]).toBe(2016);
  });

  it('quartiers_populaires_sous_cible: an edition below the working-class target', async () => {
    const { flags, flagged } = await run((r) => set(r, 'BP2016-0001', 'quartier_populaire', 'Non'));
    expect(flags).toEqual(['quartiers_populaires_sous_cible']);
    expect(flagged[0]?.[3]).toMatch(/0,0 % des montants alloués, sous la cible annoncée de 30,0 %/);
  });
});
