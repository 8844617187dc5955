import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/core/engine/node.ts';
import { runOperation, type OperationContext } from '../../src/core/ops/registry.ts';
import { budgetReconcile, RECONCILE_FLAGS, type ReconcileFlag } from '../../src/core/budget/reconcile.ts';
import { addBudget, addTable, cleanBudget, scratchContext, type BudgetCase, type Cell } from '../fixtures/budget-fixtures.ts';

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

async function reconcile(c: BudgetCase, params: Record<string, unknown> = {}) {
  const t = await addBudget(ctx, c, `c${n++}_`);
  const res = await runOperation(ctx, budgetReconcile, { voted: { table: t.voted }, executed: { table: t.executed }, ...params });
  const flagged = await engine.query(`SELECT flag, annee, chapitre, CAST(ecart AS DOUBLE), explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag, annee`);
  return { res, flagged: flagged.rows, flags: flagged.rows.map((r) => r[0] as ReconcileFlag) };
}

/** Edits a clean budget: `f` gets the rows of the year and returns them changed. */
function edit(fn: (c: BudgetCase) => void): BudgetCase {
  const c = cleanBudget();
  fn(c);
  return c;
}

const setAmount = (rows: Cell[][], year: number, chapter: string, sens: string, amount: number, stage?: string) => {
  const r = rows.find((x) => x[0] === year && x.includes(chapter) && x.includes(sens) && (!stage || x[1] === stage));
  if (!r) throw new Error(`pas de ligne ${year} ${chapter} ${sens}`);
  r[r.length - 1] = amount;
};

