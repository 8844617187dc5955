// The one verification of a project, used by `loupe verify`, `loupe replay`, the Journal view and the
// report: the journal's chain, its head against the one anchored in the manifest, and the manifest and
// journal agreeing table by table. Checks owned elsewhere (findings) plug in as `ProjectCheck`s.
import { headOf, Journal, parseJournal, verifyEntries, type JournalEntry, type JournalHead } from '../journal/journal.ts';
import { sha256Hex } from '../util/hash.ts';
import { findingsProjectCheck } from '../findings/project-check.ts';
import { tablesOfImportEntry } from '../ingest/import-entry.ts';
import { JOURNAL_FILE, MANIFEST_FILE, parseManifest, type Manifest } from './manifest.ts';
import { storeJournalSink, type ProjectStore } from './store.ts';
import { errorText } from '../util/errors.ts';

export type ProjectProblemCode =
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'journal-missing'
  | 'line-torn'
  | 'line-malformed'
  | 'chain-broken'
  | 'entry-out-of-order'
  | 'head-unanchored'
  | 'journal-tail-missing'
  | 'head-mismatch'
  | 'entries-after-head'
  | 'source-not-journaled'
  | 'import-not-in-manifest'
  | 'source-hash-mismatch'
  | 'query-not-journaled'
  | 'query-not-in-manifest'
  | (string & {});

export interface ProjectProblem {
  code: ProjectProblemCode;
  /** Errors fail `verify`; warnings are said and do not. */
  level: 'error' | 'warning';
  message: string;
  seq?: number;
}

export interface ProjectVerification {
  /** No error (warnings allowed). */
  ok: boolean;
  problems: ProjectProblem[];
  /** The journal's head as read now. */
  head: JournalHead;
  /** Entries read (complete, well-formed lines). */
  count: number;
  /** The head the manifest anchors; null in a project from before anchoring. */
  anchored: JournalHead | null;
}

export interface ProjectCheckInput {
  store: ProjectStore;
  manifest: Manifest;
  entries: readonly JournalEntry[];
}

/** A check owned by another part of the core (findings), run on what verifyProject has read. */
export type ProjectCheck = (input: ProjectCheckInput) => Promise<ProjectProblem[]>;

export interface VerifyProjectOptions {
  /** Checks run after the journal's own. Default: DEFAULT_PROJECT_CHECKS. */
  checks?: readonly ProjectCheck[];
}

/**
 * The findings check plugs in here: findings.json against the journal (src/core/findings,
 * `verifyFindingsAgainstJournal`). Every caller of verifyProject then gets it.
 */
export const DEFAULT_PROJECT_CHECKS: ProjectCheck[] = [findingsProjectCheck];

export const JOURNAL_REPAIR_OP = 'journal-repair';

const short = (h: string | null) => (h ? `${h.slice(0, 12)}…` : '(aucune)');
const n = (x: number) => x.toLocaleString('fr-FR');

export async function verifyProject(store: ProjectStore, opts: VerifyProjectOptions = {}): Promise<ProjectVerification> {
  const problems: ProjectProblem[] = [];
  const err = (code: ProjectProblemCode, message: string, seq?: number) =>
    problems.push({ code, level: 'error', message, ...(seq !== undefined ? { seq } : {}) });
  const warn = (code: ProjectProblemCode, message: string, seq?: number) =>
    problems.push({ code, level: 'warning', message, ...(seq !== undefined ? { seq } : {}) });

  let manifest: Manifest | null = null;
  const manifestText = await store.readText(MANIFEST_FILE);
  if (manifestText === null) err('manifest-missing', `${MANIFEST_FILE} absent : aucun projet Loupe ici`);
  else {
    try {
      manifest = parseManifest(manifestText, MANIFEST_FILE);
    } catch (e) {
      err('manifest-invalid', errorText(e));
    }
  }

  const journalText = await store.readText(JOURNAL_FILE);
  const { entries, problems: lines, lineOf } = parseJournal(journalText ?? '');
  const head = headOf(entries);
  const anchored = manifest?.journalHead ?? null;
  if (journalText === null && (anchored?.count || manifest?.sources.length || manifest?.queries.length)) {
    err('journal-missing', `${JOURNAL_FILE} absent alors que le projet a un historique`);
  }

  for (const l of lines) {
    const seq = lineOf.filter((x) => x < l.line).length;
    if (l.kind === 'torn') err('line-torn', `ligne ${l.line} : ${l.reason} — « loupe repair » la met de côté et l’inscrit au journal`, seq);
    else err('line-malformed', `ligne ${l.line} : ${l.reason}`, l.seq ?? seq);
  }

  const chain = await verifyEntries(entries);
  if (!chain.ok && chain.firstBroken) {
    err(
      'chain-broken',
      `Journal altéré à l'entrée ${chain.firstBroken.seq} (ligne ${lineOf[chain.firstBroken.index] ?? '?'}) : ${chain.firstBroken.reason}`,
      chain.firstBroken.seq,
    );
  }

  for (let i = 1; i < entries.length; i++) {
    const before = Date.parse(entries[i - 1]!.at);
    const at = Date.parse(entries[i]!.at);
    if (!Number.isFinite(at))
      err('entry-out-of-order', `entrée n° ${entries[i]!.seq} : date illisible (« ${entries[i]!.at.slice(0, 40)} »)`, entries[i]!.seq);
    // An earlier date than the entry before it: a clock set back, or an entry slipped in and back-dated.
    else if (Number.isFinite(before) && at < before)
      warn(
        'entry-out-of-order',
        `entrée n° ${entries[i]!.seq} datée du ${entries[i]!.at}, avant l’entrée n° ${entries[i - 1]!.seq} (${entries[i - 1]!.at}) : horloge reculée ou entrée antidatée`,
        entries[i]!.seq,
      );
  }

  if (manifest) {
    checkAnchor(head, entries, anchored, err, warn);
    checkAgreement(manifest, entries, err);
    for (const check of opts.checks ?? DEFAULT_PROJECT_CHECKS) problems.push(...(await check({ store, manifest, entries })));
  }

  return { ok: !problems.some((p) => p.level === 'error'), problems, head, count: entries.length, anchored };
}

