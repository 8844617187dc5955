// A synthetic Paris M57 budget (voted BP/BS/DM and executed) and a synthetic subsidies register (voted
// and paid), generated inside the engine by deterministic SQL: no CSV on disk, the same statements on
// both sides (the page runs them, native replays them), no random() — every "random" choice is a hash
// of the row number (bench_h, an integer mix, so that duckdb-wasm and native DuckDB make the same rows).
// Pure: imported by the bench page and by the Node side alike.
import { quoteIdent, quoteLiteral, uniqueIdentifiers } from '../../src/core/sql/ident.ts';
import { BUDGET_VOTE_HEADER, EXECUTION_HEADER as BUDGET_EXEC_HEADER } from '../../src/demo/budget.ts';
import { PAYMENTS_HEADER as SUB_PAID_HEADER, VOTES_HEADER as SUB_VOTED_HEADER } from '../../src/demo/subsidies.ts';

export const BUDGET_LINES = 2_000_000;
export const SUBSIDY_VOTES = 500_000;

/** The timed reconciliation's level: the finest, the Budget view's default (both flows are checked). */
export const BUDGET_LEVEL = 'nature';

export const BUDGET_VOTE = 'bench_budget_vote';
export const BUDGET_EXEC = 'bench_budget_ca';
export const SUB_VOTED = 'bench_subv_votees';
export const SUB_PAID = 'bench_subv_versees';

// Headers as Paris publishes them (the catalog keeps them as labels, like an import): the demo's, so
// that the bench's tables and the demo workspace's files read alike.
export { BUDGET_VOTE_HEADER, BUDGET_EXEC_HEADER, SUB_VOTED_HEADER, SUB_PAID_HEADER };

/** Column name → label, for Catalog.refresh. */
export const labelsOf = (header: readonly string[]): Record<string, string> => {
  const ids = uniqueIdentifiers(header);
  return Object.fromEntries(ids.map((id, i) => [id, header[i]!]));
};
const ids = (header: readonly string[]) => uniqueIdentifiers(header).map(quoteIdent);

const YEARS = 10;
const FIRST_YEAR = 2015;

/** A list literal of text values. */
const list = (xs: readonly string[]) => `[${xs.map(quoteLiteral).join(', ')}]`;
/** Picks from a list literal with a hash (1-based lists). */
const pick = (xs: readonly string[], h: string) => `${list(xs)}[1 + (${h}) % ${xs.length}]`;

/**
 * bench_h(x): a 32-bit integer mix (three rounds of xorshift-multiply) of a non-negative BIGINT. Not
 * DuckDB's hash(), which may change between versions: this one is plain arithmetic.
 */
const MACROS = [
  'CREATE OR REPLACE TEMP MACRO bench_mix(x) AS (xor(x, x >> 16) * 73244475) % 4294967296',
  'CREATE OR REPLACE TEMP MACRO bench_h(x) AS bench_mix(bench_mix(bench_mix(x % 4294967296)))',
];

// ---------------------------------------------------------------------------------------------
// Budget

