// XML imports: HATVP declarations as a table of declarations and one child table per section, generic
// XML at its repeated element, nested lists as child tables, French dates typed, masked values kept.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import { DECLARATIONS, hatvpXml } from '../fixtures/xml-fixtures.ts';
import { memoryFiles } from '../fixtures/memory-files.ts';
import { reopened } from './helpers-io.ts';

let engine: Engine;
const { files, resolver } = memoryFiles();
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

async function importXml(name: string, text: string | Uint8Array, options?: Record<string, unknown>) {
  files.set(name, typeof text === 'string' ? new TextEncoder().encode(text) : text);
  const s = await Session.create(engine, new MemoryProjectStore(), resolver, 'XML');
  const res = await s.importPath(name, options ? { options } : {});
  return { s, res };
}

const rows = async (sql: string) => (await engine.query(sql)).rows;

describe('HATVP declarations', () => {
  it('makes one row per declaration and one child table per section, with the declaration uuid', async () => {
    const { s } = await importXml('declarations.xml', hatvpXml(DECLARATIONS));
    const main = s.catalog.get('declarations')!;
    expect(main.rows).toBe(DECLARATIONS.length);
    expect(
      await rows(
        `SELECT uuid, general_declarant_nom, general_typedeclaration_id, participationdirigeantdto_elements, fonctionbenevoledto_neant FROM declarations ORDER BY uuid`,
      ),
    ).toEqual(DECLARATIONS.map((d) => [d.uuid, d.nom, 'DI', d.dirigeant.length, true]));
    const dir = s.catalog.get('declarations__participationdirigeantdto')!;
    expect(dir.source?.part).toBe('participationDirigeantDto');
    // One directorship or several: the same table, one row each, in file order, with the uuid.
    const expected = DECLARATIONS.flatMap((d) => d.dirigeant.map((x, i) => [d.uuid, i + 1, x.societe]));
    expect(
      await rows(`SELECT parent_id, position, nomsociete FROM declarations__participationdirigeantdto ORDER BY parent_id, position`),
    ).toEqual(expected);
    // Amounts per year, nested two lists deep, are a grandchild table joined through _ligne/_parent.
    const total = DECLARATIONS.flatMap((d) => d.dirigeant.flatMap((x) => x.montants.map(([, m]) => m))).reduce((a, b) => a + b, 0);
    expect(
      await rows(
        `SELECT sum(m.montant)::BIGINT, count(*)::INTEGER FROM declarations__participationdirigeantdto_remuneration_montant m JOIN declarations__participationdirigeantdto d ON m.parent = d.ligne`,
      ),
    ).toEqual([[total, DECLARATIONS.flatMap((d) => d.dirigeant.flatMap((x) => x.montants)).length]]);
    const mandats = DECLARATIONS.flatMap((d) => d.mandats.map((m) => [d.uuid, m.description]));
    expect(await rows(`SELECT parent_id, descriptionmandat FROM declarations__mandatelectifdto ORDER BY parent_id, position`)).toEqual(
      mandats,
    );
  });

  it('types French dates, months and timestamps, keeps masked values verbatim and says so', async () => {
    const { s } = await importXml('decl.xml', hatvpXml(DECLARATIONS));
    const types = Object.fromEntries(s.catalog.get('decl')!.columns.map((c) => [c.name, c.type]));
    expect(types.datedepot).toBe('TIMESTAMP');
    expect(types.general_datedebutmandat).toBe('DATE');
    expect(types.general_organe_codeorgane).toBe('VARCHAR');
    expect(await rows(`SELECT strftime(datedepot, '%Y-%m-%d %H:%M:%S'), general_declarant_email FROM decl ORDER BY uuid LIMIT 1`)).toEqual([
      ['2020-07-06 17:53:45', '[Données non publiées]'],
    ]);
    const child = s.catalog.get('decl__participationdirigeantdto')!;
    expect(child.columns.find((c) => c.name === 'datedebut')?.type).toBe('DATE');
    expect(
      await rows(`SELECT strftime(datedebut, '%Y-%m-%d') FROM decl__participationdirigeantdto ORDER BY parent, position LIMIT 1`),
    ).toEqual([['2014-04-01']]);
    const warnings = s.catalog
      .list()
      .flatMap((t) => t.source?.warnings ?? [])
      .join(' | ');
    expect(warnings).toMatch(/general\.declarant\.email : 1 valeur\(s\)|email : 3 valeur\(s\) masquée/);
    expect(warnings).toMatch(/dates au mois \(MM\/AAAA\)/);
  });

  it('reopens into the same tables from the recorded options', async () => {
    const { s } = await importXml('reouverture.xml', hatvpXml(DECLARATIONS));
    const src = s.catalog.get('reouverture')!.source!;
    expect(src.options).toMatchObject({ profile: 'hatvp', recordPath: 'declarations/declaration' });
    await reopened(s.store, resolver, (again) => {
      expect(again.catalog.get('reouverture__participationdirigeantdto')?.rows).toBe(3);
    });
  });
});

