// extract-recommendations: the numbered recommendations of each report, read from its blocks in order,
// into a table the follow-up register reads with its default columns (one row per recommendation,
// status « Émise » at the report's date), with the page and block they came from, and the audited
// service's response when an annex keys one to the recommendation's number.
//
// The forms recognised: « Recommandation n° N : … » and « Recommandation N : … » anywhere, « R N : … »
// (or « RN – … ») anywhere, and « N. … » / « N) … » items only under a « Recommandations » heading.
// A recommendation met again later (the summary list repeating the body) keeps its first place. In a
// « Réponse du service » / « Observations de la direction » section, a block keyed by a number
// (« Recommandation n° 2 : … », « R2 : … », « Réponse à la recommandation 2 : … ») is that
// recommendation's response, the unkeyed paragraphs after it its continuation.
import { fmtInt } from '../audit/format.ts';
import { population, populationLine } from '../ops/population.ts';
import { OperationError, type OperationContext, type OperationOutput } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import type { CorrectRecommendationParams, ExtractRecommendationsParams } from './ops.ts';
import {
  BLOCKS_TABLE,
  CORRECTIONS_TABLE,
  OP_CORRECT_RECOMMENDATION,
  OP_EXTRACT_RECOMMENDATIONS,
  RECOMMENDATIONS_TABLE,
  REPORTS_TABLE,
  type ExtractRecommendationsDetail,
  type RecommendationRow,
} from './schema.ts';
import { appendRows, catalogTables, ensureTable } from './store.ts';

export const INITIAL_STATUS = 'Émise';

export interface SourceBlock {
  bloc_id: number;
  page: number;
  texte: string;
  niveau_titre: number;
}

export interface ExtractedRecommendation {
  numero: number;
  recommandation: string;
  page: number;
  bloc_id: number;
  forme: RecommendationRow['forme'];
  reponse_du_service: string | null;
  page_reponse: number | null;
}

const SEP = String.raw`\s*(?:[:.–—-]\s*)?`;
const REC_FULL = new RegExp(String.raw`^\s*Recommandation\s+(?:n\s?[°o]\.?\s*)?(\d{1,3})\b${SEP}([\s\S]*)$`, 'i');
const REC_SHORT = new RegExp(String.raw`^\s*R\s?(\d{1,3})\b\s*[:.–—-]\s*([\s\S]*)$`);
const LIST_ITEM = /^\s*(\d{1,3})\s*[.)]\s+([\s\S]+)$/;
const RESPONSE_KEY = new RegExp(
  String.raw`^\s*(?:R[ée]ponse\s+(?:à\s+la\s+)?(?:recommandation\s+)?(?:n\s?[°o]\.?\s*)?|Recommandation\s+(?:n\s?[°o]\.?\s*)?|R\s?)(\d{1,3})\b${SEP}([\s\S]*)$`,
  'i',
);
const RECS_HEADING = /^\s*(?:[\dIVX]+[.)]?\s*)?(?:liste\s+des\s+|synth[èe]se\s+des\s+)?recommandations?\s*:?\s*$/i;
const RESPONSE_HEADING =
  /(r[ée]ponses?\s+(?:du|de\s+la|des)\s+(?:service|direction|entit[ée]|organisme)|observations?\s+(?:du|de\s+la|des)\s+(?:service|direction|entit[ée])|contradictoire)/i;

const oneLine = (s: string) =>
  s
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();

/** A heading by font size, or a short line that names a section on its own. */
function isHeading(b: SourceBlock): boolean {
  if (b.niveau_titre > 0) return true;
  const t = b.texte.trim();
  return t.length <= 90 && !t.includes('\n') && (RECS_HEADING.test(t) || (RESPONSE_HEADING.test(t) && !/[.;]$/.test(t)));
}

