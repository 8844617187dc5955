// Budget checks register themselves here (see ops/all.ts).
export * from './mapping.ts';
export * from './reconcile.ts';
export * from './compare.ts';
export * from './subsidies.ts';
export * from './participatory.ts';
