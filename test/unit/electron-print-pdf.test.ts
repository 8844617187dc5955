// Reports to PDF in the desktop shell (electron/print-pdf.ts): the hidden window's locks, the print
// options, the file name, the request filter, and the glue driven with a fake window and session.
import type { BrowserWindowConstructorOptions, PrintToPDFOptions } from 'electron';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLike } from '../../electron/harden.ts';
import {
  createPdfPrinter,
  isAllowedPrintRequest,
  isPdf,
  MAX_REPORT_HTML_CHARS,
  pdfFileName,
  pdfOptions,
  PRINT_CSP,
  PRINT_PARTITION,
  printDocument,
  printUrlKey,
  printWindowOptions,
  type PrintWindowLike,
} from '../../electron/print-pdf.ts';
import { LOCKED_RENDERER } from './helpers-io.ts';

describe('the print window', () => {
  const o = printWindowOptions();
  const prefs = o.webPreferences!;

  it('is hidden and has no preload, so the report gets no window.loupe', () => {
    expect(o.show).toBe(false);
    expect(prefs).not.toHaveProperty('preload');
  });

  it('runs no JavaScript, in a sandboxed, isolated renderer without Node', () => {
    expect(prefs).toMatchObject({ ...LOCKED_RENDERER, javascript: false, devTools: false });
  });

  it('lives in a session of its own, kept in memory only', () => {
    expect(prefs.partition).toBe(PRINT_PARTITION);
    expect(PRINT_PARTITION.startsWith('persist:')).toBe(false);
    expect(prefs).not.toHaveProperty('session');
  });
});

