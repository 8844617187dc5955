// Findings and their evidence, as schemas: they are saved in the project and may come from someone
// else's project, so they are validated when read, not only typed.
import { z } from 'zod';

const ID = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'identifiant attendu (lettres, chiffres, _ et -)');
const TEXT = z.string().max(100_000);
const WHEN = z.string().max(40);
const WHO = z.string().min(1).max(200);

export const Severity = z.enum(['faible', 'moyenne', 'élevée', 'critique']);
export type Severity = z.infer<typeof Severity>;

/** draft → in-review → final; reopening sends a final finding back to draft. */
export const FindingStatus = z.enum(['draft', 'in-review', 'final']);
export type FindingStatus = z.infer<typeof FindingStatus>;

export const SEVERITY_LABEL: Record<Severity, string> = { faible: 'Faible', moyenne: 'Moyenne', élevée: 'Élevée', critique: 'Critique' };
export const STATUS_LABEL: Record<FindingStatus, string> = { draft: 'Brouillon', 'in-review': 'En relecture', final: 'Définitif' };

/** A journal entry an evidence or a finding's step points at: enough to find it and check it. */
export const JournalRef = z.object({
  seq: z.number().int().nonnegative(),
  op: z.string().max(200),
  hash: z.string().max(128),
  at: WHEN.optional(),
});
export type JournalRef = z.infer<typeof JournalRef>;

/** A source file a piece of evidence depends on, with the hash it had when the evidence was frozen. */
export const SourceRef = z.object({
  table: z.string().max(1000),
  fileName: z.string().max(1000),
  path: z.string().max(4096),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().nonnegative().optional(),
  importedAt: WHEN.optional(),
  part: z.string().max(1000).optional(),
});
export type SourceRef = z.infer<typeof SourceRef>;

const EvidenceBase = z.object({
  id: ID,
  title: z.string().max(1000),
  createdAt: WHEN,
  createdBy: z.string().max(200).optional(),
  /** SHA-256 of the evidence's content (everything but this field), fixed when it was frozen. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const SnapshotColumn = z.object({ name: z.string().max(1000), label: z.string().max(10_000), type: z.string().max(200) });

export const SnapshotEvidence = EvidenceBase.extend({
  kind: z.literal('snapshot'),
  columns: z.array(SnapshotColumn).max(10_000),
  /** JSON-safe values: numbers, strings (dates as ISO), booleans, null. */
  rows: z.array(z.array(z.unknown())).max(1_000_000),
  /** Rows of the full result; `rows` holds at most the frozen limit. */
  totalRows: z.number().int().nonnegative(),
  truncated: z.boolean(),
  sql: z.array(z.string().max(1_000_000)).max(1000),
  journal: JournalRef.nullable(),
  /** The digest the journal holds for the full output (rows + order-independent hash). */
  digest: z.object({ rows: z.number(), digest: z.string().max(128) }).nullable(),
  summary: z.string().max(10_000).optional(),
  sources: z.array(SourceRef).max(1000),
  /** A row picked in the grid: its table and the columns whose values select it (`sql` holds the query). */
  row: z.object({ table: z.string().max(1000), key: z.array(z.string().max(1000)).max(10_000) }).optional(),
});
export type SnapshotEvidence = z.infer<typeof SnapshotEvidence>;

export const ChartEvidence = EvidenceBase.extend({
  kind: z.literal('chart'),
  /** The ChartSpec as the chart view saved it. */
  spec: z.record(z.string(), z.unknown()),
  /** Rendered SVG text, sanitised when frozen and again when rendered into a report. */
  svg: z.string().max(20_000_000),
  sql: z.array(z.string().max(1_000_000)).max(1000).default([]),
  journal: JournalRef.nullable().default(null),
  sources: z.array(SourceRef).max(1000).default([]),
});
export type ChartEvidence = z.infer<typeof ChartEvidence>;

export const SourceEvidence = EvidenceBase.extend({
  kind: z.literal('source'),
  source: SourceRef,
  rows: z.number().nonnegative().optional(),
});
export type SourceEvidence = z.infer<typeof SourceEvidence>;

/**
 * A passage of an imported PDF report (#18): the words quoted verbatim from one text block of the
 * reports library, with the report's SHA-256 and the page, so a reader can open the same file at the
 * same page; `journal` is the search that found it (replayable), `blocId` the block the quote must
 * still be in (checked by checkPassages).
 */
export const PassageEvidence = EvidenceBase.extend({
  kind: z.literal('passage'),
  report: z.object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    fileName: z.string().max(1000),
    title: z.string().max(10_000).nullable(),
    number: z.string().max(200).nullable(),
    /** ISO date of the report, when detected. */
    date: z.string().max(40).nullable(),
    service: z.string().max(1000).nullable(),
  }),
  page: z.number().int().positive(),
  blocId: z.number().int().nonnegative(),
  quote: z.string().min(1).max(100_000),
  /** The search words, when the passage came from a search. */
  query: z.string().max(2000).optional(),
  sql: z.array(z.string().max(1_000_000)).max(1000).default([]),
  journal: JournalRef.nullable().default(null),
  sources: z.array(SourceRef).max(1000).default([]),
});
export type PassageEvidence = z.infer<typeof PassageEvidence>;