/** [section, sens, type d'opération, chapitre, natures]: the M57 chapters a Paris budget carries. */
const POSTES: [string, string, string, string, string[]][] = [
  [
    'Fonctionnement',
    'Dépense',
    'Réel',
    '011',
    ['60611', '60612', '60613', '6068', '611', '6132', '615221', '6156', '617', '6231', '6262', '6042', '60632', '6135', '6226', '6288'],
  ],
  ['Fonctionnement', 'Dépense', 'Réel', '012', ['64111', '64131', '6419', '6451', '6453', '64118', '6455', '6336']],
  ['Fonctionnement', 'Dépense', 'Réel', '014', ['739211', '7391172']],
  ['Fonctionnement', 'Dépense', 'Réel', '65', ['6531', '6553', '65737', '6574', '65111', '6558']],
  ['Fonctionnement', 'Dépense', 'Réel', '66', ['66111', '66112']],
  ['Fonctionnement', 'Dépense', 'Réel', '67', ['673', '6718']],
  ['Fonctionnement', 'Dépense', 'Ordre', '023', ['023']],
  ['Fonctionnement', 'Dépense', 'Ordre', '042', ['6811', '6761', '675']],
  ['Fonctionnement', 'Dépense', 'Ordre', '043', ['6522']],
  ['Fonctionnement', 'Recette', 'Réel', '013', ['6419', '6459']],
  ['Fonctionnement', 'Recette', 'Réel', '70', ['70323', '7062', '70632', '7066', '70688']],
  ['Fonctionnement', 'Recette', 'Réel', '731', ['73111', '7318', '7381']],
  ['Fonctionnement', 'Recette', 'Réel', '74', ['7411', '7478', '74718']],
  ['Fonctionnement', 'Recette', 'Réel', '75', ['752', '7588']],
  ['Fonctionnement', 'Recette', 'Ordre', '042', ['777', '7811']],
  ['Fonctionnement', 'Recette', 'Ordre', '043', ['7522']],
  ['Investissement', 'Dépense', 'Réel', '16', ['1641']],
  ['Investissement', 'Dépense', 'Réel', '20', ['2031', '2051']],
  ['Investissement', 'Dépense', 'Réel', '204', ['204182', '20422', '2041412']],
  ['Investissement', 'Dépense', 'Réel', '21', ['2128', '21312', '2152', '2183', '2188']],
  ['Investissement', 'Dépense', 'Réel', '23', ['2313', '2315']],
  ['Investissement', 'Dépense', 'Réel', '27', ['276351']],
  ['Investissement', 'Dépense', 'Ordre', '040', ['13911', '13912']],
  ['Investissement', 'Dépense', 'Ordre', '041', ['2031', '2313']],
  ['Investissement', 'Recette', 'Réel', '10', ['10222']],
  ['Investissement', 'Recette', 'Réel', '13', ['1321', '1322']],
  ['Investissement', 'Recette', 'Réel', '16', ['1641']],
  ['Investissement', 'Recette', 'Réel', '024', ['024']],
  ['Investissement', 'Recette', 'Ordre', '021', ['021']],
  ['Investissement', 'Recette', 'Ordre', '040', ['28031', '281312', '28183']],
  ['Investissement', 'Recette', 'Ordre', '041', ['2031', '2313']],
];
/** One row per chapter × nature (the budget "postes"). */
const POSTE_ROWS = POSTES.flatMap(([s, d, t, c, ns]) => ns.map((n) => [s, d, t, c, n] as const));
const FONCTIONS = [
  '01',
  '020',
  '021',
  '023',
  '025',
  '11',
  '12',
  '211',
  '212',
  '213',
  '221',
  '251',
  '255',
  '311',
  '312',
  '313',
  '314',
  '32',
  '321',
  '323',
  '33',
  '40',
  '41',
  '422',
  '423',
  '424',
  '51',
  '52',
  '552',
  '61',
  '63',
  '71',
  '721',
  '722',
  '76',
  '822',
  '84',
];
const DIRECTIONS = [
  'DAC',
  'DAE',
  'DASCO',
  'DASES',
  'DCPA',
  'DDCT',
  'DEVE',
  'DFA',
  'DFPE',
  'DILT',
  'DJS',
  'DLH',
  'DPE',
  'DPSP',
  'DRH',
  'DSIN',
  'DSOL',
  'DU',
  'DVD',
  'SG',
  'DPMP',
  'DCIDE',
  'DAJ',
  'DEEP',
];
/** Lines per key and year: BP ~97 %, BS 50 %, DM 30 %; executed ~94 % (+1 % executed without a vote). */
const LINES_PER_KEY_YEAR = 0.97 + 0.5 + 0.3 + 0.97 * 0.96 + 0.01;

/**
 * The statements that build the two budget tables (voted: BP, BS, DM; executed: the administrative
 * account), about `lines` lines in all over 10 years, plus a published total per chapter in the
 * executed table (a few of them wrong). Keys: chapter × nature × function × direction.
 */
