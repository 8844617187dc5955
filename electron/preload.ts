// Runs in the sandboxed preload: exposes window.loupe and nothing else. The page never sees ipcRenderer,
// and dropped files reach the main process as paths read from real `File` objects, not page strings.
// The API itself is built in bridge.ts, without Electron, so the tests check the same object.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildLoupeApi } from './bridge.ts';

const api = buildLoupeApi({
  invoke: (channel, args) => ipcRenderer.invoke(channel, args),
  on: (channel, listener) => void ipcRenderer.on(channel, listener),
  removeListener: (channel, listener) => void ipcRenderer.removeListener(channel, listener),
  pathForFile: (file) => webUtils.getPathForFile(file),
});

contextBridge.exposeInMainWorld('loupe', api);
