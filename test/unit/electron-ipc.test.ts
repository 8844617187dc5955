import { link, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../electron/api.ts';
import { Grants } from '../../electron/grants.ts';
import {
  createHandlers,
  type Dialogs,
  type FileFilter,
  type Handlers,
  type IpcDeps,
  MAX_PATH_CHARS,
  registerIpc,
  settle,
} from '../../electron/ipc.ts';
import { MAX_REPORT_HTML_CHARS } from '../../electron/print-pdf.ts';
import { RecentStore } from '../../electron/recent.ts';

let tmp: string;
let outside: string;
let secret: string;
let dataFile: string;
let folder: string;
let project: string;
let userData: string;
let demo: string;

/** What the fake dialogs answer next, as if the user had clicked. */
const choice: {
  files: string[];
  folder: string | null;
  project: string | null;
  newProject: string | null;
  locate: string | null;
  save: string | null;
} = {
  files: [],
  folder: null,
  project: null,
  newProject: null,
  locate: null,
  save: null,
};
const dialogCalls: string[] = [];
/** What the last save dialog was opened with. */
const saveDialog: { name?: string; filters?: FileFilter[] } = {};
/** Reports the fake printer was handed, and what it answers. */
const printed: string[] = [];
const FAKE_PDF = new TextEncoder().encode('%PDF-1.7\n% faux\n%%EOF\n');
const dialogs: Dialogs = {
  openFiles: async () => (dialogCalls.push('openFiles'), choice.files),
  openFolder: async () => (dialogCalls.push('openFolder'), choice.folder),
  openProject: async () => (dialogCalls.push('openProject'), choice.project),
  newProject: async () => (dialogCalls.push('newProject'), choice.newProject),
  locate: async () => (dialogCalls.push('locate'), choice.locate),
  save: async (name, filters) => (dialogCalls.push('save'), Object.assign(saveDialog, { name, filters }), choice.save),
};

let h: Handlers;
let menuLang: string | undefined;

/** Handlers of a new window session, with nothing granted; `deps` replaces the fakes it names. */
function fresh(deps: Partial<IpcDeps> = {}): Handlers {
  return createHandlers({
    grants: new Grants(),
    dialogs,
    recent: new RecentStore(join(userData, `recent-${Math.random()}.json`)),
    demoSource: demo,
    demoTarget: join(userData, `demo-${Math.random()}`),
    versions: { app: '0.1.0', electron: '45.5.0', chrome: '140', node: '22' },
    printPdf: async (html) => (printed.push(html), FAKE_PDF),
    setMenuLanguage: (l) => (menuLang = l),
    recentChanged: () => undefined,
    ...deps,
  });
}

/** Grants the fixture's file, folder and project the way the user would: through the dialogs. */
async function grantAll(handlers: Handlers): Promise<void> {
  choice.files = [dataFile];
  await handlers.openFilesDialog(undefined);
  choice.folder = folder;
  await handlers.openFolderDialog(undefined);
  choice.project = project;
  await handlers.openProjectDialog(undefined);
}

const FRENCH_REFUSAL = /refusé|invalide|introuvable|hors du dossier|n’a pas été choisi|n’est pas|trop/;

async function expectRefused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the call should have been refused').toBeInstanceOf(Error);
  const msg = (err as Error).message;
  expect(msg).toMatch(FRENCH_REFUSAL);
  return msg;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'loupe-ipc-'));
  outside = join(tmp, 'outside');
  secret = join(outside, 'secret.txt');
  await mkdir(outside);
  await writeFile(secret, 'mot de passe');

  dataFile = join(tmp, 'chosen', 'budget.csv');
  await mkdir(join(tmp, 'chosen'));
  await writeFile(dataFile, 'annee;montant\n2024;1,5\n');
  await writeFile(join(tmp, 'chosen', 'neighbour.csv'), 'not chosen');

  folder = join(tmp, 'folder');
  await mkdir(join(folder, 'sub'), { recursive: true });
  await writeFile(join(folder, 'a.csv'), 'a\n1\n');
  await writeFile(join(folder, 'sub', 'b.csv'), 'b\n2\n');
  await writeFile(join(folder, '.hidden'), 'x');
  await symlink(secret, join(folder, 'link-out.txt'));
  await symlink(outside, join(folder, 'linkdir'));

  project = join(tmp, 'project');
  await mkdir(join(project, 'sources'), { recursive: true });
  await writeFile(join(project, 'loupe.json'), '{"format":"loupe-project","name":"Essai"}');
  await writeFile(join(project, 'sources', 'copie.csv'), 'c\n3\n');
  await symlink(secret, join(project, 'link-out.txt'));
  await symlink(outside, join(project, 'linkdir'));
  await symlink(join(outside, 'missing.txt'), join(project, 'dangling.txt'));

  userData = join(tmp, 'userData');
  await mkdir(userData);
  demo = join(tmp, 'dist-demo');
  await mkdir(demo);
  await writeFile(join(demo, 'loupe.json'), '{"format":"loupe-project","name":"Démo"}');
  await writeFile(join(demo, 'journal.ndjson'), '');
});

