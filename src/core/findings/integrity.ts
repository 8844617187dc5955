// The register (findings.json) checked against the journal: findings are journal-derived, so a finding
// on disk must be the one its last journal entry hashed, every evidence must still match its seal, every
// history step must point at the entry it claims, and the steps that vouch for a finding (submit,
// sign-off, reopen) must carry a valid signature by someone other than its editors. findings.json is a
// plain file anyone can edit; this is what makes an edit visible.
import {
  keyFingerprint,
  normaliseIdentity,
  signedBytes,
  toBase64,
  verifyBytes,
  type Signer,
  type TrustedKey,
} from '../identity/identity.ts';
import type { JournalEntry } from '../journal/journal.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import type { Engine } from '../engine/engine.ts';
import { evidenceIntact } from './evidence.ts';
import { checkPassages } from './report-evidence.ts';
import type { Finding, FindingsFile } from './model.ts';
import type { StepSignature } from './ops.ts';

/** The content a finding's journal entries commit to: everything but its own history. */
export async function findingContentSha256(f: Finding): Promise<string> {
  const { history: _h, ...rest } = f;
  return sha256Hex(canonicalJson(rest));
}

/**
 * What a sign-off vouches for: the content without the history, the last-update time and the
 * investigation it is filed under — filing a final finding is allowed and must not void its sign-off.
 */
export async function findingSealSha256(f: Finding): Promise<string> {
  const { history: _h, updatedAt: _u, investigationId: _i, ...rest } = f;
  return sha256Hex(canonicalJson(rest));
}

export type FindingAction = 'create' | 'update' | 'investigation' | 'submit' | 'attach' | 'detach' | 'comment' | 'sign-off' | 'reopen';

/** Steps that vouch for the finding: unsigned, they prove nothing about who took them. */
export const SIGNED_ACTIONS: readonly FindingAction[] = ['submit', 'sign-off', 'reopen'];
/** Steps that change what the finding says: whoever took one since the last reopen is an editor. */
const EDITING: readonly FindingAction[] = ['create', 'update', 'submit', 'attach', 'detach'];

interface FindingParams {
  findingId: string;
  by: string;
  contentSha256: string;
  signature?: StepSignature;
  action?: string;
  evidence?: { id: string; sha256: string };
}

const FINDING_OPS = new Set([
  'finding-create',
  'finding-update',
  'finding-evidence',
  'finding-comment',
  'finding-sign-off',
  'finding-reopen',
]);

export function findingParams(e: JournalEntry): FindingParams | null {
  if (!FINDING_OPS.has(e.op)) return null;
  const p = e.params as FindingParams | null;
  return p && typeof p.findingId === 'string' ? p : null;
}

export function actionOf(e: JournalEntry): FindingAction {
  const p = e.params as { action?: string };
  switch (e.op) {
    case 'finding-create':
      return 'create';
    case 'finding-update':
      return p.action === 'submit' ? 'submit' : p.action === 'investigation' ? 'investigation' : 'update';
    case 'finding-evidence':
      return p.action === 'detach' ? 'detach' : 'attach';
    case 'finding-comment':
      return 'comment';
    case 'finding-sign-off':
      return 'sign-off';
    default:
      return 'reopen';
  }
}

/** The journal entries of one finding, in order. */
export function entriesOf(entries: readonly JournalEntry[], findingId: string): JournalEntry[] {
  return entries.filter((e) => findingParams(e)?.findingId === findingId);
}

export interface Editors {
  names: Set<string>;
  keys: Set<string>;
}

/** Who changed the finding's content since it was last reopened (or created), from the journal. */
export function editorsSinceReopen(entries: readonly JournalEntry[], findingId: string): Editors {
  const mine = entriesOf(entries, findingId);
  const lastReopen = mine.map(actionOf).lastIndexOf('reopen');
  const out: Editors = { names: new Set(), keys: new Set() };
  for (const e of mine.slice(lastReopen + 1)) {
    if (!EDITING.includes(actionOf(e))) continue;
    const p = findingParams(e)!;
    out.names.add(normaliseIdentity(p.by));
    if (p.signature) out.keys.add(p.signature.publicKey);
  }
  return out;
}

/** Signs a step: called by the lifecycle functions when the actor has an identity. */
export async function signStep(
  signer: Signer,
  p: { findingId: string; action: FindingAction; contentSha256: string; sealSha256: string; at: string },
): Promise<StepSignature> {
  const bytes = signedBytes({
    findingId: p.findingId,
    action: p.action,
    contentSha256: p.contentSha256,
    sealSha256: p.sealSha256,
    by: signer.name,
    account: signer.account,
    publicKey: signer.publicKey,
    signedAt: p.at,
  });
  return {
    alg: 'Ed25519',
    account: signer.account,
    publicKey: signer.publicKey,
    sealSha256: p.sealSha256,
    signedAt: p.at,
    sig: toBase64(await signer.sign(bytes)),
  };
}

