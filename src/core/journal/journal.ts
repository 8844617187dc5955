// The project's journal: NDJSON, append-only, each entry carrying the SHA-256 of the one before it,
// so an edited, removed or reordered entry breaks the chain at a place `verify` can name.
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import '../util/zod-fr.ts';
import { errorText } from '../util/errors.ts';

export const JournalInput = z
  .object({
    table: z.string(),
    source: z.string().optional(),
    sha256: z.string().optional(),
  })
  .strict();

// Strict: a field the schema does not know would be dropped by zod and so escape the hash; an entry
// carrying one is refused rather than read as if it were not there.
export const JournalEntry = z
  .object({
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
      .strict()
      .nullable(),
    summary: z.string().optional(),
    durationMs: z.number(),
    prev: z.string().nullable(),
    hash: z.string(),
  })
  .strict();
export type JournalEntry = z.infer<typeof JournalEntry>;
export type JournalDraft = Omit<JournalEntry, 'seq' | 'prev' | 'hash' | 'at'> & { at?: string };

/** torn: not JSON (a write cut short); malformed: JSON that is not an entry, or carries unknown fields. */
export type JournalLineKind = 'torn' | 'malformed';

export interface JournalProblem {
  line: number;
  seq?: number;
  kind: JournalLineKind;
  reason: string;
}

export interface ParsedJournal {
  entries: JournalEntry[];
  /** Lines that could not be read, e.g. a last line cut short by a crash. */
  problems: JournalProblem[];
  /** The 1-based line each entry was read from. */
  lineOf: number[];
}

/** What the manifest anchors and the report prints: how many entries, and the hash of the last one. */
export interface JournalHead {
  count: number;
  /** null for an empty journal. */
  hash: string | null;
}

export function headOf(entries: readonly JournalEntry[]): JournalHead {
  return { count: entries.length, hash: entries[entries.length - 1]?.hash ?? null };
}

/** One line for a report or export footer: publishing it pins the journal as it was then. */
export function journalHeadLine(head: JournalHead): string {
  if (!head.count || !head.hash) return 'Tête du journal : journal vide (aucune entrée).';
  return `Tête du journal : ${head.count.toLocaleString('fr-FR')} entrée(s), empreinte de la dernière (n° ${(head.count - 1).toLocaleString('fr-FR')}) ${head.hash}`;
}

export async function entryHash(entry: Omit<JournalEntry, 'hash'>): Promise<string> {
  return sha256Hex(canonicalJson(entry));
}

function issueText(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return '';
  if (issue.code === 'unrecognized_keys')
    return `champ(s) inconnu(s) ${issue.keys.map((k) => `« ${k} »`).join(', ')}${issue.path.length ? ` dans ${issue.path.join('.')}` : ''}`;
  return `${issue.path.join('.') || 'entrée'} : ${issue.message}`;
}

export function parseJournal(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  const problems: JournalProblem[] = [];
  const lineOf: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      problems.push({
        line: i + 1,
        kind: 'torn',
        reason: last ? 'dernière ligne tronquée (écriture interrompue)' : 'ligne illisible (écriture interrompue ou altérée)',
      });
      return;
    }
    const parsed = JournalEntry.safeParse(raw);
    const seq =
      raw && typeof raw === 'object' && typeof (raw as { seq?: unknown }).seq === 'number' ? (raw as { seq: number }).seq : undefined;
    // The object read is what gets hashed: the schema only says it has the right shape, nothing more.
    if (parsed.success) {
      entries.push(raw as JournalEntry);
      lineOf.push(i + 1);
    } else
      problems.push({
        line: i + 1,
        ...(seq !== undefined ? { seq } : {}),
        kind: 'malformed',
        reason: `entrée mal formée (${issueText(parsed.error.issues[0])})`,
      });
  });
  return { entries, problems, lineOf };
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
    if (e.seq !== i)
      return {
        ok: false,
        count: entries.length,
        firstBroken: { seq: e.seq, index: i, reason: `numéro ${e.seq} attendu ${i} (entrée retirée ou déplacée)` },
      };
    if (e.prev !== prev)
      return {
        ok: false,
        count: entries.length,
        firstBroken: { seq: e.seq, index: i, reason: 'ne suit pas l’entrée précédente (entrée retirée, déplacée ou modifiée avant elle)' },
      };
    if ((await entryHash(rest)) !== hash)
      return { ok: false, count: entries.length, firstBroken: { seq: e.seq, index: i, reason: 'contenu modifié après écriture' } };
    prev = hash;
  }
  return { ok: true, count: entries.length };
}

