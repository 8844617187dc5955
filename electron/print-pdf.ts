// Reports to PDF in the desktop shell: the report's HTML is laid out in a hidden window of its own and
// printed with Chromium's printToPDF. That window is locked tighter than the app's: no preload, no
// JavaScript at all (the report is self-contained HTML with inline CSS and SVG), its own in-memory
// session whose only allowed request is the report file itself, and a CSP that loads nothing.
// The decisions are pure functions for the tests; createPdfPrinter is the thin glue, written against
// the few Electron methods it calls so a test can hand it fakes.
import type { BrowserWindowConstructorOptions, PrintToPDFOptions } from 'electron';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hardenSession, type SessionLike } from './harden.ts';
import { HARDENED_WEB_PREFERENCES } from './window-options.ts';
import { errorText } from '../src/core/util/errors.ts';

/** The print window's session: a partition without `persist:` lives in memory only. */
export const PRINT_PARTITION = 'loupe-print';
/** Refused above this (the IPC handler's limit): a report is a few MB even with many tables and charts. */
export const MAX_REPORT_HTML_CHARS = 32 * 1024 * 1024;
export const MAX_PDF_NAME_CHARS = 255;
/** Layout and printing of one report; past this the window is destroyed and the user told. */
export const PRINT_TIMEOUT_MS = 120_000;
export const PDF_FILTERS = [{ name: 'PDF', extensions: ['pdf'] }];

/**
 * The print window's CSP, stricter than the app's (which allows 'self' scripts): nothing may load
 * or run; only the report's inline styles and data: images and fonts are rendered.
 * (frame-ancestors is not honoured in a <meta> CSP, hence its absence.)
 */
export const PRINT_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  'font-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * The name the save dialog proposes: the page's suggestion without folders, control or reserved
 * characters, leading dots (hidden files) or trailing dots and spaces (Windows), no device name
 * (CON, NUL…), at most 200 characters, and ending in .pdf (an .html or .htm ending is replaced).
 */
export function pdfFileName(suggested: string): string {
  let base = String(suggested)
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .trim()
    .replace(/\.(pdf|html?)$/i, '')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  base = Array.from(base)
    .slice(0, 200)
    .join('')
    .replace(/[.\s]+$/, '');
  if (!base || /^_+$/.test(base)) base = 'rapport';
  if (WINDOWS_DEVICE.test(base)) base = `_${base}`;
  return `${base}.pdf`;
}

/**
 * The file the print window loads: a UTF-8 byte order mark (the file has no header to say its
 * charset), then the doctype if there is one, then the print CSP before anything that could load.
 */
export function printDocument(html: string): string {
  const body = html.startsWith('\uFEFF') ? html.slice(1) : html;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${PRINT_CSP}">`;
  const doctype = /^\s*<!doctype[^>]*>/i.exec(body);
  const at = doctype ? doctype[0].length : 0;
  return `\uFEFF${body.slice(0, at)}${meta}${body.slice(at)}`;
}

/** A hidden window that lays the report out and nothing else. */
export function printWindowOptions(): BrowserWindowConstructorOptions {
  return {
    show: false,
    // A4 at 96 dpi; printToPDF lays the pages out on the paper size anyway.
    width: 794,
    height: 1123,
    skipTaskbar: true,
    title: 'Loupe — impression',
    backgroundColor: '#ffffff',
    webPreferences: {
      // No preload: this page gets no window.loupe.
      partition: PRINT_PARTITION,
      javascript: false,
      ...HARDENED_WEB_PREFERENCES,
      devTools: false,
      images: true,
    },
  };
}

const mm = (n: number) => Math.round((n / 25.4) * 1000) / 1000;

/** A4 portrait, backgrounds printed (badges, table heads), page numbers in the footer, an outline from the headings. */
export function pdfOptions(): PrintToPDFOptions {
  return {
    pageSize: 'A4',
    landscape: false,
    printBackground: true,
    preferCSSPageSize: false,
    margins: { top: mm(15), bottom: mm(18), left: mm(15), right: mm(15) },
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate:
      '<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:system-ui,sans-serif">' +
      '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    generateTaggedPDF: true,
    generateDocumentOutline: true,
  };
}

