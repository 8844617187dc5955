// One handler per window.loupe call. The renderer is treated as untrusted: every argument is validated
// (types, sizes, no `..`, no NUL), every path is checked against what the user chose, and every error
// comes back as a French sentence. Handlers take plain values so tests can fuzz them without Electron.
import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, cp, lstat, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { z } from 'zod';
import type { AppVersions, Channel, FileInfo, FolderPick, IpcResult, MenuLanguage, ProjectInfo } from './api.ts';
import { CHANNELS } from './api.ts';
import { writeFileAtomic } from '../src/node/fs-atomic.ts';
import { acquireProjectLock, LOCK_FILE, type ProjectLock } from '../src/node/node-lock.ts';
import { NodeProjectStore } from '../src/node/node-store.ts';
import { AccessError, Grants } from './grants.ts';
import { MAX_PDF_NAME_CHARS, MAX_REPORT_HTML_CHARS, PDF_FILTERS, pdfFileName } from './print-pdf.ts';
import type { RecentStore } from './recent.ts';
import { errorText } from '../src/core/util/errors.ts';

export const MAX_PATH_CHARS = 64 * 1024;
export const MAX_SLICE_BYTES = 64 * 1024 * 1024;
export const MAX_TEXT_CHARS = 512 * 1024 * 1024;
export const MAX_WRITE_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_FOLDER_FILES = 100_000;
const MAX_READ_TEXT_BYTES = 512 * 1024 * 1024;

export class InvalidArgumentsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentsError';
  }
}

const hasDotDot = (p: string) => p.split(/[\\/]/).some((seg) => seg === '..');
const PathText = z
  .string()
  .min(1, 'chemin vide')
  .max(MAX_PATH_CHARS, `chemin trop long (plus de ${MAX_PATH_CHARS} caractères)`)
  .refine((p) => !p.includes('\0'), 'caractère NUL refusé dans un chemin')
  .refine((p) => !hasDotDot(p), 'segment « .. » refusé dans un chemin');
const AbsPath = PathText.refine((p) => isAbsolute(p), 'chemin absolu attendu');
const RelPath = PathText.refine(
  (p) => !isAbsolute(p) && !/^[a-zA-Z]:/.test(p) && !p.startsWith('/') && !p.startsWith('\\'),
  'chemin relatif au dossier du projet attendu',
);
const ByteOffset = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Bytes = z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_WRITE_BYTES, 'données trop volumineuses');
const Text = z.string().max(MAX_TEXT_CHARS, 'texte trop volumineux');
const FileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'nom de fichier invalide');
// The page's suggestion is only a default for the save dialog: it is cleaned (pdfFileName), not refused.
const SuggestedPdfName = z
  .string()
  .min(1, 'nom de fichier vide')
  .max(MAX_PDF_NAME_CHARS, `nom de fichier trop long (plus de ${MAX_PDF_NAME_CHARS} caractères)`)
  .refine((n) => !n.includes('\0'), 'caractère NUL refusé dans un nom de fichier');
const ReportHtml = z
  .string()
  .min(1, 'rapport vide')
  .max(MAX_REPORT_HTML_CHARS, `rapport trop volumineux pour le PDF (plus de ${MAX_REPORT_HTML_CHARS} caractères)`);