type Say = (code: ProjectProblemCode, message: string, seq?: number) => void;

function checkAnchor(head: JournalHead, entries: readonly JournalEntry[], anchored: JournalHead | null, err: Say, warn: Say): void {
  if (!anchored) {
    warn(
      'head-unanchored',
      `tête non ancrée (projet antérieur) : le manifeste ne dit pas combien d’entrées le journal doit avoir ; elle le sera au prochain enregistrement`,
    );
    return;
  }
  if (head.count < anchored.count) {
    const missing = anchored.count - head.count;
    err(
      'journal-tail-missing',
      `il manque ${n(missing)} entrée(s) à la fin du journal : le manifeste en annonce ${n(anchored.count)}, tête ${short(anchored.hash)} ; le journal s’arrête à ${head.count ? `l’entrée n° ${n(head.count - 1)}` : 'zéro entrée'}`,
      head.count,
    );
    return;
  }
  const at = anchored.count ? entries[anchored.count - 1] : undefined;
  if (anchored.count && at?.hash !== anchored.hash) {
    err(
      'head-mismatch',
      `l’entrée n° ${n(anchored.count - 1)} n’est pas celle que le manifeste a ancrée (tête ${short(anchored.hash)}, trouvée ${short(at?.hash ?? null)}) : le journal a été réécrit avant elle`,
      anchored.count - 1,
    );
    return;
  }
  if (head.count > anchored.count) {
    warn(
      'entries-after-head',
      `${n(head.count - anchored.count)} entrée(s) après la tête ancrée (n° ${n(anchored.count)} et suivantes) : le manifeste n’a pas été enregistré après elles`,
      anchored.count,
    );
  }
}

/** Tables (and views) as the journal made them: the last entry that made each still holds. */
function madeByJournal(entries: readonly JournalEntry[]) {
  const tables = new Map<string, { seq: number; path: string; sha256: string | undefined }>();
  const views = new Map<string, number>();
  for (const e of entries) {
    if (e.op === 'import-file') {
      const input = e.inputs[0];
      const path = String((e.params as { path?: unknown } | null)?.path ?? input?.source ?? '');
      for (const t of tablesOfImportEntry(e)) tables.set(t, { seq: e.seq, path, sha256: input?.sha256 });
    } else if (e.op === 'save-query') {
      const name = (e.params as { name?: unknown } | null)?.name;
      if (typeof name === 'string') views.set(name, e.seq);
    }
  }
  return { tables, views };
}

