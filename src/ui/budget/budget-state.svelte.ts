// The Budget view's state: which tables and columns make the voted and executed budget, the
// parameters of each check, and the last result of each. Every check runs as a journaled operation
// through the session; this module only holds what the view shows and hands it to src/core.
import {
  budgetCompare,
  budgetYearsAndStages,
  type CompareDetail,
  type CompareParams,
  type CompareSide,
} from '../../core/budget/compare.ts';
import {
  BUDGET_FIELDS,
  codeNormalisations,
  proposeMapping,
  sampleColumnValues,
  type BudgetField,
  type BudgetMapping,
  type BudgetRole,
  type CodeNormalisation,
  type MappingProposal,
} from '../../core/budget/mapping.ts';
import { participatoryBudget, type ParticipatoryDetail } from '../../core/budget/participatory.ts';
import { budgetReconcile, type ReconcileDetail, type ReconcileParams } from '../../core/budget/reconcile.ts';
import { guessBudgetTables, readBudgetSettings, type BudgetSettings } from '../../core/budget/settings.ts';
import { subsidiesReconcile, type SubsidiesDetail } from '../../core/budget/subsidies.ts';
import { resultYears, type TreeFilter } from '../../core/budget/tree.ts';
import type { TableEntry } from '../../core/catalog/catalog.ts';
import type { Operation, OperationResult } from '../../core/ops/registry.ts';
import { app } from '../app-state.svelte.ts';
import { PARTICIPATORY_FORM, SUBSIDIES_FORM } from './check-form.ts';
import { CheckForm } from './check-form.svelte.ts';
import { errorText } from '../../core/util/errors.ts';

export type BudgetTab = 'reconcile' | 'compare' | 'participatory' | 'subsidies';

/** A mapping as the form edits it: every field present, '' for « no column ». */
export type MappingDraft = Record<BudgetField, string>;

export interface Side {
  table: string;
  draft: MappingDraft;
  proposal: MappingProposal | null;
  /** What reading the codes of the mapped columns changes (« C042 » → « 042 »), for the form to show. */
  normalisations?: CodeNormalisation[];
}

/** One side of the comparison of two voted budgets, as its form edits it. */
export interface CompareDraft {
  table: string;
  year: number | null;
  stages: string[];
  label: string;
  /** Years and stages the table holds, read through its mapping. */
  years: number[];
  available: string[];
}

