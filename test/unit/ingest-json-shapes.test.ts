// JSON as publishers write it: records under any key or two levels down, several arrays side by side,
// nested holders and modifications as child tables, year-keyed maps unpivoted on request.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { findRecordArrays } from '../../src/core/ingest/json-shapes.ts';
import { bytesSourceFile, type FileResolver } from '../../src/core/ingest/source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { reopened } from './helpers-io.ts';

let engine: Engine;
const files = new Map<string, Uint8Array>();
const resolver: FileResolver = {
  open: async (path) => bytesSourceFile(files.get(path)!, path, path),
  list: async () => [],
};
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

async function importJson(name: string, doc: unknown, options?: Record<string, unknown>) {
  files.set(
    name,
    typeof doc === 'string'
      ? new TextEncoder().encode(doc)
      : doc instanceof Uint8Array
        ? doc
        : new TextEncoder().encode(JSON.stringify(doc)),
  );
  const s = await Session.create(engine, new MemoryProjectStore(), resolver, 'JSON');
  const res = await s.importPath(name, options ? { options } : {});
  return {
    s,
    res,
    warnings: s.catalog
      .list()
      .flatMap((t) => t.source?.warnings ?? [])
      .join(' | '),
  };
}
const rows = async (sql: string) => (await engine.query(sql)).rows;

/** Paris investment operations as published: a header, then records with a year-keyed map. */
const operations = (n: number) => ({
  generated_at: '2024-05-01T00:00:00Z',
  source: 'Ville de Paris',
  operations: Array.from({ length: n }, (_, i) => ({
    id: `OP-${i + 1}`,
    libelle: `Opération ${i + 1}`,
    mandate_par_annee: Object.fromEntries([2009, 2010, 2011].map((y) => [String(y), (i + 1) * 1000 + (y - 2009)])),
  })),
});

describe('where the records are', () => {
  it('finds every array of objects, largest first, not those nested inside records', () => {
    const doc = {
      meta: { n: 2 },
      a: [{ x: 1 }, { x: 2 }, { x: 3, inner: [{ y: 1 }, { y: 2 }, { y: 3 }, { y: 4 }] }],
      b: { c: [{ z: 1 }] },
      d: [1, 2],
    };
    expect(findRecordArrays(doc)).toEqual([
      { path: 'a', count: 3 },
      { path: 'b.c', count: 1 },
    ]);
  });

  it('reads records under any key, beside a header', async () => {
    const { s, warnings } = await importJson('operations.json', operations(5));
    expect(s.catalog.get('operations')!.rows).toBe(5);
    expect(warnings).toMatch(/enregistrements lus sous « operations »/);
    // Without unpivot the year-keyed map is prefixed columns, one per year.
    expect(await rows(`SELECT id, mandate_par_annee_2010 FROM operations ORDER BY id LIMIT 2`)).toEqual([
      ['OP-1', 1001],
      ['OP-2', 2001],
    ]);
  });

  it('unpivots a year-keyed map into (key, value) rows on request', async () => {
    const { s } = await importJson('ops.json', operations(4), { unpivot: ['mandate_par_annee'] });
    expect(s.catalog.get('ops__mandate_par_annee')!.rows).toBe(4 * 3);
    expect(await rows(`SELECT parent_id, cle, valeur FROM ops__mandate_par_annee WHERE parent_id = 'OP-2' ORDER BY cle`)).toEqual([
      ['OP-2', '2009', 2000],
      ['OP-2', '2010', 2001],
      ['OP-2', '2011', 2002],
    ]);
  });

  it('reads records two levels down, and names the other arrays it left', async () => {
    const doc = { declarations: { declaration: [{ id: 1 }, { id: 2 }, { id: 3 }] }, annexes: [{ n: 'a' }] };
    const { s, warnings } = await importJson('decl.json', doc);
    expect(s.catalog.get('decl')!.rows).toBe(3);
    expect(warnings).toMatch(/autres tableaux d’enregistrements.*« annexes » \(1\)/);
    const other = await importJson('decl2.json', doc, { path: 'annexes' });
    expect(other.s.catalog.get('decl2')!.rows).toBe(1);
    await expect(importJson('decl3.json', doc, { path: 'absent.x' })).rejects.toThrow(/aucune valeur au chemin « absent\.x »/);
  });

  it('imports several arrays of one document as several tables, each with its children', async () => {
    const doc = {
      marches: [
        { id: 'M1', titulaires: [{ siret: '1' }, { siret: '2' }] },
        { id: 'M2', titulaires: [] },
      ],
      avenants: [{ id: 'A1', marche: 'M1' }],
    };
    const { s } = await importJson('plusieurs.json', doc, { paths: ['marches', 'avenants'] });
    expect(s.catalog.get('plusieurs__marches')!.rows).toBe(2);
    expect(s.catalog.get('plusieurs__avenants')!.rows).toBe(1);
    expect(await rows(`SELECT parent_id, siret FROM plusieurs__marches_titulaires ORDER BY position`)).toEqual([
      ['M1', '1'],
      ['M1', '2'],
    ]);
    expect(s.catalog.get('plusieurs__marches')!.source!.part).toBe('marches');
  });

  it('still refuses a lone object with no array of objects anywhere', async () => {
    await expect(importJson('seul.json', { a: 1, b: { c: [1, 2] } })).rejects.toThrow(
      /objet JSON seul, sans tableau d’objets à aucun niveau/,
    );
  });
});

