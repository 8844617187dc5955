// Baseline: native DuckDB (@duckdb/node-api, default threads) on the same file and the same SQL,
// in a child process of its own so that its peak RSS is DuckDB's alone. The SQL is the importer's.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, runsOnce } from './figures.ts';
import { CHECK_SQL, GROUPBY_SQL } from './sql.ts';

export interface NativeResult {
  threads: number;
  importMs: number;
  groupbyMs: number;
  groupbyRunsMs: number[];
  peakRssMb: number;
  check: Record<string, unknown>;
  /** Figure name → median of 3 runs (ms) of the statements the page recorded for it (page/suite.ts). */
  suiteMs: Record<string, number>;
}

async function child(importSql: string, suite: Record<string, string[]>): Promise<NativeResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const threads = Number((await (await conn.runAndReadAll("SELECT current_setting('threads')")).getRows())[0]![0]);
  let t = performance.now();
  let importMs = NaN;
  const groupbyRunsMs: number[] = [];
  let check: Record<string, unknown> = {};
  // No import SQL: only the suite (the budget figures generate their own tables).
  if (importSql) {
    await conn.run(importSql);
    importMs = performance.now() - t;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await conn.runAndReadAll(GROUPBY_SQL);
      groupbyRunsMs.push(performance.now() - t);
    }
    check = (await conn.runAndReadAll(CHECK_SQL)).getRowObjectsJson()[0] as Record<string, unknown>;
  }
  // The same statements as the page, in the same order, results read in full like the page's.
  const suiteMs: Record<string, number> = {};
  for (const [name, statements] of Object.entries(suite)) {
    const runs: number[] = [];
    for (let i = 0; i < (runsOnce(name) ? 1 : 3); i++) {
      t = performance.now();
      for (const sql of statements) await conn.runAndReadAll(sql);
      runs.push(performance.now() - t);
    }
    suiteMs[name] = median(runs);
  }
  conn.closeSync();
  return {
    threads,
    importMs,
    groupbyMs: groupbyRunsMs.length ? median(groupbyRunsMs) : NaN,
    groupbyRunsMs,
    // maxRSS is in kilobytes (KiB); reported in MB like every other memory figure here.
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
    check,
    suiteMs,
  };
}

/** `importSql` reads the CSV by its path on disk ('' for none); `suite`: figure name → the statements to time. */
export function runNative(importSql: string, suite: Record<string, string[]> = {}): Promise<NativeResult> {
  return new Promise((resolve, reject) => {
    // The statements go through stdin: one argument may not exceed 128 KiB on Linux, and the budget SQL nears it.
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`native baseline failed (exit ${code}): ${out}`));
      else resolve(JSON.parse(last) as NativeResult);
    });
    p.stdin.end(JSON.stringify({ importSql, suite }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const { importSql, suite } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { importSql: string; suite: Record<string, string[]> };
  const r = await child(importSql, suite);
  console.log(JSON.stringify(r));
}
