import { describe, expect, it } from 'vitest';
import { auditSuite } from '../fixtures/audit-fixtures.ts';

const b = auditSuite({
  releve_mai: `SELECT CAST(id AS INTEGER) AS id, nom, CAST(montant AS BIGINT) AS montant, CAST(code_postal AS INTEGER) AS code_postal, commentaire FROM (VALUES
    (1, 'A', 100, 75011, 'c1'),
    (2, 'B', 200, 75012, 'c2'),
    (3, 'C', 300, 75013, 'c3'),
    (4, 'D', 400, 75014, 'c4'),
    (6, 'F', 600, 75016, 'c6'),
    (7, NULL, 700, 75017, 'c7')
  ) t(id, nom, montant, code_postal, commentaire)`,
  // June: row 3 removed, row 5 added, row 2 renamed, row 4's amount emptied, key 6 twice; « montant »
  // became DOUBLE and « code_postal » text (same values), « commentaire » gone, « date_maj » new.
  releve_juin: `SELECT CAST(id AS INTEGER) AS id, nom, CAST(montant AS DOUBLE) AS montant, code_postal, CAST(date_maj AS DATE) AS date_maj FROM (VALUES
    (1, 'A', 100, '75011', '2024-06-01'),
    (2, 'B bis', 200, '75012', '2024-06-01'),
    (4, 'D', NULL, '75014', '2024-06-01'),
    (5, 'E', 500, '75015', '2024-06-01'),
    (6, 'F', 600, '75016', '2024-06-01'),
    (6, 'F', 650, '75016', '2024-06-01'),
    (7, NULL, 700, '75017', '2024-06-01')
  ) t(id, nom, montant, code_postal, date_maj)`,
});

describe('compare-releases', () => {
  it('finds the planted addition, removal, changes (NULL-safe), duplicate key and schema drift', async () => {
    const r = await b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: ['id'] });
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.statut, x.id, x.ligne_ancienne, x.ligne_nouvelle, x.colonnes_modifiees, x.modifications])).toEqual([
      ['ajoutee', 5, null, 4, null, null],
      ['supprimee', 3, 3, null, null, null],
      ['modifiee', 2, 2, 2, '["nom"]', 'nom : B → B bis'],
      ['modifiee', 4, 4, 3, '["montant"]', 'montant : 400 → ∅'],
      ['cle_en_double', 6, null, null, null, "clé présente 1 fois dans l'ancienne version, 2 fois dans la nouvelle"],
    ]);
    expect([rows[4]!.lignes_anciennes, rows[4]!.lignes_nouvelles]).toEqual(['[5]', '[5,6]']);
    expect(r.detail).toEqual({
      rows: { old: 6, new: 7 },
      added: 1,
      removed: 1,
      changed: 2,
      unchanged: 2,
      duplicateKeys: 1,
      changedByColumn: { montant: 1, nom: 1 },
      schema: {
        added: [{ name: 'date_maj', type: 'DATE' }],
        removed: [{ name: 'commentaire', type: 'VARCHAR' }],
        retyped: [
          { name: 'montant', old: 'BIGINT', new: 'DOUBLE' },
          { name: 'code_postal', old: 'INTEGER', new: 'VARCHAR' },
        ],
      },
    });
    expect(r.summary).toBe(
      'Comparaison de « releve_mai » (ancienne version, 6 lignes) et de « releve_juin » (nouvelle, 7 lignes) sur la clé « id » : ' +
        '1 ligne ajoutée, 1 supprimée, 2 modifiées (colonnes les plus modifiées : « montant » (1), « nom » (1)), 2 inchangées. ' +
        '1 clé présente plusieurs fois, non comparée (statut cle_en_double). ' +
        'Schéma modifié : 1 colonne ajoutée (« date_maj ») ; 1 colonne supprimée (« commentaire ») ; ' +
        '2 colonnes de type changé (« montant » BIGINT → DOUBLE, « code_postal » INTEGER → VARCHAR).',
    );
    expect(r.entry.inputs.map((i) => i.table)).toEqual(['releve_mai', 'releve_juin']);
  });

  it('leaves ignored columns out of the comparison, and reports an unchanged schema', async () => {
    const r = await b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: ['id'], ignore: ['nom'] });
    expect(r.detail).toMatchObject({ changed: 1, unchanged: 3, changedByColumn: { montant: 1 } });
    expect(r.summary).toContain('Colonnes non comparées à la demande : « nom ».');
    const same = await b.run('compare-releases', { old: 'releve_mai', new: 'releve_mai_bis', keys: ['id'] }).catch((e: Error) => e);
    expect(String(same)).toMatch(/Table inconnue/);
    await b.table('releve_mai_bis', `SELECT * FROM releve_mai`);
    const r2 = await b.run('compare-releases', { old: 'releve_mai', new: 'releve_mai_bis', keys: ['id', 'nom'] });
    expect(r2.detail).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 6, duplicateKeys: 0 });
    expect(r2.summary).toContain('Schéma inchangé.');
  });

  it('refuses bad parameters with a clear message', async () => {
    await expect(b.run('compare-releases', { old: 'absente', new: 'releve_juin', keys: ['id'] })).rejects.toThrow(/Table inconnue/);
    await expect(b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: ['commentaire'] })).rejects.toThrow(
      /Colonne inconnue dans « releve_juin »/,
    );
    await expect(b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: [] })).rejects.toThrow(/Paramètres invalides/);
    await expect(b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: 'id' })).rejects.toThrow(/Paramètres invalides/);
    await expect(b.run('compare-releases', { old: 'releve_mai', new: 'releve_mai', keys: ['id'] })).rejects.toThrow(
      /deux tables différentes/,
    );
    await expect(b.run('compare-releases', { old: 'releve_mai', new: 'releve_juin', keys: ['id'], ignore: ['x'] })).rejects.toThrow(
      /ignorer inconnue/,
    );
  });
});
