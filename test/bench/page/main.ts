// Runs inside Chromium: Loupe's own browser engine, the file the way the app gets it (a File from
// the picker, i.e. <input type=file>), imported through Loupe's CSV importer. Driven by browser.ts.
import { Catalog } from '../../../src/core/catalog/catalog.ts';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { createBrowserEngine, type DuckDBBundle } from '../../../src/host/engine.ts';
import { registeredName, type Engine } from '../../../src/core/engine/engine.ts';
import { readCsv } from '../../../src/core/ingest/csv.ts';
import { blobSourceFile } from '../../../src/core/ingest/source.ts';
import { CHECK_SQL, directImportSql, GROUPBY_SQL, TABLE } from '../sql.ts';
import { bundleFor, COI_MAX_BYTES, type Bundle } from './bundle.ts';
import { runBudgetSuite, runSuite, type BudgetSizes, type SuiteResult } from './suite.ts';

export interface PageRunOptions {
  /** 'app': the app's engine (EH, one thread). 'coi': the two-thread bundle when isolated and the file fits in one buffer. */
  mode: 'app' | 'coi';
  /** 'input': the File set on the <input type=file>; 'fetch': fetched from csvUrl into a Blob. */
  source: 'input' | 'fetch';
  csvUrl?: string;
  coiMaxBytes?: number;
  /** 'importer': Loupe's readCsv (sniffing, type detection, rejects); 'direct': one read_csv. */
  importPath: 'importer' | 'direct';
  /** Also run the explore / audit / chart figures (suite.ts). */
  suite?: boolean;
  /** Only these suite figures (names as in the JSON without `_ms`, `reopen` for the reopen probe): a quick look at one. */
  only?: string[];
}

export interface PageRunResult {
  crossOriginIsolated: boolean;
  bundle: Bundle;
  engineKind: string;
  fileSize: number;
  initMs: number;
  fetchMs: number | null;
  readMs: number;
  registerMs: number;
  /** Importer: sniffing + type detection + CREATE TABLE + rejects; direct: the CREATE TABLE. */
  createMs: number;
  importMs: number;
  /** The SQL that built the table (the importer's statements, `;`-separated, for the native baseline). */
  sql: string;
  /** Every query the import ran, with its time (the start of its SQL). */
  steps: { sql: string; ms: number }[];
  groupbyMs: number[];
  check: Record<string, unknown>;
  /** The explore / audit / chart figures and the SQL they sent, when asked for. */
  suite: SuiteResult | null;
}

const now = () => performance.now();

/** The two-thread bundle, for comparison only: the app does not ship it (src/host/engine.ts says why). */
const COI: DuckDBBundle = { wasm: coiWasm, worker: coiWorker, pthread: coiPthread };

async function getFile(opts: PageRunOptions): Promise<{ file: File; fetchMs: number | null }> {
  if (opts.source === 'fetch') {
    const t = now();
    const blob = await (await fetch(opts.csvUrl!)).blob();
    return { file: new File([blob], 'bench.csv'), fetchMs: now() - t };
  }
  const file = (document.getElementById('csv') as HTMLInputElement).files?.[0];
  if (!file) throw new Error('no file set on the input');
  return { file, fetchMs: null };
}

interface ImportTimes {
  readMs: number;
  registerMs: number;
  createMs: number;
  sql: string;
}

const steps: { sql: string; ms: number }[] = [];

function timeQueries(engine: Engine): void {
  const query = engine.query.bind(engine);
  engine.query = async (sql, o) => {
    const t = now();
    try {
      return await query(sql, o);
    } finally {
      steps.push({ sql: sql.slice(0, 70), ms: now() - t });
    }
  };
}

/** The app's path: the picked File as a SourceFile, through readCsv. Registration timed from outside. */
async function importWithReadCsv(engine: Engine, file: File): Promise<ImportTimes> {
  timeQueries(engine);
  const base = blobSourceFile(file, file.name, file.name, file.lastModified);
  let registerInMs = 0;
  let registerBufferMs = 0;
  const registerBuffer = engine.registerBuffer.bind(engine);
  engine.registerBuffer = async (name, bytes) => {
    const t = now();
    await registerBuffer(name, bytes);
    registerBufferMs += now() - t;
  };
  const source = {
    ...base,
    async registerIn(e: Engine, name: string) {
      const t = now();
      await base.registerIn(e, name);
      registerInMs += now() - t;
    },
  };
  const t = now();
  const out = await readCsv({ engine, catalog: new Catalog(), file: source, table: TABLE }, undefined);
  const total = now() - t;
  // COI: registerIn = file.arrayBuffer() + registerBuffer; EH: registerFileHandle.
  const readMs = engine.kind === 'browser-coi' ? registerInMs - registerBufferMs : 0;
  const registerMs = registerInMs - readMs;
  // Every statement the importer ran (CREATE TABLE, then ALTERs that make exact amounts DECIMAL), in order.
  return { readMs, registerMs, createMs: total - registerInMs, sql: out.sql.join(';\n') };
}

