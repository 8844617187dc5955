// Two rewrites that keep subsidies-reconcile fast at 500,000 votes must leave its table as it was:
// the distinct names and methods a beneficiary was paid under are joined from a sorted list instead
// of string_agg(DISTINCT … ORDER BY …), and the note of an unmatched payment is joined on its group
// alone (with « unmatched » in the ON clause the join was a nested loop). The reference is the
// operation's own statement with those two parts written the plain way, run on the bench's synthetic
// register (SIRET and SIREN matches, names spelt several ways, one letter dropped, generic names two
// bodies share, invalid SIRETs) with blank names and exact ties added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subsidiesReconcile } from '../../src/core/budget/subsidies.ts';
import { Catalog } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { validateParams, type OperationContext } from '../../src/core/ops/registry.ts';
import * as B from '../bench/budget.ts';

let engine: Engine;
let ctx: OperationContext;
const statements: string[] = [];

beforeAll(async () => {
  engine = await createNodeEngine();
  for (const s of B.subsidiesSetupSql(3000)) await engine.query(s);
  const [no, year, date, name, siret, dir, , , , amount] = Object.keys(B.labelsOf(B.SUB_VOTED_HEADER)).map((c) => `"${c}"`);
  const paidCols = Object.keys(B.labelsOf(B.SUB_PAID_HEADER)).map((c) => `"${c}"`);
  // Blank names on both sides; two beneficiaries with the very same name and two SIRETs (a tie: the
  // payment under that name goes to neither); a payment whose nearest names are tied.
  await engine.query(`INSERT INTO ${B.SUB_VOTED} (${no}, ${year}, ${date}, ${name}, ${siret}, ${dir}, ${amount}) VALUES
    ('X1', 2020, DATE '2020-03-01', NULL, NULL, 'DAC', 100), ('X2', 2020, DATE '2020-03-01', '  ', '12345678901234', 'DAC', 200),
    ('X3', 2020, DATE '2020-03-01', 'N/A', NULL, 'DJS', 300),
    ('X4', 2020, DATE '2020-03-01', 'Compagnie Jumelle', '81234567800013', 'DAC', 400), ('X5', 2020, DATE '2020-03-01', 'COMPAGNIE JUMELLE', '82345678900010', 'DJS', 500),
    ('X6', 2020, DATE '2020-03-01', 'Atelier Brunoix', NULL, 'DAC', 600), ('X7', 2020, DATE '2020-03-01', 'Atelier Bruneix', NULL, 'DJS', 700)`);
  await engine.query(`INSERT INTO ${B.SUB_PAID} (${paidCols[0]}, ${paidCols[1]}, ${paidCols[3]}, ${paidCols[4]}, ${paidCols[5]}) VALUES
    ('Y1', 2020, NULL, NULL, 50), ('Y2', 2020, '', NULL, 60), ('Y3', 2020, 'Compagnie Jumelle', NULL, 70),
    ('Y4', 2020, 'Atelier Brunaix', NULL, 80), ('Y5', 2020, 'Théâtre Sans Vote', NULL, 90)`);
  const catalog = new Catalog();
  for (const [t, h] of [
    [B.SUB_VOTED, B.SUB_VOTED_HEADER],
    [B.SUB_PAID, B.SUB_PAID_HEADER],
  ] as const) {
    catalog.set({ name: t, kind: 'table', columns: [], rows: 0 });
    await catalog.refresh(engine, t, B.labelsOf(h));
  }
  ctx = {
    engine,
    catalog,
    journal: undefined as never,
    files: { open: () => Promise.reject(new Error('pas de fichiers')), list: () => Promise.resolve([]) },
  };
  const query = engine.query;
  engine.query = function (this: Engine, s, o) {
    statements.push(s);
    return query.call(this, s, o);
  };
});
afterAll(() => engine.close());

/** The operation's statement with the two parts written the plain way. */
function plain(sql: string): string {
  const distinct = (x: string, sep: string): [string, string] => [
    `CASE WHEN count(${x}) > 0 THEN array_to_string(list_sort(list_distinct(list(${x}))), '${sep}') END`,
    `string_agg(DISTINCT ${x}, '${sep}' ORDER BY ${x})`,
  ];
  const notes = [
    /CASE WHEN m\.cle IS NULL THEN nt\.ambigu END AS ambigu, CASE WHEN m\.cle IS NULL THEN nt\.note END AS note(.*?)LEFT JOIN notes AS nt ON /s,
    'nt.ambigu, nt.note$1LEFT JOIN notes AS nt ON m.cle IS NULL AND ',
  ] as const;
  let out = sql;
  for (const [now, was] of [distinct('nom', ' | '), distinct('methode', ', ')]) {
    expect(out).toContain(now);
    out = out.replace(now, () => was);
  }
  expect(out).toMatch(notes[0]);
  return out.replace(notes[0], notes[1]);
}

const asText = async (select: string) =>
  (await engine.query(`SELECT CAST(x AS VARCHAR) FROM (${select}) AS x`)).rows.map((r) => String(r[0]));

describe('subsidies-reconcile at scale', () => {
  it('gives the table the plain statement gives, row for row, traps included', async () => {
    const res = await subsidiesReconcile.run(ctx, validateParams(subsidiesReconcile, { voted: B.SUB_VOTED, paid: B.SUB_PAID }));
    const create = statements.find((s) => s.startsWith('CREATE'))!;
    const select = create.slice(create.indexOf(' AS ') + 4);
    const got = await asText(`SELECT * FROM "${res.table}"`);
    const want = await asText(plain(select));
    expect(got).toEqual(want);
    // The traps are in the data: lines without a name, names tied exactly, near names tied, every method.
    const d = res.detail!;
    expect(d.blank.voted).toBe(3);
    expect(d.blank.paid).toBe(2);
    expect(d.flags.rapprochement_ambigu).toBeGreaterThan(0);
    expect(got.some((r) => r.includes('même nom que plusieurs bénéficiaires'))).toBe(true);
    expect(got.some((r) => r.includes('noms approchés à égalité') || r.includes('à égalité avec un autre nom versé'))).toBe(true);
    for (const m of ['siret', 'siren', 'nom exact', 'mêmes mots', 'nom approché'] as const) expect(d.paidLinesBy[m]).toBeGreaterThan(0);
    expect(got.some((r) => / \| /.test(r.match(/'noms_verses': ([^,]*)/)?.[1] ?? ''))).toBe(true);
  });
});
