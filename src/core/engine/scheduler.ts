// The engine's scheduler: which query runs next, which one a newer request replaces, and which
// results can be served again without asking DuckDB.
//
// Why priorities and not arrival order: a 9-second profile or an 11-second reconciliation must not
// make a grid scroll, a facet click or a brush wait. Each lane (one DuckDB connection) runs one job
// at a time; among the queued ones the most urgent goes first, in arrival order within a priority,
// so code that fires statements without awaiting them keeps its order as long as it keeps its priority.

export type Priority = 'interactive' | 'normal' | 'background';

export const PRIORITIES: readonly Priority[] = ['interactive', 'normal', 'background'];

const RANK: Record<Priority, number> = { interactive: 0, normal: 1, background: 2 };

/** What the UI shows of a job: never its rows, only what it is and where it stands. */
export interface JobInfo {
  id: number;
  priority: Priority;
  /** Which connection: the main one (writes, long reads) or the interactive one (short reads). */
  lane: string;
  /** cancelling: stopped by a newer request or the user, the engine not yet free. */
  state: 'queued' | 'running' | 'cancelling';
  /** Cancelled more than STUCK_AFTER_MS ago and still holding its connection: the engine may need a restart. */
  stuck?: boolean;
  /** A short description: the caller's label, or the first words of the SQL. */
  label: string;
  slot?: string;
  /** performance.now() when queued, and when it started running. */
  queuedAt: number;
  startedAt?: number;
  /** How far the caller's whole task is when this job runs (0 to 1): a profile's third stage of four. */
  progress?: number;
}

export interface JobSpec<T> {
  priority: Priority;
  label: string;
  /** A request with the same slot replaces this one (a newer brush of the same view, a newer facet click). */
  slot?: string;
  /** `asked()` is true once this job was cancelled here (a newer request, the user): a stop DuckDB reports otherwise was not asked for. */
  run: (asked: () => boolean) => Promise<T>;
  progress?: number;
  /** Asks the engine to stop this job while it runs; absent when the engine cannot stop it. */
  cancel?: () => Promise<unknown> | unknown;
}

export class QueryCancelledError extends Error {
  constructor(message = 'Requête annulée') {
    super(message);
    this.name = 'QueryCancelledError';
  }
}

export const SUPERSEDED_MESSAGE = 'Requête remplacée par une plus récente';

interface Job<T = unknown> extends JobInfo {
  spec: JobSpec<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
  /** Set when a newer request or the user cancelled it: its result, if one still comes, is dropped. */
  cancelled?: string;
  watchdog?: ReturnType<typeof setTimeout>;
  recancel?: ReturnType<typeof setInterval>;
}

/** The bound: a cancel frees the engine within a second (measured: tens of ms in Node). */
export const STUCK_AFTER_MS = 1000;
/** How often a cancel is sent again while the cancelled job still runs. */
const RECANCEL_MS = 200;

class Lane {
  readonly queued: Job[] = [];
  running: Job | null = null;
  constructor(readonly name: string) {}
}

export class Scheduler {
  private readonly lanes = new Map<string, Lane>();
  private readonly listeners = new Set<(jobs: JobInfo[]) => void>();
  private nextId = 1;
  closed = false;

  constructor(laneNames: readonly string[]) {
    for (const n of laneNames) this.lanes.set(n, new Lane(n));
  }

