// The form of a budget check, read from the operation's zod schema: which parameters name a table,
// which are the columns of a table (pre-filled by the check's own header matching), which are numbers
// and per-edition numbers, with their bounds and defaults. A short spec per check says only what the
// schema cannot: the unit a number is typed in (30 for 30 %), which table a set of columns reads,
// which columns the check cannot do without. Plain data in, plain data out: the runes live in
// check-form.svelte.ts, the markup in CheckForm.svelte.
import { z } from 'zod';
import type { TableEntry } from '../../core/catalog/catalog.ts';
import { formOf, parseNumber, type FormField } from '../../core/ops/form-schema.ts';
import { ParticipatoryParams, proposeProjectColumns, REQUIRED_PROJECT_COLUMNS } from '../../core/budget/participatory.ts';
import {
  proposeSubsidyColumns,
  REQUIRED_SUBSIDY_COLUMNS,
  SubsidiesParams,
  VOTE_ONLY_SUBSIDY_COLUMNS,
} from '../../core/budget/subsidies.ts';
import { formatNumber } from '../../i18n/format.ts';
import { locale, t, type MessageKey } from '../../i18n/index.ts';
import { numberFormat } from '../../core/util/numbers.ts';

/** How a number is typed: a share as a percentage (30 for 0,3), euros, years, a plain count. */
export type Unit = 'percent' | 'euros' | 'years' | 'count' | 'edition';

type Roles = Record<string, string>;

export interface ColumnsSpec {
  /** The parameter naming the table these columns are read from. */
  table: string;
  /** Roles the check refuses to run without. */
  required: readonly string[];
  /** Roles of the schema the check never reads from this table (not shown, not sent). */
  unused?: readonly string[];
  /** The check's own guess from the headers; given roles win. */
  propose: (table: TableEntry, given?: Roles) => Partial<Roles>;
}

export interface CheckSpec {
  /** Labels are budget.<prefix>.param.<name> and budget.<prefix>.col.<role> in the catalogue. */
  prefix: 'pb' | 'sub';
  schema: z.ZodType;
  tables: readonly string[];
  columns: Readonly<Record<string, ColumnsSpec>>;
  units: Readonly<Record<string, Unit>>;
}

export const PARTICIPATORY_FORM: CheckSpec = {
  prefix: 'pb',
  schema: ParticipatoryParams,
  tables: ['table'],
  columns: { columns: { table: 'table', required: REQUIRED_PROJECT_COLUMNS, propose: proposeProjectColumns } },
  units: {
    lateYears: 'years',
    envelope: 'euros',
    envelopes: 'euros',
    workingClassTarget: 'percent',
    workingClassTargets: 'percent',
    workingClassFrom: 'edition',
  },
};

export const SUBSIDIES_FORM: CheckSpec = {
  prefix: 'sub',
  schema: SubsidiesParams,
  tables: ['voted', 'paid'],
  columns: {
    votedColumns: { table: 'voted', required: REQUIRED_SUBSIDY_COLUMNS, propose: proposeSubsidyColumns },
    paidColumns: { table: 'paid', required: REQUIRED_SUBSIDY_COLUMNS, unused: VOTE_ONLY_SUBSIDY_COLUMNS, propose: proposeSubsidyColumns },
  },
  units: { minSimilarity: 'percent', tolerance: 'euros', top: 'count' },
};

interface Bounds {
  unit: Unit;
  integer: boolean;
  min?: number;
  max?: number;
}

export type CheckField =
  | { kind: 'table'; name: string }
  | { kind: 'columns'; name: string; table: string; roles: { name: string; required: boolean }[] }
  | ({ kind: 'number'; name: string; default?: number } & Bounds)
  | ({ kind: 'per-edition'; name: string } & Bounds);

interface JsonRecord {
  properties?: Record<string, { additionalProperties?: { type?: string; minimum?: number; maximum?: number } }>;
}

/** The fields of a check's form, in the schema's order. A parameter the spec does not place is refused here, not silently dropped. */
export function checkFields(spec: CheckSpec): CheckField[] {
  const json = z.toJSONSchema(spec.schema, { io: 'input', unrepresentable: 'any' }) as JsonRecord;
  return formOf(spec.schema).map((f: FormField): CheckField => {
    if (spec.tables.includes(f.name)) return { kind: 'table', name: f.name };
    const cols = spec.columns[f.name];
    if (cols && f.kind === 'object') {
      const roles = (f.fields ?? []).filter((r) => !cols.unused?.includes(r.name));
      return {
        kind: 'columns',
        name: f.name,
        table: cols.table,
        roles: roles.map((r) => ({ name: r.name, required: cols.required.includes(r.name) })),
      };
    }
    const unit = spec.units[f.name];
    const bounds = (u: Unit, integer: boolean, min?: number, max?: number): Bounds => ({
      unit: u,
      integer,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
    });
    if (unit && (f.kind === 'number' || f.kind === 'integer')) {
      const fallback = typeof f.default === 'number' ? { default: f.default } : {};
      return { kind: 'number', name: f.name, ...bounds(unit, f.kind === 'integer', f.min, f.max), ...fallback };
    }
    const values = json.properties?.[f.name]?.additionalProperties;
    if (unit && f.kind === 'json' && values) {
      return { kind: 'per-edition', name: f.name, ...bounds(unit, values.type === 'integer', values.minimum, values.maximum) };
    }
    throw new Error(`Paramètre « ${f.name} » sans place dans le formulaire du contrôle (${spec.prefix})`);
  });
}