/** One read_csv with everything given: the floor under the importer. */
async function importDirect(engine: Engine, file: File): Promise<ImportTimes> {
  const name = 'bench.csv';
  let readMs = 0;
  let t = now();
  if (engine.kind === 'browser-coi') {
    const bytes = new Uint8Array(await file.arrayBuffer());
    readMs = now() - t;
    t = now();
    await engine.registerBuffer(name, bytes);
  } else {
    await engine.registerFileHandle(name, file);
  }
  const registerMs = now() - t;
  const sql = directImportSql(registeredName(name));
  t = now();
  await engine.exec(sql);
  const createMs = now() - t;
  await engine.dropFile(name);
  return { readMs, registerMs, createMs, sql };
}

async function run(opts: PageRunOptions): Promise<PageRunResult> {
  const { file, fetchMs } = await getFile(opts);
  const bundle = opts.mode === 'app' ? 'eh' : bundleFor(file.size, crossOriginIsolated, opts.coiMaxBytes ?? COI_MAX_BYTES);
  let t = now();
  const engine = await createBrowserEngine(bundle === 'coi' ? COI : undefined);
  const initMs = now() - t;
  try {
    const { readMs, registerMs, createMs, sql } =
      opts.importPath === 'importer' ? await importWithReadCsv(engine, file) : await importDirect(engine, file);
    const importSteps = steps.splice(0);
    const groupbyMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = now();
      // The engine's result cache would answer runs 2 and 3 in 0 ms: this figure is the computation.
      await engine.query(GROUPBY_SQL, { cache: false });
      groupbyMs.push(now() - t);
    }
    const r = await engine.query(CHECK_SQL);
    const check = Object.fromEntries(r.columns.map((c, i) => [c.name, String(r.rows[0]![i])]));
    const suite = opts.suite ? await runSuite(engine, Number(check.n), opts.only) : null;
    return {
      crossOriginIsolated,
      bundle,
      engineKind: engine.kind,
      fileSize: file.size,
      initMs,
      fetchMs,
      readMs,
      registerMs,
      createMs,
      importMs: readMs + registerMs + createMs,
      sql,
      steps: importSteps,
      groupbyMs,
      check,
      suite,
    };
  } finally {
    await engine.close();
  }
}

export interface BudgetRunResult {
  crossOriginIsolated: boolean;
  engineKind: string;
  initMs: number;
  /** The budget figures (suite.ts runBudgetSuite) and their statements. */
  suite: SuiteResult;
  /** Rows of each generated table. */
  rows: Record<string, number>;
}

/**
 * The wasm heap is grown from the worker's own thread before the budget figures, as importing the
 * budget files would in the app. Without it, the heap grows from DuckDB's threads while the tables are
 * generated, and a later query fails now and then inside duckdb-wasm's COI worker (`offset is out of
 * bounds` copying the SQL into a heap view that did not see the growth; or `reading 'fields'`).
 */
export const HEAP_WARM_BYTES = 1024 ** 3;

/** The budget figures on an engine of their own, the app's: no file, the data is generated in it. */
async function runBudget(sizes: BudgetSizes): Promise<BudgetRunResult> {
  const t = now();
  const engine = await createBrowserEngine();
  const initMs = now() - t;
  try {
    if (engine.kind === 'browser-coi') {
      await engine.registerBuffer('heap-warm.bin', new Uint8Array(HEAP_WARM_BYTES));
      await engine.dropFile('heap-warm.bin');
    }
    const { rows, ...suite } = await runBudgetSuite(engine, sizes);
    return { crossOriginIsolated, engineKind: engine.kind, initMs, suite, rows };
  } finally {
    await engine.close();
  }
}

(globalThis as unknown as { bench: unknown }).bench = { run, runBudget, ready: true };
document.getElementById('log')!.textContent = `ready, crossOriginIsolated=${crossOriginIsolated}`;
