// The Electron host driven through the preload's real bridge, whose calls go to the real IPC handlers
// through the real registration: what the renderer sees, minus Electron.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoupeApi, MENU_EVENT, type MenuCommand } from '../../electron/api.ts';
import { buildLoupeApi } from '../../electron/bridge.ts';
import { Grants } from '../../electron/grants.ts';
import { createHandlers, type Dialogs, type Handlers, registerIpc } from '../../electron/ipc.ts';
import { RecentStore } from '../../electron/recent.ts';
import { APP_ENTRY, isAppUrl } from '../../electron/security.ts';
import { registeredName, type Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { sha256OfFile } from '../../src/core/ingest/source.ts';
import { createElectronHost, IpcProjectStore } from '../../src/host/electron.ts';
import { printReport } from '../../src/ui/findings/print-report.ts';

let tmp: string;
let csv: string;
let folder: string;
let project: string;
const choice = { files: [] as string[], folder: null as string | null, project: null as string | null, save: null as string | null };
const dialogs: Dialogs = {
  openFiles: async () => choice.files,
  openFolder: async () => choice.folder,
  openProject: async () => choice.project,
  newProject: async () => null,
  locate: async () => null,
  save: async (name, filters) => ((saved.name = name), (saved.filters = filters), choice.save),
};
const saved: { name?: string; filters?: unknown } = {};
/** The fake printer: what the hidden window would print, as a PDF that names the report it was given. */
const printed: string[] = [];
const printPdf = async (html: string) => (printed.push(html), new TextEncoder().encode(`%PDF-1.7\n% ${html.length} caractères\n%%EOF\n`));

type Listener = (event: unknown, payload: unknown) => void;
/** Menu events the fake main process sends to the page, by channel. */
const sent = new Map<string, Set<Listener>>();

/**
 * The preload's own bridge (bridge.ts) over the real IPC registration, called as from the app's page:
 * what the renderer sees, minus Electron.
 */
function fakeApi(h: Handlers, dropped: Map<File, string>): LoupeApi {
  const channels = new Map<string, (event: { senderFrame?: { url: string } | null }, args: unknown) => Promise<unknown>>();
  registerIpc({ handle: (ch, l) => channels.set(ch, l) }, h, isAppUrl);
  return buildLoupeApi({
    invoke: (ch, args) => channels.get(ch)!({ senderFrame: { url: APP_ENTRY } }, args),
    on: (ch, l) => void (sent.get(ch) ?? sent.set(ch, new Set()).get(ch)!).add(l),
    removeListener: (ch, l) => void sent.get(ch)?.delete(l),
    pathForFile: (f) => dropped.get(f) ?? '',
  });
}

let engine: Engine;
const dropped = new Map<File, string>();
let host: ReturnType<typeof createElectronHost>;
let sharedApi: LoupeApi;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'loupe-host-'));
  csv = join(tmp, 'subventions.csv');
  await writeFile(csv, 'beneficiaire;montant\nAssociation A;1200,50\nAssociation B;300\n');
  folder = join(tmp, 'lot');
  await mkdir(join(folder, 'sub'), { recursive: true });
  await writeFile(join(folder, 'a.csv'), 'x\n1\n');
  await writeFile(join(folder, 'sub', 'b.csv'), 'x\n2\n');
  project = join(tmp, 'projet');
  await mkdir(project);
  await writeFile(join(project, 'loupe.json'), JSON.stringify({ format: 'loupe-project', name: 'Subventions 2024' }));
  const handlers = createHandlers({
    grants: new Grants(),
    dialogs,
    recent: new RecentStore(join(tmp, 'userData', 'recent.json')),
    demoSource: join(tmp, 'no-demo'),
    demoTarget: join(tmp, 'userData', 'demo'),
    versions: { app: '0.1.0', electron: '45', chrome: '140', node: '22' },
    printPdf,
    setMenuLanguage: () => undefined,
    recentChanged: () => undefined,
  });
  sharedApi = fakeApi(handlers, dropped);
  host = createElectronHost(sharedApi);
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the Electron host', () => {
  it('refuses to start outside the shell', () => {
    expect(() => createElectronHost(undefined)).toThrow(/window\.loupe/);
  });

  it('reads a picked file in slices, chunks and whole, and registers it in the engine', async () => {
    choice.files = [csv];
    const [file] = await host.pickFiles();
    expect(file).toMatchObject({ name: 'subventions.csv', path: csv, size: 61 });
    expect(new TextDecoder().decode(await file!.slice(0, 12))).toBe('beneficiaire');
    const chunks: number[] = [];
    for await (const c of file!.chunks(16)) chunks.push(c.length);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(61);
    expect(chunks[0]).toBe(16);
    expect(await sha256OfFile(file!)).toMatch(/^[0-9a-f]{64}$/);
    await file!.registerIn(engine, 'subventions.csv');
    const r = await engine.query(`SELECT count(*) AS n FROM read_csv('${registeredName('subventions.csv')}', delim=';', header=true)`);
    expect(r.rows[0]).toEqual([2]);
  });

  it('names a picked folder’s files relative to the folder’s parent', async () => {
    choice.folder = folder;
    const files = await host.pickFolder();
    expect(files.map((f) => f.path)).toEqual(['lot/a.csv', 'lot/sub/b.csv']);
    expect(new TextDecoder().decode(await files[1]!.bytes())).toBe('x\n2\n');
  });

  it('takes dropped paths from the files themselves', async () => {
    const f = new File(['x'], 'a.csv');
    dropped.set(f, join(folder, 'a.csv'));
    const g = new File(['x'], 'lot');
    dropped.set(g, folder);
    const files = await host.droppedFiles({ files: [f, g] } as unknown as DataTransfer);
    expect(files.map((s) => s.path)).toEqual(['a.csv', 'lot/a.csv', 'lot/sub/b.csv']);
  });

  it('opens a project folder, writes through it, and lists it among recent projects', async () => {
    choice.project = project;
    const api = fakeApi(
      createHandlers({
        grants: new Grants(),
        dialogs,
        recent: new RecentStore(join(tmp, 'userData', 'r2.json')),
        demoSource: '',
        demoTarget: join(tmp, 'x'),
        versions: { app: '', electron: '', chrome: '', node: '' },
        printPdf,
        setMenuLanguage: () => undefined,
        recentChanged: () => undefined,
      }),
      dropped,
    );
    const info = await api.openProjectDialog();
    const h2 = createElectronHost(api);
    const ref = await h2.openProject(info!.root);
    expect(ref.name).toBe('Subventions 2024');
    expect(ref.store).toBeInstanceOf(IpcProjectStore);
    await ref.store.writeTextAtomic('findings.json', '# Constats');
    await ref.store.appendText('journal.ndjson', '{"op":1}\n');
    await ref.store.writeBytes('sources/copie.csv', new TextEncoder().encode('x\n9\n'));
    expect(await readFile(join(project, 'findings.json'), 'utf8')).toBe('# Constats');
    expect(await ref.store.readText('journal.ndjson')).toBe('{"op":1}\n');
    const copy = await ref.store.files().open('sources/copie.csv');
    expect(new TextDecoder().decode(await copy.bytes())).toBe('x\n9\n');
    expect(await ref.store.files().list('sources')).toEqual(['sources/copie.csv']);
    expect(await h2.listProjects()).toEqual([{ id: info!.root, name: 'projet' }]);
    await expect(ref.store.writeTextAtomic('../dehors.txt', 'x')).rejects.toThrow(/Appel refusé/);
  });

  it('keeps a copy of a desktop source under sources/, a new name when taken, so the project can be handed over', async () => {
    choice.project = project;
    choice.files = [csv];
    const info = await sharedApi.openProjectDialog();
    const ref = await host.openProject(info!.root);
    const [file] = await host.pickFiles();
    expect(await host.keepSource(ref.store, file!)).toBe('sources/subventions.csv');
    expect(await readFile(join(project, 'sources', 'subventions.csv'), 'utf8')).toBe(await readFile(csv, 'utf8'));
    expect(await host.keepSource(ref.store, file!)).toBe('sources/subventions (2).csv');
    const copy = await ref.store.files().open('sources/subventions.csv');
    expect(copy.size).toBe(61);
    // A file made in memory has no path on disk: the project keeps a copy instead.
    const { bytesSourceFile } = await import('../../src/core/ingest/source.ts');
    expect(await host.keepSource(ref.store, bytesSourceFile(new TextEncoder().encode('m\n1\n'), 'mémoire.csv'))).toBe(
      'sources/mémoire.csv',
    );
    expect(await readFile(join(project, 'sources', 'mémoire.csv'), 'utf8')).toBe('m\n1\n');
  });

  it('reports a source this session may not read with a clear error', async () => {
    await expect(host.files.open(join(tmp, 'inconnu.csv'))).rejects.toThrow(/introuvable|Accès refusé/);
    await writeFile(join(tmp, 'autre.csv'), 'x');
    await expect(host.files.open(join(tmp, 'autre.csv'))).rejects.toThrow(/Accès refusé/);
  });

  it('saves through the save dialog', async () => {
    choice.save = join(tmp, 'rapport.html');
    expect(await host.saveAs('rapport.html', '<h1>Rapport</h1>', 'text/html')).toBe(true);
    expect(await readFile(join(tmp, 'rapport.html'), 'utf8')).toBe('<h1>Rapport</h1>');
  });

  it('hands the page only well-formed menu commands, until it stops listening', () => {
    const got: MenuCommand[] = [];
    const stop = host.onMenuCommand((c) => got.push(c));
    const emit = (payload: unknown) => sent.get(MENU_EVENT)?.forEach((l) => l({}, payload));
    emit({ command: 'save' });
    emit({ command: 'open-recent', path: '/p' });
    emit({ command: 'rm -rf' });
    emit({ command: 'save', path: 42 });
    emit('save');
    stop();
    emit({ command: 'export' });
    expect(got).toEqual([{ command: 'save' }, { command: 'open-recent', path: '/p' }]);
  });

  it('prints a report to PDF through the bridge: save dialog for PDF, then the printer, then the file', async () => {
    const html = '<!DOCTYPE html><html lang="fr"><body><h1>Rapport</h1></body></html>';
    choice.save = join(tmp, 'rapport.pdf');
    printed.length = 0;
    expect(await host.printReportToPdf(html, 'Rapport 2024/constats.html')).toBe(true);
    expect(saved).toEqual({ name: 'Rapport 2024_constats.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    expect(printed).toEqual([html]);
    expect(await readFile(join(tmp, 'rapport.pdf'), 'utf8')).toBe(`%PDF-1.7\n% ${html.length} caractères\n%%EOF\n`);
    choice.save = null;
    expect(await host.printReportToPdf(html, 'rapport.pdf')).toBe(false);
    expect(printed).toHaveLength(1);
    await expect(host.printReportToPdf('', 'rapport.pdf')).rejects.toThrow(
      /^Appel refusé \(printReportToPdf\) — arguments invalides : html : rapport vide$/,
    );
  });

  it('is what the report tools print with on the desktop, without touching the page', async () => {
    choice.save = join(tmp, 'via-ui.pdf');
    printed.length = 0;
    // No DOM here: the browser path (an iframe and window.print) would throw.
    expect(await printReport(host, '<p>Constat</p>', 'rapport.pdf')).toBe(true);
    expect(printed).toEqual(['<p>Constat</p>']);
    expect((await readFile(join(tmp, 'via-ui.pdf'), 'utf8')).startsWith('%PDF-')).toBe(true);
  });
});
