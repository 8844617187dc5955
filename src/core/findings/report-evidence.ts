// A passage of a published audit report as evidence (#18): the words are frozen verbatim with the
// report's SHA-256 and the page, and checked again against the reports library's blocks whenever the
// register is checked — a quote edited by hand, or pointing at a page that does not say it, is an
// integrity problem like a broken seal, not a matter of taste.
import type { Engine } from '../engine/engine.ts';
import type { JournalEntry } from '../journal/journal.ts';
import type { Session } from '../project/session.ts';
import { BLOCKS_TABLE, REPORTS_TABLE } from '../reports/schema.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { journalRef, newEvidenceId, sealEvidence } from './evidence.ts';
import type { FindingProblem } from './integrity.ts';
import type { FindingsFile, PassageEvidence } from './model.ts';

export class PassageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassageError';
  }
}

export interface PassageInput {
  blocId: number;
  /** The words quoted; must be found verbatim in the block. Default: the whole block. */
  quote?: string;
  /** The journal entry of the search that found the passage (a citation can then be replayed). */
  entry?: JournalEntry;
  query?: string;
  title?: string;
  by?: string;
  now?: Date;
}

function blockSql(blocId: number): string {
  return `SELECT b.texte, b.page, b.sha256, b.fichier, r.titre, r.numero_rapport, CAST(r.date_du_rapport AS VARCHAR) AS date_du_rapport, r.entite_auditee, r.chemin, r.taille
FROM ${quoteIdent(BLOCKS_TABLE)} b JOIN ${quoteIdent(REPORTS_TABLE)} r ON r.sha256 = b.sha256
WHERE b.bloc_id = ${Math.trunc(blocId)}`;
}

async function tableExists(engine: Engine, name: string): Promise<boolean> {
  const r = await engine.query(`SELECT count(*) FROM information_schema.tables WHERE table_name = ${quoteLiteral(name)}`);
  return Number(r.rows[0]?.[0] ?? 0) > 0;
}

/** Freezes a passage of a report: the block is read from the library, the quote must be in it. */
export async function passageEvidence(session: Session, p: PassageInput): Promise<PassageEvidence> {
  if (!(await tableExists(session.engine, BLOCKS_TABLE))) throw new PassageError('Aucun rapport PDF dans le projet : importez-en d’abord');
  const sql = blockSql(p.blocId);
  const r = await session.engine.query(sql);
  const row = r.rows[0];
  if (!row) throw new PassageError(`Passage n° ${p.blocId} introuvable dans les rapports du projet`);
  const col = Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]]));
  const texte = String(col.texte);
  const quote = p.quote ?? texte;
  if (!quote.trim()) throw new PassageError('Citation vide');
  if (!quoteIn(texte, quote))
    throw new PassageError(
      `La citation n’est pas dans le texte de la page ${String(col.page)} de ${String(col.fichier)} : une citation reprend les mots du rapport tels quels`,
    );
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const report = {
    sha256: String(col.sha256),
    fileName: String(col.fichier),
    title: str(col.titre),
    number: str(col.numero_rapport),
    date: str(col.date_du_rapport)?.slice(0, 10) ?? null,
    service: str(col.entite_auditee),
  };
  const page = Number(col.page);
  return sealEvidence<PassageEvidence>({
    id: newEvidenceId(),
    kind: 'passage',
    title: p.title ?? `${report.title ?? report.fileName}, p. ${page}`,
    createdAt: (p.now ?? new Date()).toISOString(),
    ...(p.by ? { createdBy: p.by } : {}),
    report,
    page,
    blocId: p.blocId,
    quote,
    ...(p.query ? { query: p.query } : {}),
    sql: [sql],
    journal: p.entry ? journalRef(p.entry) : null,
    sources: [
      {
        table: REPORTS_TABLE,
        fileName: report.fileName,
        path: String(col.chemin ?? report.fileName),
        sha256: report.sha256,
        ...(col.taille !== null && col.taille !== undefined ? { size: Number(col.taille) } : {}),
      },
    ],
  });
}

/**
 * Text compared with its whitespace runs made single spaces: a block keeps the PDF's line breaks, a
 * quote runs the lines on — the same words in the same order, which is what « verbatim » means here.
 */
