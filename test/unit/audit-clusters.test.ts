import { describe, expect, it } from 'vitest';
import { acceptClusters, canonicalJoinSql } from '../../src/core/audit/clusters.ts';
import { fingerprintSql, ngramFingerprintSql, normalizeNameSql } from '../../src/core/audit/normalize.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';

const b = auditSuite({
  tiers: `SELECT * FROM (VALUES
    ('Les Amis du 11e'), ('Amis du 11e, Les'), ('LES AMIS DU 11E'), ('Les Amis du 11e'),
    ('Paris Musées'), ('ParisMusées'),
    ('Théâtre du Soleil'), (NULL)
  ) t(nom)`,
});

describe('normalisation helpers', () => {
  it('normalise case, accents, ligatures, punctuation and legal forms', async () => {
    const r = await b.engine.query(
      `SELECT ${normalizeNameSql(`'Assoc. L''Œuvre des Éclaireurs (SARL)'`)}, ${normalizeNameSql(`'SAS'`)}, ${normalizeNameSql(`'  '`)}, ${fingerprintSql(`'b, a  B'`)}, ${ngramFingerprintSql(`'abab'`)}`,
    );
    expect(r.rows[0]).toEqual(['L OEUVRE DES ECLAIREURS', 'SAS', null, 'A B', 'ABBA']);
  });
});

describe('clusters', () => {
  it('fingerprint groups reordered and re-cased spellings, with the most frequent one suggested', async () => {
    const r = await b.run('clusters', { table: 'tiers', column: 'nom' });
    const rows = await b.rows(r.table!, 'cluster, valeur');
    expect(rows.map((x) => [x.cluster, x.valeur, x.nb_lignes, x.suggestion])).toEqual([
      [1, 'Amis du 11e, Les', 1, 'Les Amis du 11e'],
      [1, 'LES AMIS DU 11E', 1, 'Les Amis du 11e'],
      [1, 'Les Amis du 11e', 2, 'Les Amis du 11e'],
    ]);
    expect(r.detail).toEqual({ clusters: 1, values: 3, rows: 4 });
  });

  it('the 2-gram fingerprint also joins glued words', async () => {
    const r = await b.run('clusters', { table: 'tiers', column: 'nom', method: 'ngram' });
    const rows = await b.rows(r.table!, 'cluster, valeur');
    expect(rows.filter((x) => String(x.valeur).startsWith('Paris')).map((x) => x.valeur)).toEqual(['Paris Musées', 'ParisMusées']);
    expect(r.detail).toMatchObject({ clusters: 2 });
  });

  it('accepted mappings become a map_ table that queries can join', async () => {
    const res = await acceptClusters(b.ctx, {
      name: 'Bénéficiaires',
      mapping: { 'Amis du 11e, Les': 'Les Amis du 11e', 'LES AMIS DU 11E': 'Les Amis du 11e' },
    });
    expect(res.table).toBe('map_beneficiaires');
    expect(res.entry.op).toBe('clusters-accept');
    const r = await b.engine.query(
      `SELECT canonique, count(*) FROM (${canonicalJoinSql('tiers', 'nom', res.table!)}) WHERE canonique LIKE '%11%' GROUP BY 1`,
    );
    expect(r.rows).toEqual([['Les Amis du 11e', 4]]);
    await expect(acceptClusters(b.ctx, { name: 'x', mapping: {} })).rejects.toThrow(/au moins une correspondance/);
  });
});
