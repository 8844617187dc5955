// The app:// protocol: the built renderer, served from dist/ with the same headers as web mode.
// Takes a Request and returns a Response, so it runs under `protocol.handle` and in plain Node tests.
import { readFile, realpath, stat } from 'node:fs/promises';
import { securityHeaders } from '../src/shared/headers.ts';
import { isInside } from './grants.ts';
import { mimeType, resolveAppPath } from './security.ts';

function notFound(status = 404, text = 'Introuvable'): Response {
  return new Response(text, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } });
}

export async function serveApp(distDir: string, request: { url: string; method: string }): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(405, 'Méthode refusée');
  const abs = resolveAppPath(distDir, request.url);
  if (!abs) return notFound();
  try {
    // A symlink planted in dist/ must not serve a file from elsewhere.
    const [real, realDist] = await Promise.all([realpath(abs), realpath(distDir)]);
    if (!isInside(realDist, real)) return notFound();
    const st = await stat(real);
    if (!st.isFile()) return notFound();
    const headers = {
      ...securityHeaders(),
      'Content-Type': mimeType(real),
      'Content-Length': String(st.size),
      'Cache-Control': 'no-cache',
    };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    return new Response(new Uint8Array(await readFile(real)), { status: 200, headers });
  } catch {
    return notFound();
  }
}
