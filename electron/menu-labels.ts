// Menu labels, French by default. The renderer's own text lives in src/i18n; the native menu is built
// in the main process before the renderer exists, hence this small table of its own.
import type { MenuLanguage } from './api.ts';

export const MENU_LABELS = {
  fr: {
    file: 'Fichier',
    newProject: 'Nouveau projet…',
    openFiles: 'Ouvrir des fichiers…',
    openFolder: 'Ouvrir un dossier…',
    openProject: 'Ouvrir un projet…',
    recentProjects: 'Projets récents',
    noRecent: 'Aucun projet récent',
    save: 'Enregistrer',
    export: 'Exporter…',
    quit: 'Quitter',
    edit: 'Édition',
    undo: 'Annuler',
    redo: 'Rétablir',
    cut: 'Couper',
    copy: 'Copier',
    paste: 'Coller',
    selectAll: 'Tout sélectionner',
    view: 'Affichage',
    zoomIn: 'Zoom avant',
    zoomOut: 'Zoom arrière',
    resetZoom: 'Taille réelle',
    fullscreen: 'Plein écran',
    devTools: 'Outils de développement',
    help: 'Aide',
    about: 'À propos de Loupe',
    aboutDetail: 'Version {app}\nElectron {electron}\nChromium {chrome}\nNode.js {node}',
    ok: 'OK',
  },
  en: {
    file: 'File',
    newProject: 'New project…',
    openFiles: 'Open files…',
    openFolder: 'Open folder…',
    openProject: 'Open project…',
    recentProjects: 'Recent projects',
    noRecent: 'No recent project',
    save: 'Save',
    export: 'Export…',
    quit: 'Quit',
    edit: 'Edit',
    undo: 'Undo',
    redo: 'Redo',
    cut: 'Cut',
    copy: 'Copy',
    paste: 'Paste',
    selectAll: 'Select all',
    view: 'View',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    resetZoom: 'Actual size',
    fullscreen: 'Full screen',
    devTools: 'Developer tools',
    help: 'Help',
    about: 'About Loupe',
    aboutDetail: 'Version {app}\nElectron {electron}\nChromium {chrome}\nNode.js {node}',
    ok: 'OK',
  },
} satisfies Record<MenuLanguage, Record<string, string>>;

export type MenuLabels = (typeof MENU_LABELS)['fr'];

/** French unless the system asks for English (other languages get French, the app's own language). */
export function menuLanguageFor(locale: string): MenuLanguage {
  return locale.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