export interface EditionRow {
  edition: string;
  value: string;
}

/** What the form holds: text as typed, so nothing the user typed is lost while it is being corrected. */
export interface CheckDraft {
  tables: Record<string, string>;
  /** Role → column name; '' for « no column ». */
  columns: Record<string, Roles>;
  numbers: Record<string, string>;
  perEdition: Record<string, EditionRow[]>;
}

const percentFmt = numberFormat({ style: 'percent', maximumFractionDigits: 2 });
const euroFmt = numberFormat({ style: 'currency', currency: 'EUR', minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** A parameter's value as it is typed in the form: 0,3 as « 30 », 100000000 as « 100 000 000 ». */
export function toText(value: number, unit: Unit): string {
  // An edition is a year: « 2016 », never « 2 016 ».
  if (unit === 'edition') return String(value);
  return formatNumber(unit === 'percent' ? Number((value * 100).toPrecision(12)) : value);
}

/** The value with its unit, the French way: « 30 % », « 100 000 000 € », « 2 ans ». */
export function withUnit(value: number, unit: Unit): string {
  if (unit === 'percent') return percentFmt.format(value);
  if (unit === 'euros') return euroFmt.format(value);
  if (unit === 'edition') return String(value);
  // French keeps the singular below 2 (« 0 an », « 1,5 an »), English only for 1.
  if (unit === 'years')
    return t((locale() === 'fr' ? value < 2 : value === 1) ? 'budget.form.year' : 'budget.form.years', { n: formatNumber(value) });
  return formatNumber(value);
}

/** Text typed in a number field as the parameter's value; null when it is not a number. */
export function fromText(text: string, unit: Unit): number | null {
  const n = parseNumber(text.replace(/[%€]/g, ''));
  if (typeof n !== 'number') return null;
  return unit === 'percent' ? Number((n / 100).toPrecision(12)) : n;
}

/**
 * The draft for a check: its parameters as given (saved in the project, or {}), the schema's
 * defaults elsewhere, and for each set of columns the given roles completed by the check's guess on
 * the table (`tableOf`), '' where it found none.
 */
export function draftOf(
  spec: CheckSpec,
  fields: readonly CheckField[],
  params: Record<string, unknown>,
  tableOf: (name: string) => TableEntry | undefined,
): CheckDraft {
  const d: CheckDraft = { tables: {}, columns: {}, numbers: {}, perEdition: {} };
  for (const f of fields) {
    const v = params[f.name];
    if (f.kind === 'table') d.tables[f.name] = typeof v === 'string' ? v : '';
  }
  for (const f of fields) {
    const v = params[f.name];
    if (f.kind === 'columns') {
      const given = (v && typeof v === 'object' ? v : {}) as Roles;
      d.columns[f.name] = rolesFor(spec, f, tableOf(d.tables[f.table] ?? ''), given);
    } else if (f.kind === 'number') {
      const n = typeof v === 'number' ? v : f.default;
      d.numbers[f.name] = n === undefined ? '' : toText(n, f.unit);
    } else if (f.kind === 'per-edition') {
      const rec = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
      d.perEdition[f.name] = Object.entries(rec)
        .filter(([, x]) => typeof x === 'number')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([edition, x]) => ({ edition, value: toText(x as number, f.unit) }));
    }
  }
  return d;
}

/** Every shown role of a set of columns: the given one, else the check's guess on `table`, else ''. */
export function rolesFor(
  spec: CheckSpec,
  f: Extract<CheckField, { kind: 'columns' }>,
  table: TableEntry | undefined,
  given: Roles = {},
): Roles {
  const shown = Object.fromEntries(Object.entries(given).filter(([k, v]) => typeof v === 'string' && f.roles.some((r) => r.name === k)));
  const guess = table ? spec.columns[f.name]!.propose(table, shown) : shown;
  return Object.fromEntries(f.roles.map((r) => [r.name, guess[r.name] ?? '']));
}

/** A label from the catalogue. */
export function fieldLabel(spec: CheckSpec, name: string): string {
  return t(`budget.${spec.prefix}.param.${name}` as MessageKey);
}

export function roleLabel(spec: CheckSpec, role: string): string {
  return t(`budget.${spec.prefix}.col.${role}` as MessageKey);
}

/** The bounds and default of a number, in words: « Entre 0 % et 100 % · par défaut 30 % ». */
export function numberHint(f: Extract<CheckField, { kind: 'number' | 'per-edition' }>): string {
  const bits: string[] = [];
  if (f.min !== undefined && f.max !== undefined)
    bits.push(t('budget.form.between', { min: withUnit(f.min, f.unit), max: withUnit(f.max, f.unit) }));
  else if (f.min !== undefined) bits.push(t('budget.form.atLeast', { min: withUnit(f.min, f.unit) }));
  else if (f.max !== undefined) bits.push(t('budget.form.atMost', { max: withUnit(f.max, f.unit) }));
  if (f.kind === 'number' && f.default !== undefined) bits.push(t('budget.form.default', { value: withUnit(f.default, f.unit) }));
  return bits.join(' · ');
}

/** The key of a field's message: « envelope », « columns.edition », « envelopes.0 » (a row). */
export type Errors = Record<string, string>;

interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  origin?: string;
}

