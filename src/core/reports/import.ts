// import-reports: each PDF read with pdf.js, its text stored block by block with its page, and the
// search index built from the same blocks. A file already in the library (same SHA-256) is replaced,
// not doubled; a scanned, encrypted or broken file gets its row with the reason, and the others load.
import { extractPdf } from '../ingest/pdf.ts';
import type { SourceFile } from '../ingest/source.ts';
import { sha256OfFile } from '../ingest/source.ts';
import { OperationError, type OperationContext, type OperationOutput } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { errorText } from '../util/errors.ts';
import { fmtInt } from '../audit/format.ts';
import { detectReport } from './detect.ts';
import { buildSearchIndex } from './search-index.ts';
import type { ImportReportsParams } from './ops.ts';
import {
  BLOCKS_TABLE,
  OP_IMPORT_REPORTS,
  REPORTS_TABLE,
  TERMS_TABLE,
  type BlockRow,
  type ImportReportsDetail,
  type ReportRow,
} from './schema.ts';
import { appendColumns, appendRows, catalogTables, ensureTable } from './store.ts';
import { tokenize } from './tokenize.ts';

const isPdf = (p: string) => /\.pdf$/i.test(p);

/** The PDF files a path names: the file itself, or every .pdf below a folder. */
async function pdfPaths(ctx: OperationContext, path: string): Promise<string[]> {
  const listed = await ctx.files.list(path).catch(() => []);
  if (listed.length) {
    const pdfs = listed.filter(isPdf).sort();
    if (!pdfs.length) throw new OperationError(`Aucun fichier PDF dans le dossier ${path}`);
    return pdfs;
  }
  return [path];
}

interface Batch {
  reports: ReportRow[];
  blocks: BlockRow[];
  bloc: number[];
  terme: string[];
  position: number[];
  debut: number[];
  fin: number[];
}

const newBatch = (): Batch => ({ reports: [], blocks: [], bloc: [], terme: [], position: [], debut: [], fin: [] });

async function flush(ctx: OperationContext, b: Batch): Promise<void> {
  const shas = b.reports.map((r) => quoteLiteral(r.sha256)).join(', ');
  if (shas) {
    // Re-importing a file replaces what it had (its blocks, their terms): one library entry per file.
    await ctx.engine.exec(
      `DELETE FROM ${quoteIdent(TERMS_TABLE)} WHERE bloc_id IN (SELECT bloc_id FROM ${quoteIdent(BLOCKS_TABLE)} WHERE sha256 IN (${shas}))`,
    );
    await ctx.engine.exec(`DELETE FROM ${quoteIdent(BLOCKS_TABLE)} WHERE sha256 IN (${shas})`);
    await ctx.engine.exec(`DELETE FROM ${quoteIdent(REPORTS_TABLE)} WHERE sha256 IN (${shas})`);
  }
  await appendRows(ctx.engine, REPORTS_TABLE, b.reports as unknown as Record<string, unknown>[]);
  await appendRows(ctx.engine, BLOCKS_TABLE, b.blocks as unknown as Record<string, unknown>[]);
  if (b.terme.length)
    await appendColumns(ctx.engine, TERMS_TABLE, {
      bloc_id: Int32Array.from(b.bloc),
      terme: b.terme,
      position: Int32Array.from(b.position),
      debut: Int32Array.from(b.debut),
      fin: Int32Array.from(b.fin),
    });
}

function failedRow(file: SourceFile, sha256: string, etat: ReportRow['etat'], message: string): ReportRow {
  return {
    sha256,
    fichier: file.name,
    chemin: file.path,
    identifiant_du_rapport: `sha256:${sha256.slice(0, 12)}`,
    numero_rapport: null,
    titre: null,
    date_du_rapport: null,
    annee: null,
    entite_auditee: null,
    pages: 0,
    pages_avec_texte: 0,
    etat,
    message,
    taille: file.size,
  };
}

