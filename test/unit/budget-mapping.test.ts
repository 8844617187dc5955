import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { runOperation, type OperationContext } from '../../src/core/ops/registry.ts';
import {
  budgetMap,
  chapterSql,
  codeNormalisations,
  codeSql,
  CODE_PREFIX,
  flowSql,
  normalizeLabel,
  opTypeSql,
  proposeMapping,
  sampleColumnValues,
  sectionSql,
  stageSql,
} from '../../src/core/budget/mapping.ts';
import { addTable, scratchEngine } from '../fixtures/budget-fixtures.ts';
import { addGironde, gironde, GIRONDE_HEADER } from '../fixtures/budget-traps-fixtures.ts';

let engine: Engine;
let ctx: OperationContext;
beforeAll(async () => ({ engine, ctx } = await scratchEngine()));
afterAll(() => engine.close());

function entry(cols: [string, string, string?][]): TableEntry {
  return { name: 't', kind: 'table', rows: 0, columns: cols.map(([name, label, type]) => ({ name, label, type: type ?? 'VARCHAR' })) };
}

async function one(sql: string): Promise<unknown[]> {
  return (await engine.query(sql)).rows.map((r) => r[0]);
}

describe('proposeMapping', () => {
  it('recognises the Paris portal headers, whatever their accents and case', () => {
    const p = proposeMapping(
      entry([
        ['exercice', 'EXERCICE'],
        ['etape_budgetaire', 'Étape budgétaire'],
        ['section', 'Section'],
        ['sens', 'Sens'],
        ['nature_de_l_operation', "Nature de l'opération"],
        ['chapitre_fonctionnel', 'Chapitre fonctionnel'],
        ['chapitre', 'Chapitre'],
        ['nature', 'Nature'],
        ['fonction', 'Fonction'],
        ['direction', 'Direction'],
        ['montant_vote', 'Montant voté', 'DOUBLE'],
      ]),
    );
    expect(p.mapping).toEqual({
      year: 'exercice',
      stage: 'etape_budgetaire',
      section: 'section',
      flow: 'sens',
      opType: 'nature_de_l_operation',
      chapter: 'chapitre',
      nature: 'nature',
      function: 'fonction',
      direction: 'direction',
      amount: 'montant_vote',
    });
    expect(p.missing).toEqual([]);
  });

  it('takes the executed amount for the administrative account and the voted one for the budget', () => {
    const t = entry([
      ['montant_vote', 'Montant voté', 'DOUBLE'],
      ['mandate', 'Mandaté', 'DOUBLE'],
      ['stade', 'Stade'],
    ]);
    expect(proposeMapping(t, undefined, 'voted').mapping).toMatchObject({ amount: 'montant_vote', stage: 'stade' });
    expect(proposeMapping(t, undefined, 'executed').mapping).toMatchObject({ amount: 'mandate' });
  });

  it('proposes fields by their values when the headers say nothing', () => {
    const t = entry([
      ['c1', 'c1', 'BIGINT'],
      ['c2', 'c2'],
      ['c3', 'c3'],
      ['c4', 'c4'],
      ['c5', 'c5'],
      ['c6', 'c6', 'DOUBLE'],
    ]);
    const p = proposeMapping(t, {
      c1: [2019, 2020, 2024],
      c2: ['I', 'F'],
      c3: ['Dépense', 'Recette'],
      c4: ['011', '012', '65', '904-4'],
      c5: ['Réel', 'Ordre'],
      c6: [12.5, 1000],
    });
    expect(p.mapping).toEqual({ year: 'c1', section: 'c2', flow: 'c3', chapter: 'c4', opType: 'c5', amount: 'c6' });
    expect(p.evidence.year?.by).toBe('values');
  });

  it('returns no mapping when there is no amount', () => {
    expect(
      proposeMapping(
        entry([
          ['a', 'Libellé'],
          ['b', 'Commentaire'],
        ]),
      ).mapping,
    ).toBeNull();
  });

  it('samples a few distinct values per column from the engine', async () => {
    await addTable(
      ctx,
      'sample',
      ['Code', 'Valeur'],
      [
        ['011', 1],
        ['011', 2],
        ['65', 3],
      ],
    );
    const s = await sampleColumnValues(engine, ctx.catalog.get('sample')!);
    expect([...(s.code ?? [])].sort()).toEqual(['011', '65']);
  });
});

