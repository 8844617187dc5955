import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { budgetCompare, budgetYearsAndStages } from '../../src/core/budget/compare.ts';
import { proposeMapping } from '../../src/core/budget/mapping.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { runOperation, type OperationContext } from '../../src/core/ops/registry.ts';
import { addTable, scratchEngine, VOTE_HEADER, type Cell } from '../fixtures/budget-fixtures.ts';
import { twoVotedBudgets } from '../fixtures/budget-traps-fixtures.ts';

let engine: Engine;
let ctx: OperationContext;
const rows = twoVotedBudgets();
beforeAll(async () => {
  ({ engine, ctx } = await scratchEngine());
  await addTable(ctx, 'budgets', VOTE_HEADER, rows);
});
afterAll(() => engine.close());

// Columns of VOTE_HEADER: year, stage, section, sens, type, chapter, nature, function, direction, amount.
const Y = 0,
  STAGE = 1,
  SENS = 3,
  CH = 5,
  FN = 7,
  AMOUNT = 9;

/** Amounts per key from the fixture, for one year and stages (what the operation should find). */
function sums(year: number, stages: string[], key: number, flow = 'Dépense'): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    if (r[Y] !== year || !stages.includes(String(r[STAGE])) || r[SENS] !== flow) continue;
    m.set(String(r[key]), (m.get(String(r[key])) ?? 0) + Number(r[AMOUNT]));
  }
  return m;
}

async function lines(table: string, level = 'chapitre') {
  const r = await engine.query(
    `SELECT ${level}, CAST(montant_reference AS DOUBLE), CAST(montant_compare AS DOUBLE), statut, flag FROM "${table}" WHERE portee = 'ligne' AND sens = 'D' ORDER BY 1`,
  );
  return r.rows as [string, number | null, number | null, string, string | null][];
}

