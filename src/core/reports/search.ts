// search-reports: BM25 over the blocks of the library, computed in SQL on rapports_pdf_termes
// (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5) / (df + 0.5)), N and the mean length over every
// block that has terms). Loose words add up (a block needs one of them); a phrase is required and its
// words must sit at consecutive positions (stop words keep their places). Filters by year, service
// and report narrow the passages, not the statistics, so a passage scores the same whatever the filter.
// The passages land in res_search_reports and the journal keeps the query: a citation can be replayed.
import { fmtInt } from '../audit/common.ts';
import { OperationError, type OperationContext, type OperationOutput } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import type { SearchReportsParams } from './ops.ts';
import {
  BLOCKS_TABLE,
  OP_SEARCH_REPORTS,
  REPORTS_TABLE,
  SEARCH_RESULT_TABLE,
  TERMS_TABLE,
  type SearchDetail,
  type SearchHit,
} from './schema.ts';
import { insertColumns, type Schema } from './store.ts';
import { parseQuery, tokenize, type ParsedQuery } from './tokenize.ts';

export const K1 = 1.2;
export const B = 0.75;
const SNIPPET = 240;

const T = quoteIdent(TERMS_TABLE);
const BL = quoteIdent(BLOCKS_TABLE);
const R = quoteIdent(REPORTS_TABLE);

/** Blocks holding the phrase: the first word's rows joined to the others' at position + offset. */
function phraseSql(p: ParsedQuery['phrases'][number], i: number): string {
  const joins = p.terms
    .slice(1)
    .map(
      (t, j) =>
        `JOIN ${T} p${j + 1} ON p${j + 1}.bloc_id = p0.bloc_id AND p${j + 1}.terme = ${quoteLiteral(t)} AND p${j + 1}.position = p0.position + ${p.offsets[j + 1]}`,
    )
    .join(' ');
  return `ph${i} AS (SELECT DISTINCT p0.bloc_id FROM ${T} p0 ${joins} WHERE p0.terme = ${quoteLiteral(p.terms[0]!)})`;
}

export function searchSql(q: ParsedQuery, p: SearchReportsParams): string {
  const filters: string[] = [];
  if (p.yearFrom !== undefined) filters.push(`r.annee >= ${p.yearFrom}`);
  if (p.yearTo !== undefined) filters.push(`r.annee <= ${p.yearTo}`);
  if (p.services?.length) filters.push(`r.entite_auditee IN (${p.services.map(quoteLiteral).join(', ')})`);
  if (p.reports?.length) filters.push(`r.sha256 IN (${p.reports.map(quoteLiteral).join(', ')})`);
  const ctes = [
    `stats AS (SELECT count(*)::DOUBLE AS n, avg(nb_termes)::DOUBLE AS avgdl FROM ${BL} WHERE nb_termes > 0)`,
    `tf AS (SELECT bloc_id, terme, count(*)::DOUBLE AS tf FROM ${T} WHERE terme IN (${q.terms.map(quoteLiteral).join(', ')}) GROUP BY bloc_id, terme)`,
    `df AS (SELECT terme, count(*)::DOUBLE AS df FROM tf GROUP BY terme)`,
    ...q.phrases.map(phraseSql),
    // Constants as DOUBLE: a bare 0.75 is a DECIMAL in DuckDB, and every row would be cast through it.
    `scored AS (SELECT tf.bloc_id, sum(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5)) * tf.tf * ${K1 + 1}::DOUBLE
        / (tf.tf + ${K1}::DOUBLE * (1 - ${B}::DOUBLE + ${B}::DOUBLE * b.nb_termes / stats.avgdl))) AS score
      FROM tf JOIN df USING (terme) JOIN ${BL} b USING (bloc_id) CROSS JOIN stats GROUP BY tf.bloc_id)`,
  ];
  const phraseJoins = q.phrases.map((_, i) => `JOIN ph${i} ON ph${i}.bloc_id = s.bloc_id`).join(' ');
  // Filters need the block's report; without them the ranking never touches the texts.
  const filterJoin = filters.length
    ? `JOIN ${BL} fb ON fb.bloc_id = s.bloc_id JOIN ${R} r ON r.sha256 = fb.sha256 WHERE ${filters.join(' AND ')}`
    : '';
  ctes.push(
    `kept AS (SELECT s.bloc_id, s.score FROM scored s ${phraseJoins} ${filterJoin})`,
    // Only the passages returned fetch their text: the count of all matches is taken on ids and scores.
    `top AS (SELECT bloc_id, score, count(*) OVER () AS total FROM kept ORDER BY score DESC, bloc_id LIMIT ${p.limit})`,
  );
  return `WITH ${ctes.join(',\n')}
    SELECT t.bloc_id, round(t.score, 6) AS score, b.sha256, b.fichier, r.titre, r.identifiant_du_rapport, r.annee, r.entite_auditee,
      b.page, b.bloc, b.texte, t.total, (SELECT n FROM stats)::INTEGER AS blocs
    FROM top t JOIN ${BL} b ON b.bloc_id = t.bloc_id JOIN ${R} r ON r.sha256 = b.sha256
    ORDER BY t.score DESC, t.bloc_id`;
}