export function budgetSetupSql(lines = BUDGET_LINES): string[] {
  const keys = Math.max(1, Math.round(lines / (YEARS * LINES_PER_KEY_YEAR)));
  const postes = `(VALUES ${POSTE_ROWS.map((r, i) => `(${i}, ${r.map(quoteLiteral).join(', ')})`).join(', ')}) AS p(pi, section, sens, type_op, chapitre, nature)`;
  const P = POSTE_ROWS.length;
  // Key k: its poste, function and direction; a base amount (100 € to 990 000 €) per key.
  const keyGrid = `SELECT k, k % ${P} AS pi, ${pick(FONCTIONS, `k // ${P}`)} AS fonction, ${pick(DIRECTIONS, `bench_h(k * 7 + 1)`)} AS direction,
      (100 + bench_h(k * 7 + 2) % 9900) * [1, 10, 100][1 + bench_h(k * 7 + 3) % 3] AS base FROM range(${keys}) AS r(k)`;
  // Functional chapter: 93x in operating, 90x in investment (x: the function's first digit); transfers 946 / 926.
  const chapFonc = `CASE WHEN p.type_op = 'Ordre' THEN CASE p.section WHEN 'Fonctionnement' THEN '946' ELSE '926' END
      WHEN p.chapitre IN ('66', '16') THEN CASE p.section WHEN 'Fonctionnement' THEN '943' ELSE '923' END
      ELSE CASE p.section WHEN 'Fonctionnement' THEN '93' ELSE '90' END || left(g.fonction, 1) END`;
  const [vy, ve, vdate, vs, vsens, vt, vcf, vc, vn, vf, vd, va] = ids(BUDGET_VOTE_HEADER);
  const [ey, es, esens, et, ecf, ec, en, ef, ed, ea] = ids(BUDGET_EXEC_HEADER);
  const grid = `SELECT g.*, y, ${FIRST_YEAR} + y AS annee, bench_h(g.k * 16 + y) AS hy FROM (${keyGrid}) AS g, range(${YEARS}) AS yr(y)`;
  // Credits: BP (base × yearly growth), BS ±20 %, DM −10 %…+10 %; each stage present or not by hash.
  const vote = `CREATE OR REPLACE TABLE ${BUDGET_VOTE} (${vy} INTEGER, ${ve} VARCHAR, ${vdate} DATE, ${vs} VARCHAR, ${vsens} VARCHAR, ${vt} VARCHAR,
      ${vcf} VARCHAR, ${vc} VARCHAR, ${vn} VARCHAR, ${vf} VARCHAR, ${vd} VARCHAR, ${va} DECIMAL(18,2))`;
  const voteInsert = `INSERT INTO ${BUDGET_VOTE} SELECT g.annee, st.etape,
      CASE st.etape WHEN 'BP' THEN make_date(g.annee - 1, 12, 11) WHEN 'BS' THEN make_date(g.annee, 7, 7) ELSE make_date(g.annee, 11, 14) END,
      p.section, p.sens, p.type_op, ${chapFonc}, p.chapitre, p.nature, g.fonction, g.direction,
      CASE st.etape WHEN 'BP' THEN g.base * (100 + 3 * g.y) // 100
        WHEN 'BS' THEN g.base * (bench_h(g.hy + 1) % 41 - 20) // 100
        ELSE g.base * (bench_h(g.hy + 2) % 21 - 10) // 100 END
    FROM (${grid}) AS g JOIN ${postes} ON p.pi = g.pi,
      (VALUES ('BP', 97, 3), ('BS', 50, 4), ('DM', 30, 5)) AS st(etape, pct, salt)
    WHERE bench_h(g.hy * 8 + st.salt) % 100 < st.pct
    ORDER BY g.annee, st.etape, g.k`;
  // Executed: 94 % of the keys voted at BP, at 60 %–104 % of the BP credits, with cents; 1 % of keys executed with no vote.
  const exec = `CREATE OR REPLACE TABLE ${BUDGET_EXEC} (${ey} INTEGER, ${es} VARCHAR, ${esens} VARCHAR, ${et} VARCHAR, ${ecf} VARCHAR,
      ${ec} VARCHAR, ${en} VARCHAR, ${ef} VARCHAR, ${ed} VARCHAR, ${ea} DECIMAL(18,2))`;
  const execInsert = `INSERT INTO ${BUDGET_EXEC} SELECT g.annee, p.section, p.sens, p.type_op, ${chapFonc}, p.chapitre, p.nature, g.fonction, g.direction,
      CAST(g.base * (100 + 3 * g.y) * (60 + bench_h(g.hy + 3) % 45) // 100 AS DECIMAL(18,0)) * 0.01
    FROM (${grid}) AS g JOIN ${postes} ON p.pi = g.pi
    WHERE (bench_h(g.hy * 8 + 3) % 100 < 97 AND bench_h(g.hy * 8 + 6) % 100 < 96) OR bench_h(g.hy * 8 + 7) % 100 < 1
    ORDER BY g.annee, g.k`;
  // Published totals by chapter (nature « Total chapitre »), 1 in 40 off by a few euros.
  const totals = `INSERT INTO ${BUDGET_EXEC} SELECT y, s, d, t, NULL, c, 'Total chapitre', NULL, NULL,
      total + CASE WHEN bench_h(y * 1000 + CAST(c AS INTEGER) * 4 + length(d) + length(s)) % 40 = 0 THEN 17 ELSE 0 END
    FROM (SELECT ${ey} AS y, ${es} AS s, ${esens} AS d, ${et} AS t, ${ec} AS c, sum(${ea}) AS total FROM ${BUDGET_EXEC} GROUP BY ALL) ORDER BY ALL`;
  return [...MACROS, vote, voteInsert, exec, execInsert, totals];
}

/** The operation's mapping for each table (column names as the importer makes them). */
export function budgetMappings() {
  const v = uniqueIdentifiers(BUDGET_VOTE_HEADER);
  const e = uniqueIdentifiers(BUDGET_EXEC_HEADER);
  return {
    voted: {
      year: v[0]!,
      stage: v[1]!,
      section: v[3]!,
      flow: v[4]!,
      opType: v[5]!,
      chapter: v[7]!,
      nature: v[8]!,
      function: v[9]!,
      direction: v[10]!,
      amount: v[11]!,
    },
    executed: {
      year: e[0]!,
      section: e[1]!,
      flow: e[2]!,
      opType: e[3]!,
      chapter: e[5]!,
      nature: e[6]!,
      function: e[7]!,
      direction: e[8]!,
      amount: e[9]!,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Subsidies

const FORMES = [
  'Association',
  'Compagnie',
  'Club',
  'Collectif',
  'Amicale',
  'Théâtre',
  'Fédération',
  'Atelier',
  'Maison',
  'Comité',
  'Ensemble',
  'Union',
  'Association',
  'Association',
];
const SYLLABES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'bel',
  'van',
  'nou',
  'té',
  'zé',
  'ri',
  'do',
  'sa',
  'lu',
  'mor',
  'ca',
  'pé',
  'fa',
  'go',
  'né',
  'vi',
  'ter',
  'lan',
  'chi',
  'bo',
  'ru',
  'mé',
  'dal',
  'sin',
  'ko',
  'tal',
  'li',
  'ver',
];
const ACTIVITES = [
  'des Amis du Square',
  'Sportive',
  'Culturelle',
  'de Quartier',
  'des Parents d’Élèves',
  'Jeunesse et Avenir',
  'Solidarité',
  'des Arts de la Rue',
  'de Danse',
  'Musique et Partage',
  'Lecture Partagée',
  'Écologie Urbaine',
  'des Locataires',
  'Entraide Seniors',
  'du Jardin Partagé',
  'Théâtre et Cie',
];
const LIEUX = [
  'Belleville',
  'Ménilmontant',
  'de la Goutte d’Or',
  'du Marais',
  'Bercy',
  'Montparnasse',
  'des Batignolles',
  'Château-Rouge',
  'Saint-Blaise',
  'de la Villette',
  'des Gobelins',
  'Butte-aux-Cailles',
  'Sentier',
  'Grenelle',
  'Popincourt',
  'Montsouris',
  'Crimée',
  'Plaisance',
  'Picpus',
  'Clignancourt',
  'Saint-Fargeau',
  'Charonne',
  'Javel',
  'Auteuil',
  'Épinettes',
  'la Chapelle',
  'Bastille',
  'Denfert',
  'Maubert',
  'Sèvres',
];
const SUB_DIRECTIONS = ['DAC', 'DAE', 'DASCO', 'DASES', 'DDCT', 'DEVE', 'DFPE', 'DJS', 'DLH', 'DSOL', 'DPE', 'DU', 'DVD', 'DPSP'];
const OBJETS = [
  'Fonctionnement général',
  'Ateliers du mercredi',
  'Fête de quartier',
  'Saison culturelle',
  'Stage sportif',
  'Aide aux devoirs',
  'Festival',
  'Projet d’investissement',
  'Accompagnement social',
  'Résidence artistique',
];
const SECTEURS = ['Culture', 'Sport', 'Éducation', 'Vie locale et citoyenneté', 'Social', 'Environnement', 'Économie', 'Logement'];

/** The 14th digit of a SIRET whose first 13 are `p` (text): Luhn, unrolled as in normalize.ts. */
function luhnKeySql(p: string): string {
  const terms = Array.from({ length: 13 }, (_, i) => {
    const d = `CAST(substr(${p}, ${i + 1}, 1) AS INTEGER)`;
    // Position i + 1 from the left of 14: doubled when it is odd.
    return i % 2 === 0 ? `((2 * ${d}) % 10 + (2 * ${d}) // 10)` : d;
  });
  return `CAST((10 - (${terms.join(' + ')}) % 10) % 10 AS VARCHAR)`;
}