describe('budget-compare', () => {
  it('BP 2023 against BP 2024 by chapter: amounts each side, changes, new and vanished lines', async () => {
    const res = await runOperation(ctx, budgetCompare, {
      base: { table: 'budgets', year: 2023, stages: ['BP'] },
      other: { table: 'budgets', year: 2024, stages: ['BP'] },
    });
    const a = sums(2023, ['BP'], CH);
    const b = sums(2024, ['BP'], CH);
    const got = await lines(res.table!);
    const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
    expect(got.map((r) => r[0])).toEqual(keys);
    for (const [k, ref, cmp, statut, flag] of got) {
      expect([ref, cmp], k).toEqual([a.get(k) ?? null, b.get(k) ?? null]);
      const expected = !a.has(k)
        ? 'nouvelle'
        : !b.has(k)
          ? 'disparue'
          : b.get(k)! > a.get(k)!
            ? 'hausse'
            : b.get(k)! < a.get(k)!
              ? 'baisse'
              : 'stable';
      expect(statut, k).toBe(expected);
      const strong = a.has(k) && b.has(k) && Math.abs(b.get(k)! / a.get(k)! - 1) > 0.2;
      expect(flag, k).toBe(!a.has(k) ? 'nouvelle_ligne' : !b.has(k) ? 'ligne_disparue' : strong ? 'forte_variation' : null);
    }
    // The planted ones: 67 appears, 66 vanishes, 65 moves by +60 %.
    expect(got.filter((r) => r[4]).map((r) => [r[0], r[4]])).toEqual([
      ['65', 'forte_variation'],
      ['66', 'ligne_disparue'],
      ['67', 'nouvelle_ligne'],
    ]);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
    expect(res.detail!.flows.D).toEqual({ base: sum(a), other: sum(b), appeared: b.get('67'), vanished: a.get('66') });
    expect(res.detail!.base.label).toBe('BP 2023 (« budgets »)');
    // Population first: lines read and kept on each side, keys on both sides, new and vanished.
    expect(res.summary!.startsWith('Population — BP 2023 (« budgets ») : ')).toBe(true);
    expect(res.detail!.base.kept).toBe(rows.filter((r) => r[Y] === 2023 && r[STAGE] === 'BP').length);
    expect(res.detail!.population.setAside.map((s) => [s.reason.split(' (')[0], s.rows])).toEqual([
      ['nouvelles au BP 2024', 1],
      ['disparues du BP 2023', 1],
    ]);
    expect(res.summary).toMatch(/Plus fortes variations : 65 \(D\) \+300\s€ \(\+60,0\s%\)/);
    const explained = await engine.query(`SELECT explication FROM "${res.table}" WHERE flag = 'ligne_disparue'`);
    expect(explained.rows[0]![0]).toMatch(/^Ligne disparue — chapitre 66, fonctionnement, dépenses : 50 € au BP 2023/);
    expect(res.entry.op).toBe('budget-compare');
  });

  it('BP against BP + BS + DM of the same year, and a coarser or finer level', async () => {
    const res = await runOperation(ctx, budgetCompare, {
      base: { table: 'budgets', year: 2023, stages: ['BP'], label: 'BP 2023' },
      other: { table: 'budgets', year: 2023, stages: ['BP', 'BS', 'DM'], label: 'budget 2023 après BS' },
      level: 'function',
    });
    const a = sums(2023, ['BP'], FN);
    const b = sums(2023, ['BP', 'BS', 'DM'], FN);
    const got = await lines(res.table!, 'fonction');
    // Investment and operating both have a function 020: summed per section, so read them back the same way.
    const bySection = await engine.query(
      `SELECT fonction, sum(CAST(montant_reference AS DOUBLE)), sum(CAST(montant_compare AS DOUBLE)) FROM "${res.table}" WHERE portee = 'ligne' AND sens = 'D' GROUP BY 1 ORDER BY 1`,
    );
    expect(bySection.rows).toEqual([...a.keys()].sort().map((k) => [k, a.get(k)!, b.get(k)!]));
    expect(got.every((r) => r[3] !== 'nouvelle' && r[3] !== 'disparue')).toBe(true);
    expect(res.summary).toContain('Comparaison du BP 2023 et du budget 2023 après BS par fonction');
  });

  it('refuses a filter it cannot apply and two identical selections, instead of comparing anything', async () => {
    await addTable(ctx, 'sans_etape', ['Exercice', 'Sens', 'Chapitre', 'Montant voté'], [[2023, 'D', '011', 10]]);
    await expect(
      runOperation(ctx, budgetCompare, { base: { table: 'sans_etape', stages: ['BP'] }, other: { table: 'budgets', year: 2024 } }),
    ).rejects.toThrow(/n'a pas de colonne d'étape budgétaire : impossible de n'en retenir que BP/);
    await expect(
      runOperation(ctx, budgetCompare, { base: { table: 'budgets', year: 2023 }, other: { table: 'budgets', year: 2023 } }),
    ).rejects.toThrow(/même sélection/);
  });

  it('says when a side mixes several years because none was chosen', async () => {
    await addTable(
      ctx,
      'bp2025',
      VOTE_HEADER,
      rows.filter((r) => r[Y] === 2024 && r[STAGE] === 'BP').map((r) => [2025, ...r.slice(1)]),
    );
    const res = await runOperation(ctx, budgetCompare, { base: { table: 'budgets', stages: ['BP'] }, other: { table: 'bp2025' } });
    expect(res.summary).toContain("« budgets » porte plusieurs exercices (2023, 2024), additionnés faute d'exercice choisi.");
  });
});

describe('budgetYearsAndStages', () => {
  it('offers the years and stages the table holds, read through its mapping', async () => {
    const table = ctx.catalog.get('budgets')!;
    const got = await budgetYearsAndStages(engine, table, proposeMapping(table).mapping!);
    expect(got).toEqual({
      years: [...new Set(rows.map((r) => Number(r[Y])))].sort(),
      stages: [...new Set(rows.map((r) => String(r[STAGE])))].sort(),
    });
  });
});

describe('budget-compare when few keys meet', () => {
  it('says so after the population, and names a budget presented by function against one by nature', async () => {
    // The same 2024 amounts, voted by function: chapters 930, 932… instead of 011, 012…
    const functional = rows
      .filter((r) => r[Y] === 2024 && r[STAGE] === 'BP')
      .map((r) => {
        const out = [...r];
        out[CH] = `93${String(r[CH]).length}`;
        return out;
      });
    await addTable(ctx, 'bp2024_fonctionnel', VOTE_HEADER, functional);
    const res = await runOperation(ctx, budgetCompare, {
      base: { table: 'budgets', year: 2023, stages: ['BP'], label: 'BP 2023' },
      other: { table: 'bp2024_fonctionnel', label: 'BP 2024' },
    });
    expect(res.detail!.population.used).toBe(0);
    const population = res.summary!.split('Comparaison du')[0]!;
    expect(population).toMatch(/Moins de la moitié des clés \(0,0\s%\) se retrouvent des deux côtés/);
    expect(population).toContain('BP 2024 est présenté par fonction (chapitres 9xx), BP 2023 par nature');
  });
});

describe('loupe run budget-compare', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-budget-compare-'));
    await mkdir(join(dir, 'donnees'));
    const csv = (header: string[], body: Cell[][]) =>
      '\uFEFF' + [header, ...body].map((r) => r.map((v) => (v === null ? '' : String(v))).join(';')).join('\r\n') + '\r\n';
    await writeFile(join(dir, 'donnees', 'budgets-votes.csv'), csv(VOTE_HEADER, rows));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs from the command line on an imported CSV, journaled', async () => {
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    const project = join(dir, 'projet');
    expect(await main(['import', join(dir, 'donnees'), '--project', project], io), err).toBe(0);
    out = '';
    const params = {
      base: { table: 'budgets_votes', year: 2023, stages: ['BP'] },
      other: { table: 'budgets_votes', year: 2024, stages: ['BP'] },
    };
    expect(
      await main(['run', 'budget-compare', '--project', project, '--params', JSON.stringify(params), '--format', 'json'], io),
      err,
    ).toBe(0);
    const res = JSON.parse(out) as { summary: string; detail: { flags: Record<string, number> }; journal: { seq: number } };
    expect(res.detail.flags).toEqual({ nouvelle_ligne: 1, ligne_disparue: 1, forte_variation: 1 });
    expect(res.summary!.startsWith('Population — ')).toBe(true);
    expect(res.journal.seq).toBeGreaterThan(0);
  });
});
