import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import {
  canIdentify,
  cellKind,
  decimalScale,
  defaultAggregate,
  elementType,
  isCodeColumn,
  isCsvColumnType,
  integerBits,
  isIntegerType,
  isMoneyColumn,
  isNestedType,
  isNumericType,
  isTemporalType,
  isTextualType,
  isZonedTimestampType,
  typeKind,
  typeParams,
  type TypeKind,
} from '../../src/core/sql/types.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

// Every DuckDB type a column can have, as written in SQL (with aliases), and the kind it must be
// read as. The names compared are the ones DuckDB itself prints back (DESCRIBE), not our spelling.
const DECLARED: [string, TypeKind][] = [
  ['BOOLEAN', 'boolean'],
  ['BOOL', 'boolean'],
  ['TINYINT', 'integer'],
  ['SMALLINT', 'integer'],
  ['INTEGER', 'integer'],
  ['INT', 'integer'],
  ['BIGINT', 'integer'],
  ['HUGEINT', 'integer'],
  ['UTINYINT', 'integer'],
  ['USMALLINT', 'integer'],
  ['UINTEGER', 'integer'],
  ['UBIGINT', 'integer'],
  ['UHUGEINT', 'integer'],
  ['FLOAT', 'float'],
  ['REAL', 'float'],
  ['DOUBLE', 'float'],
  ['DECIMAL(18,2)', 'decimal'],
  ['NUMERIC(4,0)', 'decimal'],
  ['DECIMAL', 'decimal'],
  ['DATE', 'date'],
  ['TIMESTAMP', 'timestamp'],
  ['DATETIME', 'timestamp'],
  ['TIMESTAMP_S', 'timestamp'],
  ['TIMESTAMP_MS', 'timestamp'],
  ['TIMESTAMP_NS', 'timestamp'],
  ['TIMESTAMPTZ', 'timestamp'],
  ['TIME', 'time'],
  ['TIMETZ', 'time'],
  ['INTERVAL', 'interval'],
  ['VARCHAR', 'text'],
  ['TEXT', 'text'],
  ['VARCHAR(20)', 'text'],
  ['UUID', 'uuid'],
  ['BLOB', 'blob'],
  ['BIT', 'bit'],
  ["ENUM('a', 'b')", 'enum'],
  ['INTEGER[]', 'list'],
  ['BIGINT[]', 'list'],
  ['DECIMAL(18,2)[]', 'list'],
  ['VARCHAR[]', 'list'],
  ['DOUBLE[2]', 'array'],
  ['STRUCT(a INTEGER, b VARCHAR)', 'struct'],
  ['STRUCT(decimal DECIMAL(9,2))[]', 'list'],
  ['MAP(VARCHAR, INTEGER)', 'map'],
  ['UNION(n INTEGER, s VARCHAR)', 'union'],
  ['INTEGER[][]', 'list'],
];

