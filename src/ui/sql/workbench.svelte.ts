// The workbench's tabs: each with its own SQL, result and error. The SQL and names are remembered per
// project in localStorage (results are not: a result is re-derived by running the query again).
import type { Engine } from '../../core/engine/engine.ts';
import type { Session } from '../../core/project/session.ts';
import type { SqlErrorInfo } from '../../core/query/sql-errors.ts';
import { dropWorkbenchResult, runWorkbenchQuery, WorkbenchError, type WorkbenchResult } from '../../core/query/workbench.ts';
import { errorText } from '../../core/util/errors.ts';

const KEY = 'loupe.sql.';

export interface TabError extends SqlErrorInfo {
  /** Where the SQL that ran starts in the editor (a selection may have run). */
  base: number;
}

export class SqlTab {
  name = $state('');
  sql = $state('');
  running = $state(false);
  cancelled = $state(false);
  result = $state.raw<WorkbenchResult | null>(null);
  error = $state.raw<TabError | null>(null);
  private controller: AbortController | null = null;

  constructor(
    readonly id: string,
    name: string,
    sql: string,
  ) {
    this.name = name;
    this.sql = sql;
  }

  async run(session: Session, sql: string, base: number): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cancelled = false;
    this.error = null;
    const controller = new AbortController();
    this.controller = controller;
    try {
      this.result = await runWorkbenchQuery(session, sql, this.id, controller.signal);
    } catch (e) {
      // No stale result beside an error: the count and grid shown are always those of the last run.
      this.result = null;
      if (e instanceof WorkbenchError && e.cancelled) this.cancelled = true;
      else this.error = { ...(e instanceof WorkbenchError ? e.info : { message: errorText(e) }), base };
    } finally {
      this.running = false;
      this.controller = null;
    }
  }

  /**
   * Stops this tab's query only: the core cancels the tab's own scheduler slot (`workbenchSlot`), so
   * an audit or a chart running beside it goes on.
   */
  cancel(): void {
    this.controller?.abort();
  }
}

interface Stored {
  tabs: { id: string; name: string; sql: string }[];
  active: string;
  next: number;
}

function read(project: string): Stored | null {
  try {
    const raw = localStorage.getItem(KEY + project);
    if (!raw) return null;
    const s = JSON.parse(raw) as Stored;
    const tabs = Array.isArray(s.tabs)
      ? s.tabs.filter((x) => x && typeof x.id === 'string' && typeof x.name === 'string' && typeof x.sql === 'string')
      : [];
    if (!tabs.length) return null;
    return {
      tabs,
      active: typeof s.active === 'string' ? s.active : tabs[0]!.id,
      next: Number.isInteger(s.next) ? s.next : tabs.length + 1,
    };
  } catch {
    return null;
  }
}

export class Workbench {
  project = $state<string | null>(null);
  tabs = $state.raw<SqlTab[]>([]);
  activeId = $state('');
  /** Bumped after each run, so the history (read from the journal, which is not reactive) is read again. */
  journalVersion = $state(0);
  private next = 1;

  active = $derived(this.tabs.find((x) => x.id === this.activeId) ?? this.tabs[0] ?? null);

  /** Shows the tabs remembered for `project` (or one empty tab), once per project. */
  open(project: string, defaultName: (n: number) => string): void {
    if (this.project === project) return;
    this.project = project;
    const s = read(project);
    if (s) {
      this.tabs = s.tabs.map((x) => new SqlTab(x.id, x.name, x.sql));
      this.activeId = this.tabs.some((x) => x.id === s.active) ? s.active : this.tabs[0]!.id;
      this.next = s.next;
    } else {
      this.tabs = [];
      this.next = 1;
      this.add(defaultName);
    }
  }

  add(defaultName: (n: number) => string, sql = ''): SqlTab {
    const n = this.next++;
    const tab = new SqlTab(`t${n}`, defaultName(n), sql);
    this.tabs = [...this.tabs, tab];
    this.activeId = tab.id;
    this.persist();
    return tab;
  }

  close(id: string, defaultName: (n: number) => string, engine: Engine | null): void {
    const i = this.tabs.findIndex((x) => x.id === id);
    if (i < 0) return;
    const tab = this.tabs[i]!;
    tab.cancel();
    // The closed tab's result is a temporary table: give its memory back.
    if (engine && tab.result) void dropWorkbenchResult(engine, tab.id).catch(() => undefined);
    this.tabs = this.tabs.filter((x) => x.id !== id);
    if (!this.tabs.length) this.add(defaultName);
    else if (this.activeId === id) this.activeId = this.tabs[Math.min(i, this.tabs.length - 1)]!.id;
    this.persist();
  }

  select(id: string): void {
    this.activeId = id;
    this.persist();
  }

  rename(id: string, name: string): void {
    const tab = this.tabs.find((x) => x.id === id);
    const clean = name.trim().slice(0, 80);
    if (!tab || !clean) return;
    tab.name = clean;
    this.persist();
  }

  setSql(tab: SqlTab, sql: string): void {
    tab.sql = sql;
    this.persist();
  }

  async run(tab: SqlTab, session: Session, sql: string, base: number): Promise<void> {
    await tab.run(session, sql, base);
    this.journalVersion++;
  }

  persist(): void {
    if (!this.project) return;
    const s: Stored = { tabs: this.tabs.map((x) => ({ id: x.id, name: x.name, sql: x.sql })), active: this.activeId, next: this.next };
    try {
      localStorage.setItem(KEY + this.project, JSON.stringify(s));
    } catch {
      // Storage full or refused: the tabs live until the page closes.
    }
  }
}

export const workbench = new Workbench();
