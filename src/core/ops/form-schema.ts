// An operation's parameter schema read as a form: the schema is the single description of what an
// operation takes (the CLI's --help reads it the same way), so the Audit view never hand-writes a form
// that could drift from what the operation validates. Plain data in, plain data out: no DOM here.
import { z } from 'zod';

export type FieldKind =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  /** An array of enum values: a group of check boxes. */
  | 'multi-enum'
  /** An array of strings: column check boxes when it has a column picker, one value a line otherwise. */
  | 'list'
  /** An array of numbers typed as text (« 30 ; 60 ; 90 »). */
  | 'number-list'
  /** A nested object: a fieldset. */
  | 'object'
  /** An array of objects: repeatable fieldsets. */
  | 'object-list'
  /** Anything the form cannot represent (records, unions): JSON typed by hand. */
  | 'json';

/** Where a field takes its values from: the project's tables, or the columns of the table named by another field. */
export type Picker = { kind: 'table' } | { kind: 'column'; tableField: string };

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  /** The schema's French description. */
  description: string;
  default?: unknown;
  min?: number;
  max?: number;
  /** True when min/max themselves are excluded (z.positive(), .gt(), .lt()). */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  options?: string[];
  /** For object and object-list: the fields of one object. */
  fields?: FormField[];
  picker?: Picker;
}

/** What the form holds: text for scalars (parsed on submit), booleans, lists, nested values. */
export type FormValue = string | boolean | string[] | FormValues | FormValues[];
export interface FormValues {
  [name: string]: FormValue;
}

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
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

const TABLE_NAMES = new Set(['table', 'left', 'right', 'old', 'new']);
const COLUMN_NAME = /^(column|columns|by|groupBy|strata|ignore)$|Column$|^key|^amount/;
// The audit schemas describe column fields as « Colonne … » / « Colonnes … »: the description says
// what the name does not (date, supplier, siret are columns too).
const COLUMN_DESCRIPTION = /^colonnes?\b/i;

function typeOf(js: JsonSchema): string | undefined {
  if (Array.isArray(js.type)) return js.type.find((x) => x !== 'null');
  return js.type;
}

function isTableField(name: string, js: JsonSchema): boolean {
  return typeOf(js) === 'string' && !js.enum && (TABLE_NAMES.has(name) || /Table$/.test(name));
}

function isColumnField(name: string, js: JsonSchema): boolean {
  const t = typeOf(js);
  const strings = t === 'string' || (t === 'array' && typeOf(js.items ?? {}) === 'string' && !js.items?.enum);
  return strings && !js.enum && (COLUMN_NAME.test(name) || COLUMN_DESCRIPTION.test(js.description ?? ''));
}

function kindOf(js: JsonSchema): FieldKind {
  const t = typeOf(js);
  if (js.enum && js.enum.every((v) => typeof v === 'string')) return 'enum';
  if (t === 'string') return 'string';
  if (t === 'number') return 'number';
  if (t === 'integer') return 'integer';
  if (t === 'boolean') return 'boolean';
  if (t === 'array') {
    const it = js.items ?? {};
    const it_t = typeOf(it);
    if (it.enum && it.enum.every((v) => typeof v === 'string')) return 'multi-enum';
    if (it_t === 'string') return 'list';
    if (it_t === 'number' || it_t === 'integer') return 'number-list';
    if (it_t === 'object' && it.properties) return 'object-list';
    return 'json';
  }
  if (t === 'object' && js.properties) return 'object';
  return 'json';
}

function fieldsOf(js: JsonSchema, tableFields: string[], nested: boolean): FormField[] {
  const required = new Set(js.required ?? []);
  return Object.entries(js.properties ?? {}).map(([name, p]) => {
    const kind = kindOf(p);
    const f: FormField = { name, kind, required: required.has(name), description: p.description ?? '' };
    if (p.default !== undefined) f.default = p.default;
    const bounds = kind === 'number-list' ? (p.items ?? {}) : p;
    if (bounds.minimum !== undefined) f.min = bounds.minimum;
    if (bounds.maximum !== undefined) f.max = bounds.maximum;
    if (bounds.exclusiveMinimum !== undefined) {
      f.min = bounds.exclusiveMinimum;
      f.exclusiveMin = true;
    }
    if (bounds.exclusiveMaximum !== undefined) {
      f.max = bounds.exclusiveMaximum;
      f.exclusiveMax = true;
    }
    if (p.minItems !== undefined) f.minItems = p.minItems;
    if (p.maxItems !== undefined) f.maxItems = p.maxItems;
    if (p.pattern !== undefined) f.pattern = p.pattern;
    if (kind === 'enum') f.options = p.enum!.map(String);
    if (kind === 'multi-enum') f.options = p.items!.enum!.map(String);
    if (kind === 'object') f.fields = fieldsOf(p, tableFields, true);
    if (kind === 'object-list') f.fields = fieldsOf(p.items!, tableFields, true);
    if (!nested && isTableField(name, p)) f.picker = { kind: 'table' };
    else if (isColumnField(name, p) || (nested && (name === 'left' || name === 'right'))) {
      // Inside a pair { left, right } (reconcile), each side is a column of the table of that side.
      const side = nested && (name === 'left' || name === 'right') && tableFields.includes(name) ? name : null;
      const tableField = side ?? tableFields[0];
      if (tableField) f.picker = { kind: 'column', tableField };
    }
    return f;
  });
}

