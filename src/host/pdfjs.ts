// Browser: the modern build; parsing runs in pdf.js's own Web Worker, its script served by the app
// (CSP worker-src 'self'), so a 300-page report does not freeze the page.
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { Pdfjs } from '../core/ingest/pdfjs-loader.ts';

export async function loadBrowserPdfjs(): Promise<Pdfjs> {
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  return pdfjs;
}
