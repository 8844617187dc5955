// The Budget view's state: which tables and columns make the voted and executed budget, the
// parameters of each check, and the last result of each. Every check runs as a journaled operation
// through the session; this module only holds what the view shows and hands it to src/core.
import {
  BUDGET_FIELDS,
  proposeMapping,
  sampleColumnValues,
  type BudgetField,
  type BudgetMapping,
  type BudgetRole,
  type MappingProposal,
} from '../../core/budget/mapping.ts';
import { participatoryBudget, type ParticipatoryDetail } from '../../core/budget/participatory.ts';
import { budgetReconcile, type ReconcileDetail, type ReconcileParams } from '../../core/budget/reconcile.ts';
import { guessBudgetTables, readBudgetSettings } from '../../core/budget/settings.ts';
import { subsidiesReconcile, type SubsidiesDetail } from '../../core/budget/subsidies.ts';
import { resultYears, type TreeFilter } from '../../core/budget/tree.ts';
import type { OperationResult } from '../../core/ops/registry.ts';
import { app } from '../app-state.svelte.ts';

export type BudgetTab = 'reconcile' | 'participatory' | 'subsidies';

/** A mapping as the form edits it: every field present, '' for « no column ». */
export type MappingDraft = Record<BudgetField, string>;

export interface Side {
  table: string;
  draft: MappingDraft;
  proposal: MappingProposal | null;
}

function emptyDraft(): MappingDraft {
  return Object.fromEntries(BUDGET_FIELDS.map((f) => [f, ''])) as MappingDraft;
}

function draftOf(m: BudgetMapping | null | undefined): MappingDraft {
  const d = emptyDraft();
  if (m) for (const f of BUDGET_FIELDS) d[f] = m[f] ?? '';
  return d;
}

