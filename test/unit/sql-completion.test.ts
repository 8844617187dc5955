import { describe, expect, it } from 'vitest';
import { columnsInScope, completionSchema, sqlName, type CompletionTable } from '../../src/core/query/completion.ts';
import { tableEntry } from './helpers.ts';

const tables: CompletionTable[] = [
  tableEntry('marches_publics', 3, [
    ['montant_ht', 'Montant HT', 'DECIMAL(12,2)'],
    ['titulaire', 'titulaire', 'VARCHAR'],
    ['Année', 'Année', 'INTEGER'],
  ]),
  { name: 'Gros marchés', kind: 'view', rows: 1, columns: [{ name: 'order', label: 'Ordre', type: 'INTEGER' }] },
];

describe('SQL completion', () => {
  it('quotes only the names that need it', () => {
    expect(sqlName('montant_ht')).toBe('montant_ht');
    expect(sqlName('Montant HT')).toBe('"Montant HT"');
    expect(sqlName('Année')).toBe('"Année"');
    expect(sqlName('order')).toBe('"order"');
    expect(sqlName('dit "x"')).toBe('"dit ""x"""');
  });

  it('offers every table with its columns, their type and their original label', () => {
    const schema = completionSchema(tables, (t) => `${t.rows} lignes`);
    expect(Object.keys(schema)).toEqual(['marches_publics', 'Gros marchés']);
    expect(schema['marches_publics']!.self).toEqual({ label: 'marches_publics', type: 'type', detail: 'table', info: '3 lignes' });
    expect(schema['Gros marchés']!.self.apply).toBe('"Gros marchés"');
    expect(schema['marches_publics']!.children).toEqual([
      { label: 'montant_ht', type: 'property', detail: 'DECIMAL(12,2)', info: 'Montant HT', section: 'marches_publics' },
      { label: 'titulaire', type: 'property', detail: 'VARCHAR', section: 'marches_publics' },
      { label: 'Année', apply: '"Année"', type: 'property', detail: 'INTEGER', section: 'marches_publics' },
    ]);
    expect(schema['Gros marchés']!.children[0]).toMatchObject({ label: 'order', apply: '"order"', info: 'Ordre' });
  });

  it('offers bare column names from the tables the query names, and only those', () => {
    expect(columnsInScope(tables, 'SELECT  FROM marches_publics WHERE').map((c) => c.label)).toEqual(['montant_ht', 'titulaire', 'Année']);
    expect(columnsInScope(tables, 'SELECT * FROM marches_publics_2024')).toEqual([]);
    expect(columnsInScope(tables, 'SELECT * FROM "Gros marchés"').map((c) => c.apply)).toEqual(['"order"']);
  });
});
