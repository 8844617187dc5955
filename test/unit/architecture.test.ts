// The core must run unchanged in the renderer's worker, in Node and in tests: no DOM, no Svelte,
// and nothing from the UI, the hosts or the Electron shell.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder } from './helpers-io.ts';

const files = (dir: string) => filesUnder(dir, /\.(ts|js|cjs|mjs)$/);

/** Each file of src/core that matches a rule, with what the rule forbids; comments are not read. */
function coreOffences(rules: [RegExp, string][]): string[] {
  const offences: string[] = [];
  for (const f of files('src/core')) {
    const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
    for (const [re, what] of rules) if (re.test(text)) offences.push(`${relative('.', f)} : ${what}`);
  }
  return offences;
}

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]svelte(\/[^'"]*)?['"]/, 'import de Svelte'],
  [/from\s+['"][./]*(ui|host)\//, 'import de src/ui ou src/host'],
  [/from\s+['"][./]*electron\//, 'import du shell Electron'],
  [/from\s+['"]electron['"]/, 'import du module electron'],
  [/(?<![\w/])document\./, 'usage du DOM (document)'],
  [/(?<![\w/])window\./, 'usage du DOM (window)'],
  [/\blocalStorage\b/, 'usage du stockage du navigateur'],
  [/\bHTMLElement\b/, 'type du DOM'],
];

describe('src/core', () => {
  it('imports no DOM, no Svelte, no UI/host/Electron code', () => {
    expect(coreOffences(FORBIDDEN)).toEqual([]);
  });

  it('has no .svelte component', () => {
    expect(filesUnder('src/core', /\.svelte$/)).toEqual([]);
  });
});

// Platform code lives in src/host (browser, Electron renderer) and src/node (CLI, tests): the core is
// handed an engine and a parquet-wasm loader, and never knows which runtime it is in.
const PLATFORM: [RegExp, string][] = [
  [/['"][^'"\n]*\?url['"]/, 'import Vite `?url` (un adaptateur de src/host)'],
  [/(from\s+|import\(\s*|require\(\s*)['"]node:/, 'module node: (un adaptateur de src/node)'],
  [/\bnew\s+Worker\b/, 'new Worker (le moteur est créé par src/host ou src/node)'],
  [/(from\s+|import\(\s*|require\(\s*)['"]electron['"]/, 'module electron'],
];

/** Each relative import of a file (static, re-export or dynamic); `import type` / `export type` too unless `runtime`. */
function importsOf(text: string, runtime = false): string[] {
  const re = /(?:^\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s+|\bimport\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;
  return [...text.matchAll(re)].filter((m) => !(runtime && m[1])).map((m) => m[2]!);
}

/**
 * Files that import every feature so they register, and that nothing in src/core imports back except
 * to list operations: counted, they would put every folder in one cycle through `ops`.
 */
const COMPOSITION_ROOTS = new Set(['src/core/ops/all.ts']);

/**
 * src/core's folders and which others each imports at run time. Type-only imports are left out: they
 * vanish from the JavaScript (verbatimModuleSyntax marks them), so they cannot make a load-order cycle.
 */
function coreFolderGraph(): Map<string, Map<string, string[]>> {
  const root = resolve('src/core');
  const folderOf = (abs: string) => {
    const r = relative(root, abs);
    if (r.startsWith('..')) return null;
    const parts = r.split(sep);
    return parts.length > 1 ? parts[0]! : '.';
  };
  const graph = new Map<string, Map<string, string[]>>();
  for (const f of files('src/core')) {
    if (COMPOSITION_ROOTS.has(relative('.', f).split(sep).join('/'))) continue;
    const from = folderOf(resolve(f))!;
    for (const spec of importsOf(readFileSync(f, 'utf8').replace(/\/\/.*$/gm, ''), true)) {
      const to = folderOf(resolve(dirname(f), spec));
      if (!to || to === from) continue;
      const out = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, out);
      out.set(to, [...(out.get(to) ?? []), relative('.', f)]);
    }
  }
  return graph;
}

/** Folder edges that close a cycle: `a -> b` where a is reachable again from b. */
function cycleEdges(graph: Map<string, Map<string, string[]>>): string[] {
  const reaches = (from: string, to: string) => {
    const seen = new Set([from]);
    const todo = [from];
    while (todo.length) {
      const x = todo.pop()!;
      if (x === to) return true;
      for (const y of graph.get(x)?.keys() ?? []) {
        if (seen.has(y)) continue;
        seen.add(y);
        todo.push(y);
      }
    }
    return false;
  };
  const out: string[] = [];
  for (const [a, tos] of graph) for (const b of tos.keys()) if (reaches(b, a)) out.push(`${a} -> ${b}`);
  return out.sort();
}

/**
 * Folder imports that close a cycle today, each with why it is there. Not a licence: the test fails
 * on any edge not listed (a new cycle) and on a listed edge that no longer closes one (remove it).
 */
const KNOWN_CYCLE_EDGES: Record<string, string> = {
  'ops -> budget': 'population.ts formats counts with budget/format.ts (count, percent): to move to util/numbers.ts',
  'budget -> ops': 'budget analyses are operations (registry, population)',
  'budget -> audit': 'subsidies reuse the audit helpers (audit/normalize.ts: the name normalisation)',
  'budget -> explore': 'the budget tree reads windows of rows (explore/window.ts)',
  'budget -> viz': 'budget charts are chart specs',
  'audit -> ops': 'audits are operations',
  'audit -> explore': 'Benford rows are shown through a Relation (explore/window.ts)',
  'ingest -> ops': 'import-file is an operation',
  'export -> ingest': 'the Parquet writer shares the parquet-wasm loader seam of ingest',
  'export -> explore': 'exports take a Relation (explore/window.ts)',
  'explore -> query': 'windows apply the filters of query/filters.ts',
  'query -> ops': 'the sql and save-query operations',
  'viz -> ops': 'charts are operations',
  'viz -> query': 'chart SQL applies query/filters.ts',
  'viz -> export': 'a chart exports its data (export-chart.ts)',
  'findings -> report': 'evidence cites report passages',
  'report -> findings': 'a report renders findings',
  'report -> project': 'a report reads the session and its journal',
  'project -> findings': 'the session opens findings.json; verify checks it',
};

describe('platform seams', () => {
  it('src/core holds no platform code: no ?url, node:, new Worker, electron', () => {
    expect(coreOffences(PLATFORM)).toEqual([]);
  });

  it('src/ui imports nothing from electron/ (it talks to the shell through src/host)', () => {
    const offences: string[] = [];
    for (const f of filesUnder('src/ui', /\.(ts|js|cjs|mjs|svelte)$/)) {
      const text = readFileSync(f, 'utf8');
      if (/(from\s+|import\(\s*)['"](\.\.\/)+electron\/|(from\s+|import\(\s*)['"]electron['"]/.test(text)) offences.push(relative('.', f));
    }
    expect(offences).toEqual([]);
  });

  it('the Electron shell imports nothing from the renderer (src/ui, src/host): shared code is in src/shared', () => {
    const offences: string[] = [];
    for (const f of files('electron')) {
      for (const spec of importsOf(readFileSync(f, 'utf8')))
        if (/(^|\/)src\/(ui|host)\//.test(spec)) offences.push(`${relative('.', f)} : ${spec}`);
    }
    expect(offences).toEqual([]);
  });

  it('the folders of src/core form no new import cycle', () => {
    const edges = cycleEdges(coreFolderGraph());
    expect(edges.filter((e) => !(e in KNOWN_CYCLE_EDGES))).toEqual([]);
    expect(Object.keys(KNOWN_CYCLE_EDGES).filter((e) => !edges.includes(e))).toEqual([]);
  });

  it('the cycle check sees a cycle when there is one', () => {
    const g = new Map([
      ['a', new Map([['b', ['x']]])],
      ['b', new Map([['c', ['y']]])],
      ['c', new Map([['a', ['z']]])],
      ['d', new Map([['a', ['w']]])],
    ]);
    expect(cycleEdges(g)).toEqual(['a -> b', 'b -> c', 'c -> a']);
  });
});
