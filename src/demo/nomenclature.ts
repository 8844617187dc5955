// A short, hand-written subset of the M57 nomenclature: enough chapters, natures and functions
// for a budget that looks like a large city's, with labels written for the demo.
export type Section = 'Fonctionnement' | 'Investissement';
export type Sens = 'Dépense' | 'Recette';
export type OperationType = 'Réel' | 'Ordre';

/** A code and its label: every entry of the nomenclature. */
export interface CodeLabel {
  code: string;
  label: string;
}

export interface Chapter extends CodeLabel {
  section: Section;
  sens: Sens;
  type: OperationType;
}

export const CHAPTERS: readonly Chapter[] = [
  { code: '011', label: 'Charges à caractère général', section: 'Fonctionnement', sens: 'Dépense', type: 'Réel' },
  { code: '012', label: 'Charges de personnel et frais assimilés', section: 'Fonctionnement', sens: 'Dépense', type: 'Réel' },
  { code: '65', label: 'Autres charges de gestion courante', section: 'Fonctionnement', sens: 'Dépense', type: 'Réel' },
  { code: '66', label: 'Charges financières', section: 'Fonctionnement', sens: 'Dépense', type: 'Réel' },
  { code: '67', label: 'Charges spécifiques', section: 'Fonctionnement', sens: 'Dépense', type: 'Réel' },
  { code: '023', label: "Virement à la section d'investissement", section: 'Fonctionnement', sens: 'Dépense', type: 'Ordre' },
  { code: '042', label: "Opérations d'ordre de transfert entre sections", section: 'Fonctionnement', sens: 'Dépense', type: 'Ordre' },
  { code: '013', label: 'Atténuations de charges', section: 'Fonctionnement', sens: 'Recette', type: 'Réel' },
  { code: '70', label: 'Produits des services, du domaine et ventes diverses', section: 'Fonctionnement', sens: 'Recette', type: 'Réel' },
  { code: '731', label: 'Fiscalité locale', section: 'Fonctionnement', sens: 'Recette', type: 'Réel' },
  { code: '74', label: 'Dotations et participations', section: 'Fonctionnement', sens: 'Recette', type: 'Réel' },
  { code: '75', label: 'Autres produits de gestion courante', section: 'Fonctionnement', sens: 'Recette', type: 'Réel' },
  { code: '042', label: "Opérations d'ordre de transfert entre sections", section: 'Fonctionnement', sens: 'Recette', type: 'Ordre' },
  { code: '20', label: 'Immobilisations incorporelles', section: 'Investissement', sens: 'Dépense', type: 'Réel' },
  { code: '204', label: "Subventions d'équipement versées", section: 'Investissement', sens: 'Dépense', type: 'Réel' },
  { code: '21', label: 'Immobilisations corporelles', section: 'Investissement', sens: 'Dépense', type: 'Réel' },
  { code: '23', label: 'Immobilisations en cours', section: 'Investissement', sens: 'Dépense', type: 'Réel' },
  { code: '16', label: 'Emprunts et dettes assimilées', section: 'Investissement', sens: 'Dépense', type: 'Réel' },
  { code: '040', label: "Opérations d'ordre de transfert entre sections", section: 'Investissement', sens: 'Dépense', type: 'Ordre' },
  { code: '10', label: 'Dotations, fonds divers et réserves', section: 'Investissement', sens: 'Recette', type: 'Réel' },
  { code: '13', label: "Subventions d'investissement reçues", section: 'Investissement', sens: 'Recette', type: 'Réel' },
  { code: '16', label: 'Emprunts et dettes assimilées', section: 'Investissement', sens: 'Recette', type: 'Réel' },
  { code: '024', label: "Produits des cessions d'immobilisations", section: 'Investissement', sens: 'Recette', type: 'Réel' },
  { code: '021', label: 'Virement de la section de fonctionnement', section: 'Investissement', sens: 'Recette', type: 'Ordre' },
  { code: '040', label: "Opérations d'ordre de transfert entre sections", section: 'Investissement', sens: 'Recette', type: 'Ordre' },
];

export interface Nature extends CodeLabel {
  chapter: string;
}

