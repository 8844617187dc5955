export * from './format.ts';
export * from './sanitize-svg.ts';
export * from './report.ts';
export * from './cite.ts';
