// Subsidies voted by the council against the payments that followed. Payments carry no dossier
// number, so the two meet at the beneficiary: by SIRET when both sides have one, by SIREN (the same
// legal person, another establishment), else by normalised name — exact first, then approximate
// (Jaro-Winkler), the score shown so an auditor can judge the match. Two different valid SIRENs are
// never matched by name: they are two legal persons, however alike their names.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { fingerprintSql, normalizeNameSql, normalizeSiretSql, normalizeTextSql, siretValidSql } from '../audit/normalize.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, requireTable, type OperationContext } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { count, euros, percent, plural, sqlEuros } from './format.ts';
import { columnRoles, proposeColumns } from './columns.ts';
import { amountSql } from './mapping.ts';

export const SUBSIDY_FLAGS = ['verse_sans_vote', 'vote_jamais_verse', 'verse_superieur_vote', 'siret_invalide', 'plusieurs_directions'] as const;
export type SubsidyFlag = (typeof SUBSIDY_FLAGS)[number];

export const SubsidyColumns = columnRoles({
  beneficiary: 'Colonne du nom du bénéficiaire',
  siret: 'Colonne du SIRET',
  amount: 'Colonne du montant (voté ou versé)',
  year: "Colonne de l'année",
  direction: 'Colonne de la direction (subventions votées)',
  dossier: 'Colonne du numéro de dossier (subventions votées)',
});
export type SubsidyColumns = z.infer<typeof SubsidyColumns>;
/** Without these a side cannot be read; direction and dossier are read from the votes only. */
export const REQUIRED_SUBSIDY_COLUMNS = ['beneficiary', 'amount'] as const satisfies readonly (keyof SubsidyColumns)[];
export const VOTE_ONLY_SUBSIDY_COLUMNS = ['direction', 'dossier'] as const satisfies readonly (keyof SubsidyColumns)[];

export const SubsidiesParams = z
  .object({
    voted: z.string().min(1).max(1000).describe('Table des subventions votées'),
    paid: z.string().min(1).max(1000).describe('Table des subventions versées'),
    votedColumns: SubsidyColumns.optional().describe('Colonnes des subventions votées ; reconnues par leur en-tête si absentes, "" pour aucune'),
    paidColumns: SubsidyColumns.optional().describe('Colonnes des versements ; reconnues par leur en-tête si absentes, "" pour aucune'),
    minSimilarity: z.number().min(0.5).max(1).default(0.92).describe('Similarité de Jaro-Winkler minimale pour rapprocher deux noms (0,92 par défaut)'),
    tolerance: z.number().min(0).default(1).describe('Écart toléré (€) entre versé et voté'),
    top: z.number().int().min(1).max(1000).default(10).describe('Nombre de premiers bénéficiaires listés dans le détail'),
  })
  .strict();
export type SubsidiesParams = z.infer<typeof SubsidiesParams>;

export interface SubsidiesDetail {
  flags: Record<SubsidyFlag, number>;
  voted: number;
  paid: number;
  beneficiaries: number;
  matchedBy: Record<string, number>;
  top: { beneficiary: string; siret: string | null; paid: number; share: number }[];
  concentration: { top10: number | null; top100: number | null };
  columns: { voted: SubsidyColumns; paid: SubsidyColumns };
}

const RULES: Record<keyof SubsidyColumns, RegExp[]> = {
  beneficiary: [/^(nom (du |de l )?(beneficiaire|organisme|association|tiers)|beneficiaire|raison sociale|nom|organisme|tiers)$/, /\b(beneficiaire|organisme|raison sociale|tiers)\b/],
  siret: [/^(n |numero |num )?siret( du beneficiaire)?$/, /\bsiret\b/],
  amount: [/^montant (vote|verse|attribue|paye|mandate|accorde)$/, /^montant\b/, /\b(montant|somme)\b/],
  year: [/^(annee|exercice|annee budgetaire|millesime)$/, /\b(annee|exercice)\b/],
  direction: [/^(direction|direction gestionnaire|service)$/, /\bdirection\b/],
  dossier: [/^(numero|n|num|no) (de |du )?dossier$/, /\bdossier\b(?!.*(objet|libelle|intitule))/],
};

