// Zod decides, each time a schema is built, whether to compile a fast parser with `new Function`; it
// probes for eval first, and under the app's CSP that probe is itself a reported violation. Schemas are
// built as modules load, so the switch must be set before any module: a classic script, run first.
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
