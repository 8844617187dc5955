// Subsidies voted by the council against the payments that followed. Payments carry no dossier
// number, so the two meet at the beneficiary: by SIRET when both sides have one, by SIREN (the same
// legal person, another establishment), else by normalised name — exact first, then approximate
// (Jaro-Winkler), the score shown so an auditor can judge the match. Two different valid SIRENs are
// never matched by name: they are two legal persons, however alike their names.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { fingerprintSql, normalizeNameSql, normalizeSiretSql, siretValidSql } from '../audit/normalize.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, requireTable, type OperationContext } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { count, euros, percent, plural, sqlEuros } from './format.ts';
import { columnRoles, proposeColumns } from './columns.ts';
import { amountSql, yearSql } from './mapping.ts';

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

function sideSql(ctx: OperationContext, table: TableEntry, c: SubsidyColumns, withVoteFields: boolean): string {
  const ref = (f: keyof SubsidyColumns) => (c[f] ? `src.${quoteIdent(requireColumn(ctx, table.name, c[f]!).name)}` : null);
  const typeOf = (f: keyof SubsidyColumns) => table.columns.find((x) => x.name === c[f])?.type ?? 'VARCHAR';
  const b = ref('beneficiary')!;
  const s = ref('siret');
  const y = ref('year');
  const cols = [
    `CAST(${b} AS VARCHAR) AS nom`,
    `${normalizeNameSql(b)} AS nom_n`,
    // Word order ignored (« Les habitants du quartier (Fédération) » = « Fédération Les habitants du quartier »).
    `${fingerprintSql(normalizeNameSql(b))} AS nom_fp`,
    `${s ? normalizeSiretSql(s) : 'CAST(NULL AS VARCHAR)'} AS siret`,
    `${y ? yearSql(y, typeOf('year')) : 'CAST(NULL AS INTEGER)'} AS annee`,
    `${amountSql(ref('amount')!, typeOf('amount'))} AS montant`,
  ];
  if (withVoteFields) {
    const d = ref('direction');
    const n = ref('dossier');
    cols.push(`${d ? `nullif(trim(CAST(${d} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)'} AS direction`);
    cols.push(`${n ? `CAST(${n} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)'} AS dossier`);
  }
  return `SELECT ${cols.join(', ')} FROM ${quoteIdent(table.name)} AS src`;
}

/** The whole reconciliation as one SELECT (exported for tests). */
export function subsidiesSql(p: SubsidiesParams, votedSql: string, paidSql: string): string {
  const tol = sqlValue(p.tolerance);
  const valid = (x: string) => `coalesce(${siretValidSql(x)}, FALSE)`;
  const ctes = [
    `v AS (${votedSql})`,
    `p AS (${paidSql})`,
    // A vote without SIRET joins the SIRET its name carries elsewhere in the votes, when that is one SIRET only.
    // Votes without SIRET are grouped by their words in any order, so one body typed two ways stays one.
    `name_siret AS (SELECT nom_fp, min(siret) AS siret FROM v WHERE siret IS NOT NULL AND nom_fp IS NOT NULL GROUP BY nom_fp HAVING count(DISTINCT siret) = 1)`,
    `vk AS (SELECT v.*, coalesce(v.siret, ns.siret, 'NOM:' || v.nom_fp) AS cle FROM v LEFT JOIN name_siret AS ns ON v.siret IS NULL AND ns.nom_fp = v.nom_fp)`,
    `ent AS (SELECT cle, mode(nom) AS beneficiaire, max(siret) AS siret, sum(montant) AS montant_vote, count(*) AS nb_dossiers,
        count(DISTINCT direction) AS nb_directions, string_agg(DISTINCT direction, ', ' ORDER BY direction) AS directions
      FROM vk GROUP BY cle)`,
    `ent_names AS (SELECT DISTINCT vk.cle, vk.nom_n, vk.nom_fp, ent.siret FROM vk JOIN ent USING (cle) WHERE vk.nom_n IS NOT NULL)`,
    `pg AS (SELECT siret, nom_n, any_value(nom_fp) AS nom_fp, mode(nom) AS nom, sum(montant) AS montant, count(*) AS nb FROM p GROUP BY siret, nom_n)`,
    `m_siret AS (SELECT pg.siret, pg.nom_n, ent.cle, 'siret' AS methode, 1.0 AS score FROM pg JOIN ent ON pg.siret = ent.siret)`,
    `m_siren AS (SELECT pg.siret, pg.nom_n, min(ent.cle) AS cle, 'siren' AS methode, 1.0 AS score FROM pg JOIN ent
        ON length(pg.siret) = 14 AND substr(pg.siret, 1, 9) = substr(ent.siret, 1, 9)
      WHERE NOT EXISTS (SELECT 1 FROM m_siret AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n)
      GROUP BY ALL HAVING count(DISTINCT ent.cle) = 1)`,
    `m_done AS (SELECT siret, nom_n FROM m_siret UNION ALL SELECT siret, nom_n FROM m_siren)`,
    // Name matching only where at most one side has a SIRET: two different SIRENs are two bodies.
    `name_cand AS (SELECT pg.siret, pg.nom_n, en.cle,
        CASE WHEN pg.nom_n = en.nom_n THEN 'nom exact' WHEN pg.nom_fp = en.nom_fp THEN 'mêmes mots' ELSE 'nom approché' END AS methode,
        CASE WHEN pg.nom_n = en.nom_n THEN 3 WHEN pg.nom_fp = en.nom_fp THEN 2 ELSE 1 END AS rang,
        CASE WHEN pg.nom_fp = en.nom_fp THEN 1.0 ELSE jaro_winkler_similarity(pg.nom_n, en.nom_n) END AS score
      FROM pg JOIN ent_names AS en ON left(pg.nom_n, 1) = left(en.nom_n, 1) OR pg.nom_fp = en.nom_fp
      WHERE pg.nom_n IS NOT NULL AND (pg.siret IS NULL OR en.siret IS NULL OR NOT ${valid('pg.siret')} OR NOT ${valid('en.siret')})
        AND NOT EXISTS (SELECT 1 FROM m_done AS m WHERE m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n)
        AND (pg.nom_fp = en.nom_fp OR jaro_winkler_similarity(pg.nom_n, en.nom_n) >= ${sqlValue(p.minSimilarity)}))`,
    // The best candidate: exact name, then same words, then the highest similarity.
    `m_name AS (SELECT siret, nom_n, arg_max(cle, rang * 10 + score) AS cle, arg_max(methode, rang * 10 + score) AS methode,
        arg_max(score, rang * 10 + score) AS score FROM name_cand GROUP BY siret, nom_n)`,
    `matched AS (SELECT * FROM m_siret UNION ALL SELECT * FROM m_siren UNION ALL SELECT siret, nom_n, cle, methode, score FROM m_name)`,
    `pm AS (SELECT pg.*, m.cle, m.methode, m.score FROM pg LEFT JOIN matched AS m ON m.siret IS NOT DISTINCT FROM pg.siret AND m.nom_n IS NOT DISTINCT FROM pg.nom_n)`,
    `paid_ent AS (SELECT cle, sum(montant) AS montant_verse, sum(nb) AS nb_versements, string_agg(DISTINCT nom, ' | ') AS noms_verses,
        string_agg(DISTINCT methode, ', ') AS methode, min(score) AS score FROM pm WHERE cle IS NOT NULL GROUP BY cle)`,
    `rows AS (SELECT ent.*, pe.montant_verse, pe.nb_versements, pe.noms_verses, pe.methode, pe.score FROM ent LEFT JOIN paid_ent AS pe USING (cle))`,
    `bad_siret AS (SELECT siret, string_agg(DISTINCT source, ' et ') AS sources, mode(nom) AS nom FROM
        (SELECT siret, 'votes' AS source, nom FROM v UNION ALL SELECT siret, 'versements', nom FROM p)
      WHERE siret IS NOT NULL AND NOT ${valid('siret')} GROUP BY siret)`,
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
