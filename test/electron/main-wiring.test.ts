// Loads the built dist-electron/main.cjs against a recording stand-in for the `electron` module, so the
// wiring (scheme privileges, session locks, protocol, IPC, window options) is checked without the binary.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../electron/api.ts';

const root = join(import.meta.dirname, '..', '..');
// LOUPE_ELECTRON_OUT: where `vite build --config electron/vite.config.ts` was told to build, if not dist-electron/.
const outDir = process.env.LOUPE_ELECTRON_OUT ?? join(root, 'dist-electron');
const mainCjs = join(outDir, 'main.cjs');
const built = existsSync(mainCjs);
if (!built) console.warn(`[electron wiring] ignoré — ${mainCjs} absent : lancez npm run build:electron`);

type Listener = (...args: any[]) => any;

function fakeElectron(userData: string) {
  const rec = {
    privileged: [] as unknown[],
    appEvents: new Map<string, Listener>(),
    ipc: new Map<string, Listener>(),
    protocolHandlers: new Map<string, Listener>(),
    beforeRequest: undefined as Listener | undefined,
    permissionRequest: undefined as Listener | undefined,
    spellchecker: undefined as boolean | undefined,
    windows: [] as {
      options: any;
      url?: string;
      loaded?: string;
      pdfOptions?: any;
      destroyed?: boolean;
      wcEvents: Map<string, Listener>;
    }[],
    partitions: new Map<string, { beforeRequest?: Listener; permissionRequest?: Listener; spellchecker?: boolean }>(),
    saveDialogs: [] as any[],
    saveTo: null as string | null,
    menu: undefined as unknown,
    ready: undefined as (() => void) | undefined,
  };
  class BrowserWindow {
    webContents: any;
    private entry: (typeof rec.windows)[number];
    constructor(options: any) {
      this.entry = { options, wcEvents: new Map() };
      rec.windows.push(this.entry);
      const entry = this.entry;
      this.webContents = {
        on: (ev: string, l: Listener) => entry.wcEvents.set(ev, l),
        send: () => undefined,
        printToPDF: async (o: unknown) => ((entry.pdfOptions = o), Buffer.from('%PDF-1.7\n%%EOF\n')),
      };
    }
    once() {}
    on() {}
    maximize() {}
    async loadURL(url: string) {
      this.entry.url = url;
      if (url.startsWith('file:')) this.entry.loaded = await readFile(fileURLToPath(url), 'utf8');
    }
    isDestroyed() {
      return this.entry.destroyed === true;
    }
    destroy() {
      this.entry.destroyed = true;
    }
  }
  function fromPartition(name: string) {
    const p = rec.partitions.get(name) ?? {};
    rec.partitions.set(name, p);
    return {
      webRequest: { onBeforeRequest: (l: Listener) => (p.beforeRequest = l) },
      setPermissionRequestHandler: (l: Listener) => (p.permissionRequest = l),
      setPermissionCheckHandler: () => undefined,
      setSpellCheckerEnabled: (e: boolean) => (p.spellchecker = e),
      on: () => undefined,
    };
  }
  const electron = {
    app: {
      getPath: (n: string) => join(userData, n),
      getVersion: () => '0.1.0',
      getLocale: () => 'fr-FR',
      isPackaged: true,
      isReady: () => true,
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      on: (ev: string, l: Listener) => rec.appEvents.set(ev, l),
      whenReady: () => new Promise<void>((r) => (rec.ready = r)),
    },
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => rec.privileged.push(...s) },
    session: {
      defaultSession: {
        webRequest: { onBeforeRequest: (l: Listener) => (rec.beforeRequest = l) },
        setPermissionRequestHandler: (l: Listener) => (rec.permissionRequest = l),
        setPermissionCheckHandler: () => undefined,
        setSpellCheckerEnabled: (e: boolean) => (rec.spellchecker = e),
        on: () => undefined,
        protocol: { handle: (s: string, l: Listener) => rec.protocolHandlers.set(s, l) },
      },
      fromPartition,
    },
    ipcMain: { handle: (ch: string, l: Listener) => rec.ipc.set(ch, l) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (rec.menu = m) },
    dialog: {
      showSaveDialog: async (_w: unknown, options: unknown) => {
        rec.saveDialogs.push(options);
        return rec.saveTo ? { canceled: false, filePath: rec.saveTo } : { canceled: true };
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    BrowserWindow,
  };
  return { electron, rec };
}

describe.skipIf(!built)(`the built main process${built ? '' : ' (ignoré : dist-electron/main.cjs absent)'}`, () => {
  let userData: string;
  let rec: ReturnType<typeof fakeElectron>['rec'];
  const load = (Module as unknown as { _load: Listener })._load;

  beforeAll(async () => {
    userData = await mkdtemp(join(tmpdir(), 'loupe-main-'));
    const fake = fakeElectron(userData);
    rec = fake.rec;
    (Module as unknown as { _load: Listener })._load = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? fake.electron : load.call(this, request, ...rest);
    };
    createRequire(import.meta.url)(mainCjs);
    rec.ready!();
    for (let i = 0; i < 50 && !rec.windows[0]?.url; i++) await new Promise((r) => setTimeout(r, 20));
  });

  afterAll(async () => {
    (Module as unknown as { _load: Listener })._load = load;
    await rm(userData, { recursive: true, force: true });
  });

  it('registers app:// as a privileged scheme without bypassing the CSP', () => {
    expect(rec.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
    ]);
  });

  it('locks the session: remote requests cancelled, permissions denied, no spellchecker', () => {
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      rec.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('https://example.org/')).toBe(true);
    expect(decide('app://loupe/index.html')).toBe(false);
    let granted: boolean | undefined;
    rec.permissionRequest!(null, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(rec.spellchecker).toBe(false);
    expect(rec.appEvents.has('web-contents-created')).toBe(true);
  });

  it('opens one sandboxed, isolated window on app://loupe/index.html', () => {
    expect(rec.windows).toHaveLength(1);
    const w = rec.windows[0]!;
    expect(w.url).toBe('app://loupe/index.html');
    expect(w.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: false,
    });
    expect(w.options.webPreferences.preload).toBe(join(outDir, 'preload.cjs'));
  });

  it('serves app:// from dist/ and answers every IPC channel, for the app page only', async () => {
    expect(rec.protocolHandlers.has('app')).toBe(true);
    const missing = await rec.protocolHandlers.get('app')!({ url: 'app://loupe/definitely-missing.js', method: 'GET' });
    expect(missing.status).toBe(404);
    expect([...rec.ipc.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    const versions = rec.ipc.get(CHANNELS.versions)!;
    expect(await versions({ senderFrame: { url: 'app://loupe/index.html' } }, undefined)).toMatchObject({
      ok: true,
      value: { app: '0.1.0' },
    });
    expect(await versions({ senderFrame: { url: 'https://example.org/' } }, undefined)).toMatchObject({ ok: false });
  });

  it('builds the French menu', () => {
    expect((rec.menu as { label: string }[]).map((m) => m.label)).toEqual(['Fichier', 'Édition', 'Affichage', 'Aide']);
  });

  it('hardens the print session with a filter of its own', () => {
    const p = rec.partitions.get('loupe-print');
    expect(p, 'the print partition was never hardened').toBeDefined();
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      p!.beforeRequest!({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('https://example.org/')).toBe(true);
    expect(decide('app://loupe/index.html')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('data:image/png;base64,AAAA')).toBe(false);
    let granted: boolean | undefined;
    p!.permissionRequest!(null, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(p!.spellchecker).toBe(false);
  });

  it('prints a report to PDF: save dialog for PDF, hidden script-less window, A4, file written, window destroyed', async () => {
    const print = rec.ipc.get(CHANNELS.printReportToPdf)!;
    const app = { senderFrame: { url: 'app://loupe/index.html' } };
    const html = '<!DOCTYPE html><html lang="fr"><body><h1>Constats</h1></body></html>';
    rec.saveTo = null;
    expect(await print(app, { html, suggestedName: 'rapport.html' })).toEqual({ ok: true, value: false });
    expect(rec.windows).toHaveLength(1);
    rec.saveTo = join(userData, 'exports', 'rapport.pdf');
    expect(await print(app, { html, suggestedName: 'rapport.html' })).toEqual({ ok: true, value: true });
    expect(rec.saveDialogs.at(-1)).toMatchObject({
      defaultPath: join(userData, 'documents', 'rapport.pdf'),
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    });
    expect(rec.windows).toHaveLength(2);
    const w = rec.windows[1]!;
    expect(w.options.show).toBe(false);
    expect(w.options.webPreferences).toMatchObject({
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      partition: 'loupe-print',
      devTools: false,
    });
    expect(w.options.webPreferences.preload).toBeUndefined();
    expect(w.url).toMatch(/^file:\/\/\/.*loupe-pdf-[^/]+\/rapport\.html$/);
    expect(w.loaded).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    expect(w.loaded).toContain('<h1>Constats</h1>');
    expect(w.pdfOptions).toMatchObject({ pageSize: 'A4', printBackground: true });
    expect(w.destroyed).toBe(true);
    expect(await readFile(rec.saveTo, 'utf8')).toBe('%PDF-1.7\n%%EOF\n');
    expect((await readdir(join(userData, 'temp'))).filter((f) => f.startsWith('loupe-pdf-'))).toEqual([]);
    expect(await print({ senderFrame: { url: 'https://example.org/' } }, { html, suggestedName: 'x.pdf' })).toMatchObject({ ok: false });
    expect(rec.windows).toHaveLength(2);
  });
});