/**
 * The chain alone, and every line that is not an entry. A torn last line fails too: what it held is
 * unknown until `loupe repair` sets it aside (and journals that it did).
 */
export async function verifyJournalText(text: string): Promise<VerifyResult & { problems: JournalProblem[]; head: JournalHead }> {
  const { entries, problems, lineOf } = parseJournal(text);
  const res = await verifyEntries(entries);
  const head = headOf(entries);
  const bad = problems[0];
  // The place in the chain where the line sits: the number of entries read before it.
  const seq = bad ? lineOf.filter((l) => l < bad.line).length : 0;
  // A line that is not an entry comes first when it stands before the break it causes.
  if (bad && (res.ok || (res.firstBroken && seq <= res.firstBroken.index))) {
    return {
      ok: false,
      count: entries.length,
      problems,
      head,
      firstBroken: { seq, index: -1, reason: `ligne ${bad.line} : ${bad.reason}` },
    };
  }
  return { ...res, problems, head };
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
  /** The file ends mid-line (a torn write): the next entry starts on a line of its own. */
  private needsNewline = false;
  problems: JournalProblem[] = [];
  /**
   * Called after each entry is written, before `append` resolves: the project anchors the new head
   * in its manifest here, so a removed tail shows up against it.
   */
  onAppend: ((head: JournalHead) => Promise<void>) | null = null;

  constructor(private sink: JournalSink) {}

  static async load(sink: JournalSink): Promise<Journal> {
    const j = new Journal(sink);
    await j.reload();
    return j;
  }

  /** Reads the sink again, e.g. after a repair rewrote it. */
  async reload(): Promise<void> {
    await this.tail;
    const text = await this.sink.read();
    const parsed = parseJournal(text);
    this.entries = parsed.entries;
    this.problems = parsed.problems;
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
  }

  all(): readonly JournalEntry[] {
    return this.entries;
  }

  head(): JournalHead {
    return headOf(this.entries);
  }

  /** Appends entries one at a time, in call order, each chained to the one before. */
  append(draft: JournalDraft): Promise<JournalEntry> {
    const next = this.tail.then(async () => {
      const last = this.entries[this.entries.length - 1];
      // Hashed as it will be read back: what JSON drops or turns into a string (undefined, dates) is
      // settled before hashing, not discovered by the next verify.
      const body = JSON.parse(
        JSON.stringify({
          ...draft,
          at: draft.at ?? new Date().toISOString(),
          seq: this.entries.length,
          prev: last ? last.hash : null,
        }),
      ) as Omit<JournalEntry, 'hash'>;
      const entry: JournalEntry = { ...body, hash: await entryHash(body) };
      const checked = JournalEntry.safeParse(entry);
      if (!checked.success) throw new Error(`Entrée de journal refusée (${draft.op}) : ${issueText(checked.error.issues[0])}`);
      await this.sink.append((this.needsNewline ? '\n' : '') + JSON.stringify(entry) + '\n');
      this.needsNewline = false;
      this.entries.push(entry);
      if (this.onAppend) {
        try {
          await this.onAppend(this.head());
        } catch (e) {
          throw new Error(
            `Entrée n° ${entry.seq} écrite au journal, mais sa tête n’a pas pu être ancrée dans le manifeste : ${errorText(e)}`,
            {
              cause: e,
            },
          );
        }
      }
      return entry;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async verify(): Promise<VerifyResult & { problems: JournalProblem[]; head: JournalHead }> {
    return verifyJournalText(await this.sink.read());
  }
}
