// pdf.js has a Node build (the legacy one, which runs its worker code in the same thread) and a browser
// build that runs in a Web Worker whose script the app serves itself (no CDN). The core knows neither:
// whoever starts the engine injects the loader (src/node/engine.ts, src/host/engine.ts), as for Parquet.
import type * as PdfjsModule from 'pdfjs-dist';
import { injected } from '../util/injected.ts';

export type Pdfjs = Pick<typeof PdfjsModule, 'getDocument' | 'GlobalWorkerOptions' | 'version'>;

const pdfjs = injected<Pdfjs>('PDF indisponible : aucun chargeur de pdf.js installé par l’hôte');

/** How this platform loads pdf.js; null removes it (a PDF then says that no loader is installed). */
export function setPdfjsLoader(load: (() => Promise<Pdfjs>) | null): void {
  pdfjs.set(load);
}

export function loadPdfjs(): Promise<Pdfjs> {
  return pdfjs.load();
}
