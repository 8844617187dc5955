// The empty database image the table cache starts from must be what this engine writes: an upgrade of
// duckdb-wasm that changes the file format fails here, with the new image to paste.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { emptyDatabaseImage } from '../../src/core/project/empty-database.ts';
import { startNodeDb } from '../../src/node/node-start.ts';

it('is the empty database file this duckdb-wasm writes, byte for byte', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-empty-db-'));
  // A bare database, without the engine's locked settings: it may create a file on disk, once, here.
  const { db, terminate } = await startNodeDb();
  try {
    const c = await db.connect();
    await c.query('SET autoinstall_known_extensions = false');
    await c.query('SET autoload_known_extensions = false');
    const path = join(dir, 'vide.duckdb');
    await c.query(`ATTACH '${path}' AS vide`);
    await c.query('DETACH vide');
    await c.close();
    const written = new Uint8Array(await readFile(path));
    const image = emptyDatabaseImage();
    if (Buffer.compare(Buffer.from(written), Buffer.from(image)) !== 0)
      console.error(`New image for src/core/project/empty-database.ts:\n${Buffer.from(written).toString('base64')}`);
    expect(image.length).toBe(written.length);
    expect(Buffer.from(image).equals(Buffer.from(written))).toBe(true);
  } finally {
    await db.terminate();
    terminate();
    await rm(dir, { recursive: true, force: true });
  }
});
