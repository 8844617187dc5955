// Which character set a text file is written in, and its conversion to the UTF-8 that DuckDB reads.
// French public exports come in UTF-8 (with or without BOM) or in Windows-1252 from older office
// software; Latin-1 is not enough for those (€, œ and the typographic apostrophe live in 0x80–0x9F).
import type { SourceFile } from './source.ts';

export const ENCODINGS = ['utf-8', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface EncodingGuess {
  encoding: Encoding;
  /** Byte order mark length at the start of the file (0 when there is none). */
  bom: number;
  /** The head holds valid multi-byte UTF-8 sequences: the file is UTF-8 for sure, not plain ASCII. */
  multibyte: boolean;
}

export function bomOf(head: Uint8Array): { encoding: Encoding; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * Drops an incomplete UTF-8 sequence cut by the end of a head slice, so that a valid file is not
 * mistaken for an invalid one because the slice ended in the middle of a character.
 */
function trimCutSequence(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let cont = 0;
  while (i >= 0 && cont < 3 && (bytes[i]! & 0xc0) === 0x80) {
    i--;
    cont++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i]!;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > cont ? bytes.subarray(0, i) : bytes;
}

/**
 * UTF-16 written without a BOM: text in Latin script has a NUL in every other byte (the high byte
 * of each character) and almost nowhere else. Binary files do not show that pattern.
 */
function utf16WithoutBom(head: Uint8Array): Encoding | null {
  const pairs = Math.min(head.length, 4096) >> 1;
  if (pairs < 2) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (odd >= pairs * 0.9 && even <= pairs * 0.02) return 'utf-16le';
  if (even >= pairs * 0.9 && odd <= pairs * 0.02) return 'utf-16be';
  return null;
}

/** Guesses the encoding from the first bytes; `whole` says the head is the whole file. */
export function guessEncoding(head: Uint8Array, whole: boolean): EncodingGuess {
  const bom = bomOf(head);
  if (bom) return { encoding: bom.encoding, bom: bom.length, multibyte: bom.encoding === 'utf-8' };
  const utf16 = utf16WithoutBom(head);
  if (utf16) return { encoding: utf16, bom: 0, multibyte: false };
  const body = whole ? head : trimCutSequence(head);
  let good = 0;
  let bad = 0;
  for (const ch of new TextDecoder('utf-8').decode(body)) {
    if (ch === '\uFFFD') bad++;
    else if (ch.charCodeAt(0) >= 0x80) good++;
  }
  // Mostly valid multi-byte characters: a UTF-8 file with a few stray bytes, whose lines DuckDB
  // rejects one by one. Windows-1252 accents almost never form valid UTF-8 sequences.
  if (bad && good <= bad) return { encoding: 'windows-1252', bom: 0, multibyte: false };
  return { encoding: 'utf-8', bom: 0, multibyte: good > 0 };
}

/** The head as text, without its BOM and without a character cut by the end of the slice. */
export function decodeHead(head: Uint8Array, encoding: Encoding, whole: boolean): string {
  let bytes = head.subarray(bomOf(head)?.length ?? 0);
  if (encoding === 'utf-8' && !whole) bytes = trimCutSequence(bytes);
  if (encoding.startsWith('utf-16') && bytes.length % 2) bytes = bytes.subarray(0, bytes.length - 1);
  return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
}

/**
 * Why these bytes are not a text file, or null. NUL bytes do not occur in text outside UTF-16;
 * a high share of other control characters means a binary format renamed `.csv`.
 */
export function notTextReason(head: Uint8Array, encoding: Encoding): string | null {
  if (encoding.startsWith('utf-16')) return null;
  if (head[0] === 0x1f && head[1] === 0x8b) return 'fichier compressé (gzip) : décompressez-le avant de l’importer';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return 'archive zip : extrayez-en les fichiers avant de les importer';
  }
  const nul = head.indexOf(0);
  if (nul >= 0) return `octet nul à la position ${nul} : ce n’est pas un fichier texte (fichier binaire renommé ?)`;
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  if (head.length && control / head.length > 0.01) {
    return 'trop de caractères de contrôle : ce n’est pas un fichier texte (fichier binaire renommé ?)';
  }
  return null;
}

/**
 * The whole file converted to UTF-8, for DuckDB. This is the only path that touches every byte in
 * JavaScript; UTF-8 files never take it.
 */
export async function transcodeToUtf8(
  file: SourceFile,
  encoding: Encoding,
  onChunk?: (done: number, total: number) => void,
): Promise<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let size = 0;
  let read = 0;
  for await (const chunk of file.chunks()) {
    const part = encoder.encode(decoder.decode(chunk, { stream: true }));
    parts.push(part);
    size += part.length;
    read += chunk.length;
    onChunk?.(read, file.size);
  }
  const tail = encoder.encode(decoder.decode());
  parts.push(tail);
  size += tail.length;
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Physical line numbers (1-based) of the records starting at byte positions, counting every line feed
 * before them, quoted ones included, so that a line number shown to the user is the one an editor
 * shows. DuckDB sometimes reports the position of the line break ending the previous record: a
 * position on a line break counts as the line after it.
 */
export async function lineNumbersAt(chunks: AsyncIterable<Uint8Array>, positions: number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(positions)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let next = 0;
  let offset = 0;
  let before = 0;
  for await (const chunk of chunks) {
    if (next >= wanted.length) break;
    const end = offset + chunk.length;
    for (; next < wanted.length && wanted[next]! < end; next++) {
      const at = wanted[next]! - offset;
      let lf = countLf(chunk, at);
      if (chunk[at] === 0x0a || (chunk[at] === 0x0d && chunk[at + 1] === 0x0a)) lf++;
      out.set(wanted[next]!, before + lf + 1);
    }
    before += countLf(chunk, chunk.length);
    offset = end;
  }
  for (; next < wanted.length; next++) out.set(wanted[next]!, before + 1);
  return out;
}

function countLf(bytes: Uint8Array, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < to; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
