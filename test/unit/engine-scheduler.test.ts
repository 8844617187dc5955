// The scheduler in front of the real duckdb-wasm (Node bundle): priorities, superseding, the read
// cache, and a short read answered while a long query holds the main connection.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import '../../src/core/ops/all.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { QueryCancelledError } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { STUCK_AFTER_MS, SUPERSEDED_MESSAGE, Scheduler, isCacheableSql, isReadOnlySql } from '../../src/core/engine/scheduler.ts';

/** CPU-bound and long enough (a few seconds) to hold the main connection; cancellable at any step. */
const LONG = 'SELECT sum(hash(a.range * b.range)) AS h FROM range(12000) a, range(3000) b';
const SHORT = 'SELECT k, count(*) AS n, sum(i) AS s FROM t WHERE k < 50 GROUP BY k ORDER BY k';

let engine: Engine;

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec('CREATE TABLE t AS SELECT range AS i, (range * 7) % 1000 AS k FROM range(300000)');
}, 60_000);

afterAll(async () => {
  await engine.close();
});

/** Resolves when the main connection has started a job (the long one, queued first). */
async function mainBusy(): Promise<void> {
  for (let i = 0; i < 200 && !engine.jobs().some((j) => j.lane === 'main' && j.state === 'running'); i++)
    await new Promise((r) => setTimeout(r, 5));
}

describe('read-only SQL', () => {
  test('reads are told from writes, whatever strings and comments say', () => {
    const reads = [
      'SELECT 1',
      "  -- delete\nWITH x AS (SELECT 'drop table t' AS s) SELECT * FROM x;",
      'SELECT "update" FROM t',
      'DESCRIBE t',
    ];
    const writes = [
      'CREATE TABLE u AS SELECT 1',
      'WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x',
      'SELECT 1; DROP TABLE t',
      'SET VARIABLE x = 1',
    ];
    // Each list names the queries told wrong, so a failure says which.
    expect(reads.filter((q) => !isReadOnlySql(q))).toEqual([]);
    expect(writes.filter((q) => isReadOnlySql(q))).toEqual([]);
    const uncacheable = ['SELECT random()', "SELECT getvariable('x')", 'SELECT * FROM t USING SAMPLE 10%'];
    expect(uncacheable.filter((q) => isCacheableSql(q))).toEqual([]);
    expect(isCacheableSql('SELECT count(*) FROM t')).toBe(true);
  });
});

describe('scheduler alone', () => {
  test('a cancelled job that does not let go is shown as cancelling, then stuck after the bound, and frees its lane when it ends', async () => {
    const s = new Scheduler(['main']);
    let finish!: () => void;
    const job = s.submit('main', { priority: 'background', label: 'ne s’arrête pas', run: () => new Promise<void>((r) => (finish = r)) });
    const next = s.submit('main', { priority: 'normal', label: 'suivante', run: async () => 'ok' });
    const id = s.jobs().find((j) => j.label === 'ne s’arrête pas')!.id;
    expect(s.cancel(id)).toBe(true);
    await expect(job).rejects.toBeInstanceOf(QueryCancelledError);
    expect(s.jobs()[0]).toMatchObject({ state: 'cancelling' });
    expect(s.jobs()[0]!.stuck).toBeUndefined();
    await new Promise((r) => setTimeout(r, STUCK_AFTER_MS + 50));
    expect(s.jobs()[0]).toMatchObject({ state: 'cancelling', stuck: true });
    finish();
    expect(await next).toBe('ok');
    expect(s.jobs()).toEqual([]);
  });
});

