// The life of a finding: create, edit, attach evidence, submit for review, comment, sign off, reopen.
// Each change is journaled first (who, what, the finding's content hash after it), then recorded in
// the finding's own history with the journal entry's seq and hash, then saved.
//
// Where findings live: `findings.json` beside the manifest, not inside loupe.json. Snapshots can hold
// thousands of rows; keeping them out of the manifest keeps every import/query save small, and gives
// findings their own atomic write (temporary file + fsync + rename, through ProjectStore): a crash in
// the middle of a save leaves the previous findings.json as it was.
import type { Operation } from '../ops/registry.ts';
import type { Session } from '../project/session.ts';
import type { ProjectStore } from '../project/store.ts';
import { normaliseIdentity, type Signer } from '../identity/identity.ts';
import { evidenceIntact, journalRef } from './evidence.ts';
import { editorsSinceReopen, findingContentSha256, findingSealSha256, signStep } from './integrity.ts';
import {
  Evidence,
  Finding,
  FindingFields,
  FINDINGS_FILE,
  FindingsFile,
  emptyFindingsFile,
  type FindingStatus,
  type HistoryStep,
  type Investigation,
} from './model.ts';
import { findingComment, findingCreate, findingEvidence, findingReopen, findingSignOff, findingUpdate } from './ops.ts';
import '../util/zod-fr.ts';

export class FindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FindingError';
  }
}

const MAX_FILE_BYTES = 1024 * 1024 * 1024;

export function parseFindingsFile(text: string, where: string): FindingsFile {
  if (text.length > MAX_FILE_BYTES) throw new FindingError(`${where} : ${FINDINGS_FILE} trop volumineux`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FindingError(`${where} : ${FINDINGS_FILE} n’est pas du JSON valide`);
  }
  const parsed = FindingsFile.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new FindingError(`${where} : ${FINDINGS_FILE} invalide (${i.path.join('.') || 'racine'} : ${i.message})`);
  }
  return parsed.data;
}

export async function readFindingsFile(store: ProjectStore): Promise<FindingsFile> {
  const text = await store.readText(FINDINGS_FILE);
  return text === null ? emptyFindingsFile() : parseFindingsFile(text, store.label);
}

/** One atomic write of the whole file: either the old findings or the new ones, never a mix. */
export async function writeFindingsFile(store: ProjectStore, file: FindingsFile): Promise<void> {
  await store.writeTextAtomic(FINDINGS_FILE, JSON.stringify({ ...file, savedAt: new Date().toISOString() }));
}

/** The project's findings and investigations, loaded once per session; changes are serialised. */
export class FindingsBook {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(
    readonly session: Session,
    public data: FindingsFile,
  ) {}

  list(): readonly Finding[] {
    return this.data.findings;
  }

  get(id: string): Finding {
    const f = this.data.findings.find((x) => x.id === id);
    if (!f) throw new FindingError(`Constatation inconnue : « ${id} »`);
    return f;
  }

  investigations(): readonly Investigation[] {
    return this.data.investigations;
  }

  investigation(id: string): Investigation {
    const i = this.data.investigations.find((x) => x.id === id);
    if (!i) throw new FindingError(`Enquête inconnue : « ${id} »`);
    return i;
  }