export interface SignatureCheck {
  findingId: string;
  seq: number;
  action: FindingAction;
  by: string;
  account: string | null;
  fingerprint: string | null;
  /** null: the step carries no signature. */
  valid: boolean | null;
  trusted: boolean;
  signedAt: string | null;
}

export async function checkSignature(e: JournalEntry, trusted: readonly TrustedKey[] = []): Promise<SignatureCheck> {
  const p = findingParams(e)!;
  const action = actionOf(e);
  const s = p.signature;
  if (!s)
    return {
      findingId: p.findingId,
      seq: e.seq,
      action,
      by: p.by,
      account: null,
      fingerprint: null,
      valid: null,
      trusted: false,
      signedAt: null,
    };
  const bytes = signedBytes({
    findingId: p.findingId,
    action,
    contentSha256: p.contentSha256,
    sealSha256: s.sealSha256,
    by: p.by,
    account: s.account,
    publicKey: s.publicKey,
    signedAt: s.signedAt,
  });
  const valid = await verifyBytes(s.publicKey, bytes, s.sig);
  return {
    findingId: p.findingId,
    seq: e.seq,
    action,
    by: p.by,
    account: s.account,
    fingerprint: await keyFingerprint(s.publicKey).catch(() => null),
    valid,
    trusted: trusted.some((k) => k.publicKey === s.publicKey),
    signedAt: s.signedAt,
  };
}

export type FindingProblemCode =
  | 'finding-not-journaled'
  | 'finding-missing'
  | 'finding-content-mismatch'
  | 'evidence-seal-broken'
  | 'evidence-not-journaled'
  | 'history-mismatch'
  | 'signature-missing'
  | 'signature-invalid'
  | 'signoff-mismatch'
  | 'four-eyes-violated'
  | 'investigation-not-journaled'
  | 'investigation-content-mismatch'
  | 'evidence-quote-mismatch'
  | 'evidence-quote-unverifiable';

export interface FindingProblem {
  code: FindingProblemCode;
  message: string;
  findingId?: string;
  evidenceId?: string;
  investigationId?: string;
}

export interface FindingsCheck {
  problems: FindingProblem[];
  /** Every signature of a step that vouches for a finding (submit, sign-off, reopen), checked. */
  signatures: SignatureCheck[];
  /** Findings of the register with at least one problem. */
  altered: Set<string>;
}

/**
 * Checks the register against the journal. `entries` are the journal's entries as read (the chain
 * itself is verifyEntries' business); `trusted` only colours the signatures, it is not a problem.
 */
