// Every malformed or hostile file of the corpus, imported through a real Session on the real engine
// after one good file: it must load (where its content is legitimately importable) or be refused
// with an IngestError naming the file — and the line, where one applies. Either way the engine still
// answers, the good table is still in the catalog and the manifest, and the journal verifies.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { exportToBytes } from '../../src/core/export/export.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { IngestError } from '../../src/core/ingest/types.ts';
import { MANIFEST_FILE, parseManifest } from '../../src/core/project/manifest.ts';
import { Session } from '../../src/core/project/session.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import { corpus, FORMULAS, HEAVY, utf8, type HostileCase } from '../fixtures/hostile/corpus.ts';
import { errorText } from '../../src/core/util/errors.ts';
import { tableRelation } from '../../src/core/sql/relation.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(async () => {
  await engine?.close();
});

async function engineTables(): Promise<string[]> {
  const r = await engine.query('SELECT table_name FROM duckdb_tables() ORDER BY 1');
  return r.rows.map((x) => String(x[0]));
}

const GOOD = utf8('code;libellé;montant\n75056;Paris;12,5\n13055;Marseille;7,25\n');

function title(c: HostileCase): string {
  const size =
    c.id.includes('one-line') || c.id.includes('long-line')
      ? HEAVY
        ? ' [100 MB, LOUPE_HEAVY=1]'
        : ' [10 MB; 100 MB with LOUPE_HEAVY=1]'
      : '';
  return c.expect.outcome === 'imported'
    ? `${c.id}: imports « ${c.name} » — ${c.expect.why}${size}`
    : `${c.id}: refuses « ${c.name} » with a message naming it${c.expect.line ? ` and line ${c.expect.line}` : ''}${size}`;
}