const Empty = z.union([z.undefined(), z.object({}).strict()]);
const Schemas = {
  openFilesDialog: Empty,
  openFolderDialog: Empty,
  grantDropped: z.object({ paths: z.array(AbsPath).min(1).max(10_000) }).strict(),
  locateFile: z.object({ expectedPath: AbsPath }).strict(),
  stat: z.object({ path: AbsPath }).strict(),
  readSlice: z
    .object({ path: AbsPath, start: ByteOffset, end: ByteOffset })
    .strict()
    .refine((a) => a.end >= a.start, 'fin avant le début')
    .refine((a) => a.end - a.start <= MAX_SLICE_BYTES, `tranche trop grande (plus de ${MAX_SLICE_BYTES} octets)`),
  listFolder: z.object({ path: AbsPath }).strict(),
  openProjectDialog: Empty,
  newProjectDialog: z.object({ name: FileName }).strict(),
  openRecentProject: z.object({ root: AbsPath }).strict(),
  recentProjects: Empty,
  demoProject: Empty,
  rememberSource: z.object({ root: AbsPath, path: AbsPath }).strict(),
  projectCopySource: z.object({ root: AbsPath, path: AbsPath }).strict(),
  projectReadText: z.object({ root: AbsPath, path: RelPath }).strict(),
  projectWriteTextAtomic: z.object({ root: AbsPath, path: RelPath, text: Text }).strict(),
  projectAppendText: z.object({ root: AbsPath, path: RelPath, text: Text }).strict(),
  projectWriteBytes: z.object({ root: AbsPath, path: RelPath, bytes: Bytes }).strict(),
  projectStat: z.object({ root: AbsPath, path: RelPath }).strict(),
  projectList: z.object({ root: AbsPath, folder: z.union([z.literal(''), RelPath]) }).strict(),
  saveAs: z.object({ suggestedName: FileName, data: z.union([Text, Bytes]) }).strict(),
  printReportToPdf: z.object({ html: ReportHtml, suggestedName: SuggestedPdfName }).strict(),
  versions: Empty,
  setMenuLanguage: z.object({ lang: z.enum(['fr', 'en']) }).strict(),
} satisfies Record<Channel, z.ZodType>;

const fr = z.locales.fr();

