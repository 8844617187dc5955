// The native dialogs behind the ipc handlers: what the user picks here is what Grants will allow.
import type { BrowserWindow, Dialog } from 'electron';
import { dirname, join } from 'node:path';
import type { Dialogs } from './ipc.ts';

export function electronDialogs(dialog: Dialog, parent: () => BrowserWindow | null, documents: string): Dialogs {
  const win = () => parent() ?? undefined;
  async function openDialog(options: Electron.OpenDialogOptions): Promise<string[]> {
    const w = win();
    const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  }
  async function saveDialog(options: Electron.SaveDialogOptions): Promise<string | null> {
    const w = win();
    const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  return {
    openFiles: () =>
      openDialog({
        title: 'Ouvrir des fichiers',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Données', extensions: ['csv', 'tsv', 'txt', 'json', 'ndjson', 'geojson', 'parquet', 'xlsx'] },
          { name: 'Tous les fichiers', extensions: ['*'] },
        ],
      }),
    openFolder: async () => (await openDialog({ title: 'Ouvrir un dossier', properties: ['openDirectory'] }))[0] ?? null,
    openProject: async () =>
      (await openDialog({ title: 'Ouvrir un projet Loupe', properties: ['openDirectory'], defaultPath: documents }))[0] ?? null,
    newProject: (name) =>
      saveDialog({
        title: 'Créer le dossier du projet',
        defaultPath: join(documents, name),
        buttonLabel: 'Créer',
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      }),
    locate: async (expected) =>
      (await openDialog({ title: `Retrouver ${expected}`, defaultPath: dirname(expected), properties: ['openFile'] }))[0] ?? null,
    save: (suggestedName, filters) =>
      saveDialog({
        title: 'Enregistrer',
        defaultPath: join(documents, suggestedName),
        ...(filters?.length ? { filters } : {}),
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      }),
  };
}