const emptyCompareSide = (): CompareDraft => ({ table: '', year: null, stages: [], label: '', years: [], available: [] });

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
  /** Two voted budgets compared: each side, the level and the threshold (percent, as the form shows it). */
  cmp = $state({ base: emptyCompareSide(), other: emptyCompareSide(), level: 'chapter' as CompareParams['level'], change: 20 });
  compared = $state.raw<Run<CompareDetail>>(null);
  participatory = $state.raw<Run<ParticipatoryDetail>>(null);
  subsidies = $state.raw<Run<SubsidiesDetail>>(null);
  /** The participatory-budget and subsidies checks' forms, read from their parameter schemas. */
  pb = new CheckForm(PARTICIPATORY_FORM, (name) => this.source(name));
  sub = new CheckForm(SUBSIDIES_FORM, (name) => this.source(name));
  busy = $state<BudgetTab | 'mapping' | null>(null);
  error = $state<{ where: BudgetTab | 'mapping'; message: string } | null>(null);
  saved = $state(false);
  private started = false;

  /** Tables the user can pick: imported tables and saved queries, not analysis results. */
  get sources(): string[] {
    return app.tables.filter((x) => x.kind !== 'result').map((x) => x.name);
  }

  source(name: string): TableEntry | undefined {
    return app.tables.find((x) => x.name === name && x.kind !== 'result');
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
    await this.defaultCompare();
    // The parameters as they last ran, when their tables are still there; else the tables guessed by name.
    const pb = kept?.participatory;
    this.pb.load(pb && names.includes(pb.table) ? pb : { table: names.find((n) => /projet|participati/i.test(n)) ?? '' });
    const sub = kept?.subsidies;
    this.sub.load(
      sub && names.includes(sub.voted) && names.includes(sub.paid)
        ? sub
        : {
            voted: names.find((n) => /subvention.*vot/i.test(n)) ?? '',
            paid: names.find((n) => /subvention.*vers|versement/i.test(n)) ?? '',
          },
    );
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
      await this.readNormalisations(role);
    } catch (e) {
      this.error = { where: 'mapping', message: errorText(e) };
    } finally {
      this.busy = null;
    }
  }

  setField(role: BudgetRole, field: BudgetField, column: string): void {
    this[role] = { ...this[role], draft: { ...this[role].draft, [field]: column } };
    this.saved = false;
    void this.readNormalisations(role);
  }

  /** Reads, from the data, what the current mapping of a side does to its codes. */
  private async readNormalisations(role: BudgetRole): Promise<void> {
    const side = this[role];
    const entry = app.session?.catalog.get(side.table);
    const m = mappingOf(side.draft);
    if (!entry || !app.engine || !m) return;
    try {
      const normalisations = await codeNormalisations(app.engine, entry, m);
      // Only if nothing changed while they were read.
      if (this[role].table === side.table && this[role].draft === side.draft) this[role] = { ...this[role], normalisations };
    } catch {
      // A column that no longer fits shows nothing here; running the check says why.
    }
  }

  /** The voted table's mapping when the comparison reads that table, so both views read it the same way. */
  private compareMapping(table: string): BudgetMapping | undefined {
    return table && table === this.voted.table ? (mappingOf(this.voted.draft) ?? undefined) : undefined;
  }

  /** Picks a table for one side of the comparison and reads which years and stages it holds. */
  async selectCompareTable(which: 'base' | 'other', table: string): Promise<void> {
    this.cmp[which] = { ...emptyCompareSide(), table };
    const entry = app.session?.catalog.get(table);
    if (!entry || !app.engine) return;
    try {
      const mapping = this.compareMapping(table) ?? proposeMapping(entry, await sampleColumnValues(app.engine, entry), 'voted').mapping;
      if (!mapping) return;
      const { years, stages } = await budgetYearsAndStages(app.engine, entry, mapping);
      if (this.cmp[which].table !== table) return;
      // BP N−1 against BP N by default: the question a new budget raises first.
      const year = years.length ? years[which === 'base' ? Math.max(0, years.length - 2) : years.length - 1]! : null;
      this.cmp[which] = { ...this.cmp[which], years, available: stages, year, stages: stages.includes('BP') ? ['BP'] : [] };
    } catch (e) {
      this.error = { where: 'compare', message: errorText(e) };
    }
  }

  private async defaultCompare(): Promise<void> {
    if (this.cmp.base.table || !this.voted.table) return;
    await this.selectCompareTable('base', this.voted.table);
    await this.selectCompareTable('other', this.voted.table);
  }

  compareParams(): CompareParams | null {
    const side = (d: CompareDraft): CompareSide | null => {
      if (!d.table) return null;
      const mapping = this.compareMapping(d.table);
      return {
        table: d.table,
        ...(mapping ? { mapping } : {}),
        ...(d.year !== null ? { year: d.year } : {}),
        ...(d.stages.length ? { stages: d.stages as CompareSide['stages'] } : {}),
        ...(d.label.trim() ? { label: d.label.trim() } : {}),
      };
    };
    const base = side(this.cmp.base);
    const other = side(this.cmp.other);
    if (!base || !other) return null;
    return { base, other, level: this.cmp.level, flows: ['D', 'R'], change: this.cmp.change / 100, changeMin: 0 };
  }

  async runCompare(): Promise<void> {
    await this.runOp('compare', budgetCompare, this.compareParams(), (r) => {
      this.compared = r;
    });
  }

  /** Writes parts of the Budget view's settings into the project's manifest (the other parts kept) and saves it. */
  private async keep(parts: Partial<Omit<BudgetSettings, 'savedAt'>>): Promise<void> {
    const s = app.session;
    if (!s) return;
    const budget: Record<string, unknown> = { ...readBudgetSettings(s.manifest.budget), ...parts, savedAt: new Date().toISOString() };
    for (const k of Object.keys(budget)) if (budget[k] === undefined) delete budget[k];
    s.manifest = { ...s.manifest, budget };
    await app.save();
  }

  /** Keeps both mappings in the project's manifest and saves it. */
  async saveMappings(): Promise<void> {
    const side = (role: BudgetRole) => {
      const m = mappingOf(this[role].draft);
      return this[role].table && m ? { table: this[role].table, mapping: m } : undefined;
    };
    await this.keep({ voted: side('voted'), executed: side('executed') });
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

  // Checks take seconds (a reconciliation, 11 s on the real files): they run at background priority,
  // so the grid, facets and charts never wait behind them.
  // Without a session or with parameters refused, nothing runs (false).
  private async runOp<P, D>(
    where: BudgetTab,
    op: Operation<P, D>,
    params: P | null,
    done: (r: OperationResult<D>) => Promise<void> | void,
  ): Promise<boolean> {
    const s = app.session;
    if (!s || !params) return false;
    this.busy = where;
    this.error = null;
    try {
      const r = await s.run(op, params, { priority: 'background' });
      app.refreshTables();
      await done(r);
      app.say('budget.done', { summary: (r.summary ?? '').slice(0, 200) }, 'success');
    } catch (e) {
      this.error = { where, message: errorText(e) };
      // The previous result under this run's error would read as this run's answer.
      if (where === 'reconcile') this.reconcile = null;
      else if (where === 'compare') this.compared = null;
      else if (where === 'participatory') this.participatory = null;
      else this.subsidies = null;
      app.say('budget.failed', { message: errorText(e) }, 'error');
    } finally {
      this.busy = null;
    }
    return true;
  }

  async runReconcile(): Promise<void> {
    await this.runOp('reconcile', budgetReconcile, this.reconcileParams(), async (r) => {
      this.years = r.table && app.engine ? await resultYears(app.engine, r.table) : [];
      if (this.tree.year === null || !this.years.includes(this.tree.year)) this.tree = { ...this.tree, year: this.years[0] ?? null };
      this.reconcile = r;
    });
  }

  /**
   * Runs a check with its form's parameters, exactly as checked (the journal keeps them, defaults
   * written out), then keeps them in the project. A form with something to correct runs nothing.
   */
  private async runCheck<P, D>(
    where: 'participatory' | 'subsidies',
    form: CheckForm,
    op: Operation<P, D>,
    done: (r: OperationResult<D>) => void,
  ): Promise<boolean> {
    const params = form.check() as P | null;
    return this.runOp(where, op, params, async (r) => {
      done(r);
      await this.keep({ [where]: params } as Partial<BudgetSettings>);
      form.saved = true;
    });
  }

  runParticipatory(): Promise<boolean> {
    return this.runCheck('participatory', this.pb, participatoryBudget, (r) => (this.participatory = r));
  }

  runSubsidies(): Promise<boolean> {
    return this.runCheck('subsidies', this.sub, subsidiesReconcile, (r) => (this.subsidies = r));
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
