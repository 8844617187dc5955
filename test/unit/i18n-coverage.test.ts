// One language at a time: every string the Audit view builds from an operation's schema (its
// description, each parameter's label, help and options) and each key figure comes from the
// catalogue in both languages, and neither catalogue lets the schema's codes or the other
// language through.
import { afterEach, describe, expect, it } from 'vitest';
import { listOperations } from '../../src/core/ops/all.ts';
import { formOf, type FormField } from '../../src/core/ops/form-schema.ts';
import { en } from '../../src/i18n/en.ts';
import { fr } from '../../src/i18n/fr.ts';
import { setLocale } from '../../src/i18n/index.ts';
import { figuresOf } from '../../src/ui/audit/figures.ts';
import { fieldHelp, fieldLabel, optionLabel, testDescription } from '../../src/ui/audit/labels.ts';

const ops = listOperations().filter((o) => o.kind === 'audit');
const has = (key: string) => key in fr && key in en;

function walk(fields: readonly FormField[], pre = ''): { path: string; field: FormField }[] {
  return fields.flatMap((f) => [{ path: `${pre}${f.name}`, field: f }, ...walk(f.fields ?? [], `${pre}${f.name}.`)]);
}
const everyField = ops.flatMap((op) => walk(formOf(op.params)).map((x) => ({ op: op.id, ...x })));
const codes = [...new Set(everyField.flatMap(({ field }) => field.options ?? []))];

afterEach(() => setLocale('fr'));