  /** Runs one change at a time, so two edits never save over each other. */
  mutate<T>(fn: (data: FindingsFile) => Promise<{ data: FindingsFile; value: T }>): Promise<T> {
    const next = this.queue.then(async () => {
      const { data, value } = await fn(structuredClone(this.data));
      await writeFindingsFile(this.session.store, data);
      this.data = data;
      return value;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

const books = new WeakMap<Session, Promise<FindingsBook>>();

/** The findings of a session's project (read from findings.json the first time). */
export function findingsOf(session: Session): Promise<FindingsBook> {
  let b = books.get(session);
  if (!b) {
    b = readFindingsFile(session.store).then((data) => new FindingsBook(session, data));
    books.set(session, b);
    b.catch(() => books.delete(session));
  }
  return b;
}

export interface Actor {
  /** Who makes the change (a name or login as the user gave it); the signer's name when there is one. */
  by: string;
  now?: Date;
  /** The person's local identity: with it the step is signed, and verify can tell who really took it. */
  signer?: Signer;
}

function actorName(a: Actor): string {
  return a.signer?.name ?? a.by;
}

function nowIso(a: Actor): string {
  return (a.now ?? new Date()).toISOString();
}

function assertNotFinal(f: Finding, what: string) {
  if (f.status === 'final') {
    throw new FindingError(`La constatation ${f.id} est définitive : ${what} sans la rouvrir d’abord (reopen, avec un motif)`);
  }
}

async function step(
  session: Session,
  f: Finding,
  op: Operation<never, null>,
  params: Record<string, unknown>,
  action: HistoryStep['action'],
  a: Actor,
  note?: string,
): Promise<Finding> {
  const at = nowIso(a);
  const by = actorName(a);
  f.updatedAt = at;
  const contentSha256 = await findingContentSha256(f);
  const signature = a.signer
    ? await signStep(a.signer, {
        findingId: f.id,
        action: signedAction(op, params, action),
        contentSha256,
        sealSha256: await findingSealSha256(f),
        at,
      })
    : undefined;
  const entry = (
    await session.run(op as Operation<unknown, null>, {
      ...params,
      findingId: f.id,
      by,
      contentSha256,
      ...(signature ? { signature } : {}),
    })
  ).entry;
  f.history.push({ at, by, action, ...(note ? { note } : {}), journal: journalRef(entry) });
  return Finding.parse(f);
}

/** The action as integrity.ts reads it back from the entry (filing is an update the history calls update). */
function signedAction(op: Operation<never, null>, params: Record<string, unknown>, action: HistoryStep['action']) {
  return op.id === 'finding-update' && params.action === 'investigation' ? 'investigation' : action;
}

function replace(data: FindingsFile, f: Finding): FindingsFile {
  return { ...data, findings: data.findings.map((x) => (x.id === f.id ? f : x)) };
}

function findIn(data: FindingsFile, id: string): Finding {
  const f = data.findings.find((x) => x.id === id);
  if (!f) throw new FindingError(`Constatation inconnue : « ${id} »`);
  return f;
}

/**
 * Changes one finding: `change` edits a copy and journals the step; the book keeps the finding the
 * step returned, so nothing is saved that the journal did not record.
 */
async function changeFinding(session: Session, id: string, change: (f: Finding, book: FindingsBook) => Promise<Finding>): Promise<Finding> {
  const book = await findingsOf(session);
  return book.mutate(async (data) => {
    const finding = await change(structuredClone(findIn(data, id)), book);
    return { data: replace(data, finding), value: finding };
  });
}

export type NewFinding = Partial<FindingFields> & { title: string };

export async function createFinding(session: Session, fields: NewFinding, a: Actor): Promise<Finding> {
  const book = await findingsOf(session);
  return book.mutate(async (data) => {
    const at = nowIso(a);
    const id = `C-${String(data.next.finding).padStart(4, '0')}`;
    const parsed = FindingFields.partial().safeParse(fields);
    if (!parsed.success)
      throw new FindingError(`Constatation invalide : ${parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}`);
    if (parsed.data.investigationId) book.investigation(parsed.data.investigationId);
    const f = Finding.parse({
      owner: actorName(a),
      ...parsed.data,
      id,
      status: 'draft',
      createdAt: at,
      updatedAt: at,
      evidence: [],
      comments: [],
      history: [],
    });
    const finding = await step(session, f, findingCreate as never, { title: f.title, severity: f.severity }, 'create', a);
    return {
      data: { ...data, findings: [...data.findings, finding], next: { ...data.next, finding: data.next.finding + 1 } },
      value: finding,
    };
  });
}

/** Edits the finding's text, amount, severity, owner, tags or investigation (draft or in review only). */
export function updateFinding(session: Session, id: string, patch: Partial<FindingFields>, a: Actor): Promise<Finding> {
  return changeFinding(session, id, async (f, book) => {
    const parsed = FindingFields.partial().safeParse(patch);
    if (!parsed.success)
      throw new FindingError(`Modification invalide : ${parsed.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}`);
    // Only the keys the caller gave: the schema's defaults must not reset the fields left out.
    const fields = Object.keys(patch).filter((k) => k in parsed.data && (patch as Record<string, unknown>)[k] !== undefined);
    const changes = Object.fromEntries(fields.map((k) => [k, (parsed.data as Record<string, unknown>)[k]]));
    // Grouping a finding under an investigation is filing, not content: allowed even when final.
    const onlyFiling = fields.length > 0 && fields.every((k) => k === 'investigationId');
    if (!onlyFiling) assertNotFinal(f, 'son contenu ne peut plus être modifié');
    if (!fields.length) throw new FindingError('Aucune modification');
    if (changes.investigationId) book.investigation(changes.investigationId as string);
    Object.assign(f, changes);
    return step(
      session,
      f,
      findingUpdate as never,
      { action: onlyFiling ? 'investigation' : 'update', fields, status: f.status },
      'update',
      a,
      fields.join(', '),
    );
  });
}

export function attachEvidence(session: Session, id: string, evidence: Evidence, a: Actor): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertNotFinal(f, 'ses preuves ne peuvent plus changer');
    const e = Evidence.parse(evidence);
    if (!(await evidenceIntact(e)))
      throw new FindingError(`La preuve ${e.id} ne correspond plus à son empreinte SHA-256 : elle a été modifiée après avoir été figée`);
    if (f.evidence.some((x) => x.id === e.id)) throw new FindingError(`La preuve ${e.id} est déjà jointe à ${f.id}`);
    f.evidence.push(e);
    return step(session, f, findingEvidence as never, evidenceParams('attach', e), 'attach', a, e.id);
  });
}

export function detachEvidence(session: Session, id: string, evidenceId: string, a: Actor): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertNotFinal(f, 'ses preuves ne peuvent plus changer');
    const e = f.evidence.find((x) => x.id === evidenceId);
    if (!e) throw new FindingError(`Pas de preuve ${evidenceId} dans ${f.id}`);
    f.evidence = f.evidence.filter((x) => x.id !== evidenceId);
    return step(session, f, findingEvidence as never, evidenceParams('detach', e), 'detach', a, e.id);
  });
}