describe('budget-reconcile', () => {
  it('finds nothing wrong in a clean budget, and reports its credits and execution', async () => {
    const { res, flags } = await reconcile(cleanBudget());
    expect(flags).toEqual([]);
    expect(res.summary).toContain('Aucun signal');
    expect(res.summary).toMatch(/taux d'exécution \d+,\d\s%/);
    expect(res.detail?.mappings.voted).toMatchObject({ amount: 'montant_vote', chapter: 'chapitre', stage: 'etape_budgetaire' });
    expect(res.detail?.mappings.executed).toMatchObject({ amount: 'mandate' });
    const rows = await engine.query(`SELECT CAST(credits AS DOUBLE), CAST(credits_bp AS DOUBLE), CAST(credits_bs AS DOUBLE), CAST(execute AS DOUBLE), taux_execution FROM "${res.table}" WHERE annee = 2022 AND chapitre = '011' AND sens = 'D'`);
    expect(rows.rows).toEqual([[1000, 900, 100, 950, 0.95]]);
  });

  it('depassement_chapitre: a chapter executed above its credits, with the margin', async () => {
    const { flags, flagged } = await reconcile(edit((c) => setAmount(c.exec, 2022, '011', 'Dépense', 1_250)));
    expect(flags).toEqual(['depassement_chapitre']);
    expect(flagged[0]?.slice(1, 4)).toEqual([2022, '011', 250]);
    expect(flagged[0]?.[4]).toContain('250 €');
  });

  it('depassement_chapitre is judged at the chapter even when the lines are shown by nature', async () => {
    const c = edit((c) => {
      setAmount(c.exec, 2022, '011', 'Dépense', 600);
      // A second nature of the same chapter, with no credits of its own but within the chapter's.
      c.exec.push([2022, 'Fonctionnement', 'Dépense', 'Réel', '011', '611', '020', 'DFA', 500]);
    });
    const { flags } = await reconcile(c, { level: 'nature', underOperating: 0.5, yearChange: 10 });
    // 600 + 500 = 1 100 against 1 000 of chapter credits: the chapter is overrun; 611 was executed without a credit line.
    expect(flags.sort()).toEqual(['depassement_chapitre', 'execute_sans_credit']);
  });

  it('sous_execution: an investment chapter executed below its threshold (50 % by default)', async () => {
    const { flags, flagged } = await reconcile(edit((c) => setAmount(c.exec, 2023, '21', 'Dépense', 200)));
    // 200 of 605: 33 %. 2023 also falls by 60 % from 2022, hence the yearly change.
    expect(flags).toEqual(['sous_execution', 'variation_annuelle']);
    expect(flagged[0]?.[4]).toMatch(/33,1 %.*seuil 50,0 %/);
  });

  it('sous_execution follows the operating threshold given as a parameter', async () => {
    // 011 in 2022 is executed at 95 %: flagged only once the threshold is above that.
    expect((await reconcile(cleanBudget(), { underOperating: 0.96 })).flags).toEqual(['sous_execution', 'sous_execution']);
    expect((await reconcile(cleanBudget(), { underOperating: 0.9 })).flags).toEqual([]);
  });

  it('execute_sans_credit: spending on a chapter with no credit line', async () => {
    const c = edit((c) => c.exec.push([2023, 'Fonctionnement', 'Dépense', 'Réel', '65', '6574', '020', 'DFA', 30]));
    const { flags, flagged } = await reconcile(c);
    expect(flags).toEqual(['execute_sans_credit']);
    expect(flagged[0]?.slice(1, 3)).toEqual([2023, '65']);
  });

  it('credit_sans_execution: credits opened and nothing executed (the 023 transfer excepted)', async () => {
    const c = edit((c) => {
      c.vote.push([2023, 'DM', 'Fonctionnement', 'Dépense', 'Réel', '67', '673', '020', 'DFA', 40]);
      c.vote.push([2023, 'DM', 'Fonctionnement', 'Recette', 'Réel', '73', '73111', '020', 'DFA', 40]);
    });
    const { flags, flagged } = await reconcile(c);
    expect(flags).toEqual(['credit_sans_execution']);
    expect(flagged[0]?.slice(1, 3)).toEqual([2023, '67']);
  });

  it('ordre_desequilibre: 042 expenditure above 040 revenue in the executed accounts', async () => {
    const { flags, flagged } = await reconcile(edit((c) => setAmount(c.exec, 2022, '040', 'Recette', 15)));
    expect(flags).toEqual(['ordre_desequilibre']);
    expect(flagged[0]?.slice(1, 4)).toEqual([2022, '042 ↔ 040', 5]);
    expect(flagged[0]?.[4]).toContain('réalisé 2022');
  });

  it('section_desequilibree: a section voted with more expenditure than revenue', async () => {
    const c = edit((c) => c.vote.push([2022, 'DM', 'Investissement', 'Dépense', 'Réel', '21', '2188', '020', 'DFA', 70]));
    const { flags, flagged } = await reconcile(c, { underInvestment: 0.5 });
    expect(flags).toEqual(['section_desequilibree']);
    expect(flagged[0]?.[3]).toBe(-70);
    expect(flagged[0]?.[4]).toContain('investissement 2022 (DM)');
  });

  it('total_incoherent: a published chapter total that is not the sum of its lines', async () => {
    const c = edit((c) => {
      c.exec.push([2022, 'Fonctionnement', 'Dépense', 'Réel', '011', null, null, null, 950]);
      c.exec.push([2022, 'Fonctionnement', 'Dépense', 'Réel', '012', null, null, null, 999]);
    });
    const { flags, flagged } = await reconcile(c);
    expect(flags).toEqual(['total_incoherent']);
    expect(flagged[0]?.slice(1, 4)).toEqual([2022, '012', 9]);
  });

  it('total_incoherent: against a separate table of published totals', async () => {
    const t = await addBudget(ctx, cleanBudget(), 'tot_');
    await addTable(ctx, 'tot_publies', ['Exercice', 'Sens', 'Chapitre', 'Mandaté'], [[2022, 'D', '011', 950], [2023, 'D', '011', 1000], [2022, 'D', '21', 500]]);
    const res = await runOperation(ctx, budgetReconcile, {
      voted: { table: t.voted }, executed: { table: t.executed }, totals: { table: 'tot_publies' }, totalsOf: 'executed',
    });
    const rows = await engine.query(`SELECT flag, annee, chapitre, CAST(montant_publie AS DOUBLE), CAST(somme_detail AS DOUBLE) FROM "${res.table}" WHERE flag IS NOT NULL`);
    expect(rows.rows).toEqual([['total_incoherent', 2023, '011', 1000, 1045]]);
  });

  it('variation_annuelle: a line that doubles from one year to the next', async () => {
    const c = edit((c) => {
      setAmount(c.vote, 2023, '012', 'Dépense', 2_200);
      setAmount(c.exec, 2023, '012', 'Dépense', 2_150);
      setAmount(c.vote, 2023, '73', 'Recette', 3_289, 'BP');
    });
    const { flags, flagged } = await reconcile(c);
    expect(flags).toEqual(['variation_annuelle']);
    expect(flagged[0]?.slice(1, 3)).toEqual([2023, '012']);
    expect(flagged[0]?.[4]).toContain('+117,2 %');
  });

  it('reads codes typed as numbers and labels in other spellings the same way', async () => {
    const c = cleanBudget();
    const recode = (rows: Cell[][], chapterAt: number, sectionAt: number, flowAt: number) =>
      rows.map((r) => r.map((v, i) => (i === chapterAt ? Number(v) : i === sectionAt ? String(v).slice(0, 1) : i === flowAt ? String(v).toUpperCase() + 'S' : v)));
    const t = `num_`;
    await addTable(ctx, `${t}vote`, ['Exercice', 'Étape', 'Section', 'Sens', "Type d'opération", 'Chapitre', 'Nature', 'Fonction', 'Direction', 'Montant voté'], recode(c.vote, 5, 2, 3));
    await addTable(ctx, `${t}realise`, ['Exercice', 'Section', 'Sens', "Type d'opération", 'Chapitre', 'Nature', 'Fonction', 'Direction', 'Mandaté'], recode(c.exec, 4, 1, 2));
    const res = await runOperation(ctx, budgetReconcile, { voted: { table: `${t}vote` }, executed: { table: `${t}realise` } });
    expect(res.detail?.flags).toEqual(Object.fromEntries(RECONCILE_FLAGS.map((f) => [f, 0])));
    const chapters = await engine.query(`SELECT DISTINCT chapitre FROM "${res.table}" WHERE portee = 'ligne' ORDER BY 1`);
    expect(chapters.rows.map((r) => r[0])).toEqual(['011', '012', '021', '023', '040', '042', '16', '21', '73']);
  });

  it('is journaled with both sources as inputs', async () => {
    const { res } = await reconcile(cleanBudget());
    expect(res.entry.op).toBe('budget-reconcile');
    expect(res.entry.inputs.map((i) => i.table)).toHaveLength(2);
    expect(res.entry.output?.rows).toBeGreaterThan(0);
  });
});