describe('the PDF options', () => {
  const p = pdfOptions();

  it('print A4 portrait with backgrounds (badges, table heads)', () => {
    expect(p).toMatchObject({ pageSize: 'A4', landscape: false, printBackground: true, preferCSSPageSize: false });
  });

  it('have margins in inches, between 5 and 25 mm', () => {
    for (const side of ['top', 'bottom', 'left', 'right'] as const) {
      const v = p.margins![side]!;
      expect(v * 25.4, side).toBeGreaterThanOrEqual(5);
      expect(v * 25.4, side).toBeLessThanOrEqual(25);
    }
  });

  it('number the pages with templates that load and run nothing', () => {
    expect(p.displayHeaderFooter).toBe(true);
    expect(p.footerTemplate).toContain('class="pageNumber"');
    expect(p.footerTemplate).toContain('class="totalPages"');
    for (const t of [p.headerTemplate!, p.footerTemplate!]) {
      expect(t).not.toMatch(/<script|src=|href=|url\(|https?:|javascript:/i);
    }
  });
});

describe('the proposed file name', () => {
  const cases: [string, string][] = [
    ['rapport.pdf', 'rapport.pdf'],
    ['rapport', 'rapport.pdf'],
    ['Rapport 2024.html', 'Rapport 2024.pdf'],
    ['Rapport.HTM', 'Rapport.pdf'],
    ['Rapport.PDF', 'Rapport.pdf'],
    ['rapport.csv', 'rapport.csv.pdf'],
    ['../../etc/passwd', '_.._etc_passwd.pdf'],
    ['C:\\Windows\\system32\\x.pdf', 'C__Windows_system32_x.pdf'],
    ['a<b>c:d"e|f?g*h.pdf', 'a_b_c_d_e_f_g_h.pdf'],
    ['ligne\nsuivante\t.pdf', 'ligne_suivante_.pdf'],
    ['.cache.pdf', 'cache.pdf'],
    ['fin. . .', 'fin.pdf'],
    ['  espaces  .pdf', 'espaces.pdf'],
    ['.pdf', 'rapport.pdf'],
    ['..', 'rapport.pdf'],
    ['///', 'rapport.pdf'],
    ['CON', '_CON.pdf'],
    ['nul.pdf', '_nul.pdf'],
    ['com1.html', '_com1.pdf'],
    ['Lpt9.txt', '_Lpt9.txt.pdf'],
    ['console.pdf', 'console.pdf'],
    ['Synthèse — contrôles', 'Synthèse — contrôles.pdf'],
    ['Synthe\u0300se.pdf', 'Synthèse.pdf'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      expect(pdfFileName(input)).toBe(expected);
    });
  }

  it('keeps names short enough for every file system, without cutting a character in two', () => {
    const long = pdfFileName('é'.repeat(500));
    expect(long).toBe(`${'é'.repeat(200)}.pdf`);
    const emoji = pdfFileName('📊'.repeat(300));
    expect(Array.from(emoji.slice(0, -4)).every((c) => c === '📊')).toBe(true);
    expect(emoji.endsWith('.pdf')).toBe(true);
  });

  it('never yields a separator, a control character or a reserved one', () => {
    const nasty = ['\0', '/', '\\', ':', '*', '?', '"', '<', '>', '|', '\u0001', '\u007f'];
    for (const a of nasty)
      for (const b of nasty) {
        const n = pdfFileName(`x${a}y${b}.pdf`);
        expect(n).toMatch(/^[^\0-\u001f\u007f<>:"/\\|?*]+\.pdf$/);
      }
  });
});

describe('the document the print window loads', () => {
  const csp = `<meta http-equiv="Content-Security-Policy" content="${PRINT_CSP}">`;

  it('starts with a byte order mark, the doctype, then the CSP, before anything that could load', () => {
    const doc = printDocument(
      '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>R</title></head><body><img src="https://x/y.png"></body></html>',
    );
    expect(doc.startsWith(`\uFEFF<!DOCTYPE html>${csp}\n<html lang="fr">`)).toBe(true);
    expect(doc.indexOf(csp)).toBeLessThan(doc.indexOf('<img'));
  });

  it('puts the CSP first when there is no doctype, and does not double a byte order mark', () => {
    expect(printDocument('<p>x</p>')).toBe(`\uFEFF${csp}<p>x</p>`);
    expect(printDocument('\uFEFF<!doctype html><p>x</p>')).toBe(`\uFEFF<!doctype html>${csp}<p>x</p>`);
    expect(printDocument('  <!DOCTYPE html SYSTEM "about:legacy-compat"><p>x</p>')).toBe(
      `\uFEFF  <!DOCTYPE html SYSTEM "about:legacy-compat">${csp}<p>x</p>`,
    );
  });

  it('has a CSP that allows no script and no origin at all, only inline styles and data: images and fonts', () => {
    const directives = new Map(
      PRINT_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.has('script-src')).toBe(false);
    expect(directives.get('style-src')).toEqual(["'unsafe-inline'"]);
    expect(directives.get('img-src')).toEqual(['data:']);
    expect(directives.get('font-src')).toEqual(['data:']);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(PRINT_CSP).not.toMatch(/'self'|https?:|\*|blob:|'unsafe-eval'|wasm/);
    // The attribute is double-quoted: the policy must not close it.
    expect(PRINT_CSP).not.toContain('"');
  });
});

describe('the print session’s request filter', () => {
  const file = join(tmpdir(), 'loupe-pdf-Aé b', 'rapport.html');
  const url = pathToFileURL(file).href;
  const allowed = new Set([printUrlKey(url)]);

  it('lets the report file load, also as Chromium spells its URL', () => {
    expect(isAllowedPrintRequest(url, allowed)).toBe(true);
    expect(isAllowedPrintRequest(url.replace('file:///', 'file://localhost/'), allowed)).toBe(true);
    expect(isAllowedPrintRequest(url.replace('%C3%A9', 'é'), allowed)).toBe(true);
    const win = new Set([printUrlKey('file:///c:/Users/Ana/AppData/Local/Temp/loupe-pdf-x/rapport.html')]);
    expect(isAllowedPrintRequest('file:///C:/Users/Ana/AppData/Local/Temp/loupe-pdf-x/rapport.html', win)).toBe(true);
    expect(isAllowedPrintRequest('file:///C:/Users/ana/AppData/Local/Temp/loupe-pdf-x/rapport.html', win)).toBe(false);
  });

  it('allows data: URLs, which reach neither the disk nor the network', () => {
    expect(isAllowedPrintRequest('data:image/png;base64,iVBORw0KGgo=', allowed)).toBe(true);
  });

  it('refuses every other file, the same file with a query, and another host', () => {
    expect(isAllowedPrintRequest(pathToFileURL('/etc/passwd').href, allowed)).toBe(false);
    expect(isAllowedPrintRequest(pathToFileURL(join(file, '..', 'autre.html')).href, allowed)).toBe(false);
    expect(isAllowedPrintRequest(`${url}?x=1`, allowed)).toBe(false);
    expect(isAllowedPrintRequest(url.replace('file:///', 'file://serveur/'), allowed)).toBe(false);
    expect(isAllowedPrintRequest(url, new Set())).toBe(false);
  });

  it('refuses the network and every other scheme, and garbage', () => {
    for (const u of [
      'https://example.org/',
      'http://127.0.0.1:8080/x',
      'ws://localhost/',
      'wss://example.org/',
      'ftp://example.org/',
      'app://loupe/index.html',
      'blob:app://loupe/1234',
      'devtools://devtools/bundled/inspector.html',
      'chrome://settings',
      'javascript:alert(1)',
      '',
      'not a url',
      42 as unknown as string,
      `file:///${'a'.repeat(70_000)}`,
    ]) {
      expect(isAllowedPrintRequest(u, allowed), String(u).slice(0, 60)).toBe(false);
    }
  });
});

describe('a PDF', () => {
  it('is recognised by its header', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(isPdf(enc('%PDF-1.7\n'))).toBe(true);
    expect(isPdf(enc('<html>'))).toBe(false);
    expect(isPdf(enc('%PDF'))).toBe(false);
    expect(isPdf(new Uint8Array())).toBe(false);
  });

  it('may come from a report of up to 32 Mi characters', () => {
    expect(MAX_REPORT_HTML_CHARS).toBe(32 * 1024 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------------
// The glue, with a fake session and window standing in for Electron's.

type Listener = (...args: any[]) => any;

function fakeSession() {
  const rec = {
    beforeRequest: undefined as Listener | undefined,
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    spellchecker: undefined as boolean | undefined,
    willDownload: undefined as Listener | undefined,
  };
  const session: SessionLike = {
    webRequest: { onBeforeRequest: (l) => (rec.beforeRequest = l) },
    setPermissionRequestHandler: (l) => (rec.permissionRequest = l),
    setPermissionCheckHandler: (l) => (rec.permissionCheck = l),
    setSpellCheckerEnabled: (e) => (rec.spellchecker = e),
    on: (_ev, l) => (rec.willDownload = l),
  };
  const cancels = (url: string) => {
    let cancel: boolean | undefined;
    rec.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
    return cancel;
  };
  return { session, rec, cancels };
}

interface WindowRecord {
  options: BrowserWindowConstructorOptions;
  url?: string;
  loaded?: string;
  fileMode?: number;
  pdfOptions?: PrintToPDFOptions;
  decisions?: Record<string, boolean | undefined>;
  destroyed: boolean;
}

const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');

function fakeWindows(
  cancels: (url: string) => boolean | undefined,
  behaviour: { load?: (url: string) => Promise<void>; print?: () => Promise<Uint8Array> } = {},
) {
  const windows: WindowRecord[] = [];
  const openWindow = (options: BrowserWindowConstructorOptions): PrintWindowLike => {
    const rec: WindowRecord = { options, destroyed: false };
    windows.push(rec);
    return {
      async loadURL(url) {
        rec.url = url;
        // What the page would read, and what the session lets it fetch, while it is loaded.
        const path = fileURLToPath(url);
        rec.loaded = await readFile(path, 'utf8');
        rec.fileMode = (await stat(path)).mode & 0o777;
        rec.decisions = {
          report: cancels(url),
          otherFile: cancels(pathToFileURL('/etc/passwd').href),
          sibling: cancels(pathToFileURL(join(path, '..', 'x.png')).href),
          remote: cancels('https://example.org/pixel.png'),
          data: cancels('data:image/png;base64,AAAA'),
        };
        if (behaviour.load) await behaviour.load(url);
      },
      webContents: {
        async printToPDF(o) {
          rec.pdfOptions = o;
          return behaviour.print ? behaviour.print() : PDF_BYTES;
        },
      },
      isDestroyed: () => rec.destroyed,
      destroy: () => void (rec.destroyed = true),
    };
  };
  return { windows, openWindow };
}

describe('the PDF printer (with a fake Electron)', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'loupe-print-test-'));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));

  it('locks its session: every permission denied, no spellchecker, no download', () => {
    const { session, rec } = fakeSession();
    createPdfPrinter({ session, openWindow: () => undefined as never, tempDir: temp });
    let granted: boolean | undefined;
    rec.permissionRequest!(null, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(rec.permissionCheck!()).toBe(false);
    expect(rec.spellchecker).toBe(false);
    let prevented = false;
    rec.willDownload!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('lays the report out in a locked hidden window, prints A4, destroys the window and removes its file', async () => {
    const { session, cancels } = fakeSession();
    const { windows, openWindow } = fakeWindows(cancels);
    const print = createPdfPrinter({ session, openWindow, tempDir: temp });
    const html =
      '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body><h1>Constats</h1><svg><rect/></svg></body></html>';
    const pdf = await print(html);
    expect(pdf).toEqual(PDF_BYTES);
    expect(windows).toHaveLength(1);
    const w = windows[0]!;
    expect(w.options).toEqual(printWindowOptions());
    expect(w.url).toMatch(/^file:\/\/\/.*\/loupe-pdf-[^/]+\/rapport\.html$/);
    expect(w.loaded).toBe(printDocument(html));
    if (process.platform !== 'win32') expect(w.fileMode).toBe(0o600);
    expect(w.pdfOptions).toEqual(pdfOptions());
    expect(w.destroyed).toBe(true);
    // While loaded: only the report itself and data: were let through.
    expect(w.decisions).toEqual({ report: false, otherFile: true, sibling: true, remote: true, data: false });
    // Afterwards the report's URL is refused again, and its folder is gone.
    expect(cancels(w.url!)).toBe(true);
    expect((await readdir(temp)).filter((f) => f.startsWith('loupe-pdf-'))).toEqual([]);
  });

  it('gives up after the time limit with a French sentence, and still cleans up', async () => {
    const { session, cancels } = fakeSession();
    const { windows, openWindow } = fakeWindows(cancels, { load: () => new Promise(() => undefined) });
    const print = createPdfPrinter({ session, openWindow, tempDir: temp, timeoutMs: 50 });
    await expect(print('<p>x</p>')).rejects.toThrow('Le rapport n’a pas pu être converti en PDF dans le délai imparti (1 s)');
    expect(windows[0]!.destroyed).toBe(true);
    expect((await readdir(temp)).filter((f) => f.startsWith('loupe-pdf-'))).toEqual([]);
  });

  it('says in French why a report could not be laid out', async () => {
    const { session, cancels } = fakeSession();
    const { windows, openWindow } = fakeWindows(cancels, {
      load: () => Promise.reject(new Error("ERR_BLOCKED_BY_CLIENT (-20) loading 'file:///x'")),
    });
    const print = createPdfPrinter({ session, openWindow, tempDir: temp });
    await expect(print('<p>x</p>')).rejects.toThrow(/^Le rapport n’a pas pu être mis en page pour le PDF : ERR_BLOCKED_BY_CLIENT/);
    expect(windows[0]!.destroyed).toBe(true);
    expect((await readdir(temp)).filter((f) => f.startsWith('loupe-pdf-'))).toEqual([]);
  });

  it('refuses a result that is not a PDF', async () => {
    const { session, cancels } = fakeSession();
    const { windows, openWindow } = fakeWindows(cancels, { print: async () => new TextEncoder().encode('<html>') });
    const print = createPdfPrinter({ session, openWindow, tempDir: temp });
    await expect(print('<p>x</p>')).rejects.toThrow(/n’est pas un PDF/);
    expect(windows[0]!.destroyed).toBe(true);
  });

  it('prints two reports at once, each from its own private folder', async () => {
    const { session, cancels } = fakeSession();
    const { windows, openWindow } = fakeWindows(cancels);
    const print = createPdfPrinter({ session, openWindow, tempDir: temp });
    await Promise.all([print('<p>un</p>'), print('<p>deux</p>')]);
    expect(new Set(windows.map((w) => w.url)).size).toBe(2);
    expect(windows.map((w) => (w.loaded!.endsWith('<p>un</p>') ? 'un' : w.loaded!.endsWith('<p>deux</p>') ? 'deux' : '?')).sort()).toEqual([
      'deux',
      'un',
    ]);
    expect(windows.every((w) => w.destroyed && w.decisions!.report === false)).toBe(true);
  });
});
