// The nomenclature file shipped with the demo: chapters, natures, functions and functional chapters
// with the labels written for it, so budget lines can be labelled by a join.
import { csv } from './format.ts';
import { CHAPTERS, FONCTIONS, FUNCTIONAL_CHAPTERS, NATURES, type Section } from './nomenclature.ts';

export const NOMENCLATURE_HEADER = ['Type de code', 'Code', 'Libellé', 'Section', 'Chapitre de rattachement'] as const;

/** Classes 6 and 7 are operating accounts; 90x/92x functional chapters are investment, 93x/94x operating. */
const natureSection = (code: string): Section => (/^[67]/.test(code) || code === '023' ? 'Fonctionnement' : 'Investissement');
const functionalSection = (code: string): Section => (code[1] === '0' || code[1] === '2' ? 'Investissement' : 'Fonctionnement');

export function nomenclatureCsv(): string {
  const rows: (string | null)[][] = [];
  const seen = new Set<string>();
  for (const c of CHAPTERS) {
    const key = `${c.section}|${c.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(['Chapitre', c.code, c.label, c.section, null]);
  }
  for (const f of FUNCTIONAL_CHAPTERS) rows.push(['Chapitre fonctionnel', f.code, f.label, functionalSection(f.code), null]);
  for (const n of NATURES) rows.push(['Nature', n.code, n.label, natureSection(n.code), n.chapter]);
  for (const f of FONCTIONS) rows.push(['Fonction', f.code, f.label, null, null]);
  return csv(NOMENCLATURE_HEADER, rows);
}
