// Investigations: a named topic that groups findings, saved queries and charts (« Régies des
// piscines 2023 »). Findings join one through their `investigationId`, so a finding belongs to at
// most one topic and moving it is a journaled finding-update.
import type { Session } from '../project/session.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import { findingsOf, FindingError, updateFinding, type Actor } from './findings.ts';
import { Investigation, type Finding, type FindingStatus, type Severity } from './model.ts';
import { investigationOp } from './ops.ts';

export type InvestigationFields = Partial<
  Pick<Investigation, 'name' | 'description' | 'owner' | 'queries' | 'charts' | 'reports' | 'passages'>
>;

async function journal(session: Session, inv: Investigation, action: 'create' | 'update', a: Actor) {
  await session.run(investigationOp, {
    investigationId: inv.id,
    by: a.by,
    action,
    name: inv.name,
    contentSha256: await sha256Hex(canonicalJson(inv)),
  });
}

export async function createInvestigation(
  session: Session,
  fields: InvestigationFields & { name: string },
  a: Actor,
): Promise<Investigation> {
  const book = await findingsOf(session);
  return book.mutate(async (data) => {
    const at = (a.now ?? new Date()).toISOString();
    const inv = Investigation.parse({
      owner: a.by,
      ...fields,
      id: `E-${String(data.next.investigation).padStart(4, '0')}`,
      createdAt: at,
      updatedAt: at,
    });
    await checkQueries(session, inv);
    await journal(session, inv, 'create', a);
    return {
      data: { ...data, investigations: [...data.investigations, inv], next: { ...data.next, investigation: data.next.investigation + 1 } },
      value: inv,
    };
  });
}

async function checkQueries(session: Session, inv: Investigation) {
  const unknown = inv.queries.filter((q) => !session.manifest.queries.some((s) => s.name === q));
  if (unknown.length) throw new FindingError(`Requête(s) enregistrée(s) inconnue(s) : ${unknown.join(', ')}`);
}

/** Files a finding under an investigation (or takes it out with `null`). */
export function fileFinding(session: Session, findingId: string, investigationId: string | null, a: Actor): Promise<Finding> {
  return updateFinding(session, findingId, { investigationId }, a);
}

export interface InvestigationSummary {
  investigation: Investigation;
  findings: Finding[];
  count: number;
  byStatus: Record<FindingStatus, number>;
  bySeverity: Record<Severity, number>;
  /** Sum of the amounts at stake of the findings that state one; null when none does. */
  totalAmount: number | null;
  withoutAmount: number;
  evidence: number;
  queries: number;
  charts: number;
  /** What was found where: per report, the passages quoted (by findings or kept for the topic) and their pages. */
  reports: ReportFound[];
}

export interface ReportFound {
  sha256: string;
  fileName: string;
  title: string | null;
  /** Passages kept on the investigation itself. */
  kept: number;
  /** Passages quoted as evidence by the topic's findings, and which findings. */
  quoted: number;
  findings: string[];
  pages: number[];
}

/**
 * Adds reports or passages of the library to a topic (journaled like its creation). A passage already
 * there (same block, same words) is not added twice.
 */
export async function gatherInInvestigation(
  session: Session,
  id: string,
  add: { reports?: NonNullable<Investigation['reports']>; passages?: NonNullable<Investigation['passages']> },
  a: Actor,
): Promise<Investigation> {
  const book = await findingsOf(session);
  return book.mutate(async (data) => {
    const old = data.investigations.find((x) => x.id === id);
    if (!old) throw new FindingError(`Enquête inconnue : ${id}`);
    const reports = [...(old.reports ?? [])];
    for (const r of add.reports ?? []) if (!reports.some((x) => x.sha256 === r.sha256)) reports.push(r);
    const passages = [...(old.passages ?? [])];
    for (const p of add.passages ?? []) if (!passages.some((x) => x.blocId === p.blocId && x.quote === p.quote)) passages.push(p);
    const inv = Investigation.parse({
      ...old,
      ...(reports.length ? { reports } : {}),
      ...(passages.length ? { passages } : {}),
      updatedAt: (a.now ?? new Date()).toISOString(),
    });
    await journal(session, inv, 'update', a);
    return { data: { ...data, investigations: data.investigations.map((x) => (x.id === id ? inv : x)) }, value: inv };
  });
}

function reportsFound(inv: Investigation, findings: readonly Finding[]): ReportFound[] {
  const by = new Map<string, ReportFound>();
  const get = (sha256: string, fileName: string, title: string | null) => {
    let r = by.get(sha256);
    if (!r) by.set(sha256, (r = { sha256, fileName, title, kept: 0, quoted: 0, findings: [], pages: [] }));
    return r;
  };
  for (const r of inv.reports ?? []) get(r.sha256, r.fileName, r.title);
  for (const p of inv.passages ?? []) {
    const r = get(p.sha256, p.fileName, null);
    r.kept++;
    r.pages.push(p.page);
  }
  for (const f of findings) {
    for (const e of f.evidence) {
      if (e.kind !== 'passage') continue;
      const r = get(e.report.sha256, e.report.fileName, e.report.title);
      r.title ??= e.report.title;
      r.quoted++;
      if (!r.findings.includes(f.id)) r.findings.push(f.id);
      r.pages.push(e.page);
    }
  }
  for (const r of by.values()) r.pages = [...new Set(r.pages)].sort((x, y) => x - y);
  return [...by.values()];
}

export async function summarizeInvestigation(session: Session, id: string): Promise<InvestigationSummary> {
  const book = await findingsOf(session);
  const investigation = book.investigation(id);
  const findings = book.list().filter((f) => f.investigationId === id);
  const byStatus: Record<FindingStatus, number> = { draft: 0, 'in-review': 0, final: 0 };
  const bySeverity: Record<Severity, number> = { faible: 0, moyenne: 0, élevée: 0, critique: 0 };
  let total: number | null = null;
  let withoutAmount = 0;
  for (const f of findings) {
    byStatus[f.status]++;
    bySeverity[f.severity]++;
    if (f.effect.amount === null) withoutAmount++;
    // Cents, so that 0,1 + 0,2 stays 0,30 €.
    else total = (total ?? 0) + Math.round(f.effect.amount * 100);
  }
  return {
    investigation,
    findings,
    count: findings.length,
    byStatus,
    bySeverity,
    totalAmount: total === null ? null : total / 100,
    withoutAmount,
    evidence: findings.reduce((s, f) => s + f.evidence.length, 0),
    queries: investigation.queries.length,
    charts: investigation.charts.length,
    reports: reportsFound(investigation, findings),
  };
}
