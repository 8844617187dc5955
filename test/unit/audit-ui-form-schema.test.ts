// An operation's parameter schema read as a form: kinds, pickers, defaults, parameters and errors.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listOperations } from '../../src/core/ops/all.ts';
import { formOf, initialValues, issuesByField, parseNumber, toParams, type FormField } from '../../src/core/ops/form-schema.ts';
import { getOperation } from '../../src/core/ops/registry.ts';

const field = (fields: FormField[], name: string) => fields.find((f) => f.name === name)!;

describe('a parameter schema read as a form', () => {
  const schema = z.object({
    table: z.string().describe('Table à analyser'),
    column: z.string().describe('Colonne de montant'),
    date: z.string().optional().describe('Colonne de date'),
    label: z.string().optional().describe('Libellé libre'),
    k: z.number().positive().max(100).default(3).describe('Seuil'),
    n: z.number().int().min(1).max(10).optional(),
    flag: z.boolean().default(true),
    test: z.enum(['first', 'last']).default('first'),
    methods: z
      .array(z.enum(['zscore', 'iqr']))
      .min(1)
      .default(['zscore']),
    columns: z.array(z.string()).min(1),
    bounds: z.array(z.number().min(0)).optional(),
    pair: z.object({ left: z.string().optional(), right: z.string().optional() }).optional(),
    mapping: z.record(z.string(), z.string()),
  });
  const form = formOf(schema);

  it('gives each field its kind, bounds, options and requirement', () => {
    expect(form.map((f) => [f.name, f.kind])).toEqual([
      ['table', 'string'],
      ['column', 'string'],
      ['date', 'string'],
      ['label', 'string'],
      ['k', 'number'],
      ['n', 'integer'],
      ['flag', 'boolean'],
      ['test', 'enum'],
      ['methods', 'multi-enum'],
      ['columns', 'list'],
      ['bounds', 'number-list'],
      ['pair', 'object'],
      ['mapping', 'json'],
    ]);
    expect(field(form, 'k')).toMatchObject({ min: 0, exclusiveMin: true, max: 100, default: 3, required: false, description: 'Seuil' });
    expect(field(form, 'n')).toMatchObject({ min: 1, max: 10 });
    expect(field(form, 'test').options).toEqual(['first', 'last']);
    expect(field(form, 'methods').options).toEqual(['zscore', 'iqr']);
    expect(field(form, 'bounds').min).toBe(0);
    expect(field(form, 'table').required).toBe(true);
    expect(field(form, 'pair').fields!.map((f) => f.name)).toEqual(['left', 'right']);
  });

  it('gives table fields a table picker and column fields a column picker of that table', () => {
    expect(field(form, 'table').picker).toEqual({ kind: 'table' });
    expect(field(form, 'column').picker).toEqual({ kind: 'column', tableField: 'table' });
    expect(field(form, 'columns').picker).toEqual({ kind: 'column', tableField: 'table' });
    // Named « date », described as a column.
    expect(field(form, 'date').picker).toEqual({ kind: 'column', tableField: 'table' });
    expect(field(form, 'label').picker).toBeUndefined();
  });

  it('pre-fills the defaults and turns the values into parameters, leaving empty optional fields out', () => {
    const v = initialValues(form);
    expect(v).toMatchObject({ table: '', k: '3', flag: true, test: 'first', methods: ['zscore'], columns: [], bounds: '', mapping: '' });
    Object.assign(v, { table: 't', column: 'montant', columns: ['a', 'b'], bounds: '0 ; 1 000 ; 2,5', k: '1,5', mapping: '{"a":"b"}' });
    expect(toParams(form, v)).toEqual({
      table: 't',
      column: 'montant',
      k: 1.5,
      flag: true,
      test: 'first',
      methods: ['zscore'],
      columns: ['a', 'b'],
      bounds: [0, 1000, 2.5],
      mapping: { a: 'b' },
    });
    expect(schema.safeParse(toParams(form, v)).success).toBe(true);
  });

  it('passes what is not a number as typed, so the schema names the field', () => {
    expect(parseNumber('abc')).toBe('abc');
    const v = { ...initialValues(form), table: 't', column: 'c', columns: ['x'], k: 'beaucoup', mapping: '{}' };
    const r = schema.safeParse(toParams(form, v));
    expect(r.success).toBe(false);
    expect(Object.keys(issuesByField(r.error!.issues, form))).toEqual(['k']);
  });

  it('puts each zod issue next to its field, an item of a list on the list', () => {
    const v = { ...initialValues(form), methods: [], columns: ['ok', ''] };
    const r = schema.safeParse({ ...toParams(form, v), columns: ['ok', 5] });
    const errs = issuesByField(r.error!.issues, form);
    expect(Object.keys(errs).sort()).toEqual(['column', 'columns', 'mapping', 'methods', 'table']);
  });
});