export const Evidence = z.discriminatedUnion('kind', [SnapshotEvidence, ChartEvidence, SourceEvidence, PassageEvidence]);
export type Evidence = z.infer<typeof Evidence>;

export const Comment = z.object({ id: ID, by: WHO, at: WHEN, text: TEXT });
export type Comment = z.infer<typeof Comment>;

/** One step of a finding's life, pointing at the journal entry that recorded it. */
export const HistoryStep = z.object({
  at: WHEN,
  by: WHO,
  action: z.enum(['create', 'update', 'submit', 'attach', 'detach', 'comment', 'sign-off', 'reopen']),
  note: z.string().max(10_000).optional(),
  journal: JournalRef,
});
export type HistoryStep = z.infer<typeof HistoryStep>;

export const Finding = z.object({
  id: ID,
  title: z.string().min(1).max(1000),
  /** Ce qui devrait être : la règle, le texte, la norme. */
  criteria: TEXT.default(''),
  /** Ce qui est : le constat. */
  condition: TEXT.default(''),
  /** Pourquoi l'écart existe. */
  cause: TEXT.default(''),
  /** Conséquence de l'écart, et le montant en jeu. */
  effect: z.object({ text: TEXT.default(''), amount: z.number().finite().nullable().default(null) }).default({ text: '', amount: null }),
  recommendation: TEXT.default(''),
  severity: Severity.default('moyenne'),
  status: FindingStatus.default('draft'),
  owner: WHO,
  createdAt: WHEN,
  updatedAt: WHEN,
  tags: z.array(z.string().min(1).max(200)).max(1000).default([]),
  investigationId: ID.nullable().default(null),
  evidence: z.array(Evidence).max(10_000).default([]),
  comments: z.array(Comment).max(100_000).default([]),
  signedOff: z.object({ by: WHO, at: WHEN }).nullable().default(null),
  history: z.array(HistoryStep).max(100_000).default([]),
});
export type Finding = z.infer<typeof Finding>;

/** Fields a user edits; the rest is kept by the lifecycle functions. */
export const FindingFields = Finding.pick({
  title: true,
  criteria: true,
  condition: true,
  cause: true,
  effect: true,
  recommendation: true,
  severity: true,
  owner: true,
  tags: true,
  investigationId: true,
});
export type FindingFields = z.infer<typeof FindingFields>;

export const Investigation = z.object({
  id: ID,
  name: z.string().min(1).max(1000),
  description: TEXT.default(''),
  owner: z.string().max(200).default(''),
  createdAt: WHEN,
  updatedAt: WHEN,
  /** Saved queries of the project (by name) that belong to this topic. */
  queries: z.array(z.string().max(200)).max(10_000).default([]),
  /** Charts of the topic: the ChartSpec and, when rendered, its SVG. */
  charts: z
    .array(z.object({ title: z.string().max(1000), spec: z.record(z.string(), z.unknown()), svg: z.string().max(20_000_000).optional() }))
    .max(10_000)
    .default([]),
  // Reports of the library and passages gathered under the topic (#18). Optional, not defaulted: an
  // investigation saved before them must hash the same as when it was journaled.
  /** Reports of the library (by SHA-256) that belong to the topic. */
  reports: z
    .array(
      z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), fileName: z.string().max(1000), title: z.string().max(10_000).nullable() }),
    )
    .max(10_000)
    .optional(),
  /** Passages kept for the topic (not yet a finding's evidence): report, page, block and the words. */
  passages: z
    .array(
      z.object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        fileName: z.string().max(1000),
        page: z.number().int().positive(),
        blocId: z.number().int().nonnegative(),
        quote: z.string().max(100_000),
      }),
    )
    .max(100_000)
    .optional(),
});
export type Investigation = z.infer<typeof Investigation>;

export const FINDINGS_FILE = 'findings.json';

export const FindingsFile = z.object({
  format: z.literal('loupe-findings'),
  version: z.literal(1),
  savedAt: WHEN,
  findings: z.array(Finding).max(100_000),
  investigations: z.array(Investigation).max(100_000).default([]),
  /** Counter for readable ids (C-0001…), so ids are never reused after a deletion. */
  next: z.object({
    finding: z.number().int().positive(),
    evidence: z.number().int().positive(),
    investigation: z.number().int().positive(),
  }),
});
export type FindingsFile = z.infer<typeof FindingsFile>;

export function emptyFindingsFile(): FindingsFile {
  return {
    format: 'loupe-findings',
    version: 1,
    savedAt: new Date().toISOString(),
    findings: [],
    investigations: [],
    next: { finding: 1, evidence: 1, investigation: 1 },
  };
}
