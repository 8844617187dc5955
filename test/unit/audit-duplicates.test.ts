import { describe, expect, it } from 'vitest';
import { OperationError } from '../../src/core/ops/registry.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';

const b = auditSuite({
  // Lines 2 and 5 are the same payment twice; line 7 repeats line 3 three times in all (3, 7, 8).
  versements: `SELECT * FROM (VALUES
    ('48231765800011', 'Les Tréteaux du Faubourg', 18750.0, DATE '2023-06-14', 'M1'),
    ('48231765800011', 'Les Tréteaux du Faubourg', 18750.0, DATE '2023-06-14', 'M2'),
    ('53904127700010', 'Collectif Horizon', 24000.0, DATE '2022-09-08', 'M3'),
    ('53904127700010', 'Collectif Horizon', 12000.0, DATE '2022-09-09', 'M4'),
    ('48231765800011', 'Les Tréteaux du Faubourg', 18750.0, DATE '2023-06-14', 'M5'),
    (NULL, NULL, NULL, NULL, 'M6'),
    ('53904127700010', 'Collectif Horizon', 24000.0, DATE '2022-09-08', 'M7'),
    ('53904127700010', 'Collectif Horizon', 24000.0, DATE '2022-09-08', 'M8'),
    (NULL, NULL, NULL, NULL, 'M9')
  ) t("SIRET", "Bénéficiaire", "Montant payé", "Date", mandat)`,
  tiers: `SELECT * FROM (VALUES
    ('Association Les Tréteaux du Faubourg', 100.0),
    ('LES TRETEAUX DU FAUBOURG', 200.0),
    ('Les Treteaux du Fauborg', 50.0),
    ('Les Tréteaux du Faubourg', 10.0),
    ('Imprimerie Vasseur & Associés', 1000.0),
    ('Imprimerie Vaseur et associés', 2000.0),
    ('Collectif Horizon Solidaire 19', 300.0),
    ('Compagnie du Soleil', 400.0),
    ('Théâtre du Soleil', 500.0)
  ) t(nom, montant)`,
});

describe('duplicates', () => {
  it('finds the planted groups with their line numbers and the amount at stake, and nothing else', async () => {
    const r = await b.run('duplicates', { table: 'versements', columns: ['SIRET', 'Montant payé', 'Date'], amount: 'Montant payé' });
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.SIRET, x.nb, x.montant_en_jeu, JSON.parse(String(x.lignes))])).toEqual([
      ['53904127700010', 3, 48000, [3, 7, 8]],
      ['48231765800011', 3, 37500, [1, 2, 5]],
    ]);
    expect(r.detail).toEqual({ groups: 2, rows: 6, excessRows: 4, amountAtStake: 85500 });
    expect(r.summary).toMatch(/^2 groupes de doublons exacts/);
    expect(r.summary).toContain('85\u202f500,00\u00a0€');
    expect(r.entry.op).toBe('duplicates');
    expect(r.entry.sql[0]).toContain('HAVING count(*) > 1');
  });

  it('adding a column that differs splits the groups', async () => {
    const r = await b.run('duplicates', { table: 'versements', columns: ['SIRET', 'Montant payé', 'Date', 'mandat'] });
    expect(r.detail).toMatchObject({ groups: 0, amountAtStake: null });
    expect(r.summary).toMatch(/^Aucun doublon/);
  });

  it('refuses an unknown table, an unknown column and a text amount with a clear OperationError', async () => {
    await expect(b.run('duplicates', { table: 'nope', columns: ['x'] })).rejects.toThrow(new OperationError('Table inconnue : « nope »'));
    await expect(b.run('duplicates', { table: 'versements', columns: ['Montant'] })).rejects.toThrow(/Colonne inconnue.*Montant/);
    await expect(b.run('duplicates', { table: 'versements', columns: ['SIRET'], amount: 'mandat' })).rejects.toThrow(/pas numérique/);
    await expect(b.run('duplicates', { table: 'versements', columns: [] })).rejects.toBeInstanceOf(OperationError);
    await expect(b.run('duplicates', { table: 'versements', columns: 'SIRET' })).rejects.toThrow(/Paramètres invalides/);
  });

  it('never replaces a source table with a result', async () => {
    await expect(b.run('duplicates', { table: 'versements', columns: ['SIRET'], result: 'versements' })).rejects.toThrow(/table du projet/);
  });
});

describe('fuzzy-duplicates', () => {
  it('groups spelling variants of the same name, and leaves distinct names apart', async () => {
    const r = await b.run('fuzzy-duplicates', { table: 'tiers', column: 'nom', amount: 'montant' });
    const rows = await b.rows(r.table!, 'groupe, valeur');
    const groups = new Map<number, string[]>();
    for (const x of rows) groups.set(Number(x.groupe), [...(groups.get(Number(x.groupe)) ?? []), String(x.valeur)]);
    expect([...groups.values()]).toEqual([
      ['Association Les Tréteaux du Faubourg', 'LES TRETEAUX DU FAUBOURG', 'Les Treteaux du Fauborg', 'Les Tréteaux du Faubourg'],
      ['Imprimerie Vaseur et associés', 'Imprimerie Vasseur & Associés'],
    ]);
    const treteaux = rows.find((x) => x.valeur === 'LES TRETEAUX DU FAUBOURG')!;
    expect(treteaux).toMatchObject({
      groupe_nb_variantes: 4,
      groupe_nb_lignes: 4,
      groupe_montant: 360,
      nom_normalise: 'LES TRETEAUX DU FAUBOURG',
    });
    expect(r.detail).toMatchObject({ groups: 2, variants: 6, rows: 6, amount: 3360 });
  });

  it('finds the same groups with trigram blocking, and fewer at a stricter threshold', async () => {
    const tri = await b.run('fuzzy-duplicates', { table: 'tiers', column: 'nom', blocking: 'trigramme' });
    expect(tri.detail).toMatchObject({ groups: 2, variants: 6 });
    const strict = await b.run('fuzzy-duplicates', { table: 'tiers', column: 'nom', threshold: 1 });
    // Only the spellings that normalise to the very same name remain together.
    expect(strict.detail).toMatchObject({ groups: 1, variants: 3 });
  });

  it('rejects a threshold outside 0.5–1', async () => {
    await expect(b.run('fuzzy-duplicates', { table: 'tiers', column: 'nom', threshold: 2 })).rejects.toThrow(/threshold/);
  });
});
