// The reports view's state: the library's reports (read from the engine), the last search (journaled
// by `search-reports`, so a citation names the entry that found it) and the passage opened.
import type { JournalEntry } from '../../core/journal/journal.ts';
import { passageCitation } from '../../core/findings/report-evidence.ts';
import { REPORTS_TABLE, searchReports, type ReportRow, type SearchDetail, type SearchHit } from '../../core/reports/index.ts';
import { quoteIdent } from '../../core/sql/ident.ts';
import { errorText } from '../../core/util/errors.ts';
import { app } from '../app-state.svelte.ts';

export interface SearchState {
  query: string;
  detail: SearchDetail;
  entry: JournalEntry;
}

function rowObjects(r: { columns: { name: string }[]; rows: unknown[][] }): Record<string, unknown>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}

class ReportsUi {
  reports = $state.raw<ReportRow[]>([]);
  query = $state('');
  yearFrom = $state<number | null>(null);
  yearTo = $state<number | null>(null);
  service = $state('');
  search = $state.raw<SearchState | null>(null);
  opened = $state.raw<SearchHit | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  services = $derived(
    [...new Set(this.reports.map((r) => r.entite_auditee).filter((s): s is string => !!s))].sort((a, b) => a.localeCompare(b, 'fr')),
  );
  years = $derived([...new Set(this.reports.map((r) => r.annee).filter((y): y is number => y !== null))].sort());

  async refresh(): Promise<void> {
    const s = app.session;
    if (!s || !s.catalog.has(REPORTS_TABLE)) {
      this.reports = [];
      return;
    }
    try {
      const r = await s.engine.query(
        `SELECT sha256, fichier, chemin, identifiant_du_rapport, numero_rapport, titre, CAST(date_du_rapport AS VARCHAR) AS date_du_rapport, annee, entite_auditee, pages, pages_avec_texte, etat, message, taille
         FROM ${quoteIdent(REPORTS_TABLE)} ORDER BY date_du_rapport DESC NULLS LAST, fichier`,
      );
      this.reports = rowObjects(r).map((o) => ({
        ...(o as unknown as ReportRow),
        annee: o.annee === null ? null : Number(o.annee),
        pages: Number(o.pages ?? 0),
        pages_avec_texte: Number(o.pages_avec_texte ?? 0),
        taille: Number(o.taille ?? 0),
      }));
    } catch (e) {
      this.error = errorText(e);
    }
  }

  async run(): Promise<void> {
    const s = app.session;
    const query = this.query.trim();
    if (!s || !query) return;
    this.busy = true;
    this.error = null;
    try {
      const res = await s.run(searchReports, {
        query,
        limit: 50,
        ...(this.yearFrom ? { yearFrom: this.yearFrom } : {}),
        ...(this.yearTo ? { yearTo: this.yearTo } : {}),
        ...(this.service ? { services: [this.service] } : {}),
      });
      this.search = { query, detail: res.detail as SearchDetail, entry: res.entry };
      this.opened = null;
      app.refreshTables();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  }

  report(sha256: string): ReportRow | undefined {
    return this.reports.find((r) => r.sha256 === sha256);
  }

  /** The standard reference of a passage, quote first. */
  citation(hit: SearchHit, quote = hit.texte): string {
    const r = this.report(hit.sha256);
    return passageCitation({
      report: {
        sha256: hit.sha256,
        fileName: hit.fichier,
        title: hit.titre,
        number: r?.numero_rapport ?? null,
        date: r?.date_du_rapport ?? null,
        service: hit.entite_auditee,
      },
      page: hit.page,
      quote,
    });
  }
}

export const reportsUi = new ReportsUi();
