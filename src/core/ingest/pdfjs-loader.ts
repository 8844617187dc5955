// pdf.js has a Node build (the legacy one, which runs its worker code in the same thread) and a browser
// build that runs in a Web Worker whose script the app serves itself (no CDN). Node never evaluates the
// browser module, whose `?url` import only Vite knows; tests may inject another loader.
import type * as PdfjsModule from 'pdfjs-dist';

export type Pdfjs = Pick<typeof PdfjsModule, 'getDocument' | 'GlobalWorkerOptions' | 'version'>;

let loading: Promise<Pdfjs> | undefined;
let injected: (() => Promise<Pdfjs>) | undefined;

function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Replaces how pdf.js is loaded (e.g. an app shell that ships its own worker); null restores the default. */
export function setPdfjsLoader(load: (() => Promise<Pdfjs>) | null): void {
  injected = load ?? undefined;
  loading = undefined;
}

export function loadPdfjs(): Promise<Pdfjs> {
  loading ??= (
    injected
      ? injected()
      : inNode()
        ? import('./pdfjs-loader.node.ts').then((m) => m.load())
        : import('./pdfjs-loader.browser.ts').then((m) => m.load())
  ).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