/** The recommendations of one report, from its blocks in reading order (page, block). */
export function findRecommendations(blocks: readonly SourceBlock[]): ExtractedRecommendation[] {
  const recs = new Map<number, ExtractedRecommendation>();
  let section: 'body' | 'recs' | 'response' = 'body';
  let current: ExtractedRecommendation | null = null;
  let responding: ExtractedRecommendation | null = null;
  const add = (n: number, text: string, b: SourceBlock, forme: ExtractedRecommendation['forme']) => {
    if (recs.has(n)) return null;
    const r: ExtractedRecommendation = {
      numero: n,
      recommandation: oneLine(text),
      page: b.page,
      bloc_id: b.bloc_id,
      forme,
      reponse_du_service: null,
      page_reponse: null,
    };
    recs.set(n, r);
    return r;
  };
  for (const b of blocks) {
    const text = b.texte;
    if (isHeading(b)) {
      const t = oneLine(text);
      if (RESPONSE_HEADING.test(t)) {
        section = 'response';
        current = null;
        responding = null;
        continue;
      }
      if (RECS_HEADING.test(t)) {
        section = 'recs';
        current = null;
        continue;
      }
      // A heading that is itself a keyed item (« Recommandation n° 2 » set as a title) is not a new section.
      if (!(section === 'response' && RESPONSE_KEY.test(t)) && !REC_FULL.test(t)) {
        section = 'body';
        current = null;
        responding = null;
        continue;
      }
    }
    if (section === 'response') {
      const m = RESPONSE_KEY.exec(text);
      if (m) {
        const r = recs.get(Number(m[1]));
        responding = r ?? null;
        if (r && r.reponse_du_service === null) {
          r.reponse_du_service = oneLine(m[2]!);
          r.page_reponse = b.page;
        }
      } else if (responding) {
        responding.reponse_du_service = oneLine(`${responding.reponse_du_service ?? ''} ${text}`);
        responding.page_reponse ??= b.page;
      }
      continue;
    }
    const full = REC_FULL.exec(text);
    const short = full ? null : REC_SHORT.exec(text);
    const item = full || short || section !== 'recs' ? null : LIST_ITEM.exec(text);
    const m = full ?? short ?? item;
    if (m) {
      current = add(Number(m[1]), m[2]!, b, full ? 'Recommandation n° N' : short ? 'R N' : 'liste');
      continue;
    }
    // Under the heading, an unkeyed paragraph continues the recommendation before it (a page break, a long text).
    if (section === 'recs' && current) current.recommandation = oneLine(`${current.recommandation} ${text}`);
    else current = null;
  }
  return [...recs.values()].sort((a, b) => a.numero - b.numero);
}

const Q = quoteIdent;