export const NATURES: readonly Nature[] = [
  { code: '60611', label: 'Eau et assainissement', chapter: '011' },
  { code: '60612', label: 'Énergie — électricité', chapter: '011' },
  { code: '60613', label: 'Chauffage urbain', chapter: '011' },
  { code: '6068', label: 'Autres matières et fournitures', chapter: '011' },
  { code: '611', label: 'Contrats de prestations de services', chapter: '011' },
  { code: '6132', label: 'Locations immobilières', chapter: '011' },
  { code: '615221', label: 'Entretien et réparations — bâtiments publics', chapter: '011' },
  { code: '6156', label: 'Maintenance', chapter: '011' },
  { code: '617', label: 'Études et recherches', chapter: '011' },
  { code: '6231', label: 'Annonces et insertions', chapter: '011' },
  { code: '6262', label: 'Frais de télécommunications', chapter: '011' },
  { code: '64111', label: 'Rémunération principale — titulaires', chapter: '012' },
  { code: '64131', label: 'Rémunérations — non titulaires', chapter: '012' },
  { code: '6451', label: "Cotisations à l'URSSAF", chapter: '012' },
  { code: '6453', label: 'Cotisations aux caisses de retraite', chapter: '012' },
  { code: '6531', label: 'Indemnités des élus', chapter: '65' },
  { code: '6553', label: "Service d'incendie et de secours", chapter: '65' },
  { code: '65737', label: 'Subventions de fonctionnement — autres établissements publics locaux', chapter: '65' },
  { code: '6574', label: 'Subventions de fonctionnement aux associations et autres personnes de droit privé', chapter: '65' },
  { code: '65111', label: "Allocations et prestations d'aide sociale", chapter: '65' },
  { code: '66111', label: "Intérêts réglés à l'échéance", chapter: '66' },
  { code: '673', label: 'Titres annulés sur exercices antérieurs', chapter: '67' },
  { code: '023', label: "Virement à la section d'investissement", chapter: '023' },
  { code: '6811', label: 'Dotations aux amortissements des immobilisations', chapter: '042' },
  { code: '6419', label: 'Remboursements sur rémunérations du personnel', chapter: '013' },
  { code: '70323', label: "Redevances d'occupation du domaine public", chapter: '70' },
  { code: '7062', label: 'Redevances des services à caractère culturel', chapter: '70' },
  { code: '7066', label: 'Redevances des services à caractère social', chapter: '70' },
  { code: '70632', label: 'Redevances des services à caractère de loisirs', chapter: '70' },
  { code: '73111', label: 'Impôts directs locaux', chapter: '731' },
  { code: '7381', label: 'Taxe additionnelle aux droits de mutation', chapter: '731' },
  { code: '7411', label: 'Dotation globale de fonctionnement', chapter: '74' },
  { code: '7478', label: "Participations d'autres organismes", chapter: '74' },
  { code: '752', label: 'Revenus des immeubles', chapter: '75' },
  { code: '777', label: "Quote-part des subventions d'investissement transférées au résultat", chapter: '042' },
  { code: '2031', label: "Frais d'études", chapter: '20' },
  { code: '2051', label: 'Concessions, droits similaires, logiciels', chapter: '20' },
  { code: '20422', label: "Subventions d'équipement aux personnes de droit privé — bâtiments et installations", chapter: '204' },
  { code: '204182', label: "Subventions d'équipement aux autres organismes publics — bâtiments et installations", chapter: '204' },
  { code: '2128', label: 'Autres agencements et aménagements de terrains', chapter: '21' },
  { code: '21312', label: 'Bâtiments scolaires', chapter: '21' },
  { code: '2152', label: 'Installations de voirie', chapter: '21' },
  { code: '2183', label: 'Matériel de bureau et matériel informatique', chapter: '21' },
  { code: '2188', label: 'Autres immobilisations corporelles', chapter: '21' },
  { code: '2313', label: 'Constructions en cours', chapter: '23' },
  { code: '2315', label: 'Installations, matériel et outillage techniques en cours', chapter: '23' },
  { code: '1641', label: 'Emprunts en euros', chapter: '16' },
  { code: '13911', label: "Subventions d'investissement transférées — État", chapter: '040' },
  { code: '10222', label: 'Fonds de compensation de la TVA', chapter: '10' },
  { code: '1321', label: "Subventions d'équipement — État", chapter: '13' },
  { code: '1322', label: "Subventions d'équipement — Région", chapter: '13' },
  { code: '024', label: "Produits des cessions d'immobilisations", chapter: '024' },
  { code: '021', label: 'Virement de la section de fonctionnement', chapter: '021' },
  { code: '28031', label: "Amortissement des frais d'études", chapter: '040' },
  { code: '28183', label: 'Amortissement du matériel de bureau et informatique', chapter: '040' },
  { code: '281312', label: 'Amortissement des bâtiments scolaires', chapter: '040' },
];

