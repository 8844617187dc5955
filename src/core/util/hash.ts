// SHA-256 for source files (streamed, any size) and for journal entries.
import { createSHA256 } from 'hash-wasm';

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const h = await createSHA256();
  h.init();
  h.update(data);
  return h.digest('hex');
}

export async function sha256OfChunks(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const h = await createSHA256();
  h.init();
  for await (const c of chunks) h.update(c);
  return h.digest('hex');
}

/** JSON with sorted keys, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
