// Measurement types read from meaning: codes, years, months and identifiers stored as numbers are
// categories, checked on the real shapes (the participatory-budget export imported from its
// generated CSV, the budget and subsidy headers) and, when present, on the real public files.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import type { ColumnMeta, TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { emptyDraft, parseDraft, placeField, setFieldType, typeOfField } from '../../src/core/viz/builder.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { inferFieldType, inferTableTypes, nextType } from '../../src/core/viz/measure.ts';
import { chartKindWords } from '../../src/core/viz/ops.ts';
import { EN_RECOMMEND, recommendCharts } from '../../src/core/viz/recommend.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { EXEC_HEADER, SUB_PAID_HEADER, SUB_VOTE_HEADER, VOTE_HEADER } from '../fixtures/budget-fixtures.ts';
import { PARIS_HEADER, realSizedParisProjects } from '../fixtures/paris-participatory.ts';

const col = (label: string, type: string, name = label): ColumnMeta => ({ name, label, type });

describe('inferFieldType, from names', () => {
  it('reads codes stored as numbers as categories', () => {
    for (const c of [
      col('Arrondissement', 'BIGINT', 'arrondissement'),
      col('SIRET', 'BIGINT', 'siret'),
      col('codepostaletablissement', 'BIGINT'),
      col('Code INSEE', 'INTEGER', 'code_insee'),
      col('Numéro du projet', 'INTEGER', 'numero_du_projet'),
      col('Numéro de mandat', 'BIGINT', 'numero_de_mandat'),
      col('Sous-fonction', 'DOUBLE', 'sous_fonction'),
      col('Article', 'BIGINT', 'article'),
      col('c_ar', 'BIGINT'),
      col('N° de dossier', 'INTEGER', 'n_de_dossier'),
    ]) {
      expect(inferFieldType(c), c.label).toBe('nominal');
    }
  });

  it('reads years and months as ordered categories, and amounts named after a year as amounts', () => {
    expect(inferFieldType(col('Edition', 'BIGINT', 'edition'))).toBe('ordinal');
    expect(inferFieldType(col('Exercice comptable', 'BIGINT', 'exercice_comptable'))).toBe('ordinal');
    expect(inferFieldType(col('Année budgétaire', 'INTEGER', 'annee_budgetaire'))).toBe('ordinal');
    expect(inferFieldType(col('year', 'SMALLINT'))).toBe('ordinal');
    expect(inferFieldType(col('Mois', 'INTEGER', 'mois'))).toBe('ordinal');
    expect(inferFieldType(col("Budget de l'année", 'BIGINT', 'budget_de_l_annee'))).toBe('quantitative');
    expect(inferFieldType(col('Montant voté', 'DECIMAL(18,2)', 'montant_vote'))).toBe('quantitative');
    expect(inferFieldType(col('Effectif', 'INTEGER', 'effectif'))).toBe('quantitative');
    // A year column with a fractional type is a measure of years, not a year.
    expect(inferFieldType(col('annee', 'DOUBLE'))).toBe('quantitative');
  });

  it('checks a year or a month on its values when they are known', () => {
    const annee = col('Année', 'INTEGER', 'annee');
    expect(inferFieldType(annee, { min: 2014, max: 2023 })).toBe('ordinal');
    expect(inferFieldType(annee, { min: 0, max: 40 })).toBe('quantitative');
    expect(inferFieldType(annee, { min: 1850, max: 2023 })).toBe('quantitative');
    expect(inferFieldType(col('mois', 'INTEGER'), { min: 1, max: 12 })).toBe('ordinal');
    expect(inferFieldType(col('mois', 'INTEGER'), { min: 0, max: 36 })).toBe('quantitative');
  });

  it('keeps text, dates and plain numbers as they were', () => {
    expect(inferFieldType(col('Direction', 'VARCHAR'))).toBe('nominal');
    expect(inferFieldType(col('Date du vote', 'DATE'))).toBe('temporal');
    expect(inferFieldType(col('Latitude', 'DOUBLE'))).toBe('quantitative');
  });

  it('reads the generated budget and subsidy headers by meaning', () => {
    const types = (header: readonly string[], type: (h: string) => string) =>
      Object.fromEntries(header.map((h) => [h, inferFieldType(col(h, type(h)))]));
    const numeric = (h: string) => (/Chapitre|Nature|Fonction|Exercice|Montant|Mandaté|Numéro|Année/.test(h) ? 'BIGINT' : 'VARCHAR');
    expect(types(VOTE_HEADER, numeric)).toMatchObject({
      Exercice: 'ordinal',
      Chapitre: 'nominal',
      Nature: 'nominal',
      Fonction: 'nominal',
      'Montant voté': 'quantitative',
    });
    expect(types(EXEC_HEADER, numeric)).toMatchObject({ Exercice: 'ordinal', Mandaté: 'quantitative' });
    expect(types(SUB_VOTE_HEADER, numeric)).toMatchObject({
      'Numéro de dossier': 'nominal',
      'Année budgétaire': 'ordinal',
      'Montant voté': 'quantitative',
    });
    expect(types(SUB_PAID_HEADER, numeric)).toMatchObject({
      'Numéro de mandat': 'nominal',
      Exercice: 'ordinal',
      'Montant versé': 'quantitative',
    });
  });

  it('cycles a number through category and ordered category back to number in clicks', () => {
    const c = col('Arrondissement', 'BIGINT', 'arrondissement');
    expect([nextType(c, 'nominal'), nextType(c, 'ordinal'), nextType(c, 'quantitative')]).toEqual(['ordinal', 'quantitative', 'nominal']);
    expect(nextType(col('Direction', 'VARCHAR'), 'nominal')).toBe('ordinal');
  });

  it('names the chart kind in words in the operation summary', () => {
    expect(chartKindWords({ mark: 'rect' })).toBe('Carte de chaleur');
    expect(chartKindWords({ mark: 'bar' })).toBe('Graphique en barres');
    expect(chartKindWords({ mark: 'rect', map: { kind: 'tiles', key: 'a' } })).toBe('Carte des arrondissements');
  });
});

