// Names and row shapes of the reports library's tables (the contract with the UI, the CLI and the
// follow-up register; the column list is documented in index.ts).
import type { Population } from '../ops/population.ts';

export const REPORTS_TABLE = 'rapports_pdf';
export const BLOCKS_TABLE = 'rapports_pdf_blocs';
export const TERMS_TABLE = 'rapports_pdf_termes';
export const RECOMMENDATIONS_TABLE = 'rapports_pdf_recommandations';
export const CORRECTIONS_TABLE = 'rapports_pdf_corrections';
/** Where `search-reports` leaves its ranked passages (replaced by each search; the journal keeps each one). */
export const SEARCH_RESULT_TABLE = 'res_search_reports';

export const OP_IMPORT_REPORTS = 'import-reports';
export const OP_SEARCH_REPORTS = 'search-reports';
export const OP_EXTRACT_RECOMMENDATIONS = 'extract-recommendations';
export const OP_CORRECT_RECOMMENDATION = 'correct-recommendation';

export type ReportStatus = 'ok' | 'sans texte' | 'chiffré' | 'illisible';

export interface ReportRow {
  sha256: string;
  fichier: string;
  chemin: string;
  identifiant_du_rapport: string;
  numero_rapport: string | null;
  titre: string | null;
  /** ISO date (AAAA-MM-JJ). */
  date_du_rapport: string | null;
  annee: number | null;
  entite_auditee: string | null;
  pages: number;
  pages_avec_texte: number;
  etat: ReportStatus;
  message: string | null;
  taille: number;
}

export interface BlockRow {
  bloc_id: number;
  sha256: string;
  fichier: string;
  page: number;
  bloc: number;
  texte: string;
  niveau_titre: number;
  colonne: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  largeur_page: number;
  hauteur_page: number;
  nb_termes: number;
}

export interface RecommendationRow {
  identifiant_de_la_recommandation: string;
  identifiant_du_rapport: string;
  numero: number;
  recommandation: string;
  page: number;
  bloc_id: number | null;
  sha256: string;
  fichier: string;
  forme: 'Recommandation n° N' | 'R N' | 'liste';
  reponse_du_service: string | null;
  page_reponse: number | null;
  direction_responsable: string | null;
  date_d_echeance: string | null;
  date_du_statut: string | null;
  statut: string;
  corrigee: boolean;
}

/** One ranked passage of a search (also a row of res_search_reports, marques there as JSON text). */
export interface SearchHit {
  rang: number;
  score: number;
  bloc_id: number;
  sha256: string;
  fichier: string;
  titre: string | null;
  identifiant_du_rapport: string;
  annee: number | null;
  entite_auditee: string | null;
  page: number;
  bloc: number;
  /** The block's full text, verbatim. */
  texte: string;
  /** A window of the text around the first match (… at cut ends); the marks below index into it. */
  extrait: string;
  /** [start, end) UTF-16 offsets of every matched word in `extrait` (no HTML: the UI marks them). */
  marques: [number, number][];
}

export interface SearchDetail {
  query: string;
  /** Normalised terms searched (stemmed), and the phrases (each a list of terms). */
  terms: string[];
  phrases: string[][];
  /** Passages matching, before the limit. */
  total: number;
  hits: SearchHit[];
}

export interface ImportReportsDetail {
  reports: { path: string; sha256: string | null; etat: ReportStatus; pages: number; message: string | null }[];
  blocks: number;
  terms: number;
}

export interface ExtractRecommendationsDetail {
  recommendations: number;
  withResponse: number;
  corrected: number;
  /** Reports read (etat ok) and those without any recommendation found. */
  reports: number;
  reportsWithout: string[];
  /** Reports read, those with text, and those set aside (scanned, encrypted, unreadable) with examples. */
  population: Population;
}
