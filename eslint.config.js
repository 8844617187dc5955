// Lint rules that catch real mistakes in this codebase; layout is Prettier's job (eslint-config-prettier
// switches off every stylistic rule). Not type-aware: a type-checked lint costs minutes on two cores and
// `tsc` + `svelte-check` already run in `npm run check`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-*/',
      'release/',
      'static/',
      'test-results/',
      'test/fixtures/generated/',
      // Built pages and downloaded data the benchmarks serve.
      'test/bench/data/',
      // Generated CommonJS worker shipped as is.
      'src/core/engine/node-worker.cjs',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, a callback's position).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Non-null assertions follow `noUncheckedIndexedAccess` reads whose bounds the code has just checked.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Control characters in regular expressions are the point where they appear (CSV/formula neutralising, JSON text).
      'no-control-regex': 'off',
      // Rune modules keep plain Map/Set as caches and in-flight registries on purpose: what the view
      // reads is replaced whole through $state.raw, and a reactive cache would re-run effects on every fetch.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Tests reach into untyped shapes (Electron stubs, parsed YAML, private fields) on purpose.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