describe('the DuckDB type vocabulary', () => {
  it('reads every type name DuckDB prints for a column, aliases and parameters included', async () => {
    const cols = DECLARED.map(([t], i) => `c${i} ${t}`).join(', ');
    await engine.exec(`CREATE TABLE all_types (${cols})`);
    const r = await engine.query('DESCRIBE all_types');
    const printed = r.rows.map((row) => String(row[1]));
    expect(printed).toHaveLength(DECLARED.length);
    const got = printed.map((t) => typeKind(t));
    expect(got).toEqual(DECLARED.map(([, k]) => k));
    // And as written in SQL, before DuckDB normalises them; JSON comes with an extension the offline
    // engine does not load, so its name is only read here.
    expect(DECLARED.map(([t]) => typeKind(t))).toEqual(DECLARED.map(([, k]) => k));
    expect(typeKind('JSON')).toBe('json');
  });

  it('counts as numbers only the scalars one can add up: not INTERVAL, not a list of numbers', () => {
    for (const t of ['TINYINT', 'UHUGEINT', 'DOUBLE', 'DECIMAL(38,10)', 'numeric', ' bigint ']) expect(isNumericType(t), t).toBe(true);
    for (const t of ['INTERVAL', 'BIGINT[]', 'INTEGER[3]', 'STRUCT(n INTEGER)', 'MAP(INTEGER, INTEGER)', 'VARCHAR', 'DATE', 'POINT', ''])
      expect(isNumericType(t), t).toBe(false);
    expect(isIntegerType('UHUGEINT')).toBe(true);
    expect(isIntegerType('DECIMAL(18,0)')).toBe(false);
    expect(isIntegerType('INTERVAL')).toBe(false);
    expect(['TINYINT', 'USMALLINT', 'INTEGER', 'BIGINT', 'UHUGEINT', 'VARINT'].map(integerBits)).toEqual([8, 16, 32, 64, 128, Infinity]);
    expect(integerBits('DOUBLE')).toBeNull();
  });

  it('takes dates and timestamps of every precision and zone as temporal, not times of day or durations', () => {
    for (const t of ['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS', 'timestamp']) expect(isTemporalType(t), t).toBe(true);
    for (const t of ['TIME', 'INTERVAL', 'DATE[]', 'VARCHAR']) expect(isTemporalType(t), t).toBe(false);
    expect(['TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE', 'timestamp  with time zone'].every(isZonedTimestampType)).toBe(true);
    expect(['TIMESTAMP', 'TIMESTAMP_NS', 'TIME WITH TIME ZONE', 'DATE'].some(isZonedTimestampType)).toBe(false);
  });

  it('reads the parameters of a type, and the scale of a decimal only', () => {
    expect(typeParams('DECIMAL(18,2)')).toEqual([18, 2]);
    expect(typeParams('DECIMAL( 9 , 3 )')).toEqual([9, 3]);
    expect(typeParams('VARCHAR')).toBeNull();
    expect(typeParams('DECIMAL(18,2)[]')).toBeNull();
    expect(decimalScale('DECIMAL(18,2)')).toBe(2);
    expect(decimalScale('DECIMAL(4,0)')).toBe(0);
    expect(decimalScale('DECIMAL')).toBeNull();
    expect(decimalScale('DECIMAL(18,2)[]')).toBeNull();
    expect(decimalScale('DOUBLE')).toBeNull();
    expect(elementType('DECIMAL(18,2)[]')).toBe('DECIMAL(18,2)');
    expect(elementType('DOUBLE[2]')).toBe('DOUBLE');
    expect(elementType('STRUCT(a INTEGER[])')).toBeNull();
  });

  it('tells nested cells apart, even when a struct field is named after a scalar type', () => {
    for (const t of [
      'VARCHAR[]',
      'DOUBLE[2]',
      'STRUCT(a INTEGER)',
      'STRUCT("decimal" DECIMAL(9,2))',
      'MAP(VARCHAR, VARCHAR)',
      'UNION(a INTEGER)',
    ])
      expect(isNestedType(t), t).toBe(true);
    for (const t of ['VARCHAR', "ENUM('x[]')", 'DECIMAL(9,2)']) expect(isNestedType(t), t).toBe(false);
    expect(typeKind('STRUCT(decimal DECIMAL(9,2))')).toBe('struct');
  });

  it('draws cells by kind, and treats UUID and JSON as free text when writing a file', () => {
    expect(
      ['BIGINT', 'DECIMAL(9,2)', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN', 'VARCHAR', 'INTERVAL', 'VARCHAR[]'].map(cellKind),
    ).toEqual(['number', 'number', 'date', 'timestamp', 'boolean', 'text', 'other', 'other']);
    expect(['VARCHAR', 'UUID', 'JSON'].every(isTextualType)).toBe(true);
    expect(['VARCHAR[]', "ENUM('a')", 'BLOB'].some(isTextualType)).toBe(false);
    expect(['VARCHAR', 'BIGINT', 'UUID'].every(canIdentify)).toBe(true);
    expect(['INTERVAL', 'DOUBLE', 'DATE'].some(canIdentify)).toBe(false);
  });
});

describe('what a column name says', () => {
  it('totals amounts and averages other numbers, by label or by SQL name', () => {
    expect(defaultAggregate({ name: 'montant_vote', label: 'Montant voté' })).toBe('sum');
    expect(defaultAggregate({ name: 'x', label: 'Dépenses (€)' })).toBe('sum');
    expect(defaultAggregate({ name: 'subvention_2023', label: 'Année 2023' })).toBe('sum');
    expect(defaultAggregate({ name: 'nombre_places', label: 'Nombre de places' })).toBe('mean');
    expect(isMoneyColumn({ name: 'credits_de_paiement' })).toBe(true);
    // `eur` as a word, not inside another (« chauffeur », « valeur »).
    expect(isMoneyColumn({ name: 'valeur', label: 'Valeur' })).toBe(false);
  });

  it('calls a whole-number column a code when its name says identifier, year or place, never a decimal one', () => {
    expect(isCodeColumn({ name: 'code_insee', type: 'BIGINT' })).toBe(true);
    expect(isCodeColumn({ name: 'id', type: 'INTEGER' })).toBe(true);
    expect(isCodeColumn({ name: 'annee', type: 'SMALLINT' })).toBe(true);
    expect(isCodeColumn({ name: 'arrondissement', type: 'UHUGEINT' })).toBe(true);
    expect(isCodeColumn({ name: 'code_insee', type: 'DECIMAL(18,2)' })).toBe(false);
    expect(isCodeColumn({ name: 'code_insee', type: 'BIGINT[]' })).toBe(false);
    expect(isCodeColumn({ name: 'montant', type: 'BIGINT' })).toBe(false);
    // `no` and `n` are whole words only: « nombre », « note » are not numbers-as-codes.
    expect(isCodeColumn({ name: 'nombre', type: 'INTEGER' })).toBe(false);
    expect(isCodeColumn({ name: 'note', type: 'INTEGER' })).toBe(false);
  });
});

describe('the types a CSV column may be given', () => {
  it('takes the listed names and DECIMAL(p,s) as written, and nothing that could carry more SQL', () => {
    for (const t of ['VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'DECIMAL(18,2)', 'DECIMAL(9,0)']) expect(isCsvColumnType(t), t).toBe(true);
    for (const t of [
      'varchar',
      'DECIMAL(18, 2)',
      'DECIMAL(180,2)',
      'DECIMAL',
      'BIGINT[]',
      "VARCHAR'); DROP TABLE t; --",
      'HUGEINT',
      ' DATE',
    ])
      expect(isCsvColumnType(t), t).toBe(false);
  });
});