describe('nested records as related tables', () => {
  const contracts = [
    {
      id: 'M1',
      montant: 1000.5,
      acheteur: { id: '21750001600019' },
      titulaires: [{ titulaire: { typeIdentifiant: 'SIRET', id: '31547453600325' } }],
      codes: ['a', 'b'],
    },
    {
      id: 'M2',
      montant: 250,
      acheteur: { id: '21750001600019' },
      titulaires: [
        { titulaire: { typeIdentifiant: 'SIRET', id: '41797626300018' } },
        { titulaire: { typeIdentifiant: 'TVA', id: 'FR12345678901' } },
      ],
      modifications: [{ modification: { id: 1, montant: 300 } }],
    },
  ];

  it('gives one holder row per holder with its contract, objects as prefixed columns, lists of values as JSON text', async () => {
    const { s } = await importJson('decp.json', contracts);
    expect(await rows(`SELECT id, acheteur_id, montant::VARCHAR, codes FROM decp ORDER BY id`)).toEqual([
      ['M1', '21750001600019', '1000.50', '["a","b"]'],
      ['M2', '21750001600019', '250.00', null],
    ]);
    expect(
      await rows(`SELECT parent_id, position, titulaire_typeidentifiant, titulaire_id FROM decp__titulaires ORDER BY parent_id, position`),
    ).toEqual([
      ['M1', 1, 'SIRET', '31547453600325'],
      ['M2', 1, 'SIRET', '41797626300018'],
      ['M2', 2, 'TVA', 'FR12345678901'],
    ]);
    // A list of values is queryable as a LIST without the JSON extension.
    expect(await rows(`SELECT len(CAST(codes AS VARCHAR[])) FROM decp WHERE id = 'M1'`)).toEqual([[2]]);
    // The child's parent is the contract's line.
    expect(
      await rows(`SELECT d.id, count(*)::INTEGER FROM decp d JOIN decp__titulaires t ON t.parent = d.ligne GROUP BY 1 ORDER BY 1`),
    ).toEqual([
      ['M1', 1],
      ['M2', 2],
    ]);
    expect(s.catalog.get('decp__modifications')?.source?.part).toBe('modifications');
  });

  it('reopens into the same tables', async () => {
    const { s } = await importJson('reouv.json', contracts);
    await reopened(s.store, resolver, (again) => {
      expect(again.catalog.get('reouv__titulaires')?.rows).toBe(3);
    });
  });
});

describe('projects imported before nested data became tables', () => {
  it('reopen with nested data as JSON text, as their journal and saved queries expect', async () => {
    const { s } = await importJson('ancien.json', [{ id: 1, detail: { a: 1 }, liste: [{ b: 2 }] }], { shape: 'array' });
    expect(s.catalog.has('ancien__liste')).toBe(false);
    expect(await rows(`SELECT detail, liste FROM ancien`)).toEqual([['{"a":1}', '[{"b":2}]']]);
    expect(s.catalog.get('ancien')!.source!.options).toMatchObject({ nested: 'text' });
  });
});

const DECP = '../shared/data/decp_2024_paris.json';
describe.skipIf(!existsSync(DECP))('the real 2024 DECP contracts of Paris (../shared/data)', () => {
  it('imports every contract and one holder row per holder, with the holder SIRET', async () => {
    const bytes = readFileSync(DECP);
    const doc = JSON.parse(bytes.toString('utf8')) as { titulaires?: unknown[] }[];
    const holders = doc.reduce((n, c) => n + (c.titulaires?.length ?? 0), 0);
    const { s } = await importJson('decp_2024_paris.json', new Uint8Array(bytes));
    expect(s.catalog.get('decp_2024_paris')!.rows).toBe(doc.length);
    expect(s.catalog.get('decp_2024_paris__titulaires')!.rows).toBe(holders);
    expect(
      await rows(`SELECT count(*)::INTEGER FROM decp_2024_paris__titulaires WHERE regexp_full_match(titulaire_id, '[0-9]{14}')`),
    ).toEqual([
      [
        doc
          .flatMap((c) => (c.titulaires ?? []) as { titulaire?: { id?: string } }[])
          .filter((t) => /^[0-9]{14}$/.test(t.titulaire?.id ?? '')).length,
      ],
    ]);
  });
});
