// Subsidies voted by the council against the payments that followed. Payments carry no dossier
// number, so the two meet at the beneficiary: by SIRET when both sides have one, by SIREN (the same
// legal person, another establishment), else by normalised name — exact first, then approximate
// (Jaro-Winkler), the score shown so an auditor can judge the match. Two different valid SIRENs are
// never matched by name: they are two legal persons, however alike their names.
//
// An approximate match is a guess, so it only fills a gap: a payment or a beneficiary that met its
// counterpart exactly (SIRET, SIREN, same name, same words) leaves the pool before any guess, and a
// guess pairs one paid name with one beneficiary. On the real 2013 Paris file, « THEATRE DE LA
// VILLE » (11,9 M€ paid) was poured into « Théâtre de la Véranda » (6 000 € voted, and paid exactly
// under its own name) at 0,921: a phantom overpayment of 11,9 M€.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { fingerprintSql, normalizeNameSql, normalizeSiretSql, normalizeTextSql, siretValidSql } from '../audit/normalize.ts';
import { population, populationLine, rateOver, rateText, type Population } from '../ops/population.ts';
import {
  createResultTable,
  inputOf,
  OperationError,
  registerOperation,
  requireColumn,
  requireTable,
  type OperationContext,
} from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { count, euros, percent, plural, sqlEuros, sqlPercent } from './format.ts';
import { columnRoles, proposeColumns, resultRowSql } from './columns.ts';
import { amountSql } from './mapping.ts';
import { isTemporalType } from '../sql/types.ts';

export const SUBSIDY_FLAGS = [
  'verse_sans_vote',
  'vote_jamais_verse',
  'verse_superieur_vote',
  'rapprochement_ambigu',
  'sans_nom',
  'siret_invalide',
  'plusieurs_directions',
] as const;
export type SubsidyFlag = (typeof SUBSIDY_FLAGS)[number];

/** How a payment met its vote, strongest first. */
export const MATCH_METHODS = ['siret', 'siren', 'nom exact', 'mêmes mots', 'nom approché'] as const;

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
    votedColumns: SubsidyColumns.optional().describe(
      'Colonnes des subventions votées ; reconnues par leur en-tête si absentes, "" pour aucune',
    ),
    paidColumns: SubsidyColumns.optional().describe('Colonnes des versements ; reconnues par leur en-tête si absentes, "" pour aucune'),
    minSimilarity: z
      .number()
      .min(0.5)
      .max(1)
      .default(0.92)
      .describe('Similarité de Jaro-Winkler minimale pour rapprocher deux noms (0,92 par défaut)'),
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
  /** Beneficiaries (voted bodies) reached by each method; « aucun » never appears: unmatched payments are flags. */
  matchedBy: Record<string, number>;
  /** What each side read, used and set aside (lines). */
  population: { voted: Population; paid: Population };
  /** Payment lines matched to a vote, by method (every method listed, 0 included). */
  paidLinesBy: Record<(typeof MATCH_METHODS)[number], number>;
  /** Named payment lines left without a vote, and those left alone because two beneficiaries tied. */
  paidUnmatched: number;
  paidAmbiguous: number;
  /** Lines whose beneficiary name is blank: listed one by one, never a beneficiary. */
  blank: { voted: number; paid: number; votedAmount: number; paidAmount: number };
  /** Distinct invalid SIRETs and the lines that carry them, per side. */
  invalidSirets: { sirets: number; votedLines: number; paidLines: number };
  /** Share of the named payment lines matched to a vote, or why there is none. */
  matchRate: { value: number | null; refused?: string };
  /** The years each side covers (null: no year column, or none readable). */
  years: { voted: number[] | null; paid: number[] | null };
  /** Cautions the headline depends on (years that differ, no year column). */
  warnings: string[];
  top: { beneficiary: string; siret: string | null; paid: number; share: number }[];
  concentration: { top10: number | null; top100: number | null; refused?: string };
  columns: { voted: SubsidyColumns; paid: SubsidyColumns };
}

// Headers as published: the Paris portal (« Nom du bénéficiaire », « Montant voté »), the 2013 Paris
// file (« Nom du partenaire », « N° SIRET », « Montant voté par demande »), the accounts annex
// (« name », « montant_total »), SIRENE extracts (« denominationunitelegale ») and Rennes
// (« Bénéficiaire », « Budget de l'année »). A requested amount (« montant demandé ») is not the amount.
const RULES: Record<keyof SubsidyColumns, RegExp[]> = {
  beneficiary: [
    /^(nom (du |de l |de la )?(beneficiaire|organisme|association|tiers|partenaire|structure)|beneficiaire|raison sociale|nom|name|organisme|tiers|partenaire|denomination( unite legale| sociale)?|denominationunitelegale)$/,
    /\b(beneficiaire|organisme|raison sociale|tiers|partenaire|denomination\w*)\b/,
  ],
  siret: [/^(n |no |numero |num )?siret( du beneficiaire| de l etablissement)?$/, /\bsiret\b/],
  amount: [
    /^(montant|budget) (total )?(vote|verse|attribue|paye|mandate|accorde|alloue)\b/,
    /^(montant|montant total|montant de la subvention|budget de l annee|budget)$/,
    /^montant\b(?! (demande|sollicite))/,
    /\b(montant|somme)\b(?! (demande|sollicite))/,
  ],
  year: [
    /^(annee|exercice|annee budgetaire|exercice budgetaire|millesime|year|annee de vote)$/,
    /^(?!budget)(.*\s)?(annee|exercice|year)\b/,
  ],
  direction: [/^(direction|direction gestionnaire|service)$/, /\bdirection\b/],
  dossier: [/^(numero|n|num|no) (de |du )?dossier$/, /\bdossier\b(?!.*(objet|libelle|intitule))/],
};

/** Finds each subsidy column by its header (accents and case ignored); given columns win ('' for none). */
export function proposeSubsidyColumns(table: TableEntry, given: SubsidyColumns = {}): SubsidyColumns {
  return proposeColumns(table, RULES, given);
}

