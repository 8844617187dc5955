// The project's journal: NDJSON, append-only, each entry carrying the SHA-256 of the one before it,
// so an edited, removed or reordered entry breaks the chain at a place `verify` can name.
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import '../util/zod-fr.ts';

export const JournalInput = z.object({
  table: z.string(),
  source: z.string().optional(),
  sha256: z.string().optional(),
});

export const JournalEntry = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  op: z.string(),
  params: z.unknown(),
  inputs: z.array(JournalInput),
  sql: z.array(z.string()),
  output: z
    .object({
      table: z.string().optional(),
      rows: z.number(),
      digest: z.string(),
    })
    .nullable(),
  summary: z.string().optional(),
  durationMs: z.number(),
  prev: z.string().nullable(),
  hash: z.string(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;
export type JournalDraft = Omit<JournalEntry, 'seq' | 'prev' | 'hash' | 'at'> & { at?: string };

export interface JournalProblem {
  line: number;
  seq?: number;
  reason: string;
}

export interface ParsedJournal {
  entries: JournalEntry[];
  /** Lines that could not be read, e.g. a last line cut short by a crash. */
  problems: JournalProblem[];
}

export async function entryHash(entry: Omit<JournalEntry, 'hash'>): Promise<string> {
  return sha256Hex(canonicalJson(entry));
}

export function parseJournal(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const parsed = JournalEntry.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
      else problems.push({ line: i + 1, reason: `entrée mal formée : ${parsed.error.issues[0]?.message ?? ''}` });
    } catch {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      problems.push({ line: i + 1, reason: last ? 'dernière ligne tronquée (écriture interrompue)' : 'ligne illisible' });
    }
  });
  return { entries, problems };
}

export interface VerifyResult {
  ok: boolean;
  count: number;
  /** The first entry whose place in the chain is wrong, with why. */
  firstBroken?: { seq: number; index: number; reason: string };
}

export async function verifyEntries(entries: readonly JournalEntry[]): Promise<VerifyResult> {
  let prev: string | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const { hash, ...rest } = e;
    if (e.seq !== i) return { ok: false, count: entries.length, firstBroken: { seq: e.seq, index: i, reason: `numéro ${e.seq} attendu ${i} (entrée retirée ou déplacée)` } };
    if (e.prev !== prev) return { ok: false, count: entries.length, firstBroken: { seq: e.seq, index: i, reason: 'ne suit pas l’entrée précédente (entrée retirée, déplacée ou modifiée avant elle)' } };
    if ((await entryHash(rest)) !== hash) return { ok: false, count: entries.length, firstBroken: { seq: e.seq, index: i, reason: 'contenu modifié après écriture' } };
    prev = hash;
  }
  return { ok: true, count: entries.length };
}

export async function verifyJournalText(text: string): Promise<VerifyResult & { problems: JournalProblem[] }> {
  const { entries, problems } = parseJournal(text);
  const res = await verifyEntries(entries);
  const broken = problems.find((p) => !p.reason.startsWith('dernière'));
  if (res.ok && broken) return { ok: false, count: entries.length, problems, firstBroken: { seq: -1, index: -1, reason: `ligne ${broken.line} : ${broken.reason}` } };
  return { ...res, problems };
}

/** Where the journal's lines are kept: a file in the project folder, or memory for a scratch session. */
export interface JournalSink {
  read(): Promise<string>;
  append(line: string): Promise<void>;
}

export class MemoryJournalSink implements JournalSink {
  text = '';
  async read(): Promise<string> {
    return this.text;
  }
  async append(line: string): Promise<void> {
    this.text += line;
  }
}

export class Journal {
  private entries: JournalEntry[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  problems: JournalProblem[] = [];

  constructor(private sink: JournalSink) {}

  static async load(sink: JournalSink): Promise<Journal> {
    const j = new Journal(sink);
    const parsed = parseJournal(await sink.read());
    j.entries = parsed.entries;
    j.problems = parsed.problems;
    return j;
  }

  all(): readonly JournalEntry[] {
    return this.entries;
  }

  /** Appends entries one at a time, in call order, each chained to the one before. */
  append(draft: JournalDraft): Promise<JournalEntry> {
    const next = this.tail.then(async () => {
      const last = this.entries[this.entries.length - 1];
      const body = {
        ...draft,
        at: draft.at ?? new Date().toISOString(),
        seq: this.entries.length,
        prev: last ? last.hash : null,
      };
      const entry: JournalEntry = { ...body, hash: await entryHash(body) };
      await this.sink.append(JSON.stringify(entry) + '\n');
      this.entries.push(entry);
      return entry;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async verify(): Promise<VerifyResult & { problems: JournalProblem[] }> {
    return verifyJournalText(await this.sink.read());
  }
}
