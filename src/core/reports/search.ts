// search-reports: BM25 over the blocks of the library (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5) /
// (df + 0.5)), N and the mean length over every block that has terms), read from the search index
// (search-index.ts: each term's weight per block stored, so a search sums a few postings). Loose words add
// up (a block needs one of them); a phrase is required and its words must sit at consecutive positions
// (stop words keep their places). Filters by year, service and report narrow the passages, not the
// statistics, so a passage scores the same whatever the filter.
// The passages land in res_search_reports and the journal keeps the query: a citation can be replayed.
import { fmtInt } from '../audit/format.ts';
import { OperationError, type OperationContext, type OperationOutput } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
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
import { INDEX_BLOCKS, POSTINGS, lookupTerms } from './search-index.ts';
import type { Schema } from './store.ts';
import { parseQuery, tokenize, type ParsedQuery } from './tokenize.ts';

export { B, K1 } from './search-index.ts';

const SNIPPET = 240;

const R = quoteIdent(REPORTS_TABLE);

/**
 * Blocks holding the phrase, among those holding all its words: the first word's positions shifted by
 * each word's offset must be among that word's positions. A word the library never uses: no block.
 */
function phraseSql(p: ParsedQuery['phrases'][number], i: number, ids: ReadonlyMap<string, number>): string {
  const tid = p.terms.map((t) => ids.get(t));
  if (tid.some((t) => t === undefined)) return `ph${i} AS (SELECT NULL::INTEGER AS bloc_id WHERE false)`;
  const joins = tid
    .slice(1)
    .map((t, j) => `JOIN hits h${j + 1} ON h${j + 1}.bloc_id = h0.bloc_id AND h${j + 1}.terme_id = ${t}`)
    .join(' ');
  const follow = p.offsets
    .slice(1)
    .map((o, j) => `list_contains(h${j + 1}.positions, x + ${o})`)
    .join(' AND ');
  const where = follow ? ` AND len(list_filter(h0.positions, x -> ${follow})) > 0` : '';
  return `ph${i} AS (SELECT DISTINCT h0.bloc_id FROM hits h0 ${joins} WHERE h0.terme_id = ${tid[0]}${where})`;
}

/**
 * The ranking over the index: the postings of the query's terms (`ids`: their ids in the vocabulary, a
 * term the library never uses has none) summed per block, kept where every phrase is and the filters
 * hold, then the top passages with their text. Each term is read on its own (`terme_id = k`), so the
 * scan skips every row group outside the term's range.
 */
export function searchSql(q: ParsedQuery, p: SearchReportsParams, ids: ReadonlyMap<string, number>, n: number): string {
  const filters: string[] = [];
  if (p.yearFrom !== undefined) filters.push(`r.annee >= ${p.yearFrom}`);
  if (p.yearTo !== undefined) filters.push(`r.annee <= ${p.yearTo}`);
  if (p.services?.length) filters.push(`r.entite_auditee IN (${p.services.map(quoteLiteral).join(', ')})`);
  if (p.reports?.length) filters.push(`r.sha256 IN (${p.reports.map(quoteLiteral).join(', ')})`);
  const found = q.terms.map((t) => ids.get(t)).filter((t) => t !== undefined);
  const positions = q.phrases.some((ph) => ph.terms.length > 1) ? ', positions' : '';
  const reads = found.length
    ? found.map((t) => `SELECT terme_id, bloc_id, poids${positions} FROM ${POSTINGS} WHERE terme_id = ${t}`).join(' UNION ALL ')
    : `SELECT NULL::INTEGER AS terme_id, NULL::INTEGER AS bloc_id, NULL::DOUBLE AS poids${positions ? ', NULL::INTEGER[] AS positions' : ''} WHERE false`;
  const ctes = [
    `hits AS (${reads})`,
    `scored AS (SELECT bloc_id, sum(poids) AS score FROM hits GROUP BY bloc_id)`,
    ...q.phrases.map((ph, i) => phraseSql(ph, i, ids)),
  ];
  const phraseJoins = q.phrases.map((_, i) => `JOIN ph${i} ON ph${i}.bloc_id = s.bloc_id`).join(' ');
  // Filters read the reports as they are now (a few hundred rows), through each block's report.
  const filterJoin = filters.length
    ? `JOIN ${INDEX_BLOCKS} f ON f.bloc_id = s.bloc_id JOIN ${R} r ON r.sha256 = f.sha256 WHERE ${filters.join(' AND ')}`
    : '';
  ctes.push(
    `kept AS (SELECT s.bloc_id, s.score FROM scored s ${phraseJoins} ${filterJoin})`,
    `top AS (SELECT bloc_id, score FROM kept ORDER BY score DESC, bloc_id LIMIT ${p.limit})`,
  );
  return `WITH ${ctes.join(',\n')}
    SELECT t.bloc_id, round(t.score, 6) AS score, b.sha256, b.fichier, r.titre, r.identifiant_du_rapport, r.annee, r.entite_auditee,
      b.page, b.bloc, b.texte, (SELECT count(*) FROM kept) AS total, ${n}::INTEGER AS blocs
    FROM top t JOIN ${INDEX_BLOCKS} b ON b.bloc_id = t.bloc_id JOIN ${R} r ON r.sha256 = b.sha256
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
  const index = await lookupTerms(ctx.engine, q.terms);
  const sql = searchSql(q, p, index.ids, index.n);
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
  // What was searched, before what was found: the blocks of text in the library.
  const blocs = index.n;
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
    sql: [...index.rebuilt, sql],
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

// Twenty rows or so: one statement with their values, where the typed CSV loader would take seven round trips.
async function writeHits(ctx: OperationContext, hits: SearchHit[]): Promise<void> {
  const cols = HIT_SCHEMA.map(([n, ty]) => `${quoteIdent(n)} ${ty}`).join(', ');
  const value = (h: SearchHit, name: string): unknown => (name === 'marques' ? JSON.stringify(h.marques) : h[name as keyof SearchHit]);
  // A score goes as text, parsed straight to the double it was (a bare 1.5 would pass through DECIMAL).
  const literal = (v: unknown, ty: string) => (ty === 'DOUBLE' && typeof v === 'number' ? quoteLiteral(String(v)) : sqlValue(v ?? null));
  const rows = hits.map((h) => `(${HIT_SCHEMA.map(([name, ty]) => `${literal(value(h, name), ty)}::${ty}`).join(', ')})`);
  const t = quoteIdent(SEARCH_RESULT_TABLE);
  await ctx.engine.exec(
    rows.length
      ? `CREATE OR REPLACE TABLE ${t} AS SELECT * FROM (VALUES ${rows.join(', ')}) AS v(${HIT_SCHEMA.map(([n]) => quoteIdent(n)).join(', ')})`
      : `CREATE OR REPLACE TABLE ${t} (${cols})`,
  );
  ctx.catalog.set({
    name: SEARCH_RESULT_TABLE,
    kind: 'result',
    columns: HIT_SCHEMA.map(([name, type]) => ({ name, label: name, type })),
    rows: hits.length,
    origin: { op: OP_SEARCH_REPORTS },
  });
}