/**
 * One side's lines with their raw name and SIRET (as text) and their line number: `subsidiesSql`
 * groups the lines that share a name and a SIRET before it normalises them. The dossier number is
 * read for the lines without a name (each is listed with it); the year is read by `yearsSql`.
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
  const d = withVoteFields ? ref('direction') : null;
  const dossier = withVoteFields ? ref('dossier') : null;
  cols.push(`${d ? `nullif(trim(CAST(${d} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)'} AS direction`);
  cols.push(`${dossier ? `nullif(trim(CAST(${dossier} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)'} AS dossier`);
  // The line's number, from 1: rowid + 1 for a table (a view has none; row_number() would read it in one thread).
  return `SELECT ${cols.join(', ')}, ${table.kind === 'view' ? 'row_number() OVER ()' : 'src.rowid + 1'} AS ligne FROM ${quoteIdent(table.name)} AS src`;
}

/** The distinct years of a side's year column (a date gives its year); other values are not years. */
function yearsSql(table: TableEntry, column: string): string {
  const c = table.columns.find((x) => x.name === column);
  const ref = `src.${quoteIdent(column)}`;
  const y = isTemporalType(c?.type ?? '') ? `year(${ref})` : `TRY_CAST(trim(CAST(${ref} AS VARCHAR)) AS INTEGER)`;
  return `SELECT DISTINCT y FROM (SELECT ${y} AS y FROM ${quoteIdent(table.name)} AS src) WHERE y BETWEEN 1900 AND 2200 ORDER BY y`;
}

/**
 * `mode(nom)` of a group whose lines were summed by name first (`n` lines, the first at `premiere`):
 * the most frequent name, ties to the one seen first — what mode() does line by line.
 */
function modeOf(groups: string, key: string, from: string): string {
  return `(SELECT ${key}, arg_max(nom, struct_pack(n := n, p := -premiere)) AS nom FROM
    (SELECT ${key}, nom, sum(n) AS n, min(premiere) AS premiere FROM ${from} WHERE nom IS NOT NULL GROUP BY ALL) GROUP BY ${groups})`;
}

/** string_agg(DISTINCT x, sep ORDER BY x): the distinct non-NULL values, sorted, joined; NULL when there is none. */
function distinctText(x: string, sep: string): string {
  return `CASE WHEN count(${x}) > 0 THEN array_to_string(list_sort(list_distinct(list(${x}))), ${quoteLiteral(sep)}) END`;
}

/** Values some exports write for a missing name: the line has no name. */
const NO_NAME = ['NA', 'N/A', 'NULL', 'NONE', 'NAN', 'NÉANT', 'NEANT', 'INCONNU'];

/** Rounds of « each takes its best »: enough for the few chains of near names a register holds. */
const FUZZY_ROUNDS = 3;

