import { describe, expect, it } from 'vitest';
import { runOperation } from '../../src/core/ops/registry.ts';
import { budgetReconcile, RECONCILE_FLAGS, type ReconcileFlag } from '../../src/core/budget/reconcile.ts';
import { addBudget, addTable, cleanBudget, scratchEngine, type BudgetCase, type Cell } from '../fixtures/budget-fixtures.ts';
import { addGironde, disjointYears, gironde, thinMatch } from '../fixtures/budget-traps-fixtures.ts';
import { suite } from './helpers.ts';

const bench = suite(scratchEngine);
let n = 0;

async function reconcile(c: BudgetCase, params: Record<string, unknown> = {}) {
  const t = await addBudget(bench.ctx, c, `c${n++}_`);
  const res = await runOperation(bench.ctx, budgetReconcile, { voted: { table: t.voted }, executed: { table: t.executed }, ...params });
  const flagged = await bench.engine.query(
    `SELECT flag, annee, chapitre, CAST(ecart AS DOUBLE), explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag, annee`,
  );
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
    const rows = await bench.engine.query(
      `SELECT CAST(credits AS DOUBLE), CAST(credits_bp AS DOUBLE), CAST(credits_bs AS DOUBLE), CAST(execute AS DOUBLE), taux_execution FROM "${res.table}" WHERE annee = 2022 AND chapitre = '011' AND sens = 'D'`,
    );
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
    const t = await addBudget(bench.ctx, cleanBudget(), 'tot_');
    await addTable(
      bench.ctx,
      'tot_publies',
      ['Exercice', 'Sens', 'Chapitre', 'Mandaté'],
      [
        [2022, 'D', '011', 950],
        [2023, 'D', '011', 1000],
        [2022, 'D', '21', 500],
      ],
    );
    const res = await runOperation(bench.ctx, budgetReconcile, {
      voted: { table: t.voted },
      executed: { table: t.executed },
      totals: { table: 'tot_publies' },
      totalsOf: 'executed',
    });
    const rows = await bench.engine.query(
      `SELECT flag, annee, chapitre, CAST(montant_publie AS DOUBLE), CAST(somme_detail AS DOUBLE) FROM "${res.table}" WHERE flag IS NOT NULL`,
    );
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
      rows.map((r) =>
        r.map((v, i) =>
          i === chapterAt ? Number(v) : i === sectionAt ? String(v).slice(0, 1) : i === flowAt ? String(v).toUpperCase() + 'S' : v,
        ),
      );
    const t = `num_`;
    await addTable(
      bench.ctx,
      `${t}vote`,
      ['Exercice', 'Étape', 'Section', 'Sens', "Type d'opération", 'Chapitre', 'Nature', 'Fonction', 'Direction', 'Montant voté'],
      recode(c.vote, 5, 2, 3),
    );
    await addTable(
      bench.ctx,
      `${t}realise`,
      ['Exercice', 'Section', 'Sens', "Type d'opération", 'Chapitre', 'Nature', 'Fonction', 'Direction', 'Mandaté'],
      recode(c.exec, 4, 1, 2),
    );
    const res = await runOperation(bench.ctx, budgetReconcile, { voted: { table: `${t}vote` }, executed: { table: `${t}realise` } });
    expect(res.detail?.flags).toEqual(Object.fromEntries(RECONCILE_FLAGS.map((f) => [f, 0])));
    const chapters = await bench.engine.query(`SELECT DISTINCT chapitre FROM "${res.table}" WHERE portee = 'ligne' ORDER BY 1`);
    expect(chapters.rows.map((r) => r[0])).toEqual(['011', '012', '021', '023', '040', '042', '16', '21', '73']);
  });

  it('is journaled with both sources as inputs', async () => {
    const { res } = await reconcile(cleanBudget());
    expect(res.entry.op).toBe('budget-reconcile');
    expect(res.entry.inputs.map((i) => i.table)).toHaveLength(2);
    expect(res.entry.output?.rows).toBeGreaterThan(0);
  });
});

/** Expenditure keys (year, chapter) of a case, with their amounts summed, as the fixture writes them. */
function byChapter(rows: Cell[][], year: number, chapter: number, sens: number, amount: number, flow = 'Dépense'): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows)
    if (r[sens] === flow) m.set(`${r[year]}|${r[chapter]}`, (m.get(`${r[year]}|${r[chapter]}`) ?? 0) + Number(r[amount]));
  return m;
}

