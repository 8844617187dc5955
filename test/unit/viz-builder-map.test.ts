// A number dropped on a map's colour is totalled per area: the tile map of the participatory budget
// coloured by « budget_alloue » shows the sum per arrondissement, not the row count under its title.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Catalog, type TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { emptyDraft, parseDraft, placeField, setTileMap } from '../../src/core/viz/builder.ts';
import { runChart } from '../../src/core/viz/chart-stats.ts';

let engine: Engine;
let t: TableEntry;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.query(
    `CREATE TABLE projets AS SELECT CAST(1 + i % 20 AS VARCHAR) AS arrondissement, CAST(1000 * (1 + i % 7) AS BIGINT) AS budget_alloue FROM range(400) r(i)`,
  );
  const catalog = new Catalog();
  catalog.set({ name: 'projets', kind: 'table', columns: [], rows: 0 });
  t = await catalog.refresh(engine, 'projets');
});
afterAll(async () => {
  await engine?.close();
});

it('totals a money column placed on a tile map’s colour', async () => {
  const d = placeField(setTileMap(emptyDraft('projets'), 'arrondissement'), t, 'budget_alloue', 'color');
  expect(d.encoding.color).toMatchObject({ field: 'budget_alloue', aggregate: 'sum' });
  const parsed = parseDraft(d);
  if (!('spec' in parsed)) throw new Error(parsed.error);
  const spec = parsed.spec;
  const { values } = await runChart(engine, spec, t);
  const want = await engine.query(`SELECT CAST(arrondissement AS INTEGER), CAST(sum(budget_alloue) AS DOUBLE) FROM projets GROUP BY 1`);
  const byArr = Object.fromEntries(want.rows.map((r) => [Number(r[0]), Number(r[1])]));
  for (const v of values) expect(v.color).toBe(byArr[Number(v.arrondissement)]);
});
