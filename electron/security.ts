// The shell's locks, as pure functions so tests can hold them to account without an Electron binary:
// which requests may leave the renderer (none that reach the network), and which file under dist/
// an app:// URL may name.
import { isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'loupe';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** What `protocol.registerSchemesAsPrivileged` is given: app:// behaves like a secure https origin. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  stream: true,
  corsEnabled: true,
  // Deliberately not bypassCSP: the CSP is the renderer's main lock.
} as const;

function parse(url: string): URL | null {
  if (typeof url !== 'string' || url.length > 1_000_000) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isAppOrigin(u: URL): boolean {
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** IPC is answered only for the app's own page, never for a frame that somehow loaded something else. */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && isAppOrigin(u);
}

/**
 * The session's request filter. Only the app's own origin, and what the page makes from it
 * (blob: URLs of that origin, data: URLs, the DevTools front end), may load. No http(s), ws, file, ftp.
 */
export function isAllowedRequest(url: string): boolean {
  const u = parse(url);
  if (!u) return false;
  switch (u.protocol) {
    case `${APP_SCHEME}:`:
      return isAppOrigin(u);
    case 'data:':
      return true;
    case 'blob:': {
      const inner = parse(u.pathname);
      return inner !== null && isAppOrigin(inner);
    }
    case 'devtools:':
      return true;
    default:
      return false;
  }
}

/** Navigation away from the loaded page is never needed: the renderer is a single page. */
export function isAllowedNavigation(_url: string): boolean {
  return false;
}

/**
 * The file under `distDir` that an app:// URL names, or null (→ 404) for another origin, an
 * undecodable path, a NUL or backslash, or anything that would resolve outside `distDir`.
 */
export function resolveAppPath(distDir: string, url: string): string | null {
  const u = parse(url);
  if (!u || !isAppOrigin(u)) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path.split('/').some((seg) => seg === '..')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const root = resolve(distDir);
  const abs = resolve(root, `.${path}`);
  const rel = relative(root, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return abs;
}

const MIME: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  cjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json',
  wasm: 'application/wasm',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  ndjson: 'application/x-ndjson',
  geojson: 'application/geo+json',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export function mimeType(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 ? path.slice(dot + 1).toLowerCase() : '';
  return MIME[ext] ?? 'application/octet-stream';
}
