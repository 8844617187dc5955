// The reconciliation aggregates both sides at once and reads the keys held by one line a side off that
// line. Its result must be the very table the plain way gives: each side grouped on its own, then a
// FULL JOIN. The plain way is written here, on generated tables that hold the traps: keys repeated on
// one side or both, rows without a key, SIRETs written with spaces, as floats or without their leading
// zeros, compared values that are NULL, repeated or different within a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeKeySql, normalizeSiretSql } from '../../src/core/audit/normalize.ts';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;

/** 1,200 keys; each side takes a share of them, some twice or three times, some rows lose their key. */
function sideSql(side: 0 | 1): string {
  // i: row number; k: the body (key) it belongs to. Choices are arithmetic on i, so the data is fixed.
  const k = side === 0 ? 'i % 1000' : '(i % 1000) + 200';
  const siret = `lpad(CAST(((${k}) * 7919 + 12345) % 100000000000000 AS VARCHAR), 14, '0')`;
  // How the SIRET is written: as is, with spaces, without its leading zeros, as a float, blank.
  const written = `CASE (i * 7 + ${side}) % 11
      WHEN 0 THEN substr(${siret}, 1, 3) || ' ' || substr(${siret}, 4, 3) || ' ' || substr(${siret}, 7)
      WHEN 1 THEN ltrim(${siret}, '0')
      WHEN 2 THEN ltrim(${siret}, '0') || '.0'
      WHEN 3 THEN CASE WHEN i % 5 = 0 THEN NULL ELSE ${siret} END
      WHEN 4 THEN CASE WHEN i % 3 = 0 THEN '  ' ELSE ${siret} END
      ELSE ${siret} END`;
  // Amounts: the same on both sides for most bodies, another for some, NULL for a few.
  const amount = `CASE WHEN i % 13 = 0 THEN NULL WHEN (${k}) % 17 = ${side} THEN 100 + (${k}) + ${side} ELSE 100 + (${k}) + (i % 2) * ((${k}) % 4 = 0)::INTEGER END`;
  const year = `2020 + ((${k}) % 3)`;
  const label = `CASE i % 4 WHEN 0 THEN 'Fête' WHEN 1 THEN 'FETE ' WHEN 2 THEN 'fête' ELSE NULL END`;
  // Rows 0–999 once each, then repeats: 1000–1299 repeat bodies 0–299, 1300–1349 a third time.
  const n = side === 0 ? 1350 : 1200;
  return `SELECT ${written} AS siret, ${year} AS annee, CAST(${amount} AS DECIMAL(18, 2)) AS montant, ${label} AS objet
    FROM (SELECT CASE WHEN r < 1000 THEN r WHEN r < 1300 THEN r - 1000 ELSE r - 1300 END AS i FROM range(${n}) t(r) ORDER BY r)`;
}

beforeAll(async () => {
  b = await auditBench();
  await b.table('gauche', sideSql(0));
  await b.table('droite', sideSql(1));
});
afterAll(() => b.close());

