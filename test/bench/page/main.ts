// Runs inside Chromium: Loupe's own browser engine, the file the way the app gets it (a File from
// the picker, i.e. <input type=file>), the same SQL as the native baseline. Driven by browser.ts.
import { createBrowserEngine } from '../../../src/core/engine/browser.ts';
import { CHECK_SQL, GROUPBY_SQL, importSql } from '../sql.ts';
import { bundleFor, COI_MAX_BYTES, type Bundle } from './bundle.ts';

export interface PageRunOptions {
  /** 'app': COI when isolated and the file fits in one buffer, else EH. 'eh': force the EH bundle. */
  mode: 'app' | 'eh';
  /** 'input': the File set on the <input type=file>; 'fetch': fetched from csvUrl into a Blob. */
  source: 'input' | 'fetch';
  csvUrl?: string;
  coiMaxBytes?: number;
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
  createMs: number;
  importMs: number;
  groupbyMs: number[];
  check: Record<string, unknown>;
}

const now = () => performance.now();

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

async function run(opts: PageRunOptions): Promise<PageRunResult> {
  const { file, fetchMs } = await getFile(opts);
  const bundle = opts.mode === 'eh' ? 'eh' : bundleFor(file.size, crossOriginIsolated, opts.coiMaxBytes ?? COI_MAX_BYTES);
  let t = now();
  const engine = await createBrowserEngine({ singleThread: bundle === 'eh' });
  const initMs = now() - t;
  try {
    const name = 'bench.csv';
    let readMs = 0;
    t = now();
    if (engine.kind === 'browser-coi') {
      const bytes = new Uint8Array(await file.arrayBuffer());
      readMs = now() - t;
      t = now();
      await engine.registerBuffer(name, bytes);
    } else {
      await engine.registerFileHandle(name, file);
    }
    const registerMs = now() - t;
    t = now();
    await engine.exec(importSql(name));
    const createMs = now() - t;
    // The buffer stays registered in the worker as long as the file is: drop it, as the importer should.
    await engine.dropFile(name);
    const groupbyMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = now();
      await engine.query(GROUPBY_SQL);
      groupbyMs.push(now() - t);
    }
    const r = await engine.query(CHECK_SQL);
    const check = Object.fromEntries(r.columns.map((c, i) => [c.name, String(r.rows[0]![i])]));
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
      groupbyMs,
      check,
    };
  } finally {
    await engine.close();
  }
}

(globalThis as unknown as { bench: unknown }).bench = { run, ready: true };
document.getElementById('log')!.textContent = `ready, crossOriginIsolated=${crossOriginIsolated}`;