  submit<T>(laneName: string, spec: JobSpec<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('Le moteur est fermé'));
    const lane = this.lanes.get(laneName);
    if (!lane) return Promise.reject(new Error(`Voie inconnue : ${laneName}`));
    if (spec.slot !== undefined) this.supersede(spec.slot);
    return new Promise<T>((resolve, reject) => {
      const job: Job<T> = {
        id: this.nextId++,
        priority: spec.priority,
        lane: laneName,
        state: 'queued',
        label: spec.label,
        ...(spec.slot !== undefined ? { slot: spec.slot } : {}),
        ...(spec.progress !== undefined ? { progress: spec.progress } : {}),
        queuedAt: performance.now(),
        spec,
        resolve,
        reject,
      };
      // After the last job of the same or a more urgent priority: FIFO within a priority.
      let at = lane.queued.length;
      while (at > 0 && RANK[lane.queued[at - 1]!.priority] > RANK[job.priority]) at--;
      lane.queued.splice(at, 0, job as Job);
      this.pump(lane);
      this.notify();
    });
  }

  /** Cancels a job by id: a queued one leaves the queue, a running one is asked to stop. */
  cancel(id: number, reason = 'Requête annulée'): boolean {
    for (const lane of this.lanes.values()) {
      const i = lane.queued.findIndex((j) => j.id === id);
      if (i >= 0) {
        const [job] = lane.queued.splice(i, 1);
        job!.reject(new QueryCancelledError(reason));
        this.notify();
        return true;
      }
      if (lane.running?.id === id) return this.stopRunning(lane.running, reason);
    }
    return false;
  }

  /** Cancels every job matching `which` (all of them when absent); returns how many. */
  cancelAll(which: (j: JobInfo) => boolean = () => true, reason = 'Requête annulée'): number {
    let n = 0;
    for (const j of this.jobs()) if (which(j) && this.cancel(j.id, reason)) n++;
    return n;
  }

  /** Cancels the queued and running jobs of one slot (a workbench tab's query), and nothing else. */
  cancelSlot(slot: string, reason = 'Requête annulée'): number {
    return this.cancelAll((j) => j.slot === slot && j.state !== 'cancelling', reason);
  }

  /** The running job of a lane (for the engine's historical `cancel()`: "the query running now"). */
  running(laneName: string): JobInfo | null {
    const r = this.lanes.get(laneName)?.running;
    return r && !r.cancelled ? info(r) : null;
  }

  /** Queued and running jobs, running (or still cancelling) first, then by lane order. */
  jobs(): JobInfo[] {
    const out: JobInfo[] = [];
    for (const lane of this.lanes.values()) if (lane.running) out.push(info(lane.running));
    for (const lane of this.lanes.values()) for (const j of lane.queued) out.push(info(j));
    return out;
  }

  subscribe(fn: (jobs: JobInfo[]) => void): () => void {
    this.listeners.add(fn);
    fn(this.jobs());
    return () => this.listeners.delete(fn);
  }

  /** Resolves when every lane is idle (close waits for it). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.lanes.values()].find((l) => l.running || l.queued.length);
      if (!busy) return;
      await new Promise<void>((r) => {
        const off = this.subscribeQuiet(() => {
          off();
          r();
        });
      });
    }
  }

  private readonly quiet = new Set<() => void>();
  private subscribeQuiet(fn: () => void): () => void {
    this.quiet.add(fn);
    return () => this.quiet.delete(fn);
  }

  private supersede(slot: string): void {
    for (const lane of this.lanes.values()) {
      for (let i = lane.queued.length - 1; i >= 0; i--) {
        const j = lane.queued[i]!;
        if (j.slot !== slot) continue;
        lane.queued.splice(i, 1);
        j.reject(new QueryCancelledError(SUPERSEDED_MESSAGE));
      }
      const r = lane.running;
      if (r && r.slot === slot && !r.cancelled) this.stopRunning(r, SUPERSEDED_MESSAGE);
    }
  }

  private stopRunning(job: Job, reason: string): boolean {
    if (job.cancelled) return false;
    job.cancelled = reason;
    job.state = 'cancelling';
    // DuckDB stops between two polling steps; one that does not (a runQuery, a stuck worker) is shown as stuck.
    job.watchdog = setTimeout(() => {
      job.stuck = true;
      this.notify();
    }, STUCK_AFTER_MS);
    // The caller hears at once; the lane stays busy until the engine has really let go.
    job.reject(new QueryCancelledError(reason));
    const sendCancel = () => {
      try {
        void Promise.resolve(job.spec.cancel?.()).catch(() => undefined);
      } catch {
        // A cancel that throws changes nothing: the job's result is dropped anyway.
      }
    };
    sendCancel();
    // A cancel that reaches the worker before the query is pending there is a no-op, and the query
    // then runs to its end (seen on a loaded machine: a 5-billion-row scan held the engine for
    // minutes after « Annuler »). Sending it again until the job settles closes that window.
    job.recancel = setInterval(sendCancel, RECANCEL_MS);
    this.notify();
    return true;
  }

  private pump(lane: Lane): void {
    if (lane.running || this.closed) return;
    const job = lane.queued.shift();
    if (!job) return;
    lane.running = job;
    job.state = 'running';
    job.startedAt = performance.now();
    let p: Promise<unknown>;
    try {
      p = job.spec.run(() => job.cancelled !== undefined);
    } catch (e) {
      p = Promise.reject(e);
    }
    // The lane is free before the caller hears: what it does next sees the queue as it is.
    const settle = (ok: boolean, v: unknown) => {
      clearTimeout(job.watchdog);
      clearInterval(job.recancel);
      lane.running = null;
      if (!job.cancelled) (ok ? job.resolve : job.reject)(v);
      this.pump(lane);
      this.notify();
    };
    p.then(
      (v) => settle(true, v),
      (e) => settle(false, e),
    );
  }

  private notify(): void {
    const jobs = this.listeners.size ? this.jobs() : [];
    for (const fn of this.listeners) fn(jobs);
    if ([...this.lanes.values()].every((l) => !l.running && !l.queued.length)) for (const fn of [...this.quiet]) fn();
  }
}

function info(j: Job): JobInfo {
  return {
    id: j.id,
    priority: j.priority,
    lane: j.lane,
    state: j.state,
    ...(j.stuck ? { stuck: true } : {}),
    label: j.label,
    ...(j.slot !== undefined ? { slot: j.slot } : {}),
    queuedAt: j.queuedAt,
    ...(j.startedAt !== undefined ? { startedAt: j.startedAt } : {}),
    ...(j.progress !== undefined ? { progress: j.progress } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Read-only SQL and the result cache.

/** Statements that only read, by their first word. */
const READ_START = /^(select|with|from|values|table|describe|show|summarize)\b/;
/** Words that change something when they appear anywhere outside strings and quoted names. */
const WRITE_WORD =
  /\b(insert|update|delete|create|drop|alter|copy|attach|detach|set|reset|pragma|call|checkpoint|export|import|install|load|begin|commit|rollback|abort|truncate|vacuum|merge|use|prepare|execute|deallocate)\b/;
