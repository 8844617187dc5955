// The live form of a budget check: the draft as typed, its messages, and what the check's header
// matching proposed (so the form can say which columns were guessed and which were chosen).
import type { TableEntry } from '../../core/catalog/catalog.ts';
import { checkDraft, checkFields, draftOf, rolesFor, type CheckDraft, type CheckField, type CheckSpec, type Errors } from './check-form.ts';

export class CheckForm {
  readonly fields: CheckField[];
  draft = $state<CheckDraft>({ tables: {}, columns: {}, numbers: {}, perEdition: {} });
  errors = $state<Errors>({});
  /** The last check was refused: nothing ran. */
  invalid = $state(false);
  /** Per set of columns, the check's own guess on the chosen table. */
  guessed = $state.raw<Record<string, Record<string, string>>>({});
  saved = $state(false);

  constructor(
    readonly spec: CheckSpec,
    private readonly tableOf: (name: string) => TableEntry | undefined,
  ) {
    this.fields = checkFields(spec);
    this.draft = draftOf(spec, this.fields, {}, tableOf);
  }

  /** Fills the form from parameters (kept in the project, or a guess of the tables). */
  load(params: Record<string, unknown>): void {
    this.draft = draftOf(this.spec, this.fields, params, this.tableOf);
    this.errors = {};
    this.invalid = false;
    this.guess();
  }

  private guess(): void {
    const out: Record<string, Record<string, string>> = {};
    for (const f of this.fields) {
      if (f.kind === 'columns') out[f.name] = rolesFor(this.spec, f, this.tableOf(this.draft.tables[f.table] ?? ''));
    }
    this.guessed = out;
  }

  /** A field changed: its message goes (the others stay until the next check), and so does « nothing ran » once none is left. */
  private edited(key: string): void {
    this.saved = false;
    if (!(key in this.errors)) return;
    const { [key]: _, ...rest } = this.errors;
    this.errors = rest;
    if (!Object.keys(rest).length) this.invalid = false;
  }

  /** Another table: the columns read from it are proposed again from its headers. */
  setTable(name: string, table: string): void {
    this.draft.tables[name] = table;
    for (const f of this.fields) {
      if (f.kind === 'columns' && f.table === name) {
        this.draft.columns[f.name] = rolesFor(this.spec, f, this.tableOf(table));
        for (const k of Object.keys(this.errors)) if (k.startsWith(`${f.name}.`)) this.edited(k);
      }
    }
    this.guess();
    this.edited(name);
  }

  setColumn(group: string, role: string, column: string): void {
    this.draft.columns[group] = { ...this.draft.columns[group], [role]: column };
    this.edited(`${group}.${role}`);
  }

  setNumber(name: string, text: string): void {
    this.draft.numbers[name] = text;
    this.edited(name);
  }

  addEdition(name: string): void {
    this.draft.perEdition[name] = [...(this.draft.perEdition[name] ?? []), { edition: '', value: '' }];
    this.saved = false;
  }

  setEdition(name: string, i: number, part: 'edition' | 'value', text: string): void {
    const rows = [...(this.draft.perEdition[name] ?? [])];
    rows[i] = { ...rows[i]!, [part]: text };
    this.draft.perEdition[name] = rows;
    this.edited(`${name}.${i}`);
  }

  removeEdition(name: string, i: number): void {
    this.draft.perEdition[name] = (this.draft.perEdition[name] ?? []).filter((_, j) => j !== i);
    // Messages of the rows below move up with them.
    const moved: Errors = {};
    for (const [k, v] of Object.entries(this.errors)) {
      const m = new RegExp(`^${name}\\.(\\d+)$`).exec(k);
      if (!m) moved[k] = v;
      else if (Number(m[1]) > i) moved[`${name}.${Number(m[1]) - 1}`] = v;
      else if (Number(m[1]) < i) moved[k] = v;
    }
    this.errors = moved;
    this.saved = false;
  }

  /** The parameters to run, or null with every problem on its field. */
  check(): Record<string, unknown> | null {
    const r = checkDraft(this.spec, this.fields, $state.snapshot(this.draft) as CheckDraft, this.tableOf);
    this.errors = r.errors;
    this.invalid = r.params === null;
    return r.params;
  }
}
