// Starts the real shell when this machine has an Electron binary; otherwise the test is skipped and
// says why in its name. Needs `npm run build` (dist/ and dist-electron/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../electron/electron-binary.mjs';

const root = join(import.meta.dirname, '..', '..');
const bin = findElectronBinary();
const built = ['dist/index.html', 'dist-electron/main.cjs', 'dist-electron/preload.cjs'].every((f) => existsSync(join(root, f)));
const why = !bin.path ? `binaire Electron absent (${bin.reason})` : !built ? 'Loupe non construit : lancez npm run build' : null;
if (why) console.warn(`[electron smoke] ignoré — ${why}`);

describe('the desktop shell', () => {
  let app: ElectronApplication | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it.skipIf(why !== null)(`starts, loads app:// isolated and offline${why ? ` (ignoré : ${why})` : ''}`, async () => {
    const env = { ...process.env } as Record<string, string>;
    delete env.ELECTRON_RUN_AS_NODE;
    app = await electron.launch({ executablePath: bin.path!, args: [root], cwd: root, env, timeout: 60_000 });
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toMatch(/^app:\/\/loupe\//);
    const facts = await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const res = await fetch('app://loupe/index.html');
      const remote = await fetch('https://example.org/').then(
        () => 'reached',
        () => 'refused',
      );
      return {
        hasLoupe: typeof w.loupe === 'object',
        hasRequire: typeof w.require,
        hasProcess: typeof w.process,
        isolated: crossOriginIsolated,
        csp: res.headers.get('content-security-policy') ?? '',
        remote,
      };
    });
    expect(facts.hasLoupe).toBe(true);
    expect(facts.hasRequire).toBe('undefined');
    expect(facts.hasProcess).toBe('undefined');
    expect(facts.isolated).toBe(true);
    expect(facts.csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(facts.remote).toBe('refused');
    const versions = await page.evaluate(() =>
      (window as unknown as { loupe: { versions(): Promise<{ electron: string }> } }).loupe.versions(),
    );
    expect(versions.electron).toMatch(/^\d+\./);
  });
});
