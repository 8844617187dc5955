// Column names come from files: `constructor`, `__proto__`, `toString` are names like any other, and
// must not reach Object's own members through a lookup in a plain object.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { exportToBytes } from '../../src/core/export/export.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { summarizeTable } from '../../src/core/profile/profile.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { tableRelation } from '../../src/core/sql/relation.ts';
import { tempDirWith } from './helpers-io.ts';

let dir: string;
let engine: Engine;
let s: Session;
beforeAll(async () => {
  dir = await tempDirWith('loupe-proto-', {
    'noms.csv': 'constructor;__proto__;toString;hasOwnProperty;valueOf\n1;a;x;2,5;oui\n2;b;y;3,5;non\n',
    'noms.json':
      '[{"constructor":1,"__proto__":"p","toString":"x","valueOf":2.5},{"constructor":2,"__proto__":"q","toString":"y","valueOf":3.5}]',
  });
  engine = await createNodeEngine();
  s = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, 'Noms');
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

it('imports a CSV whose headers are prototype member names, with their labels and values', async () => {
  await s.importPath(join(dir, 'noms.csv'));
  const t = s.catalog.get('noms')!;
  expect(t.columns.map((c) => c.label)).toEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']);
  const r = await engine.query(`SELECT * FROM noms ORDER BY 1`);
  expect(r.rows).toEqual([
    [1, 'a', 'x', 2.5, 'oui'],
    [2, 'b', 'y', 3.5, 'non'],
  ]);
});

it('imports JSON records whose keys are prototype member names, __proto__ included', async () => {
  const res = await s.importPath(join(dir, 'noms.json'));
  const name = res.detail!.tables[0]?.name ?? '';
  const t = s.catalog.get(name)!;
  expect(t.columns.map((c) => c.label)).toEqual(['constructor', '__proto__', 'toString', 'valueOf']);
  expect(t.rows).toBe(2);
  const r = await engine.query(`SELECT * FROM "${name}" ORDER BY 1`);
  expect(r.rows.map((x) => x.slice(1, 3))).toEqual([
    ['p', 'x'],
    ['q', 'y'],
  ]);
});

it('profiles and exports such a table', async () => {
  const summary = await summarizeTable(engine, tableRelation('noms'));
  expect(summary.length).toBe(5);
  const csv = new TextDecoder().decode(await exportToBytes(engine, tableRelation('noms'), 'csv'));
  expect(csv.split('\n')[0]).toBe('constructor,proto,tostring,hasownproperty,valueof');
});