/** A zod issue on a number, said in the unit the user typed. */
export function numberIssue(issue: Issue, unit: Unit): string {
  if (issue.code === 'too_small' && issue.minimum !== undefined) {
    return t(issue.inclusive === false ? 'budget.form.err.above' : 'budget.form.err.min', { min: withUnit(Number(issue.minimum), unit) });
  }
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    return t(issue.inclusive === false ? 'budget.form.err.below' : 'budget.form.err.max', { max: withUnit(Number(issue.maximum), unit) });
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return t('budget.form.err.integer');
  return t('budget.form.err.other', { message: issue.message });
}

export interface Checked {
  /** The parameters as they will run (the schema's output: defaults written out), or null when something is to correct. */
  params: Record<string, unknown> | null;
  errors: Errors;
}

/**
 * The draft as the check's parameters, validated: tables and columns against the project's tables
 * (`tableOf`), numbers parsed, then the schema. Every problem is reported on its field, in words.
 */
export function checkDraft(
  spec: CheckSpec,
  fields: readonly CheckField[],
  draft: CheckDraft,
  tableOf: (name: string) => TableEntry | undefined,
): Checked {
  const errors: Errors = {};
  const raw: Record<string, unknown> = {};
  const rowOf: Record<string, Record<string, number>> = {};
  for (const f of fields) {
    if (f.kind === 'table') {
      const name = draft.tables[f.name] ?? '';
      raw[f.name] = name;
      if (!name) errors[f.name] = t('budget.form.err.noTable');
      else if (!tableOf(name)) errors[f.name] = t('budget.form.err.unknownTable', { table: name });
    } else if (f.kind === 'columns') {
      const tableName = draft.tables[f.table] ?? '';
      const table = tableOf(tableName);
      const roles = draft.columns[f.name] ?? {};
      const out: Roles = {};
      for (const r of f.roles) {
        const col = roles[r.name] ?? '';
        out[r.name] = col;
        // Without a table its columns are not shown: the table's own message says what to do.
        if (!table) continue;
        const key = `${f.name}.${r.name}`;
        if (!col && r.required) errors[key] = t('budget.form.err.columnRequired');
        else if (col && !table.columns.some((c) => c.name === col))
          errors[key] = t('budget.form.err.columnMissing', { column: col, table: tableName });
      }
      raw[f.name] = out;
    } else if (f.kind === 'number') {
      const text = (draft.numbers[f.name] ?? '').trim();
      const n = fromText(text, f.unit);
      if (!text)
        errors[f.name] =
          f.default !== undefined ? t('budget.form.err.emptyDefault', { value: withUnit(f.default, f.unit) }) : t('budget.form.err.empty');
      else if (n === null) errors[f.name] = t('budget.form.err.number', { text });
      else raw[f.name] = n;
    } else {
      const rec: Record<string, number> = {};
      const rows = (rowOf[f.name] = {} as Record<string, number>);
      (draft.perEdition[f.name] ?? []).forEach((row, i) => {
        const key = `${f.name}.${i}`;
        const edition = row.edition.trim();
        const text = row.value.trim();
        if (!edition && !text) return;
        const n = fromText(text, f.unit);
        if (edition in rows) errors[key] = t('budget.form.err.twice', { edition });
        else if (!text) errors[key] = t('budget.form.err.empty');
        else if (n === null) errors[key] = t('budget.form.err.number', { text });
        else {
          // The edition's format is the schema's to check (its message comes back on this row).
          rec[edition] = n;
          rows[edition] = i;
        }
      });
      raw[f.name] = rec;
    }
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues as Issue[]) {
      const [top, sub] = issue.path;
      const f = fields.find((x) => x.name === top);
      let key = String(top ?? '');
      let message = t('budget.form.err.other', { message: issue.message });
      if (f?.kind === 'number') message = numberIssue(issue, f.unit);
      else if (f?.kind === 'per-edition') {
        const row = rowOf[f.name]?.[String(sub)];
        key = row === undefined ? f.name : `${f.name}.${row}`;
        message = issue.code === 'invalid_key' ? t('budget.form.err.edition') : numberIssue(issue, f.unit);
      } else if (f?.kind === 'columns' && sub !== undefined) {
        key = `${f.name}.${String(sub)}`;
      } else if (f?.kind === 'table') message = t('budget.form.err.noTable');
      errors[key] ??= message;
    }
  }
  if (Object.keys(errors).length || !parsed.success) return { params: null, errors };
  return { params: parsed.data as Record<string, unknown>, errors };
}
