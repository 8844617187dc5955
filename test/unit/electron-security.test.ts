import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardenSession, hardenWebContents } from '../../electron/harden.ts';
import { serveApp } from '../../electron/protocol.ts';
import {
  APP_ENTRY,
  APP_SCHEME_PRIVILEGES,
  isAllowedNavigation,
  isAllowedRequest,
  isAppUrl,
  mimeType,
  resolveAppPath,
} from '../../electron/security.ts';
import { windowOptions } from '../../electron/window-options.ts';
import { DEFAULT_WINDOW_STATE } from '../../electron/window-state.ts';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../src/shared/headers.ts';
import { LOCKED_RENDERER } from './helpers-io.ts';

describe('the window', () => {
  const prefs = windowOptions({ preload: '/x/preload.cjs', state: DEFAULT_WINDOW_STATE, devTools: false }).webPreferences!;

  it('keeps the renderer isolated, sandboxed and without Node, web security on, insecure content and the spellchecker off', () => {
    expect(prefs).toMatchObject(LOCKED_RENDERER);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the preload it was given', () => {
    expect(prefs.preload).toBe('/x/preload.cjs');
  });
});

describe('the content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('never allows eval, only the compilation of WebAssembly', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });

  it('names no remote origin and no wildcard anywhere', () => {
    for (const [name, values] of directives) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/^(https?|wss?|ftp|file):/);
        expect(v, `${name} ${v}`).not.toMatch(/\*/);
        expect(v, `${name} ${v}`).not.toMatch(/\.[a-z]{2,}$/i);
      }
    }
  });

  it('falls back to self and forbids plugins, base changes, forms and framing', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('comes with cross-origin isolation headers (COOP, COEP, CORP)', () => {
    const h = securityHeaders();
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(h['Cross-Origin-Resource-Policy']).toBe('same-origin');
    expect(h['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('the app:// scheme', () => {
  it('is privileged like a secure origin but does not bypass the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
  });
});

describe('the request filter', () => {
  it('lets the app load its own files, blobs, data URLs and DevTools', () => {
    expect(isAllowedRequest(APP_ENTRY)).toBe(true);
    expect(isAllowedRequest('app://loupe/assets/duckdb-eh.wasm')).toBe(true);
    expect(isAllowedRequest('blob:app://loupe/6f1c0d3e-1111-2222-3333-444455556666')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html')).toBe(true);
  });

  it.each([
    'http://example.org/',
    'https://cdn.jsdelivr.net/npm/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm',
    'http://127.0.0.1:5173/',
    'http://localhost/',
    'ws://localhost:1234/',
    'wss://example.org/socket',
    'file:///etc/passwd',
    'ftp://example.org/x',
    'chrome://settings',
    'javascript:alert(1)',
    'app://evil/index.html',
    'app://user:pw@loupe/index.html',
    'blob:https://example.org/6f1c0d3e',
    'blob:null/6f1c0d3e',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedRequest(url)).toBe(false);
  });

  it('refuses every navigation away from the page', () => {
    expect(isAllowedNavigation('https://example.org')).toBe(false);
    expect(isAllowedNavigation('app://loupe/other.html')).toBe(false);
  });

  it('answers IPC only for the app origin', () => {
    expect(isAppUrl('app://loupe/index.html')).toBe(true);
    expect(isAppUrl('https://loupe/index.html')).toBe(false);
    expect(isAppUrl('file:///tmp/index.html')).toBe(false);
  });
});

describe('app:// path resolution', () => {
  const dist = '/opt/loupe/dist';

  it('maps URLs to files under dist', () => {
    expect(resolveAppPath(dist, 'app://loupe/')).toBe('/opt/loupe/dist/index.html');
    expect(resolveAppPath(dist, 'app://loupe/index.html')).toBe('/opt/loupe/dist/index.html');
    expect(resolveAppPath(dist, 'app://loupe/assets/a%20b.js?x=1#h')).toBe('/opt/loupe/dist/assets/a b.js');
  });

  it.each(['app://loupe/../../secret', 'app://loupe/%2e%2e/%2e%2e/secret', 'app://loupe/assets/%2E%2E/%2E%2E/%2E%2E/etc/passwd'])(
    'keeps %s inside dist (the URL parser folds the dots first)',
    (url) => {
      const p = resolveAppPath(dist, url);
      expect(p === null || p.startsWith(`${dist}/`)).toBe(true);
    },
  );

  it.each([
    'app://loupe/..%2f..%2fetc%2fpasswd',
    'app://loupe/..%5c..%5cwindows%5cwin.ini',
    'app://loupe/assets%5c..%5c..%5csecret',
    'app://loupe/%00index.html',
    'app://loupe/%E0%A4%A',
    'app://other/index.html',
    'https://loupe/index.html',
    'file:///etc/passwd',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(dist, url)).toBeNull();
  });

  it('gives WebAssembly its MIME type, and the usual ones to the rest', () => {
    expect(mimeType('/d/duckdb-eh.wasm')).toBe('application/wasm');
    expect(mimeType('/d/index.html')).toMatch(/^text\/html/);
    expect(mimeType('/d/a.JS')).toMatch(/^text\/javascript/);
    expect(mimeType('/d/a.css')).toMatch(/^text\/css/);
    expect(mimeType('/d/a.svg')).toBe('image/svg+xml');
    expect(mimeType('/d/unknown.bin')).toBe('application/octet-stream');
  });
});

describe('serving app://', () => {
  let root: string;
  let dist: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'loupe-app-'));
    dist = join(root, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Loupe</title>');
    await writeFile(join(dist, 'assets', 'engine.wasm'), new Uint8Array([0, 97, 115, 109]));
    await writeFile(join(root, 'secret.txt'), 'secret');
    await symlink(join(root, 'secret.txt'), join(dist, 'assets', 'link.txt'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves index.html with the CSP and isolation headers', async () => {
    const res = await serveApp(dist, { url: 'app://loupe/', method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Loupe</title>');
    for (const [k, v] of Object.entries(securityHeaders())) expect(res.headers.get(k)).toBe(v);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  });

  it('serves WebAssembly as application/wasm', async () => {
    const res = await serveApp(dist, { url: 'app://loupe/assets/engine.wasm', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/wasm');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('answers 404 for unknown files, folders, traversal and symlinks leaving dist', async () => {
    for (const url of [
      'app://loupe/nope.js',
      'app://loupe/assets',
      'app://loupe/%2e%2e/secret.txt',
      'app://loupe/assets/link.txt',
      'app://evil/index.html',
    ]) {
      const res = await serveApp(dist, { url, method: 'GET' });
      expect(res.status, url).toBe(404);
      expect(res.headers.get('Content-Security-Policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await serveApp(dist, { url: 'app://loupe/', method: 'POST' })).status).toBe(405);
    expect((await serveApp(dist, { url: 'app://loupe/', method: 'HEAD' })).status).toBe(200);
  });
});

describe('session and web contents locks', () => {
  it('cancels non-local requests, denies permissions, downloads and the spellchecker', () => {
    let filter: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | undefined;
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let download: ((e: { preventDefault(): void }) => void) | undefined;
    let spell: boolean | undefined;
    hardenSession({
      webRequest: { onBeforeRequest: (l) => (filter = l) },
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      setSpellCheckerEnabled: (e) => (spell = e),
      on: (_e, l) => (download = l),
    });
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      filter!({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('https://example.org/')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('app://loupe/index.html')).toBe(false);
    let granted: boolean | undefined;
    request!(null, 'geolocation', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(check!()).toBe(false);
    expect(spell).toBe(false);
    let prevented = false;
    download!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });

  it('blocks navigation, redirects, webviews and new windows', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    let open: ((d: { url: string }) => { action: string }) | undefined;
    hardenWebContents({ on: (ev, l) => listeners.set(ev, l), setWindowOpenHandler: (h) => (open = h) });
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(ev)!({ preventDefault: () => (prevented = true) }, 'https://example.org');
      expect(prevented, ev).toBe(true);
    }
    expect(open!({ url: 'https://example.org' })).toEqual({ action: 'deny' });
  });
});