describe('code normalisation in SQL', () => {
  it('strips the « .0 » of codes read as numbers and keeps composite chapters as text', async () => {
    expect(await one(`SELECT ${codeSql('x')} FROM (VALUES ('011'), ('11.0'), (' 904-4 '), (''), ('65')) t(x)`)).toEqual([
      '011',
      '11',
      '904-4',
      null,
      '65',
    ]);
  });

  it('gives chapters read as numbers their leading zero back, using section and flow where both exist', async () => {
    const rows = await engine.query(
      `SELECT ${chapterSql('c', 's', 'f', 'o')} FROM (VALUES (11, 'F', 'D', 'R'), (11.0, 'F', 'D', 'R'), (42, 'F', 'D', 'O'), (40, 'I', 'R', 'O'),
        (13, 'F', 'R', 'R'), (13, 'I', 'R', 'R'), (23, 'F', 'D', 'O'), (23, 'I', 'D', 'R'), (21, 'I', 'R', 'O'), (21, 'I', 'D', 'R'), (65, 'F', 'D', 'R')) t(c, s, f, o)`,
    );
    expect(rows.rows.map((r) => r[0])).toEqual(['011', '011', '042', '040', '013', '13', '023', '23', '021', '21', '65']);
  });

  it('drops the letter a column puts before its codes (C042, A2748, R0202), with the padding, and only that letter before a digit', async () => {
    expect(
      await one(
        `SELECT ${codeSql('x', CODE_PREFIX.chapter)} FROM (VALUES ('C042'), ('C65  '), ('C904-4'), ('CA'), ('042'), ('A6811')) t(x)`,
      ),
    ).toEqual(['042', '65', '904-4', 'CA', '042', 'A6811']);
    expect(await one(`SELECT ${codeSql('x', CODE_PREFIX.nature)} FROM (VALUES ('A2748'), ('A62268 '), ('6574')) t(x)`)).toEqual([
      '2748',
      '62268',
      '6574',
    ]);
    expect(await one(`SELECT ${codeSql('x', CODE_PREFIX.function)} FROM (VALUES ('R0202   '), ('R01     '), ('020')) t(x)`)).toEqual([
      '0202',
      '01',
      '020',
    ]);
    // « C13 » in operating is chapter 013 once its letter is gone, as 13 read as a number would be.
    expect(
      await one(
        `SELECT ${chapterSql('c', 's', 'f', 'o')} FROM (VALUES ('C13', 'F', 'D', 'R'), ('C13', 'I', 'R', 'R'), ('C042', 'F', 'D', 'O')) t(c, s, f, o)`,
      ),
    ).toEqual(['013', '13', '042']);
  });

  it('reads Gironde operation types: OR is réel, OE and OI are ordre (between and inside sections)', async () => {
    expect(await one(`SELECT ${opTypeSql('x')} FROM (VALUES ('OR'), ('OE'), ('OI'), ('oe ')) t(x)`)).toEqual(['R', 'O', 'O', 'O']);
    const p = proposeMapping(
      entry(GIRONDE_HEADER.map((h) => [normalizeLabel(h).replace(/ /g, '_'), h] as [string, string])),
      undefined,
      'executed',
    );
    expect(p.mapping).toMatchObject({
      opType: 'reel_ordre_id_ordre_diff',
      chapter: 'chapitre',
      nature: 'article',
      function: 'rubrique_fonctionnelle',
      flow: 'depense_recette',
    });
  });

  it('turns labels into keys: sections, flows, operation types and stages', async () => {
    expect(
      await one(`SELECT ${sectionSql('x')} FROM (VALUES ('Fonctionnement'), ('INVESTISSEMENT'), ('f'), ('I'), ('Autre')) t(x)`),
    ).toEqual(['F', 'I', 'F', 'I', 'AUTRE']);
    expect(await one(`SELECT ${flowSql('x')} FROM (VALUES ('Dépenses'), ('RECETTE'), ('d'), ('R')) t(x)`)).toEqual(['D', 'R', 'D', 'R']);
    expect(
      await one(
        `SELECT ${opTypeSql('x')} FROM (VALUES ('Réel'), ('Opérations réelles'), ('Ordre'), ('Opération d''ordre'), ('Mixte'), ('O')) t(x)`,
      ),
    ).toEqual(['R', 'R', 'O', 'O', 'M', 'O']);
    expect(
      await one(
        `SELECT ${stageSql('x')} FROM (VALUES ('Budget primitif'), ('BS'), ('DM2'), ('Décision modificative n°1'), ('Compte administratif'), ('CFU')) t(x)`,
      ),
    ).toEqual(['BP', 'BS', 'DM', 'DM', 'CA', 'CA']);
  });
});

