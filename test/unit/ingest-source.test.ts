import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { blobSourceFile, COI_MAX_BYTES, FileTooLargeForThreadsError } from '../../src/core/ingest/source.ts';

describe('source files', () => {
  it('refuses, before reading a byte, a file the threaded engine cannot hold in one buffer, and says what to do', async () => {
    let read = false;
    const huge = { size: COI_MAX_BYTES + 1, arrayBuffer: async () => ((read = true), new ArrayBuffer(0)) } as unknown as Blob;
    const coi = { kind: 'browser-coi' } as Engine;
    const err = await blobSourceFile(huge, 'paiements-2024.csv')
      .registerIn(coi, 'x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileTooLargeForThreadsError);
    expect((err as Error).message).toMatch(/paiements-2024\.csv.*moteur à un fil/);
    expect(read).toBe(false);
  });
});