/** Offsets of the words that matched: loose words anywhere, a phrase's words only where the phrase is. */
export function matchMarks(text: string, q: ParsedQuery): [number, number][] {
  const toks = tokenize(text);
  const phraseTerms = new Set(q.phrases.flatMap((p) => p.terms));
  const loose = new Set(q.terms.filter((t) => !phraseTerms.has(t)));
  const marked = new Set<number>();
  toks.forEach((t, i) => {
    if (loose.has(t.term)) marked.add(i);
  });
  const byPos = new Map(toks.map((t, i) => [t.position, i]));
  for (const p of q.phrases) {
    toks.forEach((t) => {
      if (t.term !== p.terms[0]) return;
      const idx = p.offsets.map((o) => byPos.get(t.position + o));
      if (idx.every((k, j) => k !== undefined && toks[k]!.term === p.terms[j])) for (const k of idx) marked.add(k!);
    });
  }
  return [...marked].sort((a, b) => a - b).map((i) => [toks[i]!.start, toks[i]!.end]);
}

/** A window of the text around the first mark, the marks shifted into it; « … » where it was cut. */
export function snippet(text: string, marks: [number, number][], width = SNIPPET): { extrait: string; marques: [number, number][] } {
  if (text.length <= width) return { extrait: text, marques: marks };
  const first = marks[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  // Start and end on a word boundary.
  if (start > 0) {
    const sp = text.lastIndexOf(' ', start);
    start = sp >= 0 && first - sp < width / 2 ? sp + 1 : start;
  }
  let end = Math.min(text.length, start + width);
  if (end < text.length) {
    const sp = text.indexOf(' ', end);
    end = sp >= 0 && sp - end < 30 ? sp : end;
  }
  const pre = start > 0 ? '…' : '';
  const post = end < text.length ? '…' : '';
  const shift = pre.length - start;
  const marques = marks.filter(([a, b]) => a >= start && b <= end).map(([a, b]): [number, number] => [a + shift, b + shift]);
  return { extrait: pre + text.slice(start, end) + post, marques };
}

export async function runSearchReports(ctx: OperationContext, p: SearchReportsParams): Promise<OperationOutput<SearchDetail>> {
  for (const t of [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE]) {
    if (!ctx.catalog.has(t)) throw new OperationError('Aucun rapport PDF dans le projet : importez-en d’abord (import-reports)');
  }
  const q = parseQuery(p.query);
  if (!q.terms.length) throw new OperationError(`Requête sans mot cherchable (seulement des mots vides ?) : « ${p.query} »`);
  const sql = searchSql(q, p);
  const res = await ctx.engine.query(sql);
  const idx = Object.fromEntries(res.columns.map((c, i) => [c.name, i]));
  const hits: SearchHit[] = res.rows.map((row, i) => {
    const texte = String(row[idx.texte!]);
    const { extrait, marques } = snippet(texte, matchMarks(texte, q));
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      rang: i + 1,
      score: Number(row[idx.score!]),
      bloc_id: Number(row[idx.bloc_id!]),
      sha256: String(row[idx.sha256!]),
      fichier: String(row[idx.fichier!]),
      titre: (row[idx.titre!] as string | null) ?? null,
      identifiant_du_rapport: String(row[idx.identifiant_du_rapport!]),
      annee: num(row[idx.annee!]),
      entite_auditee: (row[idx.entite_auditee!] as string | null) ?? null,
      page: Number(row[idx.page!]),
      bloc: Number(row[idx.bloc!]),
      texte,
      extrait,
      marques,
    };
  });
  const total = res.rows.length ? Number(res.rows[0]![idx.total!]) : 0;
  // What was searched, before what was found: the blocks of text in the library (asked apart only when nothing matched).
  const blocs = res.rows.length
    ? Number(res.rows[0]![idx.blocs!])
    : Number((await ctx.engine.query(`SELECT count(*) FROM ${BL} WHERE nb_termes > 0`)).rows[0]![0]);
  const filtered = [
    p.yearFrom !== undefined ? `années ≥ ${p.yearFrom}` : '',
    p.yearTo !== undefined ? `années ≤ ${p.yearTo}` : '',
    p.services?.length ? `service${p.services.length > 1 ? 's' : ''} ${p.services.map((x) => `« ${x} »`).join(', ')}` : '',
    p.reports?.length ? `${fmtInt(p.reports.length)} rapport(s) choisi(s)` : '',
  ].filter(Boolean);
  const scope = `${fmtInt(blocs)} bloc(s) de texte cherché(s)${filtered.length ? `, filtres : ${filtered.join(', ')}` : ''}`;
  await writeHits(ctx, hits);
  const where = hits
    .slice(0, 3)
    .map((h) => `${h.fichier} p. ${h.page}`)
    .join(', ');
  return {
    table: SEARCH_RESULT_TABLE,
    sql: [sql],
    inputs: [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE].map((t) => ({ table: t })),
    summary: total
      ? `« ${p.query} » : ${scope} ; ${fmtInt(total)} passage(s) trouvé(s)${total > hits.length ? `, ${fmtInt(hits.length)} premier(s) rendu(s)` : ''} — ${where}`
      : `« ${p.query} » : ${scope} ; aucun passage trouvé`,
    detail: { query: p.query, terms: q.terms, phrases: q.phrases.map((x) => x.terms), total, hits },
  };
}