export async function runExtractRecommendations(
  ctx: OperationContext,
  p: ExtractRecommendationsParams,
): Promise<OperationOutput<ExtractRecommendationsDetail>> {
  if (!ctx.catalog.has(REPORTS_TABLE) || !ctx.catalog.has(BLOCKS_TABLE))
    throw new OperationError('Aucun rapport PDF dans le projet : importez-en d’abord (import-reports)');
  const sql: string[] = [await ensureTable(ctx.engine, RECOMMENDATIONS_TABLE), await ensureTable(ctx.engine, CORRECTIONS_TABLE)];
  const only = p.reports?.length ? ` AND sha256 IN (${p.reports.map(quoteLiteral).join(', ')})` : '';
  const reports = await ctx.engine.query(
    `SELECT sha256, fichier, identifiant_du_rapport, entite_auditee, CAST(date_du_rapport AS VARCHAR) FROM ${Q(REPORTS_TABLE)} WHERE etat = 'ok'${only} ORDER BY fichier, sha256`,
  );
  // The population first: every report of the library (or of the chosen ones), those read, those set aside and why.
  const states = await ctx.engine.query(
    `SELECT etat, count(*)::INTEGER, string_agg(fichier, '\n' ORDER BY fichier) FROM ${Q(REPORTS_TABLE)} WHERE TRUE${only} GROUP BY etat ORDER BY etat`,
  );
  const byState = new Map(
    states.rows.map((r) => [
      String(r[0]),
      {
        n: Number(r[1]),
        examples: String(r[2] ?? '')
          .split('\n')
          .slice(0, 5),
      },
    ]),
  );
  const read = [...byState.values()].reduce((s, x) => s + x.n, 0);
  const pop = population(
    read,
    byState.get('ok')?.n ?? 0,
    'rapports lisibles',
    (['sans texte', 'chiffré', 'illisible'] as const).map((e) => ({
      reason: e === 'sans texte' ? 'sans texte (numérisé(s))' : e === 'chiffré' ? 'chiffré(s)' : 'illisible(s)',
      rows: byState.get(e)?.n ?? 0,
      examples: byState.get(e)?.examples ?? [],
    })),
  );
  const blocksSql = `SELECT sha256, bloc_id, page, texte, niveau_titre FROM ${Q(BLOCKS_TABLE)} WHERE sha256 IN (SELECT sha256 FROM ${Q(REPORTS_TABLE)} WHERE etat = 'ok'${only}) ORDER BY sha256, page, bloc`;
  const blocks = await ctx.engine.query(blocksSql);
  sql.push(blocksSql);
  const bySha = new Map<string, SourceBlock[]>();
  for (const r of blocks.rows) {
    const list = bySha.get(String(r[0])) ?? [];
    list.push({ bloc_id: Number(r[1]), page: Number(r[2]), texte: String(r[3]), niveau_titre: Number(r[4]) });
    bySha.set(String(r[0]), list);
  }
  const rows: RecommendationRow[] = [];
  const without: string[] = [];
  for (const r of reports.rows) {
    const [sha256, fichier, rid, entite, date] = r.map((v) => (v === null ? null : String(v))) as [
      string,
      string,
      string,
      string | null,
      string | null,
    ];
    const found = findRecommendations(bySha.get(sha256) ?? []);
    if (!found.length) without.push(fichier);
    for (const f of found) {
      rows.push({
        identifiant_de_la_recommandation: `${rid}-R${f.numero}`,
        identifiant_du_rapport: rid,
        numero: f.numero,
        recommandation: f.recommandation,
        page: f.page,
        bloc_id: f.bloc_id,
        sha256,
        fichier,
        forme: f.forme,
        reponse_du_service: f.reponse_du_service,
        page_reponse: f.page_reponse,
        direction_responsable: entite,
        date_d_echeance: null,
        date_du_statut: date,
        statut: INITIAL_STATUS,
        corrigee: false,
      });
    }
  }
  // Re-extracting the chosen reports replaces their rows; the others' (and every correction) stay.
  const del = `DELETE FROM ${Q(RECOMMENDATIONS_TABLE)}${p.reports?.length ? ` WHERE sha256 IN (${p.reports.map(quoteLiteral).join(', ')})` : ''}`;
  await ctx.engine.exec(del);
  sql.push(del);
  await appendRows(ctx.engine, RECOMMENDATIONS_TABLE, rows as unknown as Record<string, unknown>[]);
  sql.push(`-- ${rows.length} recommandation(s) extraite(s) des blocs de texte`);
  sql.push(...(await applyCorrections(ctx)));
  const sort = `CREATE OR REPLACE TABLE ${Q(RECOMMENDATIONS_TABLE)} AS SELECT * FROM ${Q(RECOMMENDATIONS_TABLE)} ORDER BY identifiant_du_rapport, numero, identifiant_de_la_recommandation`;
  await ctx.engine.exec(sort);
  sql.push(sort);
  await catalogTables(ctx, OP_EXTRACT_RECOMMENDATIONS, [RECOMMENDATIONS_TABLE, CORRECTIONS_TABLE]);
  const counts = (
    await ctx.engine.query(
      `SELECT count(*)::INTEGER, count(reponse_du_service)::INTEGER, count(*) FILTER (WHERE corrigee)::INTEGER FROM ${Q(RECOMMENDATIONS_TABLE)}`,
    )
  ).rows[0]!.map(Number) as [number, number, number];
  const [n, withResponse, corrected] = counts;
  return {
    tables: [RECOMMENDATIONS_TABLE, CORRECTIONS_TABLE],
    sql,
    inputs: [{ table: REPORTS_TABLE }, { table: BLOCKS_TABLE }],
    summary:
      `${populationLine(pop).replace(/lignes? lues?/, read === 1 ? 'rapport lu' : 'rapports lus')} — ${fmtInt(n)} recommandation(s) extraite(s), ${fmtInt(withResponse)} avec la réponse du service` +
      (corrected ? `, ${fmtInt(corrected)} corrigée(s) à la main` : '') +
      (without.length
        ? ` ; aucune recommandation trouvée dans ${fmtInt(without.length)} rapport(s) (${without.slice(0, 5).join(', ')}${without.length > 5 ? '…' : ''})`
        : ''),
    detail: { recommendations: n, withResponse, corrected, reports: reports.rows.length, reportsWithout: without, population: pop },
  };
}