/** Functions whose answer changes between two identical calls, or that depend on the connection. */
const VOLATILE =
  /\b(random|uuid|gen_random_uuid|uuidv4|uuidv7|now|current_timestamp|current_date|current_time|today|get_current_time|get_current_timestamp|transaction_timestamp|nextval|currval|setseed|current_setting|getvariable|current_query|current_schema|current_database)\b/;

/** The SQL with comments, string literals and quoted names blanked: what is left is keywords and names. */
export function sqlSkeleton(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .toLowerCase()
    .trim();
}

/**
 * True when `sql` is one statement that only reads. Conservative: a name such as `update` left
 * unquoted makes it "not read-only", which only costs the cache and the interactive connection.
 */
export function isReadOnlySql(sql: string): boolean {
  const s = sqlSkeleton(sql).replace(/;\s*$/, '');
  if (s.includes(';')) return false;
  return READ_START.test(s) && !WRITE_WORD.test(s.replace(/^(select|with|from|values|table|describe|show|summarize)\b/, ''));
}

/** Read-only and deterministic: the same SQL on the same data gives the same rows. */
export function isCacheableSql(sql: string): boolean {
  const s = sqlSkeleton(sql);
  // A sample without REPEATABLE draws other rows each time: serving the last draw would hide that.
  return isReadOnlySql(sql) && !VOLATILE.test(s) && !/\b(using\s+sample|tablesample)\b/.test(s);
}

/**
 * Results keyed by SQL, valid for one data generation. Every write (exec, import, registered file)
 * bumps the generation before it starts and after it ends, so a result read while a write was in
 * flight is never served afterwards; bumping forgets everything, with no per-table bookkeeping.
 */
export class ResultCache<V> {
  private generationNo = 0;
  private readonly map = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries = 200,
    private readonly copy: (v: V) => V = (v) => v,
  ) {}

  get generation(): number {
    return this.generationNo;
  }

  bump(): void {
    this.generationNo++;
    this.map.clear();
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Least recently used goes out first: re-insert to mark it used.
    this.map.delete(key);
    this.map.set(key, v);
    return this.copy(v);
  }

  /** Keeps `v` only if no write happened since `generation` (the one read when the query started). */
  set(key: string, v: V, generation: number): void {
    if (generation !== this.generationNo) return;
    this.map.delete(key);
    this.map.set(key, this.copy(v));
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}
