// Whether the CLI's JavaScript build (dist-cli/) may run: plain JavaScript, as it runs before any
// TypeScript loader. The build lists the files it was made from (inputs.json) and when it started.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Why the build in `built` cannot be used for the sources under `root`, or null when it can.
 * LOUPE_CLI=src forces the sources; LOUPE_CLI=dist the build even when a source is newer (a bench
 * measuring the build while others edit the sources).
 */
export function buildStaleness(root, built, env = process.env) {
  if (env.LOUPE_CLI === 'src') return 'LOUPE_CLI=src';
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(built, 'inputs.json'), 'utf8'));
  } catch {
    return 'pas encore construite';
  }
  if (env.LOUPE_CLI === 'dist') return null;
  for (const rel of inputs.files) {
    let mtime;
    try {
      mtime = statSync(join(root, rel)).mtimeMs;
    } catch {
      return `${rel} a disparu depuis`;
    }
    if (mtime > inputs.builtAt) return `${rel} modifié depuis`;
  }
  return null;
}