describe('the audit operations as forms', () => {
  const audits = listOperations().filter((o) => o.kind === 'audit');

  it('reads every audit operation, with a table picker on each that names a table', () => {
    expect(audits.length).toBeGreaterThanOrEqual(13);
    for (const op of audits) {
      const form = formOf(op.params);
      expect(form.length, op.id).toBeGreaterThan(0);
      if (form.some((f) => f.name === 'table')) expect(field(form, 'table').picker, op.id).toEqual({ kind: 'table' });
    }
  });

  it('duplicates: a table, a column list and an optional amount column', () => {
    const form = formOf(getOperation('duplicates')!.params);
    expect(field(form, 'columns')).toMatchObject({ kind: 'list', required: true, picker: { kind: 'column', tableField: 'table' } });
    expect(field(form, 'amount')).toMatchObject({ kind: 'string', required: false, picker: { kind: 'column', tableField: 'table' } });
    expect(field(form, 'result').picker).toBeUndefined();
  });

  it('thresholds: supplier and siret are columns, the thresholds an editable list with their defaults', () => {
    const form = formOf(getOperation('thresholds')!.params);
    for (const n of ['amount', 'date', 'supplier', 'siret'])
      expect(field(form, n).picker, n).toEqual({ kind: 'column', tableField: 'table' });
    const th = field(form, 'thresholds');
    expect(th.kind).toBe('object-list');
    expect(th.fields!.map((f) => [f.name, f.kind])).toEqual([
      ['label', 'string'],
      ['amount', 'number'],
    ]);
    const v = initialValues(form);
    expect((v.thresholds as unknown[]).length).toBe(3);
    expect(field(form, 'checks').kind).toBe('multi-enum');
    const params = toParams(form, { ...v, table: 'marches', amount: 'montant_ht' });
    expect(getOperation('thresholds')!.params.safeParse(params).success).toBe(true);
  });

  it('reconcile: left and right are tables, and inside each pair the columns of that side', () => {
    const form = formOf(getOperation('reconcile')!.params);
    expect(field(form, 'left').picker).toEqual({ kind: 'table' });
    expect(field(form, 'right').picker).toEqual({ kind: 'table' });
    const keys = field(form, 'keys');
    expect(keys.kind).toBe('object-list');
    expect(field(keys.fields!, 'left').picker).toEqual({ kind: 'column', tableField: 'left' });
    expect(field(keys.fields!, 'right').picker).toEqual({ kind: 'column', tableField: 'right' });
    expect(field(keys.fields!, 'mode')).toMatchObject({ kind: 'enum', default: 'key' });
    const amount = field(form, 'amount');
    expect(amount.kind).toBe('object');
    expect(field(amount.fields!, 'right').picker).toEqual({ kind: 'column', tableField: 'right' });
    // An optional object left empty is left out.
    expect(toParams(form, initialValues(form))).not.toHaveProperty('amount');
  });

  it('compare-releases: the key columns come from the old release', () => {
    const form = formOf(getOperation('compare-releases')!.params);
    expect(field(form, 'old').picker).toEqual({ kind: 'table' });
    expect(field(form, 'keys').picker).toEqual({ kind: 'column', tableField: 'old' });
  });

  it('zod issues of a real operation land on the fields', () => {
    const op = getOperation('duplicates')!;
    const form = formOf(op.params);
    const r = op.params.safeParse(toParams(form, initialValues(form)));
    expect(Object.keys(issuesByField(r.error!.issues, form)).sort()).toEqual(['columns', 'table']);
  });
});

describe('the rows behind a Benford digit', () => {
  it('are a relation over the test’s own parameters', async () => {
    const { benfordRowsRelation, benfordDigits } = await import('../../src/core/audit/benford-rows.ts');
    const rel = benfordRowsRelation({ table: 'versements', column: 'Montant versé', test: 'first-two' }, 42);
    expect(rel.kind).toBe('query');
    expect(rel.kind === 'query' && rel.sql).toContain('"Montant versé"');
    expect(rel.kind === 'query' && rel.sql).toMatch(/= 42$/);
    expect(() => benfordRowsRelation({ table: 't' }, 1)).toThrow();
    expect(benfordDigits('first')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(benfordDigits('last-two')).toHaveLength(100);
  });
});
