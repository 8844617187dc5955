// `loupe run <op> --help`: an operation's parameters, read from its schema (the schema is the doc),
// through the same reading the Audit view uses to draw its forms.
import type { z } from 'zod';
import { formOf, type FormField } from '../core/ops/form-schema.ts';

const KIND: Record<FormField['kind'], string> = {
  string: 'texte',
  number: 'nombre',
  integer: 'entier',
  boolean: 'oui/non',
  enum: 'choix',
  'multi-enum': 'liste de choix',
  list: 'liste de textes',
  'number-list': 'liste de nombres',
  object: 'objet',
  'object-list': 'liste d’objets',
  json: 'JSON',
};

function describe(f: FormField, indent: string): string[] {
  const type = f.options?.length ? f.options.map((v) => JSON.stringify(v)).join(' | ') : KIND[f.kind];
  const bits = [
    f.required ? 'obligatoire' : 'facultatif',
    f.default !== undefined ? `défaut ${JSON.stringify(f.default)}` : '',
    f.min !== undefined ? `min ${f.min}` : '',
    f.max !== undefined ? `max ${f.max}` : '',
  ].filter(Boolean);
  const lines = [`${indent}${f.name} (${type}) — ${bits.join(', ')}`];
  if (f.description) lines.push(`${indent}    ${f.description}`);
  for (const sub of f.fields ?? []) lines.push(...describe(sub, `${indent}  `));
  return lines;
}

export function describeParams(schema: z.ZodType): string {
  const lines = formOf(schema).flatMap((f) => describe(f, '  '));
  return lines.length ? lines.join('\n') + '\n' : '  (aucun)\n';
}