/**
 * The statements that build the two subsidies tables: `votes` voted lines over 10 years (~1 beneficiary
 * per 6 lines, skewed: a few bodies hold many dossiers) and the payments that followed (none for 3 % of
 * votes, two instalments for 22 %, 1 % of single payments at 1.5 × the vote, plus 1 % paid to bodies
 * that no vote names). 85 % of bodies have a SIRET. Each side spells a body its own way, as two
 * systems would: the votes as is for 90 % of bodies, the payments (the accounting record) as is for
 * half of them, else upper case without accents, « ASSOC. », « (association) » or the legal form at the
 * end, punctuation and double spaces, or one letter dropped; 5 % of lines are typed otherwise on each
 * side. SIRETs: the votes leave it out on 5 % of lines, the payments for 10 % of bodies and 5 % of
 * lines; 1 % invalid (the last two digits swapped), 2 % written with spaces, 3 % of bodies paid under
 * another establishment of the same SIREN. So every matching path runs: SIRET, SIREN, exact name,
 * same words, approximate name.
 */
export function subsidiesSetupSql(votes = SUBSIDY_VOTES): string[] {
  const bodies = Math.max(1, Math.round(votes / 6));
  const extra = Math.max(1, Math.round(bodies * 0.02));
  const syl = (bits: number) => pick(SYLLABES, `h1 // ${32 ** bits}`);
  // Body b: 75 % « Forme Motinventé Lieu », 25 % « Forme activité Lieu » (generic: two bodies may share it).
  const raw = `SELECT b, bench_h(b * 4) AS h0, bench_h(b * 4 + 1) AS h1, bench_h(b * 4 + 2) AS h2, bench_h(b * 4 + 3) AS h3 FROM range(${bodies + extra}) AS r(b)`;
  const named = `SELECT b, h0, ${pick(FORMES, 'h2 % 1000')} AS forme,
      CASE WHEN h2 // 1000 % 4 > 0 THEN upper(left(${syl(0)}, 1)) || substr(${syl(0)}, 2) || ${syl(1)} || ${syl(2)} ELSE ${pick(ACTIVITES, 'h2 // 4000')} END AS mot,
      ${pick(LIEUX, 'h3 % 1000')} AS lieu,
      CASE WHEN h3 // 1000 % 100 < 85 THEN CAST(100000000 + h1 % 900000000 AS VARCHAR) END AS siren,
      lpad(CAST(1 + h3 // 100000 % 90 AS VARCHAR), 4, '0') AS nic,
      ${pick(SUB_DIRECTIONS, 'h3 // 10000000')} AS direction
    FROM (${raw})`;
  const siretOf = (siren: string, nic: string) => `${siren} || ${nic} || ${luhnKeySql(`(${siren} || ${nic})`)}`;
  const withSirets = `SELECT *, ${siretOf('siren', 'nic')} AS siret,
      ${siretOf('siren', "lpad(CAST(CAST(nic AS INTEGER) + 1 AS VARCHAR), 4, '0')")} AS siret_autre,
      forme || ' ' || mot || ' ' || lieu AS nom FROM (${named})`;
  // Each body's spellings [1..7] and its SIRET as written [1..4]: as is, two digits swapped, spaced, another establishment.
  // Names and SIRETs come from each side's own record of the body, so each body has its spelling in
  // the votes (as is for 90 %) and its spelling and SIRET form in the payments (the accounting record:
  // as is for half the bodies), with a few lines typed otherwise (vs, ps, psi: 0–99 per body).
  const bodiesTable = `CREATE OR REPLACE TEMP TABLE bench_subv_bodies AS SELECT b, direction, siren,
      CASE WHEN h0 % 100 < 90 THEN 0 ELSE 50 + h0 // 100 % 44 END AS vs, h0 // 10000 % 100 AS ps, h0 // 1000000 % 100 AS psi,
      [nom, upper(strip_accents(nom)),
       CASE WHEN forme = 'Association' THEN 'ASSOC. ' || upper(mot || ' ' || lieu) ELSE upper(nom) END,
       CASE WHEN forme = 'Association' THEN mot || ' ' || lieu || ' (association)' ELSE mot || ' ' || lieu || ' (' || forme || ')' END,
       replace(forme || ' - ' || mot || ', ' || lieu, ' ', '  '),
       left(nom, length(nom) // 2) || substr(nom, length(nom) // 2 + 2),
       nom] AS noms,
      [siret, left(siret, 12) || right(siret, 1) || substr(siret, 13, 1),
       substr(siret, 1, 3) || ' ' || substr(siret, 4, 3) || ' ' || substr(siret, 7, 3) || ' ' || substr(siret, 10),
       siret_autre] AS sirets
    FROM (${withSirets})`;
  // Spelling by a hash h (0–99): 50 % as is, 15 % upper case, 15 % legal form, 10 % punctuation, 4 % a letter dropped.
  const nameAs = (h: string) =>
    `noms[CASE WHEN ${h} < 50 THEN 1 WHEN ${h} < 65 THEN 2 WHEN ${h} < 72 THEN 3 WHEN ${h} < 80 THEN 4 WHEN ${h} < 90 THEN 5 WHEN ${h} < 94 THEN 6 ELSE 7 END]`;
  const siretAs = (h: string, o: { missing: number; other: number }) =>
    `CASE WHEN siren IS NULL OR ${h} < ${o.missing} THEN NULL WHEN ${h} < ${o.missing + 1} THEN sirets[2] WHEN ${h} < ${o.missing + 3} THEN sirets[3]
      WHEN ${h} < ${o.missing + 3 + o.other} THEN sirets[4] ELSE sirets[1] END`;
  const [vno, vy, vdate, vnom, vsiret, vdir, vobj, vnat, vsect, vamt] = ids(SUB_VOTED_HEADER);
  const [pno, py, pdate, pnom, psiret, pamt] = ids(SUB_PAID_HEADER);
  // Vote i: body b = bodies × u² (u: 16 bits of a hash, in integers), year by i, amount 500 € – 20 400 € (2 % × 10).
  const voteRows = `SELECT i, ${FIRST_YEAR} + i % ${YEARS} AS annee, bench_h(i * 3 + 1) AS h, bench_h(i * 3 + 2) AS g,
      (bench_h(i * 3) // 65536) * (bench_h(i * 3) // 65536) * ${bodies} // 4294967296 AS b FROM range(${votes}) AS r(i)`;
  const votesTable = `CREATE OR REPLACE TABLE ${SUB_VOTED} AS
    SELECT CAST(v.annee AS VARCHAR) || '_' || lpad(CAST(v.i // ${YEARS} AS VARCHAR), 6, '0') AS ${vno},
      CAST(v.annee AS INTEGER) AS ${vy},
      make_date(v.annee, 1 + v.h % 12, 1 + v.h // 12 % 28) AS ${vdate},
      ${nameAs('CASE WHEN v.h // 1000 % 100 < 5 THEN 50 + v.h // 100000 % 44 ELSE bo.vs END')} AS ${vnom},
      ${siretAs('v.g % 100', { missing: 5, other: 0 })} AS ${vsiret},
      CASE WHEN v.g // 100 % 100 < 5 THEN ${pick(SUB_DIRECTIONS, 'v.g // 10000')} ELSE bo.direction END AS ${vdir},
      ${pick(OBJETS, 'v.g // 1000000')} || ' ' || CAST(v.annee AS VARCHAR) AS ${vobj},
      CASE WHEN v.g // 100000000 % 10 < 8 THEN 'Fonctionnement' ELSE 'Projet' END AS ${vnat},
      ${pick(SECTEURS, 'bo.b')} AS ${vsect},
      CAST((5 + v.h // 1000000 % 200) * 100 * CASE WHEN v.h // 300000000 = 0 THEN 10 ELSE 1 END AS DECIMAL(18,2)) AS ${vamt}
    FROM (${voteRows}) AS v JOIN bench_subv_bodies AS bo ON bo.b = v.b
    ORDER BY v.i`;
  // Payments: per vote 0 (3 %), 1 (75 %) or 2 instalments (22 %: 60 % then 40 %); 1 % of single ones at 1.5 × the vote.
  const paidTable = `CREATE OR REPLACE TABLE ${SUB_PAID} AS
    WITH v AS (SELECT CAST(split_part(${vno}, '_', 2) AS BIGINT) * ${YEARS} + ${vy} - ${FIRST_YEAR} AS i, ${vy} AS annee, ${vamt} AS montant FROM ${SUB_VOTED}),
    -- The vote's number i gives back its body, as in the votes.
    vb AS (SELECT v.*, bench_h(i * 5) AS h, (bench_h(i * 3) // 65536) * (bench_h(i * 3) // 65536) * ${bodies} // 4294967296 AS b FROM v),
    lines AS (SELECT i, annee, montant, h, b, j, i * 2 + j AS u FROM vb, range(2) AS r(j) WHERE (h % 100 >= 3 AND j = 0) OR (h % 100 >= 78 AND j = 1)
      UNION ALL
      SELECT NULL, ${FIRST_YEAR} + k % ${YEARS}, CAST((5 + bench_h(k * 7 + 1) % 100) * 100 AS DECIMAL(18,2)), bench_h(k * 7 + 2), ${bodies} + bench_h(k * 7) % ${extra}, 0, ${votes * 2} + k
      FROM range(${Math.max(1, Math.round(votes / 100))}) AS r(k)),
    hashed AS (SELECT lines.*, bench_h(u * 3 + 1) AS p FROM lines)
    SELECT CAST(least(l.annee + l.j, ${FIRST_YEAR + YEARS - 1}) AS VARCHAR) || '-M-' || lpad(CAST(row_number() OVER (ORDER BY l.u) AS VARCHAR), 7, '0') AS ${pno},
      CAST(least(l.annee + l.j, ${FIRST_YEAR + YEARS - 1}) AS INTEGER) AS ${py},
      make_date(least(l.annee + l.j, ${FIRST_YEAR + YEARS - 1}), 1 + l.p % 12, 1 + l.p // 12 % 28) AS ${pdate},
      ${nameAs('CASE WHEN l.p // 1000 % 100 < 5 THEN l.p // 100000 % 100 ELSE bo.ps END')} AS ${pnom},
      CASE WHEN l.p // 10000000 % 100 < 5 THEN NULL ELSE ${siretAs('bo.psi', { missing: 10, other: 3 })} END AS ${psiret},
      CAST(CASE WHEN l.i IS NULL OR l.h % 100 < 78 THEN l.montant * CASE WHEN l.h // 100 % 100 = 0 THEN 1.5 ELSE 1 END
        WHEN l.j = 0 THEN round(l.montant * 0.6, 2) ELSE l.montant - round(l.montant * 0.6, 2) END AS DECIMAL(18,2)) AS ${pamt}
    FROM hashed AS l JOIN bench_subv_bodies AS bo ON bo.b = l.b
    ORDER BY l.u`;
  return [...MACROS, bodiesTable, votesTable, paidTable, 'DROP TABLE bench_subv_bodies'];
}

/** Dropped after the figures: the wasm heap is bounded. */
export const BUDGET_TABLES = [BUDGET_VOTE, BUDGET_EXEC, SUB_VOTED, SUB_PAID];
