// The desktop shell's entry: wires the pure pieces (window options, locks, protocol, ipc, menu) to Electron.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session } from 'electron';
import { join } from 'node:path';
import type { MenuCommand, MenuLanguage } from './api.ts';
import { MENU_EVENT } from './api.ts';
import { electronDialogs } from './dialogs.ts';
import { Grants } from './grants.ts';
import { hardenSession, hardenWebContents } from './harden.ts';
import { createHandlers, registerIpc } from './ipc.ts';
import { buildMenuTemplate } from './menu.ts';
import { fill, MENU_LABELS, menuLanguageFor } from './menu-labels.ts';
import { projectFromArgv, projectRootFor } from './open-path.ts';
import { createPdfPrinter, PRINT_PARTITION } from './print-pdf.ts';
import { serveApp } from './protocol.ts';
import { RecentStore } from './recent.ts';
import { APP_ENTRY, APP_SCHEME, APP_SCHEME_PRIVILEGES, isAppUrl } from './security.ts';
import { windowOptions } from './window-options.ts';
import { fitToDisplays, loadWindowState, saveWindowStateSync } from './window-state.ts';

// Built to dist-electron/main.cjs; the renderer is in dist/ beside it.
const distDir = join(__dirname, '..', 'dist');
const preload = join(__dirname, 'preload.cjs');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

let win: BrowserWindow | null = null;
let lang: MenuLanguage = 'fr';
let rendererReady = false;
const pending: MenuCommand[] = [];
const userData = () => app.getPath('userData');
const recent = new RecentStore(join(userData(), 'recent.json'));
const versions = {
  app: app.getVersion(),
  electron: process.versions.electron ?? '',
  chrome: process.versions.chrome ?? '',
  node: process.versions.node,
};

function send(cmd: MenuCommand): void {
  if (win && rendererReady) win.webContents.send(MENU_EVENT, cmd);
  else pending.push(cmd);
}

function about(): void {
  const t = MENU_LABELS[lang];
  const options = { type: 'info' as const, title: t.about, message: 'Loupe', detail: fill(t.aboutDetail, versions), buttons: [t.ok] };
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

async function rebuildMenu(): Promise<void> {
  // macOS may hand over a document before the app is ready; the menu is built at ready anyway.
  if (!app.isReady()) return;
  const template = buildMenuTemplate({
    lang,
    recent: await recent.projects(),
    isMac: process.platform === 'darwin',
    devTools: !app.isPackaged,
    send,
    about,
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** A project the system asked us to open: it becomes a recent project, then the renderer opens it. */
async function openFromSystem(root: string | null): Promise<void> {
  if (!root) return;
  await recent.touch({ root, name: root.split(/[\\/]/).pop() ?? root });
  await rebuildMenu();
  send({ command: 'open-recent', path: root });
}

async function createWindow(): Promise<void> {
  const stateFile = join(userData(), 'window-state.json');
  const state = fitToDisplays(
    await loadWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  win = new BrowserWindow(windowOptions({ preload, state, devTools: !app.isPackaged }));
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  win.webContents.on('did-finish-load', () => {
    rendererReady = true;
    for (const cmd of pending.splice(0)) win?.webContents.send(MENU_EVENT, cmd);
  });
  win.on('close', () => {
    if (!win) return;
    const b = win.getNormalBounds();
    saveWindowStateSync(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
  });
  win.on('closed', () => {
    win = null;
    rendererReady = false;
  });
  await win.loadURL(APP_ENTRY);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    void projectFromArgv(argv).then(openFromSystem);
  });
  // macOS hands documents over by event, possibly before the app is ready.
  app.on('open-file', (e, path) => {
    e.preventDefault();
    void projectRootFor(path).then(openFromSystem);
  });
  app.on('web-contents-created', (_e, wc) => hardenWebContents(wc));
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(async () => {
    lang = menuLanguageFor(app.getLocale());
    const log = (msg: string) => console.warn(`[loupe] ${msg}`);
    const ses = session.defaultSession;
    hardenSession(ses, log);
    ses.protocol.handle(APP_SCHEME, (request) => serveApp(distDir, request));
    // Reports are printed in hidden windows of their own session, with their own (narrower) request filter.
    const printPdf = createPdfPrinter({
      session: session.fromPartition(PRINT_PARTITION),
      openWindow: (options) => new BrowserWindow(options),
      tempDir: app.getPath('temp'),
      log: (msg) => log(`impression : ${msg}`),
    });

    const grants = new Grants();
    const handlers = createHandlers({
      grants,
      dialogs: electronDialogs(dialog, () => win, app.getPath('documents')),
      recent,
      demoSource: join(distDir, 'demo'),
      demoTarget: join(userData(), 'projet-demo'),
      versions,
      printPdf,
      setMenuLanguage: (l) => {
        lang = l;
        void rebuildMenu();
      },
      recentChanged: () => void rebuildMenu(),
    });
    registerIpc(ipcMain, handlers, isAppUrl);

    await rebuildMenu();
    await createWindow();
    await openFromSystem(await projectFromArgv(process.argv));
  });
}
