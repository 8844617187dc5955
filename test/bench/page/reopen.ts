// reopen_ms: what reopening a project costs for the bench's table once the project keeps it in its
// cache (src/core/project/table-cache.ts), in the browser's private file system as in the app.
// Measured after the other figures, outside their recording (native has no counterpart: it would
// re-import), in place: the table is read back over itself, the heap holds it once.
import type { Catalog } from '../../../src/core/catalog/catalog.ts';
import { digestTable } from '../../../src/core/engine/digest.ts';
import type { Engine } from '../../../src/core/engine/engine.ts';
import { entryHash, type JournalEntry } from '../../../src/core/journal/journal.ts';
import { TableCache } from '../../../src/core/project/table-cache.ts';
import { OpfsProjectStore } from '../../../src/host/opfs-store.ts';
import { GROUPBY_SQL } from '../sql.ts';

const DIR = 'bench-reopen';

/** The journal entry an import would have written for this table: the cache keeps only what an entry vouches for. */
export async function importEntryFor(engine: Engine, table: string): Promise<JournalEntry> {
  const d = await digestTable(engine, table);
  const body = {
    seq: 0,
    at: new Date().toISOString(),
    op: 'import-file',
    params: {},
    inputs: [],
    sql: [],
    output: { table, rows: d.rows, digest: d.digest },
    durationMs: 0,
    prev: null,
  };
  return { ...body, hash: await entryHash(body) };
}

export async function reopenProbe(engine: Engine, catalog: Catalog, table: string): Promise<Record<string, number>> {
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry(DIR, { recursive: true }).catch(() => undefined);
  const store = new OpfsProjectStore(await opfs.getDirectoryHandle(DIR, { create: true }), DIR);
  try {
    const entry = await importEntryFor(engine, table);
    let t = performance.now();
    const saved = await (await TableCache.load(store)).cache.save(engine, catalog, entry, [table]);
    const writeMs = performance.now() - t;
    if (!saved.length) throw new Error('cache not written (digest differs from the entry)');
    // What Session.open does per table: the index read, each file's checksum, the rows inserted, the shape checked.
    t = performance.now();
    const { cache } = await TableCache.load(store);
    await cache.restore(engine, catalog, cache.get(table)!, entry);
    const reopenMs = performance.now() - t;
    // What the background check then costs (not part of the open).
    t = performance.now();
    const refused = await cache.check(engine, [cache.get(table)!], entry);
    const checkMs = performance.now() - t;
    if (refused.length) throw new Error(`restored table differs: ${refused[0]!.message}`);
    // The table is now read from its file (Engine.attachTableCopy), not from memory: the bench's GROUP BY on it, to compare with groupby_ms.
    const groupby: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await engine.query(GROUPBY_SQL, { cache: false });
      groupby.push(performance.now() - t);
    }
    const bytes = saved[0]!.files.reduce((a, f) => a + f.bytes, 0);
    return {
      reopen_ms: reopenMs,
      reopen_write_ms: writeMs,
      reopen_check_ms: checkMs,
      reopen_cache_mb: bytes / 1e6,
      reopen_groupby_ms: groupby.sort((a, b) => a - b)[1]!,
    };
  } finally {
    await opfs.removeEntry(DIR, { recursive: true }).catch(() => undefined);
  }
}
