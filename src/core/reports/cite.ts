// A report passage cited in a standard form, the same in a finding, the HTML report and « Citer »:
// who published it, the title, the number and date, the page, the quoted words, and the file's SHA-256
// so anyone can check the PDF is the one cited.
export interface PassageRef {
  titre: string | null;
  identifiant_du_rapport: string;
  numero_rapport?: string | null;
  date_du_rapport?: string | null;
  fichier: string;
  sha256: string;
  page: number;
  /** The quoted words, verbatim. */
  texte?: string | null;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (!y || !m || !d) return iso;
  return `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

/** « Inspection générale de la Ville de Paris, « Titre », rapport n° 2023-14, 15 mars 2023, p. 4 : « … » (fichier.pdf, SHA-256 abcd…). » */
export function citeReportPassage(r: PassageRef, publisher = 'Inspection générale de la Ville de Paris'): string {
  const parts = [publisher, r.titre ? `« ${r.titre} »` : r.fichier];
  if (r.numero_rapport) parts.push(`rapport n° ${r.numero_rapport}`);
  if (r.date_du_rapport) parts.push(frenchDate(r.date_du_rapport));
  const quote = r.texte ? ` : « ${r.texte.replace(/\s+/g, ' ').trim()} »` : '';
  return `${parts.join(', ')}, p. ${r.page}${quote} (${r.fichier}, SHA-256 ${r.sha256}).`;
}