describe('budget-reconcile: the population before the rate (issue #12)', () => {
  it('gives the rate over the keys found on both sides only, the 023 transfer set aside', async () => {
    const c = cleanBudget();
    const { res } = await reconcile(c);
    const credits = byChapter(c.vote, 0, 5, 3, 9);
    const exec = byChapter(c.exec, 0, 4, 2, 8);
    const both = [...credits.keys()].filter((k) => exec.has(k));
    const rate = both.reduce((a, k) => a + exec.get(k)!, 0) / both.reduce((a, k) => a + credits.get(k)!, 0);
    expect(res.detail!.rate).toBeCloseTo(rate, 10);
    expect(res.detail!.expenditure.transfers).toBe([...credits].filter(([k]) => k.endsWith('|023')).reduce((a, [, v]) => a + v, 0));
    expect(res.summary!.startsWith('Population — ')).toBe(true);
    expect(res.summary).toMatch(/mis de côté : \d+ virements 023\/021 votés, jamais exécutés/);
    expect(res.detail!.population.used).toBe(res.detail!.population.read - 4); // 023 and 021, two years
  });

  it('gives no rate when no key meets, and says the years do not overlap', async () => {
    const c = disjointYears();
    const { res, flags } = await reconcile(c);
    expect(res.detail!.rate).toBeNull();
    expect(res.detail!.revenue.rate).toBeNull();
    expect(res.detail!.population.used).toBe(0);
    expect(res.summary).not.toMatch(/taux d'exécution \d/);
    expect(res.summary).toContain("taux d'exécution : aucun taux : aucune clé commune au voté et au réalisé");
    expect(res.summary).toContain('Aucun exercice commun : voté 2022, 2023, réalisé 2014, 2015.');
    // Everything executed is « sans crédit »; everything voted (transfers aside) « sans exécution ».
    const executedKeys = new Set(c.exec.map((r) => `${r[0]}|${r[1]}|${r[2]}|${r[4]}`)).size;
    expect(flags.filter((f) => f === 'execute_sans_credit')).toHaveLength(
      new Set(c.exec.filter((r) => r[2] === 'Dépense').map((r) => `${r[0]}|${r[4]}`)).size,
    );
    expect(res.detail!.population.setAside.find((s) => s.reason.startsWith('exécutées sans crédit'))?.rows).toBe(executedKeys);
    expect(res.summary!.indexOf('Population')).toBeLessThan(res.summary!.indexOf("taux d'exécution"));
  });

  it('gives no rate when the matched keys hold under half of the amounts, and says how much they hold', async () => {
    const c = thinMatch();
    const { res } = await reconcile(c);
    const credits = byChapter(c.vote, 0, 5, 3, 9);
    const exec = byChapter(c.exec, 0, 4, 2, 8);
    const matchedExec = [...exec].filter(([k]) => credits.has(k)).reduce((a, [, v]) => a + v, 0);
    const share = matchedExec / [...exec.values()].reduce((a, b) => a + b, 0);
    expect(share).toBeLessThan(0.5);
    expect(res.detail!.rate).toBeNull();
    expect(res.detail!.expenditure.coverage).toBeCloseTo(share, 10);
    expect(res.detail!.expenditure.refused).toBe(
      `aucun taux : seulement ${(share * 100).toFixed(1).replace('.', ',')}\u00a0% de la population rapprochée`,
    );
    // Revenue matched fully: its rate stands.
    expect(res.detail!.revenue.rate).not.toBeNull();
  });
});

describe('budget-reconcile on a Gironde-style M52 export (prefixed, padded codes; OR/OE/OI)', () => {
  it('reads the codes, so the order-operation pairs are found and checked on the executed side', async () => {
    const t = await addGironde(bench.ctx, 'gir_');
    const res = await runOperation(bench.ctx, budgetReconcile, { voted: { table: t.voted }, executed: { table: t.executed } });
    expect(res.detail!.mappings.executed).toMatchObject({ opType: 'reel_ordre_id_ordre_diff', chapter: 'chapitre' });
    // 042 ↔ 040, 040 ↔ 042 and 041 ↔ 041, each year.
    expect(res.detail!.orderChecks.find((c) => c.source === 'realise')).toEqual({ source: 'realise', ran: true, pairs: 6, unbalanced: 0 });
    expect(res.detail!.flags.ordre_desequilibre).toBe(0);
    // Once the codes are read every key of the clean budget matches; only the 041 pair added to the
    // executed side (D and R, two years) has no credit.
    const aside = res.detail!.population.setAside.filter((s) => !s.reason.startsWith('virements'));
    expect(aside.map((s) => [s.reason.replace(/\s/g, ' '), s.rows])).toEqual([['exécutées sans crédit (28 € réalisés)', 4]]);
    expect(res.detail!.rate).not.toBeNull();
    const chapters = await bench.engine.query(
      `SELECT DISTINCT chapitre FROM "${res.table}" WHERE portee = 'ligne' AND execute IS NOT NULL ORDER BY 1`,
    );
    expect(chapters.rows.map((r) => r[0])).toEqual([...new Set(gironde().exec.map((r) => String(r[8]).slice(1)))].sort());
    expect(res.summary).toMatch(/Codes lus : réalisé, type d'opération \(« Réel\/Ordre id\/Ordre diff »\) : 3 valeurs/);
    expect(res.summary).toContain('préfixe C retiré');
    expect(res.summary).toContain('réalisé contrôlé (6 paires, toutes équilibrées)');
    // The balanced pairs are rows of the result, with their amounts.
    const pair = await bench.engine.query(
      `SELECT CAST(depenses AS DOUBLE), CAST(recettes AS DOUBLE), flag FROM "${res.table}" WHERE portee = 'ordre' AND source = 'realise' AND annee = 2022 AND chapitre = '041 ↔ 041'`,
    );
    expect(pair.rows).toEqual([[7, 7, null]]);
  });

  it('finds an order imbalance written in prefixed codes', async () => {
    const t = await addGironde(bench.ctx, 'girgap_', 3);
    const res = await runOperation(bench.ctx, budgetReconcile, { voted: { table: t.voted }, executed: { table: t.executed } });
    const rows = await bench.engine.query(
      `SELECT source, annee, chapitre, CAST(ecart AS DOUBLE) FROM "${res.table}" WHERE flag = 'ordre_desequilibre'`,
    );
    expect(rows.rows).toEqual([['realise', 2022, '042 ↔ 040', 3]]);
  });

  it('says when the order check could not run, and why, instead of reporting a balance', async () => {
    const c = cleanBudget();
    c.exec = c.exec.filter((r) => r[3] !== 'Ordre');
    const { res } = await reconcile(c);
    const check = res.detail!.orderChecks.find((x) => x.source === 'realise')!;
    expect(check.ran).toBe(false);
    expect(check.reason).toMatch(/^aucune ligne aux chapitres d'ordre \(042, 040, 041, 043, 023, 021\) ; chapitres lus : « 011 »/);
    expect(res.summary).toContain("réalisé non contrôlé : aucune ligne aux chapitres d'ordre");
  });
});

describe('budget-reconcile says which checks a missing column stopped', () => {
  it('names them in the summary and the detail, instead of reporting nothing found', async () => {
    const c = cleanBudget();
    // The executed side without its year column; the voted side without its section.
    await addTable(
      bench.ctx,
      'nr_vote',
      ['Exercice', 'Étape budgétaire', 'Sens', 'Chapitre', 'Montant voté'],
      c.vote.map((r) => [r[0]!, r[1]!, r[3]!, r[5]!, r[9]!]),
    );
    await addTable(
      bench.ctx,
      'nr_realise',
      ['Section', 'Sens', 'Chapitre', 'Mandaté'],
      c.exec.map((r) => [r[1]!, r[2]!, r[4]!, r[8]!]),
    );
    const res = await runOperation(bench.ctx, budgetReconcile, { voted: { table: 'nr_vote' }, executed: { table: 'nr_realise' } });
    expect(res.detail!.notRun).toEqual([
      'équilibre des sections votées : pas de colonne de section au voté',
      "variation annuelle : pas de colonne d'exercice au réalisé",
    ]);
    expect(res.summary).toContain('Contrôles non effectués : équilibre des sections votées');
  });
});