export function sameWords(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Is the quote in the block's text, word for word? */
export function quoteIn(texte: string, quote: string): boolean {
  const q = sameWords(quote);
  return q.length > 0 && sameWords(texte).includes(q);
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** « 15 mars 2023 » from an ISO date, read as a calendar date (no time zone can shift it a day). */
export function frenchDate(iso: string | null): string | null {
  const m = iso && /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return null;
  const day = Number(m[3]);
  return `${day === 1 ? '1er' : day} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

export interface PassageRef {
  report: PassageEvidence['report'];
  page: number;
}

/**
 * The standard reference of a report passage, as a footnote would give it:
 * « Inspection générale, <titre>, rapport n° X, <date>, p. N, SHA-256 … ». Parts the report does not
 * state (no number, no date) are left out rather than invented.
 */
export function passageReference(p: PassageRef): string {
  const r = p.report;
  const parts = ['Inspection générale', r.title ? `« ${r.title} »` : r.fileName];
  if (r.number) parts.push(`rapport n° ${r.number.replace(/^n°\s*/i, '')}`);
  const d = frenchDate(r.date);
  if (d) parts.push(d);
  parts.push(`p. ${p.page}`, `fichier ${r.fileName}`, `SHA-256 ${r.sha256}`);
  return parts.join(', ');
}

/** The citation copied by « Citer »: the quote in French quotation marks, then the reference. */
export function passageCitation(p: PassageRef & { quote: string }): string {
  return `« ${p.quote.trim()} »\n${passageReference(p)}.`;
}

/**
 * Every passage quoted by a finding checked against the library: the block must exist, belong to the
 * same report (SHA-256) and page, and contain the quote verbatim. A project without the library cannot
 * vouch for its quotes, and says so.
 */
export async function checkPassages(engine: Engine, file: FindingsFile): Promise<FindingProblem[]> {
  const quoted = file.findings.flatMap((f) => f.evidence.filter((e): e is PassageEvidence => e.kind === 'passage').map((e) => ({ f, e })));
  if (!quoted.length) return [];
  const problems: FindingProblem[] = [];
  if (!(await tableExists(engine, BLOCKS_TABLE))) {
    for (const { f, e } of quoted) {
      problems.push({
        code: 'evidence-quote-unverifiable',
        findingId: f.id,
        evidenceId: e.id,
        message: `La citation ${e.id} de ${f.id} (${e.report.fileName}, p. ${e.page}) ne peut pas être vérifiée : le projet n’a plus la bibliothèque de rapports`,
      });
    }
    return problems;
  }
  const ids = [...new Set(quoted.map((q) => Math.trunc(q.e.blocId)))];
  const r = await engine.query(`SELECT bloc_id, sha256, page, texte FROM ${quoteIdent(BLOCKS_TABLE)} WHERE bloc_id IN (${ids.join(', ')})`);
  const blocks = new Map(r.rows.map((row) => [Number(row[0]), { sha256: String(row[1]), page: Number(row[2]), texte: String(row[3]) }]));
  for (const { f, e } of quoted) {
    const b = blocks.get(e.blocId);
    const where = `${e.report.fileName}, p. ${e.page}`;
    if (!b || b.sha256 !== e.report.sha256) {
      problems.push({
        code: 'evidence-quote-mismatch',
        findingId: f.id,
        evidenceId: e.id,
        message: `La citation ${e.id} de ${f.id} renvoie à un passage absent de la bibliothèque de rapports (${where}, SHA-256 ${e.report.sha256.slice(0, 12)}…)`,
      });
    } else if (b.page !== e.page) {
      problems.push({
        code: 'evidence-quote-mismatch',
        findingId: f.id,
        evidenceId: e.id,
        message: `La citation ${e.id} de ${f.id} indique la page ${e.page}, le passage est page ${b.page} de ${e.report.fileName}`,
      });
    } else if (!quoteIn(b.texte, e.quote)) {
      problems.push({
        code: 'evidence-quote-mismatch',
        findingId: f.id,
        evidenceId: e.id,
        message: `La citation ${e.id} de ${f.id} ne figure pas telle quelle dans ${where} : le texte cité a été modifié`,
      });
    }
  }
  return problems;
}
