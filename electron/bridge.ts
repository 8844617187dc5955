// The object the preload exposes as window.loupe, built from a transport (ipcRenderer + webUtils in the
// preload, the real handlers in tests). No Electron import, so the tests check this very bridge:
// positional arguments become one object per call, and `{ ok: false }` answers become thrown Errors.
import type { Channel, IpcResult, LoupeApi, MenuCommand } from './api.ts';
import { CHANNELS, MENU_COMMANDS, MENU_EVENT } from './api.ts';

type EventListener = (event: unknown, payload: unknown) => void;

export interface BridgeTransport {
  invoke(channel: string, args: unknown): Promise<unknown>;
  on(channel: string, listener: EventListener): void;
  removeListener(channel: string, listener: EventListener): void;
  /** The path on disk behind a dropped `File`, '' when it has none. */
  pathForFile(file: File): string;
}

export function isMenuCommand(v: unknown): v is MenuCommand {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (MENU_COMMANDS as readonly unknown[]).includes(c.command) && (c.path === undefined || typeof c.path === 'string');
}

export function buildLoupeApi(t: BridgeTransport): LoupeApi {
  async function call<T>(channel: Channel, args?: object): Promise<T> {
    const r = (await t.invoke(CHANNELS[channel], args)) as IpcResult<T>;
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }
  return {
    openFilesDialog: () => call('openFilesDialog'),
    openFolderDialog: () => call('openFolderDialog'),
    grantDropped: (files) => {
      const paths = Array.from(files, (f) => t.pathForFile(f)).filter((p) => p !== '');
      return paths.length ? call('grantDropped', { paths }) : Promise.resolve([]);
    },
    locateFile: (expectedPath) => call('locateFile', { expectedPath }),
    stat: (path) => call('stat', { path }),
    readSlice: (path, start, end) => call('readSlice', { path, start, end }),
    listFolder: (path) => call('listFolder', { path }),
    openProjectDialog: () => call('openProjectDialog'),
    newProjectDialog: (name) => call('newProjectDialog', { name }),
    openRecentProject: (root) => call('openRecentProject', { root }),
    recentProjects: () => call('recentProjects'),
    demoProject: () => call('demoProject'),
    rememberSource: (root, path) => call('rememberSource', { root, path }),
    projectCopySource: (root, path) => call('projectCopySource', { root, path }),
    projectReadText: (root, path) => call('projectReadText', { root, path }),
    projectWriteTextAtomic: (root, path, text) => call('projectWriteTextAtomic', { root, path, text }),
    projectAppendText: (root, path, text) => call('projectAppendText', { root, path, text }),
    projectWriteBytes: (root, path, bytes) => call('projectWriteBytes', { root, path, bytes }),
    projectStat: (root, path) => call('projectStat', { root, path }),
    projectList: (root, folder) => call('projectList', { root, folder }),
    saveAs: (suggestedName, data) => call('saveAs', { suggestedName, data }),
    printReportToPdf: (html, suggestedName) => call('printReportToPdf', { html, suggestedName }),
    versions: () => call('versions'),
    setMenuLanguage: (lang) => call('setMenuLanguage', { lang }),
    onMenuCommand(listener) {
      const handler: EventListener = (_e, cmd) => {
        if (isMenuCommand(cmd)) listener(cmd);
      };
      t.on(MENU_EVENT, handler);
      return () => t.removeListener(MENU_EVENT, handler);
    },
  };
}
