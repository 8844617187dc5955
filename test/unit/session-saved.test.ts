// The top bar's « Enregistré à … » follows the manifest's writes through Session.onSaved (no polling).
import { afterAll, describe, expect, it } from 'vitest';
import { getOperation } from '../../src/core/ops/all.ts';
import { MANIFEST_FILE } from '../../src/core/project/manifest.ts';
import { openMemorySession, type MemorySession } from './helpers.ts';

let open: MemorySession;
afterAll(() => open?.engine.close());

describe('Session.onSaved', () => {
  it('tells each write of the manifest, with the time written in it, until unsubscribed', async () => {
    open = await openMemorySession('p', []);
    const { session } = open;
    const heard: string[] = [];
    const off = session.onSaved((at) => heard.push(at));
    const written = async () => JSON.parse((await session.store.readText(MANIFEST_FILE))!).savedAt as string;

    await session.save();
    expect(heard).toEqual([await written()]);
    // A query saved as a view is written to the manifest by the operation itself.
    await session.run(getOperation('save-query')!, { name: 'v', sql: 'SELECT 1 AS x' });
    expect(heard.length).toBeGreaterThan(1);
    expect(heard.at(-1)).toBe(await written());
    expect([...heard].sort()).toEqual(heard);

    off();
    const n = heard.length;
    await session.save();
    expect(heard).toHaveLength(n);
  });
});