/** Reads a JSON Schema (as z.toJSONSchema writes it) as form fields. */
export function formOfJsonSchema(js: unknown): FormField[] {
  const root = js as JsonSchema;
  const tableFields = Object.entries(root.properties ?? {})
    .filter(([name, p]) => isTableField(name, p))
    .map(([name]) => name);
  return fieldsOf(root, tableFields, false);
}

/** The form of an operation's parameters: the input side of the schema (defaults are still optional). */
export function formOf(schema: z.ZodType): FormField[] {
  return formOfJsonSchema(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }));
}

function initialValue(f: FormField): FormValue {
  const d = f.default;
  switch (f.kind) {
    case 'boolean':
      return typeof d === 'boolean' ? d : false;
    case 'multi-enum':
    case 'list':
      return Array.isArray(d) ? d.map(String) : [];
    case 'number-list':
      return Array.isArray(d) ? d.join(' ; ') : '';
    case 'object':
      return initialValues(f.fields ?? [], (d ?? {}) as Record<string, unknown>);
    case 'object-list':
      return Array.isArray(d) ? d.map((x) => initialValues(f.fields ?? [], x as Record<string, unknown>)) : [];
    case 'json':
      return d === undefined ? '' : JSON.stringify(d, null, 2);
    default:
      return d === undefined || d === null ? '' : String(d);
  }
}

/** The form's starting values: the schema's defaults (or those of `given`, e.g. an object's default). */
export function initialValues(fields: readonly FormField[], given: Record<string, unknown> = {}): FormValues {
  return Object.fromEntries(fields.map((f) => [f.name, initialValue(given[f.name] !== undefined ? { ...f, default: given[f.name] } : f)]));
}

/** A number typed the French way (« 0,1 », « 40 000 ») or the English way. */
export function parseNumber(text: string): number | string {
  const s = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (s === '') return text;
  const n = Number(s);
  // Left as text when it is not a number: the schema then says « number expected » next to the field.
  return Number.isFinite(n) ? n : text;
}

/**
 * « 30 ; 60 ; 90 » or one number a line. Neither a comma (a French decimal comma) nor a space (a
 * French thousands separator, « 40 000 ») separates two numbers.
 */
export function parseNumberList(text: string): (number | string)[] {
  return text
    .split(/[;\n]/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map(parseNumber);
}

function emptyObject(v: Record<string, unknown>): boolean {
  return Object.keys(v).length === 0;
}

function paramOf(f: FormField, v: FormValue | undefined): { set: boolean; value?: unknown } {
  switch (f.kind) {
    case 'boolean':
      return { set: true, value: v === true };
    case 'multi-enum':
    case 'list': {
      const a = Array.isArray(v)
        ? (v as unknown[])
            .map(String)
            .map((x) => x.trim())
            .filter(Boolean)
        : [];
      return a.length || f.required || f.default !== undefined ? { set: true, value: a } : { set: false };
    }
    case 'number-list': {
      const s = typeof v === 'string' ? v.trim() : '';
      if (!s) return f.required ? { set: true, value: [] } : { set: false };
      return { set: true, value: parseNumberList(s) };
    }
    case 'object': {
      const o = toParams(f.fields ?? [], (v ?? {}) as FormValues);
      return emptyObject(o) && !f.required ? { set: false } : { set: true, value: o };
    }
    case 'object-list': {
      const a = Array.isArray(v) ? (v as FormValues[]).map((x) => toParams(f.fields ?? [], x)) : [];
      return a.length || f.required || f.default !== undefined ? { set: true, value: a } : { set: false };
    }
    case 'json': {
      const s = typeof v === 'string' ? v.trim() : '';
      if (!s) return { set: false };
      try {
        return { set: true, value: JSON.parse(s) };
      } catch {
        return { set: true, value: s };
      }
    }
    case 'number':
    case 'integer': {
      const s = typeof v === 'string' ? v.trim() : '';
      return s ? { set: true, value: parseNumber(s) } : { set: false };
    }
    default: {
      const s = typeof v === 'string' ? v : '';
      return s.trim() ? { set: true, value: s } : { set: false };
    }
  }
}

/**
 * The parameters to validate and run: empty optional fields are left out (so the schema's defaults
 * apply), numbers are parsed, and what cannot be parsed is passed as typed so the schema names it.
 */
export function toParams(fields: readonly FormField[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const p = paramOf(f, values[f.name]);
    if (p.set) out[f.name] = p.value;
  }
  return out;
}

/** The key of a field in the form: its path joined by dots (« keys.0.left »), '' for the whole form. */
export function fieldKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * Validation messages by field, from zod issues. An issue inside a list item whose field is not
 * shown on its own (an item of a check-box list) is reported on the list.
 */
export function issuesByField(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  fields: readonly FormField[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    let path = [...i.path];
    const top = fields.find((f) => f.name === path[0]);
    if (top && top.kind !== 'object' && top.kind !== 'object-list') path = path.slice(0, 1);
    const key = fieldKey(path);
    out[key] = out[key] ? `${out[key]} ; ${i.message}` : i.message;
  }
  return out;
}