afterAll(() => rm(tmp, { recursive: true, force: true }));

beforeEach(() => {
  h = fresh();
  dialogCalls.length = 0;
  printed.length = 0;
});

// ---------------------------------------------------------------------------------------------------
// Fuzzing: every handler, every field, wrong in every way we can think of.

type Field = 'abs' | 'rel' | 'relOrEmpty' | 'int' | 'text' | 'bytes' | 'name' | 'lang' | 'absList' | 'data' | 'html' | 'pdfName';
const SHAPES: Record<Channel, Record<string, Field> | null> = {
  openFilesDialog: null,
  openFolderDialog: null,
  grantDropped: { paths: 'absList' },
  locateFile: { expectedPath: 'abs' },
  stat: { path: 'abs' },
  readSlice: { path: 'abs', start: 'int', end: 'int' },
  listFolder: { path: 'abs' },
  openProjectDialog: null,
  newProjectDialog: { name: 'name' },
  openRecentProject: { root: 'abs' },
  recentProjects: null,
  demoProject: null,
  rememberSource: { root: 'abs', path: 'abs' },
  projectCopySource: { root: 'abs', path: 'abs' },
  projectReadText: { root: 'abs', path: 'rel' },
  projectWriteTextAtomic: { root: 'abs', path: 'rel', text: 'text' },
  projectAppendText: { root: 'abs', path: 'rel', text: 'text' },
  projectWriteBytes: { root: 'abs', path: 'rel', bytes: 'bytes' },
  projectStat: { root: 'abs', path: 'rel' },
  projectList: { root: 'abs', folder: 'relOrEmpty' },
  saveAs: { suggestedName: 'name', data: 'data' },
  printReportToPdf: { html: 'html', suggestedName: 'pdfName' },
  versions: null,
  setMenuLanguage: { lang: 'lang' },
};

const huge = 'a'.repeat(MAX_PATH_CHARS + 1);
const WRONG_TYPES: unknown[] = [undefined, null, 42, -1, 1.5, NaN, true, {}, [], () => 1, Symbol('s'), 10n];

function badValues(field: Field): unknown[] {
  const common = WRONG_TYPES.filter((v) => !(field === 'int' && typeof v === 'number' && Number.isInteger(v) && v >= 0));
  switch (field) {
    case 'abs':
      return [...common, '', 'relative/path.csv', `/${huge}`, '/tmp/../etc/passwd', '/tmp/a\0b', 'C:relative', '..'];
    case 'rel':
      return [
        ...common,
        '',
        '/etc/passwd',
        '../loupe.json',
        'a/../../b',
        'a\\..\\..\\b',
        'C:\\Windows\\win.ini',
        '\\\\server\\share',
        huge,
        'a\0b',
      ];
    case 'relOrEmpty':
      return [...common, '/etc', '..', '../..', huge];
    case 'int':
      return [...common.filter((v) => typeof v !== 'number'), -1, 1.5, NaN, Infinity, '0', 2 ** 60];
    case 'text':
      return WRONG_TYPES.filter((v) => typeof v !== 'string');
    case 'bytes':
      return [...WRONG_TYPES, 'text', [1, 2, 3], new ArrayBuffer(4), { 0: 1, length: 1 }];
    case 'data':
      return WRONG_TYPES;
    case 'name':
      return [...common, '', 'a/b', '..', '.', 'a\\b', 'x'.repeat(256), 'a\0b'];
    case 'lang':
      return [...common, 'de', 'FR', ''];
    case 'html':
      return [
        ...WRONG_TYPES.filter((v) => typeof v !== 'string'),
        '',
        new Uint8Array([60]),
        ['<p>'],
        'x'.repeat(MAX_REPORT_HTML_CHARS + 1),
      ];
    case 'pdfName':
      // Slashes and reserved characters are cleaned, not refused (see the PDF tests); these are not names at all.
      return [...WRONG_TYPES, '', 'a\0b', 'x'.repeat(256)];
    case 'absList':
      return [...common, [], ['relative'], [42], [`/${huge}`], ['/a/../b'], Array(10_001).fill('/tmp/x')];
  }
}

