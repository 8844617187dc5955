// How the grid asks the engine for rows: the blocks on screen and the one after, in one window, deep in
// a sorted table too (where each window is a scan of the table). Real engine, real GridState.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { tableRelation } from '../../src/core/explore/window.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { BLOCK_ROWS, GridState, HEADER_HEIGHT, ROW_HEIGHT } from '../../src/ui/widgets/grid/grid-state.svelte.ts';

let engine: Engine;
const N = 30_000;
/** Every statement the grid sends, on any lane. */
const sent: string[] = [];

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE lignes AS SELECT x AS n, (x * 7919) % 1000 AS montant, 'ligne ' || x AS libelle FROM range(${N}) r(x)`);
  const query = engine.query;
  engine.query = function (this: Engine, sql, o) {
    sent.push(sql);
    return query.call(this, sql, o);
  };
});
afterAll(() => engine.close());

/** Waits until the grid has nothing in flight and `row` is loaded. */
async function settled(grid: GridState, row: number): Promise<void> {
  await expect.poll(() => grid.loading === 0 && grid.loaded(row), { timeout: 20_000, interval: 20 }).toBe(true);
}

/** The rows' `n` as the grid holds them, from `first` to `last`. */
const shown = (grid: GridState, first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => Number(grid.cell(first + i, 0)));

describe('grid fetching', () => {
  it('fetches the blocks on screen and the next in one window, and answers the next scroll from them', async () => {
    const grid = new GridState();
    await grid.show(engine, { relation: tableRelation('lignes', { rowid: true }) });
    grid.viewHeight = HEADER_HEIGHT + 20 * ROW_HEIGHT;
    grid.viewWidth = 1200;
    // Deep in the table sorted by amount (descending), then by line: the permutation path.
    grid.setOrder([{ column: 'montant', desc: true }]);
    const at = 100 * BLOCK_ROWS + 190; // the viewport straddles blocks 100 and 101
    grid.scrollTop = at * ROW_HEIGHT;
    sent.length = 0;
    grid.schedule();
    await settled(grid, at);
    const windows = () => sent.filter((s) => /JOIN/.test(s) && /_k\._p/.test(s));
    // One window for blocks 100, 101 (on screen) and 102 (ahead).
    expect(windows()).toHaveLength(1);
    expect(windows()[0]).toMatch(new RegExp(`_p >= ${100 * BLOCK_ROWS} AND _p < ${103 * BLOCK_ROWS}`));
    expect(grid.loaded(102 * BLOCK_ROWS + BLOCK_ROWS - 1)).toBe(true);
    const expected = async (first: number, last: number) =>
      (
        await engine.query(`SELECT n FROM lignes ORDER BY montant DESC, rowid LIMIT ${last - first + 1} OFFSET ${first}`, { cache: false })
      ).rows.map((r) => Number(r[0]));
    expect(shown(grid, 100 * BLOCK_ROWS, 103 * BLOCK_ROWS - 1)).toEqual(await expected(100 * BLOCK_ROWS, 103 * BLOCK_ROWS - 1));

    // On into block 102: already there; only block 103 is asked for, ahead.
    sent.length = 0;
    const next = 102 * BLOCK_ROWS + 50;
    grid.scrollTop = next * ROW_HEIGHT;
    expect(grid.loaded(next)).toBe(true);
    grid.schedule();
    await settled(grid, 103 * BLOCK_ROWS);
    expect(windows()).toHaveLength(1);
    expect(windows()[0]).toMatch(new RegExp(`_p >= ${103 * BLOCK_ROWS} AND _p < ${104 * BLOCK_ROWS}`));
    expect(shown(grid, 103 * BLOCK_ROWS, 104 * BLOCK_ROWS - 1)).toEqual(await expected(103 * BLOCK_ROWS, 104 * BLOCK_ROWS - 1));
    grid.dispose();
  });

  it('asks nothing past the last row', async () => {
    const grid = new GridState();
    await grid.show(engine, { relation: tableRelation('lignes', { rowid: true }) });
    grid.viewHeight = HEADER_HEIGHT + 20 * ROW_HEIGHT;
    grid.viewWidth = 1200;
    grid.scrollTop = (N - 10) * ROW_HEIGHT;
    grid.schedule();
    await settled(grid, N - 1);
    expect(shown(grid, N - 5, N - 1)).toEqual([N - 5, N - 4, N - 3, N - 2, N - 1]);
    expect(grid.cell(N, 0)).toBeUndefined();
    grid.dispose();
  });
});
