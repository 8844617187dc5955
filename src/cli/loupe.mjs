#!/usr/bin/env node
// Runs the CLI from its JavaScript build (dist-cli/, `npm run build:cli`) when that build is there and
// no older than the sources it was made from; otherwise straight from the TypeScript sources through
// tsx, seconds slower but always what the sources say (a clean clone, a source edited since the build).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildStaleness } from './cli-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// LOUPE_CLI_OUT: a build made elsewhere in the repository (tests, benches), as `build:cli` takes it.
const built = process.env.LOUPE_CLI_OUT ?? join(root, 'dist-cli');

const why = buildStaleness(root, built);
let main;
if (why === null) {
  ({ main } = await import(pathToFileURL(join(built, 'main.mjs')).href));
} else {
  // Said to a person at a terminal only: a script reading stderr gets the command's own messages.
  if (process.stderr.isTTY && process.env.LOUPE_CLI !== 'src') {
    process.stderr.write(
      `loupe : version compilée inutilisable (${why}) — lancement depuis les sources, plus lent ; « npm run build:cli » la refait.\n`,
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
