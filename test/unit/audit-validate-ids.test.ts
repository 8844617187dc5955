import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;

beforeAll(async () => {
  b = await auditBench();
  await b.table(
    'ids',
    `SELECT * FROM (VALUES
      ('48231765800011', '75111', '75011'),
      ('79316248200026', '75121', '75021'),
      ('482 317 658 00011', '2A004', '75116'),
      ('35600000000001', '20004', '75016'),
      ('35600000000002', '13055', '92100'),
      ('4823176580001', 'ABCDE', NULL),
      (NULL, NULL, '75020'),
      ('SIRET inconnu', '75056', '7501')
    ) t(siret, insee, cp)`,
  );
});
afterAll(() => b.close());

const problems = async (kind: string, column: string, extra = {}) => {
  const r = await b.run('validate-ids', { table: 'ids', column, kind, ...extra });
  return { r, rows: (await b.rows(r.table!, '_ligne')).map((x) => [x._ligne, x.probleme]) };
};

describe('validate-ids', () => {
  it('SIRET: Luhn, length, characters, missing — and La Poste’s own rule (digit sum multiple of 5)', async () => {
    const { r, rows } = await problems('siret', 'siret');
    expect(rows).toEqual([
      [2, 'clé de contrôle (Luhn) invalide'],
      [5, 'clé de contrôle (Luhn) invalide'],
      [6, 'clé de contrôle (Luhn) invalide'],
      [7, 'manquant'],
      [8, 'caractères non numériques'],
    ]);
    expect(r.detail).toEqual({ checked: 8, invalid: 4, missing: 1 });
  });

  it('INSEE commune codes: Corsica as 2A/2B, Paris arrondissements 75101–75120', async () => {
    expect((await problems('insee', 'insee')).rows).toEqual([
      [2, 'arrondissement de Paris inexistant'],
      [4, 'Corse codée 20 au lieu de 2A/2B'],
      [6, 'format invalide (5 caractères, 2A/2B pour la Corse)'],
      [7, 'manquant'],
    ]);
    expect((await problems('insee', 'insee', { parisOnly: true })).rows.map((x) => x[0])).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('Paris postal codes: 75001–75020 and 75116', async () => {
    expect((await problems('postal-paris', 'cp')).rows.map((x) => x[0])).toEqual([2, 5, 6, 8]);
  });
});