function validValue(field: Field): unknown {
  switch (field) {
    case 'abs':
      return dataFile;
    case 'rel':
      return 'notes.txt';
    case 'relOrEmpty':
      return '';
    case 'int':
      return 0;
    case 'text':
      return 'texte';
    case 'bytes':
      return new Uint8Array([1, 2]);
    case 'data':
      return 'texte';
    case 'name':
      return 'export.csv';
    case 'lang':
      return 'fr';
    case 'html':
      return '<!DOCTYPE html><p>Rapport</p>';
    case 'pdfName':
      return 'rapport.pdf';
    case 'absList':
      return [dataFile];
  }
}

function fuzzCases(channel: Channel): { label: string; args: unknown }[] {
  const shape = SHAPES[channel];
  if (!shape) {
    return [42, 'x', [], null, { a: 1 }, { path: '/etc/passwd' }].map((args) => ({ label: JSON.stringify(args) ?? String(args), args }));
  }
  const valid = Object.fromEntries(Object.entries(shape).map(([k, f]) => [k, validValue(f)]));
  const cases: { label: string; args: unknown }[] = [
    { label: 'no arguments', args: undefined },
    { label: 'null', args: null },
    { label: 'a string', args: '/etc/passwd' },
    { label: 'an array', args: [valid] },
    { label: 'an extra field', args: { ...valid, extra: 1 } },
  ];
  for (const [key, field] of Object.entries(shape)) {
    const { [key]: _dropped, ...rest } = valid;
    cases.push({ label: `${key} missing`, args: rest });
    for (const bad of badValues(field)) {
      const label =
        typeof bad === 'string'
          ? `${key} = ${JSON.stringify(bad.slice(0, 40))}${bad.length > 40 ? '…' : ''}`
          : `${key} = ${String(typeof bad === 'symbol' ? 'symbol' : Array.isArray(bad) ? `array(${bad.length})` : bad)}`;
      cases.push({ label, args: { ...valid, [key]: bad } });
    }
  }
  return cases;
}