describe('budget-map', () => {
  it('builds the canonical table from French headers, with amounts in decimal comma and total lines marked', async () => {
    await addTable(
      ctx,
      'ca_brut',
      ['Exercice', 'Section', 'Sens', 'Chapitre', 'Nature', 'Mandaté'],
      [
        ['2022', 'Fonctionnement', 'Dépenses', '011', '6068', '1 000,50'],
        ['2022', 'Fonctionnement', 'Dépenses', '011', '611', '2000'],
        ['2022', 'Fonctionnement', 'Dépenses', '011', null, '3 000,50'],
        ['2022', 'Fonctionnement', 'Dépenses', 'Total général', null, '3 000,50'],
      ],
    );
    const res = await runOperation(ctx, budgetMap, { table: 'ca_brut', role: 'executed' });
    const rows = await engine.query(
      `SELECT annee, section, sens, chapitre, nature, CAST(montant AS DOUBLE), est_total FROM ${res.table} ORDER BY ligne_source`,
    );
    expect(rows.rows).toEqual([
      [2022, 'F', 'D', '011', '6068', 1000.5, false],
      [2022, 'F', 'D', '011', '611', 2000, false],
      [2022, 'F', 'D', '011', null, 3000.5, true],
      [2022, 'F', 'D', 'Total général', null, 3000.5, true],
    ]);
    expect(res.summary).toContain('2 lignes de total');
    expect(res.entry.op).toBe('budget-map');
  });
});

describe('codeNormalisations', () => {
  it('lists what reading the codes changed, counted from the data, with examples as they are in the source', async () => {
    const t = await addGironde(ctx, 'norm_');
    const table = ctx.catalog.get(t.executed)!;
    const p = proposeMapping(table, await sampleColumnValues(engine, table), 'executed');
    const found = await codeNormalisations(engine, table, p.mapping!);
    const by = Object.fromEntries(found.map((n) => [n.field, n]));
    const lines = gironde().exec;
    const distinct = (i: number) => new Set(lines.map((r) => r[i])).size;
    // Every chapter carries the C: all distinct values changed, on every line.
    expect(by.chapter).toMatchObject({
      column: 'chapitre',
      values: distinct(GIRONDE_HEADER.indexOf('Chapitre')),
      rows: lines.length,
      rules: ['préfixe C retiré'],
    });
    expect(by.chapter!.examples.every((e) => e.to === e.from.slice(1))).toBe(true);
    expect(by.function!.rules.sort()).toEqual(['espaces retirés', 'préfixe R retiré']);
    expect(by.function!.examples.map((e) => e.from)).toContain('R020␣␣␣␣');
    expect(by.nature!.rules).toContain('préfixe A retiré');
    expect(by.opType!.examples.map((e) => `${e.from}→${e.to}`).sort()).toEqual(['OE→O', 'OI→O', 'OR→R']);
    // D/R and I/F are already codes: nothing to say about them.
    expect(by.flow).toBeUndefined();
    expect(by.section).toBeUndefined();
  });

  it('is shown by budget-map, and says so when nothing was changed', async () => {
    const t = await addGironde(ctx, 'normmap_');
    const res = await runOperation(ctx, budgetMap, { table: t.executed, role: 'executed' });
    expect(res.summary).toMatch(/chapitre \(« Chapitre »\) : \d+ valeurs sur \d+ lignes, préfixe C retiré — « C\d+ » → « \d+ »/);
    expect(res.summary).toContain('« OE » → « O »');
    await addTable(ctx, 'plain_codes', ['Exercice', 'Sens', 'Chapitre', 'Montant voté'], [[2022, 'D', '011', 10]]);
    expect((await runOperation(ctx, budgetMap, { table: 'plain_codes' })).summary).toContain('Aucun code modifié à la lecture.');
  });
});