const HIT_SCHEMA: Schema = [
  ['rang', 'INTEGER'],
  ['score', 'DOUBLE'],
  ['bloc_id', 'INTEGER'],
  ['sha256', 'VARCHAR'],
  ['fichier', 'VARCHAR'],
  ['titre', 'VARCHAR'],
  ['identifiant_du_rapport', 'VARCHAR'],
  ['annee', 'INTEGER'],
  ['entite_auditee', 'VARCHAR'],
  ['page', 'INTEGER'],
  ['bloc', 'INTEGER'],
  ['extrait', 'VARCHAR'],
  ['marques', 'VARCHAR'],
];

async function writeHits(ctx: OperationContext, hits: SearchHit[]): Promise<void> {
  const t = quoteIdent(SEARCH_RESULT_TABLE);
  await ctx.engine.exec(`DROP TABLE IF EXISTS ${t}`);
  await ctx.engine.exec(`CREATE TABLE ${t} (${HIT_SCHEMA.map(([n, ty]) => `${quoteIdent(n)} ${ty}`).join(', ')})`);
  const columns: Record<string, unknown[]> = {};
  for (const [name] of HIT_SCHEMA)
    columns[name] = hits.map((h) => (name === 'marques' ? JSON.stringify(h.marques) : (h[name as keyof SearchHit] ?? null)));
  await insertColumns(ctx.engine, SEARCH_RESULT_TABLE, HIT_SCHEMA, columns);
  ctx.catalog.set({
    name: SEARCH_RESULT_TABLE,
    kind: 'result',
    columns: HIT_SCHEMA.map(([name, type]) => ({ name, label: name, type })),
    rows: hits.length,
    origin: { op: OP_SEARCH_REPORTS },
  });
}
