// Progressive profiles and grid windows on a sorted saved view (issue #15, items 4 and 5), as the app
// runs them: profileTable in the normal lane, SortedWindows for the grid. Each case's statements are
// recorded and replayed by native DuckDB like the rest of the suite (suite.ts).
import type { Engine } from '../../../src/core/engine/engine.ts';
import { SortedWindows } from '../../../src/core/explore/sorted-windows.ts';
import { tableRelation, type OrderBy } from '../../../src/core/explore/window.ts';
import { profileTable } from '../../../src/core/profile/profile.ts';
import { quoteIdent } from '../../../src/core/sql/ident.ts';

/** The saved view the grid pages through: what `save-query` leaves, a VIEW over the table. */
export const BENCH_VIEW = 'bench_vue';

class FirstCard extends Error {}

export function profileAndWindowCases(
  engine: Engine,
  table: string,
  rows: number,
  amount: string,
  direction: string,
): Record<string, () => Promise<unknown>> {
  const view = tableRelation(BENCH_VIEW);
  const orderBy: OrderBy[] = [{ column: amount, desc: true }];
  let kept: SortedWindows | null = null;
  // Each run asks one more row: the engine's result cache never answers a later run (native replays run 1).
  let k = 0;
  const at = (offset: number) => () => kept!.rows(view, { offset, limit: 200 + (k++ % 3), orderBy });
  // A write before each profile empties the result cache, so runs 2 and 3 are computed too.
  const uncached = () => engine.exec('CREATE OR REPLACE TEMP TABLE bench_cache_reset AS SELECT 1 AS x');
  const lane = engine.lane('normal');
  return {
    grid_view_setup: () =>
      engine.exec(
        `CREATE OR REPLACE VIEW ${quoteIdent(BENCH_VIEW)} AS SELECT * FROM ${quoteIdent(table)} WHERE ${quoteIdent(direction)} IS NOT NULL`,
      ),
    // The first deep window copies the view and builds its permutation (a fresh instance each run; the
    // first run's is kept, so native, which replays that run, has the same tables).
    grid_window_first: async () => {
      const sw = new SortedWindows(engine);
      await sw.rows(view, { offset: Math.floor(rows / 2), limit: 200, orderBy });
      if (kept) await sw.release();
      else kept = sw;
    },
    grid_window_0: at(0),
    grid_window_mid: at(Math.floor(rows / 2) + 1000),
    grid_window_end: at(Math.max(0, rows - 150)),
    grid_window_cleanup: async () => {
      await kept?.release();
      await engine.exec(`DROP VIEW IF EXISTS ${quoteIdent(BENCH_VIEW)}`);
    },
    // Until the first column card has its count and nulls (the profile stops there).
    profile_first: async () => {
      await uncached();
      await profileTable(lane, tableRelation(table), {
        onProgress: (_c, stage) => {
          if (stage === 'counts') throw new FirstCard();
        },
      }).catch((e: unknown) => {
        if (!(e instanceof FirstCard)) throw e;
      });
    },
    // The whole estimated profile: every card complete.
    profile: async () => {
      await uncached();
      await profileTable(lane, tableRelation(table));
    },
    // Exact values on request, after the estimated profile (its counts and ranges reused).
    profile_exact: async () => {
      await uncached();
      const approx = await profileTable(lane, tableRelation(table));
      await uncached();
      await profileTable(lane, tableRelation(table), { exact: true, reuse: approx });
    },
  };
}
