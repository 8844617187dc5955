// The window's options in one pure function, so a test fails the day someone loosens them.
import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowState } from './window-state.ts';

export interface WindowOptionsInput {
  preload: string;
  state: WindowState;
  icon?: string;
  /** DevTools only outside a packaged build. */
  devTools: boolean;
}

/** What every Loupe window denies its page, whatever it shows. */
export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  // Chromium's spellchecker downloads its dictionaries: offline means off.
  spellcheck: false,
} as const satisfies NonNullable<BrowserWindowConstructorOptions['webPreferences']>;

export function windowOptions({ preload, state, icon, devTools }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 500,
    title: 'Loupe',
    show: false,
    backgroundColor: '#ffffff',
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      ...HARDENED_WEB_PREFERENCES,
      devTools,
    },
  };
}
