// The one place that decides where Loupe runs. The Electron host is loaded only inside the shell,
// so the web build never evaluates code that expects window.loupe.
import { createBrowserHost } from './browser.ts';
import type { Host } from './host.ts';

const electronModules = import.meta.glob<{ createElectronHost?: () => Host | Promise<Host> }>('./electron.ts');

export async function selectHost(): Promise<Host> {
  const w = globalThis as unknown as { loupe?: unknown };
  if (w.loupe) {
    const load = electronModules['./electron.ts'];
    const mod = load ? await load() : null;
    if (mod?.createElectronHost) return mod.createElectronHost();
  }
  return createBrowserHost();
}
