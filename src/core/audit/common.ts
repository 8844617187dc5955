// The audit helpers moved to one file per job (format.ts, params.ts, read.ts, operation.ts); the
// formats are still imported from here by findings/follow-up.ts and reports/, outside this folder.
export { fmtInt, fmtPct } from './format.ts';