function evidenceParams(action: 'attach' | 'detach', e: Evidence) {
  const sources = e.kind === 'source' ? [e.source] : e.sources;
  return {
    action,
    evidence: { id: e.id, kind: e.kind, sha256: e.sha256, journalSeq: e.kind === 'source' ? null : (e.journal?.seq ?? null) },
    sources: sources.map((s) => ({ table: s.table, path: s.path, sha256: s.sha256 })),
  };
}

function assertStatus(f: Finding, expected: FindingStatus, what: string) {
  if (f.status !== expected) {
    const labels: Record<FindingStatus, string> = { draft: 'brouillon', 'in-review': 'en relecture', final: 'définitive' };
    throw new FindingError(`${what} : la constatation ${f.id} est ${labels[f.status]}, elle devrait être ${labels[expected]}`);
  }
}

export function submitForReview(session: Session, id: string, a: Actor): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertStatus(f, 'draft', 'Soumission impossible');
    f.status = 'in-review';
    return step(session, f, findingUpdate as never, { action: 'submit', fields: ['status'], status: f.status }, 'submit', a);
  });
}

export function commentFinding(session: Session, id: string, c: Actor & { text: string }): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertNotFinal(f, 'elle ne peut plus être commentée');
    if (!c.text.trim()) throw new FindingError('Commentaire vide');
    const commentId = `${f.id}-K${f.comments.length + 1}`;
    f.comments.push({ id: commentId, by: actorName(c), at: nowIso(c), text: c.text });
    return step(session, f, findingComment as never, { commentId, text: c.text }, 'comment', c);
  });
}

/**
 * Signs a finding off: it becomes final and its evidence is frozen. Four-eyes rule: the reviewer cannot
 * be its owner nor anyone who wrote or changed it since it was last reopened — read from the journal,
 * not from the `owner` field one can change while in review; names compared normalised
 * (normaliseIdentity), keys compared as keys.
 */
export function signOff(session: Session, id: string, a: Actor): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertStatus(f, 'in-review', 'Validation impossible');
    const who = actorName(a);
    const editors = editorsSinceReopen(session.journal.all(), f.id);
    const me = normaliseIdentity(who);
    if (!me) throw new FindingError('Validation impossible : le nom du relecteur est vide');
    if (me === normaliseIdentity(f.owner)) {
      throw new FindingError(`Validation impossible : ${who} est responsable de ${f.id} ; un autre relecteur doit la valider`);
    }
    if (editors.names.has(me) || (a.signer && editors.keys.has(a.signer.publicKey))) {
      throw new FindingError(`Validation impossible : ${who} a rédigé ou modifié ${f.id} ; un autre relecteur doit la valider`);
    }
    const at = nowIso(a);
    f.status = 'final';
    f.signedOff = { by: who, at };
    return step(session, f, findingSignOff as never, { at }, 'sign-off', a);
  });
}

/** Sends a final finding back to draft, with the reason journaled; its sign-off stays in the history. */
export function reopenFinding(session: Session, id: string, r: Actor & { reason: string }): Promise<Finding> {
  return changeFinding(session, id, async (f) => {
    assertStatus(f, 'final', 'Réouverture impossible');
    if (!r.reason.trim()) throw new FindingError('Réouverture impossible : le motif est obligatoire');
    f.status = 'draft';
    f.signedOff = null;
    return step(session, f, findingReopen as never, { reason: r.reason }, 'reopen', r, r.reason);
  });
}
