// Findings, evidence, investigations and the follow-up of recommendations; importing this module
// registers their operations (and the personal-data masking one, which findings and reports rely on
// before anything leaves the office).
export * from './model.ts';
export * from './ops.ts';
export * from './evidence.ts';
export * from './row-evidence.ts';
export * from './report-evidence.ts';
export * from './findings.ts';
export * from './integrity.ts';
export * from './investigations.ts';
export * from './follow-up.ts';
// Personal-data masking is registered with the rest, so replay and the CLI know it.
export * from '../privacy/index.ts';
