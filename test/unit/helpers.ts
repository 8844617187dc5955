// Setup shared by the unit tests: a real engine and a session in a fresh temporary folder (with the demo
// workspace imported, if asked) or over files held in memory, an engine for one block, and the small
// fixtures many files wrote again (a catalog entry, a query's rows as objects, an audit register).
// Each test file still says what it imports and what it checks.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { Session } from '../../src/core/project/session.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { RECOMMENDATIONS_HEADER, REPORTS_HEADER } from '../../src/demo/audit.ts';
import { generateDemoFiles } from '../../src/demo/generate.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';

export interface TempEngine {
  /** The temporary folder: files to import go anywhere in it. */
  dir: string;
  engine: Engine;
}

export interface DiskSession extends TempEngine {
  /** The project lives in `<dir>/proj`. */
  session: Session;
}

/** A Node engine and a fresh temporary folder named after `prefix`. */
export async function openTempEngine(prefix: string): Promise<TempEngine> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, engine: await createNodeEngine() };
}

/**
 * A Node engine and a session whose project is saved on disk, in a fresh folder named after `prefix`;
 * `files` (file name → text) are written in that folder and imported, in that order.
 */
export async function openDiskSession(prefix: string, name = 'p', files: Record<string, string> = {}): Promise<DiskSession> {
  const t = await openTempEngine(prefix);
  const session = await Session.create(t.engine, new NodeProjectStore(join(t.dir, 'proj')), nodeFileResolver, name);
  for (const [file, text] of Object.entries(files)) {
    await writeFile(join(t.dir, file), text);
    await session.importPath(join(t.dir, file));
  }
  return { ...t, session };
}

/**
 * A disk session with the demo workspace written in `<dir>/demo` and the demo files in `paths`
 * imported; `tables` names the table each one made, by the same keys.
 */
export async function openDemoSession<K extends string>(
  prefix: string,
  name: string,
  paths: Record<K, string>,
): Promise<DiskSession & { tables: Record<K, string> }> {
  const t = await openDiskSession(prefix, name);
  await generateDemoFiles(join(t.dir, 'demo'));
  const tables = {} as Record<K, string>;
  for (const [key, path] of Object.entries(paths) as [K, string][]) {
    const res = await t.session.importPath(join(t.dir, 'demo', path));
    tables[key] = res.table ?? res.tables?.[0] ?? '';
  }
  return { ...t, tables };
}

export interface MemorySession {
  engine: Engine;
  session: Session;
  /** More files can be added to it after the session is open. */
  files: MemoryFileResolver;
}

/** A Node engine and a session kept in memory, over `files` laid at `<folder>/<name>`: PDF reports, mostly. */
export async function openMemorySession(
  name: string,
  files: { name: string; bytes: Uint8Array }[],
  folder = 'rapports',
): Promise<MemorySession> {
  const engine = await createNodeEngine();
  const resolver = new MemoryFileResolver();
  for (const f of files) resolver.add(bytesSourceFile(f.bytes, f.name, `${folder}/${f.name}`));
  return { engine, session: await Session.create(engine, new MemoryProjectStore(), resolver, name), files: resolver };
}

/** Closes the engine and removes the folder, if any; safe after a setup that failed half-way. */
export async function closeDiskSession(t: Partial<TempEngine> | undefined): Promise<void> {
  await t?.engine?.close();
  if (t?.dir) await rm(t.dir, { recursive: true, force: true });
}

/**
 * The engine (and folder) of a test file, or of the describe block that calls it: `open` runs before its
 * tests, the engine is closed and the folder removed after them. The object returned is filled in by
 * beforeAll, so the tests read its fields when they run (a test may replace its engine: the last one is closed).
 */
export function suite<T extends { engine: Engine; dir?: string }>(open: () => Promise<T>, timeout?: number): T {
  const t = {} as T;
  beforeAll(async () => void Object.assign(t, await open()), timeout);
  afterAll(() => closeDiskSession(t));
  return t;
}

/** Runs `fn` on an engine of its own, closed after it even when `fn` throws: a restart, a second reader. */
export async function withFreshEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createNodeEngine();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** The rows a query returns, each as an object by column name. */
export async function records(engine: Engine, sql: string): Promise<Record<string, unknown>[]> {
  const r = await engine.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}

/** A catalog entry for an imported table, its columns given as [name, label (the file's header), type]. */
export function tableEntry(name: string, rows: number, columns: [name: string, label: string, type: string][]): TableEntry {
  return { name, kind: 'table', rows, columns: columns.map(([name, label, type]) => ({ name, label, type })) };
}

/** A table whose only meaning is its headers, columns `c0`, `c1`…: what the column guessers read. */
export function headers(labels: string[]): TableEntry {
  return { name: 't', kind: 'table', rows: 0, columns: labels.map((label, i) => ({ name: `c${i}`, label, type: 'VARCHAR' })) };
}

/** A file of the audit tool (recommendations follow-up): BOM, `;`, LF line ends, cells written as they are. */
export const registerCsv = (header: readonly string[], body: string[][]): string =>
  '\uFEFF' + [header, ...body].map((r) => r.join(';')).join('\n') + '\n';

/**
 * A session in memory on `engine` over a hand-made follow-up register: `rapports.csv` and
 * `recommandations.csv` written in `dir` from their rows (under the audit tool's headers) and imported
 * as the tables of those names.
 */
export async function registerSession(
  engine: Engine,
  dir: string,
  name: string,
  rows: { reports: string[][]; recommendations: string[][] },
): Promise<Session> {
  const s = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, name);
  for (const [table, header, body] of [
    ['rapports', REPORTS_HEADER, rows.reports],
    ['recommandations', RECOMMENDATIONS_HEADER, rows.recommendations],
  ] as const) {
    await writeFile(join(dir, `${table}.csv`), registerCsv(header, body));
    await s.importPath(join(dir, `${table}.csv`), { table });
  }
  return s;
}
