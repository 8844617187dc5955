import type { MenuItemConstructorOptions } from 'electron';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../electron/api.ts';
import { buildMenuTemplate } from '../../electron/menu.ts';
import { MENU_LABELS, menuLanguageFor } from '../../electron/menu-labels.ts';
import { projectFromArgv, projectRootFor } from '../../electron/open-path.ts';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, saveWindowState } from '../../electron/window-state.ts';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])]);
}

function menu(lang: 'fr' | 'en', recent = [{ root: '/p/budget', name: 'budget' }], isMac = false) {
  const sent: MenuCommand[] = [];
  let aboutShown = 0;
  const template = buildMenuTemplate({ lang, recent, isMac, devTools: false, send: (c) => sent.push(c), about: () => aboutShown++ });
  const click = (label: string) => {
    const item = items(template).find((i) => i.label === label);
    if (!item?.click) throw new Error(`no clickable item ${label}`);
    (item.click as () => void)();
  };
  return { template, sent, click, about: () => aboutShown };
}

describe('the native menu', () => {
  it('is in French by default, with Fichier, Édition, Affichage, Aide', () => {
    expect(menu('fr').template.map((m) => m.label)).toEqual(['Fichier', 'Édition', 'Affichage', 'Aide']);
    expect(menuLanguageFor('fr-FR')).toBe('fr');
    expect(menuLanguageFor('de-DE')).toBe('fr');
    expect(menuLanguageFor('en-GB')).toBe('en');
  });

  it('has the same entries in English', () => {
    expect(Object.keys(MENU_LABELS.en).sort()).toEqual(Object.keys(MENU_LABELS.fr).sort());
    expect(menu('en').template.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
  });

  it('sends file commands to the renderer, with keyboard shortcuts', () => {
    const m = menu('fr');
    for (const [label, command] of [
      ['Nouveau projet…', 'new-project'],
      ['Ouvrir des fichiers…', 'open-files'],
      ['Ouvrir un dossier…', 'open-folder'],
      ['Ouvrir un projet…', 'open-project'],
      ['Enregistrer', 'save'],
      ['Exporter…', 'export'],
    ] as const) {
      m.click(label);
      expect(m.sent.at(-1)).toEqual({ command });
    }
    const accelerators = items(m.template)
      .map((i) => i.accelerator)
      .filter(Boolean);
    expect(accelerators).toEqual(expect.arrayContaining(['CmdOrCtrl+O', 'CmdOrCtrl+S', 'CmdOrCtrl+E', 'CmdOrCtrl+N']));
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });

  it('lists recent projects, and says so when there are none', () => {
    const m = menu('fr');
    m.click('budget — /p/budget');
    expect(m.sent).toEqual([{ command: 'open-recent', path: '/p/budget' }]);
    const empty = items(menu('fr', []).template).find((i) => i.label === 'Aucun projet récent');
    expect(empty?.enabled).toBe(false);
  });

  it('shows the about box from the help menu (and the app menu on macOS)', () => {
    const m = menu('fr');
    m.click('À propos de Loupe');
    expect(m.about()).toBe(1);
    expect(menu('fr', [], true).template[0]!.label).toBe('Loupe');
  });

  it('offers the developer tools only when asked', () => {
    expect(items(menu('fr').template).some((i) => i.role === 'toggleDevTools')).toBe(false);
  });
});

describe('the window state', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-state-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips through its JSON file', async () => {
    const f = join(dir, 'w.json');
    await saveWindowState(f, { x: 10, y: 20, width: 1200, height: 800, maximized: true });
    expect(await loadWindowState(f)).toEqual({ x: 10, y: 20, width: 1200, height: 800, maximized: true });
  });

  it('falls back to the default on a missing, damaged or absurd file', async () => {
    expect(await loadWindowState(join(dir, 'absent.json'))).toEqual(DEFAULT_WINDOW_STATE);
    await writeFile(join(dir, 'bad.json'), '{not json');
    expect(await loadWindowState(join(dir, 'bad.json'))).toEqual(DEFAULT_WINDOW_STATE);
    await writeFile(join(dir, 'huge.json'), JSON.stringify({ width: 1e9, height: 10 }));
    expect(await loadWindowState(join(dir, 'huge.json'))).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('drops a position on a screen that is gone and shrinks to the largest screen', () => {
    const screen = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(fitToDisplays({ x: 3000, y: 10, width: 1400, height: 900, maximized: false }, [screen])).toEqual({
      width: 1400,
      height: 900,
      maximized: false,
    });
    expect(fitToDisplays({ x: 10, y: 10, width: 4000, height: 3000, maximized: false }, [screen])).toEqual({
      x: 10,
      y: 10,
      width: 1920,
      height: 1040,
      maximized: false,
    });
  });
});

describe('projects handed over by the system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-open-'));
    await mkdir(join(dir, 'p'));
    await writeFile(join(dir, 'p', 'loupe.json'), '{}');
    await writeFile(join(dir, 'p', 'Budget.loupe'), '');
    await writeFile(join(dir, 'stray.loupe'), '');
    await writeFile(join(dir, 'data.csv'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('opens the folder of a .loupe file or a project folder, nothing else', async () => {
    expect(await projectRootFor(join(dir, 'p', 'Budget.loupe'))).toBe(join(dir, 'p'));
    expect(await projectRootFor(join(dir, 'p'))).toBe(join(dir, 'p'));
    expect(await projectRootFor(join(dir, 'stray.loupe'))).toBeNull();
    expect(await projectRootFor(join(dir, 'data.csv'))).toBeNull();
    expect(await projectRootFor('relative/p')).toBeNull();
    expect(await projectFromArgv(['/usr/bin/loupe', '--flag', join(dir, 'data.csv'), join(dir, 'p', 'Budget.loupe')])).toBe(join(dir, 'p'));
  });
});
