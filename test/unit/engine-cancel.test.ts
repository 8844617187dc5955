// Cancelling on the real duckdb-wasm: a cancel stops what it names — a workbench tab's slot, a profile's
// slot — and nothing else, and the engine answers the next query afterwards.
import { describe, expect, test } from 'vitest';
import '../../src/core/ops/all.ts';
import { QueryCancelledError } from '../../src/core/engine/engine.ts';
import { profileTable } from '../../src/core/profile/profile.ts';
import { runWorkbenchQuery, workbenchSlot, WorkbenchError } from '../../src/core/query/workbench.ts';
import { queryRelation } from '../../src/core/sql/relation.ts';
import { openDiskSession, suite } from './helpers.ts';

/** CPU-bound, a few seconds: holds the main connection; cancellable at any polling step. */
const LONG = 'SELECT sum(hash(a.range * b.range)) AS h FROM range(12000) a, range(3000) b';

const db = suite(async () => {
  const t = await openDiskSession('loupe-cancel-', 'p', { 'marches.csv': 'Titulaire;Montant HT\nA;38450\nA;39120\nB;120000\n' });
  await t.engine.exec(
    "CREATE TABLE big AS SELECT range AS i, (range * 7919) % 100003 AS k, 'x' || (range % 5000) AS lib FROM range(400000)",
  );
  return t;
}, 60_000);

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(what()).toBe(true);
}

describe('cancelling', () => {
  test('a query stopped by its own timeout says so, and the engine answers the next one', async () => {
    const err = await db.engine.query(LONG, { cache: false, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryCancelledError);
    expect((err as Error).message).toBe('Requête interrompue après 300 ms');
    expect((await db.engine.query('SELECT 41 + 1 AS v', { cache: false })).rows).toEqual([[42]]);
  }, 60_000);

  test('the workbench cancels its own tab’s query, not the audit that holds the engine', async () => {
    const audit = db.engine.lane('background', { label: 'audit' }).query(LONG, { cache: false });
    await until(() => db.engine.jobs().some((j) => j.label === 'audit' && j.state === 'running'));
    const ctl = new AbortController();
    const tab = runWorkbenchQuery(db.session, 'SELECT titulaire, sum(montant_ht) FROM marches GROUP BY 1', 't7', ctl.signal).catch(
      (e: unknown) => e,
    );
    await until(() => db.engine.jobs().some((j) => j.slot === workbenchSlot('t7')));
    ctl.abort();
    const err = await tab;
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).cancelled).toBe(true);
    // The audit was left alone: still running, then answered.
    expect(db.engine.jobs().find((j) => j.label === 'audit')?.state).toBe('running');
    expect((await audit).rows).toHaveLength(1);
  }, 60_000);

  test('a running workbench query is stopped by its slot, and the next query answers', async () => {
    const ctl = new AbortController();
    const tab = runWorkbenchQuery(db.session, LONG, 't8', ctl.signal).catch((e: unknown) => e);
    await until(() => db.engine.jobs().some((j) => j.slot === workbenchSlot('t8') && j.state === 'running'));
    ctl.abort();
    expect(await tab).toMatchObject({ cancelled: true });
    expect((await db.engine.query('SELECT 41 + 1 AS v', { cache: false })).rows).toEqual([[42]]);
    expect(db.engine.jobs()).toEqual([]);
  }, 60_000);

  test('a profile cancelled by its slot stops between stages, and the engine answers the next query', async () => {
    const lane = db.engine.lane('normal', { slot: 'summary:big', label: 'Résumé de big' });
    const stages: string[] = [];
    const profile = profileTable(lane, queryRelation('SELECT * FROM big WHERE i >= 0'), {
      exact: true,
      onProgress: (_c, st) => stages.push(st),
    }).catch((e: unknown) => e);
    // Stopped once its counts are in: the range and the distinct counts never come.
    await until(() => stages.includes('counts') && db.engine.jobs().some((j) => j.slot === 'summary:big'));
    expect(db.engine.cancelSlot('summary:big')).toBe(1);
    const out = await profile;
    expect(out).toBeInstanceOf(QueryCancelledError);
    expect(stages).not.toContain('done');
    expect((await db.engine.query('SELECT count(*) FROM big', { cache: false })).rows).toEqual([[400000]]);
  }, 60_000);

  test('the activity list shows a profile’s progress through its stages', async () => {
    const seen = new Set<number>();
    const off = db.engine.onActivity((jobs) => {
      for (const j of jobs) if (j.slot === 'summary:big2' && j.progress !== undefined) seen.add(j.progress);
    });
    await profileTable(db.engine.lane('normal', { slot: 'summary:big2' }), queryRelation('SELECT * FROM big WHERE i >= 1'));
    off();
    // Counts, range, then the rest (the column types come with DESCRIBE, before any of them).
    expect([...seen].sort()).toEqual([0.25, 0.5, 0.75]);
  }, 60_000);
});