describe('every handler refuses malformed arguments with a French message', () => {
  for (const channel of Object.keys(CHANNELS) as Channel[]) {
    it(`${channel}`, async () => {
      const handlers = fresh();
      await grantAll(handlers);
      dialogCalls.length = 0;
      for (const { label, args } of fuzzCases(channel)) {
        const r = await settle(() => handlers[channel](args));
        expect(r.ok, `${channel} with ${label} was accepted`).toBe(false);
        if (!r.ok) {
          expect(r.error, `${channel} with ${label}`).toMatch(/^Appel refusé \(/);
          expect(r.error.length, `${channel} with ${label}: message too long`).toBeLessThan(2000);
        }
      }
      // A refused call never reaches a dialog, nor the printer.
      expect(dialogCalls).toEqual([]);
      expect(printed).toEqual([]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// Grants: only what the user chose.

describe('reading files', () => {
  it('refuses any file before the user chose it', async () => {
    await expectRefused(h.stat({ path: dataFile }));
    await expectRefused(h.readSlice({ path: dataFile, start: 0, end: 10 }));
    await expectRefused(h.listFolder({ path: folder }));
  });

  it('reads a file chosen in the dialog, by slices', async () => {
    choice.files = [dataFile];
    const infos = (await h.openFilesDialog(undefined)) as { path: string; name: string; size: number }[];
    expect(infos).toEqual([expect.objectContaining({ path: dataFile, name: 'budget.csv', size: 23 })]);
    const all = (await h.readSlice({ path: dataFile, start: 0, end: 1000 })) as Uint8Array;
    expect(new TextDecoder().decode(all)).toBe('annee;montant\n2024;1,5\n');
    const part = (await h.readSlice({ path: dataFile, start: 6, end: 13 })) as Uint8Array;
    expect(new TextDecoder().decode(part)).toBe('montant');
    expect(((await h.readSlice({ path: dataFile, start: 500, end: 600 })) as Uint8Array).length).toBe(0);
    expect(await h.stat({ path: dataFile })).toMatchObject({ size: 23 });
  });

  it('does not extend a file grant to its neighbours or parent', async () => {
    choice.files = [dataFile];
    await h.openFilesDialog(undefined);
    await expectRefused(h.stat({ path: join(tmp, 'chosen', 'neighbour.csv') }));
    await expectRefused(h.listFolder({ path: join(tmp, 'chosen') }));
    await expectRefused(h.stat({ path: secret }));
  });

  it('refuses slices larger than 64 MiB or reversed', async () => {
    choice.files = [dataFile];
    await h.openFilesDialog(undefined);
    await expectRefused(h.readSlice({ path: dataFile, start: 0, end: 64 * 1024 * 1024 + 1 }));
    await expectRefused(h.readSlice({ path: dataFile, start: 10, end: 5 }));
  });

  it('lists a chosen folder without hidden files or symlinks, and reads inside it', async () => {
    choice.folder = folder;
    const pick = (await h.openFolderDialog(undefined)) as { root: string; files: { path: string }[] };
    expect(pick.root).toBe(folder);
    expect(pick.files.map((f) => f.path)).toEqual([join(folder, 'a.csv'), join(folder, 'sub', 'b.csv')]);
    expect(await h.listFolder({ path: folder })).toEqual([join(folder, 'a.csv'), join(folder, 'sub', 'b.csv')]);
    expect(await h.stat({ path: join(folder, 'sub', 'b.csv') })).toMatchObject({ name: 'b.csv' });
  });

  it('refuses symlinks inside a chosen folder that lead outside it', async () => {
    choice.folder = folder;
    await h.openFolderDialog(undefined);
    await expectRefused(h.stat({ path: join(folder, 'link-out.txt') }));
    await expectRefused(h.readSlice({ path: join(folder, 'link-out.txt'), start: 0, end: 100 }));
    await expectRefused(h.readSlice({ path: join(folder, 'linkdir', 'secret.txt'), start: 0, end: 100 }));
    await expectRefused(h.listFolder({ path: join(folder, 'linkdir') }));
  });

  it('refuses absolute paths outside every grant', async () => {
    await grantAll(h);
    for (const p of [secret, outside, '/etc/passwd', tmp, join(tmp, 'userData')]) {
      await expectRefused(h.stat({ path: p }));
      await expectRefused(h.readSlice({ path: p, start: 0, end: 10 }));
    }
  });

  it('grants dropped files and folders, one entry per dropped item', async () => {
    const picks = (await h.grantDropped({ paths: [dataFile, folder] })) as { root: string; files: { path: string }[] }[];
    expect(picks.map((p) => p.root)).toEqual([dataFile, folder]);
    expect(picks[1]!.files).toHaveLength(2);
    expect(await h.stat({ path: join(folder, 'a.csv') })).toMatchObject({ name: 'a.csv' });
  });

  it('lets the user locate a moved source, and only that file', async () => {
    choice.locate = dataFile;
    expect(await h.locateFile({ expectedPath: '/ancien/chemin/budget.csv' })).toMatchObject({ path: dataFile });
    expect(await h.stat({ path: dataFile })).toMatchObject({ size: 23 });
    choice.locate = null;
    expect(await h.locateFile({ expectedPath: '/ancien/chemin/budget.csv' })).toBeNull();
  });

  it('returns empty results when a dialog is cancelled', async () => {
    choice.files = [];
    choice.folder = null;
    choice.project = null;
    expect(await h.openFilesDialog(undefined)).toEqual([]);
    expect(await h.openFolderDialog(undefined)).toBeNull();
    expect(await h.openProjectDialog(undefined)).toBeNull();
  });
});

describe('project folders', () => {
  async function openProject(): Promise<string> {
    choice.project = project;
    const info = (await h.openProjectDialog(undefined)) as { root: string; name: string };
    expect(info.name).toBe('project');
    return info.root;
  }

  it('refuses a project folder that was not opened through a dialog or the recent list', async () => {
    await expectRefused(h.projectReadText({ root: project, path: 'loupe.json' }));
    await expectRefused(h.projectWriteTextAtomic({ root: project, path: 'x.txt', text: 'x' }));
    await expectRefused(h.openRecentProject({ root: project }));
    await expectRefused(h.openRecentProject({ root: outside }));
    // A folder granted for reading is not a project: no writes there.
    choice.folder = folder;
    await h.openFolderDialog(undefined);
    await expectRefused(h.projectWriteTextAtomic({ root: folder, path: 'x.txt', text: 'x' }));
  });

  it('reads, writes atomically, appends and writes bytes inside the project', async () => {
    const root = await openProject();
    expect(await h.projectReadText({ root, path: 'loupe.json' })).toContain('Essai');
    expect(await h.projectReadText({ root, path: 'absent.json' })).toBeNull();
    await h.projectWriteTextAtomic({ root, path: 'findings.json', text: 'un' });
    await h.projectWriteTextAtomic({ root, path: 'findings.json', text: 'deux' });
    expect(await readFile(join(project, 'findings.json'), 'utf8')).toBe('deux');
    await h.projectAppendText({ root, path: 'journal.ndjson', text: '{"a":1}\n' });
    await h.projectAppendText({ root, path: 'journal.ndjson', text: '{"a":2}\n' });
    expect(await readFile(join(project, 'journal.ndjson'), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    await h.projectWriteBytes({ root, path: 'sources/bin.dat', bytes: new Uint8Array([1, 2, 3]) });
    expect([...(await readFile(join(project, 'sources', 'bin.dat')))]).toEqual([1, 2, 3]);
    expect((await readdir(project)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await h.projectStat({ root, path: 'sources/copie.csv' })).toMatchObject({ name: 'copie.csv', size: 4 });
    const listed = (await h.projectList({ root, folder: 'sources' })) as string[];
    expect(listed).toEqual(expect.arrayContaining(['sources/copie.csv', 'sources/bin.dat']));
    expect(await h.projectList({ root, folder: '' })).not.toContain('link-out.txt');
    // A file inside the project is readable by absolute path too (sources kept as copies).
    expect(await h.stat({ path: join(project, 'sources', 'copie.csv') })).toMatchObject({ size: 4 });
  });

  it('refuses symlinks in the project that lead outside it, for reading and writing', async () => {
    const root = await openProject();
    await expectRefused(h.projectReadText({ root, path: 'link-out.txt' }));
    await expectRefused(h.projectWriteTextAtomic({ root, path: 'link-out.txt', text: 'écrasé' }));
    await expectRefused(h.projectAppendText({ root, path: 'link-out.txt', text: 'ajout' }));
    await expectRefused(h.projectWriteBytes({ root, path: 'linkdir/new.bin', bytes: new Uint8Array([1]) }));
    // Loupe's own file names, linked out: still refused.
    await rm(join(project, 'findings.json'), { force: true });
    await symlink(secret, join(project, 'findings.json'));
    await expectRefused(h.projectWriteTextAtomic({ root, path: 'findings.json', text: 'écrasé' }));
    await rm(join(project, 'findings.json'));
    await symlink(outside, join(project, 'sources', 'dehors'));
    await expectRefused(h.projectWriteBytes({ root, path: 'sources/dehors/new.bin', bytes: new Uint8Array([1]) }));
    await rm(join(project, 'sources', 'dehors'));
    await expectRefused(h.projectAppendText({ root, path: 'dangling.txt', text: 'ajout' }));
    await expectRefused(h.projectStat({ root, path: 'linkdir/secret.txt' }));
    await expectRefused(h.projectList({ root, folder: 'linkdir' }));
    await expectRefused(h.stat({ path: join(project, 'link-out.txt') }));
    expect(await readFile(secret, 'utf8')).toBe('mot de passe');
    await expect(readFile(join(outside, 'new.bin'))).rejects.toThrow();
    await expect(readFile(join(outside, 'missing.txt'))).rejects.toThrow();
  });

  it('reopens a recent project with the sources remembered for it, and only those', async () => {
    const root = await openProject();
    choice.files = [dataFile];
    await h.openFilesDialog(undefined);
    await h.rememberSource({ root, path: dataFile });
    // A new session: nothing granted, the recent list and remembered sources survive on disk.
    const recentFile = join(userData, 'recent-shared.json');
    const first = fresh({ recent: new RecentStore(recentFile) });
    await first.openProjectDialog(undefined);
    await first.openFilesDialog(undefined);
    await first.rememberSource({ root, path: dataFile });
    const second = fresh({ recent: new RecentStore(recentFile) });
    await expectRefused(second.stat({ path: dataFile }));
    expect(await second.recentProjects(undefined)).toEqual([{ root: project, name: 'project' }]);
    await second.openRecentProject({ root: project });
    expect(await second.stat({ path: dataFile })).toMatchObject({ size: 23 });
    await expectRefused(second.stat({ path: join(tmp, 'chosen', 'neighbour.csv') }));
  });

  it('refuses to remember a source the user did not choose', async () => {
    const root = await openProject();
    await expectRefused(h.rememberSource({ root, path: secret }));
  });

  it('creates a new project only in an empty folder the user named', async () => {
    choice.newProject = join(tmp, 'nouveau');
    const info = (await h.newProjectDialog({ name: 'nouveau' })) as { root: string };
    await h.projectWriteTextAtomic({ root: info.root, path: 'loupe.json', text: '{}' });
    choice.newProject = project;
    await expectRefused(h.newProjectDialog({ name: 'project' }));
    choice.newProject = null;
    expect(await h.newProjectDialog({ name: 'x' })).toBeNull();
  });

  it('copies the demo into the app data on first use, then reuses it', async () => {
    const info = (await h.demoProject(undefined)) as { root: string };
    expect(await h.projectReadText({ root: info.root, path: 'loupe.json' })).toContain('Démo');
    await h.projectWriteTextAtomic({ root: info.root, path: 'loupe.json', text: '{"edited":true}' });
    const again = (await h.demoProject(undefined)) as { root: string };
    expect(again.root).toBe(info.root);
    expect(await h.projectReadText({ root: info.root, path: 'loupe.json' })).toBe('{"edited":true}');
  });
});

describe('saving, versions, menu language', () => {
  it('writes exactly where the save dialog said, and nothing when cancelled', async () => {
    const target = join(tmp, 'export.csv');
    choice.save = target;
    expect(await h.saveAs({ suggestedName: 'export.csv', data: 'a;b\n' })).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('a;b\n');
    choice.save = join(tmp, 'export.bin');
    expect(await h.saveAs({ suggestedName: 'export.bin', data: new Uint8Array([7]) })).toBe(true);
    expect([...(await readFile(join(tmp, 'export.bin')))]).toEqual([7]);
    choice.save = null;
    expect(await h.saveAs({ suggestedName: 'x.csv', data: 'x' })).toBe(false);
  });

  it('prints a report to PDF where the save dialog said, proposing a clean .pdf name and PDF only', async () => {
    const target = join(tmp, 'rapport-final.pdf');
    choice.save = target;
    const html = '<!DOCTYPE html><html><body><h1>Constats</h1></body></html>';
    expect(await h.printReportToPdf({ html, suggestedName: '../Rapport: subventions 2024.html' })).toBe(true);
    expect(saveDialog).toEqual({ name: '_Rapport_ subventions 2024.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    expect(printed).toEqual([html]);
    expect(await readFile(target)).toEqual(Buffer.from(FAKE_PDF));
    expect((await readdir(tmp)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('prints nothing and writes nothing when the save dialog is cancelled', async () => {
    choice.save = null;
    expect(await h.printReportToPdf({ html: '<p>x</p>', suggestedName: 'rapport.pdf' })).toBe(false);
    expect(dialogCalls).toEqual(['save']);
    expect(printed).toEqual([]);
  });

  it('refuses an oversized or ill-typed report with a French sentence that says why', async () => {
    const big = await settle(() => h.printReportToPdf({ html: 'x'.repeat(MAX_REPORT_HTML_CHARS + 1), suggestedName: 'r.pdf' }));
    expect(big).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^Appel refusé \(printReportToPdf\) — arguments invalides : html : rapport trop volumineux pour le PDF \(plus de 33554432 caractères\)$/,
      ),
    });
    const typed = await settle(() => h.printReportToPdf({ html: new Uint8Array([60, 112, 62]), suggestedName: 'r.pdf' }));
    expect(typed).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Appel refusé \(printReportToPdf\) — arguments invalides : html : /),
    });
    const nul = await settle(() => h.printReportToPdf({ html: '<p>x</p>', suggestedName: 'a\0.pdf' }));
    expect(nul).toMatchObject({ ok: false, error: expect.stringContaining('caractère NUL refusé') });
    expect(dialogCalls).toEqual([]);
  });

  it('leaves the existing file untouched when printing fails', async () => {
    const target = join(tmp, 'garde.pdf');
    await writeFile(target, 'ancien');
    choice.save = target;
    const failing = fresh({
      printPdf: async () => {
        throw new Error('Le rapport n’a pas pu être converti en PDF dans le délai imparti (120 s)');
      },
    });
    expect(await settle(() => failing.printReportToPdf({ html: '<p>x</p>', suggestedName: 'garde.pdf' }))).toEqual({
      ok: false,
      error: 'Le rapport n’a pas pu être converti en PDF dans le délai imparti (120 s)',
    });
    expect(await readFile(target, 'utf8')).toBe('ancien');
  });

  it('reports versions and switches the menu language', async () => {
    expect(await h.versions(undefined)).toMatchObject({ app: '0.1.0', electron: '45.5.0' });
    await h.setMenuLanguage({ lang: 'en' });
    expect(menuLang).toBe('en');
  });
});

describe('the IPC wiring', () => {
  function wire(): Map<string, (event: { senderFrame?: { url: string } | null }, args: unknown) => Promise<unknown>> {
    const registered = new Map<string, (event: { senderFrame?: { url: string } | null }, args: unknown) => Promise<unknown>>();
    registerIpc({ handle: (ch, l) => registered.set(ch, l) }, h, (url) => url.startsWith('app://loupe/'));
    return registered;
  }

  it('registers one channel per call', () => {
    expect([...wire().keys()].sort()).toEqual(Object.values(CHANNELS).sort());
  });

  it('refuses calls from any page but the app', async () => {
    const versions = wire().get(CHANNELS.versions)!;
    expect(await versions({ senderFrame: { url: 'https://example.org/' } }, undefined)).toEqual({
      ok: false,
      error: expect.stringMatching(/refusé/),
    });
    expect(await versions({ senderFrame: null }, undefined)).toMatchObject({ ok: false });
    expect(await versions({ senderFrame: { url: 'app://loupe/index.html' } }, undefined)).toMatchObject({ ok: true });
  });

  it('turns system errors into French sentences instead of throwing across IPC', async () => {
    choice.files = [join(tmp, 'does-not-exist.csv')];
    const r = await wire().get(CHANNELS.openFilesDialog)!({ senderFrame: { url: 'app://loupe/' } }, undefined);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^Fichier ou dossier introuvable/) });
  });
});

describe('a project folder holds Loupe’s files only', () => {
  it('opens only a folder holding a loupe.json, or an empty one', async () => {
    const notProject = join(tmp, 'home-like');
    await mkdir(join(notProject, '.ssh'), { recursive: true });
    await writeFile(join(notProject, '.bashrc'), 'echo bonjour\n');
    choice.project = notProject;
    const msg = await expectRefused(h.openProjectDialog(undefined));
    expect(msg).toMatch(/n’est pas un projet Loupe \(ni loupe\.json, ni vide\)/);
    await expectRefused(h.projectWriteTextAtomic({ root: notProject, path: 'loupe.json', text: '{}' }));
    const empty = join(tmp, 'vide');
    await mkdir(empty, { recursive: true });
    choice.project = empty;
    expect(await h.openProjectDialog(undefined)).toMatchObject({ name: 'vide' });
    // A folder whose loupe.json is a folder, not a manifest, is not a project either.
    const fake = join(tmp, 'faux');
    await mkdir(join(fake, 'loupe.json'), { recursive: true });
    choice.project = fake;
    await expectRefused(h.openProjectDialog(undefined));
  });

  it('writes loupe.json, the journal, findings and sources/…, and refuses .bashrc, .ssh/authorized_keys, the lock or any other file', async () => {
    choice.project = project;
    const { root } = (await h.openProjectDialog(undefined)) as { root: string };
    for (const path of [
      'loupe.json',
      'findings.json',
      'privacy-salt.txt',
      'journal.torn-2024-01-01T00-00-00-000Z.ndjson',
      'sources/a.csv',
      'sources/dossier/b.csv',
    ]) {
      await h.projectWriteTextAtomic({ root, path, text: 'x' });
    }
    await h.projectAppendText({ root, path: 'journal.ndjson', text: 'x\n' });
    for (const path of [
      '.bashrc',
      '.ssh/authorized_keys',
      'loupe.lock',
      'notes/a.txt',
      'script.sh',
      'journal.ndjson.bak',
      'sources',
      'Sources/x.csv',
    ]) {
      const msg = await expectRefused(h.projectWriteTextAtomic({ root, path, text: 'ssh-ed25519 AAAA' }));
      expect(msg).toMatch(/n’est pas un fichier de Loupe/);
      await expectRefused(h.projectAppendText({ root, path, text: 'x' }));
      await expectRefused(h.projectWriteBytes({ root, path, bytes: new Uint8Array([1]) }));
    }
    await expect(readFile(join(project, '.bashrc'))).rejects.toThrow();
    await expect(readFile(join(project, '.ssh', 'authorized_keys'))).rejects.toThrow();
  });

  it('copies into sources/ only a file the user chose, only into a project opened as such', async () => {
    await expectRefused(h.projectCopySource({ root: project, path: dataFile }));
    choice.project = project;
    const { root } = (await h.openProjectDialog(undefined)) as { root: string };
    await expectRefused(h.projectCopySource({ root, path: secret }));
    choice.files = [dataFile];
    await h.openFilesDialog(undefined);
    const rel = (await h.projectCopySource({ root, path: dataFile })) as string;
    expect(rel).toMatch(/^sources\/[^/]+$/);
    expect(await readFile(join(project, rel), 'utf8')).toBe(await readFile(dataFile, 'utf8'));
    expect((await readdir(join(project, 'sources'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('removes the temporary file of a save cut short when the project opens, and says which', async () => {
    await writeFile(join(project, 'loupe.json.4242.1700000000000.tmp'), '{"moitié');
    await writeFile(join(project, 'findings.json.4242.1700000000000.ab12cd.tmp'), '{');
    choice.project = project;
    const info = (await h.openProjectDialog(undefined)) as { interrupted?: string[] };
    expect(info.interrupted).toEqual(['findings.json.4242.1700000000000.ab12cd.tmp', 'loupe.json.4242.1700000000000.tmp']);
    expect((await readdir(project)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(((await h.openProjectDialog(undefined)) as { interrupted?: string[] }).interrupted).toBeUndefined();
  });

  it('refuses to append to a journal hard-linked to another file', async () => {
    choice.project = project;
    const { root } = (await h.openProjectDialog(undefined)) as { root: string };
    await rm(join(project, 'journal.ndjson'), { force: true });
    await link(secret, join(project, 'journal.ndjson'));
    try {
      await expectRefused(h.projectAppendText({ root, path: 'journal.ndjson', text: 'ajout' }));
      expect(await readFile(secret, 'utf8')).toBe('mot de passe');
    } finally {
      await rm(join(project, 'journal.ndjson'));
    }
  });
});

describe('the project lock', () => {
  it('the window holds the lock of the project it opened, so a CLI writer waits; opening another project hands it back', async () => {
    const { acquireProjectLock } = await import('../../src/node/node-lock.ts');
    choice.project = project;
    await h.openProjectDialog(undefined);
    const lock = JSON.parse(await readFile(join(project, 'loupe.lock'), 'utf8'));
    expect(lock).toMatchObject({ holder: 'Loupe (application)', pid: process.pid });
    // Another process on this machine (as the CLI would be): it waits, then is told who holds it.
    const { spawnSync } = await import('node:child_process');
    const other = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import('${join(process.cwd(), 'node_modules/tsx/dist/esm/api/index.mjs').replaceAll('\\', '/')}').then(({ register }) => { register();
        return import('${join(process.cwd(), 'src/node/node-lock.ts').replaceAll('\\', '/')}'); })
        .then((m) => m.acquireProjectLock(${JSON.stringify(project)}, { holder: 'loupe import', waitMs: 200 }))
        .then(() => console.log('PRIS'), (e) => console.log(e.message));`,
      ],
      { encoding: 'utf8' },
    );
    expect(other.stdout).toMatch(/déjà ouvert en écriture par Loupe \(application\)/);
    const empty = join(tmp, 'vide-2');
    await mkdir(empty, { recursive: true });
    choice.project = empty;
    await h.openProjectDialog(undefined);
    await expect(readFile(join(project, 'loupe.lock'))).rejects.toThrow();
    const taken = await acquireProjectLock(project, { holder: 'loupe import', waitMs: 0 });
    await taken.release();
  });
});