// The participatory-budget export as the portal's JSON writes it (codes and editions as JSON
// numbers), imported like a user would, then read through a saved query that makes the code a number.
let engine: Engine;
let dir: string;
let session: Session;
let bp: TableEntry;
const projects = realSizedParisProjects();

beforeAll(async () => {
  engine = await createNodeEngine();
  dir = await mkdtemp(join(tmpdir(), 'loupe-viz-measure-'));
  const csv = join(dir, 'bp_projets_gagnants.json');
  const records = projects.map((p) =>
    Object.fromEntries(
      PARIS_HEADER.map((h, i) => [h, h === 'Arrondissement' ? Number(p.truth.code) : p.cells[i] === '' ? null : p.cells[i]]),
    ),
  );
  await writeFile(csv, JSON.stringify(records), 'utf8');
  session = await Session.create(engine, new NodeProjectStore(join(dir, 'p')), nodeFileResolver, 'p');
  await session.importPath(csv);
  // The import keeps code columns as text; a spreadsheet round trip or a saved query (the workaround
  // users reach for) gives them back as numbers, which is the case the builder must read right.
  await session.saveQuery('bp_chiffres', 'SELECT * REPLACE (CAST(arrondissement AS BIGINT) AS arrondissement) FROM bp_projets_gagnants');
  bp = session.catalog.get('bp_chiffres')!;
}, 60_000);
afterAll(async () => {
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A column of the saved query, found by its header in the imported file. */
const column = (header: string) => {
  const name = session.catalog.get('bp_projets_gagnants')!.columns.find((c) => c.label === header)!.name;
  return bp.columns.find((c) => c.name === name)!;
};

async function render(spec: ChartSpec) {
  const { vegaLite, values } = await chartData(engine, await prepareChart(engine, spec, bp));
  const view = new vega.View(vega.parse(compile(vegaLite as never).spec, undefined, { ast: true }), {
    renderer: 'none',
    expr: expressionInterpreter as never,
  });
  const svg = await view.toSVG();
  view.finalize();
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  return { values, texts };
}

describe('the participatory-budget export in the chart builder', () => {
  it('imports the arrondissement code and the edition as numbers, and reads them as categories', async () => {
    const arr = column('Arrondissement');
    const ed = column('Edition');
    // The trap is real only if the import typed them as numbers.
    expect(arr.type).toMatch(/INT/);
    expect(ed.type).toMatch(/INT/);
    const types = await inferTableTypes(engine, bp);
    expect(types[arr.name]).toBe('nominal');
    expect(types[ed.name]).toBe('ordinal');
    expect(types[column('Budget global du projet').name]).toBe('quantitative');
    expect(types[column('Numéro du projet').name]).toBe('nominal');
  });

  it('draws « Budget by arrondissement » as one bar per arrondissement, not a continuous axis', async () => {
    const arr = column('Arrondissement').name;
    const budget = column('Budget global du projet').name;
    let d = emptyDraft(bp.name);
    d = placeField(d, bp, budget, 'x');
    d = placeField(d, bp, arr, 'y');
    expect(d.encoding.y).toMatchObject({ field: arr, type: 'nominal' });
    expect(d.encoding.x).toMatchObject({ field: budget, aggregate: 'sum' });
    const parsed = parseDraft(d);
    if (!('spec' in parsed)) throw new Error(parsed.error);
    const { values, texts } = await render(parsed.spec);
    const codes = new Set(projects.map((p) => p.truth.code));
    expect(values.length).toBe(codes.size);
    // Each bar is labelled with its code as written, never as a thousands-separated quantity.
    for (const code of codes) expect(texts).toContain(code.replace(/^0+/, ''));
    expect(texts.some((t) => /^7\s?5\s?\u202f?0\d\d$/.test(t) && t !== t.replace(/\s|\u202f/g, ''))).toBe(false);
  });

  it('labels editions « 2014 », not « 2 014 », and keeps them in order', async () => {
    const ed = column('Edition').name;
    const [first] = recommendCharts(bp, [ed], { types: await inferTableTypes(engine, bp) });
    expect(first).toMatchObject({ mark: 'bar', encoding: { x: { field: ed, type: 'ordinal', sort: 'ascending' } } });
    const { texts } = await render(first!);
    const years = texts.filter((t) => /^\d{4}$/.test(t));
    expect(years).toEqual(['2014', '2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023']);
    expect(texts.some((t) => /^2[\s\u202f]0\d\d$/.test(t))).toBe(false);
  });

  it('gives its reasons in English in an English interface', async () => {
    const types = await inferTableTypes(engine, bp);
    const fields = [column('Arrondissement').name, column('Budget global du projet').name, column('Edition').name];
    const specs = recommendCharts(bp, fields, { types, texts: EN_RECOMMEND });
    expect(specs.length).toBeGreaterThan(4);
    for (const s of specs) expect(s.description, s.description).toMatch(/^(The|Total|Mean|Number|Distribution|Median|Spread|“)/);
    for (const s of specs) expect(s.description).not.toMatch(/«|\b(par|de|les|lignes)\b/);
    expect(specs.find((s) => s.encoding.y?.field === fields[0] && s.encoding.x?.aggregate === 'sum')?.description).toBe(
      `Total of “${column('Budget global du projet').label}” by “${column('Arrondissement').label}”, the 20 largest`,
    );
  });

  it('writes a year kept as a number « 2014 » on its axis, not « 2 014 »', async () => {
    const ed = column('Edition').name;
    const d = setFieldType(placeField(emptyDraft(bp.name), bp, ed, 'x'), bp, ed, 'quantitative');
    const parsed = parseDraft({
      ...d,
      mark: 'point',
      encoding: { ...d.encoding, y: { field: column('Budget global du projet').name, type: 'quantitative' } },
    });
    if (!('spec' in parsed)) throw new Error(parsed.error);
    const { texts } = await render(parsed.spec);
    expect(texts.filter((t) => /^20\d\d$/.test(t)).length).toBeGreaterThan(1);
    expect(texts.filter((t) => /^2[\s\u202f\u00a0]0\d\d$/.test(t))).toEqual([]);
  });

  it('switches a field to another type in one move, remembered in the spec and applied to its shelves', async () => {
    const arr = column('Arrondissement').name;
    const budget = column('Budget global du projet').name;
    let d = placeField(placeField(emptyDraft(bp.name), bp, budget, 'x'), bp, arr, 'y');
    d = setFieldType(d, bp, budget, 'nominal');
    expect(d.fieldTypes).toEqual({ [budget]: 'nominal' });
    expect(d.encoding.x).toEqual({ field: budget, type: 'nominal' });
    d = setFieldType(d, bp, budget, 'quantitative');
    // Back to its inferred type: nothing to remember, and the total against a category comes back.
    expect(d.fieldTypes).toBeUndefined();
    expect(d.encoding.x).toMatchObject({ type: 'quantitative', aggregate: 'sum' });
    d = setFieldType(d, bp, arr, 'quantitative');
    const spec = ChartSpec.parse(JSON.parse(JSON.stringify(d)));
    expect(spec.fieldTypes).toEqual({ [arr]: 'quantitative' });
    // The next time the column is placed, the author's choice holds.
    expect(typeOfField(spec, column('Arrondissement'))).toBe('quantitative');
    expect(placeField(spec, bp, arr, 'color').encoding.color).toMatchObject({ type: 'quantitative' });
  });
});

const BILAN = resolve('../shared/data/bilan-comptable.csv');
const RENNES = resolve('../shared/data/bp-2019-ville-de-rennes-subventions-aux-associations.csv');
describe.skipIf(!existsSync(BILAN) || !existsSync(RENNES))('real public files (../shared/data)', () => {
  it('reads the fiscal year as a year and « Budget de l’année » as an amount, both imported as BIGINT', async () => {
    await session.importPath(BILAN);
    await session.importPath(RENNES);
    const bilan = session.catalog.get('bilan_comptable')!;
    const rennes = session.catalog.get('bp_2019_ville_de_rennes_subventions_aux_associations')!;
    const ex = bilan.columns.find((c) => c.label.startsWith('Exercice'))!;
    const budget = rennes.columns.find((c) => c.label === "Budget de l'année")!;
    expect([ex.type, budget.type]).toEqual(['BIGINT', 'BIGINT']);
    const bt = await inferTableTypes(engine, bilan);
    expect(bt[ex.name]).toBe('ordinal');
    expect(bt[bilan.columns.find((c) => c.label === 'NET')!.name]).toBe('quantitative');
    expect((await inferTableTypes(engine, rennes))[budget.name]).toBe('quantitative');
  }, 60_000);
});
