#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources, so the CLI and the app share one core.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