const FIELDS = ['recommandation', 'page', 'reponse_du_service', 'supprimer'] as const;

/** Replays every recorded correction, in order, on the extracted table; returns the SQL run. */
async function applyCorrections(ctx: OperationContext, from = 0): Promise<string[]> {
  const rows = (
    await ctx.engine.query(
      `SELECT identifiant_de_la_recommandation, champ, valeur FROM ${Q(CORRECTIONS_TABLE)} WHERE ordre > ${from} ORDER BY ordre`,
    )
  ).rows;
  const out: string[] = [];
  for (const [id, champ, valeur] of rows) {
    const where = `WHERE identifiant_de_la_recommandation = ${quoteLiteral(String(id))}`;
    const v = valeur === null ? 'NULL' : quoteLiteral(String(valeur));
    const s =
      champ === 'supprimer'
        ? `DELETE FROM ${Q(RECOMMENDATIONS_TABLE)} ${where}`
        : champ === 'page'
          ? `UPDATE ${Q(RECOMMENDATIONS_TABLE)} SET page = CAST(${v} AS INTEGER), corrigee = TRUE ${where}`
          : `UPDATE ${Q(RECOMMENDATIONS_TABLE)} SET ${Q(String(champ))} = ${v}, corrigee = TRUE ${where}`;
    if (!FIELDS.includes(champ as (typeof FIELDS)[number])) continue;
    await ctx.engine.exec(s);
    out.push(s);
  }
  return out;
}

export async function runCorrectRecommendation(
  ctx: OperationContext,
  p: CorrectRecommendationParams,
): Promise<OperationOutput<{ id: string }>> {
  if (!ctx.catalog.has(RECOMMENDATIONS_TABLE))
    throw new OperationError('Aucune recommandation extraite : lancez d’abord extract-recommendations');
  const exists = await ctx.engine.query(
    `SELECT recommandation, page, reponse_du_service FROM ${Q(RECOMMENDATIONS_TABLE)} WHERE identifiant_de_la_recommandation = ${quoteLiteral(p.id)}`,
  );
  if (!exists.rows.length) throw new OperationError(`Recommandation inconnue : « ${p.id} »`);
  const changes: [string, string | null][] = [];
  if (p.supprimer) changes.push(['supprimer', null]);
  else {
    if (p.recommandation !== undefined) changes.push(['recommandation', p.recommandation]);
    if (p.page !== undefined) changes.push(['page', String(p.page)]);
    if (p.reponse_du_service !== undefined) changes.push(['reponse_du_service', p.reponse_du_service.trim() || null]);
  }
  if (!changes.length) throw new OperationError('Rien à corriger : donnez recommandation, page, reponse_du_service ou supprimer');
  await ensureTable(ctx.engine, CORRECTIONS_TABLE);
  const last = Number((await ctx.engine.query(`SELECT coalesce(max(ordre), 0) FROM ${Q(CORRECTIONS_TABLE)}`)).rows[0]![0]);
  await appendRows(
    ctx.engine,
    CORRECTIONS_TABLE,
    changes.map(([champ, valeur], i) => ({
      ordre: last + i + 1,
      identifiant_de_la_recommandation: p.id,
      champ,
      valeur,
      motif: p.motif ?? null,
    })),
  );
  const sql = await applyCorrections(ctx, last);
  await catalogTables(ctx, OP_CORRECT_RECOMMENDATION, [RECOMMENDATIONS_TABLE, CORRECTIONS_TABLE]);
  const [before] = exists.rows;
  return {
    tables: [RECOMMENDATIONS_TABLE, CORRECTIONS_TABLE],
    sql,
    inputs: [{ table: RECOMMENDATIONS_TABLE }],
    summary: p.supprimer
      ? `${p.id} retirée des recommandations${p.motif ? ` (${p.motif})` : ''}`
      : `${p.id} corrigée : ${changes.map(([c]) => c).join(', ')}${p.page !== undefined ? ` (page ${String(before![1])} → ${p.page})` : ''}${p.motif ? ` — ${p.motif}` : ''}`,
    detail: { id: p.id },
  };
}