/** The whole reconciliation as one SELECT (exported for tests). */
export function subsidiesSql(p: SubsidiesParams, votedSql: string, paidSql: string): string {
  const tol = sqlValue(p.tolerance);
  const min = sqlValue(p.minSimilarity);
  const q = (name: string) => `'« ' || ${name} || ' »'`;
  // The lines of each side summed by raw name and SIRET (and direction for the votes): a register of
  // 500 000 lines holds a few times fewer of them. Each distinct name and SIRET is then normalised
  // once, not once per line. Counts, sums and the first line of each group keep every figure — and
  // mode()'s choice — what it was line by line.
  const sides = (col: string) => `SELECT ${col} FROM v_src UNION SELECT ${col} FROM p_src`;
  const lines = (src: string, extra: string) =>
    `SELECT s.nom, n.nom_n, n.nom_fp, si.siret, si.siret_ok, s.n, s.montant, s.premiere${extra} FROM ${src} AS s
      JOIN noms AS n ON s.nom IS NOT DISTINCT FROM n.nom JOIN sirets AS si ON s.siret_brut IS NOT DISTINCT FROM si.siret_brut
      WHERE NOT n.sans_nom`;
  // Mutual best among the approximate pairs still open, round after round: a pair is kept when the
  // paid name and the beneficiary are each other's only best; what it took leaves the pool.
  const rounds: string[] = [];
  for (let r = 1; r <= FUZZY_ROUNDS; r++) {
    const open =
      r === 1
        ? 'fz_pairs'
        : `(SELECT * FROM fz_pairs AS x WHERE NOT EXISTS (SELECT 1 FROM fz_acc${r - 1} AS a WHERE a.nom_n = x.nom_n OR a.cle = x.cle))`;
    rounds.push(
      `fz_r${r} AS (SELECT nom_n, cle, score FROM (SELECT *, sum(CASE WHEN score = best_p THEN 1 ELSE 0 END) OVER (PARTITION BY nom_n) AS n_p,
          sum(CASE WHEN score = best_e THEN 1 ELSE 0 END) OVER (PARTITION BY cle) AS n_e FROM
          (SELECT *, max(score) OVER (PARTITION BY nom_n) AS best_p, max(score) OVER (PARTITION BY cle) AS best_e FROM ${open}))
        WHERE score = best_p AND score = best_e AND n_p = 1 AND n_e = 1)`,
      `fz_acc${r} AS (${r === 1 ? '' : `SELECT * FROM fz_acc${r - 1} UNION ALL `}SELECT * FROM fz_r${r})`,
    );
  }
  const ctes = [
    // (Not materialised: the blank lines read the table a second time, cheaper than holding every line.)
    `v_raw AS NOT MATERIALIZED (${votedSql})`,
    `p_raw AS NOT MATERIALIZED (${paidSql})`,
    `v_src AS (SELECT nom, siret_brut, direction, count(*) AS n, sum(montant) AS montant, min(ligne) AS premiere FROM v_raw GROUP BY nom, siret_brut, direction)`,
    `p_src AS (SELECT nom, siret_brut, count(*) AS n, sum(montant) AS montant, min(ligne) AS premiere FROM p_raw GROUP BY nom, siret_brut)`,
    `noms_n AS (SELECT nom, ${normalizeNameSql('nom')} AS nom_n FROM (${sides('nom')}))`,
    // A blank name (NULL, '', spaces, punctuation, « NA ») is no beneficiary: each such line is listed on its own.
    // Word order ignored (« Les habitants du quartier (Fédération) » = « Fédération Les habitants du quartier »).
    // (fingerprintSql normalises its input first: nom_n is normalised already, so that step is left out.)
    // (Materialised: read by both sides and the blank lines; inlined, the filter on sans_nom had each side normalise every name again.)
    `noms AS MATERIALIZED (SELECT n.nom, n.nom_n, f.nom_fp, (n.nom_n IS NULL OR upper(trim(n.nom)) IN (${NO_NAME.map(quoteLiteral).join(', ')})) AS sans_nom FROM noms_n AS n LEFT JOIN
        (SELECT nom_n, ${fingerprintSql('nom_n').replace(normalizeTextSql('nom_n'), 'nom_n')} AS nom_fp FROM (SELECT DISTINCT nom_n FROM noms_n WHERE nom_n IS NOT NULL)) AS f
        ON n.nom_n = f.nom_n)`,
    `sirets AS (SELECT siret_brut, siret, coalesce(${siretValidSql('siret')}, FALSE) AS siret_ok FROM
        (SELECT siret_brut, ${normalizeSiretSql('siret_brut')} AS siret FROM (${sides('siret_brut')})))`,
    `v AS (${lines('v_src', ', s.direction')})`,
    `p AS (${lines('p_src', '')})`,
    // A vote without a valid SIRET joins the valid SIRET its name carries elsewhere in the votes, when that
    // is one SIRET only: a digit typed wrong once does not make a second body of the same name (the
    // SIRET is still flagged). The others are grouped by their words in any order, so one body typed
    // two ways stays one.
    `name_siret AS (SELECT nom_fp, min(siret) AS siret FROM v WHERE siret_ok AND nom_fp IS NOT NULL GROUP BY nom_fp HAVING count(DISTINCT siret) = 1)`,
    // (The join key is NULL for votes with a SIRET: `v.siret IS NULL AND …` in the ON clause made a nested-loop join.)
    `vk AS (SELECT v.*, coalesce(CASE WHEN v.siret_ok THEN v.siret END, ns.siret, 'NOM:' || v.nom_fp) AS cle FROM v
        LEFT JOIN name_siret AS ns ON ns.nom_fp = CASE WHEN NOT v.siret_ok THEN v.nom_fp END)`,
    `ent AS (SELECT cle, m.nom AS beneficiaire, a.siret, a.montant_vote, a.nb_dossiers, coalesce(d.nb_directions, 0) AS nb_directions, d.directions, a.siret_ok FROM
        (SELECT cle, coalesce(max(siret) FILTER (WHERE siret_ok), max(siret)) AS siret, sum(montant) AS montant_vote, sum(n) AS nb_dossiers, bool_or(siret_ok) AS siret_ok FROM vk GROUP BY cle) AS a
        LEFT JOIN (SELECT cle, count(*) AS nb_directions, array_to_string(list_sort(list(direction)), ', ') AS directions
          FROM (SELECT DISTINCT cle, direction FROM vk WHERE direction IS NOT NULL) GROUP BY cle) AS d USING (cle)
        LEFT JOIN ${modeOf('cle', 'cle', 'vk')} AS m USING (cle))`,
    `ent_names AS (SELECT DISTINCT vk.cle, vk.nom_n, vk.nom_fp, ent.siret, coalesce(ent.siret_ok, FALSE) AS siret_ok FROM vk JOIN ent USING (cle))`,
    `pg AS (SELECT a.siret, a.nom_n, a.nom_fp, m.nom, a.montant, a.nb, a.siret_ok FROM
        (SELECT siret, nom_n, any_value(nom_fp) AS nom_fp, sum(montant) AS montant, sum(n) AS nb, any_value(siret_ok) AS siret_ok FROM p GROUP BY siret, nom_n) AS a
        LEFT JOIN ${modeOf('siret, nom_n', 'siret, nom_n', 'p')} AS m ON m.siret IS NOT DISTINCT FROM a.siret AND m.nom_n = a.nom_n)`,
    // 1. Identifiers: the same SIRET, else the same SIREN when it names one beneficiary only.
    `m_siret AS (SELECT pg.siret, pg.nom_n, ent.cle, 'siret' AS methode, 1.0 AS score FROM pg JOIN ent ON pg.siret = ent.siret)`,
    `m_siren AS (SELECT pg.siret, pg.nom_n, min(ent.cle) AS cle, 'siren' AS methode, 1.0 AS score FROM pg JOIN ent
        ON length(pg.siret) = 14 AND substr(pg.siret, 1, 9) = substr(ent.siret, 1, 9)
      WHERE NOT EXISTS (SELECT 1 FROM m_siret AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n = pg.nom_n)
      GROUP BY ALL HAVING count(DISTINCT ent.cle) = 1)`,
    `m_done AS (SELECT siret, nom_n FROM m_siret UNION ALL SELECT siret, nom_n FROM m_siren)`,
    // 2. Names, only where at most one side has a valid SIRET: two different SIRENs are two bodies.
    `pg_open AS (SELECT pg.siret, pg.nom_n, pg.nom_fp, pg.siret_ok FROM pg
        WHERE NOT EXISTS (SELECT 1 FROM m_done AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n = pg.nom_n))`,
    // The same normalised name, or the same words in another order: equality, so hash joins.
    `cand_eq AS (SELECT po.siret, po.nom_n, en.cle, en.nom_n AS en_nom_n, en.nom_fp AS en_nom_fp, po.nom_fp FROM pg_open AS po JOIN ent_names AS en
          ON po.nom_n = en.nom_n WHERE NOT (po.siret_ok AND en.siret_ok)
        UNION ALL SELECT po.siret, po.nom_n, en.cle, en.nom_n, en.nom_fp, po.nom_fp FROM pg_open AS po JOIN ent_names AS en
          ON po.nom_fp = en.nom_fp WHERE po.nom_n <> en.nom_n AND NOT (po.siret_ok AND en.siret_ok))`,
    `eq_cle AS (SELECT siret, nom_n, cle, max(CASE WHEN nom_n = en_nom_n THEN 3 ELSE 2 END) AS rang FROM cand_eq GROUP BY siret, nom_n, cle)`,
    // Two beneficiaries with the very same name: the payment is not given to either (the smallest key would be a coin toss).
    `eq_pick AS (SELECT t.siret, t.nom_n, min(t.cle) AS cle, max(t.rang) AS rang, count(*) AS n,
          string_agg(${q('e.beneficiaire')} || coalesce(' (SIRET ' || e.siret || ')', ''), ', ' ORDER BY e.beneficiaire, e.cle) AS candidats
        FROM (SELECT * FROM eq_cle QUALIFY rang = max(rang) OVER (PARTITION BY siret, nom_n)) AS t JOIN ent AS e ON e.cle = t.cle GROUP BY t.siret, t.nom_n)`,
    `m_eq AS (SELECT siret, nom_n, cle, CASE WHEN rang = 3 THEN 'nom exact' ELSE 'mêmes mots' END AS methode, 1.0 AS score FROM eq_pick WHERE n = 1)`,
    // Every beneficiary met exactly (or tied exactly) is out of the approximate pool.
    `exact_cles AS (SELECT cle FROM m_siret UNION SELECT cle FROM m_siren UNION SELECT cle FROM eq_cle)`,
    // 3. Approximate names (Jaro-Winkler) only for payments that met nothing exactly. Compared within
    // blocks, never every payment against every vote, and under the first-letter rule. With r1 and r2 a
    // name's rarest and second rarest words (frequency over the voted names, ties by the word), two
    // names are compared when:
    //   one's r1 is the other's r1 or r2        — any one word misspelt, added or dropped, except r1;
    //   they share r2 and r1's first or last three letters — r1 misspelt;
    //   they share r2, and one's r1 has five letters or fewer — a short r1 misspelt;
    //   they are the same without spaces        — words glued or split;
    //   one-word names: same first and last three letters — the word misspelt.
    // Not compared: names that differ beyond that (two words misspelt, r1 dropped…). Beneficiaries met
    // exactly are compared too, but only to say why the nearest name was not taken.
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
    `fuzzy_pairs AS (SELECT pg_nom, en_nom, score FROM (SELECT pg_nom, en_nom, jaro_winkler_similarity(pg_nom, en_nom, ${min}) AS score FROM (SELECT DISTINCT pg_nom, en_nom FROM (
          SELECT a.nom_n AS pg_nom, b.nom_n AS en_nom FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 1 AND b.t <= 2
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 2 AND b.t = 1
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 7 AND b.t = 2
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.k = b.k WHERE a.t = 2 AND b.t = 7
          UNION ALL SELECT a.nom_n, b.nom_n FROM pg_keys AS a JOIN en_keys AS b ON a.t = b.t AND a.k = b.k WHERE a.t BETWEEN 3 AND 6)
        WHERE left(pg_nom, 1) = left(en_nom, 1))) WHERE score >= ${min})`,
    `cand_fuzzy AS (SELECT pf.siret, pf.nom_n, en.cle, max(fp.score) AS score, bool_or(x.cle IS NOT NULL) AS ferme FROM pg_fuzzy AS pf
        JOIN fuzzy_pairs AS fp ON fp.pg_nom = pf.nom_n JOIN ent_names AS en ON en.nom_n = fp.en_nom LEFT JOIN exact_cles AS x ON x.cle = en.cle
        WHERE NOT (pf.siret_ok AND en.siret_ok) GROUP BY pf.siret, pf.nom_n, en.cle)`,
    // One paid name, one beneficiary: the score depends on the names only, so pairs are taken name to beneficiary.
    `fz_pairs AS (SELECT nom_n, cle, max(score) AS score FROM cand_fuzzy WHERE NOT ferme GROUP BY nom_n, cle)`,
    ...rounds,
    `m_fuzzy AS (SELECT c.siret, c.nom_n, c.cle, 'nom approché' AS methode, c.score FROM cand_fuzzy AS c JOIN fz_acc${FUZZY_ROUNDS} AS a ON a.nom_n = c.nom_n AND a.cle = c.cle)`,
    `matched AS (SELECT * FROM m_siret UNION ALL SELECT * FROM m_siren UNION ALL SELECT * FROM m_eq UNION ALL SELECT * FROM m_fuzzy)`,
    // Why a payment that had near names stayed alone: the nearest was tied, taken, or met exactly elsewhere.
    `fz_best AS (SELECT c.siret, c.nom_n, max(c.score) AS score, count(*) AS n, arg_max(c.cle, c.score) AS cle, bool_or(c.ferme) AS ferme,
          string_agg(${q('e.beneficiaire')}, ', ' ORDER BY e.beneficiaire, e.cle) AS candidats
        FROM (SELECT * FROM cand_fuzzy QUALIFY score = max(score) OVER (PARTITION BY siret, nom_n)) AS c JOIN ent AS e ON e.cle = c.cle GROUP BY c.siret, c.nom_n)`,
    `winners AS (SELECT a.cle, min(pg.nom) AS nom, max(a.score) AS score FROM fz_acc${FUZZY_ROUNDS} AS a JOIN pg ON pg.nom_n = a.nom_n GROUP BY a.cle)`,
    `notes AS (SELECT b.siret, b.nom_n,
          b.n > 1 OR (NOT b.ferme AND w.cle IS NULL) AS ambigu,
          CASE WHEN b.n > 1 THEN 'noms approchés à égalité (' || ${sqlPercent('b.score')} || ') : ' || b.candidats || ' ; aucun n''est choisi.'
            WHEN b.ferme THEN 'nom le plus proche : ' || b.candidats || ' (' || ${sqlPercent('b.score')} || '), non retenu : ce bénéficiaire est déjà rapproché exactement (SIRET, SIREN ou même nom).'
            WHEN w.cle IS NOT NULL THEN 'nom le plus proche : ' || b.candidats || ' (' || ${sqlPercent('b.score')} || '), déjà rapproché du versement ' || ${q("coalesce(w.nom, '?')")} || ' (' || ${sqlPercent('w.score')} || ').'
            ELSE 'nom le plus proche : ' || b.candidats || ' (' || ${sqlPercent('b.score')} || '), à égalité avec un autre nom versé ; aucun n''est choisi.' END AS note
        FROM fz_best AS b LEFT JOIN winners AS w ON w.cle = b.cle
        UNION ALL SELECT siret, nom_n, TRUE, 'même nom que plusieurs bénéficiaires : ' || candidats || ' ; aucun n''est choisi.' FROM eq_pick WHERE n > 1)`,
    // (A note is read only for a payment left unmatched; with `m.cle IS NULL` in the ON clause the join
    // was a nested loop, payments × notes. Notes hold one row per payment group at most: no row is added.)
    `pm AS (SELECT pg.*, m.cle, m.methode, m.score, CASE WHEN m.cle IS NULL THEN nt.ambigu END AS ambigu, CASE WHEN m.cle IS NULL THEN nt.note END AS note FROM pg
        LEFT JOIN matched AS m ON m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n = pg.nom_n
        LEFT JOIN notes AS nt ON nt.siret IS NOT DISTINCT FROM pg.siret AND nt.nom_n = pg.nom_n)`,
    // (string_agg(DISTINCT x, sep ORDER BY x) as a sorted list of distinct values: the same text, without
    // the per-group distinct tables and sorts, the costliest aggregate of the query at 500,000 votes.)
    `paid_ent AS (SELECT cle, sum(montant) AS montant_verse, sum(nb) AS nb_versements, ${distinctText('nom', ' | ')} AS noms_verses,
        ${distinctText('methode', ', ')} AS methode, min(score) AS score FROM pm WHERE cle IS NOT NULL GROUP BY cle)`,
    `rows AS (SELECT ent.*, pe.montant_verse, pe.nb_versements, pe.noms_verses, pe.methode, pe.score FROM ent LEFT JOIN paid_ent AS pe USING (cle))`,
    // Lines without a name, one by one, as they came.
    `blank AS (SELECT 'vote' AS cote, r.* FROM v_raw AS r WHERE r.nom IS NULL OR r.nom IN (SELECT nom FROM noms WHERE sans_nom)
        UNION ALL SELECT 'versement', r.* FROM p_raw AS r WHERE r.nom IS NULL OR r.nom IN (SELECT nom FROM noms WHERE sans_nom))`,
    // Sources listed votes first, as the lines came; the name shown: the most frequent, ties to the first seen (votes first).
    `bad_lines AS (SELECT siret, 'votes' AS source, nom, n, premiere FROM v WHERE siret IS NOT NULL AND NOT siret_ok
        UNION ALL SELECT siret, 'versements', nom, n, premiere + 1 + coalesce((SELECT max(premiere) FROM v), 0) FROM p WHERE siret IS NOT NULL AND NOT siret_ok)`,
    `bad_siret AS (SELECT b.siret, b.sources, b.nv, b.np, m.nom FROM (SELECT siret, string_agg(DISTINCT source, ' et ' ORDER BY source DESC) AS sources,
          sum(n) FILTER (WHERE source = 'votes') AS nv, sum(n) FILTER (WHERE source = 'versements') AS np FROM bad_lines GROUP BY siret) AS b
        LEFT JOIN ${modeOf('siret', 'siret', 'bad_lines')} AS m USING (siret))`,
  ];
  const base = {
    beneficiaire: 'r.beneficiaire',
    siret: 'r.siret',
    noms_verses: 'r.noms_verses',
    methode: 'r.methode',
    score: 'r.score',
    montant_vote: 'r.montant_vote',
    montant_verse: 'r.montant_verse',
    ecart: 'coalesce(r.montant_verse, 0) - coalesce(r.montant_vote, 0)',
    nb_dossiers: 'r.nb_dossiers',
    nb_versements: 'r.nb_versements',
    directions: 'r.directions',
    cle: 'r.cle',
  };
  // Every part of an explanation is coalesced: one NULL in a `||` chain would blank the whole sentence.
  const who = `${q("coalesce(r.beneficiaire, '?')")} || coalesce(' (SIRET ' || r.siret || ')', '')`;
  const entityFlags: [SubsidyFlag, string, string][] = [
    [
      'vote_jamais_verse',
      `r.montant_vote > 0 AND coalesce(r.montant_verse, 0) = 0`,
      `'Subvention votée jamais versée — ' || ${who} || ' : ' || ${sqlEuros('r.montant_vote')} || ' votés sur ' || r.nb_dossiers || ' dossier(s), aucun versement rapproché.'`,
    ],
    [
      'verse_superieur_vote',
      `r.montant_verse > r.montant_vote + ${tol}`,
      `'Versé supérieur au voté — ' || ${who} || ' : ' || ${sqlEuros('r.montant_verse')} || ' versés en ' || r.nb_versements || ' versement(s) pour ' || ${sqlEuros('r.montant_vote')} || ' votés, soit ' || ${sqlEuros('r.montant_verse - r.montant_vote')} || ' de plus (rapprochement : ' || coalesce(r.methode, '?') || coalesce(', noms versés : ' || r.noms_verses, '') || ').'`,
    ],
    [
      'plusieurs_directions',
      `r.nb_directions > 1`,
      `'Plusieurs directions — ' || ${who} || ' est financé par ' || r.nb_directions || ' directions (' || coalesce(r.directions, '?') || ').'`,
    ],
  ];
  const cols: [string, string][] = [
    ['portee', 'VARCHAR'],
    ['cle', 'VARCHAR'],
    ['beneficiaire', 'VARCHAR'],
    ['siret', 'VARCHAR'],
    ['noms_verses', 'VARCHAR'],
    ['methode', 'VARCHAR'],
    ['score', 'DOUBLE'],
    ['montant_vote', 'DECIMAL(38,2)'],
    ['montant_verse', 'DECIMAL(38,2)'],
    ['ecart', 'DECIMAL(38,2)'],
    ['nb_dossiers', 'BIGINT'],
    ['nb_versements', 'BIGINT'],
    ['directions', 'VARCHAR'],
    ['ligne', 'BIGINT'],
    ['dossier', 'VARCHAR'],
    ['flag', 'VARCHAR'],
    ['explication', 'VARCHAR'],
  ];
  const sel = resultRowSql(cols);
  const parts: string[] = [];
  for (const [flag, cond, expl] of entityFlags) {
    parts.push(
      `${sel({ portee: `'beneficiaire'`, ...base, flag: `'${flag}'`, explication: expl })} FROM rows AS r WHERE coalesce(${cond}, FALSE)`,
    );
  }
  parts.push(
    `${sel({ portee: `'beneficiaire'`, ...base })} FROM rows AS r WHERE NOT (${entityFlags.map(([, c]) => `coalesce(${c}, FALSE)`).join(' OR ')})`,
  );
  // Every payment group (a name and a SIRET as paid): matched ones say to whom and how; the others are flags.
  const paidWho = `${q("coalesce(pm.nom, '?')")} || coalesce(' (SIRET ' || pm.siret || ')', '')`;
  const paidFigures = `${sqlEuros('pm.montant')} || ' versés en ' || pm.nb || ' versement(s)'`;
  parts.push(
    `${sel({
      portee: `'versement'`,
      cle: 'pm.cle',
      beneficiaire: 'coalesce(e.beneficiaire, pm.nom)',
      siret: 'pm.siret',
      noms_verses: 'pm.nom',
      methode: 'pm.methode',
      score: 'pm.score',
      montant_verse: 'pm.montant',
      ecart: 'CASE WHEN pm.cle IS NULL THEN pm.montant END',
      nb_versements: 'pm.nb',
      flag: `CASE WHEN pm.cle IS NOT NULL THEN NULL WHEN pm.ambigu THEN 'rapprochement_ambigu' ELSE 'verse_sans_vote' END`,
      explication: `CASE WHEN pm.cle IS NOT NULL THEN NULL
        WHEN pm.ambigu THEN 'Rapprochement ambigu — ' || ${paidWho} || ' : ' || ${paidFigures} || ' ; ' || coalesce(pm.note, 'plusieurs bénéficiaires à égalité.')
        ELSE 'Versé sans vote — ' || ${paidWho} || ' : ' || ${paidFigures} || ' ; aucune subvention votée ne lui correspond (ni SIRET, ni SIREN, ni nom à ' || ${sqlValue(Math.round(p.minSimilarity * 100))} || ' % de similarité)' || coalesce(' ; ' || pm.note, '.') END`,
    })} FROM pm LEFT JOIN ent AS e ON e.cle = pm.cle`,
  );
  const where = `CASE WHEN b.cote = 'vote' THEN 'vote ligne ' ELSE 'versement ligne ' END || b.ligne`;
  parts.push(
    `${sel({
      portee: `'sans_nom'`,
      siret: 'b.siret_brut',
      directions: 'b.direction',
      ligne: 'b.ligne',
      dossier: 'b.dossier',
      montant_vote: `CASE WHEN b.cote = 'vote' THEN b.montant END`,
      montant_verse: `CASE WHEN b.cote = 'versement' THEN b.montant END`,
      nb_dossiers: `CASE WHEN b.cote = 'vote' THEN 1 END`,
      nb_versements: `CASE WHEN b.cote = 'versement' THEN 1 END`,
      flag: `'sans_nom'`,
      explication: `'Sans nom — ' || ${where} || coalesce(' (dossier ' || b.dossier || ')', '') || coalesce(', SIRET ' || b.siret_brut, '') || coalesce(' : ' || ${sqlEuros('b.montant')}, ' : montant absent')
        || CASE WHEN b.cote = 'vote' THEN ' votés' ELSE ' versés' END || coalesce(', nom écrit ' || ${q('b.nom')}, ', nom vide')
        || ' ; la ligne est listée seule, ni rapprochée, ni comptée parmi les bénéficiaires.'`,
    })} FROM blank AS b`,
  );
  parts.push(
    `${sel({
      portee: `'siret'`,
      beneficiaire: 'b.nom',
      siret: 'b.siret',
      nb_dossiers: 'b.nv',
      nb_versements: 'b.np',
      flag: `'siret_invalide'`,
      explication: `'SIRET invalide — ' || b.siret || ' (' || coalesce(b.nom, 'sans nom') || ', dans les ' || b.sources || ') : ' || CASE WHEN length(b.siret) <> 14 THEN length(b.siret) || ' chiffres au lieu de 14.' ELSE 'la clé de Luhn ne vérifie pas (chiffre erroné ou inversé).' END`,
    })} FROM bad_siret AS b`,
  );
  return `WITH ${ctes.join(',\n')}\nSELECT * FROM (${parts.join('\nUNION ALL\n')}) ORDER BY portee, coalesce(montant_verse, montant_vote) DESC NULLS LAST, beneficiaire, noms_verses, siret, cle, ligne, flag NULLS FIRST`;
}