export const FONCTIONS: readonly CodeLabel[] = [
  { code: '01', label: 'Opérations non ventilables' },
  { code: '020', label: 'Administration générale de la collectivité' },
  { code: '021', label: 'Assemblée délibérante' },
  { code: '023', label: 'Information, communication, publicité' },
  { code: '025', label: 'Aides aux associations' },
  { code: '11', label: 'Police, sécurité, justice' },
  { code: '12', label: 'Incendie et secours' },
  { code: '211', label: 'Écoles maternelles' },
  { code: '212', label: 'Écoles primaires' },
  { code: '221', label: 'Collèges' },
  { code: '251', label: 'Hébergement et restauration scolaires' },
  { code: '311', label: 'Expression artistique' },
  { code: '312', label: 'Patrimoine' },
  { code: '313', label: 'Bibliothèques et médiathèques' },
  { code: '314', label: 'Musées' },
  { code: '321', label: 'Salles de sport, gymnases' },
  { code: '323', label: 'Piscines' },
  { code: '33', label: 'Jeunesse et loisirs' },
  { code: '41', label: 'Santé' },
  { code: '422', label: 'Petite enfance' },
  { code: '423', label: 'Personnes âgées' },
  { code: '424', label: 'Personnes en difficulté' },
  { code: '51', label: 'Aménagement et services urbains' },
  { code: '552', label: 'Aide au logement' },
  { code: '61', label: 'Interventions économiques' },
  { code: '632', label: 'Tourisme' },
  { code: '721', label: 'Collecte et traitement des déchets' },
  { code: '722', label: 'Propreté urbaine' },
  { code: '76', label: 'Espaces verts urbains' },
  { code: '822', label: 'Voirie' },
  { code: '84', label: 'Transports publics de voyageurs' },
];

export const DIRECTIONS: readonly CodeLabel[] = [
  { code: 'DFA', label: 'Direction des finances et des achats' },
  { code: 'DRH', label: 'Direction des ressources humaines' },
  { code: 'DASCO', label: 'Direction des affaires scolaires' },
  { code: 'DAC', label: 'Direction des affaires culturelles' },
  { code: 'DSOL', label: 'Direction des solidarités' },
  { code: 'DFPE', label: 'Direction des familles et de la petite enfance' },
  { code: 'DJS', label: 'Direction de la jeunesse et des sports' },
  { code: 'DVD', label: 'Direction de la voirie et des déplacements' },
  { code: 'DPE', label: "Direction de la propreté et de l'eau" },
  { code: 'DEVE', label: "Direction des espaces verts et de l'environnement" },
  { code: 'DCPA', label: "Direction des constructions publiques et de l'architecture" },
  { code: 'DLH', label: "Direction du logement et de l'habitat" },
  { code: 'DAE', label: "Direction de l'attractivité et de l'emploi" },
  { code: 'DDCT', label: 'Direction de la démocratie, des citoyen·nes et des territoires' },
  { code: 'DPSP', label: 'Direction de la police municipale et de la prévention' },
  { code: 'DSIN', label: "Direction des systèmes d'information et du numérique" },
  { code: 'DILT', label: "Direction de l'immobilier, de la logistique et des transports" },
];

/** The functional chapter a line is voted in: 90x (investment) or 93x (operating) from the function's
 *  first digit, and 92x/94x for what no function can carry (taxes, debt, transfers between sections). */
export function functionalChapter(section: Section, chapter: string, fonction: string): string {
  const inv = section === 'Investissement';
  if (chapter === '731') return '940';
  if (chapter === '74' && fonction === '01') return '942';
  if (chapter === '66') return '943';
  if (chapter === '023' || chapter === '042') return '946';
  if (chapter === '10') return '921';
  if (chapter === '16') return '923';
  if (chapter === '021' || chapter === '040') return '926';
  return (inv ? '90' : '93') + fonction.charAt(0);
}

export const FUNCTIONAL_CHAPTERS: readonly CodeLabel[] = [
  { code: '900', label: 'Services généraux' },
  { code: '901', label: 'Sécurité' },
  { code: '902', label: 'Enseignement, formation professionnelle et apprentissage' },
  { code: '903', label: 'Culture, vie sociale, jeunesse, sports et loisirs' },
  { code: '904', label: 'Santé et action sociale' },
  { code: '905', label: 'Aménagement des territoires et habitat' },
  { code: '906', label: 'Action économique' },
  { code: '907', label: 'Environnement' },
  { code: '908', label: 'Transports' },
  { code: '921', label: 'Taxes non affectées' },
  { code: '923', label: 'Dettes et autres opérations financières' },
  { code: '926', label: 'Transferts entre les sections' },
  { code: '930', label: 'Services généraux' },
  { code: '931', label: 'Sécurité' },
  { code: '932', label: 'Enseignement, formation professionnelle et apprentissage' },
  { code: '933', label: 'Culture, vie sociale, jeunesse, sports et loisirs' },
  { code: '934', label: 'Santé et action sociale' },
  { code: '935', label: 'Aménagement des territoires et habitat' },
  { code: '936', label: 'Action économique' },
  { code: '937', label: 'Environnement' },
  { code: '938', label: 'Transports' },
  { code: '940', label: 'Impositions directes' },
  { code: '942', label: 'Dotations et participations' },
  { code: '943', label: 'Opérations financières' },
  { code: '946', label: 'Transferts entre les sections' },
];
