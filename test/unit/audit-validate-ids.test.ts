import { describe, expect, it } from 'vitest';
import type { ValidateIdsDetail } from '../../src/core/audit/validate-ids.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';
import { siretLengths } from '../fixtures/audit-traps.ts';

const b = auditSuite({
  ids: `SELECT * FROM (VALUES
    ('48231765800011', '75111', '75011'),
    ('79316248200026', '75121', '75021'),
    ('482 317 658 00011', '2A004', '75116'),
    ('35600000000001', '20004', '75016'),
    ('35600000000002', '13055', '92100'),
    ('4823176580001', 'ABCDE', NULL),
    (NULL, NULL, '75020'),
    ('SIRET inconnu', '75056', '7501')
  ) t(siret, insee, cp)`,
});

const problems = async (kind: string, column: string, extra = {}) => {
  const r = await b.run<ValidateIdsDetail>('validate-ids', { table: 'ids', column, kind, ...extra });
  return { r, rows: (await b.rows(r.table!, '_ligne')).map((x) => [x._ligne, x.probleme]) };
};

describe('validate-ids', () => {
  it('SIRET: Luhn, length, characters, missing — and La Poste’s own rule (digit sum multiple of 5)', async () => {
    const { r, rows } = await problems('siret', 'siret');
    expect(rows).toEqual([
      [2, 'clé de contrôle (Luhn) invalide'],
      [5, 'clé de contrôle (Luhn) invalide'],
      [6, 'longueur 13 au lieu de 14'],
      [7, 'manquant'],
      [8, 'caractères non numériques'],
    ]);
    expect(r.detail).toMatchObject({ checked: 8, invalid: 4, missing: 1 });
    expect(r.detail!.population).toEqual({
      read: 8,
      used: 7,
      usedLabel: 'renseignées, contrôlées',
      setAside: [{ reason: 'vide', rows: 1 }],
    });
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

describe('validate-ids never pads a SIRET', () => {
  it('reports 13-digit SIRETs as the wrong length — a lost leading zero as a question — and counts them invalid', async () => {
    const f = siretLengths();
    await b.table('siret_courts', f.sql);
    const r = await b.run<ValidateIdsDetail>('validate-ids', { table: 'siret_courts', column: 'siret', kind: 'siret' });
    const got = (await b.rows(r.table!, '_ligne')).map((x) => [x._ligne, x.probleme]);
    expect(got).toEqual(f.rows.flatMap((x, i) => (x.problem ? [[i + 1, x.problem]] : [])));
    const bad = f.rows.filter((x) => x.problem && x.problem !== 'manquant');
    expect(r.detail!.invalid).toBe(bad.length);
    expect(r.detail!.byProblem['longueur 13 au lieu de 14 : zéro initial perdu ?']).toBe(f.lostZero.length);
    expect(r.detail!.population).toMatchObject({ read: f.rows.length, used: f.rows.length - 1 });
    expect(r.summary).toMatch(new RegExp(`^Contrôle des SIRET .*lignes lues.*Invalides : ${bad.length} sur ${f.rows.length - 1} `));
  });
});