/** « 2013 », « 2019–2021 », « 2013, 2015 ». */
function yearsText(ys: number[]): string {
  if (!ys.length) return 'aucune';
  const contiguous = ys.every((y, i) => i === 0 || y === ys[i - 1]! + 1);
  return contiguous && ys.length > 2 ? `${ys[0]}–${ys[ys.length - 1]}` : ys.join(', ');
}

/** The cautions on the years the two tables cover: none when they cover the same ones. */
export function yearWarnings(voted: number[] | null, paid: number[] | null): string[] {
  if (voted === null || paid === null) {
    const missing = [voted === null ? 'votes' : null, paid === null ? 'versements' : null].filter(Boolean).join(' et ');
    return [
      `Années non vérifiées : pas de colonne d'année lisible dans les ${missing} ; un versement peut être rapproché d'un vote d'une autre année.`,
    ];
  }
  const onlyV = voted.filter((y) => !paid.includes(y));
  const onlyP = paid.filter((y) => !voted.includes(y));
  if (!onlyV.length && !onlyP.length) return [];
  const common = voted.filter((y) => paid.includes(y));
  return [
    `Années différentes : votes ${yearsText(voted)}, versements ${yearsText(paid)}` +
      (common.length ? ` (en commun : ${yearsText(common)})` : ' — aucune année en commun') +
      ` ; les écarts voté/versé mêlent des exercices différents (un vote d'une année, des versements d'une autre) et sont à lire avec prudence.`,
  ];
}

