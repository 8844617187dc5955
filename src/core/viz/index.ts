// The chart model: spec, compiler, formats, maps, recommendations. The `chart` operation registers
// itself through src/core/ops/all.ts.
export * from './spec.ts';
export * from './compile.ts';
export * from './format.ts';
export * from './arrondissements.ts';
export * from './recommend.ts';