/** The plain reconciliation for these two tables: each side grouped on its own, then a FULL JOIN. */
function referenceSql(objetMode: 'exact' | 'key'): string {
  const obj = (c: string) => (objetMode === 'key' ? normalizeKeySql(c) : c);
  const side = (t: string) => `SELECT CAST(rowid + 1 AS INTEGER) AS ligne, ${normalizeSiretSql('siret')} AS k0, annee AS k1,
      montant AS c0, ${obj('objet')} AS c1, CAST(montant AS DECIMAL(38, 2)) AS m FROM ${t}`;
  const cmp = (i: number) => `list_sort(list_distinct(list(c${i}))) AS s${i}, bool_or(c${i} IS NULL) AS n${i},
      CASE WHEN count(DISTINCT c${i}) + max(CASE WHEN c${i} IS NULL THEN 1 ELSE 0 END) <= 1 THEN any_value(c${i}) END AS v${i}`;
  const grouped = (t: string) =>
    `SELECT k0, k1, count(*) AS nb, list(ligne ORDER BY ligne) AS lignes, sum(m) AS m, ${cmp(0)}, ${cmp(1)} FROM (${side(t)}) WHERE k0 IS NOT NULL AND k1 IS NOT NULL GROUP BY k0, k1`;
  const d = (i: number) =>
    `(a.nb IS NOT NULL AND b.nb IS NOT NULL AND (a.s${i} IS DISTINCT FROM b.s${i} OR a.n${i} IS DISTINCT FROM b.n${i}))`;
  const noKey = (t: string, own: 'gauche' | 'droite') =>
    `SELECT 'sans_cle_${own}' AS statut, k0 AS cle_siret, k1 AS cle_annee, ${own === 'gauche' ? '1 AS nb_gauche, 0 AS nb_droite' : '0 AS nb_gauche, 1 AS nb_droite'},
       [ligne] AS lignes_${own}, c0 AS ${own}_montant, c1 AS ${own}_objet, m AS montant_${own}, ligne AS _ordre
     FROM (${side(t)}) WHERE NOT (k0 IS NOT NULL AND k1 IS NOT NULL)`;
  return `WITH a AS (${grouped('gauche')}), b AS (${grouped('droite')}),
    j AS (SELECT CASE WHEN a.nb IS NULL THEN 'seulement_droite' WHEN b.nb IS NULL THEN 'seulement_gauche'
          WHEN ${d(0)} OR ${d(1)} THEN 'apparie_avec_ecarts' ELSE 'apparie' END AS statut,
        coalesce(a.k0, b.k0) AS cle_siret, coalesce(a.k1, b.k1) AS cle_annee, coalesce(a.nb, 0) AS nb_gauche, coalesce(b.nb, 0) AS nb_droite,
        CASE WHEN a.nb > 1 AND b.nb > 1 THEN 'gauche et droite' WHEN a.nb > 1 THEN 'gauche' WHEN b.nb > 1 THEN 'droite' END AS doublon,
        a.lignes AS lignes_gauche, b.lignes AS lignes_droite,
        nullif(concat_ws(', ', CASE WHEN ${d(0)} THEN 'montant' END, CASE WHEN ${d(1)} THEN 'objet' END), '') AS colonnes_en_ecart,
        a.v0 AS gauche_montant, b.v0 AS droite_montant, coalesce(${d(0)}, FALSE) AS ecart_montant,
        a.v1 AS gauche_objet, b.v1 AS droite_objet, coalesce(${d(1)}, FALSE) AS ecart_objet,
        a.m AS montant_gauche, b.m AS montant_droite, coalesce(a.m, 0) - coalesce(b.m, 0) AS ecart_montant_1, NULL::INTEGER AS _ordre
      FROM a FULL JOIN b ON a.k0 = b.k0 AND a.k1 = b.k1),
    u AS (SELECT * FROM j UNION ALL BY NAME ${noKey('gauche', 'gauche')} UNION ALL BY NAME ${noKey('droite', 'droite')})
    SELECT * EXCLUDE (_ordre) FROM u ORDER BY CASE statut WHEN 'seulement_gauche' THEN 1 WHEN 'seulement_droite' THEN 2 WHEN 'apparie_avec_ecarts' THEN 3
      WHEN 'sans_cle_gauche' THEN 4 WHEN 'sans_cle_droite' THEN 5 ELSE 6 END, cle_siret NULLS LAST, cle_annee NULLS LAST, _ordre`;
}

/** Every row of a query, in its order, as text (lists and decimals included). */
async function rowsAsText(sql: string): Promise<string[]> {
  const r = await b.engine.query(`SELECT CAST(x AS VARCHAR) FROM (${sql}) AS x`);
  return r.rows.map((row) => String(row[0]));
}

describe('reconcile at scale: one aggregate for both sides, the single lines read as they are', () => {
  for (const mode of ['exact', 'key'] as const) {
    it(`gives the plain reconciliation's table, row for row (objet compared ${mode})`, async () => {
      const r = await b.run('reconcile', {
        left: 'gauche',
        right: 'droite',
        keys: [
          { left: 'siret', right: 'siret', mode: 'siret' },
          { left: 'annee', right: 'annee', mode: 'exact' },
        ],
        compare: [
          { left: 'montant', right: 'montant' },
          { left: 'objet', right: 'objet', mode },
        ],
        amount: { left: 'montant', right: 'montant' },
      });
      const got = await rowsAsText(`SELECT * FROM "${r.table}"`);
      const want = await rowsAsText(referenceSql(mode));
      // The traps are there: repeats on each side and on both, rows without a key, differences.
      const st = (r.detail as { statuses: Record<string, number> }).statuses;
      expect(
        st.apparie! * st.apparie_avec_ecarts! * st.seulement_gauche! * st.seulement_droite! * st.sans_cle_gauche! * st.sans_cle_droite!,
      ).toBeGreaterThan(0);
      const dup = await b.engine.query(
        `SELECT count(*) FILTER (WHERE doublon = 'gauche'), count(*) FILTER (WHERE doublon = 'droite'), count(*) FILTER (WHERE doublon = 'gauche et droite') FROM "${r.table}"`,
      );
      expect(dup.rows[0]!.map(Number).every((n) => n > 0)).toBe(true);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
    });
  }
});
