// The audit reports library (#18): the Inspection générale's published PDF reports imported into the
// project (one row per report, its text blocks with their page), an index of French terms built in the
// engine for ranked full-text search (BM25, phrase search), and the numbered recommendations extracted
// into a table the follow-up register (findings/follow-up.ts) reads as is.
//
// Everything here is an operation, so the app, the CLI (`loupe import-reports`, `loupe search-reports`,
// `loupe run <op>`) and replay share it:
//   import-reports           one PDF or a folder → rapports_pdf, rapports_pdf_blocs, rapports_pdf_termes
//   search-reports           a journaled read: the same query replays to the same passages (citations)
//   extract-recommendations  → rapports_pdf_recommandations (follow-up compatible), corrections re-applied
//   correct-recommendation   a correction by hand, journaled, kept in rapports_pdf_corrections
//
// Table schemas (column names are the contract with the UI and the follow-up; French like the rest):
//
// rapports_pdf — one row per file read (even a failed one, so the user sees why)
//   sha256 VARCHAR                 file SHA-256 (the report's key everywhere)
//   fichier VARCHAR                file name; chemin VARCHAR: the path as given
//   identifiant_du_rapport VARCHAR detected report number, else « sha256: » + 12 hex (follow-up key)
//   numero_rapport VARCHAR         detected report number (« 2023-14 », « n° 22-05 »…), NULL when none
//   titre VARCHAR                  PDF metadata title, else the first page's largest heading
//   date_du_rapport DATE, annee INTEGER   detected report date (text of page 1–2, else metadata)
//   entite_auditee VARCHAR         detected audited service (« Direction … », « DFA »…), NULL when none
//   pages INTEGER, pages_avec_texte INTEGER
//   etat VARCHAR                   'ok' | 'sans texte' | 'chiffré' | 'illisible'
//   message VARCHAR                French explanation when etat ≠ 'ok' (or pages without text), else NULL
//   taille BIGINT                  file size in bytes
//
// rapports_pdf_blocs — the text, verbatim, in reading order (columns left then right)
//   bloc_id INTEGER                unique across the library (terms and recommendations point to it)
//   sha256 VARCHAR, fichier VARCHAR, page INTEGER (1-based), bloc INTEGER (1-based within the page)
//   texte VARCHAR                  the block's text as the PDF has it (lines joined by '\n')
//   niveau_titre INTEGER           0 = body text, 1..3 = heading level (font size relative to the body)
//   colonne INTEGER                1 = single column or left, 2 = right column
//   x0, y0, x1, y1 DOUBLE          bounding box in PDF units (origin bottom-left), to mark a passage on
//   largeur_page, hauteur_page DOUBLE   a page preview
//   nb_termes INTEGER              indexed terms in the block (BM25 document length)
//
// rapports_pdf_termes — every token of the library, from which the search index is derived (schema
// loupe_recherche, search-index.ts: vocabulary, postings with BM25 weights, blocks in id order), rebuilt at
// each import and by a search that finds it stale; never journaled nor copied to the project
//   bloc_id INTEGER, terme VARCHAR (normalised + stemmed), position INTEGER (token number in the block,
//   stop words counted, so phrases match on consecutive positions), debut INTEGER, fin INTEGER
//   (UTF-16 offsets of the word in the block's texte, for highlighting)
//
// rapports_pdf_recommandations — follow-up compatible (FollowUpColumns defaults), one row per recommendation
//   identifiant_de_la_recommandation VARCHAR  « <identifiant_du_rapport>-R<numero> »
//   identifiant_du_rapport VARCHAR, numero INTEGER, recommandation VARCHAR (text), page INTEGER,
//   bloc_id INTEGER, sha256 VARCHAR, fichier VARCHAR, forme VARCHAR (how it was found: 'Recommandation n° N',
//   'R N', 'liste'), reponse_du_service VARCHAR, page_reponse INTEGER, direction_responsable VARCHAR,
//   date_d_echeance DATE, date_du_statut DATE, statut VARCHAR ('Émise'), corrigee BOOLEAN
//   → `recommendations-follow-up` with reports 'rapports_pdf', recommendations 'rapports_pdf_recommandations'.
//
// rapports_pdf_corrections — every hand correction, in order (re-applied after each extraction)
//   ordre INTEGER, identifiant_de_la_recommandation VARCHAR, champ VARCHAR, valeur VARCHAR, motif VARCHAR
export * from './schema.ts';
export * from './tokenize.ts';
export * from './ops.ts';
export { findRecommendations, INITIAL_STATUS, type ExtractedRecommendation, type SourceBlock } from './recommendations.ts';
export { B as BM25_B, K1 as BM25_K1, matchMarks, searchSql, snippet } from './search.ts';
export { detectDate, detectNumber, detectReport, detectService } from './detect.ts';
export { SCHEMAS } from './store.ts';
export { citeReportPassage, type PassageRef } from './cite.ts';
export { extractPdf, type PdfBlock, type PdfExtract, type PdfPage, type PdfStatus } from '../ingest/pdf.ts';
export { loadPdfjs, setPdfjsLoader, type Pdfjs } from '../ingest/pdfjs-loader.ts';
