// Puts the locks of security.ts on a session and on every web contents. Written against the few methods
// it uses, so a test can hand it fakes and check each lock is set.
import { isAllowedNavigation, isAllowedRequest } from './security.ts';

interface PreventableEvent {
  preventDefault(): void;
}

export interface SessionLike {
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setSpellCheckerEnabled(enable: boolean): void;
  on(event: 'will-download', listener: (event: PreventableEvent) => void): unknown;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent, url?: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** `allow` is the request filter: the app's by default; the print window's session brings its own. */
export function hardenSession(
  ses: SessionLike,
  log: (msg: string) => void = () => {},
  allow: (url: string) => boolean = isAllowedRequest,
): void {
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !allow(details.url);
    if (cancel) log(`requête refusée : ${details.url.slice(0, 200)}`);
    callback({ cancel });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Chromium's spellchecker fetches dictionaries from the network.
  ses.setSpellCheckerEnabled(false);
  // Exports go through the save dialog; a page-initiated download is never expected.
  ses.on('will-download', (event) => event.preventDefault());
}

export function hardenWebContents(wc: WebContentsLike): void {
  const block = (event: PreventableEvent, url?: string) => {
    if (!isAllowedNavigation(url ?? '')) event.preventDefault();
  };
  wc.on('will-navigate', block);
  wc.on('will-redirect', block);
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
}