export async function runImportReports(ctx: OperationContext, params: ImportReportsParams): Promise<OperationOutput<ImportReportsDetail>> {
  const paths = await pdfPaths(ctx, params.path);
  const sql = [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE].map((t) => `-- ${t}`);
  for (const t of [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE]) sql.push(await ensureTable(ctx.engine, t));
  const maxId = (await ctx.engine.query(`SELECT coalesce(max(bloc_id), 0) FROM ${quoteIdent(BLOCKS_TABLE)}`)).rows[0]![0];
  let nextId = Number(maxId) + 1;
  const detail: ImportReportsDetail = { reports: [], blocks: 0, terms: 0 };
  const inputs: OperationOutput['inputs'] = [];
  const seen = new Set<string>();
  let batch = newBatch();
  for (let i = 0; i < paths.length; i++) {
    ctx.signal?.throwIfAborted();
    const path = paths[i]!;
    ctx.onProgress?.({ fraction: i / paths.length, message: `${i + 1}/${paths.length} — ${path.split(/[\\/]/).pop()}` });
    let file: SourceFile;
    try {
      file = await ctx.files.open(path);
    } catch (e) {
      if (paths.length === 1) throw e;
      detail.reports.push({ path, sha256: null, etat: 'illisible', pages: 0, message: `fichier introuvable ou refusé : ${errorText(e)}` });
      continue;
    }
    const sha256 = await sha256OfFile(file);
    // One input per file, each under its own name: replay matches a source by path or by table name.
    inputs.push({ table: `${REPORTS_TABLE}:${file.name}`, source: file.path, sha256 });
    if (seen.has(sha256)) {
      detail.reports.push({
        path,
        sha256,
        etat: 'ok',
        pages: 0,
        message: 'même fichier qu’un autre du dossier (même SHA-256) : lu une fois',
      });
      continue;
    }
    seen.add(sha256);
    let row: ReportRow;
    if (file.size === 0) row = failedRow(file, sha256, 'illisible', 'le fichier est vide');
    else {
      const x = await extractPdf(await file.bytes(), ctx.signal ? { signal: ctx.signal } : {});
      if (x.status === 'chiffré' || x.status === 'illisible') row = failedRow(file, sha256, x.status, x.message ?? x.status);
      else {
        const d = detectReport(x);
        row = {
          sha256,
          fichier: file.name,
          chemin: file.path,
          identifiant_du_rapport: d.number ?? `sha256:${sha256.slice(0, 12)}`,
          numero_rapport: d.number,
          titre: d.title,
          date_du_rapport: d.date,
          annee: d.date ? Number(d.date.slice(0, 4)) : null,
          entite_auditee: d.service,
          pages: x.pageCount,
          pages_avec_texte: x.pages.filter((p) => p.hasText).length,
          etat: x.status,
          message: x.message,
          taille: file.size,
        };
        for (const p of x.pages) {
          for (const blk of p.blocks) {
            const id = nextId++;
            const toks = tokenize(blk.text);
            for (const t of toks) {
              batch.bloc.push(id);
              batch.terme.push(t.term);
              batch.position.push(t.position);
              batch.debut.push(t.start);
              batch.fin.push(t.end);
            }
            batch.blocks.push({
              bloc_id: id,
              sha256,
              fichier: file.name,
              page: p.page,
              bloc: blk.n,
              texte: blk.text,
              niveau_titre: blk.heading,
              colonne: blk.column,
              x0: blk.x0,
              y0: blk.y0,
              x1: blk.x1,
              y1: blk.y1,
              largeur_page: p.width,
              hauteur_page: p.height,
              nb_termes: toks.length,
            });
            detail.blocks++;
            detail.terms += toks.length;
          }
        }
      }
    }
    batch.reports.push(row);
    detail.reports.push({ path, sha256, etat: row.etat, pages: row.pages, message: row.message });
    if (batch.terme.length > 400_000) {
      await flush(ctx, batch);
      batch = newBatch();
    }
  }
  await flush(ctx, batch);
  // Sorted by term, the index is read through DuckDB's min/max zone maps: a search touches the few
  // row groups holding its terms, not the millions of rows of the whole library.
  const sort = `CREATE OR REPLACE TABLE ${quoteIdent(TERMS_TABLE)} AS SELECT * FROM ${quoteIdent(TERMS_TABLE)} ORDER BY terme, bloc_id, position`;
  await ctx.engine.exec(sort);
  sql.push(`-- ${paths.length} fichier(s) PDF lus par pdf.js, blocs et termes ajoutés (Arrow)`, sort);
  // The search index's weights depend on the whole library: rebuilt after each import (search-index.ts).
  sql.push(...(await buildSearchIndex(ctx.engine)));
  await catalogTables(ctx, OP_IMPORT_REPORTS, [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE]);
  const by = (e: string) => detail.reports.filter((r) => r.etat === e).length;
  const pages = detail.reports.reduce((s, r) => s + r.pages, 0);
  const trouble = detail.reports.filter((r) => r.etat !== 'ok');
  return {
    tables: [REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE],
    sql,
    inputs,
    summary:
      `${fmtInt(paths.length)} fichier(s) PDF lu(s) : ${fmtInt(by('ok'))} rapport(s) importé(s) (${fmtInt(pages)} page(s), ${fmtInt(detail.blocks)} bloc(s) de texte, ${fmtInt(detail.terms)} terme(s) indexé(s))` +
      (by('sans texte') ? ` ; ${fmtInt(by('sans texte'))} sans texte (numérisé(s), pas d’OCR)` : '') +
      (by('chiffré') ? ` ; ${fmtInt(by('chiffré'))} protégé(s) par mot de passe` : '') +
      (by('illisible') ? ` ; ${fmtInt(by('illisible'))} illisible(s)` : '') +
      (trouble.length
        ? ` — ${trouble
            .slice(0, 5)
            .map((r) => `${r.path.split(/[\\/]/).pop()} : ${r.message ?? r.etat}`)
            .join(' ; ')}`
        : ''),
    detail,
  };
}