function filePathOf(url: string): string | null {
  if (typeof url !== 'string' || url.length > 64 * 1024) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'file:' || (u.host !== '' && u.host !== 'localhost') || u.search !== '' || u.username || u.password) return null;
  try {
    // A Windows drive letter may come back in either case.
    return decodeURIComponent(u.pathname).replace(/^\/([a-z]):/, (_m, d: string) => `/${d.toUpperCase()}:`);
  } catch {
    return null;
  }
}

/** The key a report file is allowed under (its URL's decoded path), so Chromium's canonical form of the URL still matches. */
export function printUrlKey(fileUrl: string): string {
  const key = filePathOf(fileUrl);
  if (key === null) throw new Error(`URL de fichier invalide : ${fileUrl}`);
  return key;
}

/**
 * The print session's request filter: the report file being printed (by exact path), and data:
 * URLs, which reach neither the network nor the disk. Everything else — other files, http(s), ws,
 * app://, blob: — is cancelled.
 */
export function isAllowedPrintRequest(url: string, allowed: ReadonlySet<string>): boolean {
  if (typeof url !== 'string') return false;
  if (url.startsWith('data:')) return true;
  const key = filePathOf(url);
  return key !== null && allowed.has(key);
}

/** What printToPDF gave is a PDF (it starts with the PDF header). */
export function isPdf(bytes: Uint8Array): boolean {
  return bytes.length > 5 && String.fromCharCode(...bytes.subarray(0, 5)) === '%PDF-';
}

export interface PrintWindowLike {
  loadURL(url: string): Promise<void>;
  webContents: { printToPDF(options: PrintToPDFOptions): Promise<Uint8Array> };
  isDestroyed(): boolean;
  destroy(): void;
}

export interface PdfPrinterDeps {
  /** The session of PRINT_PARTITION; hardened here, with its own request filter. */
  session: SessionLike;
  openWindow(options: BrowserWindowConstructorOptions): PrintWindowLike;
  /** Where the report's HTML is written for the window to load (a fresh private folder inside it, removed after). */
  tempDir: string;
  log?(msg: string): void;
  timeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Returns the function that turns a report's HTML into PDF bytes. Call once, after the app is ready. */
export function createPdfPrinter(deps: PdfPrinterDeps): (html: string) => Promise<Uint8Array> {
  const printing = new Set<string>();
  hardenSession(deps.session, deps.log, (url) => isAllowedPrintRequest(url, printing));
  const timeoutMs = deps.timeoutMs ?? PRINT_TIMEOUT_MS;

  return async (html) => {
    await mkdir(deps.tempDir, { recursive: true });
    const dir = await mkdtemp(join(deps.tempDir, 'loupe-pdf-'));
    const file = join(dir, 'rapport.html');
    const url = pathToFileURL(file).href;
    const key = printUrlKey(url);
    let win: PrintWindowLike | null = null;
    try {
      await writeFile(file, printDocument(html), { encoding: 'utf8', mode: 0o600, flag: 'wx' });
      printing.add(key);
      win = deps.openWindow(printWindowOptions());
      const w = win;
      const pdf = await withTimeout(
        (async () => {
          await w.loadURL(url).catch((e: unknown) => {
            throw new Error(`Le rapport n’a pas pu être mis en page pour le PDF : ${errorText(e)}`);
          });
          return w.webContents.printToPDF(pdfOptions());
        })(),
        timeoutMs,
        `Le rapport n’a pas pu être converti en PDF dans le délai imparti (${Math.ceil(timeoutMs / 1000)} s)`,
      );
      if (!isPdf(pdf)) throw new Error('Le rendu du rapport en PDF a échoué : le résultat n’est pas un PDF');
      return pdf;
    } finally {
      printing.delete(key);
      if (win && !win.isDestroyed()) win.destroy();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
}