describe('generic XML', () => {
  it('takes the shallowest repeated element with children as the record; attributes and repeated children handled', async () => {
    const xml = `<export date="2024-01-01"><meta><n>2</n></meta>
      <contrat id="C1"><objet>Voirie</objet><titulaire><siret>31547453600325</siret></titulaire><titulaire><siret>41797626300018</siret></titulaire></contrat>
      <contrat id="C2"><objet>Écoles &amp; crèches</objet><titulaire><siret>00012345600019</siret></titulaire></contrat></export>`;
    await importXml('contrats.xml', xml);
    expect(await rows(`SELECT "id", objet FROM contrats ORDER BY 1`)).toEqual([
      ['C1', 'Voirie'],
      ['C2', 'Écoles & crèches'],
    ]);
    // « titulaire » repeats in C1, so it is a list in C2 too: one holder table for both.
    expect(await rows(`SELECT parent_id, position, siret FROM contrats__titulaire ORDER BY 1, 2`)).toEqual([
      ['C1', 1, '31547453600325'],
      ['C1', 2, '41797626300018'],
      ['C2', 1, '00012345600019'],
    ]);
  });

  it('imports at the element the user names, and says which elements exist when it is absent', async () => {
    const xml = `<r><a><b><v>1</v></b><b><v>2</v></b></a><a><b><v>3</v></b></a></r>`;
    const { s } = await importXml('choix.xml', xml, { recordPath: 'r/a' });
    expect(s.catalog.get('choix')!.rows).toBe(2);
    await expect(importXml('absent.xml', xml, { recordPath: 'r/z' })).rejects.toThrow(/aucun élément « r\/z ».*r\/a\/b \(3\)/);
  });
});

const REAL = '../shared/data/hatvp-declaration-sample.xml';
describe.skipIf(!existsSync(REAL))('the real HATVP declaration (../shared/data)', () => {
  it('imports one declaration with its 44 directorships and the declarant’s masked contact details', async () => {
    const { s } = await importXml('hatvp-declaration-sample.xml', readFileSync(REAL));
    expect(s.catalog.get('hatvp_declaration_sample')!.rows).toBe(1);
    expect(s.catalog.get('hatvp_declaration_sample__participationdirigeantdto')!.rows).toBe(44);
    expect(s.catalog.get('hatvp_declaration_sample__mandatelectifdto')!.rows).toBe(4);
    expect(await rows(`SELECT general_declarant_email FROM ${quoteIdent('hatvp_declaration_sample')}`)).toEqual([
      ['[Données non publiées]'],
    ]);
  });
});

describe('interests-vs-subsidies on imported HATVP declarations', () => {
  it('gathers the organisations of every section with their declarant and matches them to beneficiaries', async () => {
    const { s } = await importXml('interets.xml', hatvpXml(DECLARATIONS));
    files.set(
      'subv.csv',
      new TextEncoder().encode(
        'Bénéficiaire;Montant\nTHEATRE DE LA VERANDA;6000\nAssociation des amis du quartier;1500\nClub de quartier;800\n',
      ),
    );
    await s.importPath('subv.csv');
    const { getOperation } = await import('../../src/core/ops/all.ts');
    const res = await s.run(getOperation('reconcile')!, {
      left: 'interets',
      right: 'subv',
      keys: [{ left: 'organisme', right: 'beneficiaire' }],
      preset: 'interests-vs-subsidies',
      amount: { right: 'montant' },
    });
    expect(res.summary).toMatch(/Organismes tirés des déclarations HATVP « interets » \(1 section\) dans « interets__organismes »/);
    expect(res.summary).toMatch(/2 correspondances exactes/);
    const got = await rows(`SELECT noms_gauche, noms_droite, gauche_declarant, gauche_section FROM ${quoteIdent(res.table!)} ORDER BY 1`);
    expect(got).toEqual([
      ['Association des Amis du Quartier', 'Association des amis du quartier', 'Claire Martin', 'fonctions de direction'],
      ['Théâtre de la Véranda', 'THEATRE DE LA VERANDA', 'Marc Durand', 'fonctions de direction'],
    ]);
    expect(res.entry.inputs.map((i) => i.table)).toEqual(
      expect.arrayContaining(['interets', 'interets__participationdirigeantdto', 'subv']),
    );
  });
});
