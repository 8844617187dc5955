import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleDetail } from '../../src/core/audit/sample.ts';
import { main } from '../../src/cli/main.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;
let dir: string;

beforeAll(async () => {
  b = await auditBench();
  await b.table(
    'pop',
    `SELECT i AS id, CASE WHEN i % 3 = 0 THEN 'A' WHEN i % 3 = 1 THEN 'B' ELSE 'C' END AS strate, (i * 37) % 1000 AS montant FROM range(1, 301) t(i)`,
  );
  // Hand-computed MUS population: positive amounts 100, 300, 50, 1 200, 250, 600 (total 2 500); a zero and a credit are skipped.
  await b.table('mus', `SELECT * FROM (VALUES (100.0), (300.0), (50.0), (1200.0), (0.0), (-20.0), (250.0), (600.0)) t(montant)`);
});
afterAll(async () => {
  await b.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lines = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r._ligne));

describe('sample', () => {
  it('a random sample is the same for the same seed, and another for another seed', async () => {
    // Each run replaces the operation's result table (res_sample): its rows are read before the next run.
    const a = await b.run<SampleDetail>('sample', { table: 'pop', n: 10, seed: 42 });
    const la = lines(await b.rows(a.table!, 'rang'));
    const again = await b.run<SampleDetail>('sample', { table: 'pop', n: 10, seed: 42 });
    const lagain = lines(await b.rows(again.table!, 'rang'));
    const other = await b.run<SampleDetail>('sample', { table: 'pop', n: 10, seed: 43 });
    const lother = lines(await b.rows(other.table!, 'rang'));
    expect(la).toHaveLength(10);
    expect(new Set(la).size).toBe(10);
    expect(lagain).toEqual(la);
    expect(lother).not.toEqual(la);
    expect(a.digest?.digest).toBe(again.digest?.digest);
  });

  it('a systematic sample takes every k-th line from a start set by the seed', async () => {
    const r = await b.run<SampleDetail>('sample', { table: 'pop', method: 'systematic', n: 30, seed: 7 });
    expect(r.detail).toMatchObject({ interval: 10, start: 8, selected: 30 });
    expect(lines(await b.rows(r.table!, '_ligne')).slice(0, 3)).toEqual([8, 18, 28]);
  });

  it('a stratified sample takes n per stratum, or a share of each', async () => {
    const r = await b.run<SampleDetail>('sample', { table: 'pop', method: 'stratified', strata: 'strate', n: 4, seed: 1 });
    const rows = await b.rows(r.table!);
    expect(['A', 'B', 'C'].map((s) => rows.filter((x) => x.strate === s).length)).toEqual([4, 4, 4]);
    const share = await b.run<SampleDetail>('sample', { table: 'pop', method: 'stratified', strata: 'strate', share: 0.05, seed: 1 });
    expect(share.detail!.selected).toBe(15);
    await expect(b.run('sample', { table: 'pop', method: 'stratified', n: 4 })).rejects.toThrow(/strata/);
  });

  it('MUS selects the items where start + k·interval falls, as computed by hand', async () => {
    // Interval 2 500 / 5 = 500, start 200: points 200, 700, 1 200, 1 700, 2 200.
    // Cumulative ranges: l1 (0,100] l2 (100,400] l3 (400,450] l4 (450,1650] l7 (1650,1900] l8 (1900,2500].
    const r = await b.run<SampleDetail>('sample', { table: 'mus', method: 'mus', amount: 'montant', n: 5, start: 200 });
    const rows = await b.rows(r.table!, '_ligne');
    expect(rows.map((x) => [x._ligne, x.montant, x.cumul_avant, x.cumul, x.point_selection, x.nb_points])).toEqual([
      [2, 300, 100, 400, 200, 1],
      [4, 1200, 450, 1650, 700, 2],
      [7, 250, 1650, 1900, 1700, 1],
      [8, 600, 1900, 2500, 2200, 1],
    ]);
    expect(r.detail).toMatchObject({ interval: 500, start: 200, total: 2500, selected: 4, selectedAmount: 2350 });
    // Without a start, the seed draws it, the same each time.
    const s1 = await b.run<SampleDetail>('sample', { table: 'mus', method: 'mus', amount: 'montant', n: 5, seed: 9 });
    const s2 = await b.run<SampleDetail>('sample', { table: 'mus', method: 'mus', amount: 'montant', n: 5, seed: 9 });
    expect(s1.detail!.start).toBe(s2.detail!.start);
    expect(s1.detail!.start).toBeGreaterThan(0);
    expect(s1.detail!.start).toBeLessThanOrEqual(500);
    await expect(b.run('sample', { table: 'mus', method: 'mus', amount: 'montant', n: 5, start: 600 })).rejects.toThrow(/point de départ/);
  });

  it('the CLI draws the same sample as the app from the same seed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-sample-'));
    const csv = 'id;montant\n' + Array.from({ length: 200 }, (_, i) => `${i + 1};${(i * 137) % 5000},50`).join('\n') + '\n';
    await writeFile(join(dir, 'paiements.csv'), csv);
    const engine = await createNodeEngine();
    const session = await Session.create(engine, new NodeProjectStore(join(dir, 'proj')), nodeFileResolver, 'Échantillon');
    await session.importPath(join(dir, 'paiements.csv'));
    const params = { table: 'paiements', n: 12, seed: 2024 };
    const app = await session.run(getOperation('sample')!, params);
    const appIds = (await session.engine.query(`SELECT id FROM ${app.table} ORDER BY rang`)).rows.map((r) => Number(r[0]));
    await engine.close();
    let out = '';
    // The project was made through the API, not the CLI: its outside source is approved for this run.
    const code = await main(
      ['run', 'sample', '--project', join(dir, 'proj'), '--params', JSON.stringify(params), '--format', 'json', '--allow-external-sources'],
      {
        out: (s) => (out += s),
        err: () => {},
      },
    );
    expect(code).toBe(0);
    const cli = JSON.parse(out) as { rows: { id: number; rang: number }[]; journal: { digest: string } };
    expect(cli.rows.sort((x, y) => x.rang - y.rang).map((r) => r.id)).toEqual(appIds);
    expect(cli.journal.digest).toBe(app.digest?.digest);
  });
});
