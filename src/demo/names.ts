// Invented names for associations and companies, and the spelling variants that real exports carry:
// the same body written in capitals, abbreviated, with or without accents and legal-form words.
import type { Rng } from './random.ts';

/** Neighbourhoods with the preposition French puts before them (« de la Villette », « des Batignolles »). */
const PLACES = [
  'de Belleville',
  'de la Goutte d’Or',
  'de Ménilmontant',
  'de la Butte aux Cailles',
  'de Montsouris',
  'de la Chapelle',
  'de Charonne',
  'de Saint-Blaise',
  'de la Villette',
  'de Plaisance',
  'de Grenelle',
  'de Bercy',
  'de Picpus',
  'des Batignolles',
  'de Clignancourt',
  'de Javel',
  'du Faubourg Saint-Denis',
  'du Sentier',
  'du Marais',
  'de Mouffetard',
  'du Canal Saint-Martin',
  'de la Porte de Vanves',
  'de Flandre',
  'du quartier Amérique',
  'de Pernety',
  'de Maison-Blanche',
  'de Reuilly',
  'de Popincourt',
];

const ADJECTIVES = ['Solidaire', 'Vivant', 'Ouvert', 'Partagé', 'Citoyen', 'Nomade', 'Joyeux', 'Durable', 'Pluriel', 'Éphémère'];
const IMAGINED = [
  'Les Petits Pas',
  'L’Arbre à Palabres',
  'La Fabrique des Possibles',
  'Le Fil d’Ariane',
  'Les Mains Vertes',
  'La Boussole',
  'Les Voix du Quartier',
  'Le Grain de Sable',
  'La Ruche Ouvrière',
  'Les Ateliers du Lundi',
  'Le Chant des Pavés',
  'La Passerelle',
  'L’Étincelle',
  'Les Semeurs',
  'La Table Ouverte',
  'Le Petit Théâtre Bleu',
  'Les Couleurs du Monde',
  'Horizon Jeunesse',
  'Les Pieds Dans l’Eau',
  'La Clé des Champs',
];

const PATTERNS: readonly ((rng: Rng, arr: number) => string)[] = [
  (_r, a) => `Les amis du ${a}${a === 1 ? 'er' : 'e'}`,
  (r) => `Les habitants ${r.pick(PLACES)}`,
  (r) => `Jardin partagé ${r.pick(PLACES)}`,
  (r) => `Théâtre ${r.pick(IMAGINED)}`,
  (r) => `Compagnie ${r.pick(IMAGINED)}`,
  (r) => `${r.pick(IMAGINED)}`,
  (r) =>
    `${r.pick(['Football club', 'Judo club', 'Basket club', 'Cercle d’escrime', 'Union sportive', 'Club de natation'])} ${r.pick(PLACES)}`,
  (r) => `Parents d’élèves de l’école ${r.pick(['des Lilas', 'des Tilleuls', 'Voltaire', 'Jean-Jaurès', 'des Amandiers', 'du Moulin'])}`,
  (r) => `Soutien scolaire ${r.pick(ADJECTIVES).toLowerCase()} ${r.pick(PLACES)}`,
  (r) => `Centre social ${r.pick(IMAGINED)}`,
  (r) => `Épicerie solidaire ${r.pick(PLACES)}`,
  (r) => `Régie de quartier ${r.pick(PLACES).replace(/^d(e|u|es) (la |quartier )?/, '')}`,
  (r) => `Festival ${r.pick(['des Arts', 'de Jazz', 'du Film Court', 'des Contes', 'de Cirque'])} ${r.pick(PLACES)}`,
  (r) => `Collectif ${r.pick(ADJECTIVES)} ${r.int(1, 20)}`,
  (r) => `Maison des ${r.pick(['Femmes', 'Jeunes', 'Aînés', 'Associations', 'Langues'])} ${r.pick(PLACES)}`,
];

const LEGAL_PREFIX = ['Association', 'Association', 'Association', 'Fédération', 'Comité', 'Amicale', 'Union', ''];

export interface Body {
  /** The name as the body itself writes it. */
  name: string;
  legal: string;
  arrondissement: number;
}

export function makeAssociation(rng: Rng): Body {
  const arrondissement = rng.int(1, 20);
  const core = rng.pick(PATTERNS)(rng, arrondissement);
  const legal = /^(Théâtre|Compagnie|Centre|Régie|Festival|Collectif|Maison|Jardin|Épicerie)/.test(core) ? '' : rng.pick(LEGAL_PREFIX);
  return { name: core, legal, arrondissement };
}

export function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function ordinalVariant(s: string, rng: Rng): string {
  return s.replace(/\b(\d{1,2})(er|e)\b/g, (_m, n: string) => `${n}${rng.pick(['e', 'ème', 'EME', 'è'])}`);
}

/** One way an agent may have typed the body's name into the subsidy or payment system. */
export function spelling(body: Body, rng: Rng, variant: number): string {
  const full = body.legal ? `${body.legal} ${body.name}` : body.name;
  switch (variant) {
    case 0:
      return full;
    case 1:
      return stripAccents(full).toUpperCase().replace(/’/g, "'");
    case 2:
      return body.legal === 'Association' ? `Assoc. ${ordinalVariant(body.name, rng)}` : ordinalVariant(full, rng);
    case 3:
      return `${body.name.toUpperCase()}${body.legal ? ` (${body.legal.toUpperCase()})` : ''}`;
    default:
      return `${full.replace(/’/g, "'")}  `.replace(/ /, '  ').trimEnd();
  }
}

const SURNAMES = [
  'Durand',
  'Lefèvre',
  'Moreau',
  'Garnier',
  'Chevalier',
  'Lambert',
  'Fontaine',
  'Rousseau',
  'Vincent',
  'Mercier',
  'Blanchard',
  'Guérin',
  'Boyer',
  'Faure',
  'Roussel',
  'Perrin',
  'Masson',
  'Marchand',
  'Dufour',
  'Lemaire',
  'Barbier',
  'Renaud',
  'Colin',
  'Arnaud',
  'Giraud',
  'Brunet',
  'Picard',
  'Roche',
  'Carpentier',
  'Leclerc',
];

export const TRADES = {
  Travaux: [
    'Bâtiment',
    'Menuiserie',
    'Couverture',
    'Électricité',
    'Plomberie',
    'Peinture',
    'Étanchéité',
    'Voirie',
    'Terrassement',
    'Serrurerie',
  ],
  Fournitures: [
    'Mobilier',
    'Papeterie',
    'Équipements sportifs',
    'Matériel informatique',
    'Fournitures scolaires',
    'Véhicules',
    'Produits d’entretien',
    'Végétaux',
  ],
  Services: [
    'Nettoyage',
    'Conseil',
    'Imprimerie',
    'Gardiennage',
    'Restauration',
    'Informatique',
    'Formation',
    'Transport',
    'Espaces verts',
    'Événementiel',
  ],
} as const;

export type Category = keyof typeof TRADES;

export function makeCompany(rng: Rng, category: Category): { name: string; trade: string } {
  const trade = rng.pick(TRADES[category]);
  const surname = rng.pick(SURNAMES);
  const form = rng.pick(['SAS', 'SARL', 'SA', 'SAS', 'EURL']);
  const name = rng.weighted<string>([
    [`${trade} ${surname} ${form}`, 3],
    [`${form} ${surname} et Fils`, 1],
    [`${surname} ${trade}`, 2],
    [`Groupe ${surname}`, 1],
    [`${surname} & ${rng.pick(SURNAMES)} ${form}`, 1],
    [`${trade} ${rng.pick(PLACES)}`, 1],
  ]);
  return { name, trade };
}
