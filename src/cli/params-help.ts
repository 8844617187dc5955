// `loupe run <op> --help`: an operation's parameters, read from its schema (the schema is the doc).
import { z } from 'zod';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
}

export function describeParams(schema: z.ZodType): string {
  const js = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const props = js.properties ?? {};
  const required = new Set(js.required ?? []);
  const lines = Object.entries(props).map(([name, p]) => {
    const type = p.enum ? p.enum.map((v) => JSON.stringify(v)).join(' | ') : Array.isArray(p.type) ? p.type.join('|') : (p.type ?? 'valeur');
    const bits = [
      required.has(name) ? 'obligatoire' : 'facultatif',
      p.default !== undefined ? `défaut ${JSON.stringify(p.default)}` : '',
      p.minimum !== undefined ? `min ${p.minimum}` : '',
      p.maximum !== undefined ? `max ${p.maximum}` : '',
    ].filter(Boolean);
    return `  ${name} (${type}${p.items?.type ? ` de ${p.items.type}` : ''}) — ${bits.join(', ')}${p.description ? `\n      ${p.description}` : ''}`;
  });
  return lines.length ? lines.join('\n') + '\n' : '  (aucun)\n';
}
