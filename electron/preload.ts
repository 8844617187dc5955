// Runs in the sandboxed preload: exposes window.loupe and nothing else. The page never sees ipcRenderer,
// and dropped files reach the main process as paths read from real `File` objects, not page strings.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { Channel, IpcResult, LoupeApi, MenuCommand } from './api.ts';
import { CHANNELS, MENU_COMMANDS, MENU_EVENT } from './api.ts';

async function call<T>(channel: Channel, args?: object): Promise<T> {
  const r = (await ipcRenderer.invoke(CHANNELS[channel], args)) as IpcResult<T>;
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function isMenuCommand(v: unknown): v is MenuCommand {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (MENU_COMMANDS as readonly unknown[]).includes(c.command) && (c.path === undefined || typeof c.path === 'string');
}

const api: LoupeApi = {
  openFilesDialog: () => call('openFilesDialog'),
  openFolderDialog: () => call('openFolderDialog'),
  grantDropped: (files) => {
    const paths = Array.from(files, (f) => webUtils.getPathForFile(f)).filter((p) => p !== '');
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
  projectReadText: (root, path) => call('projectReadText', { root, path }),
  projectWriteTextAtomic: (root, path, text) => call('projectWriteTextAtomic', { root, path, text }),
  projectAppendText: (root, path, text) => call('projectAppendText', { root, path, text }),
  projectWriteBytes: (root, path, bytes) => call('projectWriteBytes', { root, path, bytes }),
  projectStat: (root, path) => call('projectStat', { root, path }),
  projectList: (root, folder) => call('projectList', { root, folder }),
  saveAs: (suggestedName, data) => call('saveAs', { suggestedName, data }),
  versions: () => call('versions'),
  setMenuLanguage: (lang) => call('setMenuLanguage', { lang }),
  onMenuCommand(listener) {
    const handler = (_e: unknown, cmd: unknown) => {
      if (isMenuCommand(cmd)) listener(cmd);
    };
    ipcRenderer.on(MENU_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(MENU_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('loupe', api);