function parseArgs<C extends Channel>(channel: C, args: unknown): z.infer<(typeof Schemas)[C]> {
  const r = Schemas[channel].safeParse(args, { error: fr.localeError });
  if (r.success) return r.data as z.infer<(typeof Schemas)[C]>;
  const why = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'arguments'} : ${i.message}`)
    .join(' ; ');
  throw new InvalidArgumentsError(`Appel refusé (${channel}) — arguments invalides : ${why}`);
}

/** A French sentence for any error, without Node's English codes. */
export function describeError(e: unknown): string {
  if (e instanceof AccessError || e instanceof InvalidArgumentsError) return e.message;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const path = (e as NodeJS.ErrnoException | null)?.path;
  const where = path ? ` : ${path}` : '';
  switch (code) {
    case 'ENOENT':
      return `Fichier ou dossier introuvable${where}`;
    case 'EACCES':
    case 'EPERM':
      return `Le système refuse l’accès${where}`;
    case 'EISDIR':
      return `C’est un dossier, pas un fichier${where}`;
    case 'ENOTDIR':
      return `Ce n’est pas un dossier${where}`;
    case 'ENOSPC':
      return `Disque plein${where}`;
    case 'EEXIST':
      return `Existe déjà${where}`;
    default:
      return errorText(e);
  }
}

export interface Dialogs {
  openFiles(): Promise<string[]>;
  openFolder(): Promise<string | null>;
  openProject(): Promise<string | null>;
  /** Where to create a new project folder named `name`. */
  newProject(name: string): Promise<string | null>;
  locate(expectedPath: string): Promise<string | null>;
  /** `filters` restrict the dialog to some extensions (PDF for a printed report). */
  save(suggestedName: string, filters?: FileFilter[]): Promise<string | null>;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface IpcDeps {
  grants: Grants;
  dialogs: Dialogs;
  recent: RecentStore;
  /** The demo workspace shipped in dist/, and where the user's working copy of it goes. */
  demoSource: string;
  demoTarget: string;
  versions: AppVersions;
  /** A report's HTML → PDF bytes (print-pdf.ts: a hidden, script-less, offline window). */
  printPdf(html: string): Promise<Uint8Array>;
  setMenuLanguage(lang: MenuLanguage): void;
  /** Called when the recent list changed (the menu shows it). */
  recentChanged(): void;
}

async function fileInfo(path: string): Promise<FileInfo> {
  const st = await stat(path);
  if (!st.isFile()) throw new AccessError(`Ce n’est pas un fichier : ${path}`);
  return { path, name: basename(path), size: st.size, lastModified: st.mtimeMs };
}

/** Regular files below `dir`; hidden entries and symlinks are skipped so a link cannot leave the folder. */
async function walk(dir: string, out: string[] = []): Promise<string[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
    if (out.length > MAX_FOLDER_FILES) throw new AccessError(`Dossier trop grand (plus de ${MAX_FOLDER_FILES} fichiers) : ${dir}`);
  }
  return out;
}

async function folderPick(root: string): Promise<FolderPick> {
  return { root, files: await Promise.all((await walk(root)).map(fileInfo)) };
}

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * The files Loupe itself writes in a project folder: the manifest, the journal (and the torn lines a
 * repair sets aside), the findings, the views' state (ui-state.json), the privacy salt, and copies of
 * sources under sources/.
 * The project write channel writes nothing else, so a page cannot drop .bashrc or .ssh/authorized_keys
 * into a folder the user opened as a project.
 */
export function isLoupeProjectFile(rel: string): boolean {
  const parts = rel.split(/[\\/]/);
  // Inside sources/ a copy keeps its own name, even a dotted one: nothing reads it there but Loupe.
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return false;
  if (parts.length === 1) {
    // Not the lock: the main process holds it for the window (openProject), the page never writes it.
    return (
      ['loupe.json', 'journal.ndjson', 'findings.json', 'privacy-salt.txt', 'ui-state.json'].includes(parts[0]!) ||
      /^journal\.torn-[0-9A-Za-z-]{1,40}\.ndjson$/.test(parts[0]!)
    );
  }
  return parts[0] === 'sources' && parts.length <= 16;
}

function assertLoupeProjectFile(rel: string): void {
  if (!isLoupeProjectFile(rel)) {
    throw new AccessError(`Écriture refusée : ${rel} n’est pas un fichier de Loupe (loupe.json, journal.ndjson, findings.json, sources/…)`);
  }
}

/** A folder opens as a project only if it holds one (loupe.json) or is empty (a new project). */
async function assertProjectFolder(root: string): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => {
    throw new AccessError(`Dossier de projet introuvable : ${root}`);
  });
  const manifest = entries.find((e) => e.name === 'loupe.json');
  if (manifest?.isFile()) return;
  // Empty, or holding only the lock of a new project never saved.
  if (entries.every((e) => e.name === LOCK_FILE)) return;
  throw new AccessError(`Ce dossier n’est pas un projet Loupe (ni loupe.json, ni vide) : ${root}`);
}

/** An existing file written in place (the journal) must have one name: a hard link would write elsewhere too. */
async function assertSingleName(real: string, rel: string): Promise<void> {
  const st = await lstat(real).catch(() => null);
  if (st && (!st.isFile() || st.nlink > 1))
    throw new AccessError(`Écriture refusée : ${rel} est un lien ou n’est pas un fichier ordinaire`);
}

export type Handlers = { [C in Channel]: (args: unknown) => Promise<unknown> };

export function createHandlers(deps: IpcDeps): Handlers {
  const { grants, dialogs, recent } = deps;
  // The project this window writes to holds its lock, so a `loupe import` at the same time waits
  // instead of interleaving journal entries; opening another project hands the old one back.
  let held: { root: string; lock: ProjectLock } | null = null;

  async function openProject(root: string): Promise<ProjectInfo> {
    await assertProjectFolder(root);
    const real = await grants.grant('project', root);
    if (held?.root !== real) {
      const lock = await acquireProjectLock(real, { holder: 'Loupe (application)', waitMs: 2000, reentrant: true }).catch((e: Error) => {
        throw new AccessError(e.message);
      });
      await held?.lock.release();
      held = { root: real, lock };
    }
    // Only with the lock held: another writer's temporary file may be a write in progress.
    const interrupted = await new NodeProjectStore(real).cleanStrayTemporaryFiles();
    for (const src of await recent.sources(real)) {
      // A remembered source that moved or vanished is reported when the project tries to read it.
      await grants.grant('file', src).catch(() => undefined);
    }
    const info = { root: real, name: basename(real) };
    await recent.touch(info);
    deps.recentChanged();
    return interrupted.length ? { ...info, interrupted } : info;
  }

  return {
    async openFilesDialog(args) {
      parseArgs('openFilesDialog', args);
      const paths = await dialogs.openFiles();
      for (const p of paths) await grants.grant('file', p);
      return Promise.all(paths.map(fileInfo));
    },
    async openFolderDialog(args) {
      parseArgs('openFolderDialog', args);
      const root = await dialogs.openFolder();
      if (!root) return null;
      await grants.grant('folder', root);
      return folderPick(root);
    },
    async grantDropped(args) {
      const { paths } = parseArgs('grantDropped', args);
      const out: FolderPick[] = [];
      for (const p of paths) {
        const st = await stat(p);
        if (st.isDirectory()) {
          await grants.grant('folder', p);
          out.push(await folderPick(p));
        } else if (st.isFile()) {
          await grants.grant('file', p);
          out.push({ root: p, files: [await fileInfo(p)] });
        }
      }
      return out;
    },
    async locateFile(args) {
      const { expectedPath } = parseArgs('locateFile', args);
      const p = await dialogs.locate(expectedPath);
      if (!p) return null;
      await grants.grant('file', p);
      return fileInfo(p);
    },
    async stat(args) {
      const { path } = parseArgs('stat', args);
      await grants.checkRead(path);
      return fileInfo(path);
    },
    async readSlice(args) {
      const { path, start, end } = parseArgs('readSlice', args);
      const real = await grants.checkRead(path);
      const fh = await open(real, 'r');
      try {
        const size = (await fh.stat()).size;
        const len = Math.max(0, Math.min(end, size) - start);
        const buf = new Uint8Array(len);
        let off = 0;
        while (off < len) {
          const { bytesRead } = await fh.read(buf, off, len - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === len ? buf : buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    },
    async listFolder(args) {
      const { path } = parseArgs('listFolder', args);
      const real = await grants.checkRead(path);
      if (!(await stat(real)).isDirectory()) throw new AccessError(`Ce n’est pas un dossier : ${path}`);
      return walk(path);
    },
    async openProjectDialog(args) {
      parseArgs('openProjectDialog', args);
      const root = await dialogs.openProject();
      return root ? openProject(root) : null;
    },
    async newProjectDialog(args) {
      const { name } = parseArgs('newProjectDialog', args);
      const root = await dialogs.newProject(name);
      if (!root) return null;
      await mkdir(root, { recursive: true });
      if ((await readdir(root)).length > 0) throw new AccessError(`Le dossier n’est pas vide : ${root}`);
      return openProject(root);
    },
    async openRecentProject(args) {
      const { root } = parseArgs('openRecentProject', args);
      // Only folders the user opened before: a page cannot promote any path to a project.
      if (!(await recent.has(root))) throw new AccessError(`Ce dossier n’est pas dans les projets récents : ${root}`);
      return openProject(root);
    },
    async recentProjects(args) {
      parseArgs('recentProjects', args);
      return recent.projects();
    },
    async demoProject(args) {
      parseArgs('demoProject', args);
      const existing = await stat(join(deps.demoTarget, 'loupe.json')).catch(() => null);
      if (!existing) {
        const src = await stat(deps.demoSource).catch(() => null);
        if (!src?.isDirectory()) throw new AccessError('Le projet de démonstration est absent de cette installation');
        await cp(deps.demoSource, deps.demoTarget, { recursive: true, errorOnExist: false, force: false });
      }
      return openProject(deps.demoTarget);
    },
    async rememberSource(args) {
      const { root, path } = parseArgs('rememberSource', args);
      const realRoot = await grants.checkProject(root);
      await grants.checkRead(path);
      await recent.rememberSource(realRoot, path);
    },
    async projectCopySource(args) {
      const { root, path } = parseArgs('projectCopySource', args);
      await grants.checkProject(root);
      const real = await grants.checkRead(path);
      if (!(await stat(real)).isFile()) throw new AccessError(`Ce n’est pas un fichier : ${path}`);
      const name =
        basename(path)
          .replace(/[\\/\0]/g, '_')
          .replace(/^\.+$/, '_') || 'fichier';
      const m = /^(.*?)(\.[^.]*)?$/.exec(name)!;
      let rel = `sources/${name}`;
      for (
        let n = 2;
        await lstat(await grants.resolveInProject(root, rel)).then(
          () => true,
          () => false,
        );
        n++
      )
        rel = `sources/${m[1] || 'fichier'} (${n})${m[2] ?? ''}`;
      const target = await grants.resolveInProject(root, rel);
      await mkdir(join(target, '..'), { recursive: true });
      // Copied beside its final name, then renamed: a copy cut short never looks like a source.
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      try {
        await copyFile(real, tmp, constants.COPYFILE_EXCL);
        await rename(tmp, target);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
      return rel;
    },
    async projectReadText(args) {
      const { root, path } = parseArgs('projectReadText', args);
      const real = await grants.resolveInProject(root, path);
      const st = await stat(real).catch(() => null);
      if (!st) return null;
      if (!st.isFile()) throw new AccessError(`Ce n’est pas un fichier : ${path}`);
      if (st.size > MAX_READ_TEXT_BYTES) throw new AccessError(`Fichier trop volumineux pour être lu comme texte : ${path}`);
      return readFile(real, 'utf8');
    },
    async projectWriteTextAtomic(args) {
      const { root, path, text } = parseArgs('projectWriteTextAtomic', args);
      assertLoupeProjectFile(path);
      await writeFileAtomic(await grants.resolveInProject(root, path), text);
    },
    async projectAppendText(args) {
      const { root, path, text } = parseArgs('projectAppendText', args);
      assertLoupeProjectFile(path);
      const real = await grants.resolveInProject(root, path);
      await mkdir(join(real, '..'), { recursive: true });
      await assertSingleName(real, path);
      const fh = await open(real, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
      try {
        await fh.write(text);
      } finally {
        await fh.close();
      }
    },
    async projectWriteBytes(args) {
      const { root, path, bytes } = parseArgs('projectWriteBytes', args);
      assertLoupeProjectFile(path);
      await writeFileAtomic(await grants.resolveInProject(root, path), bytes);
    },
    async projectStat(args) {
      const { root, path } = parseArgs('projectStat', args);
      return fileInfo(await grants.resolveInProject(root, path));
    },
    async projectList(args) {
      const { root, folder } = parseArgs('projectList', args);
      const realRoot = await grants.checkProject(root);
      const dir = folder === '' ? realRoot : await grants.resolveInProject(root, folder);
      const st = await stat(dir).catch(() => null);
      if (!st?.isDirectory()) return [];
      return (await walk(dir)).map((p) => toPosix(relative(realRoot, p)));
    },
    async saveAs(args) {
      const { suggestedName, data } = parseArgs('saveAs', args);
      const target = await dialogs.save(suggestedName);
      if (!target) return false;
      await writeFileAtomic(target, data);
      return true;
    },
    async printReportToPdf(args) {
      const { html, suggestedName } = parseArgs('printReportToPdf', args);
      const target = await dialogs.save(pdfFileName(suggestedName), PDF_FILTERS);
      if (!target) return false;
      await writeFileAtomic(target, await deps.printPdf(html));
      return true;
    },
    async versions(args) {
      parseArgs('versions', args);
      return deps.versions;
    },
    async setMenuLanguage(args) {
      const { lang } = parseArgs('setMenuLanguage', args);
      deps.setMenuLanguage(lang);
    },
  };
}

/** Wraps a handler so it never throws across IPC: the renderer receives `{ ok, value | error }`. */
export async function settle(run: () => Promise<unknown>): Promise<IpcResult<unknown>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, args: unknown) => Promise<unknown>): void;
}

/** Registers every handler; calls from a frame that is not the app's own page are refused. */
export function registerIpc(ipcMain: IpcMainLike, handlers: Handlers, isTrustedSender: (url: string) => boolean): void {
  for (const name of Object.keys(CHANNELS) as Channel[]) {
    ipcMain.handle(CHANNELS[name], (event, args) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) return Promise.resolve({ ok: false, error: 'Appel refusé : la page appelante n’est pas Loupe' });
      return settle(() => handlers[name](args));
    });
  }
}
