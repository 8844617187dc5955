// The reports library's operations (registered on import, listed in ops/all.ts).
import { z } from 'zod';
import { registerOperation } from '../ops/registry.ts';
import { runImportReports } from './import.ts';
import { runCorrectRecommendation, runExtractRecommendations } from './recommendations.ts';
import { runSearchReports } from './search.ts';
import {
  OP_CORRECT_RECOMMENDATION,
  OP_EXTRACT_RECOMMENDATIONS,
  OP_IMPORT_REPORTS,
  OP_SEARCH_REPORTS,
  type ExtractRecommendationsDetail,
  type ImportReportsDetail,
  type SearchDetail,
} from './schema.ts';

const Sha = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 attendu (64 caractères hexadécimaux)');

export const ImportReportsParams = z.object({
  /** A PDF file, or a folder whose PDF files (recursively) are all read. */
  path: z.string().min(1).max(4096).describe('Fichier PDF ou dossier de rapports'),
});
export type ImportReportsParams = z.infer<typeof ImportReportsParams>;

export const SearchReportsParams = z.object({
  query: z.string().min(1).max(2000).describe('Mots cherchés ; "entre guillemets" pour une expression exacte'),
  yearFrom: z.number().int().min(1900).max(2200).optional().describe('Année du rapport, à partir de'),
  yearTo: z.number().int().min(1900).max(2200).optional().describe('Année du rapport, jusqu’à'),
  services: z.array(z.string().min(1).max(500)).max(100).optional().describe('Services audités (entite_auditee) retenus'),
  reports: z.array(Sha).max(1000).optional().describe('Rapports retenus (SHA-256)'),
  limit: z.number().int().min(1).max(1000).default(20).describe('Nombre de passages rendus'),
});
export type SearchReportsParams = z.infer<typeof SearchReportsParams>;

export const ExtractRecommendationsParams = z.object({
  reports: z.array(Sha).max(1000).optional().describe('Rapports à lire (SHA-256) ; par défaut tous'),
});
export type ExtractRecommendationsParams = z.infer<typeof ExtractRecommendationsParams>;

export const CorrectRecommendationParams = z.object({
  id: z.string().min(1).max(300).describe('identifiant_de_la_recommandation'),
  recommandation: z.string().min(1).max(20_000).optional().describe('Texte corrigé'),
  page: z.number().int().min(1).max(100_000).optional().describe('Page corrigée'),
  reponse_du_service: z.string().max(20_000).optional().describe('Réponse du service corrigée (vide : aucune)'),
  supprimer: z.boolean().optional().describe('Ce n’est pas une recommandation : la retirer'),
  motif: z.string().max(2000).optional().describe('Pourquoi cette correction'),
});
export type CorrectRecommendationParams = z.infer<typeof CorrectRecommendationParams>;

export const importReports = registerOperation<ImportReportsParams, ImportReportsDetail>({
  id: OP_IMPORT_REPORTS,
  kind: 'import',
  description: 'Importe des rapports PDF (un fichier ou un dossier) : texte par page, index de recherche',
  params: ImportReportsParams,
  run: (ctx, p) => runImportReports(ctx, p),
});

export const searchReports = registerOperation<SearchReportsParams, SearchDetail>({
  id: OP_SEARCH_REPORTS,
  kind: 'query',
  description: 'Recherche dans les rapports PDF : passages classés (BM25) avec leur page',
  params: SearchReportsParams,
  run: (ctx, p) => runSearchReports(ctx, p),
});

export const extractRecommendations = registerOperation<ExtractRecommendationsParams, ExtractRecommendationsDetail>({
  id: OP_EXTRACT_RECOMMENDATIONS,
  kind: 'finding',
  description: 'Extrait les recommandations numérotées des rapports PDF, avec leur page et la réponse du service',
  params: ExtractRecommendationsParams,
  run: (ctx, p) => runExtractRecommendations(ctx, p),
});

export const correctRecommendation = registerOperation<CorrectRecommendationParams, { id: string }>({
  id: OP_CORRECT_RECOMMENDATION,
  kind: 'finding',
  description: 'Corrige à la main une recommandation extraite (texte, page, réponse) ou la retire',
  params: CorrectRecommendationParams,
  run: (ctx, p) => runCorrectRecommendation(ctx, p),
});