/** Finds each subsidy column by its header (accents and case ignored); given columns win ('' for none). */
export function proposeSubsidyColumns(table: TableEntry, given: SubsidyColumns = {}): SubsidyColumns {
  return proposeColumns(table, RULES, given);
}

/**
 * One side's lines with their raw name and SIRET (as text) and their line number: `subsidiesSql`
 * groups the lines that share a name and a SIRET before it normalises them. The year and the
 * dossier number are checked, not read: no figure uses them.
 */
function sideSql(ctx: OperationContext, table: TableEntry, c: SubsidyColumns, withVoteFields: boolean): string {
  const ref = (f: keyof SubsidyColumns) => (c[f] ? `src.${quoteIdent(requireColumn(ctx, table.name, c[f]!).name)}` : null);
  const typeOf = (f: keyof SubsidyColumns) => table.columns.find((x) => x.name === c[f])?.type ?? 'VARCHAR';
  const b = ref('beneficiary')!;
  const s = ref('siret');
  ref('year');
  const cols = [
    `CAST(${b} AS VARCHAR) AS nom`,
    `${s ? `CAST(${s} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)'} AS siret_brut`,
    `${amountSql(ref('amount')!, typeOf('amount'))} AS montant`,
  ];
  if (withVoteFields) {
    const d = ref('direction');
    ref('dossier');
    cols.push(`${d ? `nullif(trim(CAST(${d} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)'} AS direction`);
  }
  // The line's position: rowid for a table (a view has none; row_number() would read it in one thread).
  return `SELECT ${cols.join(', ')}, ${table.kind === 'view' ? 'row_number() OVER ()' : 'src.rowid'} AS ligne FROM ${quoteIdent(table.name)} AS src`;
}

/**
 * `mode(nom)` of a group whose lines were summed by name first (`n` lines, the first at `premiere`):
 * the most frequent name, ties to the one seen first — what mode() does line by line.
 */
function modeOf(groups: string, key: string, from: string): string {
  return `(SELECT ${key}, arg_max(nom, struct_pack(n := n, p := -premiere)) AS nom FROM
    (SELECT ${key}, nom, sum(n) AS n, min(premiere) AS premiere FROM ${from} WHERE nom IS NOT NULL GROUP BY ALL) GROUP BY ${groups})`;
}

/** The whole reconciliation as one SELECT (exported for tests). */
export function subsidiesSql(p: SubsidiesParams, votedSql: string, paidSql: string): string {
  const tol = sqlValue(p.tolerance);
  const min = sqlValue(p.minSimilarity);
  // The lines of each side summed by raw name and SIRET (and direction for the votes): a register of
  // 500 000 lines holds a few times fewer of them. Each distinct name and SIRET is then normalised
  // once, not once per line. Counts, sums and the first line of each group keep every figure — and
  // mode()'s choice — what it was line by line.
  const sides = (col: string) => `SELECT ${col} FROM v_src UNION SELECT ${col} FROM p_src`;
  const lines = (src: string, extra: string) =>
    `SELECT s.nom, n.nom_n, n.nom_fp, si.siret, si.siret_ok, s.n, s.montant, s.premiere${extra} FROM ${src} AS s
      JOIN noms AS n ON s.nom IS NOT DISTINCT FROM n.nom JOIN sirets AS si ON s.siret_brut IS NOT DISTINCT FROM si.siret_brut`;
  const ctes = [
    `v_src AS (SELECT nom, siret_brut, direction, count(*) AS n, sum(montant) AS montant, min(ligne) AS premiere FROM (${votedSql}) GROUP BY ALL)`,
    `p_src AS (SELECT nom, siret_brut, count(*) AS n, sum(montant) AS montant, min(ligne) AS premiere FROM (${paidSql}) GROUP BY ALL)`,
    `noms_n AS (SELECT nom, ${normalizeNameSql('nom')} AS nom_n FROM (${sides('nom')}))`,
    // Word order ignored (« Les habitants du quartier (Fédération) » = « Fédération Les habitants du quartier »).
    // (fingerprintSql normalises its input first: nom_n is normalised already, so that step is left out.)
    `noms AS (SELECT n.nom, n.nom_n, f.nom_fp FROM noms_n AS n JOIN
        (SELECT nom_n, ${fingerprintSql('nom_n').replace(normalizeTextSql('nom_n'), 'nom_n')} AS nom_fp FROM (SELECT DISTINCT nom_n FROM noms_n)) AS f
        ON n.nom_n IS NOT DISTINCT FROM f.nom_n)`,
    `sirets AS (SELECT siret_brut, siret, coalesce(${siretValidSql('siret')}, FALSE) AS siret_ok FROM
        (SELECT siret_brut, ${normalizeSiretSql('siret_brut')} AS siret FROM (${sides('siret_brut')})))`,
    `v AS (${lines('v_src', ', s.direction')})`,
    `p AS (${lines('p_src', '')})`,
    // A vote without SIRET joins the SIRET its name carries elsewhere in the votes, when that is one SIRET only.
    // Votes without SIRET are grouped by their words in any order, so one body typed two ways stays one.
    `name_siret AS (SELECT nom_fp, min(siret) AS siret FROM v WHERE siret IS NOT NULL AND nom_fp IS NOT NULL GROUP BY nom_fp HAVING count(DISTINCT siret) = 1)`,
    // (The join key is NULL for votes with a SIRET: `v.siret IS NULL AND …` in the ON clause made a nested-loop join.)
    `vk AS (SELECT v.*, coalesce(v.siret, ns.siret, 'NOM:' || v.nom_fp) AS cle FROM v LEFT JOIN name_siret AS ns ON ns.nom_fp = CASE WHEN v.siret IS NULL THEN v.nom_fp END)`,
    `ent AS (SELECT cle, m.nom AS beneficiaire, a.siret, a.montant_vote, a.nb_dossiers, coalesce(d.nb_directions, 0) AS nb_directions, d.directions, a.siret_ok FROM
        (SELECT cle, max(siret) AS siret, sum(montant) AS montant_vote, sum(n) AS nb_dossiers, arg_max(siret_ok, siret) AS siret_ok FROM vk GROUP BY cle) AS a
        LEFT JOIN (SELECT cle, count(*) AS nb_directions, array_to_string(list_sort(list(direction)), ', ') AS directions
          FROM (SELECT DISTINCT cle, direction FROM vk WHERE direction IS NOT NULL) GROUP BY cle) AS d USING (cle)
        LEFT JOIN ${modeOf('cle', 'cle', 'vk')} AS m USING (cle))`,
    `ent_names AS (SELECT DISTINCT vk.cle, vk.nom_n, vk.nom_fp, ent.siret, coalesce(ent.siret_ok, FALSE) AS siret_ok FROM vk JOIN ent USING (cle) WHERE vk.nom_n IS NOT NULL)`,
    `pg AS (SELECT a.siret, a.nom_n, a.nom_fp, m.nom, a.montant, a.nb, a.siret_ok FROM
        (SELECT siret, nom_n, any_value(nom_fp) AS nom_fp, sum(montant) AS montant, sum(n) AS nb, any_value(siret_ok) AS siret_ok FROM p GROUP BY siret, nom_n) AS a
        LEFT JOIN ${modeOf('siret, nom_n', 'siret, nom_n', 'p')} AS m ON m.siret IS NOT DISTINCT FROM a.siret AND m.nom_n IS NOT DISTINCT FROM a.nom_n)`,
    `m_siret AS (SELECT pg.siret, pg.nom_n, ent.cle, 'siret' AS methode, 1.0 AS score FROM pg JOIN ent ON pg.siret = ent.siret)`,
    `m_siren AS (SELECT pg.siret, pg.nom_n, min(ent.cle) AS cle, 'siren' AS methode, 1.0 AS score FROM pg JOIN ent
        ON length(pg.siret) = 14 AND substr(pg.siret, 1, 9) = substr(ent.siret, 1, 9)
      WHERE NOT EXISTS (SELECT 1 FROM m_siret AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n)
      GROUP BY ALL HAVING count(DISTINCT ent.cle) = 1)`,
    `m_done AS (SELECT siret, nom_n FROM m_siret UNION ALL SELECT siret, nom_n FROM m_siren)`,
    // Name matching only where at most one side has a valid SIRET: two different SIRENs are two bodies.
    `pg_open AS (SELECT pg.siret, pg.nom_n, pg.nom_fp, pg.siret_ok FROM pg WHERE pg.nom_n IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM m_done AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n))`,
    // The same normalised name, or the same words in another order: equality, so hash joins.
    `cand_eq AS (SELECT po.siret, po.nom_n, en.cle, en.nom_n AS en_nom_n, en.nom_fp AS en_nom_fp, po.nom_fp FROM pg_open AS po JOIN ent_names AS en
          ON po.nom_n = en.nom_n WHERE NOT (po.siret_ok AND en.siret_ok)
        UNION ALL SELECT po.siret, po.nom_n, en.cle, en.nom_n, en.nom_fp, po.nom_fp FROM pg_open AS po JOIN ent_names AS en
          ON po.nom_fp = en.nom_fp WHERE po.nom_n <> en.nom_n AND NOT (po.siret_ok AND en.siret_ok))`,
    // Approximate names (Jaro-Winkler) only for payments that met neither: an exact name or the same
    // words always rank first. Compared within blocks, never every payment against every vote, and
    // under the first-letter rule as before. With r1 and r2 a name's rarest and second rarest words
    // (frequency over the voted names, ties by the word), two names are compared when:
    //   one's r1 is the other's r1 or r2        — any one word misspelt, added or dropped, except r1;
    //   they share r2 and r1's first or last three letters — r1 misspelt;
    //   they share r2, and one's r1 has five letters or fewer — a short r1 misspelt;
    //   they are the same without spaces        — words glued or split;
    //   one-word names: same first and last three letters — the word misspelt.
    // Not compared: names that differ beyond that (two words misspelt, r1 dropped…).
    `pg_fuzzy AS (SELECT * FROM pg_open AS po WHERE NOT EXISTS (SELECT 1 FROM cand_eq AS c WHERE c.siret IS NOT DISTINCT FROM po.siret AND c.nom_n = po.nom_n))`,
    `en_words AS (SELECT DISTINCT nom_n, unnest(string_split(nom_n, ' ')) AS mot FROM (SELECT DISTINCT nom_n FROM ent_names))`,
    `word_freq AS (SELECT mot, count(*) AS n FROM en_words GROUP BY mot)`,
    `pg_words AS (SELECT DISTINCT nom_n, unnest(string_split(nom_n, ' ')) AS mot FROM (SELECT DISTINCT nom_n FROM pg_fuzzy))`,
    ...(['en', 'pg'] as const).flatMap((side) => [
      `${side}_rare AS (SELECT nom_n, max(mot) FILTER (WHERE r = 1) AS r1, max(mot) FILTER (WHERE r = 2) AS r2 FROM
          (SELECT w.nom_n, w.mot, row_number() OVER (PARTITION BY w.nom_n ORDER BY coalesce(f.n, 0), w.mot) AS r
            FROM ${side}_words AS w LEFT JOIN word_freq AS f USING (mot)) WHERE r <= 2 GROUP BY nom_n)`,
      `${side}_keys AS (SELECT nom_n, 1 AS t, r1 AS k FROM ${side}_rare UNION ALL SELECT nom_n, 2, r2 FROM ${side}_rare WHERE r2 IS NOT NULL
          UNION ALL SELECT nom_n, 3, left(r1, 3) || ' ' || r2 FROM ${side}_rare WHERE r2 IS NOT NULL
          UNION ALL SELECT nom_n, 4, right(r1, 3) || ' ' || r2 FROM ${side}_rare WHERE r2 IS NOT NULL
          UNION ALL SELECT nom_n, 5, replace(nom_n, ' ', '') FROM ${side}_rare
          UNION ALL SELECT nom_n, 6, left(nom_n, 3) || ' ' || right(nom_n, 3) FROM ${side}_rare WHERE r2 IS NULL
          UNION ALL SELECT nom_n, 7, r2 FROM ${side}_rare WHERE r2 IS NOT NULL AND length(r1) <= 5)`,
    ]),
    // (Three equality joins: a join on the word with the ranks tested after it would still walk the
    // large blocks of two second-rarest words, often a place name.)
    `fuzzy_pairs AS (SELECT pg_nom, en_nom FROM (SELECT DISTINCT pg_nom, en_nom FROM (
          SELECT a.nom_n AS pg_nom, b.nom_n AS en_nom FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 1 AND b.t <= 2
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 2 AND b.t = 1
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 7 AND b.t = 2
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 2 AND b.t = 7
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.t = b.t AND a.k = b.k WHERE a.t BETWEEN 3 AND 6)
        WHERE left(pg_nom, 1) = left(en_nom, 1))
      WHERE jaro_winkler_similarity(pg_nom, en_nom, ${min}) >= ${min})`,
    `cand_fuzzy AS (SELECT pf.siret, pf.nom_n, en.cle, en.nom_n AS en_nom_n, en.nom_fp AS en_nom_fp, pf.nom_fp FROM pg_fuzzy AS pf
        JOIN fuzzy_pairs AS fp ON fp.pg_nom = pf.nom_n JOIN ent_names AS en ON en.nom_n = fp.en_nom WHERE NOT (pf.siret_ok AND en.siret_ok))`,
    `name_cand AS (SELECT siret, nom_n, cle,
        CASE WHEN nom_n = en_nom_n THEN 'nom exact' WHEN nom_fp = en_nom_fp THEN 'mêmes mots' ELSE 'nom approché' END AS methode,
        CASE WHEN nom_n = en_nom_n THEN 3 WHEN nom_fp = en_nom_fp THEN 2 ELSE 1 END AS rang,
        CASE WHEN nom_fp = en_nom_fp THEN 1.0 ELSE jaro_winkler_similarity(nom_n, en_nom_n) END AS score
      FROM (SELECT * FROM cand_eq UNION ALL SELECT * FROM cand_fuzzy))`,
    // The best candidate: exact name, then same words, then the highest similarity; between equals, the smallest key
    // (before, whichever row came first: the choice could change with the number of threads).
    `m_name AS (SELECT siret, nom_n, arg_min(cle, best) AS cle, arg_min(methode, best) AS methode, arg_min(score, best) AS score
      FROM (SELECT *, struct_pack(r := -(rang * 10 + score), cle := cle) AS best FROM name_cand) GROUP BY siret, nom_n)`,
    `matched AS (SELECT * FROM m_siret UNION ALL SELECT * FROM m_siren UNION ALL SELECT siret, nom_n, cle, methode, score FROM m_name)`,
    `pm AS (SELECT pg.*, m.cle, m.methode, m.score FROM pg LEFT JOIN matched AS m ON m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n)`,
    `paid_ent AS (SELECT cle, sum(montant) AS montant_verse, sum(nb) AS nb_versements, string_agg(DISTINCT nom, ' | ' ORDER BY nom) AS noms_verses,
        string_agg(DISTINCT methode, ', ' ORDER BY methode) AS methode, min(score) AS score FROM pm WHERE cle IS NOT NULL GROUP BY cle)`,
    `rows AS (SELECT ent.*, pe.montant_verse, pe.nb_versements, pe.noms_verses, pe.methode, pe.score FROM ent LEFT JOIN paid_ent AS pe USING (cle))`,
    // Sources listed votes first, as the lines came; the name shown: the most frequent, ties to the first seen (votes first).
    `bad_lines AS (SELECT siret, 'votes' AS source, nom, n, premiere FROM v WHERE siret IS NOT NULL AND NOT siret_ok
        UNION ALL SELECT siret, 'versements', nom, n, premiere + 1 + coalesce((SELECT max(premiere) FROM v), 0) FROM p WHERE siret IS NOT NULL AND NOT siret_ok)`,
    `bad_siret AS (SELECT b.siret, b.sources, m.nom FROM (SELECT siret, string_agg(DISTINCT source, ' et ' ORDER BY source DESC) AS sources FROM bad_lines GROUP BY siret) AS b
        LEFT JOIN ${modeOf('siret', 'siret', 'bad_lines')} AS m USING (siret))`,
  ];
  const base = {
    beneficiaire: 'r.beneficiaire', siret: 'r.siret', noms_verses: 'r.noms_verses', methode: 'r.methode', score: 'r.score',
    montant_vote: 'r.montant_vote', montant_verse: 'r.montant_verse', ecart: 'coalesce(r.montant_verse, 0) - coalesce(r.montant_vote, 0)',
    nb_dossiers: 'r.nb_dossiers', nb_versements: 'r.nb_versements', directions: 'r.directions', cle: 'r.cle',
  };
  const who = `r.beneficiaire || coalesce(' (SIRET ' || r.siret || ')', '')`;
  const entityFlags: [SubsidyFlag, string, string][] = [
    [
      'vote_jamais_verse',
      `r.montant_vote > 0 AND coalesce(r.montant_verse, 0) = 0`,
      `'Subvention votée jamais versée — ' || ${who} || ' : ' || ${sqlEuros('r.montant_vote')} || ' votés sur ' || r.nb_dossiers || ' dossier(s), aucun versement rapproché.'`,
    ],
    [
      'verse_superieur_vote',
      `r.montant_verse > r.montant_vote + ${tol}`,
      `'Versé supérieur au voté — ' || ${who} || ' : ' || ${sqlEuros('r.montant_verse')} || ' versés en ' || r.nb_versements || ' versement(s) pour ' || ${sqlEuros('r.montant_vote')} || ' votés, soit ' || ${sqlEuros('r.montant_verse - r.montant_vote')} || ' de plus (rapprochement : ' || r.methode || ').'`,
    ],
    [
      'plusieurs_directions',
      `r.nb_directions > 1`,
      `'Plusieurs directions — ' || ${who} || ' est financé par ' || r.nb_directions || ' directions (' || r.directions || ').'`,
    ],
  ];
  const cols: [string, string][] = [
    ['portee', 'VARCHAR'], ['cle', 'VARCHAR'], ['beneficiaire', 'VARCHAR'], ['siret', 'VARCHAR'], ['noms_verses', 'VARCHAR'],
    ['methode', 'VARCHAR'], ['score', 'DOUBLE'], ['montant_vote', 'DECIMAL(38,2)'], ['montant_verse', 'DECIMAL(38,2)'],
    ['ecart', 'DECIMAL(38,2)'], ['nb_dossiers', 'BIGINT'], ['nb_versements', 'BIGINT'], ['directions', 'VARCHAR'],
    ['flag', 'VARCHAR'], ['explication', 'VARCHAR'],
  ];
  const sel = (v: Record<string, string>) => 'SELECT ' + cols.map(([n, t]) => `CAST(${v[n] ?? 'NULL'} AS ${t}) AS ${quoteIdent(n)}`).join(', ');
  const parts: string[] = [];
  for (const [flag, cond, expl] of entityFlags) {
    parts.push(`${sel({ portee: `'beneficiaire'`, ...base, flag: `'${flag}'`, explication: expl })} FROM rows AS r WHERE coalesce(${cond}, FALSE)`);
  }
  parts.push(`${sel({ portee: `'beneficiaire'`, ...base })} FROM rows AS r WHERE NOT (${entityFlags.map(([, c]) => `coalesce(${c}, FALSE)`).join(' OR ')})`);
  parts.push(
    `${sel({
      portee: `'versement'`, beneficiaire: 'pm.nom', siret: 'pm.siret', noms_verses: 'pm.nom', montant_verse: 'pm.montant', ecart: 'pm.montant',
      nb_versements: 'pm.nb', flag: `'verse_sans_vote'`,
      explication: `'Versé sans vote — ' || pm.nom || coalesce(' (SIRET ' || pm.siret || ')', '') || ' : ' || ${sqlEuros('pm.montant')} || ' versés en ' || pm.nb || ' versement(s) ; aucune subvention votée ne lui correspond (ni SIRET, ni SIREN, ni nom à ' || ${sqlValue(Math.round(p.minSimilarity * 100))} || ' % de similarité).'`,
    })} FROM pm WHERE pm.cle IS NULL`,
  );
  parts.push(
    `${sel({
      portee: `'siret'`, beneficiaire: 'b.nom', siret: 'b.siret', flag: `'siret_invalide'`,
      explication: `'SIRET invalide — ' || b.siret || ' (' || b.nom || ', dans les ' || b.sources || ') : ' || CASE WHEN length(b.siret) <> 14 THEN length(b.siret) || ' chiffres au lieu de 14.' ELSE 'la clé de Luhn ne vérifie pas (chiffre erroné ou inversé).' END`,
    })} FROM bad_siret AS b`,
  );
  return `WITH ${ctes.join(',\n')}\nSELECT * FROM (${parts.join('\nUNION ALL\n')}) ORDER BY portee, coalesce(montant_verse, montant_vote) DESC NULLS LAST, beneficiaire, flag NULLS FIRST`;
}

export const subsidiesReconcile = registerOperation<SubsidiesParams, SubsidiesDetail>({
  id: 'subsidies-reconcile',
  kind: 'budget',
  description: 'Rapproche subventions votées et versées par SIRET ou nom normalisé : versé sans vote, jamais versé, versé au-delà du vote, SIRET invalides, concentration',
  params: SubsidiesParams,
  async run(ctx, p) {
    const vt = requireTable(ctx, p.voted);
    const pt = requireTable(ctx, p.paid);
    const vc = proposeSubsidyColumns(vt, p.votedColumns);
    const pc = proposeSubsidyColumns(pt, p.paidColumns);
    for (const [t, c] of [[vt, vc], [pt, pc]] as const) {
      if (REQUIRED_SUBSIDY_COLUMNS.some((f) => !c[f])) {
        throw new OperationError(`Colonnes du bénéficiaire ou du montant introuvables dans « ${t.name} » : indiquez-les (votedColumns / paidColumns).`, c);
      }
    }
    const select = subsidiesSql(p, sideSql(ctx, vt, vc, true), sideSql(ctx, pt, pc, false));
    const { table, sql } = await createResultTable(ctx, 'subsidies-reconcile', select);
    const t = quoteIdent(table);
    const flags = Object.fromEntries(SUBSIDY_FLAGS.map((f) => [f, 0])) as Record<SubsidyFlag, number>;
    for (const [f, n] of (await ctx.engine.query(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY flag`)).rows) flags[f as SubsidyFlag] = Number(n);
    // Entities appear once per flag: figures are taken over distinct keys; unmatched payments are their own beneficiaries.
    const ents = `(SELECT DISTINCT cle, beneficiaire, siret, montant_vote, montant_verse, methode FROM ${t} WHERE portee = 'beneficiaire'
      UNION ALL SELECT NULL, beneficiaire, siret, NULL, montant_verse, NULL FROM ${t} WHERE portee = 'versement')`;
    const totals = await ctx.engine.query(`SELECT CAST(sum(montant_vote) AS DOUBLE), CAST(sum(montant_verse) AS DOUBLE), count(*) FROM ${ents}`);
    const [voted, paid, beneficiaries] = (totals.rows[0] ?? []).map((x) => Number(x ?? 0)) as [number, number, number];
    const topRows = await ctx.engine.query(
      `SELECT beneficiaire, siret, CAST(montant_verse AS DOUBLE), CAST(montant_verse AS DOUBLE) / nullif(sum(CAST(montant_verse AS DOUBLE)) OVER (), 0),
         row_number() OVER (ORDER BY montant_verse DESC, beneficiaire) AS rang
       FROM ${ents} WHERE montant_verse > 0 QUALIFY rang <= ${Math.max(p.top, 100)} ORDER BY rang`,
    );
    const shareOf = (n: number) => (topRows.rows.length ? topRows.rows.slice(0, n).reduce((s, r) => s + Number(r[3] ?? 0), 0) : null);
    const top = topRows.rows.slice(0, p.top).map((r) => ({ beneficiary: String(r[0]), siret: r[1] === null ? null : String(r[1]), paid: Number(r[2]), share: Number(r[3]) }));
    const by = await ctx.engine.query(`SELECT coalesce(methode, 'aucun'), count(*) FROM (SELECT DISTINCT cle, methode FROM ${t} WHERE portee = 'beneficiaire' AND montant_verse IS NOT NULL) GROUP BY 1`);
    const matchedBy = Object.fromEntries(by.rows.map(([m, n]) => [String(m), Number(n)]));
    const concentration = { top10: shareOf(10), top100: shareOf(100) };
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const flagText = SUBSIDY_FLAGS.filter((f) => flags[f]).map((f) => `${f} : ${count(flags[f])}`).join(', ');
    return {
      table,
      sql: [sql],
      inputs: [inputOf(ctx, vt.name), inputOf(ctx, pt.name)],
      summary:
        `Subventions votées (« ${vt.name} ») et versées (« ${pt.name} ») rapprochées par SIRET, SIREN ou nom normalisé : ` +
        `${count(beneficiaries)} bénéficiaires, ${euros(voted)} votés, ${euros(paid)} versés. ` +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'} ` +
        `Les 10 premiers bénéficiaires reçoivent ${percent(concentration.top10)} des versements, les 100 premiers ${percent(concentration.top100)}.`,
      detail: { flags, voted, paid, beneficiaries, matchedBy, top, concentration, columns: { voted: vc, paid: pc } },
    };
  },
});
