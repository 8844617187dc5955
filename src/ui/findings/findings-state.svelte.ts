// The Findings view's state: the project's findings and investigations as reactive copies, which one
// is open, who is working, and the actions — each a call into src/core/findings (journaled there).
// Kept outside app-state so the shell only carries the one `createFinding` entry point.
import {
  attachEvidence,
  checkFindings,
  commentFinding,
  createFinding,
  createInvestigation,
  detachEvidence,
  evidenceFromResult,
  fileFinding,
  recommendationsFollowUp,
  reopenFinding,
  rowEvidence,
  signOff,
  sourceEvidence,
  submitForReview,
  summarizeInvestigation,
  updateFinding,
  type Actor,
  type Evidence,
  type Finding,
  type FollowUpDetail,
  type FindingFields,
  type FindingsCheck,
  type SignatureCheck,
  type FindingStatus,
  type Investigation,
  type InvestigationSummary,
  type Severity,
} from '../../core/findings/index.ts';
import type { Signer, TrustedKey } from '../../core/identity/identity.ts';
import type { OperationResult } from '../../core/ops/registry.ts';
import type { Session } from '../../core/project/session.ts';
import { browserSigner, browserTrustedKeys, publicKeyText, trustPublicKeyText } from '../../host/identity-store.ts';
import { t } from '../../i18n/index.ts';
import { app } from '../app-state.svelte.ts';
import { errorText } from '../../core/util/errors.ts';

const USER_KEY = 'loupe.user';

function recalledUser(): string {
  try {
    return localStorage.getItem(USER_KEY) ?? '';
  } catch {
    return '';
  }
}

export type FindingsPanel = 'findings' | 'investigations' | 'follow-up';

export interface FindingFilter {
  status: FindingStatus | '';
  severity: Severity | '';
  tag: string;
  investigation: string;
}

export interface FindingFromResult {
  result: OperationResult | { sql: string };
  title?: string;
}

class FindingsUi {
  findings = $state.raw<Finding[]>([]);
  investigations = $state.raw<Investigation[]>([]);
  selectedId = $state<string | null>(null);
  panel = $state<FindingsPanel>('findings');
  filter = $state<FindingFilter>({ status: '', severity: '', tag: '', investigation: '' });
  /** The name every change is signed with; the four-eyes rule compares it with the owner's. */
  user = $state(recalledUser());
  busy = $state(false);
  /** Changes under way: an earlier one finishing must not clear `busy` while a later one still runs. */
  private running = 0;
  error = $state<string | null>(null);
  /** The register checked against the journal after every change: altered findings and signatures. */
  integrity = $state.raw<FindingsCheck | null>(null);
  trusted = $state.raw<TrustedKey[]>([]);
  /** The key this browser signs with for the current name. */
  me = $state.raw<Signer | null>(null);
  /**
   * The last recommendations follow-up of this project. Kept here rather than in its panel: the panel
   * is rebuilt whenever the panel or the view changes, and a result held by the panel vanished with it.
   */
  followUp = $state.raw<OperationResult<FollowUpDetail> | null>(null);
  private loadedFor: Session | null = null;

  selected = $derived(this.findings.find((f) => f.id === this.selectedId) ?? null);
  tags = $derived([...new Set(this.findings.flatMap((f) => f.tags))].sort((a, b) => a.localeCompare(b, 'fr')));
  listed = $derived(
    this.findings.filter(
      (f) =>
        (!this.filter.status || f.status === this.filter.status) &&
        (!this.filter.severity || f.severity === this.filter.severity) &&
        (!this.filter.tag || f.tags.includes(this.filter.tag)) &&
        (!this.filter.investigation ||
          (this.filter.investigation === '-' ? !f.investigationId : f.investigationId === this.filter.investigation)),
    ),
  );

  /** Who acts: the name typed in the view, or a default so a first finding is never blocked. */
  actor(): { by: string } {
    return { by: this.user.trim() || t('findings.defaultUser') };
  }

