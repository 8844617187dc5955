// The application's state: engine, host, the open project and what the shell shows about them.
// Components read it and call its methods; everything that touches data goes through src/core.
import type { TableEntry } from '../core/catalog/catalog.ts';
import { createBrowserEngine } from '../host/engine.ts';
import type { Engine } from '../core/engine/engine.ts';
import type { OperationResult } from '../core/ops/registry.ts';
import { Session, type SourceProblem } from '../core/project/session.ts';
import type { Host, ProjectRef } from '../host/host.ts';
import { selectHost } from '../host/select-host.ts';
import { t, type MessageKey, type Params } from '../i18n/index.ts';
import type { ViewId } from './views.ts';
import { errorText } from '../core/util/errors.ts';

const LAST_PROJECT = 'loupe.lastProject';

export interface Message {
  key: MessageKey;
  params?: Params;
  tone: 'info' | 'success' | 'error';
}

/** What « Créer un constat à partir de ce résultat » hands over: an operation's result or a query. */
export interface FindingRequest {
  result: OperationResult | { sql: string };
  title?: string;
}

export interface StartupStep {
  key: MessageKey;
  params?: Params;
  fraction: number | null;
}

function remember(id: string): void {
  try {
    localStorage.setItem(LAST_PROJECT, id);
  } catch {
    // Not remembered: the next start opens the demo.
  }
}

function recalled(): string | null {
  try {
    return localStorage.getItem(LAST_PROJECT);
  } catch {
    return null;
  }
}

class AppState {
  engine = $state.raw<Engine | null>(null);
  host = $state.raw<Host | null>(null);
  session = $state.raw<Session | null>(null);
  projectId = $state<string | null>(null);
  projectName = $state('');
  tables = $state.raw<TableEntry[]>([]);
  /** Bumped when the manifest's saved charts change: the session's manifest is plain core data, not reactive. */
  chartsVersion = $state(0);
  selected = $state<string | null>(null);
  problems = $state.raw<SourceProblem[]>([]);
  startup = $state<StartupStep | null>({ key: 'startup.engine', fraction: null });
  fatal = $state<string | null>(null);
  message = $state<Message | null>(null);
  /** The view shown in the main area. */
  view = $state<ViewId>('table');

  selectedTable = $derived(this.tables.find((x) => x.name === this.selected) ?? null);

  say(key: MessageKey, params?: Params, tone: Message['tone'] = 'info'): void {
    this.message = { key, ...(params ? { params } : {}), tone };
  }

  /** Copies the catalog into reactive state after anything that changes it. */
  refreshTables(): void {
    this.tables = this.session ? this.session.catalog.list() : [];
    if (this.selected && !this.tables.some((x) => x.name === this.selected)) this.selected = null;
    if (!this.selected && this.tables.length) this.selected = this.tables[0]!.name;
  }

  select(name: string): void {
    this.selected = name;
  }

  async start(): Promise<void> {
    try {
      this.startup = { key: 'startup.engine', fraction: null };
      const [engine, host] = await Promise.all([createBrowserEngine(), selectHost()]);
      this.engine = engine;
      this.host = host;
      const wanted = new URL(location.href).searchParams.get('project') ?? recalled();
      let ref: ProjectRef | null = null;
      if (wanted) {
        try {
          ref = await host.openProject(wanted);
        } catch (e) {
          this.say('startup.projectMissing', { id: wanted, message: errorText(e) }, 'error');
        }
      }
      if (!ref) {
        this.startup = { key: 'startup.demo', fraction: null };
        try {
          ref = await host.demoProject();
        } catch (e) {
          this.say('startup.demoMissing', { message: errorText(e) }, 'error');
          ref = await host.newProject(t('project.defaultName'));
          const created = await Session.create(engine, ref.store, host.files, ref.name);
          created.cacheInBackground = true;
          this.attach(ref, created, []);
          return;
        }
      }
      await this.openRef(ref);
    } catch (e) {
      this.fatal = errorText(e);
    } finally {
      this.startup = null;
    }
  }

  private async openRef(ref: ProjectRef): Promise<void> {
    const { engine, host } = this.need();
    this.startup = { key: 'startup.opening', params: { name: ref.name }, fraction: 0 };
    // Tables come back from the project's cache when the journal vouches for them; the copies of new
    // results are written after each operation, without holding it up.
    const { session, problems } = await Session.open(engine, ref.store, host.files, {
      cacheInBackground: true,
      onProgress: (p) => {
        this.startup = { key: 'startup.reimport', params: { file: p.message }, fraction: p.fraction };
      },
    });
    this.attach(ref, session, problems);
    this.followChecks(session);
  }

  /**
   * What the background checks of the open find (a source changed or gone, a cached copy refused and
   * re-imported) joins the Problems panel; a table they replaced shows again in the catalog.
   */
  private followChecks(session: Session): void {
    session.onTablesChanged = () => {
      if (this.session === session) this.refreshTables();
    };
    void session.checks.then((found) => {
      if (this.session !== session || !found.length) return;
      this.problems = [...this.problems, ...found];
      this.refreshTables();
    });
  }

  private attach(ref: ProjectRef, session: Session, problems: SourceProblem[]): void {
    this.session = session;
    this.projectId = ref.id;
    this.projectName = session.manifest.name;
    this.problems = problems;
    remember(ref.id);
    // The address names the project, so a reload or a bookmark comes back to it.
    const url = new URL(location.href);
    if (url.searchParams.get('project') !== ref.id) {
      url.searchParams.set('project', ref.id);
      history.replaceState(null, '', url);
    }
    this.refreshTables();
    if (this.message?.tone !== 'error') this.say('status.ready');
  }

  need(): { engine: Engine; host: Host } {
    if (!this.engine || !this.host) throw new Error('engine not started');
    return { engine: this.engine, host: this.host };
  }

  async save(): Promise<void> {
    if (!this.session) return;
    try {
      await this.session.save();
      this.say('topbar.saved', { time: new Date().toLocaleTimeString('fr-FR') }, 'success');
    } catch (e) {
      this.say('topbar.saveFailed', { message: errorText(e) }, 'error');
    }
  }

  /** Opening another project starts from a fresh engine: a reload with the project in the address. */
  openProject(id: string): void {
    remember(id);
    const url = new URL(location.href);
    url.searchParams.set('project', id);
    location.assign(url);
  }

  async newProject(name: string): Promise<void> {
    const { engine, host } = this.need();
    const ref = await host.newProject(name);
    await Session.create(engine, ref.store, host.files, name);
    this.openProject(ref.id);
  }

  /**
   * Freezes a result as evidence, creates a draft finding holding it and opens it in the Findings view.
   * Any view (audit, budget, grid) calls this; the findings module is loaded on first use only.
   * Resolves to the new finding's id, or null when core refused (the reason shows in the view).
   */
  async createFinding(req: FindingRequest): Promise<string | null> {
    const { findingsUi } = await import('./findings/findings-state.svelte.ts');
    const f = await findingsUi.createFromResult(req);
    this.view = 'findings';
    return f?.id ?? null;
  }

  dismissProblems(): void {
    this.problems = [];
  }
}

export const app = new AppState();