function checkAgreement(manifest: Manifest, entries: readonly JournalEntry[], err: Say): void {
  const { tables, views } = madeByJournal(entries);
  const inManifest = new Set<string>();
  for (const src of manifest.sources) {
    for (const t of new Set([src.table, ...src.tables])) {
      inManifest.add(t);
      const made = tables.get(t);
      if (!made)
        err(
          'source-not-journaled',
          `la source « ${src.fileName} » (table ${t}) est dans le manifeste mais aucune entrée du journal ne l’a importée`,
        );
      else if (made.sha256 && made.sha256 !== src.sha256) {
        err(
          'source-hash-mismatch',
          `la source « ${src.fileName} » (table ${t}) : SHA-256 ${short(src.sha256)} dans le manifeste, ${short(made.sha256)} à son import (entrée n° ${n(made.seq)})`,
          made.seq,
        );
      }
    }
  }
  for (const [t, made] of tables) {
    if (!inManifest.has(t))
      err(
        'import-not-in-manifest',
        `la table ${t}, importée à l’entrée n° ${n(made.seq)} (${made.path}), n’a pas de source dans le manifeste : elle ne serait pas rechargée à l’ouverture`,
        made.seq,
      );
  }
  const queries = new Set(manifest.queries.map((q) => q.name));
  for (const q of manifest.queries)
    if (!views.has(q.name))
      err(
        'query-not-journaled',
        `la requête enregistrée « ${q.name} » est dans le manifeste mais aucune entrée du journal ne l’a enregistrée`,
      );
  for (const [name, seq] of views)
    if (!queries.has(name))
      err('query-not-in-manifest', `la requête « ${name} », enregistrée à l’entrée n° ${n(seq)}, manque au manifeste`, seq);
}

export interface RepairResult {
  /** Lines set aside (1-based, as they were numbered before the repair). */
  removed: { line: number; bytes: number; sha256: string }[];
  /** Project-relative file holding the removed lines, byte for byte; null when nothing was removed. */
  sideFile: string | null;
  /** The journal entry recording the repair; null when nothing was removed. */
  entry: JournalEntry | null;
}

/**
 * Sets aside the lines a cut-short write left in the journal, and journals that it did. Only lines
 * that are not JSON at all, and only when the entries around them still chain: anything else is not
 * crash debris and is left for `verify` to report.
 */
export async function repairJournal(store: ProjectStore, now: Date = new Date()): Promise<RepairResult> {
  const text = (await store.readText(JOURNAL_FILE)) ?? '';
  const lines = text.split('\n');
  const parsed = parseJournal(text);
  const malformed = parsed.problems.filter((p) => p.kind === 'malformed');
  if (malformed.length) {
    throw new Error(
      `réparation refusée : ${malformed.map((p) => `ligne ${p.line} : ${p.reason}`).join(' ; ')} — ce n’est pas une écriture interrompue`,
    );
  }
  const torn = parsed.problems.filter((p) => p.kind === 'torn');
  if (!torn.length) return { removed: [], sideFile: null, entry: null };
  const chain = await verifyEntries(parsed.entries);
  if (!chain.ok)
    throw new Error(
      `réparation refusée : sans les lignes tronquées, la chaîne est rompue à l’entrée ${chain.firstBroken?.seq} (${chain.firstBroken?.reason})`,
    );

  const cut = new Set(torn.map((p) => p.line));
  const removedText = torn.map((p) => lines[p.line - 1]!);
  const removed = await Promise.all(
    torn.map(async (p) => ({
      line: p.line,
      bytes: new TextEncoder().encode(lines[p.line - 1]!).length,
      sha256: await sha256Hex(lines[p.line - 1]!),
    })),
  );
  const kept = lines.filter((l, i) => l.trim() && !cut.has(i + 1));
  const sideFile = `journal.torn-${now.toISOString().replace(/[:.]/g, '-')}.ndjson`;
  // The side file first: if the rewrite fails after it, nothing has been lost.
  await store.writeTextAtomic(sideFile, removedText.join('\n') + '\n');
  await store.writeTextAtomic(JOURNAL_FILE, kept.map((l) => l + '\n').join(''));

  const journal = await Journal.load(storeJournalSink(store));
  const entry = await journal.append({
    op: JOURNAL_REPAIR_OP,
    params: { removed, sideFile },
    inputs: [],
    sql: [],
    output: null,
    summary: `Réparation du journal : ${removed.map((r) => `ligne ${r.line} tronquée (${n(r.bytes)} octet(s))`).join(', ')} mise(s) de côté dans ${sideFile}`,
    durationMs: 0,
    at: now.toISOString(),
  });
  await anchorHead(store, journal.head(), parsed.entries);
  return { removed, sideFile, entry };
}

/**
 * Re-anchors the manifest on the repaired journal, unless the manifest's anchor already disagreed with
 * the entries the repair kept: that loss must stay visible.
 */
async function anchorHead(store: ProjectStore, head: JournalHead, kept: readonly JournalEntry[]): Promise<void> {
  const text = await store.readText(MANIFEST_FILE);
  if (text === null) return;
  const m = parseManifest(text, MANIFEST_FILE);
  const was = m.journalHead;
  if (was && (was.count > kept.length || (was.count > 0 && kept[was.count - 1]?.hash !== was.hash))) return;
  await store.writeTextAtomic(MANIFEST_FILE, JSON.stringify({ ...m, journalHead: head }, null, 2) + '\n');
}
