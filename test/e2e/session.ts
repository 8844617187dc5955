// The usual session of an e2e file, in one place: the app opened on the demo workspace before its
// tests (catalog shown, then `ready`), no request leaving the machine after each test, the browser and
// the local server closed after all. The returned object is filled in by beforeAll.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { openApp, stopServer, type App, catalogShown } from './harness.ts';

export function appSession(opts: { ready?: (app: App) => Promise<void>; timeout?: number } = {}): App {
  const app = {} as App;
  beforeAll(async () => {
    Object.assign(app, await openApp());
    await catalogShown(app.page);
    await opts.ready?.(app);
  }, opts.timeout ?? 90_000);
  afterEach(() => {
    // The whole session stays on this machine: no request ever leaves the local server.
    expect(app.foreign()).toEqual([]);
  });
  afterAll(async () => {
    try {
      await app.close?.();
    } finally {
      await stopServer();
    }
  });
  return app;
}