/** The draft as the operation's mapping; null while no amount column is chosen. */
export function mappingOf(d: MappingDraft): BudgetMapping | null {
  if (!d.amount) return null;
  const m: BudgetMapping = { amount: d.amount };
  for (const f of BUDGET_FIELDS) if (f !== 'amount' && d[f]) m[f] = d[f];
  return m;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A finished check: what the session returned, and when it failed, why. */
type Run<D> = OperationResult<D> | null;

/** The findings view adds `createFinding` to the app when it exists; the Budget view only offers it then. */
type FindingHost = { createFinding?: (input: { table: string; flag: string; summary: string; entry: unknown }) => unknown };

class BudgetState {
  tab = $state<BudgetTab>('reconcile');
  voted = $state<Side>({ table: '', draft: emptyDraft(), proposal: null });
  executed = $state<Side>({ table: '', draft: emptyDraft(), proposal: null });
  /** Reconciliation parameters, percentages as the form shows them (50 for 50 %). */
  params = $state({
    level: 'nature' as ReconcileParams['level'],
    expenditure: true,
    revenue: false,
    underInvestment: 50,
    underOperating: 80,
    yearChange: 50,
    tolerance: 1,
  });
  tree = $state<TreeFilter>({ year: null, flow: 'D', opType: 'all' });
  years = $state.raw<number[]>([]);
  reconcile = $state.raw<Run<ReconcileDetail>>(null);
  participatory = $state.raw<Run<ParticipatoryDetail>>(null);
  subsidies = $state.raw<Run<SubsidiesDetail>>(null);
  pbTable = $state('');
  subsidyTables = $state({ voted: '', paid: '' });
  busy = $state<BudgetTab | 'mapping' | null>(null);
  error = $state<{ where: BudgetTab | 'mapping'; message: string } | null>(null);
  saved = $state(false);
  private started = false;

  /** Tables the user can pick: imported tables and saved queries, not analysis results. */
  get sources(): string[] {
    return app.tables.filter((x) => x.kind !== 'result').map((x) => x.name);
  }

  /** Reads the mappings kept in the project, or guesses the tables and proposes their mappings. */
  async start(): Promise<void> {
    if (this.started || !app.session) return;
    this.started = true;
    const names = this.sources;
    const kept = readBudgetSettings(app.session.manifest.budget);
    const guess = guessBudgetTables(names);
    for (const role of ['voted', 'executed'] as const) {
      const k = kept?.[role];
      if (k && names.includes(k.table) && k.mapping) {
        this[role] = { table: k.table, draft: draftOf(k.mapping), proposal: null };
        await this.propose(role, false);
      } else if (guess[role]) {
        await this.selectTable(role, guess[role]!);
      }
    }
    this.pbTable = names.find((n) => /projet|participati/i.test(n)) ?? '';
    this.subsidyTables = {
      voted: names.find((n) => /subvention.*vot/i.test(n)) ?? '',
      paid: names.find((n) => /subvention.*vers|versement/i.test(n)) ?? '',
    };
  }

  async selectTable(role: BudgetRole, table: string): Promise<void> {
    this[role] = { table, draft: emptyDraft(), proposal: null };
    this.saved = false;
    if (table) await this.propose(role, true);
  }

  /** Proposes the mapping from headers and values; `apply` puts it in the form (else only the evidence is shown). */
  async propose(role: BudgetRole, apply: boolean): Promise<void> {
    const side = this[role];
    const entry = app.session?.catalog.get(side.table);
    if (!entry || !app.engine) return;
    this.busy = 'mapping';
    try {
      const proposal = proposeMapping(entry, await sampleColumnValues(app.engine, entry), role);
      // The table may have changed while the sample was read.
      if (this[role].table !== side.table) return;
      this[role] = { table: side.table, draft: apply ? draftOf(proposal.mapping) : this[role].draft, proposal };
    } catch (e) {
      this.error = { where: 'mapping', message: errorText(e) };
    } finally {
      this.busy = null;
    }
  }

  setField(role: BudgetRole, field: BudgetField, column: string): void {
    this[role] = { ...this[role], draft: { ...this[role].draft, [field]: column } };
    this.saved = false;
  }

  /** Keeps both mappings in the project's manifest and saves it. */
  async saveMappings(): Promise<void> {
    const s = app.session;
    if (!s) return;
    const side = (role: BudgetRole) => {
      const m = mappingOf(this[role].draft);
      return this[role].table && m ? { table: this[role].table, mapping: m } : undefined;
    };
    const voted = side('voted');
    const executed = side('executed');
    s.manifest = { ...s.manifest, budget: { ...(voted ? { voted } : {}), ...(executed ? { executed } : {}), savedAt: new Date().toISOString() } };
    await app.save();
    this.saved = true;
  }

  reconcileParams(): ReconcileParams | null {
    const vm = mappingOf(this.voted.draft);
    const em = mappingOf(this.executed.draft);
    if (!this.voted.table || !this.executed.table || !vm || !em) return null;
    const p = this.params;
    const flows: ('D' | 'R')[] = [...(p.expenditure ? (['D'] as const) : []), ...(p.revenue ? (['R'] as const) : [])];
    return {
      voted: { table: this.voted.table, mapping: vm },
      executed: { table: this.executed.table, mapping: em },
      level: p.level,
      flows: flows.length ? flows : ['D'],
      underInvestment: p.underInvestment / 100,
      underOperating: p.underOperating / 100,
      yearChange: p.yearChange / 100,
      yearChangeMin: 0,
      yearChangeOf: 'executed',
      tolerance: p.tolerance,
      notExecuted: ['023', '021'],
      totalsOf: 'executed',
    };
  }

  private async runOp<D>(where: BudgetTab, go: () => Promise<OperationResult<D>>, done: (r: OperationResult<D>) => Promise<void> | void): Promise<void> {
    this.busy = where;
    this.error = null;
    try {
      const r = await go();
      app.refreshTables();
      await done(r);
      app.say('budget.done', { summary: (r.summary ?? '').slice(0, 200) }, 'success');
    } catch (e) {
      this.error = { where, message: errorText(e) };
      app.say('budget.failed', { message: errorText(e) }, 'error');
    } finally {
      this.busy = null;
    }
  }

  async runReconcile(): Promise<void> {
    const s = app.session;
    const params = this.reconcileParams();
    if (!s || !params) return;
    await this.runOp('reconcile', () => s.run(budgetReconcile, params), async (r) => {
      this.years = r.table && app.engine ? await resultYears(app.engine, r.table) : [];
      if (this.tree.year === null || !this.years.includes(this.tree.year)) this.tree = { ...this.tree, year: this.years[0] ?? null };
      this.reconcile = r;
    });
  }

  async runParticipatory(): Promise<void> {
    const s = app.session;
    if (!s || !this.pbTable) return;
    await this.runOp('participatory', () => s.run(participatoryBudget, { table: this.pbTable }), (r) => {
      this.participatory = r;
    });
  }

  async runSubsidies(): Promise<void> {
    const s = app.session;
    const { voted, paid } = this.subsidyTables;
    if (!s || !voted || !paid) return;
    await this.runOp('subsidies', () => s.run(subsidiesReconcile, { voted, paid }), (r) => {
      this.subsidies = r;
    });
  }

  /** True once the findings view has given the app a way to create a finding. */
  get canCreateFinding(): boolean {
    return typeof (app as unknown as FindingHost).createFinding === 'function';
  }
}

export const budget = new BudgetState();

/**
 * Hook for the findings view: turns the rows of one flag of a budget result into a finding. The
 * findings engineer wires `app.createFinding`; until then the button calling this is not shown.
 */
export function onCreateFinding(result: OperationResult<unknown>, flag: string): unknown {
  const create = (app as unknown as FindingHost).createFinding;
  if (!create || !result.table) return undefined;
  return create({ table: result.table, flag, summary: result.summary ?? '', entry: result.entry });
}
