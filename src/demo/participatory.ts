// Participatory-budget winning projects, editions 2016–2023, in the shape of an Opendatasoft JSON
// export (snake_case fields, ISO dates, `geo_point_2d` as "lat, lon").
import { LATE_DELIVERY } from './anomalies.ts';
import { pointIn } from './arrondissements.ts';
import { day, isoDate, type Day } from './calendar.ts';
import { Rng, seedFor } from './random.ts';

export const EDITIONS = [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023] as const;
/** The day the export was taken: nothing is delivered after it. */
export const EXTRACTION_DAY: Day = day(2024, 12, 31);

const TEMPLATES: readonly { title: string; min: number; max: number; schools?: boolean }[] = [
  { title: 'Végétalisation de la rue {p}', min: 80_000, max: 600_000 },
  { title: 'Rénovation des jeux du square {p}', min: 100_000, max: 450_000 },
  { title: 'Aire de jeux inclusive au jardin {p}', min: 150_000, max: 700_000 },
  { title: 'Fontaines à eau dans le quartier {p}', min: 40_000, max: 200_000 },
  { title: 'Pistes cyclables sécurisées rue {p}', min: 300_000, max: 2_000_000 },
  { title: 'Cours d’école oasis — école {p}', min: 200_000, max: 1_200_000, schools: true },
  { title: 'Rénovation des sanitaires du collège {p}', min: 100_000, max: 500_000, schools: true },
  { title: 'Équipements numériques pour les écoles du quartier {p}', min: 50_000, max: 300_000, schools: true },
  { title: 'Terrain multisport de {p}', min: 150_000, max: 900_000 },
  { title: 'Jardin partagé {p}', min: 30_000, max: 150_000 },
  { title: 'Rénovation de la bibliothèque {p}', min: 200_000, max: 1_000_000 },
  { title: 'Éclairage et sécurisation du passage {p}', min: 60_000, max: 400_000 },
  { title: 'Lieu d’accueil pour les personnes sans abri — {p}', min: 300_000, max: 1_500_000 },
];

const PLACES = [
  'des Lilas',
  'des Tilleuls',
  'des Peupliers',
  'des Glycines',
  'Voltaire',
  'Championnet',
  'des Amandiers',
  'Pernety',
  'Belleville',
  'Saint-Blaise',
  'de la Chapelle',
  'Tolbiac',
  'des Épinettes',
  'Daumesnil',
  'Curial',
  'Riquet',
  'Mouffetard',
  'Dunois',
];

const CITYWIDE = [
  'Paris à vélo : stationnement sécurisé',
  'Plus de fontaines à eau dans tout Paris',
  'Des arbres dans les rues de Paris',
  'Rénover les piscines parisiennes',
  'Bancs et assises partout dans Paris',
  'Des toilettes publiques accessibles',
];

/** Arrondissements with many working-class neighbourhoods (QPV) get more QPV projects. */
const QPV_SHARE: Record<number, number> = { 10: 0.4, 11: 0.2, 13: 0.45, 14: 0.25, 17: 0.2, 18: 0.6, 19: 0.65, 20: 0.55 };

export interface Project {
  numero: string;
  edition: number;
  arrondissement: string;
  titre: string;
  budget_alloue: number;
  statut: 'Livré' | 'Études' | 'Procédures' | 'Travaux' | 'Abandonné' | 'Non démarré';
  date_livraison_prevue: string;
  date_livraison_reelle: string | null;
  quartier_populaire: 'Oui' | 'Non';
  projet_ecoles: 'Oui' | 'Non';
  geo_point_2d: string | null;
}

export function generateProjects(): Project[] {
  const rng = new Rng(seedFor('budget-participatif'));
  const out: Project[] = [];
  const titles = new Set<string>([`${LATE_DELIVERY.arrondissement}|${LATE_DELIVERY.title}`]);
  for (const edition of EDITIONS) {
    let seq = 0;
    const count = rng.int(95, 130);
    for (let i = 0; i < count; i++) {
      const citywide = rng.chance(0.06);
      const arr = citywide ? null : rng.int(1, 20);
      const t = citywide ? { title: rng.pick(CITYWIDE), min: 1_000_000, max: 8_000_000 } : rng.pick(TEMPLATES);
      const titre = t.title.replace('{p}', rng.pick(PLACES));
      const key = `${arr ?? 'P'}|${titre}`;
      if (titles.has(key)) continue;
      titles.add(key);
      seq++;
      if (edition === LATE_DELIVERY.edition && seq === 42) seq++;
      const planned = day(edition + rng.int(1, 2), rng.pick([3, 6, 9, 12]), rng.pick([15, 30]));
      out.push({
        numero: `BP${edition}-${String(seq).padStart(4, '0')}`,
        edition,
        arrondissement: arr === null ? 'Tout Paris' : String(arr),
        titre,
        budget_alloue: Math.round(rng.uniform(t.min, t.max) / 1000) * 1000,
        ...followUp(rng, edition, planned),
        quartier_populaire: arr !== null && rng.chance(QPV_SHARE[arr] ?? 0.05) ? 'Oui' : 'Non',
        projet_ecoles: 'schools' in t && t.schools ? 'Oui' : 'Non',
        geo_point_2d: arr === null ? null : geo(pointIn(arr, rng)),
      });
    }
  }
  out.push(lateProject(rng));
  out.sort((a, b) => (a.numero < b.numero ? -1 : 1));
  return out;
}

const geo = (p: { lat: number; lon: number }) => `${p.lat}, ${p.lon}`;

function followUp(rng: Rng, edition: number, planned: Day): Pick<Project, 'statut' | 'date_livraison_prevue' | 'date_livraison_reelle'> {
  const prevue = isoDate(planned);
  const age = 2024 - edition;
  if (rng.chance(0.04 + 0.01 * age)) return { statut: 'Abandonné', date_livraison_prevue: prevue, date_livraison_reelle: null };
  if (age <= 2 && rng.chance(0.35)) return { statut: 'Non démarré', date_livraison_prevue: prevue, date_livraison_reelle: null };
  // Most projects are late; none but the planted one by more than two years.
  const delay = rng.weighted<[number, number]>([
    [[-60, 0], 2],
    [[0, 180], 4],
    [[180, 450], 3],
    [[450, 700], 1],
  ]);
  const delivered = planned + rng.int(delay[0], delay[1]);
  // Not delivered yet: the further off the delivery, the earlier the stage (études → procédures → travaux).
  if (delivered > EXTRACTION_DAY) {
    const statut = delivered - EXTRACTION_DAY > 365 ? 'Études' : delivered - EXTRACTION_DAY > 180 ? 'Procédures' : 'Travaux';
    return { statut, date_livraison_prevue: prevue, date_livraison_reelle: null };
  }
  return { statut: 'Livré', date_livraison_prevue: prevue, date_livraison_reelle: isoDate(delivered) };
}

function lateProject(rng: Rng): Project {
  return {
    numero: LATE_DELIVERY.id,
    edition: LATE_DELIVERY.edition,
    arrondissement: LATE_DELIVERY.arrondissement,
    titre: LATE_DELIVERY.title,
    budget_alloue: 320_000,
    statut: 'Livré',
    date_livraison_prevue: LATE_DELIVERY.planned,
    date_livraison_reelle: LATE_DELIVERY.delivered,
    quartier_populaire: 'Oui',
    projet_ecoles: 'Non',
    geo_point_2d: geo(pointIn(Number(LATE_DELIVERY.arrondissement), rng)),
  };
}

export function projectsJson(projects: Project[]): string {
  return JSON.stringify(projects, null, 1) + '\n';
}
