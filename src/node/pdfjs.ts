// Node (CLI, tests, bench): the legacy build, which needs no DOM; the specifier is hidden from Vite so no
// browser bundle pulls it in. Its "fake worker" runs the parser in this thread.
import type { Pdfjs } from '../core/ingest/pdfjs-loader.ts';

export async function loadNodePdfjs(): Promise<Pdfjs> {
  const spec = 'pdfjs-dist/legacy/build/pdf.mjs';
  return (await import(/* @vite-ignore */ spec)) as Pdfjs;
}