  /** The actor with this browser's key for `name` (the current user by default): every step is signed. */
  async signed(name?: string): Promise<Actor> {
    const by = name?.trim() || this.actor().by;
    return { by, signer: await browserSigner(by) };
  }

  altered(id: string): boolean {
    return this.integrity?.altered.has(id) ?? false;
  }

  problemsOf(id: string): string[] {
    return this.integrity?.problems.filter((p) => p.findingId === id).map((p) => p.message) ?? [];
  }

  /** The last sign-off of a finding as its signature checks (valid, key, trusted). */
  signOffOf(id: string): SignatureCheck | undefined {
    return this.integrity?.signatures.filter((c) => c.findingId === id && c.action === 'sign-off').at(-1);
  }

  async refreshIdentity(): Promise<void> {
    try {
      this.me = await browserSigner(this.actor().by);
      this.trusted = await browserTrustedKeys();
    } catch (e) {
      this.me = null;
      this.error = errorText(e);
    }
  }

  async exportMyKey(): Promise<void> {
    await this.refreshIdentity();
    if (this.me) await app.host?.saveAs(`cle-publique-${this.me.fingerprint.slice(0, 8)}.json`, publicKeyText(this.me), 'application/json');
  }

  async trustKey(file: File): Promise<void> {
    try {
      const key = await trustPublicKeyText(await file.text());
      this.trusted = await browserTrustedKeys();
      app.say('findings.identity.trusted', { name: key.name }, 'success');
      await this.check();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  setUser(name: string): void {
    const unnamed = this.actor().by;
    this.user = name;
    void this.refreshIdentity();
    try {
      localStorage.setItem(USER_KEY, name);
    } catch {
      // Not remembered across reloads; still used now.
    }
    void this.claimUnnamed(unnamed);
  }

  /**
   * The owner was copied from the name at creation: a finding made before anyone typed a name holds
   * the placeholder (« Auditeur ») for good, and typing one later changed nothing. Drafts whose owner
   * is still the placeholder the user acted under until now, and that this placeholder created, are
   * the user's: they take the name, each change journaled and signed like any other.
   */
  private async claimUnnamed(placeholder: string): Promise<void> {
    const by = this.actor().by;
    if (!this.user.trim() || placeholder === by || placeholder !== t('findings.defaultUser') || !app.session) return;
    const mine = this.findings.filter(
      (f) => f.status === 'draft' && f.owner === placeholder && f.history.find((h) => h.action === 'create')?.by === placeholder,
    );
    for (const f of mine) await this.update(f.id, { owner: by });
  }

  session(): Session {
    if (!app.session) throw new Error(t('findings.noProject'));
    return app.session;
  }

  async load(): Promise<void> {
    const s = app.session;
    if (!s || this.loadedFor === s) return;
    try {
      const book = await s.findings();
      this.loadedFor = s;
      this.followUp = null;
      this.findings = [...book.list()];
      this.investigations = [...book.investigations()];
      await this.refreshIdentity();
      await this.check();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async sync(): Promise<void> {
    const book = await this.session().findings();
    this.findings = [...book.list()];
    this.investigations = [...book.investigations()];
    await this.check();
  }

  /** findings.json against the journal: what the « altérée » badges and the signature lines show. */
  async check(): Promise<void> {
    const s = app.session;
    if (!s) return;
    const book = await s.findings();
    this.integrity = await checkFindings(book.data, s.journal.all(), this.trusted, s.engine);
  }

  /** Runs one change; a refusal from core (four-eyes, a final finding…) is shown, not thrown. */
  async act<T>(fn: (s: Session) => Promise<T>): Promise<T | undefined> {
    this.running++;
    this.busy = true;
    this.error = null;
    try {
      const value = await fn(this.session());
      return value;
    } catch (e) {
      this.error = errorText(e);
      return undefined;
    } finally {
      await this.sync().catch(() => undefined);
      // Masking and follow-up create tables: the catalog shows them.
      app.refreshTables();
      this.busy = --this.running > 0;
    }
  }

  open(id: string | null): void {
    this.selectedId = id;
    this.panel = 'findings';
    this.error = null;
  }

  async create(title: string): Promise<Finding | undefined> {
    const f = await this.act(async (s) => createFinding(s, { title }, await this.signed()));
    if (f) this.open(f.id);
    return f;
  }

  /** Freezes a result as a snapshot, then creates a draft finding holding it (used by every view). */
  async createFromResult(args: FindingFromResult): Promise<Finding | undefined> {
    return this.createWith(args.title, (s) =>
      evidenceFromResult(s, args.result, { by: this.actor().by, ...(args.title ? { title: args.title } : {}) }),
    );
  }

  /** A draft finding whose evidence is one row of a table, as the grid shows it (values read from the engine). */
  async createFromRow(args: { table: string; values: Record<string, unknown>; title?: string }): Promise<Finding | undefined> {
    return this.createWith(args.title, (s) =>
      rowEvidence(s, { table: args.table, values: args.values, by: this.actor().by, ...(args.title ? { title: args.title } : {}) }),
    );
  }

  private async createWith(
    givenTitle: string | undefined,
    freeze: (s: Session) => Promise<Evidence & { summary?: string }>,
  ): Promise<Finding | undefined> {
    await this.load();
    const f = await this.act(async (s) => {
      const ev = await freeze(s);
      const title = givenTitle?.trim() || ev.title || t('findings.untitled');
      const me = await this.signed();
      const created = await createFinding(s, { title: title.slice(0, 1000), condition: ev.summary ?? '' }, me);
      return attachEvidence(s, created.id, ev, me);
    });
    if (f) this.open(f.id);
    return f;
  }

  update(id: string, patch: Partial<FindingFields>) {
    return this.act(async (s) => updateFinding(s, id, patch, await this.signed()));
  }
  submit(id: string) {
    return this.act(async (s) => submitForReview(s, id, await this.signed()));
  }
  comment(id: string, text: string) {
    return this.act(async (s) => commentFinding(s, id, { ...(await this.signed()), text }));
  }
  /** Signed with this browser's key for the reviewer's name: core refuses any editor of the finding. */
  signOff(id: string, reviewer: string) {
    return this.act(async (s) => signOff(s, id, await this.signed(reviewer)));
  }
  reopen(id: string, reason: string) {
    return this.act(async (s) => reopenFinding(s, id, { ...(await this.signed()), reason }));
  }
  attach(id: string, make: (s: Session) => Promise<Evidence>) {
    return this.act(async (s) => attachEvidence(s, id, await make(s), await this.signed()));
  }
  attachSource(id: string, table: string) {
    return this.attach(id, (s) => sourceEvidence(s, table, { by: this.actor().by }));
  }
  detach(id: string, evidenceId: string) {
    return this.act(async (s) => detachEvidence(s, id, evidenceId, await this.signed()));
  }
  createInvestigation(name: string, description: string) {
    return this.act((s) => createInvestigation(s, { name, description }, this.actor()));
  }
  file(findingId: string, investigationId: string | null) {
    return this.act((s) => fileFinding(s, findingId, investigationId, this.actor()));
  }
  /** Shown as soon as the operation returns, before act()'s closing re-read and re-check of the register. */
  async runFollowUp(params: { reports: string; recommendations: string; referenceDate: string }): Promise<void> {
    await this.act(async (s) => {
      this.followUp = await s.run(recommendationsFollowUp, params);
    });
  }
  /**
   * A read, not a change: not through act(), whose closing sync() replaces `findings` — which the
   * Investigations panel's summary effect reads, so it would run again, and again, the view staying busy.
   */
  async summary(id: string): Promise<InvestigationSummary | undefined> {
    try {
      return await summarizeInvestigation(this.session(), id);
    } catch (e) {
      this.error = errorText(e);
      return undefined;
    }
  }
}

export const findingsUi = new FindingsUi();
