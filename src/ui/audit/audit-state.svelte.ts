// The Audit view's state: which test is open, its form values and errors, the run in progress and
// the result shown. Kept at module level so switching tabs and back keeps the form and the result.
import type { TableEntry } from '../../core/catalog/catalog.ts';
import { listOperations } from '../../core/ops/all.ts';
import { formOf, initialValues, issuesByField, toParams, type FormField, type FormValues } from '../../core/ops/form-schema.ts';
import type { JournalEntry } from '../../core/journal/journal.ts';
import { getOperation, OperationError, type Operation, type OperationResult } from '../../core/ops/registry.ts';
import { app } from '../app-state.svelte.ts';
import { errorText } from '../../core/util/errors.ts';

/** What the result panel shows: a result just run (with its detail), or one reopened from the session. */
export interface ShownResult {
  op: string;
  table: string;
  summary: string;
  /** The parameters as they ran (defaults applied), read back from the journal entry. */
  params: unknown;
  seq: number | null;
  detail: unknown;
  /** The full result when it was run in this view: what a finding is created from. */
  result: OperationResult | null;
}

const forms = new Map<string, FormField[]>();

export function auditOperations(): Operation<unknown, unknown>[] {
  return listOperations().filter((o) => o.kind === 'audit');
}

export function formFor(op: Operation<unknown, unknown>): FormField[] {
  let f = forms.get(op.id);
  if (!f) {
    f = formOf(op.params);
    forms.set(op.id, f);
  }
  return f;
}

function zodIssues(e: unknown): { path: PropertyKey[]; message: string }[] | null {
  const d = e instanceof OperationError ? e.details : null;
  return Array.isArray(d) && d.every((i) => i && typeof i === 'object' && 'path' in i && 'message' in i) ? d : null;
}

class AuditState {
  opId = $state('duplicates');
  values = $state<FormValues>({});
  errors = $state<Record<string, string>>({});
  running = $state(false);
  runError = $state<string | null>(null);
  shown = $state.raw<ShownResult | null>(null);
  /** The Benford digit whose rows are open, if any. */
  digit = $state<number | null>(null);
  /** Values kept per test, so coming back to a test finds its form as it was left. */
  private kept = new Map<string, FormValues>();

  op = $derived(auditOperations().find((o) => o.id === this.opId) ?? auditOperations()[0]!);
  fields = $derived(formFor(this.op));

  constructor() {
    this.values = this.fresh(this.op);
  }

  /** Defaults, and the table the user is looking at in the catalog for the « table » field. */
  private fresh(op: Operation<unknown, unknown>): FormValues {
    const v = initialValues(formFor(op));
    const sel = app.selectedTable;
    const first = app.tables.find((x) => x.kind === 'table');
    if ('table' in v && v.table === '') v.table = (sel && sel.kind !== 'result' ? sel.name : first?.name) ?? '';
    return v;
  }

  /** The view may open before the project's tables are known: the « table » field is filled once they are. */
  ensureTable(): void {
    if (this.values.table !== '' || !this.fields.some((f) => f.name === 'table')) return;
    const first = app.tables.find((x) => x.kind === 'table');
    if (first) this.values.table = first.name;
  }

  choose(id: string): void {
    if (id === this.opId) return;
    this.kept.set(this.opId, $state.snapshot(this.values) as FormValues);
    this.opId = id;
    this.values = this.kept.get(id) ?? this.fresh(this.op);
    this.errors = {};
    this.runError = null;
  }

  /** A table field changed: top-level columns chosen in the previous table no longer apply. */
  tableChanged(tableField: string): void {
    for (const f of this.fields) {
      if (f.picker?.kind !== 'column' || f.picker.tableField !== tableField) continue;
      this.values[f.name] = f.kind === 'list' ? [] : '';
    }
  }

  table(name: unknown): TableEntry | undefined {
    return typeof name === 'string' ? app.tables.find((x) => x.name === name) : undefined;
  }

  async run(): Promise<void> {
    const session = app.session;
    if (!session || this.running) return;
    const op = this.op;
    const params = toParams(this.fields, $state.snapshot(this.values) as FormValues);
    const check = op.params.safeParse(params);
    this.runError = null;
    if (!check.success) {
      this.errors = issuesByField(check.error.issues, this.fields);
      this.runError = 'invalid';
      return;
    }
    this.errors = {};
    this.running = true;
    this.digit = null;
    try {
      // An audit can take seconds: grid, facets and charts go before its queries.
      const res = await session.run(op, params, { priority: 'background' });
      app.refreshTables();
      const table = res.table ?? '';
      this.shown = {
        op: op.id,
        table,
        summary: res.summary ?? '',
        params: res.entry.params,
        seq: res.entry.seq,
        detail: res.detail ?? null,
        result: res,
      };
      app.say('audit.done', { op: op.id, rows: res.digest?.rows ?? 0, table }, 'success');
    } catch (e) {
      const issues = zodIssues(e);
      if (issues) this.errors = issuesByField(issues, this.fields);
      this.runError = errorText(e);
      // The previous result under this run's error would read as this run's answer.
      this.shown = null;
      app.say('audit.failed', { message: errorText(e) }, 'error');
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs an earlier run of the history again, with its journaled parameters: its result becomes the
   * operation's current table (a new journal entry; the earlier ones stay in the history).
   */
  async rerun(entry: JournalEntry): Promise<void> {
    const op = getOperation(entry.op);
    if (!op || op.kind !== 'audit') return;
    this.choose(op.id);
    const session = app.session;
    if (!session || this.running) return;
    this.running = true;
    this.runError = null;
    try {
      const res = await session.run(op, entry.params, { priority: 'background' });
      app.refreshTables();
      this.shown = {
        op: op.id,
        table: res.table ?? '',
        summary: res.summary ?? '',
        params: res.entry.params,
        seq: res.entry.seq,
        detail: res.detail ?? null,
        result: res,
      };
      app.say('audit.done', { op: op.id, rows: res.digest?.rows ?? 0, table: res.table ?? '' }, 'success');
    } catch (e) {
      this.runError = errorText(e);
      this.shown = null;
      app.say('audit.failed', { message: errorText(e) }, 'error');
    } finally {
      this.running = false;
    }
  }

  /** Reopens a result table of this session, with what its journal entry says of it. */
  open(entry: TableEntry): void {
    const j = app.session?.journal.all().findLast((x) => x.output?.table === entry.name) ?? null;
    const op = entry.origin?.op ?? j?.op ?? '';
    this.digit = null;
    this.shown = {
      op,
      table: entry.name,
      summary: j?.summary ?? entry.origin?.summary ?? '',
      params: j?.params ?? null,
      seq: j?.seq ?? null,
      detail: null,
      result: null,
    };
  }
}

export const audit = new AuditState();