export const subsidiesReconcile = registerOperation<SubsidiesParams, SubsidiesDetail>({
  id: 'subsidies-reconcile',
  kind: 'budget',
  description:
    'Rapproche subventions votées et versées par SIRET, SIREN ou nom normalisé (exact d’abord, puis approché un pour un) : versé sans vote, jamais versé, versé au-delà du vote, rapprochements ambigus, lignes sans nom, SIRET invalides, années couvertes, concentration',
  params: SubsidiesParams,
  async run(ctx, p) {
    const vt = requireTable(ctx, p.voted);
    const pt = requireTable(ctx, p.paid);
    const vc = proposeSubsidyColumns(vt, p.votedColumns);
    const pc = proposeSubsidyColumns(pt, p.paidColumns);
    for (const [t, c] of [
      [vt, vc],
      [pt, pc],
    ] as const) {
      if (REQUIRED_SUBSIDY_COLUMNS.some((f) => !c[f])) {
        throw new OperationError(
          `Colonnes du bénéficiaire ou du montant introuvables dans « ${t.name} » : indiquez-les (votedColumns / paidColumns).`,
          c,
        );
      }
    }
    const select = subsidiesSql(p, sideSql(ctx, vt, vc, true), sideSql(ctx, pt, pc, false));
    const { table, sql } = await createResultTable(ctx, 'subsidies-reconcile', select);
    const t = quoteIdent(table);
    const q = async (s: string) => (await ctx.engine.query(s)).rows;
    const num = (x: unknown) => Number(x ?? 0);

    const flags = Object.fromEntries(SUBSIDY_FLAGS.map((f) => [f, 0])) as Record<SubsidyFlag, number>;
    for (const [f, n] of await q(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY flag`))
      flags[f as SubsidyFlag] = Number(n);

    // Population: lines read on each side, then what became of them.
    const [[votesRead], [paidRead]] = [
      await q(`SELECT count(*) FROM ${quoteIdent(vt.name)}`),
      await q(`SELECT count(*) FROM ${quoteIdent(pt.name)}`),
    ].map((r) => r[0]!.map(num)) as [[number], [number]];
    const paidLinesBy = Object.fromEntries(MATCH_METHODS.map((m) => [m, 0])) as SubsidiesDetail['paidLinesBy'];
    const [pv] = await q(`SELECT
        sum(nb_versements) FILTER (WHERE flag = 'verse_sans_vote'), sum(nb_versements) FILTER (WHERE flag = 'rapprochement_ambigu'),
        array_to_string(list_slice(list(DISTINCT noms_verses ORDER BY noms_verses) FILTER (WHERE flag = 'verse_sans_vote'), 1, 5), chr(31)),
        array_to_string(list_slice(list(DISTINCT noms_verses ORDER BY noms_verses) FILTER (WHERE flag = 'rapprochement_ambigu'), 1, 5), chr(31))
      FROM ${t} WHERE portee = 'versement'`);
    for (const [m, n] of await q(
      `SELECT methode, sum(nb_versements) FROM ${t} WHERE portee = 'versement' AND cle IS NOT NULL GROUP BY methode`,
    )) {
      paidLinesBy[m as keyof typeof paidLinesBy] = num(n);
    }
    const [bl] = await q(`SELECT count(*) FILTER (WHERE nb_dossiers = 1), count(*) FILTER (WHERE nb_versements = 1),
        CAST(coalesce(sum(montant_vote), 0) AS DOUBLE), CAST(coalesce(sum(montant_verse), 0) AS DOUBLE),
        array_to_string(list_slice(list(ligne ORDER BY ligne) FILTER (WHERE nb_dossiers = 1), 1, 5), chr(31)),
        array_to_string(list_slice(list(ligne ORDER BY ligne) FILTER (WHERE nb_versements = 1), 1, 5), chr(31))
      FROM ${t} WHERE portee = 'sans_nom'`);
    const blank = { voted: num(bl![0]), paid: num(bl![1]), votedAmount: num(bl![2]), paidAmount: num(bl![3]) };
    // (Lists come back as text joined by a unit separator: one shape whatever Arrow makes of a LIST.)
    const listOf = (x: unknown): string[] => (typeof x === 'string' && x !== '' ? x.split('\u001f') : []);
    const lineEx = (x: unknown) => listOf(x).map((l) => `ligne ${l}`);
    const nameEx = (x: unknown) =>
      listOf(x)
        .filter((n) => n !== null)
        .map(String);
    const [bs] = await q(
      `SELECT count(*), coalesce(sum(nb_dossiers), 0), coalesce(sum(nb_versements), 0) FROM ${t} WHERE portee = 'siret'`,
    );
    const invalidSirets = { sirets: num(bs![0]), votedLines: num(bs![1]), paidLines: num(bs![2]) };
    const paidMatched = Object.values(paidLinesBy).reduce((a, b) => a + b, 0);
    const unmatched = num(pv![0]);
    const ambiguous = num(pv![1]);
    const pop = {
      voted: population(votesRead, votesRead - blank.voted, 'nommées, regroupées par bénéficiaire', [
        { reason: 'sans nom de bénéficiaire', rows: blank.voted, examples: lineEx(bl![4]) },
      ]),
      paid: population(paidRead, paidMatched, 'rapprochées d’un vote', [
        { reason: 'sans nom de bénéficiaire', rows: blank.paid, examples: lineEx(bl![5]) },
        { reason: 'sans vote correspondant', rows: unmatched, examples: nameEx(pv![2]) },
        { reason: 'au rapprochement ambigu', rows: ambiguous, examples: nameEx(pv![3]) },
      ]),
    };
    const matchRate = rateOver(paidMatched, paidRead - blank.paid);

    // Figures over named beneficiaries only: the voted bodies, and each unmatched payment group as its own.
    const ents = `(SELECT DISTINCT cle, beneficiaire, siret, montant_vote, montant_verse, methode FROM ${t} WHERE portee = 'beneficiaire'
      UNION ALL SELECT NULL, beneficiaire, siret, NULL, montant_verse, NULL FROM ${t} WHERE portee = 'versement' AND cle IS NULL)`;
    const [tot] = await q(
      `SELECT CAST(sum(montant_vote) AS DOUBLE), CAST(sum(montant_verse) AS DOUBLE), count(*), count(*) FILTER (WHERE montant_verse > 0) FROM ${ents}`,
    );
    const [voted, paid, beneficiaries, paidBodies] = tot!.map(num) as [number, number, number, number];
    const topRows = await q(
      `SELECT beneficiaire, siret, CAST(montant_verse AS DOUBLE), CAST(montant_verse AS DOUBLE) / nullif(sum(CAST(montant_verse AS DOUBLE)) OVER (), 0),
         row_number() OVER (ORDER BY montant_verse DESC, beneficiaire) AS rang
       FROM ${ents} WHERE montant_verse > 0 QUALIFY rang <= ${Math.max(p.top, 100)} ORDER BY rang`,
    );
    // A top-N share means something only over more than N paid beneficiaries, and once payments met votes.
    const refused = paidMatched === 0 ? 'aucune concentration : aucun versement rapproché d’un vote' : null;
    const shareOf = (n: number) => (refused || paidBodies <= n ? null : topRows.slice(0, n).reduce((s, r) => s + num(r[3]), 0));
    const concentration = {
      top10: shareOf(10),
      top100: shareOf(100),
      ...(refused
        ? { refused }
        : paidBodies <= 100
          ? {
              refused: `${plural(paidBodies, 'bénéficiaire payé', 'bénéficiaires payés')} seulement : pas de part des ${paidBodies <= 10 ? 10 : 100} premiers`,
            }
          : {}),
    };
    const top = topRows
      .slice(0, p.top)
      .map((r) => ({ beneficiary: String(r[0]), siret: r[1] === null ? null : String(r[1]), paid: num(r[2]), share: num(r[3]) }));
    const by = await q(
      `SELECT methode, count(DISTINCT cle) FROM ${t} WHERE portee = 'versement' AND cle IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    const matchedBy = Object.fromEntries(by.map(([m, n]) => [String(m), num(n)]));

    // The years each side covers: a vote of one year matched to the payments of another is a different check.
    const years: SubsidiesDetail['years'] = { voted: null, paid: null };
    const yearSql: string[] = [];
    for (const [side, tab, c] of [
      ['voted', vt, vc],
      ['paid', pt, pc],
    ] as const) {
      if (!c.year) continue;
      const s = yearsSql(tab, requireColumn(ctx, tab.name, c.year).name);
      yearSql.push(s);
      const ys = (await q(s)).map((r) => num(r[0]));
      years[side] = ys.length ? ys : null;
    }
    const warnings = yearWarnings(years.voted, years.paid);

    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const flagText = SUBSIDY_FLAGS.filter((f) => flags[f])
      .map((f) => `${f} : ${count(flags[f])}`)
      .join(', ');
    const methodText = MATCH_METHODS.filter((m) => paidLinesBy[m])
      .map((m) => `${count(paidLinesBy[m])} par ${m}`)
      .join(', ');
    const concText =
      concentration.top10 !== null
        ? `Les 10 premiers bénéficiaires reçoivent ${percent(concentration.top10)} des versements nommés${concentration.top100 !== null ? `, les 100 premiers ${percent(concentration.top100)}` : ''}.`
        : `Concentration : ${concentration.refused}.`;
    return {
      table,
      sql: [sql, ...yearSql],
      inputs: [inputOf(ctx, vt.name), inputOf(ctx, pt.name)],
      summary:
        `Subventions votées (« ${vt.name} ») et versées (« ${pt.name} ») rapprochées par SIRET, SIREN ou nom normalisé. ` +
        `Votes : ${populationLine(pop.voted)}. Versements : ${populationLine(pop.paid)}. ` +
        (methodText ? `Versements rapprochés : ${methodText}. ` : '') +
        (invalidSirets.sirets
          ? `${plural(invalidSirets.sirets, 'SIRET invalide', 'SIRET invalides')} (${count(invalidSirets.votedLines)} ligne(s) de vote, ${count(invalidSirets.paidLines)} de versement). `
          : '') +
        (warnings.length ? `Attention : ${warnings.join(' ')} ` : '') +
        `Taux de rapprochement des versements nommés : ${rateText(matchRate)}. ` +
        `${count(beneficiaries)} bénéficiaires, ${euros(voted)} votés, ${euros(paid)} versés` +
        `${blank.voted || blank.paid ? ` (hors lignes sans nom : ${euros(blank.votedAmount)} votés, ${euros(blank.paidAmount)} versés)` : ''}. ` +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'} ` +
        concText,
      detail: {
        flags,
        voted,
        paid,
        beneficiaries,
        matchedBy,
        population: pop,
        paidLinesBy,
        paidUnmatched: unmatched,
        paidAmbiguous: ambiguous,
        blank,
        invalidSirets,
        matchRate: matchRate.refused ? { value: null, refused: matchRate.refused } : { value: matchRate.value },
        years,
        warnings,
        top,
        concentration,
        columns: { voted: vc, paid: pc },
      },
    };
  },
});