describe('scheduler on duckdb-wasm', () => {
  test('the most urgent queued query runs first; within a priority, arrival order', async () => {
    const order: string[] = [];
    const long = engine.query(LONG, { priority: 'background', cache: false });
    await mainBusy();
    const bg = engine.query('SELECT 1 AS b1', { priority: 'background', cache: false }).then(() => order.push('background'));
    const n1 = engine.query('SELECT 1 AS n1', { cache: false }).then(() => order.push('normal 1'));
    const n2 = engine
      .lane('normal')
      .query('SELECT 1 AS n2', { cache: false })
      .then(() => order.push('normal 2'));
    // A write stays on the main connection even when interactive: it goes before the others.
    const w = engine
      .lane('interactive')
      .exec('CREATE OR REPLACE TABLE w AS SELECT 1 AS x')
      .then(() => order.push('interactive write'));
    const queued = engine
      .jobs()
      .filter((j) => j.state === 'queued')
      .map((j) => j.priority);
    expect(queued).toEqual(['interactive', 'normal', 'normal', 'background']);
    await Promise.all([long, bg, n1, n2, w]);
    expect(order).toEqual(['interactive write', 'normal 1', 'normal 2', 'background']);
  }, 60_000);

  test('a newer request with the same slot replaces a queued one and stops a running one', async () => {
    const long = engine.query(LONG, { priority: 'background', cache: false });
    await mainBusy();
    const first = engine.query('SELECT 1 AS v', { slot: 'brush:a', cache: false });
    const second = engine.query('SELECT 2 AS v', { slot: 'brush:a', cache: false });
    const other = engine.query('SELECT 3 AS v', { slot: 'brush:b', cache: false });
    await expect(first).rejects.toThrow(SUPERSEDED_MESSAGE);
    expect((await second).rows).toEqual([[2]]);
    expect((await other).rows).toEqual([[3]]);
    await long;

    // Running: the long query in a slot, replaced by a short one in the same slot.
    const running = engine.query(LONG, { slot: 'chart:x', cache: false });
    await mainBusy();
    const t0 = performance.now();
    const replacement = engine.query('SELECT 42 AS v', { slot: 'chart:x', cache: false });
    await expect(running).rejects.toBeInstanceOf(QueryCancelledError);
    expect((await replacement).rows).toEqual([[42]]);
    const freedMs = performance.now() - t0;
    // The spec: cancelling frees the engine within a second (DuckDB stops between two polling steps).
    expect(freedMs).toBeLessThan(1000);
  }, 60_000);

  test('a cancelled running job frees the main connection, and the engine stays usable', async () => {
    const long = engine.query(LONG, { priority: 'background', cache: false, label: 'long' });
    await mainBusy();
    const job = engine.jobs().find((j) => j.label === 'long' && j.state === 'running');
    expect(job).toBeDefined();
    const t0 = performance.now();
    expect(engine.cancelJob(job!.id)).toBe(true);
    await expect(long).rejects.toBeInstanceOf(QueryCancelledError);
    const after = await engine.query('SELECT 7 AS v', { cache: false });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(after.rows).toEqual([[7]]);
    expect(engine.jobs()).toEqual([]);
  }, 60_000);

  test('a cancelled CREATE TABLE … AS (how audits write) frees the engine within a second and leaves no table', async () => {
    const bg = engine.lane('background', { label: 'audit' });
    const create = bg.exec(`CREATE TABLE audit_res AS ${LONG}`);
    await mainBusy();
    const job = engine.jobs().find((j) => j.label === 'audit');
    const t0 = performance.now();
    engine.cancelJob(job!.id);
    await expect(create).rejects.toBeInstanceOf(QueryCancelledError);
    const after = await engine.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'audit_res'", { cache: false });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(after.rows).toEqual([[0]]);
  }, 60_000);

  test('a lane view carries its slot: two renders of one chart, the older is replaced', async () => {
    const long = engine.query(LONG, { priority: 'background', cache: false });
    await mainBusy();
    const chart = engine.lane('normal', { slot: 'dashboard:c1' });
    const older = chart.query('SELECT 1 AS v', { cache: false });
    const newer = chart.query('SELECT 2 AS v', { cache: false });
    await expect(older).rejects.toThrow(SUPERSEDED_MESSAGE);
    expect((await newer).rows).toEqual([[2]]);
    expect(engine.lane('normal', { slot: 'dashboard:c1' })).toBe(chart);
    expect(chart.priority).toBe('normal');
    await long;
  }, 60_000);

  test('a cached result equals the uncached one, and any write invalidates it', async () => {
    const sql = 'SELECT k % 10 AS d, count(*) AS n, sum(i) AS s FROM t GROUP BY d ORDER BY d';
    const uncached = await engine.query(sql, { cache: false });
    const first = await engine.query(sql);
    const hitsBefore = engine.cacheStats().hits;
    const second = await engine.query(sql);
    expect(engine.cacheStats().hits).toBe(hitsBefore + 1);
    expect(first).toEqual(uncached);
    expect(second).toEqual(uncached);
    // A caller that sorts what it got does not change what the next one gets.
    second.rows.reverse();
    second.rows[0]![1] = -1;
    expect(await engine.query(sql)).toEqual(uncached);

    const gen = engine.cacheStats().generation;
    await engine.exec('INSERT INTO t SELECT range + 300000, (range * 7) % 1000 FROM range(10)');
    expect(engine.cacheStats().generation).toBeGreaterThan(gen);
    const afterWrite = await engine.query(sql);
    expect(afterWrite).toEqual(await engine.query(sql, { cache: false }));
    expect(afterWrite).not.toEqual(uncached);

    // A registered file is a write too: its content can change under the same name.
    await engine.registerText('c.csv', 'a\n1\n');
    const csv = "SELECT sum(a) AS s FROM read_csv('/loupe-registered/c.csv')";
    expect((await engine.query(csv)).rows).toEqual([[1]]);
    await engine.registerText('c.csv', 'a\n1\n2\n');
    expect((await engine.query(csv)).rows).toEqual([[3]]);
    await engine.dropFile('c.csv');
  }, 60_000);

  test('an interactive read is answered while a long background query runs (ratio to the same read alone)', async () => {
    const opts = { priority: 'interactive' as const, cache: false };
    const alone: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      await engine.query(SHORT, opts);
      alone.push(performance.now() - t0);
    }
    const aloneMs = Math.min(...alone.slice(1));
    let longDone = false;
    const tl = performance.now();
    const long = engine.query(LONG, { priority: 'background', cache: false }).then(() => {
      longDone = true;
      return performance.now() - tl;
    });
    await mainBusy();
    const t0 = performance.now();
    const during = await engine.query(SHORT, opts);
    const duringMs = performance.now() - t0;
    // Answered before the long query ended: it did not wait behind it.
    expect(longDone).toBe(false);
    expect(during).toEqual(await engine.query(SHORT, { cache: false }));
    const longMs = await long;
    console.log(
      `interactive read: alone ${aloneMs.toFixed(0)} ms, during a long query ${duringMs.toFixed(0)} ms (×${(duringMs / aloneMs).toFixed(1)}); the long query ${longMs.toFixed(0)} ms (×${(longMs / aloneMs).toFixed(0)})`,
    );
    // Waiting behind the long query would cost its whole length; sharing the worker costs a few
    // polling steps (measured ×1 to ×13 on a busy 2-core machine, while the long query alone is ×30 or more).
    expect(duringMs / aloneMs).toBeLessThan(longMs / aloneMs / 3);
  }, 60_000);

  test('a TEMP table (main connection only) is still read by an interactive query', async () => {
    await engine.exec('CREATE OR REPLACE TEMP TABLE tmp_sched AS SELECT 5 AS v');
    expect((await engine.lane('interactive').query('SELECT v FROM tmp_sched')).rows).toEqual([[5]]);
    // Known now: the next read goes to the main connection at once, and still finds it.
    expect((await engine.lane('interactive').query('SELECT v + 1 AS w FROM tmp_sched')).rows).toEqual([[6]]);
    expect((await engine.lane('interactive').query('SELECT count(*) AS n FROM temp.tmp_sched')).rows).toEqual([[1]]);
  });

  test('the interactive connection is locked like the main one: no file read by name', async () => {
    await expect(engine.lane('interactive').query("SELECT * FROM read_text('/etc/passwd')")).rejects.toThrow(/refusé|Permission/);
    await expect(
      engine.lane('interactive').query("SELECT current_setting('enable_external_access') AS v", { cache: false }),
    ).resolves.toEqual({
      columns: expect.anything(),
      rows: [[false]],
    });
  });

  test('an operation run with a priority sends every one of its queries at that priority', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-sched-'));
    try {
      const csv = join(dir, 'paiements.csv');
      await writeFile(csv, 'siret;montant\n12345678900011;10,5\n12345678900029;20\n');
      const session = await Session.create(engine, new NodeProjectStore(join(dir, 'projet')), nodeFileResolver, 'Ordonnanceur');
      const seen: string[] = [];
      const off = engine.onActivity((jobs) => {
        for (const j of jobs) seen.push(j.priority);
      });
      const res = await session.importPath(csv, { table: 'paiements' }, { priority: 'background' });
      off();
      expect(res.summary).toBeTruthy();
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set(['background']));
      expect((await engine.query('SELECT count(*) AS n FROM paiements', { cache: false })).rows).toEqual([[2]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('views share one queue: closing waits for queued work', async () => {
    const e = await createNodeEngine();
    const bg = e.lane('background');
    const p = bg.query('SELECT 1 AS v');
    await e.close();
    expect((await p).rows).toEqual([[1]]);
    await expect(bg.query('SELECT 1')).rejects.toThrow('fermé');
  }, 60_000);
});
