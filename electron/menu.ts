// The native menu as a pure template: each entry either uses a built-in role (edit, zoom) or sends a
// command to the renderer, which owns the dialogs' follow-up and the project state.
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, MenuLanguage, ProjectInfo } from './api.ts';
import { MENU_LABELS } from './menu-labels.ts';

export interface MenuInput {
  lang: MenuLanguage;
  recent: ProjectInfo[];
  isMac: boolean;
  devTools: boolean;
  send(cmd: MenuCommand): void;
  about(): void;
}

export function buildMenuTemplate({ lang, recent, isMac, devTools, send, about }: MenuInput): MenuItemConstructorOptions[] {
  const t = MENU_LABELS[lang];
  const cmd = (command: MenuCommand['command'], path?: string) => () => send(path === undefined ? { command } : { command, path });

  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.map((p) => ({ label: `${p.name} — ${p.root}`, click: cmd('open-recent', p.root) }))
    : [{ label: t.noRecent, enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: t.file,
    submenu: [
      { label: t.newProject, accelerator: 'CmdOrCtrl+N', click: cmd('new-project') },
      { label: t.openFiles, accelerator: 'CmdOrCtrl+O', click: cmd('open-files') },
      { label: t.openFolder, accelerator: 'CmdOrCtrl+Shift+O', click: cmd('open-folder') },
      { label: t.openProject, accelerator: 'CmdOrCtrl+Alt+O', click: cmd('open-project') },
      { label: t.recentProjects, submenu: recentItems },
      { type: 'separator' },
      { label: t.save, accelerator: 'CmdOrCtrl+S', click: cmd('save') },
      { label: t.export, accelerator: 'CmdOrCtrl+E', click: cmd('export') },
      ...(isMac ? [] : [{ type: 'separator' } as const, { label: t.quit, role: 'quit', accelerator: 'CmdOrCtrl+Q' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: t.edit,
    submenu: [
      { label: t.undo, role: 'undo' },
      { label: t.redo, role: 'redo' },
      { type: 'separator' },
      { label: t.cut, role: 'cut' },
      { label: t.copy, role: 'copy' },
      { label: t.paste, role: 'paste' },
      { label: t.selectAll, role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: t.view,
    submenu: [
      { label: t.zoomIn, role: 'zoomIn' },
      { label: t.zoomOut, role: 'zoomOut' },
      { label: t.resetZoom, role: 'resetZoom' },
      { type: 'separator' },
      { label: t.fullscreen, role: 'togglefullscreen' },
      ...(devTools ? [{ label: t.devTools, role: 'toggleDevTools' } as const] : []),
    ],
  };
  const help: MenuItemConstructorOptions = { label: t.help, role: 'help', submenu: [{ label: t.about, click: about }] };
  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [{ label: 'Loupe', submenu: [{ label: t.about, click: about }, { type: 'separator' }, { label: t.quit, role: 'quit' }] }]
    : [];
  return [...appMenu, file, edit, view, help];
}
