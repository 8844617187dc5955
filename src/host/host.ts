// The only code that knows whether Loupe runs in the Electron shell or in a plain browser tab.
// The UI talks to a Host; core talks to SourceFile, FileResolver and ProjectStore.
import type { FileResolver, SourceFile } from '../core/ingest/source.ts';
import type { ProjectStore } from '../core/project/store.ts';

export interface ProjectRef {
  id: string;
  name: string;
  store: ProjectStore;
}

export interface Host {
  readonly kind: 'electron' | 'browser';
  /** Opens the files that projects reference by path (desktop) — project copies are opened by the store. */
  readonly files: FileResolver;
  /** Asks the user for files to import; empty when cancelled. */
  pickFiles(): Promise<SourceFile[]>;
  /** Asks for a folder; every file below it, each `path` relative to the folder's parent. */
  pickFolder(): Promise<SourceFile[]>;
  /** Files (and files inside folders) dropped on the window. */
  droppedFiles(dt: DataTransfer): Promise<SourceFile[]>;
  /** Projects this host knows (browser: its private storage; desktop: recent projects). */
  listProjects(): Promise<{ id: string; name: string }[]>;
  openProject(id: string): Promise<ProjectRef>;
  /** A new, empty project folder (the caller creates the manifest). */
  newProject(name: string): Promise<ProjectRef>;
  /** The demo workspace as a project the user can work in (copied on first use). */
  demoProject(): Promise<ProjectRef>;
  /**
   * Makes an imported file readable again when the project is reopened and returns the path to record:
   * web mode copies it into the project's `sources/`, desktop records its absolute path.
   */
  keepSource(store: ProjectStore, file: SourceFile): Promise<string>;
  /** Save dialog (desktop) or download (browser). False when the user cancelled. */
  saveAs(suggestedName: string, data: Uint8Array | string, mime: string): Promise<boolean>;
  /**
   * Writes a self-contained report (`html`) as a PDF where the user chooses; false when cancelled.
   * Desktop only (Electron's printToPDF); without it the report goes to the browser's print dialog.
   */
  printReportToPdf?(html: string, suggestedName: string): Promise<boolean>;
}