describe('the audit tests through the catalogue', () => {
  it('has every test described in both languages', () => {
    expect(ops.length).toBeGreaterThan(10);
    const missing = ops.flatMap((op) => ['op', 'when', 'desc'].map((k) => `audit.${k}.${op.id}`)).filter((k) => !has(k));
    expect(missing).toEqual([]);
  });

  it('has a label for every parameter, a help for every described one, and words for every option', () => {
    const missing: string[] = [];
    for (const { op, path, field } of everyField) {
      if (!has(`audit.field.${field.name}`)) missing.push(`audit.field.${field.name}`);
      if (field.description && !has(`audit.help.${op}.${path}`) && !has(`audit.help.${path}`)) missing.push(`audit.help.${op}.${path}`);
      for (const o of field.options ?? []) if (!has(`audit.option.${field.name}.${o}`)) missing.push(`audit.option.${field.name}.${o}`);
    }
    expect(missing).toEqual([]);
  });

  it('shows no schema code in the French labels, options and help', () => {
    setLocale('fr');
    // Codes that are words a French reader would not read as French: `first-two`, `just-below`, `zscore`…
    const foreign = codes.filter((c) =>
      /-|^(first|split|round|calendar|random|systematic|stratified|zscore|iqr|fingerprint|ngram|exact|key|name|number|day|month|sample)$/.test(
        c,
      ),
    );
    expect(foreign).toEqual(expect.arrayContaining(['first-two', 'last-two', 'just-below', 'split', 'round', 'calendar']));
    const leaks: string[] = [];
    for (const { op, path, field } of everyField) {
      const shown = [
        fieldLabel(field.name),
        fieldHelp(op, path, field.description) ?? '',
        ...(field.options ?? []).map((o) => optionLabel(field.name, o)),
      ];
      for (const text of shown) {
        for (const c of foreign)
          if (new RegExp(`(^|[\\s(«,:/])${c}($|[\\s),»;:/])`).test(text)) leaks.push(`${op}.${path}: « ${c} » in « ${text} »`);
        // A JSON shape or a placeholder name is not a help text: « { label, amount } ».
        if (/\{\s*\w+\s*,/.test(text) || /<\w+>/.test(text)) leaks.push(`${op}.${path}: « ${text} »`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('switches labels, options, help and descriptions to English, leaving no French sentence', () => {
    setLocale('en');
    const french = /\b(les|des|une|pour|avec|dans|colonne|montant|tranche|seuil|lignes?|à)\b/i;
    const leaks: string[] = [];
    for (const { op, path, field } of everyField) {
      const help = fieldHelp(op, path, field.description);
      const shown = [fieldLabel(field.name), help ?? '', ...(field.options ?? []).map((o) => optionLabel(field.name, o))];
      if (field.description && help === field.description) leaks.push(`${op}.${path}: help is the schema's French`);
      // Data values quoted from real exports (« MARCHE MULTIATTRIBUTAIRE », « inconnu ») are not sentences.
      for (const text of shown) if (french.test(text.replace(/“[^”]*”/g, ''))) leaks.push(`${op}.${path}: « ${text} »`);
    }
    for (const op of ops) {
      const d = testDescription(op.id, op.description);
      if (d === op.description || french.test(d)) leaks.push(`${op.id}: « ${d} »`);
    }
    expect(leaks).toEqual([]);
  });
});

describe('the whole catalogues', () => {
  // Words that belong to one language only (« table », « date », « total » are both).
  // Word boundaries that know accented letters (« choroplèthe » does not end in « the »).
  const words = (list: string) => new RegExp(`(?<!\\p{L})(${list})(?!\\p{L})`, 'iu');
  const ENGLISH = words('the|and|of|with|from|files?|choose|chosen|chart|rows?|run|save|open|none|error|browse');
  const FRENCH = words(
    'les|des|une|pour|avec|dans|colonnes?|montants?|tranches?|seuils?|lignes?|fichiers?|être|enregistrer|graphique|aucun|aucune|à',
  );
  const bare = (v: string) => v.replace(/\{\w+\}/g, '').replace(/“[^”]*”|«[^»]*»/g, '');

  it('let no English word through in French, and no French word through in English', () => {
    const leaks = [
      ...Object.entries(fr)
        .filter(([, v]) => ENGLISH.test(bare(v)))
        .map(([k, v]) => `fr ${k}: ${v}`),
      ...Object.entries(en)
        .filter(([, v]) => FRENCH.test(bare(v)))
        .map(([k, v]) => `en ${k}: ${v}`),
    ];
    expect(leaks).toEqual([]);
  });

  it('never show a schema code (first-two, just-below…) in either language', () => {
    const hyphenated = codes.filter((c) => c.includes('-'));
    expect(hyphenated.length).toBeGreaterThan(3);
    const leaks = [...Object.entries(fr), ...Object.entries(en)].filter(([, v]) =>
      hyphenated.some((c) => new RegExp(`(^|[^\\w-])${c}($|[^\\w-])`).test(v)),
    );
    expect(leaks).toEqual([]);
  });
});

describe('key figures', () => {
  it('show a Benford result in words and at a readable precision', () => {
    setLocale('fr');
    const detail = {
      test: 'first-two',
      n: 12_345,
      excluded: 7,
      chi2: 23.45678912345679,
      df: 89,
      mad: 0.0012345678901234,
      conformity: 'Conformité acceptable',
      chart: { a: 1 },
    };
    const shown = Object.fromEntries(figuresOf(detail).map((f) => [f.key, f.value]));
    expect(shown).toEqual({
      test: 'deux premiers chiffres',
      n: '12\u202f345',
      excluded: '7',
      chi2: '23,46',
      df: '89',
      mad: '0,001235',
      conformity: 'Conformité acceptable',
    });
    setLocale('en');
    expect(figuresOf(detail).find((f) => f.key === 'test')?.value).toBe('first two digits');
  });

  it('show rates as percentages and keep amounts to the cent', () => {
    const shown = Object.fromEntries(
      figuresOf({ deliveredRate: 0.703125, amountAtStake: 1234567.8900000001, year: 2024 }).map((f) => [f.key, f.value]),
    );
    expect(shown).toEqual({ deliveredRate: '70,3\u202f%', amountAtStake: '1\u202f234\u202f567,89', year: '2024' });
  });
});