export async function checkFindings(
  file: FindingsFile,
  entries: readonly JournalEntry[],
  trusted: readonly TrustedKey[] = [],
  engine?: Engine,
): Promise<FindingsCheck> {
  const problems: FindingProblem[] = [];
  // Quotes of reports are checked against the library's text: only where an engine holds it.
  if (engine) problems.push(...(await checkPassages(engine, file)));
  const signatures: SignatureCheck[] = [];
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const add = (p: FindingProblem) => problems.push(p);
  const registered = new Set(file.findings.map((f) => f.id));
  // One pass over the journal, not one per finding: a register of thousands against a long journal.
  const byFinding = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    const id = findingParams(e)?.findingId;
    if (!id) continue;
    const list = byFinding.get(id);
    if (list) list.push(e);
    else byFinding.set(id, [e]);
  }

  for (const f of file.findings) {
    const mine = byFinding.get(f.id) ?? [];
    const last = mine.at(-1);
    if (!last) {
      add({
        code: 'finding-not-journaled',
        findingId: f.id,
        message: `${f.id} n’a aucune entrée dans le journal : elle a été ajoutée à ${'findings.json'} à la main`,
      });
    } else if ((await findingContentSha256(f)) !== findingParams(last)!.contentSha256) {
      add({
        code: 'finding-content-mismatch',
        findingId: f.id,
        message: `${f.id} ne correspond plus à sa dernière entrée du journal (n° ${last.seq}) : son contenu a été modifié hors de Loupe`,
      });
    }

    for (const ev of f.evidence) {
      if (!(await evidenceIntact(ev))) {
        add({
          code: 'evidence-seal-broken',
          findingId: f.id,
          evidenceId: ev.id,
          message: `La preuve ${ev.id} de ${f.id} ne correspond plus à son empreinte : ses données ont été modifiées après avoir été figées`,
        });
      }
      const attached = [...mine].reverse().find((e) => e.op === 'finding-evidence' && findingParams(e)!.evidence?.id === ev.id);
      if (mine.length && (!attached || actionOf(attached) !== 'attach' || findingParams(attached)!.evidence?.sha256 !== ev.sha256)) {
        add({
          code: 'evidence-not-journaled',
          findingId: f.id,
          evidenceId: ev.id,
          message: `La preuve ${ev.id} de ${f.id} n’est pas celle que le journal a enregistrée en la joignant`,
        });
      }
    }

    for (const [i, h] of f.history.entries()) {
      const e = bySeq.get(h.journal.seq);
      if (!e || e.hash !== h.journal.hash || e.op !== h.journal.op || findingParams(e)?.findingId !== f.id) {
        add({
          code: 'history-mismatch',
          findingId: f.id,
          message: `Étape ${i + 1} de l’historique de ${f.id} : l’entrée n° ${h.journal.seq} du journal est absente, autre ou modifiée`,
        });
      }
    }

    // Steps that vouch: signed, the signature valid, and a sign-off never by one of the finding's editors.
    const lastReopen = mine.map(actionOf).lastIndexOf('reopen');
    for (const [i, e] of mine.entries()) {
      const action = actionOf(e);
      const p = findingParams(e)!;
      if (p.signature || SIGNED_ACTIONS.includes(action)) {
        const c = await checkSignature(e, trusted);
        if (SIGNED_ACTIONS.includes(action)) signatures.push(c);
        if (c.valid === null) {
          add({
            code: 'signature-missing',
            findingId: f.id,
            message: `Entrée n° ${e.seq} (${action} de ${f.id} par ${p.by}) : aucune signature, rien ne prouve qui l’a faite`,
          });
        } else if (!c.valid) {
          add({
            code: 'signature-invalid',
            findingId: f.id,
            message: `Entrée n° ${e.seq} (${action} de ${f.id} par ${p.by}) : signature invalide (clé, contenu ou signature modifiés)`,
          });
        }
      }
      if (action === 'sign-off' && i > lastReopen) {
        const before = editorsSinceReopen(mine.slice(0, i), f.id);
        if (before.names.has(normaliseIdentity(p.by)) || (p.signature && before.keys.has(p.signature.publicKey))) {
          add({
            code: 'four-eyes-violated',
            findingId: f.id,
            message: `Entrée n° ${e.seq} : ${f.id} validée par ${p.by}, qui l’avait elle-même rédigée ou modifiée`,
          });
        }
      }
    }

    // A final finding must be the one its last sign-off vouched for, and only filed since.
    if (f.status === 'final') {
      const iSign = mine.map(actionOf).lastIndexOf('sign-off');
      const sign = iSign > lastReopen ? mine[iSign] : undefined;
      const after = sign ? mine.slice(iSign + 1).filter((e) => actionOf(e) !== 'investigation') : [];
      const seal = sign && findingParams(sign)!.signature?.sealSha256;
      if (!sign || after.length || (seal && seal !== (await findingSealSha256(f)))) {
        add({
          code: 'signoff-mismatch',
          findingId: f.id,
          message: `${f.id} est marquée définitive, mais le journal n’a pas de validation qui couvre son contenu actuel`,
        });
      }
    }
  }

  // Investigations are journaled whole (their description is printed in their report): same rule.
  for (const inv of file.investigations) {
    const last = entries
      .filter((e) => e.op === 'investigation' && (e.params as { investigationId?: string } | null)?.investigationId === inv.id)
      .at(-1);
    if (!last)
      add({
        code: 'investigation-not-journaled',
        investigationId: inv.id,
        message: `L’enquête ${inv.id} n’a aucune entrée dans le journal : elle a été ajoutée à findings.json à la main`,
      });
    else if ((await sha256Hex(canonicalJson(inv))) !== (last.params as { contentSha256?: string }).contentSha256) {
      add({
        code: 'investigation-content-mismatch',
        investigationId: inv.id,
        message: `L’enquête ${inv.id} ne correspond plus à sa dernière entrée du journal (n° ${last.seq}) : elle a été modifiée hors de Loupe`,
      });
    }
  }

  const orphans = [...byFinding.keys()].filter((id) => !registered.has(id));
  for (const id of orphans)
    add({
      code: 'finding-missing',
      findingId: id,
      message: `Le journal enregistre la constatation ${id}, absente de findings.json : elle a été retirée hors de Loupe`,
    });

  return {
    problems,
    signatures,
    altered: new Set(problems.map((p) => p.findingId).filter((id): id is string => !!id && registered.has(id))),
  };
}

/** The problems only, for verifyProject and `loupe verify`. */
export async function verifyFindingsAgainstJournal(file: FindingsFile, entries: readonly JournalEntry[]): Promise<FindingProblem[]> {
  return (await checkFindings(file, entries)).problems;
}
