// Zod compiles fast object parsers with `new Function` after probing whether eval is allowed; under
// the app's CSP the probe itself is a script-src violation (reported, logged by Electron). Imported
// first by main.ts so no schema is ever parsed before the probe is switched off.
import { config } from 'zod';

config({ jitless: true });
