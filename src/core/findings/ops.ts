// The journal's side of findings: one operation per kind of change. They compute nothing on the
// engine — the finding itself is saved in findings.json — but each change leaves a chained entry that
// says who did what and when, with the SHA-256 of the finding's content after the change. Replaying
// them is a no-op that checks their parameters still validate.
import { z } from 'zod';
import { registerOperation, type Operation } from '../ops/registry.ts';

const ID = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);
const SHA = z.string().regex(/^[0-9a-f]{64}$/);
const WHO = z.string().min(1).max(200);

const SourceInput = z.object({ table: z.string().max(1000), path: z.string().max(4096), sha256: SHA });

const B64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/)
  .max(200);

/**
 * The author's Ed25519 signature over the step (identity/identity.ts `signedBytes`): finding, action,
 * both content hashes, name, account and key. It sits in the params, so the entry's hash covers it too.
 */
export const StepSignature = z.object({
  alg: z.literal('Ed25519'),
  account: z.string().max(200),
  publicKey: B64,
  /** SHA-256 of what a sign-off vouches for: the content without history, updatedAt and filing. */
  sealSha256: SHA,
  signedAt: z.string().max(40),
  sig: B64,
});
export type StepSignature = z.infer<typeof StepSignature>;

const Base = z.object({
  findingId: ID,
  by: WHO,
  /** SHA-256 of the finding (canonical JSON, history aside) once this change is applied. */
  contentSha256: SHA,
  signature: StepSignature.optional(),
});

export const FindingCreateParams = Base.extend({ title: z.string().max(1000), severity: z.string().max(40) });
export const FindingUpdateParams = Base.extend({
  action: z.enum(['update', 'submit', 'investigation']),
  fields: z.array(z.string().max(100)).max(100),
  status: z.string().max(40),
});
export const FindingEvidenceParams = Base.extend({
  action: z.enum(['attach', 'detach']),
  evidence: z.object({ id: ID, kind: z.string().max(40), sha256: SHA, journalSeq: z.number().int().nullable() }),
  sources: z.array(SourceInput).max(1000),
});
export const FindingCommentParams = Base.extend({ commentId: ID, text: z.string().max(100_000) });
export const FindingSignOffParams = Base.extend({ at: z.string().max(40) });
export const FindingReopenParams = Base.extend({ reason: z.string().min(1).max(10_000) });
export const InvestigationParams = z.object({
  investigationId: ID,
  by: WHO,
  action: z.enum(['create', 'update']),
  name: z.string().max(1000),
  contentSha256: SHA,
});

function recordOnly<P extends z.ZodTypeAny>(
  id: string,
  description: string,
  params: P,
  summary: (p: z.infer<P>) => string,
): Operation<z.infer<P>, null> {
  return registerOperation<z.infer<P>, null>({
    id,
    kind: 'finding',
    description,
    params: params as z.ZodType<z.infer<P>>,
    async run(_ctx, p) {
      const sources = (p as { sources?: z.infer<typeof SourceInput>[] }).sources ?? [];
      return { sql: [], inputs: sources.map((s) => ({ table: s.table, source: s.path, sha256: s.sha256 })), summary: summary(p) };
    },
  });
}

export const findingCreate = recordOnly(
  'finding-create',
  'Crée une constatation',
  FindingCreateParams,
  (p) => `Constatation ${p.findingId} créée par ${p.by} : ${p.title}`,
);
export const findingUpdate = recordOnly('finding-update', 'Modifie une constatation ou la soumet à relecture', FindingUpdateParams, (p) =>
  p.action === 'submit'
    ? `Constatation ${p.findingId} soumise à relecture par ${p.by}`
    : `Constatation ${p.findingId} modifiée par ${p.by} (${p.fields.join(', ')})`,
);
export const findingEvidence = recordOnly(
  'finding-evidence',
  'Joint ou retire une preuve d’une constatation',
  FindingEvidenceParams,
  (p) =>
    `${p.action === 'attach' ? 'Preuve jointe à' : 'Preuve retirée de'} ${p.findingId} par ${p.by} : ${p.evidence.id} (${p.evidence.kind})`,
);
export const findingComment = recordOnly(
  'finding-comment',
  'Commente une constatation en relecture',
  FindingCommentParams,
  (p) => `Commentaire de ${p.by} sur ${p.findingId}`,
);
export const findingSignOff = recordOnly(
  'finding-sign-off',
  'Valide une constatation : elle devient définitive',
  FindingSignOffParams,
  (p) => `Constatation ${p.findingId} validée par ${p.by}`,
);
export const findingReopen = recordOnly(
  'finding-reopen',
  'Rouvre une constatation définitive',
  FindingReopenParams,
  (p) => `Constatation ${p.findingId} rouverte par ${p.by} : ${p.reason}`,
);
export const investigationOp = recordOnly(
  'investigation',
  'Crée ou modifie une enquête (regroupement de constatations)',
  InvestigationParams,
  (p) => `Enquête ${p.investigationId} ${p.action === 'create' ? 'créée' : 'modifiée'} par ${p.by} : ${p.name}`,
);
