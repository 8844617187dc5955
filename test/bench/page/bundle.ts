// Which bundle a file can be imported with. The COI bundle (2 threads) needs the whole file as one
// ArrayBuffer registered in the worker; a wasm32 heap cannot hold a buffer of 2 GiB or more, and the
// table must fit beside it, so past COI_MAX_BYTES the import goes to the EH bundle, which reads the
// File lazily through a handle (no copy, one thread).
export const GiB = 1024 ** 3;
export const COI_MAX_BYTES = 2 * GiB - 256 * 1024 ** 2;

export type Bundle = 'coi' | 'eh';

export function bundleFor(fileSize: number, crossOriginIsolated: boolean, coiMaxBytes = COI_MAX_BYTES): Bundle {
  return crossOriginIsolated && fileSize <= coiMaxBytes ? 'coi' : 'eh';
}