describe('hostile corpus', () => {
  const cases = corpus();

  it('holds at least 30 cases, each with a unique id', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  cases.forEach((c, k) => {
    it(
      title(c),
      async () => {
        const resolver = new MemoryFileResolver();
        const store = new MemoryProjectStore();
        const goodName = `bon_${k}.csv`;
        resolver.add(bytesSourceFile(GOOD, goodName, `bons/${goodName}`));
        const badPath = `recus/${c.id}/${c.name}`;
        resolver.add(bytesSourceFile(await c.bytes(), c.name, badPath));
        const s = await Session.create(engine, store, resolver, `Corpus ${c.id}`);
        const good = await s.importPath(`bons/${goodName}`);
        const goodTable = good.tables![0]!;
        const before = await engineTables();

        let error: unknown = null;
        let tables: string[] = [];
        try {
          tables = (await s.importPath(badPath)).tables ?? [];
        } catch (e) {
          error = e;
        }

        try {
          if (c.expect.outcome === 'refused') {
            expect(error, `expected ${c.name} to be refused`).toBeInstanceOf(IngestError);
            const e = error as IngestError;
            expect(e.file).toBe(c.name);
            expect(e.message.startsWith(c.name)).toBe(true);
            expect(e.message).toMatch(c.expect.message);
            if (c.expect.line !== undefined) {
              expect(e.line).toBe(c.expect.line);
              expect(e.message).toContain(`ligne ${c.expect.line}`);
            }
            // Nothing half-built is left behind in the engine.
            expect(await engineTables()).toEqual(before);
          } else {
            expect(error, `expected ${c.name} to import, got: ${errorText(error)}`).toBeNull();
            expect(tables.length).toBeGreaterThan(0);
            const entry = s.catalog.get(tables[0]!)!;
            expect(entry.source?.fileName).toBe(c.name);
            if (c.expect.rows !== undefined) expect(entry.rows).toBe(c.expect.rows);
            if (c.expect.columns !== undefined) expect(entry.columns.length).toBe(c.expect.columns);
            if (c.expect.warning) expect((entry.source?.warnings ?? []).join(' | ')).toMatch(c.expect.warning);
            await checkContent(c, s, tables[0]!);
          }

          // The engine still answers.
          expect((await engine.query('SELECT 42')).rows[0]?.[0]).toBe(42);
          // The good table is still there, whole, in the catalog and the engine.
          expect(s.catalog.get(goodTable)?.rows).toBe(2);
          expect(Number((await engine.query(`SELECT count(*) FROM ${quoteIdent(goodTable)}`)).rows[0]?.[0])).toBe(2);
          // The saved manifest parses and still lists the good source (and the bad one only if it loaded).
          const manifest = parseManifest((await store.readText(MANIFEST_FILE))!, store.label);
          expect(manifest.sources.map((x) => x.path)).toEqual(
            c.expect.outcome === 'imported' ? [`bons/${goodName}`, badPath] : [`bons/${goodName}`],
          );
          // The journal verifies and holds only what succeeded.
          const v = await s.journal.verify();
          expect(v.ok, JSON.stringify(v.firstBroken)).toBe(true);
          expect(v.count).toBe(c.expect.outcome === 'imported' ? 2 : 1);
        } finally {
          for (const t of [goodTable, ...tables]) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`).catch(() => undefined);
        }
      },
      c.timeoutMs ?? 60_000,
    );
  });
});

/** Case-specific checks of what was loaded. */
async function checkContent(c: HostileCase, s: Session, table: string): Promise<void> {
  const t = quoteIdent(table);
  switch (c.id) {
    case 'csv-formula-payloads': {
      // Imported verbatim as text…
      const r = await engine.query(`SELECT payload FROM ${t} ORDER BY n`);
      expect(r.rows.map((x) => x[0])).toEqual(FORMULAS);
      // …and neutralised on export, so a spreadsheet shows them as text.
      const csv = new TextDecoder().decode(await exportToBytes(engine, tableRelation(table), 'csv'));
      for (const f of FORMULAS) {
        const cell = f.includes('"') || f.includes(',') ? `"'${f.replaceAll('"', '""')}"` : `'${f}`;
        expect(csv).toContain(cell);
      }
      break;
    }
    case 'name-script-and-dotdot':
      expect(table).toMatch(/^[a-z0-9_]+$/);
      expect(s.catalog.get(table)?.source?.fileName).toBe(c.name);
      break;
    case 'json-duplicate-keys': {
      const r = await engine.query(`SELECT id, nom FROM ${t} ORDER BY id`);
      expect(r.rows).toEqual([
        [2, 'a'],
        [3, 'c'],
      ]);
      break;
    }
    case 'json-huge-numbers': {
      // 1e400 is beyond a double: the column must not be a number column holding an infinity that
      // sums and averages would propagate. It is text.
      const d = await engine.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
      );
      expect(Object.fromEntries(d.rows.map((x) => [x[0], x[1]]))).toMatchObject({ id: 'BIGINT', x: 'VARCHAR', y: 'VARCHAR' });
      break;
    }
    case 'json-3mb-string': {
      const r = await engine.query(`SELECT length(texte) FROM ${t} ORDER BY id`);
      expect(r.rows.map((x) => Number(x[0]))).toEqual([3_000_000, 5]);
      break;
    }
    case 'csv-utf16-no-bom': {
      const r = await engine.query(`SELECT * FROM ${t} ORDER BY 1`);
      expect(r.rows[0]?.[1]).toBe('Marseille');
      expect(Object.values(s.catalog.get(table)!.source!.options).includes('utf-16le')).toBe(true);
      break;
    }
    case 'csv-cr-only': {
      const r = await engine.query(`SELECT libelle FROM ${t} ORDER BY code`);
      expect(r.rows.map((x) => x[0])).toEqual(['Marseille', 'Lyon', 'Paris']);
      break;
    }
    case 'geojson-million-coordinates': {
      const r = await engine.query(`SELECT centroid_lon IS NOT NULL, length(geometry) > 1000000 FROM ${t}`);
      expect(r.rows[0]).toEqual([true, true]);
      break;
    }
    case 'csv-10000-columns': {
      const r = await engine.query(`SELECT c0, c9999 FROM ${t}`);
      expect(r.rows[0]?.map(Number)).toEqual([0, 9999]);
      break;
    }
  }
}

describe('hostile corpus — side effects', () => {
  it('xlsx-path-traversal: entry names like ../../evil are never written anywhere', () => {
    for (const p of ['../../evil', '../evil', 'evil', '../../evil2', '/etc/evil']) expect(existsSync(resolve(p))).toBe(false);
  });
});
