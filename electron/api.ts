// The contract between the shell and the renderer: what `window.loupe` offers, and the IPC channels
// behind it. Types only (plus constant names), so the renderer can import it without pulling in Node.

export interface FileInfo {
  /** Absolute path on disk; what a desktop project records as a source's path. */
  path: string;
  name: string;
  size: number;
  lastModified: number;
}

export interface FolderPick {
  /** The folder the user chose, absolute. */
  root: string;
  files: FileInfo[];
}

export interface ProjectInfo {
  /** The project folder, absolute: the id the renderer passes back on every project call. */
  root: string;
  name: string;
  /** Temporary files of writes cut short (a crash) found on opening and removed: for the page to say so. */
  interrupted?: string[];
}

export interface AppVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
}

export const MENU_COMMANDS = [
  'new-project',
  'open-files',
  'open-folder',
  'open-project',
  'open-recent',
  'save',
  'export',
  'about',
] as const;
export type MenuCommandId = (typeof MENU_COMMANDS)[number];

export interface MenuCommand {
  command: MenuCommandId;
  /** For `open-recent`: the project folder to pass to `openRecentProject`. */
  path?: string;
}

export type MenuLanguage = 'fr' | 'en';

export interface LoupeApi {
  openFilesDialog(): Promise<FileInfo[]>;
  openFolderDialog(): Promise<FolderPick | null>;
  /**
   * Grants files and folders dropped on the window, one entry per dropped item (a dropped file is its own
   * root). The preload takes the paths from the `File` objects themselves, so a page cannot name a path.
   */
  grantDropped(files: File[]): Promise<FolderPick[]>;
  /** Asks the user to point at a file a project references but this session may not read yet. */
  locateFile(expectedPath: string): Promise<FileInfo | null>;

  stat(path: string): Promise<FileInfo>;
  readSlice(path: string, start: number, end: number): Promise<Uint8Array>;
  /** Every file below a granted folder, absolute paths, hidden files skipped. */
  listFolder(path: string): Promise<string[]>;

  openProjectDialog(): Promise<ProjectInfo | null>;
  newProjectDialog(name: string): Promise<ProjectInfo | null>;
  openRecentProject(root: string): Promise<ProjectInfo>;
  recentProjects(): Promise<ProjectInfo[]>;
  demoProject(): Promise<ProjectInfo>;
  /** Lets the project reopen an outside source without asking again (kept in the app's data, not in the project). */
  rememberSource(root: string, path: string): Promise<void>;
  /**
   * Copies a file the user chose into the project's sources/ (a new name if taken) and returns that
   * project-relative path: the project then reads its own copy, and can be handed over and replayed.
   */
  projectCopySource(root: string, path: string): Promise<string>;

  projectReadText(root: string, path: string): Promise<string | null>;
  projectWriteTextAtomic(root: string, path: string, text: string): Promise<void>;
  projectAppendText(root: string, path: string, text: string): Promise<void>;
  projectWriteBytes(root: string, path: string, bytes: Uint8Array): Promise<void>;
  projectStat(root: string, path: string): Promise<FileInfo>;
  projectList(root: string, folder: string): Promise<string[]>;

  saveAs(suggestedName: string, data: Uint8Array | string): Promise<boolean>;
  /**
   * Lays a self-contained report out in a hidden window without scripts or network, prints it to PDF
   * and writes it where the user chooses in a save dialog. False when the user cancelled.
   */
  printReportToPdf(html: string, suggestedName: string): Promise<boolean>;

  versions(): Promise<AppVersions>;
  setMenuLanguage(lang: MenuLanguage): Promise<void>;
  /** Returns the function that stops listening. */
  onMenuCommand(listener: (cmd: MenuCommand) => void): () => void;
}

/** One IPC channel per call that goes to the main process (the others are handled in the preload). */
export const CHANNELS = {
  openFilesDialog: 'loupe:open-files-dialog',
  openFolderDialog: 'loupe:open-folder-dialog',
  grantDropped: 'loupe:grant-dropped',
  locateFile: 'loupe:locate-file',
  stat: 'loupe:stat',
  readSlice: 'loupe:read-slice',
  listFolder: 'loupe:list-folder',
  openProjectDialog: 'loupe:open-project-dialog',
  newProjectDialog: 'loupe:new-project-dialog',
  openRecentProject: 'loupe:open-recent-project',
  recentProjects: 'loupe:recent-projects',
  demoProject: 'loupe:demo-project',
  rememberSource: 'loupe:remember-source',
  projectCopySource: 'loupe:project-copy-source',
  projectReadText: 'loupe:project-read-text',
  projectWriteTextAtomic: 'loupe:project-write-text-atomic',
  projectAppendText: 'loupe:project-append-text',
  projectWriteBytes: 'loupe:project-write-bytes',
  projectStat: 'loupe:project-stat',
  projectList: 'loupe:project-list',
  saveAs: 'loupe:save-as',
  printReportToPdf: 'loupe:print-report-to-pdf',
  versions: 'loupe:versions',
  setMenuLanguage: 'loupe:set-menu-language',
} as const;
export type Channel = keyof typeof CHANNELS;

export const MENU_EVENT = 'loupe:menu-command';

/** Every IPC answer is wrapped so the renderer gets the handler's own message, not Electron's prefix. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: string };

declare global {
  interface Window {
    loupe?: LoupeApi;
  }
}
