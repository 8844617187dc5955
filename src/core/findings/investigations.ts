// Investigations: a named topic that groups findings, saved queries and charts (« Régies des
// piscines 2023 »). Findings join one through their `investigationId`, so a finding belongs to at
// most one topic and moving it is a journaled finding-update.
import type { Session } from '../project/session.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import { findingsOf, FindingError, updateFinding, type Actor } from './findings.ts';
import { Investigation, type Finding, type FindingStatus, type Severity } from './model.ts';
import { investigationOp } from './ops.ts';

export type InvestigationFields = Partial<Pick<Investigation, 'name' | 'description' | 'owner' | 'queries' | 'charts'>>;

async function journal(session: Session, inv: Investigation, action: 'create' | 'update', a: Actor) {
  await session.run(investigationOp, { investigationId: inv.id, by: a.by, action, name: inv.name, contentSha256: await sha256Hex(canonicalJson(inv)) });
}

export async function createInvestigation(session: Session, fields: InvestigationFields & { name: string }, a: Actor): Promise<Investigation> {
  const book = await findingsOf(session);
  return book.mutate(async (data) => {
    const at = (a.now ?? new Date()).toISOString();
    const inv = Investigation.parse({ owner: a.by, ...fields, id: `E-${String(data.next.investigation).padStart(4, '0')}`, createdAt: at, updatedAt: at });
    await checkQueries(session, inv);
    await journal(session, inv, 'create', a);
    return { data: { ...data, investigations: [...data.investigations, inv], next: { ...data.next, investigation: data.next.investigation + 1 } }, value: inv };
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
  };
}
