// An XLSX is a zip. Before inflating anything we read the central directory, which declares every
// member's sizes, and refuse archives that would expand to an absurd size: a few kilobytes of a
// "zip bomb" can otherwise fill the renderer's memory.
import { IngestError } from './types.ts';

export const ZIP_LIMITS = {
  /** Total declared uncompressed size. */
  maxTotalBytes: 500 * 1024 * 1024,
  /** Uncompressed/compressed ratio, checked once the total is past `ratioFloorBytes`. */
  maxRatio: 200,
  ratioFloorBytes: 16 * 1024 * 1024,
  maxEntries: 100_000,
};

export interface ZipSummary {
  entries: number;
  compressed: number;
  uncompressed: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Sizes declared by the central directory; throws IngestError when it is missing or broken. */
export function readZipDirectory(bytes: Uint8Array, fileName: string): ZipSummary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new IngestError('archive XLSX illisible (répertoire zip introuvable : fichier tronqué ?)', fileName);
  const count = view.getUint16(eocd + 10, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) {
    throw new IngestError('archive XLSX suspecte (format zip64 : taille non vérifiable)', fileName);
  }
  const out: ZipSummary = { entries: 0, compressed: 0, uncompressed: 0 };
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) {
      throw new IngestError('archive XLSX illisible (répertoire zip corrompu)', fileName);
    }
    const csize = view.getUint32(p + 20, true);
    const usize = view.getUint32(p + 24, true);
    if (csize === 0xffffffff || usize === 0xffffffff) {
      throw new IngestError('archive XLSX suspecte (membre zip64 : taille non vérifiable)', fileName);
    }
    out.entries++;
    out.compressed += csize;
    out.uncompressed += usize;
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return out;
}

export function assertSafeZip(bytes: Uint8Array, fileName: string, limits = ZIP_LIMITS): ZipSummary {
  const z = readZipDirectory(bytes, fileName);
  const ratio = z.uncompressed / Math.max(1, z.compressed);
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} Mo`;
  if (z.entries > limits.maxEntries) {
    throw new IngestError(`archive XLSX suspecte (${z.entries} fichiers dans l’archive)`, fileName);
  }
  if (z.uncompressed > limits.maxTotalBytes) {
    throw new IngestError(
      `archive XLSX suspecte (taux de compression ${Math.round(ratio)}:1, ${mb(z.uncompressed)} une fois décompressée, limite ${mb(limits.maxTotalBytes)})`,
      fileName,
    );
  }
  if (z.uncompressed > limits.ratioFloorBytes && ratio > limits.maxRatio) {
    throw new IngestError(
      `archive XLSX suspecte (taux de compression ${Math.round(ratio)}:1, ${mb(z.uncompressed)} une fois décompressée)`,
      fileName,
    );
  }
  return z;
}
